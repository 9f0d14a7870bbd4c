// Package tariff owns tariffs (named decks of call rates) and rating calls
// with them: every account is sold at a tariff chosen by its parent, and a
// call is priced at every level of the account tree, so each level has a
// sell price and a margin. The arithmetic lives in internal/rating; this
// package keeps decks in memory, fresh across nodes, and applies the rules
// of who may see and change which tariff.
package tariff

import (
	"context"
	"time"

	"switchboard/internal/query"
	"switchboard/internal/rating"
)

// Tariff is a named deck of call rates owned by an account.
type Tariff struct {
	ID          int64
	AccountID   int64
	Name        string
	Currency    string
	Description string
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CallRate is one stored rate of a tariff.
type CallRate struct {
	rating.Rate
	TariffID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ImportMode says what an import does with the rates already in a tariff.
type ImportMode string

// Import modes.
const (
	// Replace makes the tariff hold exactly the imported rates.
	Replace ImportMode = "replace"
	// Merge adds new prefixes and overwrites existing ones.
	Merge ImportMode = "merge"
)

// Level is one account on a rating chain with the tariff it is sold at.
type Level struct {
	AccountID    int64
	SubaccountID int64 // set on the first level when a subaccount's own tariff prices the call
	TariffID     int64
	Depth        int
}

// Store persists tariffs and rates. Scope arguments bound visibility to an
// account subtree; rates are reached through their tariff.
type Store interface {
	CreateTariff(ctx context.Context, t *Tariff) error
	GetTariff(ctx context.Context, id int64) (Tariff, error)
	ListTariffs(ctx context.Context, scope, ownTariff int64, q query.Params) ([]Tariff, int, error)
	UpdateTariff(ctx context.Context, t *Tariff) error
	DeleteTariff(ctx context.Context, id int64) error
	TariffInUse(ctx context.Context, id int64) (bool, error)
	TariffVersion(ctx context.Context, id int64) (int64, error)

	CreateRate(ctx context.Context, r *CallRate) error
	GetRate(ctx context.Context, id int64) (CallRate, error)
	ListRates(ctx context.Context, tariffID int64, q query.Params) ([]CallRate, int, error)
	UpdateRate(ctx context.Context, r *CallRate) error
	DeleteRate(ctx context.Context, tariffID, id int64) error
	// AllRates reads a tariff's whole deck in one consistent snapshot.
	AllRates(ctx context.Context, tariffID int64) ([]rating.Rate, int64, error)
	// ImportRates writes a deck in one transaction and bumps the version.
	ImportRates(ctx context.Context, tariffID int64, rates []rating.Rate, mode ImportMode, ids func() int64) error

	// Chain returns the account and its ancestors below the operator,
	// nearest first, with their tariffs.
	Chain(ctx context.Context, accountID int64) ([]Level, error)
	AccountTariff(ctx context.Context, accountID int64) (int64, error)
	AccountCurrency(ctx context.Context, accountID int64) (string, error)
	SetAccountTariff(ctx context.Context, accountID, tariffID int64) error
	// SubaccountTariff returns a subaccount's account and tariff (0: its
	// account's).
	SubaccountTariff(ctx context.Context, subaccountID int64) (accountID, tariffID int64, err error)
	SetSubaccountTariff(ctx context.Context, subaccountID, tariffID int64) error
	// InSubtree reports whether ancestor's subtree holds account.
	InSubtree(ctx context.Context, ancestor, account int64) (bool, error)
}

// IDs issues new entity ids.
type IDs interface{ Next() int64 }

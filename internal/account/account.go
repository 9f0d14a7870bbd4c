// Package account owns the account tree: the operator (platform owner),
// resellers and customers to any depth, and the subaccounts customers split
// their service into. It validates every change and enforces that a
// principal only ever sees its own account and its descendants.
package account

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Type is the kind of an account.
type Type string

// Account types. Only the operator may have no parent; resellers may own
// child accounts of any type; customers may not.
const (
	TypeOperator Type = "operator"
	TypeReseller Type = "reseller"
	TypeCustomer Type = "customer"
)

// BillingMode says whether an account pays before or after use.
type BillingMode string

// Billing modes.
const (
	Prepaid  BillingMode = "prepaid"
	Postpaid BillingMode = "postpaid"
)

// Status of an account.
type Status string

// Account statuses. A suspended account may log in but not place calls or
// buy; a closed account may do nothing.
const (
	Active    Status = "active"
	Suspended Status = "suspended"
	Closed    Status = "closed"
)

// RequireBundle is the preference by which the operator or a reseller
// requires the accounts below it to hold an active bundle allowing a
// feature (SIP peers, extensions, trunks, numbers...) before creating it
// (seed 001). It is off by default and applies to every account below the
// one that sets it, whatever those set themselves.
const RequireBundle = "require_bundle"

// Account is one node of the account tree.
type Account struct {
	ID          int64
	ParentID    int64 // 0 for the operator
	Path        string
	Depth       int
	Number      string
	Name        string
	Type        Type
	Currency    string
	BillingMode BillingMode
	CreditLimit money.Amount
	Status      Status
	Language    string
	Preferences map[string]any
	// APILimits overrides request limits per bucket (voicemeup request-type
	// buckets and "native" per minute); set by the operator only.
	APILimits map[string]int64
	// TariffID is the tariff the account is sold at; the tariff service
	// sets it (the parent chooses), and a new account inherits its parent's.
	TariffID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Store persists accounts. Scope arguments are the id of the account whose
// subtree bounds the operation: rows outside it are reported NotFound.
type Store interface {
	CreateAccount(ctx context.Context, a *Account) error
	GetAccount(ctx context.Context, scope, id int64) (Account, error)
	GetAccountByNumber(ctx context.Context, number string) (Account, error)
	ListAccounts(ctx context.Context, scope int64, q query.Params) ([]Account, int, error)
	UpdateAccount(ctx context.Context, a *Account) error
	DeleteAccount(ctx context.Context, scope, id int64) error
	HasChildren(ctx context.Context, id int64) (bool, error)
	OperatorAccount(ctx context.Context) (Account, bool, error)

	CreateSubaccount(ctx context.Context, s *Subaccount) error
	GetSubaccount(ctx context.Context, scope, id int64) (Subaccount, error)
	ListSubaccounts(ctx context.Context, scope int64, f SubaccountFilter, q query.Params) ([]Subaccount, int, error)
	UpdateSubaccount(ctx context.Context, s *Subaccount) error
	DeleteSubaccount(ctx context.Context, scope, id int64) error
	Associations(ctx context.Context, subaccountID int64) (Associations, error)

	CreateAddress(ctx context.Context, a *Address) error
	GetAddress(ctx context.Context, scope, id int64) (Address, error)
	ListAddresses(ctx context.Context, scope, subaccountID int64) ([]Address, error)
	UpdateAddress(ctx context.Context, a *Address) error
	DeleteAddress(ctx context.Context, scope, id int64) error
}

// IDs issues new entity ids.
type IDs interface{ Next() int64 }

// checkText refuses text no store can keep as it is: PostgreSQL rejects a
// NUL character in a text column (a 500 instead of a validation error),
// and invalid UTF-8 would not read back as it was written. fields are
// name/value pairs.
func checkText(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if v := fields[i+1]; strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			return problem.Field(fields[i], "must be valid UTF-8 text without NUL characters")
		}
	}
	return nil
}

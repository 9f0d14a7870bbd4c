// Package bundle holds VoIP bundles (seed 001): an account's monthly
// subscription of a catalog bundle type, whose features (SIP peers,
// extensions, numbers...) the account may use while the bundle is active.
//
// A bundle is valid through the end of its expiry date (UTC). It may be
// renewed from 3 days before to 5 days after that date; a renewal extends
// it from the old expiry by one period. Auto-renewing bundles are renewed
// by a worker on their expiry date and suspended when the charge fails.
// Every charge is one ledger chain (the buyer and each reseller above it,
// activity ledger.Subscription) committed with the bundle's row.
package bundle

import (
	"context"
	"time"

	"switchboard/internal/catalog"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/query"
)

// Status is a bundle's stored status.
type Status string

// Bundle statuses. Expired is never stored: an active bundle past its
// expiry date reads as expired.
const (
	Active    Status = "active"
	Suspended Status = "suspended"
	Deleted   Status = "deleted"
	Expired   Status = "expired"
)

// Bundle is one account's subscription.
type Bundle struct {
	ID        int64
	AccountID int64
	TypeID    int
	AutoRenew bool
	Status    Status
	// Price is what the account paid for the current period.
	Price    money.Amount
	StartsAt time.Time
	// ExpiresOn is the midnight (UTC) starting the expiry date; the bundle
	// is valid until the end of that day.
	ExpiresOn time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Replayed is true (never stored) when the answer repeats the first
	// one for an idempotency key.
	Replayed bool
}

// State is the status as of now: Expired for an active bundle past its
// expiry date.
func (b Bundle) State(now time.Time) Status {
	if b.Status == Active && !now.Before(b.ExpiresOn.AddDate(0, 0, 1)) {
		return Expired
	}
	return b.Status
}

// Renewal windows: from RenewBefore before the expiry date to RenewAfter
// after it, both inclusive, in whole days (seed 001).
const (
	RenewBefore = 3
	RenewAfter  = 5
)

// Change is a charged change of a bundle: a renewal or a new type. The
// store applies it only while the bundle still has the expected type and
// expiry, so two renewals of the same period cannot both be charged.
type Change struct {
	ID            int64
	WantTypeID    int
	WantExpiresOn time.Time
	TypeID        int
	Price         money.Amount
	StartsAt      time.Time
	ExpiresOn     time.Time
	At            time.Time
}

// Store persists bundles.
type Store interface {
	// CreateBundle applies charge and inserts b in one transaction; for a
	// repeated idempotency key it inserts nothing and returns the first
	// entries with replayed true.
	CreateBundle(ctx context.Context, b Bundle, charge ledger.ApplyRequest) (entries []ledger.Entry, replayed bool, err error)
	// ChargeBundle applies charge and c in one transaction: Conflict when
	// the bundle no longer has c's expected type and expiry (or is
	// deleted), and nothing moves. A repeated idempotency key returns the
	// first entries with replayed true and changes nothing.
	ChargeBundle(ctx context.Context, c Change, charge ledger.ApplyRequest) (entries []ledger.Entry, replayed bool, err error)
	// GetBundle returns a bundle of scope's subtree that is not deleted;
	// scope 0 is unscoped.
	GetBundle(ctx context.Context, scope, id int64) (Bundle, error)
	ListBundles(ctx context.Context, scope int64, q query.Params) ([]Bundle, int, error)
	SetAutoRenew(ctx context.Context, scope, id int64, autoRenew bool, at time.Time) error
	DeleteBundle(ctx context.Context, scope, id int64, at time.Time) error
	// DueBundles returns up to limit active auto-renewing bundles whose
	// expiry date is between from and to (inclusive), oldest expiry first.
	DueBundles(ctx context.Context, from, to time.Time, limit int) ([]Bundle, error)
	// Suspend suspends an active bundle still expiring on expiresOn; false
	// when it changed meanwhile.
	Suspend(ctx context.Context, id int64, expiresOn, at time.Time) (bool, error)
	// ActiveBundles returns the account's bundles that are active (not
	// suspended or deleted) and expire on or after the date of now.
	ActiveBundles(ctx context.Context, accountID int64, now time.Time) ([]Bundle, error)
	// RequireBundle reports whether an account above accountID set the
	// require_bundle policy.
	RequireBundle(ctx context.Context, accountID int64) (bool, error)
}

// Catalog is what the bundle service needs of the catalog.
type Catalog interface {
	BundleType(ctx context.Context, id int, field string) (catalog.BundleType, error)
	BundleTypes(ctx context.Context) ([]catalog.BundleType, error)
	Levels(ctx context.Context, accountID int64, kind catalog.Kind, typeID int, def money.Amount) ([]ledger.Level, error)
}

// IDs issues ids.
type IDs interface{ Next() int64 }

package number

import (
	"context"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/query"
)

// Search selects available numbers. Empty fields select everything.
type Search struct {
	Type       Type
	State      string // two-letter code
	StateID    int
	CountryID  int
	NPA, NXX   string
	National   string // one complete number
	RateCenter string
	// District is a partial or complete city name; complete matches come
	// first.
	District string
	// Patterns selects numbers with at least one of these patterns
	// (PatternDouble...); NoPatterns numbers without any.
	Patterns   []string
	NoPatterns bool
	T38, SMS   bool
	Random     bool
	Limit      int
}

// The pattern names of voicemeup's included_patterns.
const (
	PatternRare      = "rare_number"
	PatternDouble    = "pattern_double_digits"
	PatternPair      = "pattern_double_digits_pair"
	PatternTrio      = "pattern_double_digits_trio"
	PatternTriple    = "pattern_tripple_digits"
	PatternQuadruple = "pattern_quadruple_digits"
)

// PatternNames lists the pattern names in the document's order.
var PatternNames = []string{PatternRare, PatternDouble, PatternPair, PatternTrio, PatternTriple, PatternQuadruple}

// Exchange is one NPA-NXX of inventory with its place.
type Exchange struct {
	NPA, NXX   string
	RateCenter string
	City       string
	State      string
	StateID    int
	CountryID  int
	Available  int
	UpdatedAt  time.Time
}

// RefFilter narrows reference data.
type RefFilter struct {
	NPA, NXX     string
	RateCenter   string
	State        string
	StateID      int
	CountryID    int
	UpdatedSince time.Time
	Limit        int
	Offset       int
}

// Order is an order of the numbers of one reservation.
type Order struct {
	ID            int64
	AccountID     int64
	ReservationID int64
	TrunkID       int64
	Category      string // "Landline" or "TollFree"
	Paid          bool
	Setup         money.Amount
	Monthly       money.Amount
	Numbers       []string // national digits
	CreatedAt     time.Time
	PaidAt        time.Time
}

// Amount is what processing the order charges: setup and first month.
func (o Order) Amount() money.Amount { return o.Setup + o.Monthly }

// OwnedFilter narrows an account's numbers.
type OwnedFilter struct {
	National string
	Type     Type
	Status   Status
	TrunkID  int64
	OrderID  int64
	NPA, NXX string
	StateID  int
}

// Store persists numbers, reservations and orders.
type Store interface {
	// InsertNumbers adds numbers to inventory, all or none: a number
	// already known is a Conflict on field "number".
	InsertNumbers(ctx context.Context, ns []Number) error
	// RetireNumber takes an available or quarantined number out of
	// inventory; NotFound otherwise.
	RetireNumber(ctx context.Context, id int64, at time.Time) error
	// GetNumber returns a number of inventory in any status.
	GetNumber(ctx context.Context, id int64) (Number, error)
	// ListNumbers is the native inventory collection; onlyAvailable
	// restricts it to numbers in stock.
	ListNumbers(ctx context.Context, onlyAvailable bool, q query.Params) ([]Number, int, error)
	// SearchNumbers returns available numbers matching s.
	SearchNumbers(ctx context.Context, s Search) ([]Number, error)
	// States lists the states with available numbers, sorted.
	States(ctx context.Context) ([]string, error)
	// Exchanges lists the NPA-NXX of inventory matching f; available only
	// counts numbers in stock.
	Exchanges(ctx context.Context, f RefFilter, available bool) ([]Exchange, error)

	// Reserve holds the given numbers (E.164) for accountID until until in
	// its open reservation (created with newID when it has none), or with
	// direct in a new reservation newID of their own, all or none: a
	// number not available (held by another account, or already by this
	// one when direct) is a Conflict. It returns the reservation and its
	// numbers.
	Reserve(ctx context.Context, accountID, newID int64, e164s []string, now, until time.Time, direct bool) (int64, []string, error)
	// ReserveMatching holds the first quantity available numbers matching
	// s in ascending order, all or none.
	ReserveMatching(ctx context.Context, accountID, newID int64, s Search, quantity int, now, until time.Time) (int64, []string, error)
	// Unreserve returns held numbers of a reservation of accountID to stock
	// (all when nationals is empty) and answers which were returned.
	Unreserve(ctx context.Context, accountID, reservationID int64, nationals []string, now time.Time) ([]string, error)
	// CreateOrder closes an open reservation into an order of its held
	// numbers (prices read from them) and extends their hold to until.
	CreateOrder(ctx context.Context, o Order, now, until time.Time) (Order, error)
	GetOrder(ctx context.Context, scope, id int64) (Order, error)
	ListOrders(ctx context.Context, accountID int64) ([]Order, error)
	// ProcessOrder applies charge and, in the same transaction, marks the
	// order paid and makes its numbers owned by its account, paid until
	// paidUntil. Nothing moves when the charge is refused or a number is
	// no longer held for the order.
	ProcessOrder(ctx context.Context, o Order, charge ledger.ApplyRequest, now, paidUntil time.Time) ([]ledger.Entry, bool, error)

	// ListOwned lists the owned and suspended numbers of scope's subtree.
	ListOwned(ctx context.Context, scope int64, f OwnedFilter, q query.Params) ([]Number, int, error)
	// GetOwned returns an owned or suspended number of scope's subtree by
	// E.164, or by id when e164 is empty.
	GetOwned(ctx context.Context, scope int64, e164 string, id int64) (Number, error)
	// UpdateOwned writes a number's trunk, settings and status.
	UpdateOwned(ctx context.Context, scope int64, n Number, at time.Time) error
	// Release moves an owned or suspended number to quarantine until until.
	Release(ctx context.Context, scope int64, e164 string, now, until time.Time) error

	// DueRentals returns up to limit owned numbers whose paid period ended
	// by now.
	DueRentals(ctx context.Context, now time.Time, limit int) ([]Number, error)
	// ChargeRental applies charge and extends the number's paid period
	// from paidUntil to next, only while it is still owned and paid until
	// paidUntil (otherwise nothing moves and ok is false).
	ChargeRental(ctx context.Context, id int64, paidUntil, next time.Time, charge ledger.ApplyRequest, now time.Time) (ok bool, err error)
	// Suspend marks an owned number unpaid since paidUntil suspended until
	// until.
	Suspend(ctx context.Context, id int64, paidUntil, now, until time.Time) error
	// Sweep ends expired holds, quarantines suspended numbers past their
	// grace (for quarantine) and returns quarantined numbers past theirs
	// to stock. It answers how many rows moved.
	Sweep(ctx context.Context, now time.Time, quarantine time.Duration) (int, error)

	// CreateRequest records a back-order.
	CreateRequest(ctx context.Context, r Request) error
	ListRequests(ctx context.Context, scope int64, q query.Params) ([]Request, int, error)
	// FulfilRequest closes an open back-order.
	FulfilRequest(ctx context.Context, id int64, status string, at time.Time) error
}

// Request is a back-order of numbers not in stock.
type Request struct {
	ID        int64
	AccountID int64
	Details   map[string]string
	Status    string // open, fulfilled, cancelled
	CreatedAt time.Time
	UpdatedAt time.Time
}

package number

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/catalog"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Defaults of Config.
const (
	DefaultHold       = 15 * time.Minute
	DefaultQuarantine = 30 * 24 * time.Hour
	DefaultGrace      = 7 * 24 * time.Hour
)

// Levels returns a purchase chain: the buyer then each reseller above it.
type Levels interface {
	Levels(ctx context.Context, accountID int64, kind catalog.Kind, typeID int, def money.Amount) ([]ledger.Level, error)
}

// Policy refuses a feature an account's bundles do not allow.
type Policy interface {
	Require(ctx context.Context, accountID int64, f catalog.Feature) error
}

// IDs issues ids.
type IDs interface{ Next() int64 }

// Config configures a Service.
type Config struct {
	Store  Store
	Levels Levels
	Ledger *ledger.Service
	IDs    IDs
	// Hold is how long a reservation holds numbers (DefaultHold).
	Hold time.Duration
	// Quarantine is how long a released number ages (DefaultQuarantine).
	Quarantine time.Duration
	// Grace is how long an unpaid number stays suspended before release
	// (DefaultGrace).
	Grace time.Duration
	Now   func() time.Time
}

// Service runs numbers through inventory, reservations, orders and
// ownership.
type Service struct {
	cfg    Config
	policy Policy
}

// NewService returns the number service.
func NewService(cfg Config) *Service {
	if cfg.Hold <= 0 {
		cfg.Hold = DefaultHold
	}
	if cfg.Quarantine <= 0 {
		cfg.Quarantine = DefaultQuarantine
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// RequireBundles makes reservations ask policy whether the account may
// have numbers.
func (s *Service) RequireBundles(p Policy) { s.policy = p }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// kindNumber is the catalog kind numbers are sold under; no level sets a
// price of its own yet, so every level of the chain pays the inventory
// price.
const kindNumber catalog.Kind = "number"

func operatorOnly(p auth.Principal) error {
	if !p.Operator || !p.CanWrite() {
		return problem.New(problem.Forbidden, "only the operator manages inventory")
	}
	return nil
}

func writer(p auth.Principal) error {
	if !p.CanWrite() {
		return problem.New(problem.Forbidden, "this credential is read-only")
	}
	return nil
}

// Entry is one number to add to inventory, as an import line gives it.
type Entry struct {
	Number     string
	Type       string
	Country    string
	State      string
	NPA, NXX   string
	RateCenter string
	City       string
	SMS, MMS   bool
	T38        bool
	Setup      money.Amount
	Monthly    money.Amount
}

// Build validates an entry into a Number ready for inventory.
func (s *Service) Build(e Entry, now time.Time) (Number, error) {
	pn, err := Parse(e.Number, e.Country)
	if err != nil {
		return Number{}, err
	}
	n := Number{ID: s.cfg.IDs.Next(), Type: Type(strings.ToLower(strings.TrimSpace(e.Type))), State: strings.ToUpper(strings.TrimSpace(e.State)),
		RateCenter: strings.ToUpper(strings.TrimSpace(e.RateCenter)), City: strings.TrimSpace(e.City),
		SMS: e.SMS, MMS: e.MMS, T38: e.T38, Setup: e.Setup, Monthly: e.Monthly, Status: Available, CreatedAt: now, UpdatedAt: now}
	if n.Type == "" {
		n.Type = Classify(pn)
	}
	if !n.Type.Valid() {
		return Number{}, problem.Field("type", "must be local, tollfree, international or inum")
	}
	if got := Classify(pn); n.Type == TollFree && got != TollFree || n.Type != TollFree && got == TollFree {
		return Number{}, problem.Field("type", "is %s but the number is %s", n.Type, got)
	}
	if e.Setup < 0 || e.Monthly < 0 {
		return Number{}, problem.Field("setup_price", "prices must not be negative")
	}
	if err := Describe(pn, &n); err != nil {
		return Number{}, err
	}
	if e.Country != "" && !strings.EqualFold(e.Country, n.Country) && !(pn.GetCountryCode() == 1 && len(e.Country) == 2) {
		return Number{}, problem.Field("country", "is %s but the number is of %s", strings.ToUpper(e.Country), n.Country)
	}
	if e.NPA != "" && e.NPA != n.NPA || e.NXX != "" && e.NXX != n.NXX {
		return Number{}, problem.Field("npa", "npa and nxx must be the number's own")
	}
	if n.RateCenter == "" {
		n.RateCenter = strings.ToUpper(n.City)
	}
	if n.Type == TollFree {
		n.State, n.StateID = "", 0
	}
	return n, nil
}

// Import adds numbers to inventory, all or none (operator only).
func (s *Service) Import(ctx context.Context, p auth.Principal, ns []Number) error {
	if err := operatorOnly(p); err != nil {
		return err
	}
	for i := range ns {
		ns[i].Shuffle()
	}
	return s.cfg.Store.InsertNumbers(ctx, ns)
}

// Shuffle sets the number's random sort key.
func (n *Number) Shuffle() {
	if n.shuffle == 0 {
		n.shuffle = rand.Int32N(1<<30) + 1
	}
}

// ShuffleKey is the random sort key searches with order=random use.
func (n Number) ShuffleKey() int32 { return n.shuffle }

// SetShuffleKey restores the key read from the store.
func (n *Number) SetShuffleKey(k int32) { n.shuffle = k }

// Add adds one number to inventory (operator only).
func (s *Service) Add(ctx context.Context, p auth.Principal, e Entry) (Number, error) {
	if err := operatorOnly(p); err != nil {
		return Number{}, err
	}
	n, err := s.Build(e, s.Now())
	if err != nil {
		return Number{}, err
	}
	return n, s.Import(ctx, p, []Number{n})
}

// Retire takes a number in stock or quarantine out of inventory.
func (s *Service) Retire(ctx context.Context, p auth.Principal, id int64) error {
	if err := operatorOnly(p); err != nil {
		return problem.NotFoundf("no such number in stock")
	}
	return s.cfg.Store.RetireNumber(ctx, id, s.Now())
}

// InventoryNumber returns a number of inventory: any number to the
// operator, a number in stock to others.
func (s *Service) InventoryNumber(ctx context.Context, p auth.Principal, id int64) (Number, error) {
	n, err := s.cfg.Store.GetNumber(ctx, id)
	if err == nil && !p.Operator && n.Status != Available {
		return Number{}, problem.NotFoundf("no such number")
	}
	return n, err
}

// Inventory lists inventory: the operator sees every number, others the
// numbers in stock.
func (s *Service) Inventory(ctx context.Context, p auth.Principal, q query.Params) ([]Number, int, error) {
	return s.cfg.Store.ListNumbers(ctx, !p.Operator, q)
}

// MaxSearch is the most numbers a search answers.
const MaxSearch = 1000

// Search returns available numbers matching q.
func (s *Service) Search(ctx context.Context, q Search) ([]Number, error) {
	if q.Limit <= 0 || q.Limit > MaxSearch {
		q.Limit = 100
	}
	for _, p := range q.Patterns {
		if !validPattern(p) {
			return nil, problem.Field("included_patterns", "unknown pattern %q", p)
		}
	}
	return s.cfg.Store.SearchNumbers(ctx, q)
}

func validPattern(p string) bool {
	for _, n := range PatternNames {
		if n == p {
			return true
		}
	}
	return false
}

// States lists the states with numbers in stock.
func (s *Service) States(ctx context.Context) ([]string, error) { return s.cfg.Store.States(ctx) }

// Exchanges lists inventory's NPA-NXX; available counts only stock.
func (s *Service) Exchanges(ctx context.Context, f RefFilter, available bool) ([]Exchange, error) {
	if f.Limit <= 0 {
		f.Limit = 25
	}
	return s.cfg.Store.Exchanges(ctx, f, available)
}

func (s *Service) mayHave(ctx context.Context, p auth.Principal) error {
	if err := writer(p); err != nil {
		return err
	}
	if p.Operator {
		return problem.New(problem.Forbidden, "the operator's own account does not buy numbers")
	}
	if s.policy != nil {
		return s.policy.Require(ctx, p.AccountID, catalog.Numbers)
	}
	return nil
}

// Reserve holds the numbers for the principal's account in its order cart,
// all or none, and answers the cart's id and held numbers.
func (s *Service) Reserve(ctx context.Context, p auth.Principal, numbers []string) (int64, []string, error) {
	return s.reserve(ctx, p, numbers, false)
}

func (s *Service) reserve(ctx context.Context, p auth.Principal, numbers []string, direct bool) (int64, []string, error) {
	if err := s.mayHave(ctx, p); err != nil {
		return 0, nil, err
	}
	if len(numbers) == 0 || len(numbers) > MaxSearch {
		return 0, nil, problem.Field("number", "give 1 to %d numbers", MaxSearch)
	}
	e164s := make([]string, len(numbers))
	for i, n := range numbers {
		pn, err := Parse(n, "")
		if err != nil {
			return 0, nil, err
		}
		e164s[i] = E164(pn)
	}
	now := s.Now()
	return s.cfg.Store.Reserve(ctx, p.AccountID, s.cfg.IDs.Next(), e164s, now, now.Add(s.cfg.Hold), direct)
}

// BulkReserve holds quantity numbers matching q in ascending order.
func (s *Service) BulkReserve(ctx context.Context, p auth.Principal, q Search, quantity int) (int64, []string, error) {
	if err := s.mayHave(ctx, p); err != nil {
		return 0, nil, err
	}
	if quantity < 1 || quantity > 1000 {
		return 0, nil, problem.Field("quantity", "must be 1 to 1000")
	}
	now := s.Now()
	return s.cfg.Store.ReserveMatching(ctx, p.AccountID, s.cfg.IDs.Next(), q, quantity, now, now.Add(s.cfg.Hold))
}

// RemoveReserved returns numbers of a reservation to stock (all when
// none are named) and answers which were returned.
func (s *Service) RemoveReserved(ctx context.Context, p auth.Principal, reservationID int64, nationals []string) ([]string, error) {
	if err := writer(p); err != nil {
		return nil, err
	}
	return s.cfg.Store.Unreserve(ctx, p.AccountID, reservationID, nationals, s.Now())
}

// GenOrder turns the principal's reservation into an order.
func (s *Service) GenOrder(ctx context.Context, p auth.Principal, reservationID, trunkID int64) (Order, error) {
	if err := writer(p); err != nil {
		return Order{}, err
	}
	now := s.Now()
	return s.cfg.Store.CreateOrder(ctx, Order{ID: s.cfg.IDs.Next(), AccountID: p.AccountID, ReservationID: reservationID,
		TrunkID: trunkID, CreatedAt: now}, now, now.Add(s.cfg.Hold))
}

// OrderReference is the ledger reference of an order's charge.
func OrderReference(id int64) string { return "number_order:" + strconv.FormatInt(id, 10) }

// ProcessOrder charges an order (setup and first month, "Order (New
// DIDs)" along the reseller chain) and gives its numbers to the account in
// the same transaction. Refused funds leave the order unpaid and every
// number held.
func (s *Service) ProcessOrder(ctx context.Context, p auth.Principal, orderID int64) (Order, error) {
	if err := writer(p); err != nil {
		return Order{}, err
	}
	o, err := s.cfg.Store.GetOrder(ctx, p.AccountID, orderID)
	if err != nil {
		return Order{}, err
	}
	if o.Paid {
		return Order{}, problem.New(problem.Conflict, "the order is already processed")
	}
	if s.policy != nil {
		if err := s.policy.Require(ctx, o.AccountID, catalog.Numbers); err != nil {
			return Order{}, err
		}
	}
	now := s.Now()
	var charge ledger.ApplyRequest
	if amt := o.Amount(); amt > 0 {
		levels, err := s.cfg.Levels.Levels(ctx, o.AccountID, kindNumber, 0, amt)
		if err != nil {
			return Order{}, err
		}
		base := ledger.Posting{Activity: ledger.OrderNewDIDs, Reference: OrderReference(o.ID), ActorUserID: p.UserID,
			Description: fmt.Sprintf("Order %d: %d numbers", o.ID, len(o.Numbers))}
		if charge, err = s.cfg.Ledger.Prepare(ledger.ChainDebits(base, levels), ledger.Options{}); err != nil {
			return Order{}, err
		}
	}
	if _, err := ledger.Finish(s.cfg.Store.ProcessOrder(ctx, o, charge, now, now.AddDate(0, 1, 0))); err != nil {
		return Order{}, err
	}
	o.Paid, o.PaidAt = true, now
	return o, nil
}

// Orders lists the principal's orders, or one of them.
func (s *Service) Orders(ctx context.Context, p auth.Principal, orderID int64) ([]Order, error) {
	if orderID != 0 {
		o, err := s.cfg.Store.GetOrder(ctx, p.AccountID, orderID)
		if err != nil {
			return nil, err
		}
		return []Order{o}, nil
	}
	return s.cfg.Store.ListOrders(ctx, p.AccountID)
}

// Activate reserves, orders and processes one number for the principal,
// outside its order cart.
func (s *Service) Activate(ctx context.Context, p auth.Principal, number string) (Number, error) {
	res, _, err := s.reserve(ctx, p, []string{number}, true)
	if err != nil {
		return Number{}, err
	}
	o, err := s.GenOrder(ctx, p, res, 0)
	if err != nil {
		return Number{}, err
	}
	if _, err := s.ProcessOrder(ctx, p, o.ID); err != nil {
		_, _ = s.cfg.Store.Unreserve(ctx, p.AccountID, res, nil, s.Now())
		return Number{}, err
	}
	pn, _ := Parse(number, "")
	return s.cfg.Store.GetOwned(ctx, p.AccountID, E164(pn), 0)
}

// Owned lists the owned and suspended numbers of the principal's subtree.
func (s *Service) Owned(ctx context.Context, p auth.Principal, f OwnedFilter, q query.Params) ([]Number, int, error) {
	return s.cfg.Store.ListOwned(ctx, p.AccountID, f, q)
}

// Get returns an owned number of the principal's subtree.
func (s *Service) Get(ctx context.Context, p auth.Principal, number string) (Number, error) {
	pn, err := Parse(number, "")
	if err != nil {
		return Number{}, err
	}
	return s.cfg.Store.GetOwned(ctx, p.AccountID, E164(pn), 0)
}

// GetByID returns an owned number of the principal's subtree by id.
func (s *Service) GetByID(ctx context.Context, p auth.Principal, id int64) (Number, error) {
	return s.cfg.Store.GetOwned(ctx, p.AccountID, "", id)
}

// Update stores an owned number's trunk and settings.
func (s *Service) Update(ctx context.Context, p auth.Principal, n Number) error {
	if err := writer(p); err != nil {
		return err
	}
	return s.cfg.Store.UpdateOwned(ctx, p.AccountID, n, s.Now())
}

// Release gives an owned number up: it ages in quarantine before going
// back to stock. What was paid is not refunded.
func (s *Service) Release(ctx context.Context, p auth.Principal, number string) error {
	if err := writer(p); err != nil {
		return err
	}
	pn, err := Parse(number, "")
	if err != nil {
		return err
	}
	now := s.Now()
	return s.cfg.Store.Release(ctx, p.AccountID, E164(pn), now, now.Add(s.cfg.Quarantine))
}

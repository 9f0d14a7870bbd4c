// Package command prices API commands. The operator may put a price on any
// command of any dialect (a native route, a voicemeup request type, a
// carrier endpoint, a reseller route): seed 000's "You will be charged
// every time this command is run". Each run is then one ledger chain of
// "command_charge" rows referencing the request: the caller's account and
// every reseller above it, each at the operator's price, since a reseller
// passes on to its customers what it pays the operator. A command that
// fails is refunded by the mirror credits, so a client pays only for
// commands that ran. An account that cannot pay is refused before the
// command runs (402 in the dialect's shape).
package command

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"switchboard/internal/auth"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// The dialects a command belongs to.
const (
	Native    = "native"
	Voicemeup = "voicemeup"
	Carrier   = "carrier"
	Reseller  = "reseller"
)

// Dialects lists the dialects in a fixed order.
var Dialects = []string{Native, Voicemeup, Carrier, Reseller}

// Price is the operator's price for running one command.
type Price struct {
	ID int64
	// Dialect is one of Dialects; Command names the command in it: the
	// route pattern ("POST /api/rate", "GET /voip/call-pack"), the request
	// type ("lookup_did") or the endpoint ("searchdid").
	Dialect     string
	Command     string
	Price       money.Amount
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// MaxDescriptionLen bounds a price's description.
const MaxDescriptionLen = 255

// Store persists prices.
type Store interface {
	CreateCommandPrice(ctx context.Context, p Price) error
	UpdateCommandPrice(ctx context.Context, p Price) error
	DeleteCommandPrice(ctx context.Context, id int64) error
	GetCommandPrice(ctx context.Context, id int64) (Price, error)
	ListCommandPrices(ctx context.Context, q query.Params) ([]Price, int, error)
	// AllCommandPrices returns every price, for the per-node cache.
	AllCommandPrices(ctx context.Context) ([]Price, error)
}

// Catalog tells which commands exist in each dialect.
type Catalog func(dialect string) []string

// IDs issues ids.
type IDs interface{ Next() int64 }

// Charge is a command run that was charged; zero when it cost nothing.
type Charge struct {
	// Reference is the ledger reference of its entries ("command:<id>").
	Reference string
	Entries   []ledger.Entry
	principal auth.Principal
	what      string
}

// Header is the response header naming a charged run's ledger reference,
// so a client can match the command_charge entries to its request.
const Header = "X-Command-Charge"

// Charged reports whether money moved.
func (c Charge) Charged() bool { return len(c.Entries) > 0 }

// Charger is what a dialect calls around a command it runs.
type Charger interface {
	// Charge debits a run of command by p; PaymentRequired when an
	// account of the chain cannot pay it.
	Charge(ctx context.Context, p auth.Principal, dialect, command string) (Charge, error)
	// Refund credits back a charge whose command failed.
	Refund(ctx context.Context, c Charge)
}

// refresh is how long a node trusts its copy of the prices: a price set
// through another node applies here within this time.
const refresh = time.Second

// Service prices commands and charges their runs.
type Service struct {
	store   Store
	ledger  *ledger.Service
	ids     IDs
	catalog Catalog
	now     func() time.Time
	onError func(error)

	// cache is the node's copy of the prices; reloading takes mu, reading
	// takes nothing, so the many requests of unpriced commands cost a map
	// lookup.
	cache atomic.Pointer[priceCache]
	mu    sync.Mutex
}

type priceCache struct {
	prices   map[string]Price // by dialect + " " + command
	loadedAt time.Time
}

// NewService returns the command-price service. onError receives failures
// the caller is not told (a refund that could not be posted); nil ignores
// them.
func NewService(store Store, l *ledger.Service, ids IDs, catalog Catalog, onError func(error)) *Service {
	if onError == nil {
		onError = func(error) {}
	}
	return &Service{store: store, ledger: l, ids: ids, catalog: catalog, now: time.Now, onError: onError}
}

func key(dialect, command string) string { return dialect + " " + command }

// price returns the price of a command from the node's copy, reloading it
// when older than refresh.
func (s *Service) price(ctx context.Context, dialect, command string) (Price, bool, error) {
	c := s.cache.Load()
	if c == nil || s.now().Sub(c.loadedAt) >= refresh {
		var err error
		if c, err = s.reload(ctx); err != nil {
			return Price{}, false, err
		}
	}
	p, ok := c.prices[key(dialect, command)]
	return p, ok && p.Price > 0, nil
}

// reload reads the prices, once for all the requests waiting on it.
func (s *Service) reload(ctx context.Context) (*priceCache, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cache.Load(); c != nil && s.now().Sub(c.loadedAt) < refresh {
		return c, nil
	}
	all, err := s.store.AllCommandPrices(ctx)
	if err != nil {
		return nil, fmt.Errorf("load command prices: %w", err)
	}
	c := &priceCache{prices: make(map[string]Price, len(all)), loadedAt: s.now()}
	for _, p := range all {
		c.prices[key(p.Dialect, p.Command)] = p
	}
	s.cache.Store(c)
	return c, nil
}

// invalidate makes the next lookup reload.
func (s *Service) invalidate() { s.cache.Store(nil) }

// payers returns the accounts that pay for p's runs: its own and each
// ancestor's below the operator, lowest first. The operator pays nobody.
func payers(p auth.Principal) ([]int64, error) {
	if p.Operator {
		return nil, nil
	}
	var ids []int64
	parts := strings.Split(strings.Trim(p.AccountPath, "/"), "/")
	for i, s := range parts {
		if i == 0 {
			continue // the operator
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("account path %q: %w", p.AccountPath, err)
		}
		ids = append(ids, n)
	}
	slices.Reverse(ids)
	return ids, nil
}

// Charge debits one run of command by p at the operator's price, through
// p's account and every reseller above it, all or none.
func (s *Service) Charge(ctx context.Context, p auth.Principal, dialect, command string) (Charge, error) {
	pr, ok, err := s.price(ctx, dialect, command)
	if err != nil || !ok {
		return Charge{}, problem.Wrap(err, "reading command prices failed")
	}
	accounts, err := payers(p)
	if err != nil || len(accounts) == 0 {
		return Charge{}, problem.Wrap(err, "resolving who pays the command failed")
	}
	ref := "command:" + strconv.FormatInt(s.ids.Next(), 10)
	what := dialect + " " + command
	levels := make([]ledger.Level, len(accounts))
	for i, id := range accounts {
		levels[i] = ledger.Level{AccountID: id, Price: pr.Price}
	}
	postings := ledger.ChainDebits(ledger.Posting{Activity: ledger.CommandCharge, Reference: ref,
		Description: "Command " + what, ActorUserID: p.UserID}, levels)
	es, err := s.ledger.PostChain(ctx, postings, ledger.Options{})
	if err != nil {
		return Charge{}, err
	}
	return Charge{Reference: ref, Entries: es, principal: p, what: what}, nil
}

// Refund credits back every entry of c. The credits cannot be refused (a
// credit has no floor), so a failure here is a store failure, reported to
// onError and to the log by the caller's wiring.
func (s *Service) Refund(ctx context.Context, c Charge) {
	if !c.Charged() {
		return
	}
	postings := make([]ledger.Posting, len(c.Entries))
	for i, e := range c.Entries {
		postings[i] = ledger.Posting{AccountID: e.AccountID, Activity: ledger.CommandCharge, Credit: e.Debit,
			Reference: c.Reference, Description: "Refund: command " + c.what + " failed", ActorUserID: c.principal.UserID}
	}
	// The refund outlives a cancelled request: it must land.
	if _, err := s.ledger.PostChain(context.WithoutCancel(ctx), postings, ledger.Options{}); err != nil {
		s.onError(fmt.Errorf("refund %s: %w", c.Reference, err))
	}
}

// Input is a price as an operator sets it.
type Input struct {
	Dialect     *string
	Command     *string
	Price       *money.Amount
	Description *string
}

// requireOperator refuses everyone but the operator's admins.
func requireOperator(p auth.Principal) error {
	if !p.Operator || !p.IsAdmin() {
		return problem.New(problem.Forbidden, "only the operator's admins price commands")
	}
	return nil
}

func (s *Service) check(pr *Price, in Input) error {
	if in.Dialect != nil {
		pr.Dialect = *in.Dialect
	}
	if in.Command != nil {
		pr.Command = strings.TrimSpace(*in.Command)
	}
	if in.Price != nil {
		pr.Price = *in.Price
	}
	if in.Description != nil {
		pr.Description = *in.Description
	}
	if !slices.Contains(Dialects, pr.Dialect) {
		return problem.Field("dialect", "must be one of %s", strings.Join(Dialects, ", "))
	}
	if pr.Command == "" || !slices.Contains(s.catalog(pr.Dialect), pr.Command) {
		return problem.Field("command", "is not a command of the %s dialect", pr.Dialect)
	}
	if pr.Price < 0 {
		return problem.Field("price", "must not be negative")
	}
	if len(pr.Description) > MaxDescriptionLen || !utf8.ValidString(pr.Description) || strings.IndexByte(pr.Description, 0) >= 0 {
		return problem.Field("description", "must be valid text of at most %d bytes", MaxDescriptionLen)
	}
	return nil
}

// Create prices a command.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Price, error) {
	if err := requireOperator(p); err != nil {
		return Price{}, err
	}
	if in.Dialect == nil {
		return Price{}, problem.Field("dialect", "is required")
	}
	if in.Command == nil {
		return Price{}, problem.Field("command", "is required")
	}
	if in.Price == nil {
		return Price{}, problem.Field("price", "is required")
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	pr := Price{ID: s.ids.Next(), CreatedAt: now, UpdatedAt: now}
	if err := s.check(&pr, in); err != nil {
		return Price{}, err
	}
	if err := s.store.CreateCommandPrice(ctx, pr); err != nil {
		return Price{}, problem.Wrap(err, "saving the price failed")
	}
	s.invalidate()
	return pr, nil
}

// Update changes the given fields of a price.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, in Input) (Price, error) {
	pr, err := s.Get(ctx, p, id)
	if err != nil {
		return Price{}, err
	}
	if err := requireOperator(p); err != nil {
		return Price{}, err
	}
	if err := s.check(&pr, in); err != nil {
		return Price{}, err
	}
	pr.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	if err := s.store.UpdateCommandPrice(ctx, pr); err != nil {
		return Price{}, problem.Wrap(err, "saving the price failed")
	}
	s.invalidate()
	return pr, nil
}

// Delete removes a price: the command is free again.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	if _, err := s.Get(ctx, p, id); err != nil {
		return err
	}
	if err := requireOperator(p); err != nil {
		return err
	}
	if err := s.store.DeleteCommandPrice(ctx, id); err != nil {
		return problem.Wrap(err, "deleting the price failed")
	}
	s.invalidate()
	return nil
}

// Get returns a price. Every credential may read the prices it pays.
func (s *Service) Get(ctx context.Context, _ auth.Principal, id int64) (Price, error) {
	pr, err := s.store.GetCommandPrice(ctx, id)
	if problem.Is(err, problem.NotFound) {
		return Price{}, problem.NotFoundf("no such command price")
	}
	return pr, problem.Wrap(err, "reading the price failed")
}

// List lists prices.
func (s *Service) List(ctx context.Context, _ auth.Principal, q query.Params) ([]Price, int, error) {
	return s.store.ListCommandPrices(ctx, q)
}

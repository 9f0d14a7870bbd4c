// Package callpack holds call packs (seed 000): minutes of calls to a
// pack type's destinations (UK, or UK and the EU, landline and mobile)
// bought at a fixed price and valid for one month. Calls to a covered
// destination take whole billed seconds from the account's packs, oldest
// first, before money is spent.
//
// A purchase or renewal is one ledger chain (the buyer and each reseller
// above it, activity ledger.CallPack) committed with the pack's row, so a
// pack exists exactly when its money moved.
package callpack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/catalog"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Status is a pack's stored status.
type Status string

// Pack statuses. Expired and Exhausted are never stored: they are how an
// active pack reads past its expiry or with no seconds left.
const (
	Active    Status = "active"
	Deleted   Status = "deleted"
	Expired   Status = "expired"
	Exhausted Status = "exhausted"
)

// Pack is one call pack of an account.
type Pack struct {
	ID           int64
	AccountID    int64
	TypeID       int
	Status       Status
	SecondsTotal int64
	SecondsUsed  int64
	Price        money.Amount
	StartsAt     time.Time
	ExpiresAt    time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Replayed is true (never stored) for a repeated idempotency key.
	Replayed bool
}

// State is the status as of now.
func (p Pack) State(now time.Time) Status {
	switch {
	case p.Status != Active:
		return p.Status
	case !now.Before(p.ExpiresAt):
		return Expired
	case p.SecondsUsed >= p.SecondsTotal:
		return Exhausted
	}
	return Active
}

// Use is what one pack covered of a call.
type Use struct {
	PackID  int64
	Seconds int64
}

// Renewal is a pack's new period.
type Renewal struct {
	ID        int64
	Price     money.Amount
	StartsAt  time.Time
	ExpiresAt time.Time
	At        time.Time
}

// Store persists call packs.
type Store interface {
	// CreatePack applies charge and inserts p in one transaction; for a
	// repeated idempotency key it inserts nothing and returns the first
	// entries with replayed true.
	CreatePack(ctx context.Context, p Pack, charge ledger.ApplyRequest) (entries []ledger.Entry, replayed bool, err error)
	// RenewPack applies charge and r in one transaction: the pack's
	// seconds are restored and its period replaced. NotFound (and nothing
	// moves) when the pack is deleted.
	RenewPack(ctx context.Context, r Renewal, charge ledger.ApplyRequest) (entries []ledger.Entry, replayed bool, err error)
	// GetPack returns a pack of scope's subtree that is not deleted; scope
	// 0 is unscoped.
	GetPack(ctx context.Context, scope, id int64) (Pack, error)
	// ListPacks lists the packs of scope's subtree not deleted and not
	// expired at now.
	ListPacks(ctx context.Context, scope int64, now time.Time, q query.Params) ([]Pack, int, error)
	DeletePack(ctx context.Context, scope, id int64, at time.Time) error
	// CoverCallPacks answers, without consuming, what consuming seconds of
	// a call to digits at at would take from accountID's packs.
	CoverCallPacks(ctx context.Context, accountID int64, digits string, seconds int64, at time.Time) ([]Use, error)
	// HasUsablePacks reports whether accountID has a pack usable at at.
	HasUsablePacks(ctx context.Context, accountID int64, at time.Time) (bool, error)
}

// Catalog is what the call-pack service needs of the catalog.
type Catalog interface {
	PackType(ctx context.Context, id int, field string) (catalog.PackType, error)
	Levels(ctx context.Context, accountID int64, kind catalog.Kind, typeID int, def money.Amount) ([]ledger.Level, error)
}

// Accounts resolves accounts in a principal's subtree.
type Accounts interface {
	GetAccount(ctx context.Context, p auth.Principal, id int64) (account.Account, error)
}

// IDs issues ids.
type IDs interface{ Next() int64 }

// Service sells and renews call packs and answers their coverage.
type Service struct {
	store    Store
	accounts Accounts
	catalog  Catalog
	ledger   *ledger.Service
	ids      IDs
	now      func() time.Time

	// without remembers, for about a second, accounts seen with no usable
	// pack, so that a quote for an account without packs (most of them)
	// costs no query. A pack bought through this node clears its account;
	// one bought through another node counts here within the second.
	mu      sync.Mutex
	without map[int64]time.Time
}

// withoutFor is how long an account seen without packs is trusted to
// have none.
const withoutFor = time.Second

// NewService returns the call-pack service; now nil is time.Now.
func NewService(store Store, accounts Accounts, cat Catalog, l *ledger.Service, ids IDs, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, accounts: accounts, catalog: cat, ledger: l, ids: ids, now: now, without: map[int64]time.Time{}}
}

// forget drops accountID from the accounts known to have no packs.
func (s *Service) forget(accountID int64) {
	s.mu.Lock()
	delete(s.without, accountID)
	s.mu.Unlock()
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// CreateRequest is a pack to buy.
type CreateRequest struct {
	AccountID int64 // in the principal's subtree; 0 is its own
	TypeID    int
}

// Reference is the ledger reference of a pack's charges.
func Reference(id int64) string { return "call_pack:" + strconv.FormatInt(id, 10) }

func (s *Service) charge(ctx context.Context, p auth.Principal, accountID int64, t catalog.PackType, id int64, until time.Time, opts ledger.Options) (ledger.ApplyRequest, money.Amount, error) {
	levels, err := s.catalog.Levels(ctx, accountID, catalog.KindCallPack, t.ID, t.Price)
	if err != nil {
		return ledger.ApplyRequest{}, 0, err
	}
	base := ledger.Posting{Activity: ledger.CallPack, Reference: Reference(id), ActorUserID: p.UserID,
		Description: fmt.Sprintf("Call pack %s until %s", t.Name, until.Format(time.DateOnly))}
	req, err := s.ledger.Prepare(ledger.ChainDebits(base, levels), opts)
	return req, levels[0].Price, err
}

// referenced returns the pack a replayed entry names.
func (s *Service) referenced(ctx context.Context, es []ledger.Entry) (Pack, error) {
	ref := es[0].Reference
	id, err := strconv.ParseInt(strings.TrimPrefix(ref, "call_pack:"), 10, 64)
	if err != nil || !strings.HasPrefix(ref, "call_pack:") {
		return Pack{}, ledger.ErrIdempotencyMismatch
	}
	pk, err := s.store.GetPack(ctx, 0, id)
	if problem.Is(err, problem.NotFound) {
		return Pack{}, ledger.ErrIdempotencyMismatch
	}
	if err != nil {
		return Pack{}, problem.Wrap(err, "reading the call pack failed")
	}
	pk.Replayed = true
	return pk, nil
}

// Create buys a pack of the request's type for its account, valid from now
// for the type's validity. With key, a repeat within 24 hours returns the
// first pack (Replayed) and moves no money; the same key with another
// request fails with ledger.ErrIdempotencyMismatch.
func (s *Service) Create(ctx context.Context, p auth.Principal, req CreateRequest, key string) (Pack, error) {
	if !p.CanWrite() {
		return Pack{}, problem.New(problem.Forbidden, "this credential is read-only")
	}
	accID := req.AccountID
	if accID == 0 {
		accID = p.AccountID
	}
	acc, err := s.accounts.GetAccount(ctx, p, accID)
	if problem.Is(err, problem.NotFound) {
		return Pack{}, problem.Field("account_id", "no such account")
	}
	if err != nil {
		return Pack{}, err
	}
	if acc.Status != account.Active {
		return Pack{}, problem.New(problem.Forbidden, "a %s account cannot buy", acc.Status)
	}
	t, err := s.catalog.PackType(ctx, req.TypeID, "pack_id")
	if err != nil {
		return Pack{}, err
	}
	opts, err := catalog.KeyOptions(key, acc.ID, "create-call-pack", acc.ID, t.ID)
	if err != nil {
		return Pack{}, err
	}
	now := s.Now()
	pk := Pack{ID: s.ids.Next(), AccountID: acc.ID, TypeID: t.ID, Status: Active, SecondsTotal: t.Seconds(),
		StartsAt: now, ExpiresAt: now.AddDate(0, t.ValidityMonths, 0), CreatedAt: now, UpdatedAt: now}
	charge, price, err := s.charge(ctx, p, acc.ID, t, pk.ID, pk.ExpiresAt, opts)
	if err != nil {
		return Pack{}, err
	}
	pk.Price = price
	es, err := ledger.Finish(s.store.CreatePack(ctx, pk, charge))
	s.forget(pk.AccountID)
	if err != nil {
		return Pack{}, err
	}
	if es[0].Replayed {
		return s.referenced(ctx, es)
	}
	return pk, nil
}

// Renew charges a new period of a pack: its seconds are restored in full
// and it runs from now for the type's validity (what was left of the old
// period lapses). Key works as in Create.
func (s *Service) Renew(ctx context.Context, p auth.Principal, id int64, key string) (Pack, error) {
	if !p.CanWrite() {
		return Pack{}, problem.New(problem.Forbidden, "this credential is read-only")
	}
	pk, err := s.Get(ctx, p, id)
	if err != nil {
		return Pack{}, err
	}
	t, err := s.catalog.PackType(ctx, pk.TypeID, "pack_id")
	if err != nil {
		return Pack{}, err
	}
	opts, err := catalog.KeyOptions(key, pk.AccountID, "renew-call-pack", pk.ID)
	if err != nil {
		return Pack{}, err
	}
	now := s.Now()
	r := Renewal{ID: pk.ID, StartsAt: now, ExpiresAt: now.AddDate(0, t.ValidityMonths, 0), At: now}
	charge, price, err := s.charge(ctx, p, pk.AccountID, t, pk.ID, r.ExpiresAt, opts)
	if err != nil {
		return Pack{}, err
	}
	r.Price = price
	es, err := ledger.Finish(s.store.RenewPack(ctx, r, charge))
	s.forget(pk.AccountID)
	if problem.Is(err, problem.NotFound) {
		return Pack{}, problem.NotFoundf("no such call pack")
	}
	if err != nil {
		return Pack{}, err
	}
	if es[0].Replayed {
		return s.referenced(ctx, es)
	}
	pk.Price, pk.StartsAt, pk.ExpiresAt, pk.SecondsUsed, pk.UpdatedAt = r.Price, r.StartsAt, r.ExpiresAt, 0, now
	return pk, nil
}

// Get returns a pack of the principal's subtree.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Pack, error) {
	pk, err := s.store.GetPack(ctx, p.AccountID, id)
	if problem.Is(err, problem.NotFound) {
		return Pack{}, problem.NotFoundf("no such call pack")
	}
	return pk, problem.Wrap(err, "reading the call pack failed")
}

// List lists the active packs (not deleted, not expired) of the
// principal's subtree.
func (s *Service) List(ctx context.Context, p auth.Principal, q query.Params) ([]Pack, int, error) {
	return s.store.ListPacks(ctx, p.AccountID, s.Now(), q)
}

// Destroy deletes a pack; what was paid is not refunded.
func (s *Service) Destroy(ctx context.Context, p auth.Principal, id int64) error {
	if !p.CanWrite() {
		return problem.New(problem.Forbidden, "this credential is read-only")
	}
	err := s.store.DeletePack(ctx, p.AccountID, id, s.Now())
	if problem.Is(err, problem.NotFound) {
		return problem.NotFoundf("no such call pack")
	}
	return problem.Wrap(err, "deleting the call pack failed")
}

// Coverage answers, for a rating quote, what a call of seconds billed
// seconds to digits (E.164 digits) at at would take from accountID's
// packs, oldest first, without consuming anything: the same answer the
// store's consumption gives inside a charging transaction. The seconds
// covered are the sum of the uses; the rest is paid in money.
func (s *Service) Coverage(ctx context.Context, accountID int64, digits string, seconds int64, at time.Time) ([]Use, error) {
	if seconds <= 0 || digits == "" {
		return nil, nil
	}
	now := time.Now()
	s.mu.Lock()
	seen, ok := s.without[accountID]
	s.mu.Unlock()
	if ok && now.Sub(seen) < withoutFor {
		return nil, nil
	}
	has, err := s.store.HasUsablePacks(ctx, accountID, at.UTC())
	if err != nil {
		return nil, problem.Wrap(err, "reading call packs failed")
	}
	if !has {
		s.mu.Lock()
		if len(s.without) > 100_000 {
			s.without = map[int64]time.Time{}
		}
		s.without[accountID] = now
		s.mu.Unlock()
		return nil, nil
	}
	us, err := s.store.CoverCallPacks(ctx, accountID, digits, seconds, at.UTC())
	return us, problem.Wrap(err, "reading call packs failed")
}

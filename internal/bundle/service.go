package bundle

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/catalog"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Accounts resolves accounts in a principal's subtree.
type Accounts interface {
	GetAccount(ctx context.Context, p auth.Principal, id int64) (account.Account, error)
}

// Service sells, renews and checks bundles.
type Service struct {
	store    Store
	accounts Accounts
	catalog  Catalog
	ledger   *ledger.Service
	ids      IDs
	now      func() time.Time
}

// NewService returns the bundle service; now nil is time.Now.
func NewService(store Store, accounts Accounts, cat Catalog, l *ledger.Service, ids IDs, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, accounts: accounts, catalog: cat, ledger: l, ids: ids, now: now}
}

// CreateRequest is a bundle to buy.
type CreateRequest struct {
	// AccountID is the buyer, in the principal's subtree; 0 is its own.
	AccountID int64
	TypeID    int
	AutoRenew bool
}

// Patch is an update: nil fields are left as they are.
type Patch struct {
	AutoRenew *bool
	TypeID    *int
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Day returns the midnight (UTC) starting t's date.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AddMonths returns the same day n months after day, or the last day of
// that month when it is shorter.
func AddMonths(day time.Time, n int) time.Time {
	y, m, d := day.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// buyer resolves the account a request acts for.
func (s *Service) buyer(ctx context.Context, p auth.Principal, id int64) (account.Account, error) {
	if !p.CanWrite() {
		return account.Account{}, problem.New(problem.Forbidden, "this credential is read-only")
	}
	if id == 0 {
		id = p.AccountID
	}
	acc, err := s.accounts.GetAccount(ctx, p, id)
	if problem.Is(err, problem.NotFound) {
		return account.Account{}, problem.Field("account_id", "no such account")
	}
	if err != nil {
		return account.Account{}, err
	}
	if acc.Status != account.Active {
		return account.Account{}, problem.New(problem.Forbidden, "a %s account cannot buy", acc.Status)
	}
	return acc, nil
}

// Reference is the ledger reference of a bundle's charges.
func Reference(id int64) string { return "bundle:" + strconv.FormatInt(id, 10) }

// referenced returns the bundle a replayed entry names.
func (s *Service) referenced(ctx context.Context, es []ledger.Entry) (Bundle, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(es[0].Reference, "bundle:"), 10, 64)
	if err != nil || !strings.HasPrefix(es[0].Reference, "bundle:") {
		return Bundle{}, ledger.ErrIdempotencyMismatch
	}
	b, err := s.store.GetBundle(ctx, 0, id)
	if problem.Is(err, problem.NotFound) {
		// Bought with this key, then destroyed: the key stays spent.
		return Bundle{}, ledger.ErrIdempotencyMismatch
	}
	if err != nil {
		return Bundle{}, problem.Wrap(err, "reading the bundle failed")
	}
	b.Replayed = true
	return b, nil
}

// charge prepares the ledger chain of one period of t for accountID and
// returns it with the buyer's price.
func (s *Service) charge(ctx context.Context, p auth.Principal, accountID int64, t catalog.BundleType, id int64, until time.Time, opts ledger.Options) (ledger.ApplyRequest, money.Amount, error) {
	levels, err := s.catalog.Levels(ctx, accountID, catalog.KindBundle, t.ID, t.Price)
	if err != nil {
		return ledger.ApplyRequest{}, 0, err
	}
	base := ledger.Posting{Activity: ledger.Subscription, Reference: Reference(id), ActorUserID: p.UserID,
		Description: fmt.Sprintf("%s bundle until %s", t.Name, until.Format(time.DateOnly))}
	req, err := s.ledger.Prepare(ledger.ChainDebits(base, levels), opts)
	return req, levels[0].Price, err
}

// Create buys a bundle for the request's account and charges its first
// period. With key, a repeat within 24 hours returns the first bundle
// (Replayed) and moves no money; the same key with another request fails
// with ledger.ErrIdempotencyMismatch.
func (s *Service) Create(ctx context.Context, p auth.Principal, req CreateRequest, key string) (Bundle, error) {
	acc, err := s.buyer(ctx, p, req.AccountID)
	if err != nil {
		return Bundle{}, err
	}
	t, err := s.catalog.BundleType(ctx, req.TypeID, "bundle_type")
	if err != nil {
		return Bundle{}, err
	}
	opts, err := catalog.KeyOptions(key, acc.ID, "create-bundle", acc.ID, t.ID, req.AutoRenew)
	if err != nil {
		return Bundle{}, err
	}
	now := s.clock()
	b := Bundle{ID: s.ids.Next(), AccountID: acc.ID, TypeID: t.ID, AutoRenew: req.AutoRenew, Status: Active,
		StartsAt: now, ExpiresOn: AddMonths(Day(now), t.PeriodMonths), CreatedAt: now, UpdatedAt: now}
	charge, price, err := s.charge(ctx, p, acc.ID, t, b.ID, b.ExpiresOn, opts)
	if err != nil {
		return Bundle{}, err
	}
	b.Price = price
	es, err := ledger.Finish(s.store.CreateBundle(ctx, b, charge))
	if err != nil {
		return Bundle{}, err
	}
	if es[0].Replayed {
		return s.referenced(ctx, es)
	}
	return b, nil
}

// Get returns a bundle of the principal's subtree.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Bundle, error) {
	b, err := s.store.GetBundle(ctx, p.AccountID, id)
	if problem.Is(err, problem.NotFound) {
		return Bundle{}, problem.NotFoundf("no such bundle")
	}
	return b, problem.Wrap(err, "reading the bundle failed")
}

// List lists the bundles of the principal's subtree.
func (s *Service) List(ctx context.Context, p auth.Principal, q query.Params) ([]Bundle, int, error) {
	return s.store.ListBundles(ctx, p.AccountID, q)
}

// Now is the service's clock, for rendering states.
func (s *Service) Now() time.Time { return s.clock() }

// InWindow reports whether a bundle expiring on expiresOn may be renewed
// at now: from RenewBefore days before its expiry date to RenewAfter days
// after it, inclusive.
func InWindow(expiresOn, now time.Time) bool {
	today := Day(now)
	return !today.Before(expiresOn.AddDate(0, 0, -RenewBefore)) && !today.After(expiresOn.AddDate(0, 0, RenewAfter))
}

// Renew charges one more period of a bundle, extending it from its old
// expiry, and reactivates a suspended one. Outside the renewal window it
// is Invalid; without funds PaymentRequired. Key works as in Create.
func (s *Service) Renew(ctx context.Context, p auth.Principal, id int64, key string) (Bundle, error) {
	if !p.CanWrite() {
		return Bundle{}, problem.New(problem.Forbidden, "this credential is read-only")
	}
	b, err := s.Get(ctx, p, id)
	if err != nil {
		return Bundle{}, err
	}
	opts, err := catalog.KeyOptions(key, b.AccountID, "renew-bundle", b.ID)
	if err != nil {
		return Bundle{}, err
	}
	// A repeat after the renewal moved the expiry is answered by the
	// ledger's replay, not refused by the window it no longer meets.
	return s.renew(ctx, p, b, opts, key != "")
}

func (s *Service) renew(ctx context.Context, p auth.Principal, b Bundle, opts ledger.Options, keyed bool) (Bundle, error) {
	now := s.clock()
	inWindow := InWindow(b.ExpiresOn, now)
	if !inWindow && !keyed {
		return Bundle{}, s.outOfWindow(b)
	}
	t, err := s.catalog.BundleType(ctx, b.TypeID, "bundle_type")
	if err != nil {
		return Bundle{}, err
	}
	c := Change{ID: b.ID, WantTypeID: b.TypeID, WantExpiresOn: b.ExpiresOn, TypeID: b.TypeID,
		StartsAt: b.ExpiresOn.AddDate(0, 0, 1), ExpiresOn: AddMonths(b.ExpiresOn, t.PeriodMonths), At: now}
	if !inWindow {
		// Only a replay may pass: make the change impossible, so a key not
		// seen before still fails on the window.
		c.WantExpiresOn = time.Time{}
	}
	charge, price, err := s.charge(ctx, p, b.AccountID, t, b.ID, c.ExpiresOn, opts)
	if err != nil {
		return Bundle{}, err
	}
	c.Price = price
	es, err := ledger.Finish(s.store.ChargeBundle(ctx, c, charge))
	if problem.Is(err, problem.Conflict) && !inWindow {
		return Bundle{}, s.outOfWindow(b)
	}
	if err != nil {
		return Bundle{}, err
	}
	if es[0].Replayed {
		return s.referenced(ctx, es)
	}
	b.TypeID, b.Price, b.StartsAt, b.ExpiresOn, b.Status, b.UpdatedAt = c.TypeID, c.Price, c.StartsAt, c.ExpiresOn, Active, now
	return b, nil
}

func (s *Service) outOfWindow(b Bundle) error {
	return problem.Field("expires_on", "a bundle may be renewed from %d days before to %d days after its expiry date, %s",
		RenewBefore, RenewAfter, b.ExpiresOn.Format(time.DateOnly))
}

// Update changes auto_renew and the bundle type. A new type is charged at
// its price and starts a new period today; auto_renew alone moves no
// money. Key works as in Create for a type change.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, patch Patch, key string) (Bundle, error) {
	if !p.CanWrite() {
		return Bundle{}, problem.New(problem.Forbidden, "this credential is read-only")
	}
	b, err := s.Get(ctx, p, id)
	if err != nil {
		return Bundle{}, err
	}
	replayed := false
	if patch.TypeID != nil && *patch.TypeID != b.TypeID {
		t, err := s.catalog.BundleType(ctx, *patch.TypeID, "bundle_type")
		if err != nil {
			return Bundle{}, err
		}
		opts, err := catalog.KeyOptions(key, b.AccountID, "change-bundle", b.ID, t.ID)
		if err != nil {
			return Bundle{}, err
		}
		now := s.clock()
		c := Change{ID: b.ID, WantTypeID: b.TypeID, WantExpiresOn: b.ExpiresOn, TypeID: t.ID,
			StartsAt: now, ExpiresOn: AddMonths(Day(now), t.PeriodMonths), At: now}
		charge, price, err := s.charge(ctx, p, b.AccountID, t, b.ID, c.ExpiresOn, opts)
		if err != nil {
			return Bundle{}, err
		}
		c.Price = price
		es, err := ledger.Finish(s.store.ChargeBundle(ctx, c, charge))
		if err != nil {
			return Bundle{}, err
		}
		replayed = es[0].Replayed
	} else if patch.TypeID != nil {
		if _, err := s.catalog.BundleType(ctx, *patch.TypeID, "bundle_type"); err != nil {
			return Bundle{}, err
		}
	}
	if patch.AutoRenew != nil && *patch.AutoRenew != b.AutoRenew {
		if err := s.store.SetAutoRenew(ctx, p.AccountID, b.ID, *patch.AutoRenew, s.clock()); err != nil {
			return Bundle{}, problem.Wrap(err, "updating the bundle failed")
		}
	}
	out, err := s.Get(ctx, p, id)
	out.Replayed = replayed
	return out, err
}

// Destroy deletes a bundle; what was paid is not refunded.
func (s *Service) Destroy(ctx context.Context, p auth.Principal, id int64) error {
	if !p.CanWrite() {
		return problem.New(problem.Forbidden, "this credential is read-only")
	}
	err := s.store.DeleteBundle(ctx, p.AccountID, id, s.clock())
	if problem.Is(err, problem.NotFound) {
		return problem.NotFoundf("no such bundle")
	}
	return problem.Wrap(err, "deleting the bundle failed")
}

// RenewDue is the renewal worker's pass: it renews every auto-renewing
// bundle whose expiry date has begun (and lapsed at most RenewAfter days
// ago), and suspends those whose charge is refused. Several nodes may run
// it at once: a renewal applies only while the bundle still has the expiry
// it was read with, so each period is charged once.
func (s *Service) RenewDue(ctx context.Context) (renewed, suspended int, err error) {
	now := s.clock()
	var first error
	system := auth.Principal{Role: auth.RoleAdmin}
	for {
		due, err := s.store.DueBundles(ctx, Day(now).AddDate(0, 0, -RenewAfter), now, 100)
		if err != nil {
			return renewed, suspended, problem.Wrap(err, "reading due bundles failed")
		}
		progress := false
		for _, b := range due {
			_, err := s.renew(ctx, system, b, ledger.Options{}, false)
			switch {
			case err == nil:
				renewed++
				progress = true
			case problem.Is(err, problem.PaymentRequired):
				ok, serr := s.store.Suspend(ctx, b.ID, b.ExpiresOn, now)
				if serr != nil {
					return renewed, suspended, problem.Wrap(serr, "suspending the bundle failed")
				}
				if ok {
					suspended++
					progress = true
				}
			case problem.Is(err, problem.Conflict), problem.Is(err, problem.NotFound):
				// Renewed, changed or deleted by someone else meanwhile.
			default:
				// One bundle's failure must not hold back the others; it
				// stays due and is tried again on the next pass.
				if first == nil {
					first = fmt.Errorf("renew bundle %d: %w", b.ID, err)
				}
			}
		}
		if len(due) < 100 || !progress {
			return renewed, suspended, first
		}
	}
}

package invoice

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/blob"
	"switchboard/internal/ledger"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Accounts resolves accounts in a principal's subtree.
type Accounts interface {
	GetAccount(ctx context.Context, p auth.Principal, id int64) (account.Account, error)
}

// IDs issues ids.
type IDs interface{ Next() int64 }

// Config wires a Service.
type Config struct {
	Store    Store
	Accounts Accounts
	Ledger   *ledger.Service
	Blobs    blob.Store
	IDs      IDs
	// Now is the clock (nil: time.Now); the worker closes months by it.
	Now func() time.Time
	// Grace is how long after a month ends the worker waits before
	// invoicing it (default DefaultGrace), so late postings land first.
	Grace time.Duration
	Log   *slog.Logger
}

// DefaultGrace is the default wait after a month closes.
const DefaultGrace = 15 * time.Minute

// MaxRangeDays bounds an on-demand invoice.
const MaxRangeDays = 366

// Service issues invoices.
type Service struct {
	cfg Config
	mu  sync.Mutex
	// closed is the last month this node saw wholly invoiced.
	closed time.Time
}

// NewService returns the invoice service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Grace == 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{cfg: cfg}
}

// MonthOf returns the first instant of t's month in UTC.
func MonthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// generate returns the account's invoice of kind for [from, to), making it
// when there is none. Several nodes may race: the store keeps the first
// and the others get it back.
func (s *Service) generate(ctx context.Context, accountID int64, kind string, from, to time.Time) (Invoice, error) {
	if inv, found, err := s.cfg.Store.Find(ctx, accountID, kind, from, to); err != nil || found {
		return inv, problem.Wrap(err, "reading the invoice failed")
	}
	cust, err := s.cfg.Store.Party(ctx, accountID)
	if err != nil {
		return Invoice{}, err
	}
	if cust.ParentID == 0 {
		return Invoice{}, problem.Field("account_id", "the operator account is not invoiced")
	}
	issuer, err := s.cfg.Store.Party(ctx, cust.ParentID)
	if err != nil {
		return Invoice{}, err
	}
	period, err := s.cfg.Store.ReadPeriod(ctx, accountID, from, to)
	if err != nil {
		return Invoice{}, problem.Wrap(err, "reading the ledger failed")
	}
	rate, _, err := s.cfg.Store.TaxRate(ctx, accountID)
	if err != nil {
		return Invoice{}, problem.Wrap(err, "reading the tax rate failed")
	}
	secs, t, err := Compute(period, rate)
	if err != nil {
		return Invoice{}, problem.Wrap(err, "computing the invoice failed")
	}
	now := s.cfg.Now().UTC().Truncate(time.Microsecond)
	id := s.cfg.IDs.Next()
	inv := Invoice{ID: id, AccountID: accountID, IssuerID: issuer.ID, Kind: kind, PeriodStart: from, PeriodEnd: to,
		Currency: cust.Currency, Opening: t.Opening, Charges: t.Charges, Credits: t.Credits, TaxRate: rate, Tax: t.Tax,
		Total: t.Total, Closing: t.Closing, Status: StatusIssued,
		PDFKey: fmt.Sprintf("invoices/%d/%d.pdf", accountID, id), WebKey: webKey(), CreatedAt: now,
		Content: Content{Issuer: issuer, Customer: cust, Sections: secs}}
	stored, existed, err := s.cfg.Store.Insert(ctx, inv, now.Year())
	if err != nil {
		return Invoice{}, problem.Wrap(err, "storing the invoice failed")
	}
	if !existed {
		// The PDF is a cache of the stored invoice: a failure here is
		// repaired by the first download.
		if _, err := s.pdf(ctx, stored); err != nil {
			s.cfg.Log.Warn("invoice pdf", "invoice", stored.ID, "err", err)
		}
	}
	return stored, nil
}

func webKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateRequest asks for an invoice of closed days.
type CreateRequest struct {
	AccountID int64
	// From and To are the first and last day (UTC dates) of the period.
	From, To time.Time
}

// Create returns the invoice of an account of the principal's tree (its
// own included) for the days From to To, making it when there is none.
// The days must have been over for Grace; a range that is exactly a
// calendar month is that month's monthly invoice.
func (s *Service) Create(ctx context.Context, p auth.Principal, req CreateRequest) (Invoice, error) {
	if !p.CanWrite() {
		return Invoice{}, problem.New(problem.Forbidden, "a read-only user may not create invoices")
	}
	acc, err := s.cfg.Accounts.GetAccount(ctx, p, req.AccountID)
	if err != nil || req.AccountID <= 0 {
		if err == nil || problem.Is(err, problem.NotFound) {
			return Invoice{}, problem.Field("account_id", "no such account")
		}
		return Invoice{}, err
	}
	if acc.ParentID == 0 {
		return Invoice{}, problem.Field("account_id", "the operator account is not invoiced")
	}
	from, to := day(req.From), day(req.To).AddDate(0, 0, 1)
	switch {
	case req.From.IsZero():
		return Invoice{}, problem.Field("from", "is required")
	case req.To.IsZero():
		return Invoice{}, problem.Field("to", "is required")
	case !to.After(from):
		return Invoice{}, problem.Field("to", "must not be before from")
	case to.Add(s.cfg.Grace).After(s.cfg.Now()):
		// The same wait as the monthly worker's: a posting stamped by a
		// node whose clock lags must not miss the invoice of its day.
		return Invoice{}, problem.Field("to", "must be a day that is over (before today, UTC, from %s after midnight)", s.cfg.Grace)
	case to.Sub(from) > MaxRangeDays*24*time.Hour:
		return Invoice{}, problem.Field("to", "the period may cover at most %d days", MaxRangeDays)
	}
	if from.Day() == 1 && to.Equal(from.AddDate(0, 1, 0)) {
		return s.generate(ctx, acc.ID, Monthly, from, to)
	}
	return s.generate(ctx, acc.ID, Range, from, to)
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Get returns an invoice of the principal's tree.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Invoice, error) {
	inv, err := s.cfg.Store.Get(ctx, p.AccountID, id)
	if problem.Is(err, problem.NotFound) {
		return Invoice{}, problem.NotFoundf("no such invoice")
	}
	return inv, problem.Wrap(err, "reading the invoice failed")
}

// List lists the invoices of the principal's tree, newest first.
func (s *Service) List(ctx context.Context, p auth.Principal, q query.Params) ([]Invoice, int, error) {
	return s.cfg.Store.List(ctx, p.AccountID, q)
}

// PDF returns an invoice of the principal's tree and its PDF.
func (s *Service) PDF(ctx context.Context, p auth.Principal, id int64) (Invoice, []byte, error) {
	inv, err := s.Get(ctx, p, id)
	if err != nil {
		return Invoice{}, nil, err
	}
	b, err := s.pdf(ctx, inv)
	return inv, b, err
}

// pdf reads the invoice's PDF from the blob store, rendering and storing
// it when it is missing (another node rendered it, or the store failed).
// Rendering is deterministic, so every node serves the same bytes.
func (s *Service) pdf(ctx context.Context, inv Invoice) ([]byte, error) {
	if s.cfg.Blobs != nil {
		if b, err := s.cfg.Blobs.Get(ctx, inv.PDFKey); err == nil {
			return b, nil
		}
	}
	b, err := Render(inv)
	if err != nil {
		return nil, problem.Wrap(err, "rendering the invoice failed")
	}
	if s.cfg.Blobs != nil {
		if err := s.cfg.Blobs.Put(ctx, inv.PDFKey, b); err != nil {
			s.cfg.Log.Warn("invoice pdf store", "invoice", inv.ID, "err", err)
		}
	}
	return b, nil
}

// SetTaxRate sets the tax rate of an account below the principal's own;
// only an admin may.
func (s *Service) SetTaxRate(ctx context.Context, p auth.Principal, accountID int64, rate TaxRate) error {
	acc, err := s.cfg.Accounts.GetAccount(ctx, p, accountID)
	if err != nil {
		return err
	}
	if !p.IsAdmin() {
		return problem.New(problem.Forbidden, "only an admin user may set tax rates")
	}
	if acc.ID == p.AccountID {
		return problem.New(problem.Forbidden, "your own account's tax rate is set by your provider")
	}
	if rate < 0 || rate > MaxTaxRate {
		return problem.Field("tax_rate", "must be between 0 and 1")
	}
	return problem.Wrap(s.cfg.Store.SetTaxRate(ctx, acc.ID, rate, p.UserID, s.cfg.Now().UTC()), "storing the tax rate failed")
}

// TaxRate returns the rate in force for an account of the principal's tree
// and whether it is inherited from an ancestor (or the default 0).
func (s *Service) TaxRate(ctx context.Context, p auth.Principal, accountID int64) (TaxRate, bool, error) {
	acc, err := s.cfg.Accounts.GetAccount(ctx, p, accountID)
	if err != nil {
		return 0, false, err
	}
	r, from, err := s.cfg.Store.TaxRate(ctx, acc.ID)
	if err != nil {
		return 0, false, problem.Wrap(err, "reading the tax rate failed")
	}
	return r, from != acc.ID, nil
}

// WorkerBatch bounds the accounts read at once by CloseMonth.
const WorkerBatch = 200

// CloseMonth invoices the month before the current one for every account
// with ledger activity in it that has no invoice yet, once the month has
// been over for Grace. It returns how many invoices it made or found; a
// node calls it periodically, and any number of nodes may. An account that
// fails is logged and skipped until the next call; once a pass completes
// without failures the node does not look at that month again.
func (s *Service) CloseMonth(ctx context.Context) (int, error) {
	now := s.cfg.Now().UTC()
	to := MonthOf(now)
	from := to.AddDate(0, -1, 0)
	if now.Before(to.Add(s.cfg.Grace)) {
		return 0, nil
	}
	s.mu.Lock()
	closed := s.closed.Equal(from)
	s.mu.Unlock()
	if closed {
		return 0, nil
	}
	done, failed := 0, 0
	for after := int64(0); ; {
		ids, err := s.cfg.Store.Uninvoiced(ctx, Monthly, from, to, after, WorkerBatch)
		if err != nil {
			return done, fmt.Errorf("close month: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return done, err
			}
			after = id
			if _, err := s.generate(ctx, id, Monthly, from, to); err != nil {
				failed++
				s.cfg.Log.Error("monthly invoice", "account", id, "month", from.Format("2006-01"), "err", err)
				continue
			}
			done++
		}
	}
	if failed == 0 {
		s.mu.Lock()
		s.closed = from
		s.mu.Unlock()
	}
	return done, nil
}

// CustomerFilter narrows the invoices and transactions of a reseller's
// customers. Dates are matched on the day an invoice was issued or an
// entry posted.
type CustomerFilter struct {
	AccountID int64 // 0: every customer
	ID        int64 // 0: any
	WebKey    string
	// From and To are inclusive UTC dates; zero: open.
	From, To time.Time
}

// customerQuery renders f as a filter of the accounts strictly below p
// (own false) or of p's account alone (own true).
func customerQuery(p auth.Principal, f CustomerFilter, own bool) query.Params {
	op := "ne"
	if own {
		op = "eq"
	}
	parts := []string{"account_id " + op + " " + strconv.FormatInt(p.AccountID, 10)}
	if f.AccountID != 0 {
		parts = append(parts, "account_id eq "+strconv.FormatInt(f.AccountID, 10))
	}
	if f.ID != 0 {
		parts = append(parts, "id eq "+strconv.FormatInt(f.ID, 10))
	}
	if f.WebKey != "" {
		parts = append(parts, "web_key eq '"+strings.ReplaceAll(f.WebKey, "'", "''")+"'")
	}
	if !f.From.IsZero() {
		parts = append(parts, "created_at ge "+day(f.From).Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		parts = append(parts, "created_at lt "+day(f.To).AddDate(0, 0, 1).Format(time.RFC3339))
	}
	return query.Params{Filter: strings.Join(parts, " and "), OrderBy: "id asc", Top: "100"}
}

// MaxCustomerItems bounds one answer of CustomerInvoices and
// CustomerTransactions.
const MaxCustomerItems = 10_000

// CustomerInvoices returns the invoices of the accounts below the
// principal's own (a reseller's customers), oldest first.
func (s *Service) CustomerInvoices(ctx context.Context, p auth.Principal, f CustomerFilter) ([]Invoice, error) {
	return pages(func(q query.Params) ([]Invoice, int, error) { return s.cfg.Store.List(ctx, p.AccountID, q) },
		customerQuery(p, f, false))
}

// CustomerTransactions returns the ledger entries of the accounts below
// the principal's own, oldest first.
func (s *Service) CustomerTransactions(ctx context.Context, p auth.Principal, f CustomerFilter) ([]ledger.Entry, error) {
	f.WebKey = ""
	return pages(func(q query.Params) ([]ledger.Entry, int, error) { return s.cfg.Ledger.List(ctx, p.AccountID, q) },
		customerQuery(p, f, false))
}

func pages[T any](list func(query.Params) ([]T, int, error), q query.Params) ([]T, error) {
	var out []T
	for skip := 0; len(out) < MaxCustomerItems; skip += 100 {
		q.Skip = strconv.Itoa(skip)
		page, total, err := list(q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if skip+100 >= total || len(page) == 0 {
			break
		}
	}
	return out, nil
}

// OwnInvoices returns the principal's own account's invoices issued on the
// days from to to (inclusive UTC dates; zero: open), oldest first.
func (s *Service) OwnInvoices(ctx context.Context, p auth.Principal, from, to time.Time) ([]Invoice, error) {
	return pages(func(q query.Params) ([]Invoice, int, error) { return s.cfg.Store.List(ctx, p.AccountID, q) },
		customerQuery(p, CustomerFilter{From: from, To: to}, true))
}

// Package ledger is the money of Switchboard: an append-only ledger per
// account in which every movement of money is one entry (a debit or a
// credit, with the balance after it). An account's balance is the sum of its
// entries; the store caches it, and Check proves the cache right.
//
// Posting is exact and serialised per account: the accounts a posting
// touches are locked in ascending id order, the new balances are computed
// under the lock, and a debit that would take a prepaid account below zero
// or a postpaid one below minus its credit limit is refused with
// problem.PaymentRequired. A chain of postings (a customer's purchase and
// the same purchase at each reseller's buy price above it) is applied all or
// none.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Activity classifies a ledger entry. The first group are the exact strings
// of the carrier financial_summary activity types (seed 002); the rest are
// Switchboard's own.
type Activity string

// Activities of seed 002's financial_summary.
const (
	TestCallCredit   Activity = "Test Call Credit"
	BankTransfer     Activity = "Bank Transfer"
	BankFee          Activity = "Bank Fee"
	PaypalTransfer   Activity = "Paypal Transfer"
	PaypalFee        Activity = "Paypal Fee"
	USFTaxDeduction  Activity = "USF Tax Deduction"
	PaymentCancelled Activity = "Payment Cancelled"
	PaymentRefund    Activity = "Payment Refund"
	CallCharges      Activity = "Call Charges"
	OrderNewDIDs     Activity = "Order (New DIDs)"
	OrderLNP         Activity = "Order (LNP)"
	CreditCard       Activity = "Credit Card"
	CreditCardFee    Activity = "Credit Card Fee"
)

// Switchboard's own activities.
const (
	Subscription  Activity = "subscription"   // a VoIP bundle or plan charge
	CallPack      Activity = "call_pack"      // a call-pack purchase or renewal
	NumberRental  Activity = "number_rental"  // a number's recurring charge
	CommandCharge Activity = "command_charge" // a priced API command
	ManualCredit  Activity = "manual_credit"  // an operator or reseller adjustment
	ManualDebit   Activity = "manual_debit"   // an operator or reseller adjustment
)

var activities = []Activity{
	TestCallCredit, BankTransfer, BankFee, PaypalTransfer, PaypalFee, USFTaxDeduction,
	PaymentCancelled, PaymentRefund, CallCharges, OrderNewDIDs, OrderLNP, CreditCard, CreditCardFee,
	Subscription, CallPack, NumberRental, CommandCharge, ManualCredit, ManualDebit,
}

// Activities returns every activity, seed 002's first in its order.
func Activities() []Activity { return slices.Clone(activities) }

// Valid reports whether a is a known activity.
func (a Activity) Valid() bool { return slices.Contains(activities, a) }

// Entry is one row of the ledger.
type Entry struct {
	ID        int64
	AccountID int64
	// Seq numbers the account's entries 1, 2, 3... in the order applied.
	Seq          int64
	CreatedAt    time.Time
	Activity     Activity
	Debit        money.Amount
	Credit       money.Amount
	BalanceAfter money.Amount
	// Reference names what caused the entry ("call:<hash>", "call_pack:<id>").
	Reference   string
	Description string
	// ActorUserID is the user who caused it; 0 for the system.
	ActorUserID    int64
	IdempotencyKey string
	// Replayed is true (never stored) when the entry is returned for a
	// repeated idempotency key rather than just applied.
	Replayed bool
}

// Posting is a request to move money on one account: exactly one of Debit
// and Credit is positive.
type Posting struct {
	AccountID   int64
	Activity    Activity
	Debit       money.Amount
	Credit      money.Amount
	Reference   string
	Description string
	ActorUserID int64
}

// Options are the optional parts of a post.
type Options struct {
	// IdempotencyKey, when not empty, makes the post idempotent for 24
	// hours: a repeat with the same key and RequestHash returns the first
	// entries (Replayed set) without moving money; the same key with
	// another hash fails with ErrIdempotencyMismatch. Keys are per account:
	// KeyAccountID's, or the first posting's when it is 0.
	IdempotencyKey string
	// RequestHash identifies the request body (e.g. hex SHA-256).
	RequestHash  string
	KeyAccountID int64
}

// IdempotencyTTL is how long an idempotency key is remembered.
const IdempotencyTTL = 24 * time.Hour

// Limits on text fields.
const (
	MaxKeyLen         = 255
	MaxReferenceLen   = 255
	MaxDescriptionLen = 1000
	// MaxChain bounds the postings of one chain.
	MaxChain = 64
)

// ErrIdempotencyMismatch is returned when an idempotency key is reused with
// a different request. The native API answers it with 422.
var ErrIdempotencyMismatch = &problem.Error{Code: problem.Conflict, Field: "Idempotency-Key",
	Message: "this idempotency key was used with a different request"}

// AccountState is a locked account as a Plan sees it.
type AccountState struct {
	AccountID   int64
	BillingMode account.BillingMode
	CreditLimit money.Amount
	Balance     money.Amount
	LastSeq     int64
	LastEntryID int64
}

// Key is an idempotency key claim.
type Key struct {
	AccountID int64
	Key       string
	Hash      string
	// Since is the oldest creation time still in force: an older row with
	// the same key is expired and is replaced.
	Since time.Time
}

// ApplyRequest is one transaction of the ledger store.
type ApplyRequest struct {
	// Accounts are the accounts to lock; the store locks them in ascending
	// id order.
	Accounts []int64
	// Key is the idempotency key to claim first; empty Key.Key for none.
	Key Key
	Now time.Time
	// Plan computes the entries to append from the locked states; the store
	// appends them in order and sets each account's cached balance to its
	// last entry's BalanceAfter. An error aborts the transaction.
	Plan func(states map[int64]AccountState) ([]Entry, error)
}

// Mismatch is an account whose ledger invariant does not hold.
type Mismatch struct {
	AccountID     int64
	AccountNumber string
	// Cached is the cached balance (0 when there is no cache row).
	Cached money.Amount
	// Sum is the sum of the entries (credit minus debit).
	Sum money.Amount
	// LastBalanceAfter is the balance after the account's last entry (by
	// Seq), 0 when it has none.
	LastBalanceAfter money.Amount
	// Entries is the number of entries; CachedLastSeq what the cache says.
	Entries       int64
	CachedLastSeq int64
	// BrokenEntries counts entries whose BalanceAfter is not the running
	// sum of the entries up to them, or whose Seq is out of sequence.
	BrokenEntries int64
}

// Store persists the ledger.
type Store interface {
	// Apply runs req in one transaction: it claims req.Key (returning the
	// first entries and replayed=true for a repeat, ErrIdempotencyMismatch
	// for another hash), locks the accounts (NotFound when one does not
	// exist), calls req.Plan and appends what it returns.
	Apply(ctx context.Context, req ApplyRequest) (entries []Entry, replayed bool, err error)
	// Balance is the cached balance: 0 for an account without entries,
	// NotFound for no account.
	Balance(ctx context.Context, accountID int64) (money.Amount, error)
	// Sum is the sum of the account's entries.
	Sum(ctx context.Context, accountID int64) (money.Amount, error)
	// Check returns every account whose cache, entry sum, last entry and
	// running balances disagree.
	Check(ctx context.Context) ([]Mismatch, error)
	// PurgeIdempotencyKeys deletes keys created before before.
	PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
	// List lists the entries of scope's subtree.
	List(ctx context.Context, scope int64, q query.Params) ([]Entry, int, error)
}

// IDs issues new entity ids.
type IDs interface{ Next() int64 }

// Service posts to the ledger.
type Service struct {
	store Store
	ids   IDs
	now   func() time.Time
}

// NewService returns a ledger service over store; now is the clock (nil:
// time.Now).
func NewService(store Store, ids IDs, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, ids: ids, now: now}
}

// Post applies one posting. See PostChain.
func (s *Service) Post(ctx context.Context, p Posting, opts Options) (Entry, error) {
	es, err := s.PostChain(ctx, []Posting{p}, opts)
	if err != nil {
		return Entry{}, err
	}
	return es[0], nil
}

// PostChain applies postings in one transaction, all or none, in the order
// given (an account may appear more than once). Every account touched is
// locked first, in ascending id order, so concurrent chains never deadlock.
// A debit that would take an account below its floor (0 for prepaid, minus
// the credit limit for postpaid) refuses the whole chain with
// PaymentRequired naming that account. Credits are never refused.
func (s *Service) PostChain(ctx context.Context, postings []Posting, opts Options) ([]Entry, error) {
	req, err := s.Prepare(postings, opts)
	if err != nil {
		return nil, err
	}
	es, replayed, err := s.store.Apply(ctx, req)
	return Finish(es, replayed, err)
}

// Prepare validates postings and returns the transaction that applies
// them, for a store that must commit other rows together with the money
// (a call pack and its price, a payment and its credit): that store runs
// the request inside its own transaction exactly as Store.Apply would, and
// passes the outcome through Finish.
func (s *Service) Prepare(postings []Posting, opts Options) (ApplyRequest, error) {
	if len(postings) == 0 {
		return ApplyRequest{}, problem.Field("postings", "at least one posting is required")
	}
	if len(postings) > MaxChain {
		return ApplyRequest{}, problem.Field("postings", "at most %d postings per chain", MaxChain)
	}
	for _, p := range postings {
		if err := validate(p); err != nil {
			return ApplyRequest{}, err
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	req := ApplyRequest{Now: now}
	for _, p := range postings {
		req.Accounts = append(req.Accounts, p.AccountID)
	}
	slices.Sort(req.Accounts)
	req.Accounts = slices.Compact(req.Accounts)
	if opts.IdempotencyKey != "" {
		if err := checkText("idempotency_key", opts.IdempotencyKey, MaxKeyLen); err != nil {
			return ApplyRequest{}, err
		}
		acc := opts.KeyAccountID
		if acc == 0 {
			acc = postings[0].AccountID
		}
		req.Key = Key{AccountID: acc, Key: opts.IdempotencyKey, Hash: opts.RequestHash, Since: now.Add(-IdempotencyTTL)}
	}
	postings = slices.Clone(postings)
	req.Plan = func(states map[int64]AccountState) ([]Entry, error) {
		return s.plan(postings, states, now, opts.IdempotencyKey)
	}
	return req, nil
}

// Finish turns the outcome of a prepared request into PostChain's: the
// error wrapped for the caller, and Replayed set on every entry of a
// repeated idempotency key.
func Finish(es []Entry, replayed bool, err error) ([]Entry, error) {
	if err != nil {
		return nil, problem.Wrap(err, "ledger post failed")
	}
	for i := range es {
		es[i].Replayed = replayed
	}
	return es, nil
}

// plan computes the entries of postings from the locked states.
func (s *Service) plan(postings []Posting, states map[int64]AccountState, now time.Time, key string) ([]Entry, error) {
	bal := make(map[int64]AccountState, len(states))
	for id, st := range states {
		bal[id] = st
	}
	out := make([]Entry, 0, len(postings))
	for _, p := range postings {
		st, ok := bal[p.AccountID]
		if !ok {
			return nil, problem.NotFoundf("no such account %d", p.AccountID)
		}
		next, err := Apply(st, p)
		if err != nil {
			if p.AccountID != postings[0].AccountID && problem.Is(err, problem.PaymentRequired) {
				// The buyer may not see an account above it: name it, with
				// the figures kept in the cause only.
				err = &problem.Error{Code: problem.PaymentRequired, Err: errors.Unwrap(err),
					Message: fmt.Sprintf("insufficient funds on account %d, which this charge also debits", p.AccountID)}
			}
			return nil, err
		}
		st.Balance = next
		st.LastSeq++
		e := Entry{ID: s.ids.Next(), AccountID: p.AccountID, Seq: st.LastSeq, CreatedAt: now,
			Activity: p.Activity, Debit: p.Debit, Credit: p.Credit, BalanceAfter: next,
			Reference: p.Reference, Description: p.Description, ActorUserID: p.ActorUserID, IdempotencyKey: key}
		st.LastEntryID = e.ID
		bal[p.AccountID] = st
		out = append(out, e)
	}
	return out, nil
}

// Floor is the lowest balance a debit may leave on an account.
func Floor(st AccountState) money.Amount {
	if st.BillingMode == account.Postpaid && st.CreditLimit > 0 {
		return -st.CreditLimit
	}
	return 0
}

// Apply returns the balance of st after p, refusing a debit that would take
// it below its Floor with PaymentRequired.
func Apply(st AccountState, p Posting) (money.Amount, error) {
	if p.Credit > 0 {
		next, err := st.Balance.Add(p.Credit)
		if err != nil {
			return 0, problem.Field("credit", "the balance would be out of range")
		}
		return next, nil
	}
	next, err := st.Balance.Sub(p.Debit)
	if err != nil || next < Floor(st) {
		return 0, &problem.Error{Code: problem.PaymentRequired,
			Message: fmt.Sprintf("insufficient funds on account %d: balance %s, available %s, charge %s",
				st.AccountID, st.Balance, available(st), p.Debit),
			Err: &InsufficientFunds{AccountID: st.AccountID, Balance: st.Balance, Available: available(st), Debit: p.Debit}}
	}
	return next, nil
}

// InsufficientFunds is the cause (errors.As) of a PaymentRequired refusal:
// the account that could not pay and its figures.
type InsufficientFunds struct {
	AccountID int64
	Balance   money.Amount
	Available money.Amount
	Debit     money.Amount
}

func (e *InsufficientFunds) Error() string {
	return fmt.Sprintf("account %d: balance %s, available %s, debit %s", e.AccountID, e.Balance, e.Available, e.Debit)
}

// Level is one account of a purchase chain and the price it pays.
type Level struct {
	AccountID int64
	Price     money.Amount
}

// ChainDebits returns the postings of a purchase for PostChain: base (its
// AccountID and amounts ignored) debited from levels[0], the buyer, at its
// sell price, and from each reseller above it at its buy price, in the
// order given. Levels with a zero price (a reseller that gets the item
// free) are left out.
func ChainDebits(base Posting, levels []Level) []Posting {
	out := make([]Posting, 0, len(levels))
	for _, l := range levels {
		if l.Price == 0 {
			continue
		}
		p := base
		p.AccountID, p.Debit, p.Credit = l.AccountID, l.Price, 0
		out = append(out, p)
	}
	return out
}

// Available is what an account may still spend: its balance above its floor.
func Available(st AccountState) money.Amount { return available(st) }

func available(st AccountState) money.Amount {
	a, err := st.Balance.Sub(Floor(st))
	if err != nil || a < 0 {
		return 0
	}
	return a
}

func validate(p Posting) error {
	if p.AccountID <= 0 {
		return problem.Field("account_id", "is required")
	}
	if !p.Activity.Valid() {
		return problem.Field("activity", "unknown activity %q", string(p.Activity))
	}
	if p.Debit < 0 {
		return problem.Field("debit", "must not be negative")
	}
	if p.Credit < 0 {
		return problem.Field("credit", "must not be negative")
	}
	if (p.Debit > 0) == (p.Credit > 0) {
		return problem.Field("debit", "exactly one of debit and credit must be positive")
	}
	if err := checkText("reference", p.Reference, MaxReferenceLen); err != nil {
		return err
	}
	return checkText("description", p.Description, MaxDescriptionLen)
}

// Balance is the account's cached balance.
func (s *Service) Balance(ctx context.Context, accountID int64) (money.Amount, error) {
	b, err := s.store.Balance(ctx, accountID)
	return b, problem.Wrap(err, "reading the balance failed")
}

// Sum is the sum of the account's entries, which the cached balance equals.
func (s *Service) Sum(ctx context.Context, accountID int64) (money.Amount, error) {
	b, err := s.store.Sum(ctx, accountID)
	return b, problem.Wrap(err, "summing the ledger failed")
}

// Check verifies every account's invariant: cached balance = sum of entries
// = balance after the last entry, each entry's balance is the running sum,
// and the cache names the last entry. It returns the accounts that fail.
func (s *Service) Check(ctx context.Context) ([]Mismatch, error) {
	m, err := s.store.Check(ctx)
	return m, problem.Wrap(err, "checking the ledger failed")
}

// PurgeIdempotencyKeys forgets keys older than IdempotencyTTL.
func (s *Service) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	return s.store.PurgeIdempotencyKeys(ctx, s.now().Add(-IdempotencyTTL))
}

// IsMismatch reports whether err is ErrIdempotencyMismatch.
func IsMismatch(err error) bool { return errors.Is(err, ErrIdempotencyMismatch) }

// List lists the entries of the accounts in scope's subtree.
func (s *Service) List(ctx context.Context, scope int64, q query.Params) ([]Entry, int, error) {
	return s.store.List(ctx, scope, q)
}

// HistoryFilter narrows History.
type HistoryFilter struct {
	From, To time.Time // inclusive From, exclusive To; zero: open
	Activity Activity  // empty: every activity
}

// MaxHistory bounds one History answer.
const MaxHistory = 10_000

// History returns an account's entries in the order they were applied.
func (s *Service) History(ctx context.Context, accountID int64, f HistoryFilter) ([]Entry, error) {
	parts := []string{fmt.Sprintf("account_id eq %d", accountID)}
	if !f.From.IsZero() {
		parts = append(parts, "created_at ge "+f.From.UTC().Format(time.RFC3339Nano))
	}
	if !f.To.IsZero() {
		parts = append(parts, "created_at lt "+f.To.UTC().Format(time.RFC3339Nano))
	}
	if f.Activity != "" {
		parts = append(parts, "activity eq '"+strings.ReplaceAll(string(f.Activity), "'", "''")+"'")
	}
	var out []Entry
	for skip := 0; len(out) < MaxHistory; skip += 100 {
		page, total, err := s.store.List(ctx, accountID, query.Params{
			Filter: strings.Join(parts, " and "), OrderBy: "id asc", Skip: strconv.Itoa(skip), Top: "100"})
		if err != nil {
			return nil, fmt.Errorf("ledger history: %w", err)
		}
		out = append(out, page...)
		if skip+100 >= total || len(page) == 0 {
			break
		}
	}
	return out, nil
}

package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Payment is one payment or declined card attempt.
type Payment struct {
	ID          int64
	AccountID   int64
	Method      string
	Status      string
	Amount      money.Amount
	Fee         money.Amount
	Currency    string
	Brand       string // card payments only
	Last4       string // card payments only
	Reference   string // the payer's reference (a bank transfer's, a cheque number)
	DeclineCode string
	// LedgerEntryID is the entry that credited the amount; 0 when declined.
	LedgerEntryID int64
	ActorUserID   int64
	CreatedAt     time.Time
	// IdempotencyKey and RequestHash identify the request (never shown).
	IdempotencyKey string
	RequestHash    string
	// Replayed is true (never stored) when Pay returned an earlier payment
	// for a repeated idempotency key.
	Replayed bool
}

// PayRequest is a payment to make.
type PayRequest struct {
	AccountID int64
	Method    string
	Amount    money.Amount
	Reference string
	Card      *Card
}

// MaxReferenceLen bounds the payer's reference.
const MaxReferenceLen = 255

// Store persists payments.
type Store interface {
	// CreatePayment records a payment that moved no money (a declined card).
	CreatePayment(ctx context.Context, p Payment) error
	// CreateApproved applies charge (prepared by the ledger) and records p,
	// its LedgerEntryID set to the charge's first entry, in one transaction.
	// For a repeated idempotency key it records nothing and returns the
	// first entries with replayed true.
	CreateApproved(ctx context.Context, p Payment, charge ledger.ApplyRequest) (entries []ledger.Entry, replayed bool, err error)
	// GetPayment returns a payment of scope's subtree (NotFound otherwise);
	// scope 0 is unscoped.
	GetPayment(ctx context.Context, scope, id int64) (Payment, error)
	ListPayments(ctx context.Context, scope int64, q query.Params) ([]Payment, int, error)
	// PaymentByKey returns the newest payment of account made with key
	// since since; found=false when there is none.
	PaymentByKey(ctx context.Context, accountID int64, key string, since time.Time) (Payment, bool, error)
}

// Accounts resolves accounts in a principal's subtree.
type Accounts interface {
	GetAccount(ctx context.Context, p auth.Principal, id int64) (account.Account, error)
}

// IDs issues ids.
type IDs interface{ Next() int64 }

// Service takes payments.
type Service struct {
	store    Store
	accounts Accounts
	ledger   *ledger.Service
	ids      IDs
	now      func() time.Time
	manual   Gateway
	card     Gateway
}

// NewService returns the payment service; card nil is the Test gateway
// with its default fee, now nil is time.Now.
func NewService(store Store, accounts Accounts, l *ledger.Service, ids IDs, card Gateway, now func() time.Time) *Service {
	if card == nil {
		card = NewTest()
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, accounts: accounts, ledger: l, ids: ids, now: now, manual: Manual{}, card: card}
}

// declined is the error of a declined card: PaymentRequired with the
// decline code as its field.
func declined(p Payment) error {
	return &problem.Error{Code: problem.PaymentRequired, Field: p.DeclineCode,
		Message: "the card was declined: " + p.DeclineCode}
}

// Pay makes a payment. A customer (any writing user) pays its own account
// by card; an admin records a bank transfer or cheque for an account below
// its own. A declined card is stored and answered with PaymentRequired
// whose field is the decline code. With key, a repeat within 24 hours
// returns the first payment (Replayed) and moves no money again; the same
// key with another request fails with ledger.ErrIdempotencyMismatch.
func (s *Service) Pay(ctx context.Context, p auth.Principal, req PayRequest, key string) (Payment, error) {
	acc, err := s.accounts.GetAccount(ctx, p, req.AccountID)
	if err != nil || req.AccountID <= 0 {
		if err == nil || problem.Is(err, problem.NotFound) {
			return Payment{}, problem.Field("account_id", "no such account")
		}
		return Payment{}, err
	}
	gw := s.manual
	switch req.Method {
	case MethodCard:
		if !p.CanWrite() {
			return Payment{}, problem.New(problem.Forbidden, "a read-only user may not make payments")
		}
		if acc.ID != p.AccountID {
			return Payment{}, problem.New(problem.Forbidden, "a card payment is made by the account holder for its own account")
		}
		gw = s.card
	case MethodBankTransfer, MethodCheque:
		if !p.IsAdmin() {
			return Payment{}, problem.New(problem.Forbidden, "only an admin user may record a manual payment")
		}
		if acc.ID == p.AccountID {
			return Payment{}, problem.New(problem.Forbidden, "your own account's payments are recorded by your provider")
		}
	default:
		return Payment{}, problem.Field("method", "must be card, bank_transfer or cheque")
	}
	if req.Amount <= 0 {
		return Payment{}, problem.Field("amount", "must be more than 0")
	}
	if strings.IndexByte(req.Reference, 0) >= 0 || len(req.Reference) > MaxReferenceLen || !validUTF8(req.Reference) {
		return Payment{}, problem.Field("reference", "must be valid text of at most %d bytes", MaxReferenceLen)
	}
	if len(key) > ledger.MaxKeyLen || strings.IndexByte(key, 0) >= 0 || !validUTF8(key) {
		return Payment{}, problem.Field("Idempotency-Key", "must be valid text of at most %d bytes", ledger.MaxKeyLen)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	res, err := gw.Authorize(ctx, Charge{Method: req.Method, Amount: req.Amount, Currency: acc.Currency, Card: req.Card, Now: now})
	if err != nil {
		return Payment{}, err
	}
	pay := Payment{AccountID: acc.ID, Method: req.Method, Amount: req.Amount, Fee: res.Fee, Currency: acc.Currency,
		Brand: res.Brand, Last4: res.Last4, Reference: req.Reference, ActorUserID: p.UserID, CreatedAt: now,
		IdempotencyKey: key}
	if req.Card != nil {
		// The hash of the request as understood; it holds the card's brand,
		// last 4 and expiry but never its number or CVV, which a hash of
		// so few possible values would not hide.
		pay.RequestHash = requestHash(acc.ID, req.Method, req.Amount, req.Reference, res.Brand, res.Last4, req.Card.Expiry)
	} else {
		pay.RequestHash = requestHash(acc.ID, req.Method, req.Amount, req.Reference, "", "", "")
	}
	if key != "" {
		prev, found, err := s.store.PaymentByKey(ctx, acc.ID, key, now.Add(-ledger.IdempotencyTTL))
		if err != nil {
			return Payment{}, problem.Wrap(err, "reading the payment failed")
		}
		if found {
			return s.replay(prev, pay.RequestHash)
		}
	}
	pay.ID = s.ids.Next()
	if !res.Approved {
		pay.Status, pay.DeclineCode = StatusDeclined, res.DeclineCode
		if err := s.store.CreatePayment(ctx, pay); err != nil {
			return Payment{}, problem.Wrap(err, "recording the payment failed")
		}
		return pay, declined(pay)
	}
	pay.Status = StatusApproved
	ref := "payment:" + strconv.FormatInt(pay.ID, 10)
	desc := describe(pay)
	postings := []ledger.Posting{{AccountID: acc.ID, Activity: res.Activity, Credit: pay.Amount, Reference: ref,
		Description: desc, ActorUserID: p.UserID}}
	if res.Fee > 0 {
		postings = append(postings, ledger.Posting{AccountID: acc.ID, Activity: res.FeeActivity, Debit: res.Fee,
			Reference: ref, Description: "Fee of " + desc, ActorUserID: p.UserID})
	}
	var opts ledger.Options
	if key != "" {
		// The ledger key is the payment's own (a transaction may use the
		// same key) and fits the ledger's length whatever the client sent.
		k := sha256.Sum256([]byte(key))
		opts = ledger.Options{IdempotencyKey: "payment:" + hex.EncodeToString(k[:]), RequestHash: pay.RequestHash, KeyAccountID: acc.ID}
	}
	charge, err := s.ledger.Prepare(postings, opts)
	if err != nil {
		return Payment{}, err
	}
	es, err := ledger.Finish(s.store.CreateApproved(ctx, pay, charge))
	if err != nil {
		return Payment{}, err
	}
	if es[0].Replayed {
		// A concurrent request with the same key paid first; its payment
		// was recorded in the same transaction as its entries, which name it.
		id, perr := strconv.ParseInt(strings.TrimPrefix(es[0].Reference, "payment:"), 10, 64)
		if perr != nil {
			return Payment{}, problem.New(problem.Internal, "replayed entry %d names no payment", es[0].ID)
		}
		prev, gerr := s.store.GetPayment(ctx, 0, id)
		if gerr != nil {
			return Payment{}, problem.Wrap(gerr, "reading the payment failed")
		}
		return s.replay(prev, pay.RequestHash)
	}
	pay.LedgerEntryID = es[0].ID
	return pay, nil
}

func (s *Service) replay(prev Payment, hash string) (Payment, error) {
	if prev.RequestHash != hash {
		return Payment{}, ledger.ErrIdempotencyMismatch
	}
	prev.Replayed = true
	if prev.Status == StatusDeclined {
		return prev, declined(prev)
	}
	return prev, nil
}

// Get returns a payment of the principal's subtree.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Payment, error) {
	pay, err := s.store.GetPayment(ctx, p.AccountID, id)
	if problem.Is(err, problem.NotFound) {
		return Payment{}, problem.NotFoundf("no such payment")
	}
	return pay, problem.Wrap(err, "reading the payment failed")
}

// List lists the payments of the principal's subtree, newest first.
func (s *Service) List(ctx context.Context, p auth.Principal, q query.Params) ([]Payment, int, error) {
	return s.store.ListPayments(ctx, p.AccountID, q)
}

func describe(p Payment) string {
	switch p.Method {
	case MethodCard:
		return fmt.Sprintf("Card payment, %s ending %s", p.Brand, p.Last4)
	case MethodCheque:
		return strings.TrimSpace("Cheque " + p.Reference)
	}
	return strings.TrimSpace("Bank transfer " + p.Reference)
}

func requestHash(accountID int64, method string, amount money.Amount, ref, brand, last4, expiry string) string {
	raw, _ := json.Marshal([]any{accountID, method, int64(amount), ref, brand, last4, expiry})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

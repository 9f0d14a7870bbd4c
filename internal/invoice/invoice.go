// Package invoice turns the ledger into invoices: a statement of one
// account's money for a period, issued by the account's parent, with its
// opening and closing balance and every ledger entry of the period in
// exactly one line, so that opening + credits - charges = closing.
//
// Tax is charged on top of the period's net charges: tax = charges x the
// account's tax rate, rounded once to 5 decimals half away from zero, and
// total = charges + tax. The ledger holds prices before tax, so the
// balances the invoice shows are the ledger's; the tax is what the issuer
// declares with the invoice, not a ledger movement.
package invoice

import (
	"context"
	"math/big"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Kinds of invoice.
const (
	Monthly = "monthly" // a calendar month (UTC), made by the worker
	Range   = "range"   // closed days asked for on demand
)

// StatusIssued is the status of every invoice: it is final once written.
const StatusIssued = "issued"

// Invoice is one issued invoice.
type Invoice struct {
	ID        int64
	AccountID int64
	IssuerID  int64
	// Number is sequential per issuer and year: INV-2026-000123.
	Number string
	Kind   string
	// PeriodStart and PeriodEnd bound the period: [start, end).
	PeriodStart, PeriodEnd time.Time
	Currency               string
	Opening                money.Amount
	// Charges is the net of the charge sections (before tax), Credits the
	// net of payments and credits.
	Charges money.Amount
	Credits money.Amount
	TaxRate TaxRate
	Tax     money.Amount
	// Total is Charges + Tax.
	Total   money.Amount
	Closing money.Amount
	Status  string
	// PDFKey names the rendered PDF in the blob store.
	PDFKey string
	// WebKey is a random public handle of the invoice (voicemeup web_key).
	WebKey    string
	Content   Content
	CreatedAt time.Time
}

// Party is an account as an invoice names it.
type Party struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Number   string `json:"number"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
}

// Content is what the invoice shows besides its totals.
type Content struct {
	Issuer   Party     `json:"issuer"`
	Customer Party     `json:"customer"`
	Sections []Section `json:"sections"`
}

// Section keys, in the order an invoice shows them.
const (
	SecCalls         = "calls"
	SecSubscriptions = "subscriptions"
	SecCallPacks     = "call_packs"
	SecNumbers       = "numbers"
	SecCommands      = "commands"
	SecOther         = "other"
	SecPayments      = "payments"
)

var sectionTitles = map[string]string{
	SecCalls: "Calls", SecSubscriptions: "Subscriptions", SecCallPacks: "Call packs", SecNumbers: "Numbers",
	SecCommands: "Per-command charges", SecOther: "Other charges", SecPayments: "Payments and credits",
}

var sectionOrder = []string{SecCalls, SecSubscriptions, SecCallPacks, SecNumbers, SecCommands, SecOther, SecPayments}

// Section is a group of lines. In the charge sections a line's Amount is
// what it cost (debit minus credit); in payments and credits it is what
// came in (credit minus debit).
type Section struct {
	Key   string       `json:"key"`
	Title string       `json:"title"`
	Lines []Line       `json:"lines"`
	Total money.Amount `json:"total"`
}

// Line is one line of a section: one ledger entry, or for calls a summary
// of one rate type and destination.
type Line struct {
	Date        time.Time    `json:"date,omitzero"`
	Description string       `json:"description"`
	Calls       int64        `json:"calls,omitempty"`
	Seconds     int64        `json:"seconds,omitempty"`
	PackSeconds int64        `json:"pack_seconds,omitempty"`
	Amount      money.Amount `json:"amount"`
	EntryID     int64        `json:"entry_id,omitempty"`
}

// SectionOf returns the section of an entry of activity a that is a debit
// (debit true) or a credit.
func SectionOf(a ledger.Activity, debit bool) string {
	switch a {
	case ledger.CallCharges:
		return SecCalls
	case ledger.Subscription:
		return SecSubscriptions
	case ledger.CallPack:
		return SecCallPacks
	case ledger.NumberRental, ledger.OrderNewDIDs, ledger.OrderLNP:
		return SecNumbers
	case ledger.CommandCharge:
		return SecCommands
	case ledger.CreditCard, ledger.BankTransfer, ledger.PaypalTransfer, ledger.TestCallCredit, ledger.ManualCredit,
		ledger.CreditCardFee, ledger.BankFee, ledger.PaypalFee, ledger.PaymentCancelled, ledger.PaymentRefund:
		return SecPayments
	}
	if debit {
		return SecOther
	}
	return SecPayments
}

// CallGroup is the call_charges rows of one rate type and destination.
type CallGroup struct {
	RateType    string
	Prefix      string
	Description string
	Calls       int64
	Seconds     int64
	PackSeconds int64
	Cost        money.Amount
}

// CallTotals sums the "Call Charges" entries of a period.
type CallTotals struct {
	Entries int64
	Debit   money.Amount
	Credit  money.Amount
}

// Period is what the store reads of one account and period.
type Period struct {
	Opening money.Amount
	// Entries are the period's entries except "Call Charges", in order.
	Entries []ledger.Entry
	Calls   CallTotals
	Groups  []CallGroup
}

// TaxRate is a fraction in millionths: 130000 is 13 %.
type TaxRate int64

// MaxTaxRate is 100 %.
const MaxTaxRate TaxRate = 1_000_000

// ParseTaxRate reads a decimal fraction ("0.13", "0.075") with at most 6
// decimals, between 0 and 1.
func ParseTaxRate(s string) (TaxRate, error) {
	bad := problem.Field("tax_rate", "must be a decimal fraction between 0 and 1 with at most 6 decimals, e.g. 0.13")
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(whole) > 1 || len(frac) > 6 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, bad
	}
	frac += strings.Repeat("0", 6-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || TaxRate(n) > MaxTaxRate {
		return 0, bad
	}
	return TaxRate(n), nil
}

// String renders the rate as a decimal fraction without trailing zeros.
func (r TaxRate) String() string {
	s := strconv.FormatInt(int64(r)/1_000_000, 10)
	if f := int64(r) % 1_000_000; f != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(1_000_000+f, 10)[1:], "0")
	}
	return s
}

// Percent renders the rate as a percentage ("13", "7.5").
func (r TaxRate) Percent() string {
	s := strconv.FormatInt(int64(r)/10_000, 10)
	if f := int64(r) % 10_000; f != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(10_000+f, 10)[1:], "0")
	}
	return s
}

// Tax is charges x r, computed exactly and rounded once to 5 decimals, half
// away from zero.
func (r TaxRate) Tax(charges money.Amount) (money.Amount, error) {
	x := new(big.Rat).Mul(charges.Rat(), big.NewRat(int64(r), 1_000_000))
	return money.FromRat(x)
}

// Store persists invoices and reads the ledger for them.
type Store interface {
	// Party reads an account as an invoice names it (NotFound otherwise).
	Party(ctx context.Context, accountID int64) (Party, error)
	// ReadPeriod reads what an invoice of accountID for [from, to) sums.
	ReadPeriod(ctx context.Context, accountID int64, from, to time.Time) (Period, error)
	// Insert numbers inv (its issuer's next number in year) and stores it
	// in one transaction. When the account already has an invoice of the
	// same kind and period it stores nothing and returns that one with
	// existed true.
	Insert(ctx context.Context, inv Invoice, year int) (stored Invoice, existed bool, err error)
	// Find returns the invoice of accountID, kind and period; found false
	// when there is none.
	Find(ctx context.Context, accountID int64, kind string, from, to time.Time) (Invoice, bool, error)
	// Get returns an invoice of scope's subtree (NotFound otherwise); scope
	// 0 is unscoped.
	Get(ctx context.Context, scope, id int64) (Invoice, error)
	// List lists the invoices of scope's subtree.
	List(ctx context.Context, scope int64, q query.Params) ([]Invoice, int, error)
	// Uninvoiced returns, in ascending order, up to limit accounts with
	// ids above after and a parent that have ledger entries in [from, to)
	// and no invoice of kind for exactly that period.
	Uninvoiced(ctx context.Context, kind string, from, to time.Time, after int64, limit int) ([]int64, error)
	// SetTaxRate sets the account's own rate.
	SetTaxRate(ctx context.Context, accountID int64, rate TaxRate, by int64, at time.Time) error
	// TaxRate returns the rate in force for the account: its own, else its
	// nearest ancestor's, else 0, and the account it was set on (0: none).
	TaxRate(ctx context.Context, accountID int64) (rate TaxRate, from int64, err error)
}

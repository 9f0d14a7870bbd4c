// Package payment takes money into accounts: card payments through a card
// gateway and bank transfers or cheques recorded by hand. An approved
// payment is posted to the ledger (the card fee as a separate row in the
// same chain); a declined card attempt is kept but moves no money. A card
// number or CVV is never stored: a payment keeps the card's brand and last
// four digits only.
package payment

import (
	"context"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// Methods of payment.
const (
	MethodCard         = "card"
	MethodBankTransfer = "bank_transfer"
	MethodCheque       = "cheque"
)

// Statuses of a payment.
const (
	StatusApproved = "approved"
	StatusDeclined = "declined"
)

// Decline codes of the Test gateway.
const (
	DeclineCardDeclined      = "card_declined"
	DeclineInsufficientFunds = "insufficient_funds"
	DeclineExpiredCard       = "expired_card"
	DeclineIncorrectCVC      = "incorrect_cvc"
	DeclineProcessingError   = "processing_error"
)

// TestDeclines are the documented card numbers the Test gateway declines,
// with the decline code each one gets. Every other valid card is approved.
var TestDeclines = map[string]string{
	"4000000000000002": DeclineCardDeclined,
	"4000000000009995": DeclineInsufficientFunds,
	"4000000000000069": DeclineExpiredCard,
	"4000000000000127": DeclineIncorrectCVC,
	"4000000000000119": DeclineProcessingError,
}

// Card is a card as the payer gave it. It lives only for the request.
type Card struct {
	Number string // digits, spaces and dashes allowed
	Expiry string // MM/YY or MM/YYYY
	CVV    string
}

// Charge is what a gateway is asked to take.
type Charge struct {
	Method   string
	Amount   money.Amount
	Currency string
	Card     *Card
	Now      time.Time
}

// Result is a gateway's answer.
type Result struct {
	Approved    bool
	DeclineCode string
	// Fee is what the gateway charges, posted as FeeActivity; 0 for none.
	Fee         money.Amount
	Activity    ledger.Activity
	FeeActivity ledger.Activity
	Brand       string
	Last4       string
}

// Gateway takes payments. Invalid input is a problem.Invalid error naming
// the field; a decline is a Result, not an error.
type Gateway interface {
	Authorize(ctx context.Context, c Charge) (Result, error)
}

// Manual records a bank transfer or a cheque an operator or reseller
// received: there is no card and no fee.
type Manual struct{}

// Authorize approves every bank transfer or cheque.
func (Manual) Authorize(_ context.Context, c Charge) (Result, error) {
	if c.Method != MethodBankTransfer && c.Method != MethodCheque {
		return Result{}, problem.Field("method", "a manual payment is a bank_transfer or a cheque")
	}
	if c.Card != nil {
		return Result{}, problem.Field("card_number", "only a card payment takes a card")
	}
	return Result{Approved: true, Activity: ledger.BankTransfer}, nil
}

// Test is a card processor for tests and demonstrations: it validates the
// card (Luhn, expiry, CVV), declines the TestDeclines numbers, approves
// every other valid card, and charges FeePercent % of the amount plus
// FeeFixed, rounded once to 5 decimals.
type Test struct {
	FeePercent *big.Rat     // nil: 2.9
	FeeFixed   money.Amount // used as given; NewTest sets 0.30
}

// NewTest returns a Test gateway with the default fee, 2.9 % + 0.30.
func NewTest() *Test {
	return &Test{FeePercent: big.NewRat(29, 10), FeeFixed: money.FromUnits(30_000)}
}

// Fee is the gateway's fee on amount.
func (t *Test) Fee(amount money.Amount) (money.Amount, error) {
	pct := t.FeePercent
	if pct == nil {
		pct = big.NewRat(29, 10)
	}
	r := new(big.Rat).Mul(amount.Rat(), pct)
	r.Quo(r, big.NewRat(100, 1))
	r.Add(r, t.FeeFixed.Rat())
	return money.FromRat(r)
}

// Authorize validates the card and approves or declines it.
func (t *Test) Authorize(_ context.Context, c Charge) (Result, error) {
	if c.Method != MethodCard {
		return Result{}, problem.Field("method", "the card gateway takes card payments only")
	}
	if c.Card == nil {
		return Result{}, problem.Field("card_number", "is required for a card payment")
	}
	num, err := ValidateCard(*c.Card, c.Now)
	if err != nil {
		return Result{}, err
	}
	res := Result{Activity: ledger.CreditCard, FeeActivity: ledger.CreditCardFee, Brand: Brand(num), Last4: num[len(num)-4:]}
	if code, ok := TestDeclines[num]; ok {
		res.DeclineCode = code
		return res, nil
	}
	fee, err := t.Fee(c.Amount)
	if err != nil {
		return Result{}, problem.Field("amount", "is out of range")
	}
	if fee >= c.Amount {
		return Result{}, problem.Field("amount", "must be more than the card fee of %s", fee)
	}
	res.Approved, res.Fee = true, fee
	return res, nil
}

// ValidateCard checks a card and returns its number as digits only.
func ValidateCard(c Card, now time.Time) (string, error) {
	num, err := CardNumber(c.Number)
	if err != nil {
		return "", err
	}
	if err := CheckExpiry(c.Expiry, now); err != nil {
		return "", err
	}
	if err := CheckCVV(c.CVV); err != nil {
		return "", err
	}
	return num, nil
}

// CardNumber strips spaces and dashes from s and checks it is 12 to 19
// digits with a valid Luhn check digit.
func CardNumber(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-':
		default:
			return "", problem.Field("card_number", "must be digits")
		}
	}
	num := b.String()
	if len(num) < 12 || len(num) > 19 {
		return "", problem.Field("card_number", "must be 12 to 19 digits")
	}
	if !Luhn(num) {
		return "", problem.Field("card_number", "is not a valid card number")
	}
	return num, nil
}

// Luhn reports whether digits (ASCII digits only) pass the Luhn check.
func Luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// CheckExpiry accepts MM/YY or MM/YYYY not before the month of now (a card
// is valid to the end of its expiry month).
func CheckExpiry(s string, now time.Time) error {
	mm, yy, ok := strings.Cut(s, "/")
	if !ok || len(mm) != 2 || (len(yy) != 2 && len(yy) != 4) || !allDigits(mm) || !allDigits(yy) {
		return problem.Field("expiry", "must be MM/YY or MM/YYYY")
	}
	month := atoi(mm)
	year := atoi(yy)
	if len(yy) == 2 {
		year += 2000
	}
	if month < 1 || month > 12 {
		return problem.Field("expiry", "month must be 01 to 12")
	}
	now = now.UTC()
	if year*12+month < now.Year()*12+int(now.Month()) {
		return problem.Field("expiry", "the card has expired")
	}
	if year > now.Year()+50 {
		return problem.Field("expiry", "is too far in the future")
	}
	return nil
}

// CheckCVV accepts 3 or 4 digits.
func CheckCVV(s string) error {
	if !allDigits(s) || len(s) < 3 || len(s) > 4 {
		return problem.Field("cvv", "must be 3 or 4 digits")
	}
	return nil
}

// Brand names a card's network by its number's prefix: visa, mastercard,
// amex, discover, or "card" when unknown.
func Brand(num string) string {
	p := func(n int) int {
		if len(num) < n {
			return -1
		}
		return atoi(num[:n])
	}
	switch {
	case strings.HasPrefix(num, "4"):
		return "visa"
	case p(2) >= 51 && p(2) <= 55, p(4) >= 2221 && p(4) <= 2720:
		return "mastercard"
	case p(2) == 34, p(2) == 37:
		return "amex"
	case p(4) == 6011, p(2) == 65, p(3) >= 644 && p(3) <= 649, p(6) >= 622126 && p(6) <= 622925:
		return "discover"
	}
	return "card"
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func validUTF8(s string) bool { return utf8.ValidString(s) }

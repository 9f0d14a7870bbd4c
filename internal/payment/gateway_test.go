package payment

import (
	"context"
	"math/big"
	"testing"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestLuhn(t *testing.T) {
	for num, want := range map[string]bool{
		"4242424242424242":    true,
		"4000000000000002":    true,
		"4000000000009995":    true,
		"5555555555554444":    true,
		"378282246310005":     true,
		"6011111111111117":    true,
		"79927398713":         true, // the textbook example (too short for a card)
		"4242424242424241":    false,
		"4242424242424243":    false,
		"1234567812345678":    false,
		"0000000000000000":    true,
		"":                    false,
		"42424242424242a2":    false,
		"6011000990139424":    true,
		"4111111111111111111": false, // 19 digits, wrong check digit
	} {
		if got := Luhn(num); got != want {
			t.Errorf("Luhn(%q) = %v, want %v", num, got, want)
		}
	}
}

func fieldOf(err error) string {
	if err == nil {
		return ""
	}
	if !problem.Is(err, problem.Invalid) {
		return "not invalid: " + err.Error()
	}
	return problem.As(err).Field
}

func TestCardNumber(t *testing.T) {
	for in, want := range map[string]string{
		"4242424242424242":     "",
		"4242 4242 4242 4242":  "",
		"4242-4242-4242-4242":  "",
		"42424242424":          "card_number", // 11 digits
		"4242424242424242424":  "card_number", // 19 digits, Luhn fails
		"42424242424242424242": "card_number", // 20 digits
		"4242424242424241":     "card_number",
		"4242x42424242424":     "card_number",
		"4242424242424242\x00": "card_number",
		"":                     "card_number",
	} {
		if _, err := CardNumber(in); fieldOf(err) != want {
			t.Errorf("CardNumber(%q): %v, want field %q", in, err, want)
		}
	}
	// Length bounds with valid check digits: 12 and 19 pass, 11 and 20 do not.
	for _, tc := range []struct {
		body string
		ok   bool
	}{{"00000000000", false}, {"000000000000", true}, {"0000000000000000000", true}, {"00000000000000000000", false}} {
		if _, err := CardNumber(tc.body); (err == nil) != tc.ok {
			t.Errorf("CardNumber(%d zeros): %v, want ok=%v", len(tc.body), err, tc.ok)
		}
	}
}

func TestExpiry(t *testing.T) {
	for in, ok := range map[string]bool{
		"11/26":   true, // this month is still valid
		"12/26":   true,
		"11/2026": true,
		"01/30":   true,
		"10/26":   false, // last month
		"10/2026": false,
		"12/25":   false,
		"13/27":   false,
		"00/27":   false,
		"1/27":    false,
		"01-27":   false,
		"0127":    false,
		"01/027":  false,
		"ab/27":   false,
		"":        false,
		"01/2099": false, // too far
	} {
		if err := CheckExpiry(in, now); (err == nil) != ok {
			t.Errorf("CheckExpiry(%q) = %v, want ok=%v", in, err, ok)
		} else if err != nil && fieldOf(err) != "expiry" {
			t.Errorf("CheckExpiry(%q) names %q", in, fieldOf(err))
		}
	}
}

func TestCVV(t *testing.T) {
	for in, ok := range map[string]bool{"123": true, "1234": true, "12": false, "12345": false, "12a": false, "": false, "１２３": false} {
		if err := CheckCVV(in); (err == nil) != ok {
			t.Errorf("CheckCVV(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestBrand(t *testing.T) {
	for num, want := range map[string]string{
		"4242424242424242": "visa", "5555555555554444": "mastercard", "2223003122003222": "mastercard",
		"378282246310005": "amex", "371449635398431": "amex", "6011111111111117": "discover", "6500000000000002": "discover",
		"3056930009020004": "card",
	} {
		if got := Brand(num); got != want {
			t.Errorf("Brand(%s) = %s, want %s", num, got, want)
		}
	}
}

func TestTestGateway(t *testing.T) {
	g := NewTest()
	ctx := context.Background()
	card := func(n string) Charge {
		return Charge{Method: MethodCard, Amount: money.FromUnits(1_000_000), Currency: "USD", Now: now,
			Card: &Card{Number: n, Expiry: "12/28", CVV: "123"}}
	}
	r, err := g.Authorize(ctx, card("4242 4242 4242 4242"))
	if err != nil || !r.Approved || r.Fee != money.FromUnits(59_000) || r.Brand != "visa" || r.Last4 != "4242" ||
		r.Activity != ledger.CreditCard || r.FeeActivity != ledger.CreditCardFee {
		t.Fatalf("approved card: %+v %v, want fee 0.59000 visa 4242", r, err)
	}
	for num, code := range TestDeclines {
		r, err := g.Authorize(ctx, card(num))
		if err != nil || r.Approved || r.DeclineCode != code || r.Fee != 0 || r.Last4 != num[12:] {
			t.Errorf("%s: %+v %v, want declined %s", num, r, err, code)
		}
	}
	if _, err := g.Authorize(ctx, card("4242424242424241")); fieldOf(err) != "card_number" {
		t.Errorf("bad Luhn: %v", err)
	}
	c := card("4242424242424242")
	c.Card.Expiry = "10/26"
	if _, err := g.Authorize(ctx, c); fieldOf(err) != "expiry" {
		t.Errorf("expired: %v", err)
	}
	c = card("4242424242424242")
	c.Card.CVV = "12"
	if _, err := g.Authorize(ctx, c); fieldOf(err) != "cvv" {
		t.Errorf("short cvv: %v", err)
	}
	c = card("4242424242424242")
	c.Amount = money.FromUnits(30_000) // 0.30: the fee (0.3087) is more
	if _, err := g.Authorize(ctx, c); fieldOf(err) != "amount" {
		t.Errorf("amount below the fee: %v", err)
	}
	if _, err := g.Authorize(ctx, Charge{Method: MethodCard, Amount: 1, Now: now}); fieldOf(err) != "card_number" {
		t.Errorf("no card: %v", err)
	}
}

func TestFee(t *testing.T) {
	g := NewTest()
	for _, tc := range []struct{ amount, fee string }{
		{"10", "0.59"}, {"100", "3.2"}, {"0.01", "0.30029"}, {"1.23", "0.33567"},
		{"0.17", "0.30493"}, // 0.00493 exactly
		{"0.05", "0.30145"},
		{"12.34567", "0.65802"}, // 0.3580244 + 0.30 = 0.6580244 → 0.65802
		{"12.34569", "0.65803"}, // 0.3580250 + 0.30 rounds half up
	} {
		a, _ := money.Parse(tc.amount)
		want, _ := money.Parse(tc.fee)
		if got, err := g.Fee(a); err != nil || got != want {
			t.Errorf("fee of %s = %s %v, want %s", tc.amount, got, err, want)
		}
	}
	custom := &Test{FeePercent: big.NewRat(3, 2), FeeFixed: 0}
	if got, _ := custom.Fee(money.FromUnits(1_000_000)); got != money.FromUnits(15_000) {
		t.Errorf("1.5 %% of 10 = %s", got)
	}
}

func TestManual(t *testing.T) {
	ctx := context.Background()
	for _, m := range []string{MethodBankTransfer, MethodCheque} {
		r, err := Manual{}.Authorize(ctx, Charge{Method: m, Amount: 1})
		if err != nil || !r.Approved || r.Fee != 0 || r.Activity != ledger.BankTransfer || r.Brand != "" {
			t.Errorf("%s: %+v %v", m, r, err)
		}
	}
	if _, err := (Manual{}).Authorize(ctx, Charge{Method: MethodCard, Amount: 1}); fieldOf(err) != "method" {
		t.Errorf("manual card: %v", err)
	}
	if _, err := (Manual{}).Authorize(ctx, Charge{Method: MethodCheque, Amount: 1, Card: &Card{}}); fieldOf(err) != "card_number" {
		t.Errorf("cheque with a card: %v", err)
	}
}

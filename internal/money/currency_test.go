package money_test

import (
	"encoding/json"
	"testing"

	"switchboard/internal/money"
)

func TestValidCurrency(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"USD", true},
		{"EUR", true},
		{"GBP", true},
		{"JPY", true},
		{"ZAR", true},
		{"usd", false},
		{"Usd", false},
		{"US", false},
		{"USDD", false},
		{"", false},
		{"XXX", false},
		{"USS", false},
		{" USD", false},
	}
	for _, tt := range tests {
		if got := money.ValidCurrency(tt.code); got != tt.want {
			t.Errorf("ValidCurrency(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestValidCurrencyCoversCommonCodes(t *testing.T) {
	common := []string{
		"USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK",
		"DKK", "PLN", "CZK", "HUF", "MXN", "BRL", "INR", "ZAR", "SGD", "HKD",
	}
	for _, c := range common {
		if !money.ValidCurrency(c) {
			t.Errorf("ValidCurrency(%q) = false", c)
		}
	}
}

func TestMoney(t *testing.T) {
	m := money.Money{Amount: 1234500, Currency: "USD"}
	if got := m.String(); got != "12.34500 USD" {
		t.Errorf("String() = %q", got)
	}
	b, err := json.Marshal(m)
	if err != nil || string(b) != `{"amount":"12.34500","currency":"USD"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back money.Money
	if err := json.Unmarshal([]byte(`{"amount":-0.5,"currency":"EUR"}`), &back); err != nil {
		t.Fatal(err)
	}
	if back != (money.Money{Amount: -50000, Currency: "EUR"}) {
		t.Errorf("Unmarshal = %+v", back)
	}
}

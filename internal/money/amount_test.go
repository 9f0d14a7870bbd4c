package money_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"switchboard/internal/money"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want money.Amount
	}{
		{"0", 0},
		{"-0", 0},
		{"+0.0", 0},
		{"1", 100000},
		{"1.5", 150000},
		{"+1.5", 150000},
		{"-1.5", -150000},
		{"12.345", 1234500},
		{"0.00001", 1},
		{"-0.00001", -1},
		{"3.14159", 314159},
		{"007.10", 710000},
		{"92233720368547.75807", math.MaxInt64},
		{"-92233720368547.75808", math.MinInt64},
		{"-92233720368547.75807", -math.MaxInt64},
		{"00000000000000000000000000000001", 100000},
	}
	for _, tt := range tests {
		got, err := money.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d units, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in      string
		want    error
		message string // a fragment the error text must contain
	}{
		{"", money.ErrInvalid, "empty"},
		{"1.234567", money.ErrTooManyDecimals, `money: "1.234567" has more than 5 decimals`},
		{"0.000000", money.ErrTooManyDecimals, "more than 5 decimals"},
		{"1e2", money.ErrInvalid, "exponent"},
		{"1.5E-3", money.ErrInvalid, "exponent"},
		{"e5", money.ErrInvalid, "exponent"},
		{" 1", money.ErrInvalid, "not a valid amount"},
		{"1 ", money.ErrInvalid, "not a valid amount"},
		{"1 000", money.ErrInvalid, "not a valid amount"},
		{"NaN", money.ErrInvalid, "not a valid amount"},
		{"Inf", money.ErrInvalid, "not a valid amount"},
		{"-", money.ErrInvalid, "not a valid amount"},
		{"+", money.ErrInvalid, "not a valid amount"},
		{"--1", money.ErrInvalid, "not a valid amount"},
		{"+-1", money.ErrInvalid, "not a valid amount"},
		{".5", money.ErrInvalid, "not a valid amount"},
		{"1.", money.ErrInvalid, "not a valid amount"},
		{"1..5", money.ErrInvalid, "not a valid amount"},
		{"1,5", money.ErrInvalid, "not a valid amount"},
		{"0x10", money.ErrInvalid, "not a valid amount"},
		{"1_000", money.ErrInvalid, "not a valid amount"},
		{"١", money.ErrInvalid, "not a valid amount"}, // non-ASCII digit
		{"92233720368547.75808", money.ErrOverflow, "out of range"},
		{"-92233720368547.75809", money.ErrOverflow, "out of range"},
		{"92233720368548", money.ErrOverflow, "out of range"},
		{"99999999999999999999999999999999", money.ErrOverflow, "out of range"},
	}
	for _, tt := range tests {
		got, err := money.Parse(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q) = %v, %v; want error %v", tt.in, got, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.message) {
			t.Errorf("Parse(%q) error %q does not mention %q", tt.in, err, tt.message)
		}
	}
}

func TestParseErrorTruncatesHugeInput(t *testing.T) {
	_, err := money.Parse(strings.Repeat("9", 10000) + "x")
	if err == nil || len(err.Error()) > 100 {
		t.Fatalf("error for a 10000-byte input should be short, got %d bytes: %v", len(err.Error()), err)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in   money.Amount
		want string
	}{
		{0, "0.00000"},
		{1, "0.00001"},
		{-1, "-0.00001"},
		{1234500, "12.34500"},
		{-1234500, "-12.34500"},
		{100000, "1.00000"},
		{99999, "0.99999"},
		{math.MaxInt64, "92233720368547.75807"},
		{math.MinInt64, "-92233720368547.75808"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		back, err := money.Parse(tt.want)
		if err != nil || back != tt.in {
			t.Errorf("Parse(%q) = %d, %v; want %d", tt.want, back, err, tt.in)
		}
	}
}

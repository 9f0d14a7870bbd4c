package money_test

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"switchboard/internal/money"
)

func TestAddSub(t *testing.T) {
	tests := []struct {
		a, b    money.Amount
		sum     money.Amount
		sumErr  bool
		diff    money.Amount
		diffErr bool
	}{
		{a: 150000, b: 1, sum: 150001, diff: 149999},
		{a: -5, b: 3, sum: -2, diff: -8},
		{a: math.MaxInt64, b: 1, sumErr: true, diff: math.MaxInt64 - 1},
		{a: math.MaxInt64, b: -1, sum: math.MaxInt64 - 1, diffErr: true},
		{a: math.MinInt64, b: -1, sumErr: true, diff: math.MinInt64 + 1},
		{a: math.MinInt64, b: 1, sum: math.MinInt64 + 1, diffErr: true},
		{a: math.MaxInt64, b: math.MinInt64, sum: -1, diffErr: true},
		{a: 0, b: math.MinInt64, sum: math.MinInt64, diffErr: true},
		{a: -1, b: math.MaxInt64, sum: math.MaxInt64 - 1, diff: math.MinInt64},
	}
	for _, tt := range tests {
		sum, err := tt.a.Add(tt.b)
		switch {
		case tt.sumErr && !errors.Is(err, money.ErrOverflow):
			t.Errorf("%d + %d = %d, %v; want overflow", tt.a, tt.b, sum, err)
		case !tt.sumErr && (err != nil || sum != tt.sum):
			t.Errorf("%d + %d = %d, %v; want %d", tt.a, tt.b, sum, err, tt.sum)
		}
		diff, err := tt.a.Sub(tt.b)
		switch {
		case tt.diffErr && !errors.Is(err, money.ErrOverflow):
			t.Errorf("%d - %d = %d, %v; want overflow", tt.a, tt.b, diff, err)
		case !tt.diffErr && (err != nil || diff != tt.diff):
			t.Errorf("%d - %d = %d, %v; want %d", tt.a, tt.b, diff, err, tt.diff)
		}
	}
}

func TestNeg(t *testing.T) {
	if got, err := money.Amount(5).Neg(); err != nil || got != -5 {
		t.Errorf("Neg(5) = %d, %v", got, err)
	}
	if got, err := money.Amount(math.MaxInt64).Neg(); err != nil || got != -math.MaxInt64 {
		t.Errorf("Neg(max) = %d, %v", got, err)
	}
	if _, err := money.Amount(math.MinInt64).Neg(); !errors.Is(err, money.ErrOverflow) {
		t.Errorf("Neg(min) error = %v, want overflow", err)
	}
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		a, b           money.Amount
		cmp            int
		negative, zero bool
	}{
		{a: 1, b: 2, cmp: -1},
		{a: 2, b: 1, cmp: 1},
		{a: 0, b: 0, cmp: 0, zero: true},
		{a: -1, b: 0, cmp: -1, negative: true},
		{a: math.MinInt64, b: math.MaxInt64, cmp: -1, negative: true},
	}
	for _, tt := range tests {
		if got := tt.a.Cmp(tt.b); got != tt.cmp {
			t.Errorf("Cmp(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.cmp)
		}
		if got := tt.a.IsNegative(); got != tt.negative {
			t.Errorf("IsNegative(%d) = %v", tt.a, got)
		}
		if got := tt.a.IsZero(); got != tt.zero {
			t.Errorf("IsZero(%d) = %v", tt.a, got)
		}
	}
}

func TestUnits(t *testing.T) {
	if a := money.FromUnits(-7); a.Units() != -7 || a.String() != "-0.00007" {
		t.Errorf("FromUnits(-7) = %s (%d units)", a, a.Units())
	}
}

func TestFromRat(t *testing.T) {
	tests := []struct {
		rat  string
		want money.Amount
	}{
		{"0.000005", 1},
		{"-0.000005", -1},
		{"0.0000049", 0},
		{"-0.0000049", 0},
		{"0.0000051", 1},
		{"0.000015", 2}, // half away from zero, not half to even
		{"-0.000015", -2},
		{"0.000025", 3},
		{"1/3", 33333},
		{"2/3", 66667},
		{"-2/3", -66667},
		{"1.5", 150000},
		{"0", 0},
		{"92233720368547.758074", math.MaxInt64},
		{"-92233720368547.758084", math.MinInt64},
		// A per-minute rate of 0.0123 for 7 seconds: exact 0.001435.
		{"0.0123*7/60", 144},
	}
	for _, tt := range tests {
		r := rat(t, tt.rat)
		got, err := money.FromRat(r)
		if err != nil {
			t.Errorf("FromRat(%s): %v", tt.rat, err)
			continue
		}
		if got != tt.want {
			t.Errorf("FromRat(%s) = %s, want %s", tt.rat, got, tt.want)
		}
	}
}

func TestFromRatDoesNotModifyInput(t *testing.T) {
	r := big.NewRat(-1, 3)
	if _, err := money.FromRat(r); err != nil {
		t.Fatal(err)
	}
	if r.Cmp(big.NewRat(-1, 3)) != 0 {
		t.Errorf("FromRat changed its argument to %s", r)
	}
}

func TestFromRatRejects(t *testing.T) {
	tests := []struct {
		r    *big.Rat
		want error
	}{
		{nil, money.ErrInvalid},
		{rat(t, "92233720368547.758075"), money.ErrOverflow},
		{rat(t, "-92233720368547.758085"), money.ErrOverflow},
		{rat(t, "1e30"), money.ErrOverflow},
	}
	for _, tt := range tests {
		if got, err := money.FromRat(tt.r); !errors.Is(err, tt.want) {
			t.Errorf("FromRat(%v) = %s, %v; want %v", tt.r, got, err, tt.want)
		}
	}
}

func TestRat(t *testing.T) {
	for _, a := range []money.Amount{0, 1, -1, 150000, math.MaxInt64, math.MinInt64} {
		r := a.Rat()
		want := new(big.Rat).SetFrac(big.NewInt(int64(a)), big.NewInt(money.Scale))
		if r.Cmp(want) != 0 {
			t.Errorf("Rat(%d) = %s", a, r)
		}
		back, err := money.FromRat(r)
		if err != nil || back != a {
			t.Errorf("FromRat(Rat(%d)) = %d, %v", a, back, err)
		}
	}
	if got := money.Amount(150000).Rat().RatString(); got != "3/2" {
		t.Errorf("Rat(1.5) = %s, want 3/2", got)
	}
}

// rat parses a decimal or fraction, allowing one "*" product for readable
// rating examples.
func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r := new(big.Rat).SetInt64(1)
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '*' {
			f, ok := new(big.Rat).SetString(s[start:i])
			if !ok {
				t.Fatalf("bad rational %q", s)
			}
			r.Mul(r, f)
			start = i + 1
		}
	}
	return r
}

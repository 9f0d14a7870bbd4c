package money_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"switchboard/internal/money"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "+1.5", "12.345", "1.234567", "1e2", "NaN", "",
		"92233720368547.75807", "-92233720368547.75808", "92233720368547.75808",
		"-0.00001", ".5", "1.", "007", "99999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := money.Parse(s)
		if err != nil {
			if !errors.Is(err, money.ErrInvalid) && !errors.Is(err, money.ErrTooManyDecimals) &&
				!errors.Is(err, money.ErrOverflow) {
				t.Fatalf("Parse(%q) error %v wraps no sentinel", s, err)
			}
			return
		}
		back, err := money.Parse(a.String())
		if err != nil || back != a {
			t.Fatalf("Parse(%q) = %d but Parse(%q) = %d, %v", s, a, a.String(), back, err)
		}
		// Text and JSON must agree with Parse on every accepted input.
		var j money.Amount
		if err := json.Unmarshal([]byte(`"`+a.String()+`"`), &j); err != nil || j != a {
			t.Fatalf("JSON string of %q decoded to %d, %v", a.String(), j, err)
		}
	})
}

func FuzzFromUnitsString(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 99999, -100000, math.MaxInt64, math.MinInt64} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		a := money.FromUnits(n)
		back, err := money.Parse(a.String())
		if err != nil || back != a {
			t.Fatalf("Parse(%q) = %d, %v; want %d", a.String(), back, err, n)
		}
		if r, err := money.FromRat(a.Rat()); err != nil || r != a {
			t.Fatalf("FromRat(Rat(%d)) = %d, %v", n, r, err)
		}
	})
}

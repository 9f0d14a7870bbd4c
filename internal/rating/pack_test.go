package rating_test

import (
	"testing"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

func TestPackCost(t *testing.T) {
	// 0.012 a minute after the first interval, 10 % surcharge, a connect
	// fee that a call within a pack never pays.
	r := &rating.Rate{ID: 1, Prefix: "44", Type: rating.International, Interval1: 30, IntervalN: 6,
		ConnectFee: 500, PostcallSurcharge: 10000, Price1: 2000, PriceN: 1200}
	for _, tc := range []struct {
		name            string
		billed, covered int64
		want            money.Amount
	}{
		{"fully covered", 120, 120, 0},
		{"more pack than call", 60, 600, 0},
		// 30 s left at 0.012/min = 0.006, +10 % = 0.0066.
		{"pack runs out", 90, 60, 660},
		// 1 s left: 0.0002 exactly, +10 % = 0.00022.
		{"one second left", 61, 60, 22},
		// 7 s: 0.0014 * 1.1 = 0.00154.
		{"seven seconds left", 67, 60, 154},
		{"nothing billed", 0, 10, 0},
	} {
		got, err := rating.PackCost(r, tc.billed, tc.covered)
		if err != nil || got != tc.want {
			t.Errorf("%s: PackCost(%d, %d) = %s, %v; want %s", tc.name, tc.billed, tc.covered, got, err, tc.want)
		}
	}
	// Half away from zero: 1 s at 0.00030/min is 0.000005 exactly.
	half := &rating.Rate{ID: 2, Prefix: "1", Interval1: 1, IntervalN: 1, PriceN: 30}
	if got, _ := rating.PackCost(half, 2, 1); got != 1 {
		t.Errorf("half a unit rounds to %s; want 0.00001", got)
	}
	if _, err := rating.PackCost(r, -1, 0); err == nil {
		t.Error("negative billed seconds accepted")
	}
	if _, err := rating.PackCost(nil, 1, 0); err == nil {
		t.Error("nil rate accepted")
	}
}

package rating_test

import (
	"errors"
	"math"
	"testing"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

func amount(s string) money.Amount {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// plain is the rate most cases start from: 0.05 to connect, 1.2 a minute
// for a 30 s first interval, 0.6 a minute in 6 s steps, no free seconds, no
// grace, no surcharge. So the first interval costs 1.2·30/60 = 0.6 and each
// further step 0.6·6/60 = 0.06.
func plain() rating.Rate {
	return rating.Rate{
		ID: 7, Prefix: "44", Type: rating.International,
		Interval1: 30, IntervalN: 6,
		ConnectFee: amount("0.05"), Price1: amount("1.2"), PriceN: amount("0.6"),
	}
}

func with(f func(*rating.Rate)) rating.Rate {
	r := plain()
	f(&r)
	return r
}

func TestCost(t *testing.T) {
	maxAmount := money.Amount(math.MaxInt64)
	tests := []struct {
		name   string
		rate   rating.Rate
		d      int64
		cost   string // hand-computed, in the comment
		billed int64
		err    error // a sentinel the error must wrap, if any
	}{
		// d = 0, no grace: n = 0; 0.05 + 0.6 = 0.65, billed I1 = 30.
		{name: "zero seconds without grace pays first interval", rate: plain(), d: 0, cost: "0.65000", billed: 30},
		// d < I1: still n = 0, the whole first interval is billed.
		{name: "inside first interval", rate: plain(), d: 10, cost: "0.65000", billed: 30},
		{name: "exactly first interval", rate: plain(), d: 30, cost: "0.65000", billed: 30},
		// x = 1, n = ceil(1/6) = 1: 0.65 + 0.06 = 0.71, billed 30 + 6.
		{name: "one second over first interval", rate: plain(), d: 31, cost: "0.71000", billed: 36},
		// x = 6, n = 1 exactly: still 0.71.
		{name: "exact multiple of interval_n", rate: plain(), d: 36, cost: "0.71000", billed: 36},
		// x = 7, n = 2: 0.65 + 0.12 = 0.77, billed 42.
		{name: "one second over a multiple", rate: plain(), d: 37, cost: "0.77000", billed: 42},
		// x = 3570, n = 595: 0.65 + 595·0.06 = 0.65 + 35.7 = 36.35, billed 30 + 3570.
		{name: "an hour", rate: plain(), d: 3600, cost: "36.35000", billed: 3600},

		// Grace 5: d = 4 is free and unbilled; d = 5 is priced like d = 0.
		{name: "grace minus one", rate: with(func(r *rating.Rate) { r.GracePeriod = 5 }), d: 4, cost: "0.00000", billed: 0},
		{name: "grace exactly", rate: with(func(r *rating.Rate) { r.GracePeriod = 5 }), d: 5, cost: "0.65000", billed: 30},
		// Grace beyond I1: d = 39 < 40 is free even though it spans I1.
		{name: "grace longer than first interval", rate: with(func(r *rating.Rate) { r.GracePeriod = 40 }), d: 39, cost: "0", billed: 0},
		// d = 40 >= grace: x = 10, n = 2: 0.77, billed 42.
		{name: "grace over, priced from zero", rate: with(func(r *rating.Rate) { r.GracePeriod = 40 }), d: 40, cost: "0.77000", billed: 42},

		// Free 20: x = 50 - 30 - 20 = 0, n = 0: 0.65, billed 30.
		{name: "inside free seconds", rate: with(func(r *rating.Rate) { r.FreeSeconds = 20 }), d: 50, cost: "0.65000", billed: 30},
		// x = 1, n = 1: 0.71; billed is I1 + n·IN = 36 (free seconds are not billed).
		{name: "one second past free seconds", rate: with(func(r *rating.Rate) { r.FreeSeconds = 20 }), d: 51, cost: "0.71000", billed: 36},

		// Connect fee only, 60 s steps: x = 940, n = ceil(940/60) = 16, billed 60 + 960.
		{name: "connect fee alone", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 60, IntervalN: 60,
			ConnectFee: amount("0.12345")}, d: 1000, cost: "0.12345", billed: 1020},

		// 0.01/min for 1 s = 0.000166666...; ×1.1 = 0.00018333... → 0.00018.
		// Rounding the base first would give 0.00017·1.1 = 0.000187 → 0.00019.
		{name: "surcharge rounds once", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			Price1: amount("0.01"), PostcallSurcharge: amount("0.1")}, d: 1, cost: "0.00018", billed: 1},
		// Without surcharge the same call is 0.000166666... → 0.00017.
		{name: "no surcharge rounds up past half", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			Price1: amount("0.01")}, d: 1, cost: "0.00017", billed: 1},
		// 0.0003/min for 1 s = 0.000005 exactly: half rounds away → 0.00001.
		{name: "exact half via the minute division", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			Price1: amount("0.0003")}, d: 1, cost: "0.00001", billed: 1},
		// 0.00029/60 = 0.0000048333... is below half → 0.
		{name: "just below half", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			Price1: amount("0.00029")}, d: 1, cost: "0.00000", billed: 1},
		// 0.00003·1.5 = 0.000045 exactly: half away gives 0.00005 (half-even would give 0.00004).
		{name: "exact half via the surcharge", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			ConnectFee: amount("0.00003"), PostcallSurcharge: amount("0.5")}, d: 1, cost: "0.00005", billed: 1},
		// 100 % surcharge doubles: 0.65·2 = 1.3.
		{name: "whole surcharge", rate: with(func(r *rating.Rate) { r.PostcallSurcharge = amount("1") }), d: 0, cost: "1.30000", billed: 30},

		// 1e6/min, 1 s steps, d = 2^31: n = 2^31 - 1, billed 2^31. Units:
		// 1e11·2^31 / 60 = 214748364800000000000/60 = 3579139413333333333.33… → …333.
		// The numerator needs 68 bits.
		{name: "huge price and duration", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			Price1: amount("1000000"), PriceN: amount("1000000")}, d: 1 << 31, cost: "35791394133333.33333", billed: 1 << 31},
		// Same ×2.5: 536870912000000000000/60 = 8947848533333333333.33… → …333.
		{name: "huge with surcharge still fits", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			Price1: amount("1000000"), PriceN: amount("1000000"), PostcallSurcharge: amount("1.5")}, d: 1 << 31,
			cost: "89478485333333.33333", billed: 1 << 31},
		// ×3 would be 10737418240000000000 units > MaxInt64.
		{name: "huge with surcharge overflows", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			Price1: amount("1000000"), PriceN: amount("1000000"), PostcallSurcharge: amount("2")}, d: 1 << 31,
			err: money.ErrOverflow},
		// The largest Amount as a connect fee is representable…
		{name: "max connect fee", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			ConnectFee: maxAmount}, d: 1, cost: "92233720368547.75807", billed: 1},
		// …and 0.001 % on top of it is not.
		{name: "max connect fee plus a hair", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			ConnectFee: maxAmount, PostcallSurcharge: 1}, d: 1, err: money.ErrOverflow},
		// Every money field at its maximum: 128 bits overflow, still an error.
		{name: "everything at maximum", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: math.MaxInt32,
			IntervalN: math.MaxInt32, ConnectFee: maxAmount, Price1: maxAmount, PriceN: maxAmount, PostcallSurcharge: maxAmount},
			d: math.MaxInt64, err: money.ErrOverflow},
		// d = MaxInt64, I1 = 1, IN = 2^31-1: x = 2^63-2 = 2·(2^31-1)(2^31+1), a
		// multiple of IN, so billed = 1 + x = MaxInt64 exactly.
		{name: "billed seconds at the int64 limit", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1,
			IntervalN: math.MaxInt32}, d: math.MaxInt64, cost: "0", billed: math.MaxInt64},
		// I1 = 2: x = 2^63-3 rounds up to 2^63-2, billed = 2^63: too long.
		{name: "billed seconds overflow", rate: rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 2,
			IntervalN: math.MaxInt32}, d: math.MaxInt64, err: money.ErrOverflow},

		{name: "negative duration", rate: plain(), d: -1, err: rating.ErrDurationInvalid},
		{name: "negative duration inside grace", rate: with(func(r *rating.Rate) { r.GracePeriod = 5 }), d: -1,
			err: rating.ErrDurationInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cost, billed, err := rating.Cost(&tt.rate, tt.d)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Cost = %s, %d, %v; want error %v", cost, billed, err, tt.err)
				}
			} else if err != nil || cost != amount(tt.cost) || billed != tt.billed {
				t.Fatalf("Cost = %s, %d, %v; want %s, %d", cost, billed, err, tt.cost, tt.billed)
			}
			// The reference must agree on every hand-worked case, or one
			// of the two has misread the formula.
			rc, rb, rerr := rating.ReferenceCost(&tt.rate, tt.d)
			if (rerr != nil) != (err != nil) || rc != cost || rb != billed {
				t.Fatalf("ReferenceCost = %s, %d, %v; Cost = %s, %d, %v", rc, rb, rerr, cost, billed, err)
			}
		})
	}
}

func TestCostRejectsInvalidNumbers(t *testing.T) {
	tests := []struct {
		field string
		mut   func(*rating.Rate)
	}{
		{"free_seconds", func(r *rating.Rate) { r.FreeSeconds = -1 }},
		{"grace_period", func(r *rating.Rate) { r.GracePeriod = -1 }},
		{"interval_1", func(r *rating.Rate) { r.Interval1 = 0 }},
		{"interval_n", func(r *rating.Rate) { r.IntervalN = 0 }},
		{"connect_fee", func(r *rating.Rate) { r.ConnectFee = -1 }},
		{"postcall_surcharge", func(r *rating.Rate) { r.PostcallSurcharge = -1 }},
		{"price_1", func(r *rating.Rate) { r.Price1 = -1 }},
		{"price_n", func(r *rating.Rate) { r.PriceN = -1 }},
	}
	for _, tt := range tests {
		r := with(tt.mut)
		for name, f := range map[string]func(*rating.Rate, int64) (money.Amount, int64, error){
			"Cost": rating.Cost, "ReferenceCost": rating.ReferenceCost,
		} {
			// A duration inside the grace period must not skip the check:
			// a bad rate is a bug whatever the call.
			_, _, err := f(&r, 0)
			var fe *rating.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("%s with bad %s: error %v, want a FieldError naming it", name, tt.field, err)
			}
		}
	}
	if _, _, err := rating.Cost(nil, 1); err == nil {
		t.Error("Cost(nil) succeeded")
	}
}

func TestCostDoesNotAllocate(t *testing.T) {
	r := with(func(r *rating.Rate) { r.PostcallSurcharge = amount("0.1") })
	n := testing.AllocsPerRun(1000, func() {
		if _, _, err := rating.Cost(&r, 3600); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("Cost allocates %v times per call", n)
	}
}

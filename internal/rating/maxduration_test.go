package rating_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

// bruteMaxDuration scans up from 0. Cost never decreases, so the first
// unaffordable d ends the scan; callers keep answers small.
func bruteMaxDuration(t *testing.T, r *rating.Rate, balance money.Amount) int64 {
	best := int64(-1)
	for d := int64(0); d <= rating.MaxCallDuration; d++ {
		c, _, err := rating.Cost(r, d)
		if err != nil {
			t.Fatal(err)
		}
		if c > balance {
			break
		}
		best = d
	}
	return max(best, 0)
}

func TestMaxDurationHandPicked(t *testing.T) {
	tests := []struct {
		name    string
		rate    rating.Rate
		balance string
		want    int64
	}{
		// plain: 0.65 buys up to 30 s; each 0.06 more buys 6 s more.
		{"below the first interval", plain(), "0.64999", 0},
		{"exactly the first interval", plain(), "0.65", 30},
		{"one step", plain(), "0.71", 36},
		{"just short of two steps", plain(), "0.76999", 36},
		// 36.35 is an hour (see TestCost).
		{"an hour", plain(), "36.35", 3600},
		{"negative balance", plain(), "-1", 0},
		// With grace 10 anything under 10 s is free, so even a balance of 0
		// buys 9 s; 0.65 buys the first interval as before.
		{"grace makes short calls free", with(func(r *rating.Rate) { r.GracePeriod = 10 }), "0", 9},
		{"grace and first interval", with(func(r *rating.Rate) { r.GracePeriod = 10 }), "0.65", 30},
		// Free 20 s stretch the first 0.65 to 50 s.
		{"free seconds", with(func(r *rating.Rate) { r.FreeSeconds = 20 }), "0.65", 50},
		// Connect fee and first interval only: every duration costs 0.65.
		{"flat rate", with(func(r *rating.Rate) { r.PriceN = 0 }), "0.65", rating.MaxCallDuration},
		{"free rate", rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1}, "0", rating.MaxCallDuration},
		// A week at 0.6/min in 6 s steps is 0.65 + 100795·0.06 = 6048.35.
		{"a week exactly", plain(), "6048.35", rating.MaxCallDuration},
		{"huge balance", plain(), "92233720368547.75807", rating.MaxCallDuration},
		// n = d-1 minutes at MaxInt64 units a minute: d = 61 costs exactly
		// MaxInt64; d = 62 overflows, which counts as unaffordable.
		{"overflowing prices", rating.Rate{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1,
			PriceN: math.MaxInt64}, "92233720368547.75807", 61},
	}
	for _, tt := range tests {
		got, err := rating.MaxDuration(&tt.rate, amount(tt.balance))
		if err != nil || got != tt.want {
			t.Errorf("%s: MaxDuration = %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
	bad := with(func(r *rating.Rate) { r.IntervalN = 0 })
	if _, err := rating.MaxDuration(&bad, 100); err == nil {
		t.Error("MaxDuration accepted an invalid rate")
	}
}

func TestMaxDurationMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 300; i++ {
		r := rating.Rate{
			Prefix: "1", Type: rating.Local,
			FreeSeconds: int32(rng.IntN(3) * rng.IntN(40)),
			GracePeriod: int32(rng.IntN(2) * rng.IntN(20)),
			Interval1:   int32(1 + rng.IntN(60)),
			IntervalN:   int32(1 + rng.IntN(60)),
			ConnectFee:  money.Amount(rng.IntN(2) * rng.IntN(50000)),
			// Prices of at least 0.1/min keep brute-force scans short.
			Price1:            money.Amount(10000 + rng.IntN(200000)),
			PriceN:            money.Amount(10000 + rng.IntN(200000)),
			PostcallSurcharge: money.Amount(rng.IntN(2) * rng.IntN(30000)),
		}
		prev := int64(0)
		for _, balance := range []money.Amount{0, 1, 17, 5000, 65000, 100000, 333333, 1000000} {
			got, err := rating.MaxDuration(&r, balance)
			if err != nil {
				t.Fatal(err)
			}
			if want := bruteMaxDuration(t, &r, balance); got != want {
				t.Fatalf("%+v balance %s: MaxDuration = %d, brute force %d", r, balance, got, want)
			}
			if got < prev {
				t.Fatalf("%+v: MaxDuration fell from %d to %d as balance rose to %s", r, prev, got, balance)
			}
			prev = got
		}
	}
}

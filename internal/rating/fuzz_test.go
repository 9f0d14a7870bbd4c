package rating_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

// checkAgainstReference fails unless Cost and ReferenceCost give the same
// cost, the same billed seconds and the same error-ness for r and d.
func checkAgainstReference(t *testing.T, r *rating.Rate, d int64) {
	t.Helper()
	c, b, err := rating.Cost(r, d)
	rc, rb, rerr := rating.ReferenceCost(r, d)
	if (err != nil) != (rerr != nil) || c != rc || b != rb {
		t.Fatalf("rate %+v, d %d: Cost = %s, %d, %v; ReferenceCost = %s, %d, %v", *r, d, c, b, err, rc, rb, rerr)
	}
	// Only three kinds of failure exist; anything else is a bug.
	var fe *rating.FieldError
	if err != nil && !errors.Is(err, money.ErrOverflow) && !errors.Is(err, rating.ErrDurationInvalid) && !errors.As(err, &fe) {
		t.Fatalf("rate %+v, d %d: unexpected error %v", *r, d, err)
	}
}

func FuzzCost(f *testing.F) {
	type seed struct {
		free, grace, i1, in     int32
		connect, sur, p1, pn, d int64
	}
	for _, s := range []seed{
		{0, 0, 30, 6, 5000, 0, 120000, 60000, 37},
		{20, 5, 60, 60, 12345, 10000, 1000, 1000, 0},
		{0, 0, 1, 1, 0, 0, 30, 0, 1},
		{0, 0, 1, 1, 0, 0, 1e11, 1e11, 1 << 31},
		{0, 0, 1, 1, math.MaxInt64, 1, 0, 0, 1},
		{0, 0, 1, math.MaxInt32, 0, 0, 0, 0, math.MaxInt64},
		{math.MaxInt32, math.MaxInt32, math.MaxInt32, math.MaxInt32, math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{-1, 0, 0, 1, -5, 0, 0, 0, -1},
	} {
		f.Add(s.free, s.grace, s.i1, s.in, s.connect, s.sur, s.p1, s.pn, s.d)
	}
	f.Fuzz(func(t *testing.T, free, grace, i1, in int32, connect, sur, p1, pn, d int64) {
		r := rating.Rate{Prefix: "1", Type: rating.Local, FreeSeconds: free, GracePeriod: grace,
			Interval1: i1, IntervalN: in, ConnectFee: money.Amount(connect), PostcallSurcharge: money.Amount(sur),
			Price1: money.Amount(p1), PriceN: money.Amount(pn)}
		checkAgainstReference(t, &r, d)
	})
}

// TestCostMatchesReference is FuzzCost's deterministic sibling for plain
// `go test`: magnitudes drawn on a log scale so that cheap everyday rates,
// the 64-bit boundary and the int64 limit of the result all get hit.
func TestCostMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 3))
	logUniform := func(maxBits int) int64 {
		switch rng.IntN(8) {
		case 0:
			return 0
		case 1:
			return int64(uint64(1)<<maxBits - 1) // the maximum
		}
		b := rng.IntN(maxBits)
		return rng.Int64N(int64(1) << b)
	}
	priced := 0
	for i := 0; i < 40000; i++ {
		r := rating.Rate{
			Prefix: "1", Type: rating.Local,
			FreeSeconds:       int32(logUniform(31)),
			GracePeriod:       int32(logUniform(31) / int64(1+rng.IntN(1000))),
			Interval1:         int32(max(1, logUniform(31))),
			IntervalN:         int32(max(1, logUniform(31))),
			ConnectFee:        money.Amount(logUniform(63)),
			PostcallSurcharge: money.Amount(logUniform(63)),
			Price1:            money.Amount(logUniform(63)),
			PriceN:            money.Amount(logUniform(63)),
		}
		checkAgainstReference(t, &r, logUniform(63))
		d := logUniform(32)
		checkAgainstReference(t, &r, d)
		if _, _, err := rating.Cost(&r, d); err == nil {
			priced++
		}
	}
	// Mostly overflow would test little but the overflow check.
	if priced < 12000 {
		t.Errorf("only %d of 40000 random calls priced without error", priced)
	}
}

// FuzzMatch checks the matcher's own parsing (eight bytes at a time for
// common lengths, a byte at a time otherwise) against brute force, on
// decks of every direct-index width.
func FuzzMatch(f *testing.F) {
	rng := rand.New(rand.NewPCG(99, 1))
	prefixes := genPrefixes(rng, 400, 4)
	prefixes = append(prefixes, "5", "55", "5555555", "555555555555555", "5555555555555555555555")
	set := make(map[string]bool, len(prefixes))
	var decks []*rating.Deck
	for _, p := range prefixes {
		set[p] = true
	}
	for k := 1; k <= 6; k++ {
		d, err := rating.NewDeckK(ratesFor(prefixes), k)
		if err != nil {
			f.Fatal(err)
		}
		decks = append(decks, d)
	}
	for _, s := range []string{"", "5", "55555555", "5555555555555555", "55555555555555555", "0123x4567",
		"3210321032103210321032103210321032103", "12345678\xff", prefixes[0] + "999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, wok := bruteMatch(set, s)
		for k, d := range decks {
			r, ok := d.Match(s)
			if ok != wok || (ok && r.Prefix != want) {
				t.Fatalf("k=%d Match(%q) = %v, %v; want %q, %v", k+1, s, r, ok, want, wok)
			}
		}
	})
}

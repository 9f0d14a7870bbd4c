package rating_test

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

// benchPrefixes returns n distinct prefixes shaped like a real tariff: 1 %
// of 1-3 digits, 85 % of 4-10, 14 % of 11-15.
func benchPrefixes(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 1))
	seen := make(map[string]struct{}, n)
	out := make([]string, 0, n)
	var b [15]byte
	for len(out) < n {
		var l int
		switch x := rng.IntN(100); {
		case x < 1:
			l = 1 + rng.IntN(3)
		case x < 86:
			l = 4 + rng.IntN(7)
		default:
			l = 11 + rng.IntN(5)
		}
		for i := range l {
			b[i] = byte('0' + rng.IntN(10))
		}
		if _, dup := seen[string(b[:l])]; dup {
			continue
		}
		p := string(b[:l])
		seen[p] = struct{}{}
		out = append(out, p)
	}
	return out
}

// benchDestinations returns 2^20 destinations of 11-15 digits: 70 % extend
// a deck prefix (a tariff mostly sees numbers it has rates for), 30 % are
// random digits.
func benchDestinations(prefixes []string, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]string, 1<<20)
	var b [20]byte
	for i := range out {
		want := 11 + rng.IntN(5)
		l := 0
		if rng.IntN(10) < 7 {
			l = copy(b[:], prefixes[rng.IntN(len(prefixes))])
			want = max(want, l+1+rng.IntN(2))
		}
		for ; l < want; l++ {
			b[l] = byte('0' + rng.IntN(10))
		}
		out[i] = string(b[:want])
	}
	return out
}

type benchSet struct {
	prefixes []string
	rates    []rating.Rate
	deck     *rating.Deck
	dests    []string
}

var benchSets sync.Map // size → func() *benchSet

// loadBench builds each size once per process: generating a million
// prefixes takes longer than the benchmarks that use them.
func loadBench(b *testing.B, n int) *benchSet {
	b.Helper()
	f, _ := benchSets.LoadOrStore(n, sync.OnceValue(func() *benchSet {
		s := &benchSet{prefixes: benchPrefixes(n, uint64(n))}
		s.rates = ratesFor(s.prefixes)
		d, err := rating.NewDeck(s.rates)
		if err != nil {
			panic(err)
		}
		s.deck = d
		s.dests = benchDestinations(s.prefixes, uint64(n))
		return s
	}))
	return f.(func() *benchSet)()
}

var sinkRate *rating.Rate

func benchMatch(b *testing.B, n int) {
	s := loadBench(b, n)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkRate, _ = s.deck.Match(s.dests[i&(1<<20-1)])
		i++
	}
	// After the loop: resetting the timer drops reported metrics.
	b.ReportMetric(float64(rating.MatcherBytes(s.deck))/float64(n), "matcherB/prefix")
}

func BenchmarkMatch100k(b *testing.B) { benchMatch(b, 100_000) }
func BenchmarkMatch1M(b *testing.B)   { benchMatch(b, 1_000_000) }

var sinkAmount money.Amount

func BenchmarkCost(b *testing.B) {
	rates := []rating.Rate{
		plain(),
		with(func(r *rating.Rate) { r.PostcallSurcharge, r.GracePeriod, r.FreeSeconds = 12345, 3, 10 }),
		{Prefix: "1", Type: rating.Local, Interval1: 1, IntervalN: 1, Price1: 1e11, PriceN: 1e11, PostcallSurcharge: 150000},
	}
	durations := []int64{0, 7, 31, 59, 61, 600, 3600, 1 << 31}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c, _, _ := rating.Cost(&rates[i%len(rates)], durations[i%len(durations)])
		sinkAmount += c
		i++
	}
}

func BenchmarkRate1M(b *testing.B) {
	s := loadBench(b, 1_000_000)
	dests := make([]string, len(s.dests))
	for i, d := range s.dests {
		dests[i] = "+" + d
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		res, _ := s.deck.Rate(dests[i&(1<<20-1)], int64(i&1023))
		sinkAmount += res.Cost
		i++
	}
}

func BenchmarkNewDeck1M(b *testing.B) {
	s := loadBench(b, 1_000_000)
	// Heap growth for one deck, the copied rates included; the prefix
	// strings are shared with the input and not counted.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := rating.NewDeck(s.rates)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(d)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rating.NewDeck(s.rates); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(heap/1e6, "heapB/prefix")
	b.ReportMetric(float64(rating.MatcherBytes(d))/1e6, "matcherB/prefix")
}

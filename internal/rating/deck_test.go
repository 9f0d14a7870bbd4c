package rating_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"switchboard/internal/rating"
)

// genPrefixes returns n distinct prefixes over the first alphabet digits.
// A small alphabet makes prefixes of each other common; the mix includes
// single digits, realistic 4-10 digit prefixes, extensions of earlier
// prefixes by one or a few digits, and a few of 33-64 digits that only an
// over-long input can match.
func genPrefixes(rng *rand.Rand, n, alphabet int) []string {
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	digits := func(l int) string {
		b := make([]byte, l)
		for i := range b {
			b[i] = byte('0' + rng.IntN(alphabet))
		}
		return string(b)
	}
	for tries := 0; len(out) < n && tries < 50*n+1000; tries++ {
		var p string
		switch x := rng.IntN(100); {
		case x < 5:
			p = digits(1 + rng.IntN(3))
		case x < 60:
			p = digits(4 + rng.IntN(7))
		case x < 70:
			p = digits(11 + rng.IntN(5))
		case x < 93 && len(out) > 0:
			p = out[rng.IntN(len(out))] + digits(1+rng.IntN(3))
		case x < 97:
			p = digits(16 + rng.IntN(17)) // up to MaxDigits
		default:
			p = digits(33 + rng.IntN(32)) // 33..64
		}
		if len(p) > rating.MaxPrefixLen || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

func ratesFor(prefixes []string) []rating.Rate {
	rates := make([]rating.Rate, len(prefixes))
	for i, p := range prefixes {
		rates[i] = rating.Rate{ID: int64(i), Prefix: p, Type: rating.International, Interval1: 60, IntervalN: 60,
			Price1: 1000, PriceN: 1000}
	}
	return rates
}

// bruteMatch is the specification of Match: the longest prefix of s that
// is in the set.
func bruteMatch(set map[string]bool, s string) (string, bool) {
	for l := min(len(s), rating.MaxPrefixLen); l > 0; l-- {
		if set[s[:l]] {
			return s[:l], true
		}
	}
	return "", false
}

// genQueries mixes inputs that extend a deck prefix (the common case),
// cut one short, random digits, over-long inputs and stray non-digits.
func genQueries(rng *rand.Rand, prefixes []string, n, alphabet int) []string {
	q := make([]string, 0, n)
	extra := func(l int) string {
		b := make([]byte, l)
		for i := range b {
			b[i] = byte('0' + rng.IntN(alphabet))
		}
		return string(b)
	}
	for len(q) < n {
		var s string
		p := ""
		if len(prefixes) > 0 {
			p = prefixes[rng.IntN(len(prefixes))]
		}
		switch x := rng.IntN(100); {
		case x < 45:
			s = p + extra(rng.IntN(12))
		case x < 55:
			s = p[:rng.IntN(len(p)+1)]
		case x < 80:
			s = extra(rng.IntN(20))
		case x < 90:
			s = p + extra(rng.IntN(70))
		default:
			s = p + extra(rng.IntN(5))
			i := rng.IntN(len(s) + 1)
			s = s[:i] + "x" + s[i:]
		}
		q = append(q, s)
	}
	return q
}

func TestDeckMatchesBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		for _, size := range []int{0, 1, 9, 80, 700, 6000} {
			for _, alphabet := range []int{2, 10} {
				rng := rand.New(rand.NewPCG(seed, uint64(size*16+alphabet)))
				prefixes := genPrefixes(rng, size, alphabet)
				set := make(map[string]bool, len(prefixes))
				for _, p := range prefixes {
					set[p] = true
				}
				queries := genQueries(rng, prefixes, 3000, alphabet)
				rates := ratesFor(prefixes)
				decks := map[string]*rating.Deck{}
				d, err := rating.NewDeck(rates)
				if err != nil {
					t.Fatal(err)
				}
				decks["auto"] = d
				// Every direct-index width, including the widest, on the
				// same rates: each must agree with brute force.
				for k := 1; k <= 6; k++ {
					if decks[fmt.Sprint("k", k)], err = rating.NewDeckK(rates, k); err != nil {
						t.Fatal(err)
					}
				}
				for name, d := range decks {
					if d.Len() != len(prefixes) {
						t.Fatalf("%s: Len = %d, want %d", name, d.Len(), len(prefixes))
					}
					for _, s := range queries {
						want, wok := bruteMatch(set, s)
						r, ok := d.Match(s)
						if ok != wok || (ok && r.Prefix != want) {
							got := ""
							if ok {
								got = r.Prefix
							}
							t.Fatalf("seed %d size %d alphabet %d %s: Match(%q) = %q, %v; want %q, %v",
								seed, size, alphabet, name, s, got, ok, want, wok)
						}
						if ok && rates[r.ID].Prefix != r.Prefix {
							t.Fatalf("Match(%q) returned rate %d with prefix %q", s, r.ID, r.Prefix)
						}
					}
				}
			}
		}
	}
}

func TestDeckHandPicked(t *testing.T) {
	prefixes := []string{"1", "12", "1212", "121255", "44", "4420", "442079", "7",
		strings.Repeat("9", 64), strings.Repeat("9", 33), strings.Repeat("9", 32), "99"}
	tests := []struct{ in, want string }{
		{"12125550100", "121255"},
		{"12125", "1212"},
		{"121", "12"},
		{"1", "1"},
		{"13", "1"},
		{"442079460958", "442079"},
		{"442179460958", "44"},
		{"4420", "4420"},
		{"3", ""},
		{"", ""},
		{"x44", ""},
		{"44x2079", "44"},
		{"7" + strings.Repeat("0", 40), "7"},
		{strings.Repeat("9", 31), "99"},
		{strings.Repeat("9", 32), strings.Repeat("9", 32)},
		{strings.Repeat("9", 40), strings.Repeat("9", 33)},
		{strings.Repeat("9", 70), strings.Repeat("9", 64)},
		{strings.Repeat("9", 50) + "x" + strings.Repeat("9", 20), strings.Repeat("9", 33)},
	}
	for k := 1; k <= 6; k++ {
		d, err := rating.NewDeckK(ratesFor(prefixes), k)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			got := ""
			if r, ok := d.Match(tt.in); ok {
				got = r.Prefix
			}
			if got != tt.want {
				t.Errorf("k=%d Match(%q) = %q, want %q", k, tt.in, got, tt.want)
			}
		}
	}
}

func TestNewDeckRejects(t *testing.T) {
	long := strings.Repeat("5", 40)
	tests := []struct {
		name     string
		prefixes []string
		mention  string
	}{
		{"short duplicate", []string{"4", "44", "4"}, `"4"`},
		{"long duplicate", []string{"44207946", "1", "44207946"}, `"44207946"`},
		{"duplicate beyond MaxDigits", []string{long, "1", long}, long},
	}
	for _, tt := range tests {
		for k := 1; k <= 3; k++ {
			_, err := rating.NewDeckK(ratesFor(tt.prefixes), k)
			if err == nil || !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("%s (k=%d): error %v, want one naming %s", tt.name, k, err, tt.mention)
			}
		}
	}
	bad := ratesFor([]string{"1", "2"})
	bad[1].Interval1 = 0
	_, err := rating.NewDeck(bad)
	var fe *rating.FieldError
	if !errors.As(err, &fe) || fe.Field != "interval_1" || !strings.Contains(err.Error(), `rate 1 (prefix "2")`) {
		t.Errorf("invalid rate: error %v, want a FieldError for interval_1 naming rate 1", err)
	}
}

func TestDeckCopiesRates(t *testing.T) {
	rates := ratesFor([]string{"44"})
	d, err := rating.NewDeck(rates)
	if err != nil {
		t.Fatal(err)
	}
	rates[0].Price1 = 999
	rates[0].Prefix = "1"
	if r, ok := d.Match("4420"); !ok || r.Price1 != 1000 {
		t.Errorf("a change to the input slice reached the deck: %+v, %v", r, ok)
	}
}

func TestNilDeckIsEmpty(t *testing.T) {
	var d *rating.Deck
	if d.Len() != 0 {
		t.Error("nil deck has rates")
	}
	if _, ok := d.Match("44"); ok {
		t.Error("nil deck matched")
	}
	if _, err := d.Rate("44", 10); !errors.Is(err, rating.ErrRateNotFound) {
		t.Errorf("nil deck Rate error %v", err)
	}
}

func TestDeckRate(t *testing.T) {
	r := plain()
	r.Prefix = "4420"
	other := plain()
	other.ID, other.Prefix, other.Price1 = 8, "44", amount("9")
	d, err := rating.NewDeck([]rating.Rate{other, r})
	if err != nil {
		t.Fatal(err)
	}
	// 4420 matches; d = 37 is 0.77 and 42 s billed (see TestCost).
	got, err := d.Rate("+44 20 7946 0958", 37)
	want := rating.Result{Prefix: "4420", RateID: 7, Type: rating.International, BilledSeconds: 42, Cost: amount("0.77")}
	if err != nil || got != want {
		t.Errorf("Rate = %+v, %v; want %+v", got, err, want)
	}
	if _, err := d.Rate("+1 212", 10); !errors.Is(err, rating.ErrRateNotFound) {
		t.Errorf("unmatched destination: error %v", err)
	}
	if _, err := d.Rate("+44 CALL ME", 10); !errors.Is(err, rating.ErrPhoneNumberInvalid) {
		t.Errorf("bad destination: error %v", err)
	}
	if _, err := d.Rate("+4420", -1); !errors.Is(err, rating.ErrDurationInvalid) {
		t.Errorf("negative duration: error %v", err)
	}
	// Both ways through Normalize: a plain "+digits" and a formatted one.
	for _, dest := range []string{"+442079460958", "+44 20 7946 0958", "0044 (20) 7946-0958"} {
		if n := testing.AllocsPerRun(1000, func() { _, _ = d.Rate(dest, 37) }); n != 0 {
			t.Errorf("Rate(%q) allocates %v times", dest, n)
		}
	}
	n := testing.AllocsPerRun(1000, func() { _, _ = d.Match("442079460958") })
	if n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}

// TestDeckConcurrentMatch is meant for -race: a deck is shared without
// locks, so any write after NewDeck would show up here.
func TestDeckConcurrentMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	prefixes := genPrefixes(rng, 3000, 10)
	set := make(map[string]bool, len(prefixes))
	for _, p := range prefixes {
		set[p] = true
	}
	d, err := rating.NewDeck(ratesFor(prefixes))
	if err != nil {
		t.Fatal(err)
	}
	queries := genQueries(rng, prefixes, 2000, 10)
	want := make([]string, len(queries))
	for i, q := range queries {
		want[i], _ = bruteMatch(set, q)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range queries {
				q := queries[(i+g*131)%len(queries)]
				r, ok := d.Match(q)
				got := ""
				if ok {
					got = r.Prefix
				}
				if got != want[(i+g*131)%len(queries)] {
					errs <- fmt.Sprintf("Match(%q) = %q", q, got)
					return
				}
				_, err := d.Rate(q, 61)
				if err != nil && !errors.Is(err, rating.ErrPhoneNumberInvalid) && !errors.Is(err, rating.ErrRateNotFound) {
					errs <- fmt.Sprintf("Rate(%q): %v", q, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestDeckSwapsUnderGC replaces large decks (their tables outside the Go
// heap) while readers match on whichever is current and the collector
// runs: a deck's memory must stay mapped for as long as a reader holds it,
// and be given back after.
func TestDeckSwapsUnderGC(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	prefixes := genPrefixes(rng, 3000, 10)
	set := make(map[string]bool, len(prefixes))
	for _, p := range prefixes {
		set[p] = true
	}
	rates := ratesFor(prefixes)
	queries := genQueries(rng, prefixes, 500, 10)
	var cur atomic.Pointer[rating.Deck]
	build := func() {
		d, err := rating.NewDeckK(rates, 6) // a 32 MB table: outside the heap
		if err != nil {
			t.Fatal(err)
		}
		cur.Store(d)
	}
	build()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				q := queries[(i+g*37)%len(queries)]
				r, ok := cur.Load().Match(q)
				want, wok := bruteMatch(set, q)
				if ok != wok || ok && r.Prefix != want {
					errs <- fmt.Sprintf("Match(%q) = %v, %v; want %q", q, r, ok, want)
					return
				}
			}
		})
	}
	for range 12 {
		build()
		runtime.GC()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

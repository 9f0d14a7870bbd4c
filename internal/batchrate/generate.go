package batchrate

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"switchboard/internal/deckcsv"
	"switchboard/internal/money"
	"switchboard/internal/rating"
)

// This file generates realistic test data for tests, benchmarks and bench
// scripts: the same n and seed always give the same bytes.

// countryCodes are real ITU country calling codes with a rough weight for
// how much of a tariff (and of the traffic) they take.
var countryCodes = []struct {
	code   string
	weight int
}{
	{"1", 300}, {"7", 40}, {"20", 10}, {"27", 10}, {"30", 10}, {"31", 20}, {"32", 15},
	{"33", 60}, {"34", 40}, {"36", 8}, {"39", 50}, {"40", 10}, {"41", 15}, {"43", 12},
	{"44", 120}, {"45", 8}, {"46", 10}, {"47", 8}, {"48", 15}, {"49", 90}, {"51", 6},
	{"52", 40}, {"53", 3}, {"54", 10}, {"55", 50}, {"56", 6}, {"57", 10}, {"58", 5},
	{"60", 8}, {"61", 30}, {"62", 20}, {"63", 15}, {"64", 6}, {"65", 8}, {"66", 10},
	{"81", 40}, {"82", 20}, {"84", 10}, {"86", 80}, {"90", 15}, {"91", 70}, {"92", 10},
	{"93", 2}, {"94", 3}, {"95", 2}, {"98", 5}, {"211", 1}, {"212", 4}, {"213", 4},
	{"216", 3}, {"218", 1}, {"220", 1}, {"221", 2}, {"225", 2}, {"233", 3}, {"234", 8},
	{"237", 2}, {"251", 2}, {"254", 4}, {"255", 2}, {"256", 2}, {"260", 1}, {"263", 1},
	{"351", 6}, {"352", 2}, {"353", 8}, {"354", 1}, {"355", 1}, {"356", 1}, {"357", 2},
	{"358", 5}, {"359", 3}, {"370", 2}, {"371", 2}, {"372", 2}, {"380", 6}, {"381", 3},
	{"385", 2}, {"386", 2}, {"420", 5}, {"421", 3}, {"502", 2}, {"503", 2}, {"504", 1},
	{"505", 1}, {"506", 2}, {"507", 1}, {"509", 1}, {"591", 1}, {"593", 2}, {"595", 1},
	{"598", 1}, {"852", 6}, {"853", 1}, {"855", 1}, {"880", 4}, {"886", 5}, {"960", 1},
	{"961", 2}, {"962", 2}, {"963", 1}, {"964", 2}, {"965", 2}, {"966", 5}, {"971", 6},
	{"972", 5}, {"974", 2}, {"977", 2}, {"994", 1}, {"995", 1}, {"998", 1},
}

// pickCountry draws a country code by weight.
func pickCountry(rng *rand.Rand, total int) string {
	x := rng.IntN(total)
	for _, c := range countryCodes {
		if x < c.weight {
			return c.code
		}
		x -= c.weight
	}
	return countryCodes[0].code
}

func totalWeight() int {
	t := 0
	for _, c := range countryCodes {
		t += c.weight
	}
	return t
}

// nationalDigit draws the j-th digit after country code cc: NANP area codes
// and exchanges start with 2-9, and no national number starts with 0.
func nationalDigit(rng *rand.Rand, cc string, j int) byte {
	switch {
	case cc == "1" && (j == 0 || j == 3):
		return byte('2' + rng.IntN(8))
	case j == 0:
		return byte('1' + rng.IntN(9))
	}
	return byte('0' + rng.IntN(10))
}

// GeneratePrefixes returns n distinct prefixes of 1 to 12 digits shaped
// like a real tariff: every country code first (as many as n allows), then
// country codes followed by area or mobile-range digits, mostly 4 to 9
// digits in all, drawn by the country's weight.
func GeneratePrefixes(n int, seed uint64) []string {
	out := make([]string, 0, n)
	seen := make(map[string]struct{}, n)
	for _, c := range countryCodes {
		if len(out) == n {
			return out
		}
		out = append(out, c.code)
		seen[c.code] = struct{}{}
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	total := totalWeight()
	var b [12]byte
	for len(out) < n {
		cc := pickCountry(rng, total)
		// 1 to 9 more digits, most often 3 to 6.
		ext := 1 + rng.IntN(3) + rng.IntN(4) + rng.IntN(3)
		l := min(copy(b[:], cc)+ext, len(b))
		for j := len(cc); j < l; j++ {
			b[j] = nationalDigit(rng, cc, j-len(cc))
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

// intervals are the billing increments tariffs commonly use.
var intervals = [][2]int32{{60, 60}, {1, 1}, {30, 6}, {6, 6}, {60, 1}, {30, 30}}

// GenerateDeck writes a deck file of n rates (see package deckcsv), one for
// each of GeneratePrefixes(n, seed), with plausible prices and intervals.
func GenerateDeck(w io.Writer, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0xdec))
	dw := deckcsv.NewWriter(w)
	types := []rating.RateType{rating.Mobile, rating.National, rating.International, rating.Local}
	for i, p := range GeneratePrefixes(n, seed) {
		iv := intervals[rng.IntN(len(intervals))]
		r := rating.Rate{
			Prefix:      p,
			Type:        rating.International,
			GracePeriod: int32(rng.IntN(6)),
			Interval1:   iv[0],
			IntervalN:   iv[1],
			Price1:      money.Amount(100 + rng.IntN(50000)), // 0.001 to 0.501 a minute
		}
		if len(p) > 3 {
			r.Type = types[rng.IntN(len(types))]
		}
		r.PriceN = r.Price1
		if rng.IntN(4) == 0 {
			r.PriceN = r.Price1 * 9 / 10
		}
		if rng.IntN(10) == 0 {
			r.FreeSeconds = int32(10 * (1 + rng.IntN(6)))
		}
		if rng.IntN(5) == 0 {
			r.ConnectFee = money.Amount(1 + rng.IntN(5000))
		}
		if rng.IntN(7) == 0 {
			r.PostcallSurcharge = money.Amount(5000 * (1 + rng.IntN(4))) // 5 % to 20 %
		}
		if i%2 == 0 {
			r.Description = "Zone " + strconv.Itoa(rng.IntN(300))
		}
		if err := dw.Write(&r); err != nil {
			return err
		}
	}
	return dw.Flush()
}

// junkDestinations are what switches log for calls that are not to a phone
// number.
var junkDestinations = []string{"anonymous", "unknown", "sip:bob@example.com", "", "12ab34", "+", "*43"}

// GenerateCalls writes a calls file of n calls with ids 1 to n. About 95 %
// of the destinations extend one of deckPrefixes (so they have a rate),
// written as E.164 digits of 11 to 13 digits, with a "+" or "00" in front
// or as a 10-digit NANP number now and then; about 2.5 % are numbers no
// prefix matches (when such numbers can be found quickly) and the rest are
// not phone numbers at all. Durations are 0 for about 15 % of the calls and
// otherwise mostly a few minutes. With no deckPrefixes, the country codes
// of GeneratePrefixes stand in for them.
func GenerateCalls(w io.Writer, n int, seed uint64, deckPrefixes ...string) error {
	prefixes := deckPrefixes
	if len(prefixes) == 0 {
		prefixes = GeneratePrefixes(len(countryCodes), seed)
	}
	set := make(map[string]struct{}, len(prefixes))
	for _, p := range prefixes {
		set[p] = struct{}{}
	}
	rng := rand.New(rand.NewPCG(seed, 0xca11))
	bw := bufio.NewWriterSize(w, 64<<10)
	line := make([]byte, 0, 64)
	if _, err := bw.WriteString(CallsHeader + "\n"); err != nil {
		return fmt.Errorf("batchrate: generate calls: %w", err)
	}
	var d [40]byte
	for i := 1; i <= n; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		line = append(line, ',')
		switch x := rng.IntN(1000); {
		case x < 950:
			line = appendMatching(line, rng, prefixes[rng.IntN(len(prefixes))], d[:])
		case x < 975:
			if dest, ok := unmatched(rng, set, d[:]); ok {
				line = append(line, dest...)
				break
			}
			fallthrough
		default:
			line = append(line, junkDestinations[rng.IntN(len(junkDestinations))]...)
		}
		line = append(line, ',')
		dur := 0
		if rng.IntN(100) >= 15 {
			dur = min(int(rng.ExpFloat64()*180), 4*3600)
		}
		line = strconv.AppendInt(line, int64(dur), 10)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("batchrate: generate calls: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("batchrate: generate calls: %w", err)
	}
	return nil
}

// appendMatching appends a destination that prefix p is a prefix of once
// normalized.
func appendMatching(line []byte, rng *rand.Rand, p string, d []byte) []byte {
	l := max(11+rng.IntN(3), len(p)+1)
	copy(d, p)
	for j := len(p); j < l; j++ {
		d[j] = byte('0' + rng.IntN(10))
	}
	switch x := rng.IntN(100); {
	case x < 5:
		line = append(line, '+')
	case x < 8:
		line = append(line, "00"...)
	case x < 20 && l == 11 && d[0] == '1' && d[1] >= '2' && d[4] >= '2':
		return append(line, d[1:l]...) // national NANP form: Normalize puts the 1 back
	}
	return append(line, d[:l]...)
}

// unmatched draws a number of 11 to 13 digits no prefix in set matches, or
// gives up after a few tries on a deck that covers nearly everything.
func unmatched(rng *rand.Rand, set map[string]struct{}, d []byte) ([]byte, bool) {
try:
	for range 20 {
		l := 11 + rng.IntN(3)
		d[0] = byte('1' + rng.IntN(9))
		for j := 1; j < l; j++ {
			d[j] = byte('0' + rng.IntN(10))
		}
		for k := 1; k <= l; k++ {
			if _, ok := set[string(d[:k])]; ok {
				continue try
			}
		}
		return d[:l], true
	}
	return nil, false
}

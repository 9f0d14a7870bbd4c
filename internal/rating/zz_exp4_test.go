package rating

import (
	"math/rand/v2"
	"testing"
)

var sink4 int

func BenchmarkExp4(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	rates := make([]Rate, 1_000_000)
	prefixes := make([]string, len(rates))
	seen := map[string]bool{}
	for i := range rates {
		for {
			l := 4 + rng.IntN(7)
			bb := make([]byte, l)
			for j := range bb {
				bb[j] = byte('0' + rng.IntN(10))
			}
			if !seen[string(bb)] {
				seen[string(bb)] = true
				prefixes[i] = string(bb)
				rates[i] = Rate{Prefix: string(bb), Type: Local, Interval1: 1, IntervalN: 1}
				break
			}
		}
	}
	d, _ := NewDeck(rates)
	dests := make([]string, 1<<20)
	for i := range dests {
		bb := []byte(prefixes[rng.IntN(len(prefixes))])
		for len(bb) < 12 {
			bb = append(bb, byte('0'+rng.IntN(10)))
		}
		dests[i] = string(bb)
	}
	multi, inline, empty := 0, 0, 0
	for _, s := range dests[:100000] {
		v, _, _, _ := parseFast(s, d.k)
		sl := d.table[v]
		switch {
		case sl.key == 0:
			empty++
		case sl.key < inlineMin:
			multi++
		default:
			inline++
		}
	}
	b.Logf("k=%d multi %d inline %d empty %d, ents %d", d.k, multi, inline, empty, len(d.ents))
	b.Run("parse", func(b *testing.B) {
		x := 0
		for i := 0; i < b.N; i++ {
			v, hi, _, _ := parseFast(dests[i&(1<<20-1)], 6)
			x += v + int(hi)
		}
		sink4 = x
	})
	b.Run("parse-slot", func(b *testing.B) {
		x := 0
		for i := 0; i < b.N; i++ {
			v, hi, _, _ := parseFast(dests[i&(1<<20-1)], 6)
			x += int(d.table[v].key ^ hi)
		}
		sink4 = x
	})
	b.Run("lookup", func(b *testing.B) {
		x := 0
		for i := 0; i < b.N; i++ {
			x += int(lookup(d, dests[i&(1<<20-1)]))
		}
		sink4 = x
	})
}

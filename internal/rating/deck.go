package rating

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Deck is an immutable set of rates with a longest-prefix matcher. Build
// it once with NewDeck and share it across goroutines: nothing mutates it
// afterwards, so no locking is needed. To update a tariff, build a new Deck
// and swap an atomic.Pointer[Deck]; a rating then sees the old deck or the
// new one, never a mix. A nil *Deck is an empty deck.
//
// # Matcher layout
//
// Everything lives in a few flat slices indexed by int32; there are no
// per-node heap objects, so a deck of a million rates is a handful of
// allocations that the garbage collector scans in no time.
//
// The first k digits of a destination index table directly, with k the
// largest width whose 10^k slots number at most twice the rates (clamped
// to 1..6): a million rates get k = 6. A slot holds best, the rate of the
// longest prefix of at most k digits matching those k digits (precomputed,
// so short prefixes cost nothing at lookup time), and the prefixes of more
// than k digits that start with them, which on average number about one.
//
// The digits after the first k are packed four bits each (digit+1, so that
// 0 means "ended") into a left-aligned 128-bit key: numeric order of keys is
// then lexicographic order of digits, and two keys share as many leading
// digits as their XOR has leading zero nibbles.
//
// A slot whose bucket is a single prefix of at most 16 more digits keeps
// its key inline, so the commonest lookups read one 16-byte slot and
// nothing else: on a million rates table and bucket would otherwise be two
// dependent cache misses, and a miss, not arithmetic, is what a lookup
// costs. An empty bucket is an inline key of 0, which every destination
// "matches", pointing at best, so it takes the same path. Larger buckets
// live sorted in ents. A lookup binary-searches the bucket for the greatest
// key <= the destination's; if that entry is not a prefix of the
// destination, the longest entry that is must be among its own prefixes
// (anything sorting between a prefix of the destination and the
// destination starts with that prefix), so it follows precomputed parent
// links, each a shorter prefix, until one fits within the common digits.
// Falling off the chain leaves best.
//
// Destinations shorter than k digits use short, one dense table per length
// holding the same precomputed best. Prefixes longer than MaxDigits can
// only match a longer input to Match, so they sit in a map consulted only
// for such input.
//
// Memory on a million random prefixes is about 30 bytes each: a 16-byte
// slot per prefix and 24 bytes per prefix sharing a bucket.
type Deck struct {
	rates []Rate
	k     int
	short []int32 // best rate for lengths 1..k-1; length l starts at shortOff(l)
	table []slot
	ents  []entry
	over  map[string]int32 // prefixes longer than MaxDigits
}

// slot is one entry of the direct index. Its key says what ref means:
//
//	key >= inlineMin: the bucket is the single prefix key, of rate ref
//	key == 0:         the bucket is empty; ref == best
//	otherwise:        the bucket is ents[ref : ref+key]
type slot struct {
	key  uint64
	ref  int32
	best int32 // rate of the longest prefix of <= k digits, or -1
}

// inlineMin is the least packed key: its first nibble is at least 1. Bucket
// sizes sit below it, so one field tells the three kinds of slot apart.
const inlineMin = 1 << 60

// entry is one prefix of a bucket too large to inline.
type entry struct {
	hi, lo uint64 // packed digits after the first k
	rate   int32  // index into rates
	parent int32  // longest other entry of the bucket that prefixes this one, or -1
}

const maxK = 6

// NewDeck validates each rate and builds a Deck of copies of them. A
// duplicate prefix is an error naming it; so is an invalid rate.
func NewDeck(rates []Rate) (*Deck, error) {
	k := 1
	for k < maxK && pow10(k+1) <= 2*len(rates) {
		k++
	}
	return newDeck(rates, k)
}

// newDeck builds a deck indexing the first k digits directly. Tests call
// it with every k so that small decks exercise every layout.
func newDeck(rates []Rate, k int) (*Deck, error) {
	if len(rates) >= math.MaxInt32 {
		return nil, fmt.Errorf("rating: %d rates are more than a deck holds", len(rates))
	}
	d := &Deck{rates: slices.Clone(rates), k: k}
	for i := range d.rates {
		if err := d.rates[i].Validate(); err != nil {
			return nil, invalidRate(i, &d.rates[i], err)
		}
	}

	// levels[shortOff(l)+v] is first the rate whose prefix is exactly the
	// l digits v, then (below) the best for them.
	levels := make([]int32, shortOff(k+1))
	for i := range levels {
		levels[i] = -1
	}
	// starts[b+1] counts bucket b's prefixes; a prefix sum then makes
	// starts[b] the start of bucket b in sorted.
	starts := make([]int32, pow10(k)+1)
	nlong := 0
	for i := range d.rates {
		p := d.rates[i].Prefix
		switch {
		case len(p) <= k:
			at := shortOff(len(p)) + digitsValue(p)
			if levels[at] >= 0 {
				return nil, duplicate(p)
			}
			levels[at] = int32(i)
		case len(p) <= MaxDigits:
			starts[digitsValue(p[:k])+1]++
			nlong++
		default:
			if d.over == nil {
				d.over = make(map[string]int32)
			}
			if _, dup := d.over[p]; dup {
				return nil, duplicate(p)
			}
			d.over[p] = int32(i)
		}
	}
	for l := 2; l <= k; l++ {
		cur, prev := levels[shortOff(l):shortOff(l+1)], levels[shortOff(l-1):shortOff(l)]
		for v := range cur {
			if cur[v] < 0 {
				cur[v] = prev[v/10]
			}
		}
	}
	d.short = slices.Clone(levels[:shortOff(k)])
	best := levels[shortOff(k):]
	for b := 1; b < len(starts); b++ {
		starts[b] += starts[b-1]
	}

	// Scatter the long prefixes into their buckets and sort each bucket.
	sorted := make([]entry, nlong)
	next := slices.Clone(starts)
	for i := range d.rates {
		p := d.rates[i].Prefix
		if len(p) <= k || len(p) > MaxDigits {
			continue
		}
		hi, lo := packKey(p[k:])
		b := digitsValue(p[:k])
		sorted[next[b]] = entry{hi: hi, lo: lo, rate: int32(i), parent: -1}
		next[b]++
	}
	nents := 0
	for b := range best {
		bucket := sorted[starts[b]:starts[b+1]]
		if len(bucket) > 1 {
			slices.SortFunc(bucket, compareEntries)
			for j := 1; j < len(bucket); j++ {
				if bucket[j].hi == bucket[j-1].hi && bucket[j].lo == bucket[j-1].lo {
					return nil, duplicate(d.rates[bucket[j].rate].Prefix)
				}
			}
		}
		if !inlinable(bucket) {
			nents += len(bucket)
		}
	}

	d.table = make([]slot, len(best))
	d.ents = make([]entry, 0, nents)
	for b := range best {
		bucket := sorted[starts[b]:starts[b+1]]
		switch {
		case len(bucket) == 0:
			d.table[b] = slot{ref: best[b], best: best[b]}
		case inlinable(bucket):
			d.table[b] = slot{key: bucket[0].hi, ref: bucket[0].rate, best: best[b]}
		default:
			base := int32(len(d.ents))
			d.ents = append(d.ents, bucket...)
			link(d.ents[base:], base)
			d.table[b] = slot{key: uint64(len(bucket)), ref: base, best: best[b]}
		}
	}
	return d, nil
}

// inlinable reports whether a bucket fits in its slot: one prefix whose
// key needs no low word.
func inlinable(bucket []entry) bool { return len(bucket) == 1 && bucket[0].lo == 0 }

func compareEntries(a, b entry) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// link sets the parent of each entry of a sorted bucket, whose first entry
// is ents[base]. It keeps a stack of the entries that prefix the current
// one: in sorted order an entry's prefixes come before it, and once an
// entry stops being a prefix of the current one it prefixes nothing after
// it either.
func link(bucket []entry, base int32) {
	var stack [MaxDigits]int32 // each level is at least one digit longer
	depth := 0
	for i := range bucket {
		e := &bucket[i]
		for depth > 0 {
			top := &bucket[stack[depth-1]]
			if keyLen(top.hi, top.lo) <= commonLen(top.hi^e.hi, top.lo^e.lo) {
				e.parent = base + stack[depth-1]
				break
			}
			depth--
		}
		stack[depth] = int32(i)
		depth++
	}
}

func duplicate(prefix string) error {
	return fmt.Errorf("rating: prefix %s appears more than once", quote(prefix))
}

// Len returns the number of rates in the deck.
func (d *Deck) Len() int {
	if d == nil {
		return 0
	}
	return len(d.rates)
}

// shortOff is where the level of l-digit prefixes starts in Deck.short:
// 10 + 100 + ... + 10^(l-1).
func shortOff(l int) int { return (pow10(l) - 10) / 9 }

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// digitsValue reads at most maxK ASCII digits as a number.
func digitsValue(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

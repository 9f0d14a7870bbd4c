package rating

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
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
// On a large deck a lookup costs what its cache misses cost, not its
// arithmetic, so the layout aims at one miss per lookup. Everything lives
// in a few flat slices indexed by int32; there are no per-node heap
// objects, so a deck of a million rates is a handful of allocations that
// the garbage collector scans in no time.
//
// The first k digits of a destination index table directly, with k the
// largest width whose 10^k slots number at most twice the rates (clamped
// to 1..6): a million rates get k = 6. A 32-byte slot holds best, the rate
// of the longest prefix of at most k digits that matches those k digits
// (precomputed, so short prefixes cost nothing at lookup time), and the
// bucket of longer prefixes starting with them, about one on average.
//
// Keys are the digits after the first k as ASCII bytes, the first in the
// high byte of a big-endian word, zero bytes after: a lookup compares them
// with the destination's bytes as loaded, with no conversion. Zero sorts
// below every digit, so numeric order of keys is lexicographic order of
// digits, and two keys share as many leading digits as their XOR has
// leading zero bytes. A bucket of at most two prefixes of at most 8 more
// digits is inline: its keys sit in the slot, compared by a mask, so such
// a lookup reads one slot and nothing else. Larger buckets (met by about
// one lookup in six on a million random prefixes) live sorted in ents, with
// two-word keys of up to 16 more digits. A lookup binary-searches the
// bucket for the greatest key <= the destination's; if that entry is not a
// prefix of the destination, the longest entry that is must be among its
// own prefixes (anything sorting between a prefix of the destination and
// the destination starts with that prefix), so it follows precomputed
// parent links, each a shorter prefix, until one fits within the common
// digits. Falling off the chain leaves best.
//
// Destinations shorter than k digits use short, one dense table per length
// holding the same precomputed best. Prefixes of more than k+16 digits,
// which no real tariff has but the API allows, sit in a map consulted only
// for destinations that long.
//
// Memory on a million random prefixes is under 40 bytes each: a 32-byte
// slot per prefix, and 24 bytes for each prefix in a bucket of three or
// more. The copied rates take 104 bytes each on top.
type Deck struct {
	rates []Rate
	k     int
	kmask uint64  // the low k bytes: the first k characters of a little-endian load
	short []int32 // best rate for lengths 1..k-1; length l starts at shortOff(l)
	table []slot
	ents  []entry
	over  map[string]int32 // prefixes of more than k+maxKey digits

	// maxFast is the longest input lookup's fast path takes: any, unless
	// over has prefixes that only the slow path looks for.
	maxFast int
}

// slot is one entry of the direct index, half a cache line. key1 says
// what it holds:
//
//	key1 >= inlineMin: two prefixes inline, sorted, of rates ref1 and ref2
//	otherwise:         the bucket is ents[ref1 : ref1+key1]
//
// A bucket of one prefix fills both inline places with it, and an empty
// bucket fills them with an arbitrary key whose ref is best, so that the
// lookup needs no case for them.
type slot struct {
	key1, key2 uint64
	ref1, ref2 int32
	best       int32 // rate of the longest prefix of <= k digits, or -1
	_          int32 // to 32 bytes, so that no slot straddles two lines
}

// inlineMin is the least inline key, the digit 0 alone. Bucket sizes sit
// below it, so one field tells the kinds of slot apart.
const inlineMin = '0' << 56

// maxInline and maxKey are the most digits after the first k that an
// inline key and an entry's key hold.
const (
	maxInline = 8
	maxKey    = 16
)

// entry is one prefix of a bucket too large to inline.
type entry struct {
	hi, lo uint64 // the digits after the first k
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
	d := &Deck{rates: slices.Clone(rates), k: k, kmask: 1<<(8*k) - 1, maxFast: math.MaxInt}
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
		case len(p) <= k+maxKey:
			starts[digitsValue(p[:k])+1]++
			nlong++
		default:
			if d.over == nil {
				d.over = make(map[string]int32)
				d.maxFast = k + maxKey
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
		if len(p) <= k || len(p) > k+maxKey {
			continue
		}
		hi, lo := byteKey(p[k:])
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

	if d.table = hugeSlice[slot](d, len(best)); d.table == nil {
		d.table = make([]slot, len(best))
	}
	if d.ents = hugeSlice[entry](d, nents); d.ents == nil {
		d.ents = make([]entry, 0, nents)
	} else {
		d.ents = d.ents[:0]
	}
	for b := range best {
		bucket := sorted[starts[b]:starts[b+1]]
		sl := slot{key1: inlineMin, key2: inlineMin, ref1: best[b], ref2: best[b], best: best[b]}
		switch {
		case len(bucket) == 0:
		case !inlinable(bucket):
			base := int32(len(d.ents))
			d.ents = append(d.ents, bucket...)
			link(d.ents[base:], base)
			sl.key1, sl.ref1 = uint64(len(bucket)), base
		case len(bucket) == 1:
			sl.key1, sl.ref1 = bucket[0].hi, bucket[0].rate
			sl.key2, sl.ref2 = sl.key1, sl.ref1
		default:
			// Sorted, so if one prefixes the other it is key1 and the
			// longer key2 wins when both match.
			sl.key1, sl.ref1 = bucket[0].hi, bucket[0].rate
			sl.key2, sl.ref2 = bucket[1].hi, bucket[1].rate
		}
		d.table[b] = sl
	}
	return d, nil
}

// inlinable reports whether a bucket fits in its slot: at most two
// prefixes of at most maxInline more digits.
func inlinable(bucket []entry) bool {
	if len(bucket) > 2 {
		return false
	}
	for _, e := range bucket {
		if keyLen(e.hi, e.lo) > maxInline {
			return false
		}
	}
	return true
}

// byteKey makes a key of at most maxKey digits.
func byteKey(digits string) (hi, lo uint64) {
	var key [2]uint64
	for i := 0; i < len(digits); i++ {
		key[i>>3&1] |= uint64(digits[i]) << (56 - 8*(i&7))
	}
	return key[0], key[1]
}

// keyLen is the number of digits in a key: its non-zero bytes.
func keyLen(hi, lo uint64) int {
	if lo != 0 {
		return 16 - bits.TrailingZeros64(lo)/8
	}
	return 8 - bits.TrailingZeros64(hi)/8
}

// commonLen is the number of leading digits two keys share, given their
// XOR.
func commonLen(xhi, xlo uint64) int {
	if xhi != 0 {
		return bits.LeadingZeros64(xhi) / 8
	}
	return 8 + bits.LeadingZeros64(xlo)/8
}

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
	var stack [maxKey]int32 // each level is at least one digit longer
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

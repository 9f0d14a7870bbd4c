package rating

import (
	"fmt"
	"math/bits"

	"switchboard/internal/money"
)

// Match returns the rate whose prefix is the longest prefix of digits, or
// false if none is. digits should be Normalize output; matching stops at
// the first non-digit. The returned Rate belongs to the deck and is shared
// with every other caller: read it, never modify it. Match does not
// allocate.
func (d *Deck) Match(digits string) (*Rate, bool) {
	if i := d.lookup(digits); i >= 0 {
		return &d.rates[i], true
	}
	return nil, false
}

// Result is the outcome of rating one call.
type Result struct {
	Prefix        string // the matched prefix
	RateID        int64
	Type          RateType
	BilledSeconds int64
	Cost          money.Amount
}

// Rate normalizes dest, finds its rate and prices an answered call of
// duration seconds. Errors wrap ErrPhoneNumberInvalid, ErrRateNotFound or
// are Cost's. It does not allocate unless it fails.
func (d *Deck) Rate(dest string, duration int64) (Result, error) {
	digits, ok := plainDigits(dest)
	var buf [MaxDigits]byte
	if !ok {
		n, err := NormalizeInto(&buf, dest)
		if err != nil {
			return Result{}, fmt.Errorf("rating: destination %s: %w", quote(dest), err)
		}
		// The string does not escape, so the conversion copies to the
		// stack: no allocation (TestDeckRate checks).
		digits = string(buf[:n])
	}
	i := d.lookup(digits)
	if i < 0 {
		return Result{}, fmt.Errorf("rating: destination %s: %w", quote(dest), ErrRateNotFound)
	}
	r := &d.rates[i]
	cost, billed, err := Cost(r, duration)
	if err != nil {
		return Result{}, err
	}
	return Result{Prefix: r.Prefix, RateID: r.ID, Type: r.Type, BilledSeconds: billed, Cost: cost}, nil
}

// lookup returns the index of the rate with the longest prefix of s, or -1.
//
// The common case, a destination of 8 to 16 digits, is kept short and
// nearly branch-free: on a large deck the slot read misses the cache, and
// the processor overlaps one lookup's miss with the next lookup's only if
// few instructions and no mispredicted branch stand between them. So it
// reads the digits eight at a time (SWAR), compares inline keys with the
// destination's bytes as they are, and settles the slot with conditional
// moves; anything else goes to lookupSlow.
func (d *Deck) lookup(s string) int32 {
	if d == nil {
		return -1
	}
	k, l := d.k, len(s)
	if l < 8 || l > 16 {
		return d.lookupSlow(s)
	}
	// Eight bytes from each end cover all of s.
	w := le64(s[:8])
	if notDigits(w)|notDigits(be64(s[l-8:])) != 0 {
		return d.lookupSlow(s)
	}

	// The first k digits: in little-endian order the first digit is the
	// low byte, so shifting left drops the bytes after the k-th and leaves
	// zeros as leading digits. Then the usual SWAR conversion: pairs,
	// quads, then all eight.
	t := (w - 0x3030303030303030) << (8 * (8 - k) & 63)
	t = (t*10 + t>>8) & 0x00FF00FF00FF00FF
	t = (t*100 + t>>16) & 0x0000FFFF0000FFFF
	t = (t*10000 + t>>32) & 0xFFFFFFFF

	// Up to eight digits after the first k, leading, zero bytes after:
	// s[k:k+8] if there are eight, else the last eight bytes shifted.
	j := min(k, l-8)
	rest := be64(s[j:]) << (8 * (k - j) & 63)

	sl := &d.table[t]
	if sl.key1 < inlineMin {
		return d.searchBucket(sl, s)
	}
	r := sl.best
	if inlineMatch(sl.key1, rest) {
		r = sl.ref1
	}
	if inlineMatch(sl.key2, rest) {
		r = sl.ref2
	}
	return r
}

// inlineMatch reports whether inline key is a prefix of rest: whether
// they agree over key's own bytes, all non-zero.
func inlineMatch(key, rest uint64) bool {
	mask := ^uint64(0) << (bits.TrailingZeros64(key) & 56)
	return (key^rest)&mask == 0
}

// lookupSlow is lookup for any s, a byte at a time: short or long input,
// and input with a non-digit.
func (d *Deck) lookupSlow(s string) int32 {
	if len(s) > MaxDigits && d.over != nil {
		if i := d.lookupOver(s); i >= 0 {
			return i
		}
	}
	k := d.k
	v := 0
	for i := 0; i < k; i++ {
		if i >= len(s) || !isDigit(s[i]) {
			if i == 0 {
				return -1
			}
			return d.short[shortOff(i)+v]
		}
		v = v*10 + int(s[i]-'0')
	}
	var rest uint64
	for i := 0; i < maxInline && k+i < len(s) && isDigit(s[k+i]); i++ {
		rest |= uint64(s[k+i]) << (56 - 8*i)
	}
	sl := &d.table[v]
	if sl.key1 < inlineMin {
		return d.searchBucket(sl, s)
	}
	r := sl.best
	if inlineMatch(sl.key1, rest) {
		r = sl.ref1
	}
	if inlineMatch(sl.key2, rest) {
		r = sl.ref2
	}
	return r
}

// notDigits is zero if all eight bytes of w are ASCII digits: each high
// nibble is 3, and adding 6 to each byte does not carry into it.
func notDigits(w uint64) uint64 {
	const hi4, three, six = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	return (w&hi4 ^ three) | ((w+six)&hi4 ^ three)
}

// le64 and be64 read eight bytes; the compiler turns each into one load.
func le64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func be64(b string) uint64 {
	_ = b[7]
	return uint64(b[7]) | uint64(b[6])<<8 | uint64(b[5])<<16 | uint64(b[4])<<24 |
		uint64(b[3])<<32 | uint64(b[2])<<40 | uint64(b[1])<<48 | uint64(b[0])<<56
}

// searchBucket finds the longest prefix of s in a slot's bucket of ents.
// s has at least k leading digits.
func (d *Deck) searchBucket(sl *slot, s string) int32 {
	// The digits after the first k, up to MaxDigits in all (no entry is
	// longer), packed like entry keys.
	var key [2]uint64
	for j := d.k; j < min(len(s), MaxDigits) && isDigit(s[j]); j++ {
		p := j - d.k
		key[p>>4&1] |= uint64(s[j]-'0'+1) << (60 - 4*(p&15))
	}
	hi, lo := key[0], key[1]

	// The last entry <= the key, or the first entry if none is.
	base, count := sl.ref1, int32(sl.key1)
	for count > 1 {
		half := count >> 1
		e := &d.ents[base+half]
		if e.hi < hi || (e.hi == hi && e.lo <= lo) {
			base += half
		}
		count -= half
	}
	e := &d.ents[base]
	if e.hi > hi || (e.hi == hi && e.lo > lo) {
		return sl.best
	}
	common := commonLen(e.hi^hi, e.lo^lo)
	for {
		if keyLen(e.hi, e.lo) <= common {
			return e.rate
		}
		if e.parent < 0 {
			return sl.best
		}
		e = &d.ents[e.parent]
	}
}

// lookupOver finds the longest prefix of more than MaxDigits digits of s.
// Only an input longer than any destination gets here, so a map probe per
// length is acceptable.
func (d *Deck) lookupOver(s string) int32 {
	n := 0
	for n < len(s) && n < MaxPrefixLen && isDigit(s[n]) {
		n++
	}
	for l := n; l > MaxDigits; l-- {
		if i, ok := d.over[string(s[:l])]; ok {
			return i
		}
	}
	return -1
}

// packKey packs up to 32 digits four bits each, as digit+1, left-aligned.
func packKey(digits string) (hi, lo uint64) {
	var key [2]uint64
	for p := 0; p < len(digits); p++ {
		key[p>>4&1] |= uint64(digits[p]-'0'+1) << (60 - 4*(p&15))
	}
	return key[0], key[1]
}

// keyLen is the number of digits in a packed key: its non-zero nibbles.
func keyLen(hi, lo uint64) int {
	if lo != 0 {
		return 32 - bits.TrailingZeros64(lo)/4
	}
	return 16 - bits.TrailingZeros64(hi)/4
}

// commonLen is the number of leading digits two packed keys share, given
// their XOR.
func commonLen(xhi, xlo uint64) int {
	if xhi != 0 {
		return bits.LeadingZeros64(xhi) / 4
	}
	return 16 + bits.LeadingZeros64(xlo)/4
}

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
	if i := lookup(d, digits); i >= 0 {
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
	var buf [MaxDigits]byte
	n, err := NormalizeInto(&buf, dest)
	if err != nil {
		return Result{}, fmt.Errorf("rating: destination %s: %w", quote(dest), err)
	}
	i := lookup(d, buf[:n])
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
// It is generic so that Match (a string) and Rate (a stack buffer) share it
// without a conversion that would allocate.
//
// The common path is kept short and nearly branch-free on purpose: on a
// large deck the slot read misses the cache, and the processor can only
// overlap one lookup's miss with the next lookup's if few instructions and
// no mispredicted branch stand between them.
func lookup[S string | []byte](d *Deck, s S) int32 {
	if d == nil {
		return -1
	}
	if len(s) > MaxDigits && d.over != nil {
		if i := lookupOver(d, s); i >= 0 {
			return i
		}
	}
	k := d.k
	var v int
	var hi uint64
	var n int
	if l := len(s); l >= 8 && l >= k && l <= k+16 {
		var ok bool
		v, hi, n, ok = parseFast(s, k)
		if !ok {
			v, hi, n = parseSlow(s, k)
		}
	} else {
		v, hi, n = parseSlow(s, k)
	}
	if v < 0 {
		// Fewer than k digits: -1-v of them, whose best is precomputed.
		if v == -1 {
			return -1
		}
		return d.short[shortOff(-1-v)+int(hi)]
	}

	sl := &d.table[v]
	if sl.key-1 < inlineMin-1 {
		return searchBucket(d, sl, s, hi, n)
	}
	// An inline key matches if it equals the destination over its own
	// digits: mask keeps those nibbles. An empty slot's key of 0 gets a
	// mask of 0 and matches, and its ref is best.
	mask := ^uint64(0) << (bits.TrailingZeros64(sl.key) &^ 3)
	r := sl.best
	if (sl.key^hi)&mask == 0 {
		r = sl.ref
	}
	return r
}

// parseSlow reads s a byte at a time. It returns v, the value of the
// first k digits of s, and hi, the next 16 digits at most, packed, of which
// there are n. If s has fewer than k leading digits, it returns v = -1-m
// and hi = the value of the m digits it has.
func parseSlow[S string | []byte](s S, k int) (v int, hi uint64, n int) {
	for i := 0; i < k; i++ {
		if i >= len(s) || !isDigit(s[i]) {
			return -1 - i, uint64(v), 0
		}
		v = v*10 + int(s[i]-'0')
	}
	for lim := min(len(s), k+16); k+n < lim; n++ {
		c := s[k+n] - '0'
		if c > 9 {
			break
		}
		hi = hi<<4 | uint64(c+1)
	}
	return v, hi << (64 - 4*n), n
}

// parseFast is parseSlow for 8 <= len(s) <= k+16, eight bytes at a time.
// It reports false, to fall back on parseSlow, if s is not all digits.
func parseFast[S string | []byte](s S, k int) (v int, hi uint64, n int, ok bool) {
	l := len(s)
	// The first k digits: in little-endian order the first digit is the
	// low byte, so shifting left drops the bytes after the k-th and leaves
	// zeros as leading digits. Then the usual SWAR conversion: pairs,
	// quads, then all eight.
	w := le64(s[0:8])
	if !digits8(w) {
		return 0, 0, 0, false
	}
	t := (w - 0x3030303030303030) << (8 * (8 - k))
	t = (t*10 + t>>8) & 0x00FF00FF00FF00FF
	t = (t*100 + t>>16) & 0x0000FFFF0000FFFF
	t = (t*10000 + t>>32) & 0xFFFFFFFF
	v = int(t)

	// The rest: the last eight bytes, shifted left so that the n digits
	// after the first k lead, and for n > 8 the eight before them too.
	n = l - k
	if n == 0 {
		return v, 0, 0, true
	}
	last := be64(s[l-8 : l])
	if !digits8(last) {
		return 0, 0, 0, false
	}
	if n <= 8 {
		return v, nibbles(last<<(8*(8-n))) << 32, n, true
	}
	first := be64(s[k : k+8])
	if !digits8(first) {
		return 0, 0, 0, false
	}
	return v, nibbles(first)<<32 | nibbles(last<<(8*(16-n))), n, true
}

// digits8 reports whether all eight bytes of w are ASCII digits: each
// high nibble is 3, and adding 6 to each byte does not carry into it.
func digits8(w uint64) bool {
	const hi4, three, six = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	return w&hi4 == three && (w+six)&hi4 == three
}

// nibbles packs eight ASCII digit bytes, the first in the high byte, into
// the key form: digit+1 per nibble, the first in the high nibble. Zero
// bytes (shifted in) stay zero, meaning "ended".
func nibbles(w uint64) uint64 {
	// A digit byte (0x30-0x39) has bit 4 set and a shifted-in zero byte
	// has not, so that bit is exactly the +1 to add.
	x := w&0x0F0F0F0F0F0F0F0F + w>>4&0x0101010101010101
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	return (x | x>>16) & 0xFFFFFFFF
}

func le64[S string | []byte](b S) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func be64[S string | []byte](b S) uint64 {
	_ = b[7]
	return uint64(b[7]) | uint64(b[6])<<8 | uint64(b[5])<<16 | uint64(b[4])<<24 |
		uint64(b[3])<<32 | uint64(b[2])<<40 | uint64(b[1])<<48 | uint64(b[0])<<56
}

// searchBucket finds the longest prefix in a slot's bucket of ents. hi
// holds the first n digits after the first k of s.
func searchBucket[S string | []byte](d *Deck, sl *slot, s S, hi uint64, n int) int32 {
	var lo uint64
	if n == 16 {
		// Digits beyond the 16 in hi, up to MaxDigits in all: no entry is
		// longer.
		m := 0
		for j := d.k + 16; j < min(len(s), MaxDigits); j++ {
			c := s[j] - '0'
			if c > 9 {
				break
			}
			lo = lo<<4 | uint64(c+1)
			m++
		}
		lo <<= 64 - 4*m
	}

	// The last entry <= the key, or the first entry if none is.
	base, count := sl.ref, int32(sl.key)
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
func lookupOver[S string | []byte](d *Deck, s S) int32 {
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

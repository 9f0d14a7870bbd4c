package rating

import (
	"fmt"
	"math/bits"
	"runtime"

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
// The common case, a destination of at least 8 characters whose first k
// are digits, is kept short and nearly branch-free on purpose. On a large
// deck the slot read misses the cache, and the processor overlaps one
// lookup's miss with the next lookup's only if few instructions and no
// mispredicted branch stand between them. So it reads eight bytes at a
// time (SWAR), compares keys with the destination's bytes as they are, and
// settles an inline slot with masks; anything else goes to lookupSlow.
//
// Only the first k bytes need to be digits. Keys are all digits, so a
// non-digit among the bytes compared with them fails to match exactly the
// keys that reach it, as it should.
func (d *Deck) lookup(s string) int32 {
	if d == nil {
		return -1
	}
	k, l := d.k, len(s)
	if l < 8 || l > d.maxFast {
		return d.lookupSlow(s)
	}
	// The first k digits. In little-endian order the first is the low
	// byte. Each byte of x is its digit's value if it is a digit; if a
	// byte is not, x has a byte of 10 or more at or before it (a borrow
	// only carries the damage upward), which the mask detects.
	x := le64(s[:8]) - 0x3030303030303030
	if ((x+0x7676767676767676)|x)&0x8080808080808080&d.kmask != 0 {
		return d.lookupSlow(s)
	}
	// Shifting left drops the bytes after the k-th and leaves zeros as
	// leading digits. Then the usual SWAR conversion: pairs, quads, then
	// all eight.
	t := x << (8 * (8 - k) & 63)
	t = (t*10 + t>>8) & 0x00FF00FF00FF00FF
	t = (t*100 + t>>16) & 0x0000FFFF0000FFFF
	t = (t*10000 + t>>32) & 0xFFFFFFFF

	// The (up to) eight bytes after the first k, zero bytes after: s[k:]
	// if there are eight, else the last eight bytes shifted. The minimum
	// is computed without a branch, which would mispredict.
	diff := k - (l - 8)
	j := l - 8 + diff&(diff>>63) // min(k, l-8)
	rest := be64(s[j:]) << (8 * (k - j) & 63)

	sl := &d.table[t]
	if sl.key1 < inlineMin {
		return d.searchBucket(sl, rest, d.restLo(s))
	}
	// sl.pick(rest), written out: Go will not inline it, and a call's
	// instructions are worth saving here.
	r := sl.best
	r ^= (r ^ sl.ref1) & matchMask(sl.key1, rest)
	r ^= (r ^ sl.ref2) & matchMask(sl.key2, rest)
	// The table may live outside the Go heap (hugeSlice), unmapped when d
	// is collected: d must outlive every read of sl.
	runtime.KeepAlive(d)
	return r
}

// restLo returns bytes k+8 to k+15 of s, which has at least 8, as an
// entry's low key word: leading, zero bytes after.
func (d *Deck) restLo(s string) uint64 {
	k, l := d.k, len(s)
	switch {
	case l >= k+16:
		return be64(s[k+8:])
	case l > k+8:
		return be64(s[l-8:]) << (8 * (k + 16 - l))
	}
	return 0
}

// pick settles an inline slot for a destination whose bytes after the
// first k are rest. It selects with masks rather than branches: whether a
// key matches is a coin toss the predictor would lose, and a branch
// waiting on the slot's cache miss would, when mispredicted, throw away
// all the work the processor did meanwhile.
func (sl *slot) pick(rest uint64) int32 {
	r := sl.best
	r ^= (r ^ sl.ref1) & matchMask(sl.key1, rest)
	r ^= (r ^ sl.ref2) & matchMask(sl.key2, rest)
	return r
}

// matchMask is -1 if inline key is a prefix of rest, that is if they agree
// over key's own bytes (all non-zero), and 0 if not.
func matchMask(key, rest uint64) int32 {
	diff := (key ^ rest) & (^uint64(0) << (bits.TrailingZeros64(key) & 56))
	return int32((diff|-diff)>>63) - 1
}

// lookupSlow is lookup for any s, a byte at a time: input shorter than 8,
// with a non-digit among the first k bytes, or long enough to match a
// prefix in over.
func (d *Deck) lookupSlow(s string) int32 {
	k := d.k
	if len(s) > k+maxKey && d.over != nil {
		if i := d.lookupOver(s); i >= 0 {
			return i
		}
	}
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
	// As in lookup, non-digits may go into the key: they just fail to
	// match.
	var key [2]uint64
	for i := 0; i < maxKey && k+i < len(s); i++ {
		key[i>>3&1] |= uint64(s[k+i]) << (56 - 8*(i&7))
	}
	sl := &d.table[v]
	if sl.key1 < inlineMin {
		return d.searchBucket(sl, key[0], key[1])
	}
	r := sl.pick(key[0])
	runtime.KeepAlive(d) // see lookup
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

// searchBucket finds the longest prefix in a slot's bucket of ents of a
// destination whose bytes after the first k are the key hi, lo.
func (d *Deck) searchBucket(sl *slot, hi, lo uint64) int32 {
	// The last entry <= the key, or the first entry if none is: a binary
	// search without branches, whose outcomes would be coin tosses.
	base, count := sl.ref1, int32(sl.key1)
	for count > 1 {
		half := count >> 1
		e := &d.ents[base+half]
		_, borrow := bits.Sub64(lo, e.lo, 0)
		_, borrow = bits.Sub64(hi, e.hi, borrow) // 0 if e <= key
		base += half & (int32(borrow) - 1)
		count -= half
	}
	e := &d.ents[base]
	_, borrow := bits.Sub64(lo, e.lo, 0)
	if _, borrow = bits.Sub64(hi, e.hi, borrow); borrow != 0 {
		runtime.KeepAlive(d) // see lookup
		return sl.best
	}
	common := commonLen(e.hi^hi, e.lo^lo)
	for {
		if keyLen(e.hi, e.lo) <= common {
			r := e.rate
			runtime.KeepAlive(d) // see lookup
			return r
		}
		if e.parent < 0 {
			r := sl.best
			runtime.KeepAlive(d)
			return r
		}
		e = &d.ents[e.parent]
	}
}

// lookupOver finds the longest prefix of s in over. Only input longer than
// k+maxKey gets here, and only if a deck has such absurd prefixes, so a
// map probe per length is acceptable.
func (d *Deck) lookupOver(s string) int32 {
	n := 0
	for n < len(s) && n < MaxPrefixLen && isDigit(s[n]) {
		n++
	}
	for l := n; l > d.k+maxKey; l-- {
		if i, ok := d.over[s[:l]]; ok {
			return i
		}
	}
	return -1
}

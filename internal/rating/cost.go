package rating

import (
	"fmt"
	"math"
	"math/bits"

	"switchboard/internal/money"
)

// costDen is the denominator of a cost in money units. With C, P1, PN and
// s in units of 10^-5 the formula of DESIGN §4 is, in units,
//
//	cost = (60·C + P1·I1 + PN·n·IN) · (Scale + s) / (60·Scale)
//
// so one integer division by costDen, rounded, gives the exact answer.
const costDen = 60 * money.Scale

// Cost prices an answered call of d whole seconds under r, exactly as
// DESIGN §4 states:
//
//	if d < grace_period: cost 0, billed 0
//	n      = ceil(max(0, d - interval_1 - free_seconds) / interval_n)
//	base   = connect_fee + price_1·interval_1/60 + price_n·n·interval_n/60
//	cost   = base · (1 + postcall_surcharge), rounded once to 5 decimals,
//	         half away from zero
//	billed = interval_1 + n·interval_n
//
// The formula is followed literally at d == 0: with no grace period a
// zero-second answered call still pays the connect fee and the whole first
// interval. Unanswered calls are not priced here; callers charge them 0.
//
// A negative d wraps ErrDurationInvalid; an invalid numeric field of r is a
// *FieldError; a cost or billed time beyond int64 wraps money.ErrOverflow.
// Cost never returns a wrong number instead of an error, whatever the
// inputs, and does not allocate unless it fails.
func Cost(r *Rate, d int64) (cost money.Amount, billed int64, err error) {
	if r == nil {
		return 0, 0, errNilRate
	}
	if err := r.checkNumbers(); err != nil {
		return 0, 0, err
	}
	if d < 0 {
		return 0, 0, fmt.Errorf("rating: %d s: %w", d, ErrDurationInvalid)
	}
	if d < int64(r.GracePeriod) {
		return 0, 0, nil
	}
	i1, in := uint64(r.Interval1), uint64(r.IntervalN)

	// n·IN, the seconds billed after the first interval. x is at least
	// -2^32 and at most 2^63, so neither it nor the rounding-up sum wraps,
	// and n·IN <= x + IN - 1 < 2^64.
	var nin uint64
	if x := d - int64(r.Interval1) - int64(r.FreeSeconds); x > 0 {
		nin = (uint64(x) + in - 1) / in * in
	}
	total := i1 + nin // < 2^64 by the bound above
	if total > math.MaxInt64 {
		return 0, 0, fmt.Errorf("rating: billed seconds for a %d s call are %w", d, money.ErrOverflow)
	}

	// a = 60·C + P1·I1 + PN·n·IN in 128 bits. Each product is below 2^127,
	// so only the last addition can carry out of the top word.
	h0, l0 := bits.Mul64(uint64(r.ConnectFee), 60)
	h1, l1 := bits.Mul64(uint64(r.Price1), i1)
	h2, l2 := bits.Mul64(uint64(r.PriceN), nin)
	lo, c := bits.Add64(l0, l1, 0)
	hi, _ := bits.Add64(h0, h1, c)
	lo, c = bits.Add64(lo, l2, 0)
	hi, c = bits.Add64(hi, h2, c)

	// num = a · (Scale + s). Scale + s < 2^64 since s <= MaxInt64.
	//
	// There is deliberately no math/big fallback: cost >= num / costDen and
	// costDen < 2^23, so any num that needs more than 128 bits (or a that
	// needs more than 128 bits, since Scale + s >= 1) makes a cost above
	// 2^105, which no Amount holds. Overflowing 128 bits therefore always
	// means ErrOverflow, and the 128-bit path is exact for every result
	// that exists.
	m := uint64(money.Scale) + uint64(r.PostcallSurcharge)
	p1, p0 := bits.Mul64(lo, m)
	q1, q0 := bits.Mul64(hi, m)
	mid, c2 := bits.Add64(p1, q0, 0)
	if c != 0 || q1 != 0 || c2 != 0 || mid >= costDen {
		// mid >= costDen would make the quotient 2^64 or more.
		return 0, 0, costOverflow(r, d)
	}
	var q, rem uint64
	if mid == 0 {
		// The usual case: a division by a constant, which the compiler
		// turns into a multiplication, instead of a 128-bit DIV.
		q = p0 / costDen
		rem = p0 - q*costDen
	} else {
		q, rem = bits.Div64(mid, p0, costDen)
	}
	if q > math.MaxInt64 {
		return 0, 0, costOverflow(r, d)
	}
	// Everything is non-negative, so half away from zero is half up.
	if 2*rem >= costDen {
		q++
		if q > math.MaxInt64 {
			return 0, 0, costOverflow(r, d)
		}
	}
	return money.Amount(q), int64(total), nil
}

func costOverflow(r *Rate, d int64) error {
	return fmt.Errorf("rating: cost of a %d s call at prefix %s is %w", d, quote(r.Prefix), money.ErrOverflow)
}

// MaxCallDuration caps MaxDuration: a week. A call timer needs a finite
// answer even for a free rate, and no switch keeps a call up longer.
const MaxCallDuration = 7 * 86400

// MaxDuration returns the longest call, in whole seconds and at most
// MaxCallDuration, whose Cost is at most balance. It returns 0 when no
// duration is affordable (a negative balance, or a connect fee and first
// interval above it with no grace period), and MaxCallDuration when the
// rate is free for every duration.
//
// Calls shorter than the grace period cost nothing, so with a non-negative
// balance the answer is at least grace_period-1 (capped), even when the
// first billed call costs more than balance: such a call is affordable
// precisely by hanging up before the grace period ends.
//
// The answer is exact: Cost is non-decreasing in d (n never shrinks as d
// grows, and rounding preserves order), so a binary search over Cost finds
// the boundary. A Cost that overflows counts as unaffordable.
func MaxDuration(r *Rate, balance money.Amount) (int64, error) {
	if r == nil {
		return 0, errNilRate
	}
	if err := r.checkNumbers(); err != nil {
		return 0, err
	}
	if balance < 0 {
		return 0, nil
	}
	fits := func(d int64) bool {
		c, _, err := Cost(r, d)
		// The numbers are valid and d >= 0, so err can only be overflow,
		// a cost above any balance.
		return err == nil && c <= balance
	}
	// Invariant: fits(lo) or lo == -1; !fits(hi) or hi == MaxCallDuration+1.
	lo, hi := int64(-1), int64(MaxCallDuration+1)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return max(lo, 0), nil
}

package rating

import (
	"fmt"
	"math/big"

	"switchboard/internal/money"
)

// ReferenceCost is Cost written plainly with math/big, transcribing the
// formula of DESIGN §4 line by line with no cleverness, so that it can
// check the fast integer path (tests fuzz one against the other) and let
// the CLI verify stored costs. It is slow and allocates; do not price live
// calls with it.
//
// It agrees with Cost on every input: the same cost, the same billed
// seconds, and an error exactly when Cost returns one.
func ReferenceCost(r *Rate, d int64) (money.Amount, int64, error) {
	if r == nil {
		return 0, 0, errNilRate
	}
	if err := r.checkNumbers(); err != nil {
		return 0, 0, err
	}
	if d < 0 {
		return 0, 0, fmt.Errorf("rating: %d s: %w", d, ErrDurationInvalid)
	}

	// if d < grace_period: cost = 0, billed = 0
	if d < int64(r.GracePeriod) {
		return 0, 0, nil
	}

	interval1 := big.NewInt(int64(r.Interval1))
	intervalN := big.NewInt(int64(r.IntervalN))

	// n = ceil( max(0, d - interval_1 - free_seconds) / interval_n )
	excess := big.NewInt(d)
	excess.Sub(excess, interval1)
	excess.Sub(excess, big.NewInt(int64(r.FreeSeconds)))
	if excess.Sign() < 0 {
		excess.SetInt64(0)
	}
	n := new(big.Rat).SetFrac(excess, intervalN)
	nCeil := ceil(n)

	// base = connect_fee + price_1 * interval_1 / 60 + price_n * n * interval_n / 60
	sixty := big.NewRat(60, 1)
	first := new(big.Rat).Mul(r.Price1.Rat(), new(big.Rat).SetInt(interval1))
	first.Quo(first, sixty)
	next := new(big.Rat).Mul(r.PriceN.Rat(), new(big.Rat).SetInt(nCeil))
	next.Mul(next, new(big.Rat).SetInt(intervalN))
	next.Quo(next, sixty)
	base := new(big.Rat).Add(r.ConnectFee.Rat(), first)
	base.Add(base, next)

	// cost = base * (1 + postcall_surcharge), rounded once.
	factor := new(big.Rat).Add(big.NewRat(1, 1), r.PostcallSurcharge.Rat())
	exact := new(big.Rat).Mul(base, factor)
	cost, err := money.FromRat(exact)
	if err != nil {
		return 0, 0, fmt.Errorf("rating: cost of a %d s call at prefix %s: %w", d, quote(r.Prefix), err)
	}

	// billed = interval_1 + n * interval_n
	billed := new(big.Int).Mul(nCeil, intervalN)
	billed.Add(billed, interval1)
	if !billed.IsInt64() {
		return 0, 0, fmt.Errorf("rating: billed seconds for a %d s call are %w", d, money.ErrOverflow)
	}
	return cost, billed.Int64(), nil
}

// ceil returns the least integer >= x, for x >= 0.
func ceil(x *big.Rat) *big.Int {
	q, m := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

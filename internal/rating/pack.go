package rating

import (
	"fmt"
	"math/big"

	"switchboard/internal/money"
)

// PackCost prices a call of billed seconds of which call packs covered
// covered. Covered seconds cost nothing; when the packs ran out mid-call
// the seconds left over are priced at price_n per minute with no connect
// fee and no first interval (seed 000's packs are minutes of calling, the
// call was already connected), the post-call surcharge applied, rounded
// once to 5 decimals half away from zero. With covered <= 0 no pack was
// used and the caller keeps Cost's price.
func PackCost(r *Rate, billed, covered int64) (money.Amount, error) {
	if r == nil {
		return 0, errNilRate
	}
	if billed < 0 || covered < 0 {
		return 0, fmt.Errorf("rating: pack cost of %d s with %d covered: %w", billed, covered, ErrDurationInvalid)
	}
	left := billed - covered
	if left <= 0 {
		return 0, nil
	}
	exact := new(big.Rat).Mul(r.PriceN.Rat(), big.NewRat(left, 60))
	exact.Mul(exact, new(big.Rat).Add(big.NewRat(1, 1), r.PostcallSurcharge.Rat()))
	cost, err := money.FromRat(exact)
	if err != nil {
		return 0, fmt.Errorf("rating: pack cost of %d s at prefix %s: %w", left, quote(r.Prefix), err)
	}
	return cost, nil
}

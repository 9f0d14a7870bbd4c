package money

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
)

// FromUnits makes an Amount from a count of 10^-5 units.
func FromUnits(units int64) Amount { return Amount(units) }

// Units returns the amount as a count of 10^-5 units.
func (a Amount) Units() int64 { return int64(a) }

// Add returns a+b, or ErrOverflow instead of wrapping around: a balance
// that silently flips sign is worse than a failed transaction.
func (a Amount) Add(b Amount) (Amount, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, fmt.Errorf("money: %s + %s is %w", a, b, ErrOverflow)
	}
	return s, nil
}

// Sub returns a-b, or ErrOverflow instead of wrapping around.
func (a Amount) Sub(b Amount) (Amount, error) {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		return 0, fmt.Errorf("money: %s - %s is %w", a, b, ErrOverflow)
	}
	return d, nil
}

// Neg returns -a. Only the most negative Amount has no negation, and it
// yields ErrOverflow.
func (a Amount) Neg() (Amount, error) {
	if a == math.MinInt64 {
		return 0, fmt.Errorf("money: -(%s) is %w", a, ErrOverflow)
	}
	return -a, nil
}

// Cmp returns -1, 0 or +1 as a is less than, equal to or greater than b.
func (a Amount) Cmp(b Amount) int { return cmp.Compare(a, b) }

// IsNegative reports whether a < 0.
func (a Amount) IsNegative() bool { return a < 0 }

// IsZero reports whether a == 0.
func (a Amount) IsZero() bool { return a == 0 }

// Rat returns the exact value of a as a new big.Rat.
func (a Amount) Rat() *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(int64(a)), big.NewInt(Scale))
}

// FromRat rounds r to 5 decimals, half away from zero, in a single step.
// Callers should compute a whole cost exactly as a big.Rat and round once
// here; rounding intermediate results would let errors accumulate.
func FromRat(r *big.Rat) (Amount, error) {
	if r == nil {
		return 0, fmt.Errorf("money: nil rational is %w", ErrInvalid)
	}
	den := r.Denom()
	num := new(big.Int).Mul(r.Num(), big.NewInt(Scale))
	neg := num.Sign() < 0
	num.Abs(num)
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	// The remainder is at least half when twice it reaches the denominator.
	if rem.Lsh(rem, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("money: %s is %w", quote(r.FloatString(decimals)), ErrOverflow)
	}
	return Amount(q.Int64()), nil
}

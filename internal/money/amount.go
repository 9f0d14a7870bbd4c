// Package money holds exact fixed-point amounts. Every price, balance and
// cost in Switchboard is an Amount: an int64 count of 10^-5 units, so sums
// are exact and nothing ever passes through float64 on its way in or out.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Amount is a signed quantity of money in units of 10^-5 (1.5 is 150000).
// It carries no currency; pair it with one in Money when that matters.
//
// The zero value is 0.00000.
//
// In huma request bodies Amount works as is (see Schema). Do not declare a
// huma path, query or header parameter as Amount, nor give an Amount field
// a default tag: huma handles both by the int64 kind, so "1" would become
// 0.00001 and "1.5" would fail. Take a string parameter and call Parse.
type Amount int64

// Scale is the number of Amount units in 1.
const Scale = 100000

// decimals is the number of digits after the point that Scale allows.
const decimals = 5

// Sentinel errors, for use with errors.Is. The returned errors wrap them
// with the offending input so that their text is fit to show a caller.
var (
	ErrInvalid         = errors.New("not a valid amount")
	ErrTooManyDecimals = errors.New("more than 5 decimals")
	ErrOverflow        = errors.New("out of range")
)

// Parse reads a decimal amount: an optional sign, at least one digit, and
// optionally a point followed by 1 to 5 digits ("12", "-0.5", "+3.14159").
// Exponents, spaces, NaN and infinities are rejected rather than guessed at,
// and so is any amount outside the range of Amount.
func Parse(s string) (Amount, error) {
	if s == "" {
		return 0, fmt.Errorf("money: empty string is %w", ErrInvalid)
	}
	i := 0
	neg := false
	switch s[0] {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	fracPart := ""
	hasPoint := i < len(s) && s[i] == '.'
	if hasPoint {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracPart = s[fracStart:i]
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		return 0, fmt.Errorf("money: %s is %w (exponents are not supported)", quote(s), ErrInvalid)
	}
	if i != len(s) || intPart == "" || (hasPoint && fracPart == "") {
		return 0, fmt.Errorf("money: %s is %w", quote(s), ErrInvalid)
	}
	if len(fracPart) > decimals {
		return 0, fmt.Errorf("money: %s has %w", quote(s), ErrTooManyDecimals)
	}

	// The magnitude is built in uint64 so that the most negative amount,
	// whose magnitude exceeds MaxInt64 by one, is still representable.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var whole uint64
	for j := 0; j < len(intPart); j++ {
		whole = whole*10 + uint64(intPart[j]-'0')
		// Checking every digit keeps whole far below the point where the
		// multiplication above could wrap.
		if whole > limit/Scale {
			return 0, fmt.Errorf("money: %s is %w", quote(s), ErrOverflow)
		}
	}
	var frac uint64
	for j := 0; j < decimals; j++ {
		frac *= 10
		if j < len(fracPart) {
			frac += uint64(fracPart[j] - '0')
		}
	}
	units := whole*Scale + frac
	if units > limit {
		return 0, fmt.Errorf("money: %s is %w", quote(s), ErrOverflow)
	}
	if neg {
		// Two's complement negation; correct for 1<<63 as well.
		return Amount(-units), nil
	}
	return Amount(units), nil
}

// String renders the amount with exactly 5 decimals, as in "-12.34500".
// Parse reads it back to the same value.
func (a Amount) String() string {
	var buf [32]byte
	return string(a.appendDecimal(buf[:0]))
}

func (a Amount) appendDecimal(b []byte) []byte {
	u := uint64(a)
	if a < 0 {
		b = append(b, '-')
		u = -u // magnitude of math.MinInt64 fits in uint64
	}
	b = strconv.AppendUint(b, u/Scale, 10)
	b = append(b, '.')
	f := u % Scale
	var d [decimals]byte
	for i := decimals - 1; i >= 0; i-- {
		d[i] = byte('0' + f%10)
		f /= 10
	}
	return append(b, d[:]...)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// quote renders untrusted input for an error message, cut short so that a
// hostile multi-megabyte value cannot balloon logs and responses.
func quote(s string) string {
	const keep = 40
	if len(s) > keep {
		return strconv.Quote(s[:keep]) + "..."
	}
	return strconv.Quote(s)
}

package rating

import "fmt"

// MaxDigits is the longest destination, in digits, that Normalize accepts.
// E.164 allows 15; the slack is for carriers' technical prefixes.
const MaxDigits = 32

// Normalize turns a dialled destination into E.164 digits:
//
//   - spaces, dashes, dots and parentheses are dropped wherever they are;
//   - one leading international prefix is dropped: "+", "00" or "011";
//   - a 10-digit NANP number (first and fourth digits 2-9) dialled without
//     an international prefix gets a leading "1".
//
// The NANP rule applies only without an international prefix, because
// after "+", "00" or "011" the digits are already a country code and
// number: "+3545551234" is Iceland, not 1-354-555-1234.
//
// Anything else that is not a digit (including a "+" after the first
// significant character), an empty result, or more than MaxDigits digits
// is rejected with an error wrapping ErrPhoneNumberInvalid.
func Normalize(dest string) (string, error) {
	if digits, ok := plainDigits(dest); ok {
		return digits, nil
	}
	var buf [MaxDigits]byte
	n, err := NormalizeInto(&buf, dest)
	if err != nil {
		return "", fmt.Errorf("rating: destination %s: %w", quote(dest), err)
	}
	return string(buf[:n]), nil
}

// NormalizeInto is Normalize for the hot path: it writes the digits to
// dst and returns how many there are, so the result is dst[:n]. It never
// allocates; on failure it returns ErrPhoneNumberInvalid itself, unwrapped,
// so that a flood of garbage destinations costs no garbage either.
func NormalizeInto(dst *[MaxDigits]byte, dest string) (int, error) {
	// raw holds every digit before the international prefix is dropped, so
	// it has room for "011" on top of MaxDigits; more cannot succeed.
	var raw [MaxDigits + 3]byte
	n := 0
	plus := false
	seen := false // a digit or "+" has been read
	for i := 0; i < len(dest); i++ {
		c := dest[i]
		switch {
		case isDigit(c):
			if n == len(raw) {
				return 0, ErrPhoneNumberInvalid
			}
			raw[n] = c
			n++
			seen = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		case c == '+' && !seen:
			plus, seen = true, true
		default:
			return 0, ErrPhoneNumberInvalid
		}
	}
	digits := raw[:n]
	intl := plus
	switch {
	case plus:
	case n >= 3 && digits[0] == '0' && digits[1] == '1' && digits[2] == '1':
		digits, intl = digits[3:], true
	case n >= 2 && digits[0] == '0' && digits[1] == '0':
		digits, intl = digits[2:], true
	}
	switch {
	case len(digits) == 0 || len(digits) > MaxDigits:
		return 0, ErrPhoneNumberInvalid
	case !intl && len(digits) == 10 && digits[0] >= '2' && digits[3] >= '2':
		dst[0] = '1'
		return 1 + copy(dst[1:], digits), nil
	}
	return copy(dst[:], digits), nil
}

// plainDigits is Normalize for the common destinations that need nothing
// but an international prefix dropped: "+" or "00" or "011" and digits, or
// digits that are no 10-digit NANP number. It returns the digits as a
// substring of dest, so it neither copies nor allocates, and reports false
// for anything else, which NormalizeInto then handles.
func plainDigits(dest string) (string, bool) {
	s, intl := dest, true
	switch {
	case len(s) > 0 && s[0] == '+':
		s = s[1:]
	case len(s) >= 3 && s[0] == '0' && s[1] == '1' && s[2] == '1':
		s = s[3:]
	case len(s) >= 2 && s[0] == '0' && s[1] == '0':
		s = s[2:]
	default:
		intl = false
	}
	nanp := !intl && len(s) == 10 && s[0] >= '2' && s[3] >= '2' // needs a "1"
	if len(s) == 0 || len(s) > MaxDigits || nanp {
		return "", false
	}
	// Eight bytes at a time, the last eight overlapping if need be; one at
	// a time only for fewer than eight.
	ok := true
	if len(s) < 8 {
		ok = allDigits(s)
	} else {
		for i := 0; i < len(s)-8; i += 8 {
			ok = ok && notDigits(le64(s[i:])) == 0
		}
		ok = ok && notDigits(le64(s[len(s)-8:])) == 0
	}
	if !ok {
		return "", false
	}
	return s, true
}

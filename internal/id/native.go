package id

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalid is wrapped by every decoding error, for use with errors.Is.
var ErrInvalid = errors.New("invalid id")

// EncodeNative renders id for the native API dialect: the standard,
// padded base64 of its decimal digits, so 700551909773148160 becomes
// "NzAwNTUxOTA5NzczMTQ4MTYw". Ids are never negative; a negative argument
// yields a string that DecodeNative rejects.
func EncodeNative(id int64) string {
	var digits [20]byte
	return base64.StdEncoding.EncodeToString(strconv.AppendInt(digits[:0], id, 10))
}

// DecodeNative reverses EncodeNative and accepts nothing else: only the
// standard alphabet with padding (no URL-safe variant, no unpadded form,
// no embedded newlines), and only the canonical decimal of a non-negative
// int64 (no sign, no leading zeros). One id thus has exactly one native
// rendering, which keeps cache keys and log searches unambiguous.
func DecodeNative(s string) (int64, error) {
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return 0, fmt.Errorf("id: native id %s is not base64: %w", quote(s), ErrInvalid)
	}
	id, ok := parseDecimal(raw)
	if !ok {
		return 0, fmt.Errorf("id: native id %s does not hold a decimal id: %w", quote(s), ErrInvalid)
	}
	// The decoder skips \r and \n, so a re-encoding is the simplest proof
	// that s is the one canonical form.
	if EncodeNative(id) != s {
		return 0, fmt.Errorf("id: native id %s is not in canonical form: %w", quote(s), ErrInvalid)
	}
	return id, nil
}

// parseDecimal reads the canonical decimal form of a non-negative int64.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	// Only digits remain, so the one failure left is overflow.
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

// quote renders untrusted input for an error message, cut short so that a
// hostile huge value cannot balloon logs and responses.
func quote(s string) string {
	const keep = 40
	if len(s) > keep {
		return strconv.Quote(s[:keep]) + "..."
	}
	return strconv.Quote(s)
}

package query

import (
	"switchboard/internal/id"

	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// value checks a non-null literal against the field's type and returns the
// Go value to bind.
func (f *Field) value(t token) (any, error) {
	mismatch := func() error {
		return errorf("filter", f.Name, "field %q takes %s values, got %s at offset %d", f.Name, f.Type, t.describe(), t.pos)
	}
	switch f.Type {
	case String, Enum:
		if t.kind != tokString {
			return nil, mismatch()
		}
		if err := checkText(t.text); err != nil {
			return nil, errorf("filter", f.Name, "value for %q: %s", f.Name, err.Error())
		}
		if f.Type == Enum && !slices.Contains(f.Enum, t.text) {
			return nil, errorf("filter", f.Name, "field %q must be one of %s, got '%s'", f.Name, strings.Join(f.Enum, ", "), clip(t.text))
		}
		return t.text, nil
	case Int:
		if t.kind != tokNumber {
			return nil, mismatch()
		}
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, errorf("filter", f.Name, "field %q needs a 64-bit integer, got %s at offset %d", f.Name, t.describe(), t.pos)
		}
		return n, nil
	case ID:
		switch t.kind {
		case tokNumber:
			n, err := strconv.ParseInt(t.text, 10, 64)
			if err != nil || n < 0 {
				return nil, errorf("filter", f.Name, "field %q needs an id, got %s at offset %d", f.Name, t.describe(), t.pos)
			}
			return n, nil
		case tokString:
			n, err := id.DecodeNative(t.text)
			if err != nil {
				return nil, errorf("filter", f.Name, "field %q needs an id, got '%s'", f.Name, clip(t.text))
			}
			return n, nil
		}
		return nil, mismatch()
	case Money:
		if t.kind != tokNumber {
			return nil, mismatch()
		}
		n, err := parseMoney(t.text)
		if err != nil {
			return nil, errorf("filter", f.Name, "field %q: %s", f.Name, err.Error())
		}
		return n, nil
	case Bool:
		if t.kind == tokWord {
			switch strings.ToLower(t.text) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, mismatch()
	case Time:
		// PortSIP's own examples quote datetimes; bare ones are OData style.
		if t.kind != tokString && t.kind != tokNumber {
			return nil, mismatch()
		}
		us, err := parseTime(t.text)
		if err != nil {
			return nil, errorf("filter", f.Name, "field %q: %s", f.Name, err.Error())
		}
		return us, nil
	}
	return nil, mismatch()
}

// parseMoney converts decimal text such as "12", "-0.5" or "1.23456" into
// int64 units of 10^-5 without going through float64, so "0.1" is exactly
// 10000 units. More than five decimals, exponents and overflow are errors.
func parseMoney(s string) (int64, error) {
	text := s
	neg := strings.HasPrefix(text, "-")
	if neg {
		text = text[1:]
	}
	whole, frac, hasDot := strings.Cut(text, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, errors.New("decimal " + quoteClip(s) + " is not a number like 12 or -0.12345")
	}
	if len(frac) > moneyDecimals {
		return 0, errors.New("decimal " + quoteClip(s) + " has more than 5 decimal places")
	}
	tooBig := errors.New("decimal " + quoteClip(s) + " is out of range")
	var units int64
	for i := 0; i < len(whole); i++ {
		d := int64(whole[i] - '0')
		if units > (math.MaxInt64-d)/10 {
			return 0, tooBig
		}
		units = units*10 + d
	}
	if units > math.MaxInt64/moneyScale {
		return 0, tooBig
	}
	units *= moneyScale
	f := 0
	for i := 0; i < moneyDecimals; i++ {
		f *= 10
		if i < len(frac) {
			f += int(frac[i] - '0')
		}
	}
	if units > math.MaxInt64-int64(f) {
		return 0, tooBig
	}
	units += int64(f)
	if neg {
		units = -units
	}
	return units, nil
}

// parseTime converts an RFC 3339 datetime ("2024-05-01T00:00:00Z", offsets
// and fractions allowed) or a date ("2024-05-01", midnight UTC) into unix
// microseconds UTC, the storage form of Time columns. Precision finer than
// a microsecond is an error rather than silently truncated, because
// truncation would change the result of ge/lt comparisons.
func parseTime(s string) (int64, error) {
	var t time.Time
	var err error
	if len(s) == len(time.DateOnly) {
		t, err = time.Parse(time.DateOnly, s)
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		return 0, errors.New("datetime " + quoteClip(s) + " is not like 2024-05-01T00:00:00Z or 2024-05-01")
	}
	if t.Nanosecond()%1000 != 0 {
		return 0, errors.New("datetime " + quoteClip(s) + " is more precise than a microsecond")
	}
	return t.UnixMicro(), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func quoteClip(s string) string { return strconv.Quote(clip(s)) }

package money

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// MarshalJSON writes the amount as a JSON string with 5 decimals. A string,
// not a number, because many JSON clients decode numbers into float64 and
// would silently lose precision on large or finely divided amounts.
func (a Amount) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 32)
	b = append(b, '"')
	b = a.appendDecimal(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts either a JSON number (12.5) or a JSON string
// ("12.5"). Both go through Parse on their literal text, so a number is never
// rounded through float64. JSON null leaves the amount unchanged, as the
// encoding/json convention for null asks.
func (a *Amount) UnmarshalJSON(data []byte) error {
	s := string(data)
	if s == "null" {
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("money: %w", err)
		}
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// MarshalText renders the amount as String does, for query parameters,
// CSV cells and map keys.
func (a Amount) MarshalText() ([]byte, error) {
	return a.appendDecimal(make([]byte, 0, 32)), nil
}

// UnmarshalText parses text with Parse.
func (a *Amount) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Value stores the amount as its int64 count of units, so a BIGINT column
// holds it exactly and the database can sum it without rounding.
func (a Amount) Value() (driver.Value, error) {
	return int64(a), nil
}

// Scan reads an int64 count of units. Integer text is accepted too because
// some drivers hand back numeric columns as strings or bytes; decimal text
// is not, since it would be ambiguous whether "150000" meant units or not.
// NULL is an error: scan nullable columns into sql.Null[Amount].
func (a *Amount) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*a = Amount(v)
		return nil
	case []byte:
		return a.scanText(string(v))
	case string:
		return a.scanText(v)
	case nil:
		return fmt.Errorf("money: cannot scan NULL into Amount: %w", ErrInvalid)
	default:
		return fmt.Errorf("money: cannot scan %T into Amount: %w", src, ErrInvalid)
	}
}

func (a *Amount) scanText(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("money: scanned units %s are %w", quote(s), ErrOverflow)
		}
		return fmt.Errorf("money: scanned units %s are %w", quote(s), ErrInvalid)
	}
	*a = Amount(n)
	return nil
}

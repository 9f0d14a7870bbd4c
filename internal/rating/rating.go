// Package rating prices calls. It is pure: no I/O, no clock, no database.
//
// A Rate is one call rate (seed 003). Cost prices an answered call of a
// whole number of seconds exactly as DESIGN §4 states, Normalize turns a
// dialled destination into E.164 digits, and a Deck is an immutable set of
// rates with a longest-prefix matcher that many goroutines may share.
//
// Money is money.Amount throughout: an int64 count of 10^-5 units. Every
// computation is exact integer arithmetic and the final cost is rounded once,
// half away from zero, to 5 decimals; nothing passes through float64.
package rating

import (
	"errors"
	"fmt"
	"strconv"

	"switchboard/internal/money"
)

// RateType classifies a rate. The four values are those the PortSIP API
// accepts; anything else is rejected by Validate.
type RateType string

// The rate types.
const (
	Local         RateType = "LOCAL"
	National      RateType = "NATIONAL"
	International RateType = "INTERNATIONAL"
	Mobile        RateType = "MOBILE"
)

// Limits on a rate, taken from the call-rate API.
const (
	// MaxPrefixLen is the longest prefix the API accepts. Prefixes longer
	// than MaxDigits are stored but can never match a destination.
	MaxPrefixLen = 64
	// MaxDescriptionLen is the longest description, in bytes.
	MaxDescriptionLen = 1024
)

// Sentinel errors, for use with errors.Is. Returned errors wrap them with
// the offending input.
var (
	// ErrRateNotFound means no prefix in the deck matches the destination.
	ErrRateNotFound = errors.New("rating: no rate matches the destination")
	// ErrPhoneNumberInvalid means a destination is not a phone number
	// Normalize can turn into E.164 digits.
	ErrPhoneNumberInvalid = errors.New("rating: phone number is invalid")
	// ErrDurationInvalid means a call duration is negative.
	ErrDurationInvalid = errors.New("rating: call duration is negative")
)

// Rate is one call rate. Money fields are money.Amount (units of 10^-5);
// PostcallSurcharge is a fraction in the same units, so 0.1 (10 %) is 10000.
// Prices are per minute; intervals and seconds are whole seconds.
type Rate struct {
	ID     int64
	Prefix string // 1 to 64 ASCII digits
	Type   RateType

	FreeSeconds int32 // >= 0
	GracePeriod int32 // >= 0; calls shorter than this cost nothing
	Interval1   int32 // >= 1; the first, always billed, interval
	IntervalN   int32 // >= 1; each subsequent interval

	ConnectFee        money.Amount // >= 0
	PostcallSurcharge money.Amount // >= 0, a fraction: 10000 is 10 %
	Price1            money.Amount // >= 0, per minute, for Interval1
	PriceN            money.Amount // >= 0, per minute, for each IntervalN

	Description string // at most 1024 bytes
}

// FieldError reports one invalid field of a Rate. Field is the API's name
// for it ("prefix", "interval_1", ...) so that a handler can point the
// caller at the offending JSON member without a translation table.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return "rating: " + e.Field + ": " + e.Msg }

// Validate reports the first invalid field of r, as a *FieldError, or nil.
// It enforces the API's limits; Cost relies only on the numeric ones.
func (r *Rate) Validate() error {
	if r == nil {
		return &FieldError{Field: "rate", Msg: "is missing"}
	}
	if n := len(r.Prefix); n < 1 || n > MaxPrefixLen {
		return &FieldError{Field: "prefix", Msg: "must be 1 to 64 digits, got " + strconv.Itoa(n) + " characters"}
	}
	if !allDigits(r.Prefix) {
		return &FieldError{Field: "prefix", Msg: "must contain only the digits 0-9"}
	}
	switch r.Type {
	case Local, National, International, Mobile:
	default:
		return &FieldError{Field: "type", Msg: "must be LOCAL, NATIONAL, INTERNATIONAL or MOBILE"}
	}
	if err := r.checkNumbers(); err != nil {
		return err
	}
	if len(r.Description) > MaxDescriptionLen {
		return &FieldError{Field: "description", Msg: "must be at most 1024 bytes"}
	}
	return nil
}

// checkNumbers validates the fields the formula uses. Cost calls it on
// every call, so it returns preallocated errors: a bad rate must not turn
// each pricing attempt into garbage for the collector.
func (r *Rate) checkNumbers() error {
	switch {
	case r.FreeSeconds < 0:
		return errFreeSeconds
	case r.GracePeriod < 0:
		return errGracePeriod
	case r.Interval1 < 1:
		return errInterval1
	case r.IntervalN < 1:
		return errIntervalN
	case r.ConnectFee < 0:
		return errConnectFee
	case r.PostcallSurcharge < 0:
		return errSurcharge
	case r.Price1 < 0:
		return errPrice1
	case r.PriceN < 0:
		return errPriceN
	}
	return nil
}

var (
	errFreeSeconds = &FieldError{Field: "free_seconds", Msg: "must not be negative"}
	errGracePeriod = &FieldError{Field: "grace_period", Msg: "must not be negative"}
	errInterval1   = &FieldError{Field: "interval_1", Msg: "must be at least 1"}
	errIntervalN   = &FieldError{Field: "interval_n", Msg: "must be at least 1"}
	errConnectFee  = &FieldError{Field: "connect_fee", Msg: "must not be negative"}
	errSurcharge   = &FieldError{Field: "postcall_surcharge", Msg: "must not be negative"}
	errPrice1      = &FieldError{Field: "price_1", Msg: "must not be negative"}
	errPriceN      = &FieldError{Field: "price_n", Msg: "must not be negative"}
	errNilRate     = &FieldError{Field: "rate", Msg: "is missing"}
)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c-'0' <= 9 }

// quote renders untrusted input for an error message, cut short so that a
// hostile multi-megabyte destination cannot balloon logs.
func quote(s string) string {
	const keep = 40
	if len(s) > keep {
		return strconv.Quote(s[:keep]) + "..."
	}
	return strconv.Quote(s)
}

// invalidRate says which rate of a NewDeck input failed validation.
func invalidRate(i int, r *Rate, err error) error {
	return fmt.Errorf("rating: rate %d (prefix %s): %w", i, quote(r.Prefix), err)
}

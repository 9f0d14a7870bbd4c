// Package problem holds the domain error type every layer of Switchboard
// speaks. Domain services return *Error values with a Code; each API dialect
// maps a Code to its own wire shape (HTTP status, error code string) in one
// table, so business code never thinks about transports.
package problem

import (
	"errors"
	"fmt"
)

// Code classifies a failure independently of any transport.
type Code string

// The codes a domain service may return. Dialects translate them.
const (
	Invalid         Code = "invalid"          // bad input; Field names the offender
	NotFound        Code = "not_found"        // absent, or outside the caller's tree
	Conflict        Code = "conflict"         // uniqueness or state conflict
	Unauthorized    Code = "unauthorized"     // no or bad credentials
	Forbidden       Code = "forbidden"        // authenticated but not allowed
	RateLimited     Code = "rate_limited"     // a request limit is exhausted
	PaymentRequired Code = "payment_required" // not enough funds or no bundle
	Unavailable     Code = "unavailable"      // shutting down or a dependency is down
	Internal        Code = "internal"         // a bug or an unexpected failure
)

// Error is a classified failure. Message is safe to show to the caller;
// Err (never shown) keeps the underlying cause for logs.
type Error struct {
	Code    Code
	Field   string
	Message string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", msg, e.Err)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with a caller-facing message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error naming the offending field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Wrap classifies err as Internal unless it already carries a Code.
func Wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	return &Error{Code: Internal, Message: msg, Err: err}
}

// CodeOf returns the Code of err, Internal for unclassified errors.
func CodeOf(err error) Code {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return Internal
}

// As returns err as *Error, classifying unknown errors as Internal with a
// generic message so that no internal detail leaks to a caller.
func As(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

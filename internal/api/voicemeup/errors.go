package voicemeup

import (
	"errors"
	"strings"

	"switchboard/internal/problem"
)

// Error types answered by the dialect itself.
const (
	errInvalidArgument  = "internal_error-invalid_argument"
	errInternal         = "internal_error-database_error"
	errRequiredMissing  = "required_parameter_not_found"
	errAuthFailed       = "authentication_failed"
	errHardLimit        = "requests_hard_limit_exceeded"
	errSoftLimit        = "requests_soft_limit_reached"
	errDuplicate        = "duplicate_entry"
	errPermission       = "permission_refused"
	errPaymentDenied    = "payment_denied"
	errTypeInvalid      = "request_type_invalid"
	errTypeRequired     = "request_type_required"
	errTypeNotAvailable = "request_type_not_implemented"
)

// errMissing marks an Invalid error raised because a parameter is absent,
// which the API reports as <parameter>_required rather than _invalid.
var errMissing = errors.New("parameter is required")

// Missing returns the error for an absent required parameter. It answers
// with <field>_required when the document defines that error type, else
// with required_parameter_not_found.
func Missing(field string) error {
	return &problem.Error{Code: problem.Invalid, Field: field, Message: "is required", Err: errMissing}
}

// Fail returns an error answered with exactly the documented error type
// errorType, for the cases a problem code cannot express (a mailbox still
// used by a DID, a peer limit reached). cause, which may be nil, is kept
// for logs and never shown.
func Fail(errorType string, cause error) error {
	return &typedError{errorType: errorType, cause: cause}
}

type typedError struct {
	errorType string
	cause     error
}

func (e *typedError) Error() string {
	if e.cause != nil {
		return e.errorType + ": " + e.cause.Error()
	}
	return e.errorType
}

func (e *typedError) Unwrap() error { return e.cause }

// RenameField returns err with its problem Field renamed through names, so
// a handler can report a core field under the parameter name the client
// sent (the core's "name" is this API's "friendly_name"). Other errors are
// returned unchanged.
func RenameField(err error, names map[string]string) error {
	var pe *problem.Error
	if !errors.As(err, &pe) {
		return err
	}
	to, ok := names[pe.Field]
	if !ok {
		return err
	}
	cp := *pe
	cp.Field = to
	return &cp
}

// wireError is one error message of an error envelope.
type wireError struct {
	code   string
	detail string // the parameter, appended to a generic description
	cause  error  // non-nil when the failure must be logged
}

// wireErrors maps err, or each error joined in it, to documented error
// types.
func wireErrors(err error) []wireError {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []wireError
		for _, e := range j.Unwrap() {
			if e != nil {
				out = append(out, wireErrors(e)...)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []wireError{wireErrorOf(err)}
}

// wireErrorOf maps one error to a documented error type. The table follows
// the document's naming: <parameter>_invalid for a bad value,
// <parameter>_required for a missing one, falling back to the generic types
// when the document has no specific one.
func wireErrorOf(err error) wireError {
	var te *typedError
	if errors.As(err, &te) {
		return wireError{code: te.errorType}
	}
	pe := problem.As(err)
	f := pe.Field
	switch pe.Code {
	case problem.Invalid:
		if errors.Is(err, errMissing) || strings.Contains(strings.ToLower(pe.Message), "required") {
			if f != "" && inCatalog(f+"_required") {
				return wireError{code: f + "_required"}
			}
			return wireError{code: errRequiredMissing, detail: f}
		}
		if f != "" && inCatalog(f+"_invalid") {
			return wireError{code: f + "_invalid"}
		}
		return wireError{code: errInvalidArgument, detail: f}
	case problem.NotFound:
		// The document answers an unknown or foreign ID as that
		// parameter's _invalid type ("must be a valid client_did_id"),
		// a few E911 types as _not_found.
		for _, suffix := range []string{"_invalid", "_not_found"} {
			if f != "" && inCatalog(f+suffix) {
				return wireError{code: f + suffix}
			}
		}
		return wireError{code: errInvalidArgument, detail: f}
	case problem.Conflict:
		if f != "" && inCatalog(f+"_already_in_use") {
			return wireError{code: f + "_already_in_use"}
		}
		return wireError{code: errDuplicate, detail: f}
	case problem.Unauthorized:
		return wireError{code: errAuthFailed}
	case problem.Forbidden:
		return wireError{code: errPermission}
	case problem.RateLimited:
		return wireError{code: errHardLimit}
	case problem.PaymentRequired:
		return wireError{code: errPaymentDenied}
	}
	// Internal, Unavailable and anything unclassified: a generic answer,
	// the cause only in the log.
	return wireError{code: errInternal, cause: err}
}

package reseller

import (
	"errors"
	"net/http"

	"switchboard/internal/problem"
)

// rule is how one problem.Code is answered.
type rule struct {
	status int
	// detail appends the error's field and message to status_message, for
	// the codes where the caller must learn what to fix.
	detail bool
}

// rules maps every domain code to its answer: the one table of the
// dialect. The document answers its commands with 400, 402 and 404 (and
// the platform's credential check with 401); the codes it has no example
// for get the matching HTTP status.
var rules = map[problem.Code]rule{
	problem.Invalid: {status: http.StatusBadRequest, detail: true},
	// The document's renew answers 400 when the bundle is outside its
	// renewal window (3 days before to 5 days after expiry), a state
	// conflict: 400 is the status its clients know for it, not 409.
	problem.Conflict: {status: http.StatusBadRequest, detail: true},
	// NotFound is the document's bare 404: naming what was not found would
	// tell a caller which UUIDs exist in other accounts.
	problem.NotFound:        {status: http.StatusNotFound},
	problem.Unauthorized:    {status: http.StatusUnauthorized},
	problem.Forbidden:       {status: http.StatusForbidden},
	problem.PaymentRequired: {status: http.StatusPaymentRequired},
	problem.RateLimited:     {status: http.StatusTooManyRequests},
	problem.Unavailable:     {status: http.StatusServiceUnavailable},
	problem.Internal:        {status: http.StatusInternalServerError},
}

// failure is an error answer: the envelope with an empty result.
type failure struct {
	status  int
	message string
}

// failureOf maps err to its answer. logged is true when the cause must go
// to the log because the caller is not told it (5xx answers).
//
// status_message is the status's reason phrase, exactly as the document
// shows it ("Not Found", "Payment Required"), except for 400: there the
// document's "Bad Request" is followed by what is wrong, e.g. "Bad
// Request: pack_id: must be one of 13 to 20", since a client cannot fix a
// request it is not told about.
func failureOf(err error) (f failure, logged bool) {
	if errors.Is(err, errNotImplemented) {
		return statusFailure(http.StatusNotImplemented), false
	}
	pe := problem.As(err)
	r, ok := rules[pe.Code]
	if !ok {
		r = rules[problem.Internal]
	}
	f = statusFailure(r.status)
	if r.detail {
		detail := pe.Message
		if pe.Field != "" {
			detail = pe.Field
			if pe.Message != "" {
				detail += ": " + pe.Message
			}
		}
		if detail != "" {
			f.message += ": " + detail
		}
	}
	return f, f.status >= http.StatusInternalServerError
}

// statusFailure is the answer of status with its bare reason phrase.
func statusFailure(status int) failure {
	return failure{status: status, message: http.StatusText(status)}
}

// errUnauthorized is the one answer for every credential failure, so that
// the dialect tells no one which usernames or reseller numbers exist.
var errUnauthorized = problem.New(problem.Unauthorized, "invalid credentials")

// Answers the dialect gives before any handler runs.
var (
	failNotFound     = statusFailure(http.StatusNotFound)
	failMethod       = statusFailure(http.StatusMethodNotAllowed)
	failBodyTooLarge = statusFailure(http.StatusRequestEntityTooLarge)
	failBadJSON      = failure{status: http.StatusBadRequest, message: http.StatusText(http.StatusBadRequest) + ": malformed JSON body"}
)

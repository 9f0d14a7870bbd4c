package carrier

import (
	"net/http"
	"strconv"

	"switchboard/internal/problem"
)

// failure is an error answer: {"status": "<status>", "error": "<message>"}.
//
// HTTP status: the document lists every answer under a response heading
// whose code is the one inside the body ("Response 200" above
// {"status": "200", ...}, "Response 404" above {"status": "404", "error":
// "Invalid {parameter}"}), so the HTTP status mirrors the body's status.
// Mirroring also fails safe: a client that reads only the HTTP status sees
// an error as an error, and one that reads the body (the public client
// treats any "error" key as failure) is not affected.
type failure struct {
	status  int
	message string
}

// body renders f in the document's key order.
func (f failure) body() Fields {
	return Field("status", strconv.Itoa(f.status)).Add("error", f.message)
}

// rule is how one problem.Code is answered.
type rule struct {
	status int
	// byField answers "Invalid <field>" when the error names a field, the
	// document's one error convention ("Invalid {parameter}").
	byField bool
	// message is the answer when the error names no field. It is fixed per
	// code so that no internal detail reaches the caller.
	message string
	// fieldPrefix replaces "Invalid " before the field when byField is set.
	fieldPrefix string
}

// rules maps every domain code to its answer: the one table of the
// dialect. The document only shows "404" errors; the codes it has no
// example for get the matching HTTP status, which the body mirrors.
var rules = map[problem.Code]rule{
	problem.Invalid:  {status: http.StatusNotFound, byField: true, message: "Invalid parameter"},
	problem.NotFound: {status: http.StatusNotFound, byField: true, message: "Not found"},
	// A conflict is a parameter whose value cannot be used (a number
	// someone else reserved first): still "Invalid <parameter>", with the
	// status telling it apart from a malformed value.
	problem.Conflict: {status: http.StatusConflict, byField: true, message: "Conflict"},
	// The token is a parameter like any other in the document, so a bad
	// one is "Invalid token", whatever field the error names.
	problem.Unauthorized: {status: http.StatusNotFound, message: "Invalid token"},
	problem.Forbidden:    {status: http.StatusForbidden, message: "Permission denied"},
	// A declined card names its decline code as the field
	// ("Payment declined: insufficient_funds"); a debit the balance cannot
	// pay names none.
	problem.PaymentRequired: {status: http.StatusPaymentRequired, message: "Insufficient balance", byField: true, fieldPrefix: "Payment declined: "},
	problem.RateLimited:     {status: http.StatusTooManyRequests, message: "Too many requests"},
	problem.Unavailable:     {status: http.StatusServiceUnavailable, message: "Service unavailable"},
	problem.Internal:        {status: http.StatusInternalServerError, message: "Internal error"},
}

// failureOf maps err to its answer. logged is true when the cause must go
// to the log because the caller is not told it (internal and unavailable).
func failureOf(err error) (f failure, logged bool) {
	pe := problem.As(err)
	r, ok := rules[pe.Code]
	if !ok {
		r = rules[problem.Internal]
	}
	f = failure{status: r.status, message: r.message}
	if r.byField && pe.Field != "" {
		prefix := r.fieldPrefix
		if prefix == "" {
			prefix = "Invalid "
		}
		f.message = prefix + pe.Field
	}
	return f, f.status >= http.StatusInternalServerError
}

// Answers the dialect gives before any handler runs.
var (
	failUnknownEndpoint = failure{http.StatusNotFound, "Invalid endpoint"}
	failMethod          = failure{http.StatusMethodNotAllowed, "Method not allowed"}
	failBodyTooLarge    = failure{http.StatusRequestEntityTooLarge, "Request body too large"}
	failBadBody         = failure{http.StatusNotFound, "Invalid request body"}
)

// failNotImplemented answers an endpoint of the document that has no
// handler yet. It is not "Invalid endpoint": the name is right, and a
// client should not be told to fix it. 501 is HTTP's own status for a
// server that does not support the functionality a request needs, so the
// body says "501" too.
func failNotImplemented(endpoint string) failure {
	return failure{http.StatusNotImplemented, "Not implemented: " + endpoint}
}

// errBadToken is the one answer for every credential failure: a bad token
// and a token of another account than accountno look the same, so the
// dialect cannot be used to learn which account numbers exist.
var errBadToken = &problem.Error{Code: problem.Unauthorized, Field: "token", Message: "invalid token"}

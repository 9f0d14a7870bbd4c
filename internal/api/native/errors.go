package native

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"switchboard/internal/ledger"
	"switchboard/internal/problem"
)

// ErrorItem is one entry of the native error body.
type ErrorItem struct {
	Code    string `json:"code" doc:"Error code in capitals, e.g. VALIDATE_FAILED"`
	Message string `json:"message" doc:"Human-readable explanation"`
	Detail  string `json:"detail" doc:"The offending field or parameter, when there is one"`
}

// Error is the native error body: {"errors":[{code,message,detail}]}.
type Error struct {
	status     int
	RetryAfter int         `json:"-"`
	Errors     []ErrorItem `json:"errors"`
}

func (e *Error) Error() string {
	if len(e.Errors) == 0 {
		return http.StatusText(e.status)
	}
	return e.Errors[0].Code + ": " + e.Errors[0].Message
}

// GetStatus implements huma.StatusError.
func (e *Error) GetStatus() int { return e.status }

// GetHeaders adds Retry-After to rate-limit answers.
func (e *Error) GetHeaders() http.Header {
	if e.RetryAfter > 0 {
		return http.Header{"Retry-After": []string{itoa(e.RetryAfter)}}
	}
	return nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// codes maps domain codes to the native code and HTTP status: the one table
// of the native dialect.
var codes = map[problem.Code]struct {
	code   string
	status int
}{
	problem.Invalid:         {"VALIDATE_FAILED", http.StatusBadRequest},
	problem.NotFound:        {"NOT_FOUND", http.StatusNotFound},
	problem.Conflict:        {"CONFLICT", http.StatusConflict},
	problem.Unauthorized:    {"UNAUTHORIZED", http.StatusUnauthorized},
	problem.Forbidden:       {"FORBIDDEN", http.StatusForbidden},
	problem.RateLimited:     {"RATE_LIMITED", http.StatusTooManyRequests},
	problem.PaymentRequired: {"PAYMENT_REQUIRED", http.StatusPaymentRequired},
	problem.Unavailable:     {"SERVICE_UNAVAILABLE", http.StatusServiceUnavailable},
	problem.Internal:        {"INTERNAL_ERROR", http.StatusInternalServerError},
}

// fromProblem renders a domain error. Internal errors never show their cause.
func fromProblem(err error) *Error {
	if ledger.IsMismatch(err) {
		// Reusing an idempotency key for another request is not a state
		// conflict the client can wait out: the request itself is wrong.
		return &Error{status: http.StatusUnprocessableEntity, Errors: []ErrorItem{{Code: "IDEMPOTENCY_KEY_REUSED",
			Message: "this Idempotency-Key was used with a different request", Detail: "Idempotency-Key"}}}
	}
	pe := problem.As(err)
	c, ok := codes[pe.Code]
	if !ok {
		c = codes[problem.Internal]
	}
	msg := pe.Message
	if pe.Code == problem.Internal {
		msg = "internal error"
	}
	return &Error{status: c.status, Errors: []ErrorItem{{Code: c.code, Message: msg, Detail: pe.Field}}}
}

// statusCodes names the native code of framework-level statuses.
var statusCodes = map[int]string{
	http.StatusBadRequest:            "VALIDATE_FAILED",
	http.StatusUnprocessableEntity:   "VALIDATE_FAILED",
	http.StatusUnauthorized:          "UNAUTHORIZED",
	http.StatusForbidden:             "FORBIDDEN",
	http.StatusNotFound:              "NOT_FOUND",
	http.StatusMethodNotAllowed:      "METHOD_NOT_ALLOWED",
	http.StatusNotAcceptable:         "NOT_ACCEPTABLE",
	http.StatusConflict:              "CONFLICT",
	http.StatusRequestEntityTooLarge: "REQUEST_TOO_LARGE",
	http.StatusUnsupportedMediaType:  "UNSUPPORTED_MEDIA_TYPE",
	http.StatusTooManyRequests:       "RATE_LIMITED",
	http.StatusServiceUnavailable:    "SERVICE_UNAVAILABLE",
}

// newHumaError replaces huma.NewError so that every framework error (bad
// JSON, schema validation, unknown fields, oversize bodies) has the native
// shape, validation failures are 400 as the native API documents, and a 5xx
// never echoes an internal error.
func newHumaError(status int, msg string, errs ...error) huma.StatusError {
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest
	}
	if status >= 500 {
		return &Error{status: status, Errors: []ErrorItem{{Code: "INTERNAL_ERROR", Message: "internal error"}}}
	}
	code, ok := statusCodes[status]
	if !ok {
		code = "BAD_REQUEST"
	}
	if strings.Contains(strings.ToLower(msg), "too large") {
		status, code = http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE"
	}
	out := &Error{status: status}
	for _, e := range errs {
		if e == nil {
			continue
		}
		var pe *problem.Error
		if errors.As(e, &pe) {
			out.Errors = append(out.Errors, fromProblem(pe).Errors...)
			continue
		}
		item := ErrorItem{Code: code, Message: e.Error()}
		var d huma.ErrorDetailer
		if errors.As(e, &d) {
			det := d.ErrorDetail()
			item.Message = det.Message
			item.Detail = fieldOf(det.Location)
			if m := decodeFieldRe.FindStringSubmatch(det.Message); m != nil && item.Detail == "" {
				// A value that passed the schema but not decoding
				// (an integer beyond int64): json names the field.
				item.Detail = m[1]
			}
			if name, ok := requiredProperty(det.Message); ok {
				// huma reports a missing property at its parent; the
				// client needs the name of the property it left out.
				if item.Detail != "" {
					name = item.Detail + "." + name
				}
				item.Detail = name
			}
		}
		out.Errors = append(out.Errors, item)
	}
	if len(out.Errors) == 0 {
		if msg == "" {
			msg = http.StatusText(status)
		}
		out.Errors = []ErrorItem{{Code: code, Message: msg}}
	}
	return out
}

// fieldOf turns a huma location ("body.name", "query.top") into the field
// name a client sent.
func fieldOf(loc string) string {
	for _, p := range []string{"body.", "query.", "path.", "header."} {
		if strings.HasPrefix(loc, p) {
			return loc[len(p):]
		}
	}
	if loc == "body" {
		return ""
	}
	return loc
}

// decodeFieldRe finds the field in encoding/json's "cannot unmarshal ...
// into Go struct field AccountFields.api_limits of type int64".
var decodeFieldRe = regexp.MustCompile(`into Go struct field [^.\s]+\.(\S+) of type`)

// requiredProperty extracts the property name of huma's "expected required
// property X to be present" message.
func requiredProperty(msg string) (string, bool) {
	const prefix, suffix = "expected required property ", " to be present"
	if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, suffix) {
		return "", false
	}
	name := msg[len(prefix) : len(msg)-len(suffix)]
	return name, name != "" && !strings.Contains(name, " ")
}

func init() {
	huma.NewError = newHumaError
}

// Unrouted answers a request no native route matches, in the native shape:
// 405 with Allow when the path exists for other methods, else 404.
func Unrouted(w http.ResponseWriter, r *http.Request, allowed []string) {
	w.Header().Set("Content-Type", "application/json")
	status, code, msg := http.StatusNotFound, "NOT_FOUND", "no such route"
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		status, code, msg = http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method not allowed; use "+strings.Join(allowed, ", ")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&Error{status: status, Errors: []ErrorItem{{Code: code, Message: msg}}})
}

// Replayable is the answer of a money-moving POST: Idempotent-Replayed says
// that it repeats the first answer to the same Idempotency-Key.
type Replayable[V any] struct {
	Replayed string `header:"Idempotent-Replayed"`
	Body     V
}

func replayable[V any](v V, replayed bool) *Replayable[V] {
	out := &Replayable[V]{Body: v}
	if replayed {
		out.Replayed = "true"
	}
	return out
}

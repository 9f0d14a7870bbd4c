package reseller

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"

	"switchboard/internal/api/param"
	"switchboard/internal/auth"
	"switchboard/internal/id"
	"switchboard/internal/problem"
)

// Request is one routed, authenticated call handed to a Handler.
type Request struct {
	// Method is the HTTP method; HEAD is served by GET routes and keeps
	// its name here.
	Method string
	// Pattern is the route's pattern as registered, e.g.
	// "/call-pack/{uuid}".
	Pattern string
	// Principal is the authenticated caller; its AccountNumber is the
	// request's X-Auth-Reseller.
	Principal auth.Principal
	// Query holds the query string parameters.
	Query url.Values
	// HTTP is the underlying request, for headers and the remote address.
	// Its body has been read: use Body or Decode.
	HTTP *http.Request

	body []byte
	path map[string]string
}

// PathValue returns the value of the wildcard name in the route's pattern,
// or "" when the pattern has none of that name.
func (r *Request) PathValue(name string) string { return r.path[name] }

// UUIDParam returns the id named by the UUID parameter name. The document
// lists such parameters under "URL and Query String Parameters", so the
// path wildcard is read first and the query string second. An absent or
// undecodable UUID answers 404, as an unknown one does: a UUID this
// platform did not issue names nothing.
func (r *Request) UUIDParam(name string) (int64, error) {
	s, ok := r.path[name]
	if !ok {
		s = r.Query.Get(name)
	}
	n, err := id.DecodeUUID(s)
	if err != nil {
		return 0, &problem.Error{Code: problem.NotFound, Field: name, Message: "no such " + name, Err: err}
	}
	return n, nil
}

// Body returns the request body: empty, or valid JSON.
func (r *Request) Body() []byte { return r.body }

// Decode decodes the JSON body into v; an empty body leaves v as it is.
// Unknown fields are allowed: the document gives "all-fields examples",
// not a closed schema, and a client sending a field of a newer version
// should not fail. A value of the wrong type answers 400 naming the field.
func (r *Request) Decode(v any) error {
	if len(r.body) == 0 {
		return nil
	}
	err := json.Unmarshal(r.body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return problem.Field(field, "must be %s", kindName(te.Type))
	}
	var ie *json.InvalidUnmarshalError
	if errors.As(err, &ie) {
		// The handler passed a non-pointer: a bug, not the caller's fault.
		return problem.Wrap(err, "internal error")
	}
	return problem.Field("body", "is not valid for this command")
}

// kindName describes the JSON a Go type expects.
func kindName(t reflect.Type) string {
	if t == nil {
		return "of another type"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

// readBody reads a body of at most limit bytes. A body that is not blank
// must be JSON.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *failure) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil, nil
	}
	raw, err := param.Limits{Body: limit}.ReadBody(w, r)
	if errors.Is(err, param.ErrBodyTooLarge) {
		return nil, &failBodyTooLarge
	}
	if err != nil {
		return nil, &failBadJSON
	}
	body := bytes.TrimSpace(raw)
	if len(body) == 0 {
		return nil, nil
	}
	if !json.Valid(body) {
		return nil, &failBadJSON
	}
	return body, nil
}

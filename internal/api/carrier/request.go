package carrier

import (
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"switchboard/internal/api/param"
	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Request is one parsed, authenticated call handed to a Handler.
//
// The accessors return errors whose dynamic type is *problem.Error with
// Field set to the parameter name, so a handler can return them as they
// are and the client reads "Invalid <parameter>". A missing required
// parameter is reported the same way: the document has no other wording.
type Request struct {
	// Endpoint is the endpoint's name as the document spells it; for an
	// alias, the name of the endpoint it stands for.
	Endpoint string
	// Called is the name as the client sent it (an alias, or another case).
	Called string
	// Principal is the authenticated caller; its AccountNumber is the
	// request's accountno.
	Principal auth.Principal
	// Params holds the query string and body parameters, merged (a body
	// value replaces a query value of the same name). The token is removed
	// so that no handler can log it by accident.
	Params url.Values
	// Files holds the file parts of a multipart body by parameter name.
	Files map[string][]*multipart.FileHeader
	// HTTP is the underlying request, for headers and the remote address.
	HTTP *http.Request
}

// value returns the trimmed first value of name. Failing an exact match it
// tries the PHP list spelling "name[]", then any case: the document itself
// spells one parameter trunkid, trunkId and trunk_id in different
// endpoints, and NPANXX next to npanxx.
func (r *Request) value(name string) string {
	if v := param.Value(r.Params, name); v != "" {
		return v
	}
	key, ok := r.foldKey(name)
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.Params.Get(key))
}

// foldKey returns the parameter key equal to name without regard to case,
// the smallest one when several are, so that the answer does not depend
// on map order.
func (r *Request) foldKey(name string) (string, bool) {
	best, found := "", false
	for k, vs := range r.Params {
		if len(vs) > 0 && strings.EqualFold(k, name) && (!found || k < best) {
			best, found = k, true
		}
	}
	return best, found
}

// Has reports whether the parameter was sent with a non-blank value.
func (r *Request) Has(name string) bool { return r.value(name) != "" }

// String returns a required parameter.
func (r *Request) String(name string) (string, error) {
	v := r.value(name)
	if v == "" {
		return "", missing(name)
	}
	return v, nil
}

// OptionalString returns a parameter, or def when it is absent or blank.
func (r *Request) OptionalString(name, def string) string {
	if v := r.value(name); v != "" {
		return v
	}
	return def
}

// Int returns a required integer parameter.
func (r *Request) Int(name string) (int64, error) {
	if !r.Has(name) {
		return 0, missing(name)
	}
	return r.OptionalInt(name, 0)
}

// OptionalInt returns an integer parameter, or def when it is absent.
func (r *Request) OptionalInt(name string, def int64) (int64, error) {
	return param.Int(name, r.value(name), def)
}

// Bool returns a boolean parameter, or def when it is absent. "1"/"0",
// "true"/"false" and "yes"/"no" are accepted in any case: form-encoded
// clients send whichever their language prints.
func (r *Request) Bool(name string, def bool) (bool, error) {
	return param.Bool(name, r.value(name), def)
}

// Date returns a YYYY-MM-DD parameter ("from", "to": "Example:
// 2015-04-29") as midnight UTC; ok is false when it is absent.
func (r *Request) Date(name string) (t time.Time, ok bool, err error) {
	return param.Date(name, r.value(name), "must be a date formatted as YYYY-MM-DD")
}

// dateTimeLayouts are the forms DateTime accepts: the document's
// "2015-04-29 00:00:00" (get_payments, requestedFocDate), ISO 8601 with a
// zone, and a bare date meaning midnight.
var dateTimeLayouts = []string{time.DateTime, time.RFC3339, time.DateOnly}

// DateTime returns a date-and-time parameter in UTC; ok is false when it is
// absent.
func (r *Request) DateTime(name string) (t time.Time, ok bool, err error) {
	return param.DateTime(name, r.value(name), "must be a date and time formatted as YYYY-MM-DD HH:MM:SS", dateTimeLayouts...)
}

// List returns a comma-separated parameter ("comma separate for multiple
// numbers") as its trimmed, non-empty elements; repeated values and the
// "name[]" spelling are accepted too. It returns nil when the parameter is
// absent.
func (r *Request) List(name string) []string {
	keys := []string{name, name + "[]"}
	if len(r.Params[name]) == 0 && len(r.Params[name+"[]"]) == 0 {
		if k, ok := r.foldKey(name); ok {
			keys = []string{k}
		}
	}
	return param.List(r.Params, keys...)
}

// IntList returns a list parameter of integers (tg_id: "One or multiple
// numbers comma separated"). It returns nil when the parameter is absent.
func (r *Request) IntList(name string) ([]int64, error) {
	return param.IntList(name, r.List(name))
}

// File returns the first file part sent under name (or "name[]").
func (r *Request) File(name string) (*multipart.FileHeader, bool) {
	return param.File(r.Files, name)
}

// missing is the error for an absent required parameter.
func missing(name string) error {
	return problem.Field(name, "is required")
}

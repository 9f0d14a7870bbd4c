package carrier

import (
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

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
	if v := strings.TrimSpace(r.Params.Get(name)); v != "" {
		return v
	}
	if v := strings.TrimSpace(r.Params.Get(name + "[]")); v != "" {
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
	v := r.value(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, problem.Field(name, "must be an integer")
	}
	return n, nil
}

// Bool returns a boolean parameter, or def when it is absent. "1"/"0",
// "true"/"false" and "yes"/"no" are accepted in any case: form-encoded
// clients send whichever their language prints.
func (r *Request) Bool(name string, def bool) (bool, error) {
	v := r.value(name)
	if v == "" {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes":
		return true, nil
	case "0", "false", "no":
		return false, nil
	}
	return false, problem.Field(name, `must be "1" or "0"`)
}

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Date returns a YYYY-MM-DD parameter ("from", "to": "Example:
// 2015-04-29") as midnight UTC; ok is false when it is absent.
func (r *Request) Date(name string) (t time.Time, ok bool, err error) {
	v := r.value(name)
	if v == "" {
		return time.Time{}, false, nil
	}
	// The regexp refuses what time.Parse would let through, such as a
	// one-digit month.
	if !dateRe.MatchString(v) {
		return time.Time{}, false, problem.Field(name, "must be a date formatted as YYYY-MM-DD")
	}
	t, perr := time.Parse(time.DateOnly, v)
	if perr != nil {
		return time.Time{}, false, problem.Field(name, "must be a date formatted as YYYY-MM-DD")
	}
	return t, true, nil
}

// dateTimeLayouts are the forms DateTime accepts: the document's
// "2015-04-29 00:00:00" (get_payments, requestedFocDate), ISO 8601 with a
// zone, and a bare date meaning midnight.
var dateTimeLayouts = []string{time.DateTime, time.RFC3339, time.DateOnly}

// DateTime returns a date-and-time parameter in UTC; ok is false when it is
// absent.
func (r *Request) DateTime(name string) (t time.Time, ok bool, err error) {
	v := r.value(name)
	if v == "" {
		return time.Time{}, false, nil
	}
	for _, layout := range dateTimeLayouts {
		if t, perr := time.Parse(layout, v); perr == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, problem.Field(name, "must be a date and time formatted as YYYY-MM-DD HH:MM:SS")
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
	var out []string
	for _, key := range keys {
		for _, v := range r.Params[key] {
			for part := range strings.SplitSeq(v, ",") {
				if p := strings.TrimSpace(part); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// IntList returns a list parameter of integers (tg_id: "One or multiple
// numbers comma separated"). It returns nil when the parameter is absent.
func (r *Request) IntList(name string) ([]int64, error) {
	parts := r.List(name)
	if parts == nil {
		return nil, nil
	}
	out := make([]int64, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, problem.Field(name, "must be a list of integers")
		}
		out = append(out, n)
	}
	return out, nil
}

// File returns the first file part sent under name (or "name[]").
func (r *Request) File(name string) (*multipart.FileHeader, bool) {
	for _, key := range []string{name, name + "[]"} {
		if fs := r.Files[key]; len(fs) > 0 {
			return fs[0], true
		}
	}
	return nil, false
}

// missing is the error for an absent required parameter.
func missing(name string) error {
	return problem.Field(name, "is required")
}

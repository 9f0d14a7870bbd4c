package voicemeup

import (
	"cmp"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/api/param"
	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Format is a response output format.
type Format string

// The two output formats of the API.
const (
	JSON Format = "json"
	XML  Format = "xml"
)

// Request is one parsed, authenticated API call handed to a Handler.
type Request struct {
	// Type is the request type, e.g. "get_dids".
	Type string
	// Version is "1.0" for the xml_engine.php endpoint, "1.1" otherwise.
	Version string
	// Format is the output format the answer is rendered in.
	Format Format
	// Language is "en" or "fr".
	Language string
	// Currency is the requested currency (three uppercase letters), or ""
	// when the client sent none and the account's currency applies.
	Currency string
	// Principal is the authenticated caller.
	Principal auth.Principal
	// Params holds the query string and body parameters, merged (a body
	// value replaces a query value of the same name). The auth_token is
	// removed so that no handler can log it by accident.
	Params url.Values
	// Files holds the file parts of a multipart body by field name.
	Files map[string][]*multipart.FileHeader
	// HTTP is the underlying request, for headers and the remote address.
	HTTP *http.Request
}

// Has reports whether the parameter was sent with a non-blank value.
func (r *Request) Has(name string) bool { return r.value(name) != "" }

// value returns the trimmed first value of name, falling back to the PHP
// array spelling "name[]" that form-building clients use for lists.
func (r *Request) value(name string) string { return param.Value(r.Params, name) }

// String returns a required parameter.
func (r *Request) String(name string) (string, error) {
	v := r.value(name)
	if v == "" {
		return "", Missing(name)
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

// OneOf returns the parameter when it is one of allowed, def when it is
// absent, and a <name>_invalid error otherwise.
func (r *Request) OneOf(name, def string, allowed ...string) (string, error) {
	v := r.value(name)
	if v == "" {
		return def, nil
	}
	if !slices.Contains(allowed, v) {
		return "", invalid(name, "must be one of "+strings.Join(allowed, ", "))
	}
	return v, nil
}

// Int returns a required integer parameter.
func (r *Request) Int(name string) (int64, error) {
	if !r.Has(name) {
		return 0, Missing(name)
	}
	return r.OptionalInt(name, 0)
}

// OptionalInt returns an integer parameter, or def when it is absent.
func (r *Request) OptionalInt(name string, def int64) (int64, error) {
	return param.Int(name, r.value(name), def)
}

// IntRange returns an integer parameter within [lo, hi], or def when it is
// absent (result_limit: 1 to 1000, default 25).
func (r *Request) IntRange(name string, def, lo, hi int64) (int64, error) {
	n, err := r.OptionalInt(name, def)
	if err != nil {
		return 0, err
	}
	if r.Has(name) && (n < lo || n > hi) {
		return 0, invalid(name, "must be between "+strconv.FormatInt(lo, 10)+" and "+strconv.FormatInt(hi, 10))
	}
	return n, nil
}

// Bool returns a boolean parameter, or def when it is absent. The document
// uses "1"/"0" for bool parameters, "yes"/"no" for some flags and TRUE/FALSE
// in prose; all of them are accepted, in any case.
func (r *Request) Bool(name string, def bool) (bool, error) {
	return param.Bool(name, r.value(name), def)
}

// Date returns a YYYY-MM-DD parameter as midnight UTC; ok is false when it
// is absent.
func (r *Request) Date(name string) (t time.Time, ok bool, err error) {
	return param.Date(name, r.value(name), `must be a date formatted as "YYYY-MM-DD"`)
}

// DateTime returns a "YYYY-MM-DD HH:MM:SS" parameter in UTC; ok is false
// when it is absent.
func (r *Request) DateTime(name string) (t time.Time, ok bool, err error) {
	return param.DateTime(name, r.value(name), `must be a datetime formatted as "YYYY-MM-DD HH:MM:SS"`, time.DateTime)
}

// List returns a comma-separated parameter as its trimmed, non-empty
// elements; repeated values, the "name[]" spelling and the indexed
// "name[0]", "name[1]" spelling PHP's http_build_query produces for arrays
// are accepted too (indexed values in index order). It returns nil when the
// parameter is absent.
func (r *Request) List(name string) []string {
	return param.List(r.Params, r.listKeys(name)...)
}

// SentList reports whether a list parameter was sent in any of the
// spellings List accepts, even with only blank values (which clear a list).
func (r *Request) SentList(name string) bool {
	for _, key := range r.listKeys(name) {
		if _, ok := r.Params[key]; ok {
			return true
		}
	}
	return false
}

// listKeys returns the parameter keys spelling the list name: name,
// name[] and name[<index>] in index order.
func (r *Request) listKeys(name string) []string {
	keys := []string{name, name + "[]"}
	type indexed struct {
		i   int
		key string
	}
	var idx []indexed
	prefix := name + "["
	for key := range r.Params {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok {
			continue
		}
		digits, ok := strings.CutSuffix(rest, "]")
		if !ok || digits == "" {
			continue
		}
		i, err := strconv.Atoi(digits)
		if err != nil || i < 0 || strconv.Itoa(i) != digits {
			continue
		}
		idx = append(idx, indexed{i, key})
	}
	slices.SortFunc(idx, func(a, b indexed) int { return cmp.Compare(a.i, b.i) })
	for _, e := range idx {
		keys = append(keys, e.key)
	}
	return keys
}

// IntList returns a list parameter of integers (comma-separated IDs).
func (r *Request) IntList(name string) ([]int64, error) {
	return param.IntList(name, r.List(name))
}

// Group returns the entries of an indexed array parameter, the PHP form
// "name[0][field]=value" used by sources, destinations, action and shift,
// ordered by index. Gaps in the indexes are skipped.
func (r *Request) Group(name string) []map[string]string {
	byIndex := map[int]map[string]string{}
	prefix := name + "["
	for key, vals := range r.Params {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok || len(vals) == 0 {
			continue
		}
		idx, rest, ok := strings.Cut(rest, "][")
		if !ok || !strings.HasSuffix(rest, "]") {
			continue
		}
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 {
			continue
		}
		field := strings.TrimSuffix(rest, "]")
		if field == "" || strings.ContainsAny(field, "[]") {
			continue
		}
		if byIndex[i] == nil {
			byIndex[i] = map[string]string{}
		}
		byIndex[i][field] = vals[0]
	}
	idxs := make([]int, 0, len(byIndex))
	for i := range byIndex {
		idxs = append(idxs, i)
	}
	slices.Sort(idxs)
	out := make([]map[string]string, 0, len(idxs))
	for _, i := range idxs {
		out = append(out, byIndex[i])
	}
	return out
}

// File returns the first file part sent under name (or "name[]").
func (r *Request) File(name string) (*multipart.FileHeader, bool) {
	return param.File(r.Files, name)
}

func invalid(field, msg string) error {
	return &problem.Error{Code: problem.Invalid, Field: field, Message: msg}
}

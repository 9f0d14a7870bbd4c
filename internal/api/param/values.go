package param

import (
	"mime/multipart"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/problem"
)

// Value returns the trimmed first value of name in params, falling back to
// the PHP array spelling "name[]" that form-building clients use for
// lists; "" when neither holds a non-blank value.
func Value(params url.Values, name string) string {
	if v := strings.TrimSpace(params.Get(name)); v != "" {
		return v
	}
	return strings.TrimSpace(params.Get(name + "[]"))
}

// Int parses v, the value of parameter name, as an integer; def when v is
// empty.
func Int(name, v string, def int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, problem.Field(name, "must be an integer")
	}
	return n, nil
}

// Bool parses v, the value of parameter name, as a boolean; def when v is
// empty. "1"/"0", "true"/"false" and "yes"/"no" are accepted in any case.
func Bool(name, v string, def bool) (bool, error) {
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

// Date parses v, the value of parameter name, as a YYYY-MM-DD date at
// midnight UTC; ok is false when v is empty. A bad value is an error with
// message msg: the dialects word it differently.
func Date(name, v, msg string) (t time.Time, ok bool, err error) {
	if v == "" {
		return time.Time{}, false, nil
	}
	// The regexp refuses what time.Parse would let through, such as a
	// one-digit month.
	if !dateRe.MatchString(v) {
		return time.Time{}, false, problem.Field(name, "%s", msg)
	}
	t, perr := time.Parse(time.DateOnly, v)
	if perr != nil {
		return time.Time{}, false, problem.Field(name, "%s", msg)
	}
	return t, true, nil
}

// DateTime parses v, the value of parameter name, with the first of
// layouts that fits, in UTC; ok is false when v is empty. A value no layout
// fits is an error with message msg.
func DateTime(name, v, msg string, layouts ...string) (t time.Time, ok bool, err error) {
	if v == "" {
		return time.Time{}, false, nil
	}
	for _, layout := range layouts {
		if t, perr := time.Parse(layout, v); perr == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, problem.Field(name, "%s", msg)
}

// List returns the values of params under keys, in order, each split on
// commas, as their trimmed, non-empty elements; nil when there are none.
func List(params url.Values, keys ...string) []string {
	var out []string
	for _, key := range keys {
		for _, v := range params[key] {
			for part := range strings.SplitSeq(v, ",") {
				if p := strings.TrimSpace(part); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// IntList parses parts, the elements of list parameter name, as integers;
// nil when parts is nil.
func IntList(name string, parts []string) ([]int64, error) {
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
func File(files map[string][]*multipart.FileHeader, name string) (*multipart.FileHeader, bool) {
	for _, key := range []string{name, name + "[]"} {
		if fs := files[key]; len(fs) > 0 {
			return fs[0], true
		}
	}
	return nil, false
}

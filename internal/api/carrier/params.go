package carrier

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"switchboard/internal/api/param"
	"switchboard/internal/problem"
)

// Body limits when Config leaves them zero.
const (
	// DefaultMaxBody bounds form-encoded and JSON bodies: a call of this
	// API is a few dozen short parameters.
	DefaultMaxBody = 1 << 20
	// DefaultMaxMultipartBody bounds multipart bodies, which only
	// generate_lnp_order needs: its loa_doc and carrier_doc are ZIP files
	// of scanned documents.
	DefaultMaxMultipartBody = 16 << 20
	// multipartMemory is how much of a multipart body is kept in memory;
	// file parts beyond it spill to temporary files.
	multipartMemory = 4 << 20
)

// defaultLimits are the body limits of a Config that sets none.
var defaultLimits = param.Limits{Body: DefaultMaxBody, Multipart: DefaultMaxMultipartBody, Memory: multipartMemory}

// parseParams merges the query string with the body of a POST, the body
// winning. The body may be form-encoded (what clients of this API send),
// multipart (for file uploads) or a JSON object. Malformed query or form
// pairs are skipped rather than failing the request, as the PHP-style
// servers this API comes from do.
func (d *Dialect) parseParams(w http.ResponseWriter, r *http.Request) (*param.Set, error) {
	p := param.Query(r)
	if r.Method != http.MethodPost || r.Body == nil {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		form, err := d.bodies.ReadMultipart(r, ctParams["boundary"])
		if err != nil {
			return p, err
		}
		p.MergeForm(form)
		return p, nil
	}
	raw, err := d.bodies.ReadBody(w, r)
	if err != nil {
		return p, err
	}
	body, err := decodeBody(ct, raw)
	if err != nil {
		return p, err
	}
	p.Merge(body)
	return p, nil
}

// decodeBody decodes a non-multipart body. A body is JSON when its content
// type says so, or when it looks like a JSON object whatever the content
// type says: HTTP libraries label a raw string body form-encoded unless
// told otherwise, and a form body never starts with "{".
func decodeBody(ct string, raw []byte) (url.Values, error) {
	declared := ct == "application/json" || strings.HasSuffix(ct, "+json")
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return nil, nil // the parameters are all in the query string
	}
	if declared || bytes.HasPrefix(trimmed, []byte("{")) {
		v, err := jsonParams(trimmed)
		if err == nil || declared {
			return v, err
		}
		var pe *problem.Error
		if errors.As(err, &pe) {
			return nil, err // valid JSON with a value no parameter can hold
		}
	}
	// Like the query string, keep what parses.
	v, _ := url.ParseQuery(string(raw))
	return v, nil
}

// jsonParams flattens a JSON object into parameters: strings as they are,
// numbers as written (a card number keeps all its digits), booleans as
// "true"/"false", arrays as repeated values; null is absent. A nested
// object has no parameter form and answers "Invalid <key>".
func jsonParams(raw []byte) (url.Values, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, param.ErrBadBody
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, param.ErrBadBody // trailing data after the object
	}
	out := make(url.Values, len(m))
	for k, v := range m {
		if list, ok := v.([]any); ok {
			for _, e := range list {
				s, ok := scalar(e)
				if !ok {
					return nil, problem.Field(k, "must be a list of strings or numbers")
				}
				out[k] = append(out[k], s)
			}
			continue
		}
		if v == nil {
			continue
		}
		s, ok := scalar(v)
		if !ok {
			return nil, problem.Field(k, "must be a string, a number or a list")
		}
		out[k] = append(out[k], s)
	}
	return out, nil
}

// scalar renders a decoded JSON scalar as a parameter value.
func scalar(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// Package param reads the parameters of a form-style API call: the query
// string and a form-encoded or multipart body, each body bounded by its
// limit, and turns parameter values into typed values whose errors are
// *problem.Error with Field set to the parameter name.
//
// It owns what the dialects that speak form parameters (voicemeup, carrier)
// do alike. How a dialect looks a name up (PHP "name[N]" arrays, names in
// any case), which body types it decodes (carrier's JSON), and how it
// words and answers an error stay in the dialect.
package param

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
)

var (
	// ErrBodyTooLarge is returned when a request body exceeds its limit.
	ErrBodyTooLarge = errors.New("request body too large")
	// ErrBadBody is returned, possibly wrapped, for a body that cannot be
	// read or parsed.
	ErrBadBody = errors.New("malformed request body")
)

// Limits bounds the bodies of requests.
type Limits struct {
	// Body bounds bodies read whole: form-encoded, JSON.
	Body int64
	// Multipart bounds multipart bodies.
	Multipart int64
	// Memory is how much of a multipart body is kept in memory; file parts
	// beyond it spill to temporary files.
	Memory int64
}

// Or returns l with each field that is zero or negative replaced by the
// same field of def.
func (l Limits) Or(def Limits) Limits {
	if l.Body <= 0 {
		l.Body = def.Body
	}
	if l.Multipart <= 0 {
		l.Multipart = def.Multipart
	}
	if l.Memory <= 0 {
		l.Memory = def.Memory
	}
	return l
}

// ReadBody reads the whole body of r, at most l.Body bytes. A body over
// the limit, by its Content-Length or by what it turns out to hold, is
// ErrBodyTooLarge; any other read failure wraps ErrBadBody.
func (l Limits) ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > l.Body {
		return nil, ErrBodyTooLarge
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, l.Body))
	if err != nil {
		return nil, bodyError(err)
	}
	return raw, nil
}

// ReadMultipart reads a multipart body with the given boundary, at most
// l.Multipart bytes. The caller removes the form's temporary files
// (Set.Cleanup does when the form is added to a Set).
func (l Limits) ReadMultipart(r *http.Request, boundary string) (*multipart.Form, error) {
	if r.ContentLength > l.Multipart {
		return nil, ErrBodyTooLarge
	}
	if boundary == "" {
		return nil, ErrBadBody
	}
	lr := &limitedReader{r: r.Body, left: l.Multipart}
	form, err := multipart.NewReader(lr, boundary).ReadForm(l.Memory)
	if err != nil {
		if lr.exceeded {
			return nil, ErrBodyTooLarge
		}
		return nil, bodyError(err)
	}
	return form, nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return ErrBodyTooLarge
	}
	return fmt.Errorf("%w: %w", ErrBadBody, err)
}

// limitedReader fails reads past its budget and remembers that it did, so
// an oversized multipart body is told apart from a malformed one whatever
// error the multipart reader wraps it in.
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (l *limitedReader) Read(b []byte) (int, error) {
	if l.left <= 0 {
		// Probe one byte: a body of exactly the limit is fine.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.exceeded = true
			return 0, ErrBodyTooLarge
		}
		return 0, err
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	return n, err
}

// Set is the merged parameter set of one request.
type Set struct {
	// Values holds the query string and body parameters.
	Values url.Values
	// Files holds the file parts of a multipart body by field name.
	Files map[string][]*multipart.FileHeader

	form *multipart.Form
}

// Query returns the Set of the query string of r. Malformed pairs are
// skipped, as PHP skips them, rather than failing the request.
func Query(r *http.Request) *Set {
	// ParseQuery keeps every well-formed pair even when it reports an error.
	v, _ := url.ParseQuery(r.URL.RawQuery)
	return &Set{Values: v}
}

// Merge adds body to the set, a body value replacing a query value of the
// same name.
func (s *Set) Merge(body url.Values) {
	for k, v := range body {
		s.Values[k] = v
	}
}

// MergeForm merges the values of a multipart form and takes its files;
// Cleanup removes their temporary files.
func (s *Set) MergeForm(form *multipart.Form) {
	s.form, s.Files = form, form.File
	s.Merge(url.Values(form.Value))
}

// Cleanup removes the temporary files of spilled multipart parts.
func (s *Set) Cleanup() {
	if s.form != nil {
		_ = s.form.RemoveAll()
	}
}

package voicemeup

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
)

// Body limits when Config leaves them zero.
const (
	DefaultMaxBody          = 1 << 20  // form-encoded bodies
	DefaultMaxMultipartBody = 32 << 20 // multipart bodies (fax and SMS attachments)
	multipartMemory         = 8 << 20  // file parts beyond this spill to temporary files
)

// errBodyTooLarge is returned when a request body exceeds its limit.
var errBodyTooLarge = errors.New("request body too large")

// errBadBody is returned for a body that cannot be parsed.
var errBadBody = errors.New("malformed request body")

// parsedParams is the merged parameter set of one request.
type parsedParams struct {
	values url.Values
	files  map[string][]*multipart.FileHeader
	form   *multipart.Form
}

// cleanup removes the temporary files of spilled multipart parts.
func (p *parsedParams) cleanup() {
	if p.form != nil {
		_ = p.form.RemoveAll()
	}
}

// parseParams merges the query string with an urlencoded or multipart body,
// the body winning. Malformed query pairs are skipped, as PHP skips them,
// rather than failing the request.
func (d *Dialect) parseParams(w http.ResponseWriter, r *http.Request) (*parsedParams, error) {
	// ParseQuery keeps every well-formed pair even when it reports an error.
	query, _ := url.ParseQuery(r.URL.RawQuery)
	p := &parsedParams{values: query}
	if r.Body == nil || r.Method != http.MethodPost {
		return p, nil
	}
	ct, ctParams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		// No (or an unreadable) content type: PHP would not parse the body
		// either, so only the query string counts.
		return p, nil
	}
	var body url.Values
	switch ct {
	case "application/x-www-form-urlencoded":
		if r.ContentLength > d.maxBody {
			return p, errBodyTooLarge
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.maxBody))
		if err != nil {
			return p, bodyError(err)
		}
		body, _ = url.ParseQuery(string(raw))
	case "multipart/form-data":
		if r.ContentLength > d.maxMultipart {
			return p, errBodyTooLarge
		}
		if ctParams["boundary"] == "" {
			return p, errBadBody
		}
		lr := &limitedReader{r: r.Body, left: d.maxMultipart}
		mr := multipart.NewReader(lr, ctParams["boundary"])
		form, err := mr.ReadForm(multipartMemory)
		if err != nil {
			if lr.exceeded {
				return p, errBodyTooLarge
			}
			return p, bodyError(err)
		}
		p.form = form
		p.files = form.File
		body = url.Values(form.Value)
	default:
		return p, nil
	}
	for k, v := range body {
		p.values[k] = v
	}
	return p, nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge
	}
	return fmt.Errorf("%w: %w", errBadBody, err)
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
			return 0, errBodyTooLarge
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

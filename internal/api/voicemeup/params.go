package voicemeup

import (
	"mime"
	"net/http"
	"net/url"

	"switchboard/internal/api/param"
)

// Body limits when Config leaves them zero.
const (
	DefaultMaxBody          = 1 << 20  // form-encoded bodies
	DefaultMaxMultipartBody = 32 << 20 // multipart bodies (fax and SMS attachments)
	multipartMemory         = 8 << 20  // file parts beyond this spill to temporary files
)

// defaultLimits are the body limits of a Config that sets none.
var defaultLimits = param.Limits{Body: DefaultMaxBody, Multipart: DefaultMaxMultipartBody, Memory: multipartMemory}

// parseParams merges the query string with an urlencoded or multipart body,
// the body winning. Malformed query pairs are skipped, as PHP skips them,
// rather than failing the request.
func (d *Dialect) parseParams(w http.ResponseWriter, r *http.Request) (*param.Set, error) {
	p := param.Query(r)
	if r.Body == nil || r.Method != http.MethodPost {
		return p, nil
	}
	ct, ctParams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		// No (or an unreadable) content type: PHP would not parse the body
		// either, so only the query string counts.
		return p, nil
	}
	switch ct {
	case "application/x-www-form-urlencoded":
		raw, err := d.bodies.ReadBody(w, r)
		if err != nil {
			return p, err
		}
		body, _ := url.ParseQuery(string(raw))
		p.Merge(body)
	case "multipart/form-data":
		form, err := d.bodies.ReadMultipart(r, ctParams["boundary"])
		if err != nil {
			return p, err
		}
		p.MergeForm(form)
	}
	return p, nil
}

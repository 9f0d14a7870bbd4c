package param_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/internal/api/param"
	"switchboard/internal/problem"
)

// FuzzReadBodies feeds arbitrary bodies to both readers: neither panics,
// every failure is ErrBodyTooLarge or ErrBadBody, and what is read never
// exceeds its limit.
func FuzzReadBodies(f *testing.F) {
	f.Add([]byte("a=1&b=2"), "b0undary", uint16(16))
	f.Add([]byte("--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--X--\r\n"), "X", uint16(64))
	f.Add([]byte("--X\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.zip\"\r\n\r\nPK\r\n--X--\r\n"), "X", uint16(8))
	f.Add([]byte(""), "", uint16(0))
	f.Fuzz(func(t *testing.T, body []byte, boundary string, limit uint16) {
		l := param.Limits{Body: int64(limit), Multipart: int64(limit), Memory: 32}

		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		r.ContentLength = -1
		raw, err := l.ReadBody(httptest.NewRecorder(), r)
		switch {
		case err == nil:
			if string(raw) != string(body) || int64(len(raw)) > l.Body {
				t.Fatalf("read %d bytes of %d, limit %d", len(raw), len(body), l.Body)
			}
		case errors.Is(err, param.ErrBodyTooLarge):
			if int64(len(body)) <= l.Body {
				t.Fatalf("%d bytes within limit %d called too large", len(body), l.Body)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}

		r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		r.ContentLength = -1
		form, err := l.ReadMultipart(r, boundary)
		switch {
		case err == nil:
			if int64(len(body)) > l.Multipart {
				t.Fatalf("%d bytes over limit %d accepted", len(body), l.Multipart)
			}
			s := param.Query(r)
			s.MergeForm(form)
			s.Cleanup()
		case errors.Is(err, param.ErrBodyTooLarge):
			if int64(len(body)) <= l.Multipart {
				t.Fatalf("%d bytes within limit %d called too large", len(body), l.Multipart)
			}
		case errors.Is(err, param.ErrBadBody):
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzValues checks the typed accessors on arbitrary values: they do not
// panic, they agree with the standard parsers, and every error they return
// is an Invalid *problem.Error naming the parameter.
func FuzzValues(f *testing.F) {
	for _, s := range []string{"", "1", "-7", "yes", "NO", "2015-04-29", "2015-04-29 10:00:00", "1, 2,,3", "x,1", " , "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		checkErr := func(err error) {
			t.Helper()
			if err == nil {
				return
			}
			var pe *problem.Error
			if !errors.As(err, &pe) || pe.Code != problem.Invalid || pe.Field != "p" {
				t.Fatalf("error %#v", err)
			}
		}

		n, err := param.Int("p", v, 7)
		checkErr(err)
		if v == "" && (n != 7 || err != nil) {
			t.Fatalf("absent int: %d %v", n, err)
		}
		if want, perr := strconv.ParseInt(v, 10, 64); v != "" && (perr == nil) != (err == nil) || err == nil && v != "" && n != want {
			t.Fatalf("Int(%q) = %d %v", v, n, err)
		}

		_, err = param.Bool("p", v, false)
		checkErr(err)

		d, ok, err := param.Date("p", v, "bad")
		checkErr(err)
		if ok && (d.Format(time.DateOnly) != v || d.Location() != time.UTC) {
			t.Fatalf("Date(%q) = %v", v, d)
		}

		_, _, err = param.DateTime("p", v, "bad", time.DateTime, time.RFC3339)
		checkErr(err)

		list := param.List(url.Values{"p": {v}}, "p")
		for _, e := range list {
			if e == "" || e != strings.TrimSpace(e) || strings.Contains(e, ",") {
				t.Fatalf("List(%q) element %q", v, e)
			}
		}
		ints, err := param.IntList("p", list)
		checkErr(err)
		if err == nil && len(ints) != len(list) {
			t.Fatalf("IntList(%q) = %v for %q", v, ints, list)
		}
	})
}

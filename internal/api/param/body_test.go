package param_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"switchboard/internal/api/param"
)

func TestLimitsOr(t *testing.T) {
	def := param.Limits{Body: 10, Multipart: 20, Memory: 5}
	if got := (param.Limits{}).Or(def); got != def {
		t.Fatalf("zero: %+v", got)
	}
	if got := (param.Limits{Body: -1, Multipart: 7}).Or(def); got != (param.Limits{Body: 10, Multipart: 7, Memory: 5}) {
		t.Fatalf("mixed: %+v", got)
	}
}

func TestReadBody(t *testing.T) {
	l := param.Limits{Body: 5}
	read := func(body string, contentLength int64) ([]byte, error) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.ContentLength = contentLength
		return l.ReadBody(httptest.NewRecorder(), r)
	}
	if b, err := read("abcde", 5); err != nil || string(b) != "abcde" {
		t.Fatalf("at the limit: %q %v", b, err)
	}
	if _, err := read("abcdef", 6); !errors.Is(err, param.ErrBodyTooLarge) {
		t.Fatalf("declared too large: %v", err)
	}
	if _, err := read("abcdef", -1); !errors.Is(err, param.ErrBodyTooLarge) {
		t.Fatalf("unknown length, too large: %v", err)
	}
	r := httptest.NewRequest(http.MethodPost, "/", failingReader{})
	r.ContentLength = -1
	_, err := l.ReadBody(httptest.NewRecorder(), r)
	if !errors.Is(err, param.ErrBadBody) || errors.Is(err, param.ErrBodyTooLarge) {
		t.Fatalf("read failure: %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// multipartRequest builds a POST with a multipart body of one field and
// one file part; ContentLength is unknown so that the limit applies while
// reading.
func multipartRequest(t *testing.T, fileData string) (*http.Request, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("a", "from-body"); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("doc", "doc.zip")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(fileData))
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/?a=from-query&b=2", &b)
	r.ContentLength = -1
	return r, mw.Boundary()
}

func TestReadMultipart(t *testing.T) {
	l := param.Limits{Multipart: 1 << 10, Memory: 16}

	r, boundary := multipartRequest(t, strings.Repeat("x", 100))
	form, err := l.ReadMultipart(r, boundary)
	if err != nil {
		t.Fatal(err)
	}
	s := param.Query(r)
	s.MergeForm(form)
	defer s.Cleanup()
	want := url.Values{"a": {"from-body"}, "b": {"2"}}
	if !reflect.DeepEqual(s.Values, want) {
		t.Fatalf("values %v, want %v", s.Values, want)
	}
	fh, ok := param.File(s.Files, "doc")
	if !ok || fh.Filename != "doc.zip" || fh.Size != 100 {
		t.Fatalf("file %+v %v", fh, ok)
	}

	r, boundary = multipartRequest(t, strings.Repeat("x", 2<<10))
	if _, err := l.ReadMultipart(r, boundary); !errors.Is(err, param.ErrBodyTooLarge) {
		t.Fatalf("too large: %v", err)
	}

	r, boundary = multipartRequest(t, "x")
	r.ContentLength = 2 << 10
	if _, err := l.ReadMultipart(r, boundary); !errors.Is(err, param.ErrBodyTooLarge) {
		t.Fatalf("declared too large: %v", err)
	}

	r, _ = multipartRequest(t, "x")
	if _, err := l.ReadMultipart(r, ""); !errors.Is(err, param.ErrBadBody) {
		t.Fatalf("no boundary: %v", err)
	}

	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("not multipart at all"))
	if _, err := l.ReadMultipart(r, "xyz"); !errors.Is(err, param.ErrBadBody) || errors.Is(err, param.ErrBodyTooLarge) {
		t.Fatalf("malformed: %v", err)
	}
}

// TestReadMultipartExactLimit checks that a body of exactly the limit is
// read: the limit is a maximum, not a bound to stay below.
func TestReadMultipartExactLimit(t *testing.T) {
	r, boundary := multipartRequest(t, "payload")
	body, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	l := param.Limits{Multipart: int64(len(body)), Memory: 1 << 10}
	r = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.ContentLength = -1
	form, err := l.ReadMultipart(r, boundary)
	if err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	_ = form.RemoveAll()

	l.Multipart--
	r = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.ContentLength = -1
	if _, err := l.ReadMultipart(r, boundary); !errors.Is(err, param.ErrBodyTooLarge) {
		t.Fatalf("one byte over: %v", err)
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

func TestQueryAndMerge(t *testing.T) {
	// A malformed pair is skipped, the others kept.
	r := httptest.NewRequest(http.MethodGet, "/?a=1&bad=%zz&b=2&b=3", nil)
	s := param.Query(r)
	want := url.Values{"a": {"1"}, "b": {"2", "3"}}
	if !reflect.DeepEqual(s.Values, want) {
		t.Fatalf("query %v, want %v", s.Values, want)
	}
	s.Merge(url.Values{"b": {"9"}, "c": {"4"}})
	want = url.Values{"a": {"1"}, "b": {"9"}, "c": {"4"}}
	if !reflect.DeepEqual(s.Values, want) {
		t.Fatalf("merged %v, want %v", s.Values, want)
	}
	s.Merge(nil)
	s.Cleanup() // no form: nothing to remove
	if s.Files != nil {
		t.Fatalf("files %v", s.Files)
	}
}

package reseller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/api/reseller"
	"switchboard/internal/id"
	"switchboard/internal/problem"
)

// callPack is the document's call pack.
type callPack struct {
	CreatedOn string `json:"created_on"`
	UpdatedOn string `json:"updated_on,omitempty"`
	UUID      string `json:"uuid"`
}

// compact returns the document's pretty-printed JSON in compact form.
func compact(t *testing.T, doc string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDocumentShapes answers the document's examples and compares them,
// byte for byte, with the document's own JSON.
func TestDocumentShapes(t *testing.T) {
	uuid := id.EncodeUUID(7318349394477056)
	pack := callPack{CreatedOn: "2023-06-07", UpdatedOn: "2023-06-07", UUID: uuid}
	tests := []struct {
		name   string
		method string
		result any
		err    error
		status int
		doc    string // the document's answer, uuid substituted
	}{
		{"list", "GET", []callPack{pack}, nil, 200, `{
"result" : [
{
"created_on" : "2023-06-07",
"updated_on" : "2023-06-07",
"uuid" : "` + uuid + `"
}
],
"status_code" : 200,
"status_message" : "OK"
}`},
		{"get", "GET", pack, nil, 200, `{
"result" : {
"created_on" : "2023-06-07",
"updated_on" : "2023-06-07",
"uuid" : "` + uuid + `"
},
"status_code" : 200,
"status_message" : "OK"
}`},
		{"create", "POST", reseller.Created(callPack{CreatedOn: "2023-06-07", UUID: uuid}), nil, 201, `{
"result" : {
"created_on" : "2023-06-07",
"uuid" : "` + uuid + `"
},
"status_code" : 201,
"status_message" : "Created"
}`},
		{"not found", "GET", nil, problem.NotFoundf("no such call pack"), 404, `{
"result" : {},
"status_code" : 404,
"status_message" : "Not Found"
}`},
		{"payment required", "PUT", nil, problem.New(problem.PaymentRequired, "balance too low"), 402, `{
"result" : {},
"status_code" : 402,
"status_message" : "Payment Required"
}`},
		{"bad request", "POST", nil, problem.New(problem.Invalid, ""), 400, `{
"result" : {},
"status_code" : 400,
"status_message" : "Bad Request"
}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, reseller.Config{})
			e.d.Handle(tt.method, "/call-pack", func(context.Context, *reseller.Request) (any, error) { return tt.result, tt.err })
			e.do(t, aliceCreds, tt.method, "/voip/call-pack", "").check(t, tt.status, compact(t, tt.doc))
		})
	}
}

// TestResults covers the results the document has no example for.
func TestResults(t *testing.T) {
	tests := []struct {
		name   string
		result any
		status int
		want   string
	}{
		{"nil", nil, 200, `{"result":{},"status_code":200,"status_message":"OK"}`},
		{"nil list", []callPack(nil), 200, `{"result":[],"status_code":200,"status_message":"OK"}`},
		{"typed nil pointer", (*callPack)(nil), 200, `{"result":{},"status_code":200,"status_message":"OK"}`},
		{"created nil list", reseller.Created([]string(nil)), 201, `{"result":[],"status_code":201,"status_message":"Created"}`},
		{"no content", reseller.NoContent(), 204, ``},
		{"bad status", &reseller.Response{Status: 302}, 500, internalError},
		{"unmarshalable", map[string]any{"c": make(chan int)}, 500, internalError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, reseller.Config{})
			e.d.Handle("DELETE", "/call-pack/{uuid}", func(context.Context, *reseller.Request) (any, error) { return tt.result, nil })
			e.do(t, aliceCreds, "DELETE", "/voip/call-pack/x", "").check(t, tt.status, tt.want)
			if tt.status == 500 && !strings.Contains(e.log.String(), "request failed") {
				t.Fatalf("not logged: %s", e.log.String())
			}
		})
	}
}

// TestRouting covers what is answered before credentials are looked at.
func TestRouting(t *testing.T) {
	e := newEnv(t, reseller.Config{})
	pattern := func(_ context.Context, req *reseller.Request) (any, error) {
		return map[string]string{"pattern": req.Pattern, "uuid": req.PathValue("uuid"), "http": req.HTTP.PathValue("uuid")}, nil
	}
	e.d.Handle("GET", "/call-pack", pattern)
	e.d.Handle("POST", "/call-pack", pattern)
	e.d.Handle("GET", "/call-pack/{uuid}", pattern)
	e.d.Handle("DELETE", "/call-pack/{uuid}", pattern)
	e.d.Handle("GET", "/call-pack/active", pattern)
	e.d.Handle("POST", "/call-pack/{uuid}/renew", pattern)
	e.d.Handle("GET", "/", pattern)
	res := func(p, uuid string) string {
		return `{"result":{"http":"` + uuid + `","pattern":"` + p + `","uuid":"` + uuid + `"},"status_code":200,"status_message":"OK"}`
	}
	tests := []struct {
		name, method, path string
		status             int
		want               string
		allow              string
	}{
		{"list", "GET", "/voip/call-pack", 200, res("/call-pack", ""), ""},
		{"trailing slash", "GET", "/voip/call-pack/", 200, res("/call-pack", ""), ""},
		{"wildcard", "GET", "/voip/call-pack/abc", 200, res("/call-pack/{uuid}", "abc"), ""},
		{"escaped slash stays in the segment", "GET", "/voip/call-pack/a%2Fb", 200, res("/call-pack/{uuid}", "a/b"), ""},
		{"literal beats wildcard", "GET", "/voip/call-pack/active", 200, res("/call-pack/active", ""), ""},
		{"wildcard of another method", "DELETE", "/voip/call-pack/active", 200, res("/call-pack/{uuid}", "active"), ""},
		{"nested", "POST", "/voip/call-pack/abc/renew", 200, res("/call-pack/{uuid}/renew", "abc"), ""},
		{"root", "GET", "/voip/", 200, res("/", ""), ""},
		{"root without slash", "GET", "/voip", 200, res("/", ""), ""},
		{"HEAD is GET", "HEAD", "/voip/call-pack", 200, res("/call-pack", ""), ""},
		{"unknown path", "GET", "/voip/bundle", 404, notFound, ""},
		{"too deep", "GET", "/voip/call-pack/a/b", 404, notFound, ""},
		{"wrong method", "PUT", "/voip/call-pack", 405, methodNotAllow, "GET, HEAD, POST"},
		{"wrong method on wildcard", "POST", "/voip/call-pack/abc", 405, methodNotAllow, "DELETE, GET, HEAD"},
		{"unknown method", "BREW", "/voip/call-pack/abc/renew", 405, methodNotAllow, "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, aliceCreds, tt.method, tt.path, "")
			r.check(t, tt.status, tt.want)
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Fatalf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
}

// TestRoutingBeforeAuth checks an unknown path is 404 for anyone, and a
// known one is 401 without credentials.
func TestRoutingBeforeAuth(t *testing.T) {
	e := newEnv(t, reseller.Config{})
	e.d.Handle("GET", "/call-pack", ok)
	e.do(t, headers{}, "GET", "/voip/nothing", "").check(t, 404, notFound)
	e.do(t, headers{}, "GET", "/voip/call-pack", "").check(t, 401, unauthorized)
}

// TestUnroutablePaths hands the dialect paths a ServeMux would redirect or
// not route to it at all: still the envelope.
func TestUnroutablePaths(t *testing.T) {
	e := newEnv(t, reseller.Config{})
	e.d.Handle("GET", "/", ok)
	e.d.Handle("GET", "/call-pack/{uuid}/renew", ok)
	for _, p := range []string{"/voipx", "/other", "/voip/call-pack//renew", "/voip/call-pack/../renew", "/voip/call-pack/%2E%2E/renew", "/voip//"} {
		// httptest.NewRequest would not keep the dots.
		r := httptest.NewRequest("GET", "/", nil)
		u, err := url.Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		r.URL = u
		w := httptest.NewRecorder()
		e.d.ServeHTTP(w, r)
		t.Run(p, func(t *testing.T) { reply{w.Code, w.Body.String(), w.Header()}.check(t, 404, notFound) })
	}
}

func TestPanicRecovered(t *testing.T) {
	e := newEnv(t, reseller.Config{})
	e.d.Handle("GET", "/call-pack", func(context.Context, *reseller.Request) (any, error) {
		panic("secret-detail-42")
	})
	e.do(t, aliceCreds, "GET", "/voip/call-pack", "").check(t, 500, internalError)
	if log := e.log.String(); strings.Count(log, "secret-detail-42") != 1 {
		t.Fatalf("panic logged other than once: %s", log)
	}
}

func TestHandlePanics(t *testing.T) {
	tests := []struct{ name, method, pattern string }{
		{"head", "HEAD", "/x"},
		{"lower case method", "get", "/x"},
		{"relative", "GET", "x"},
		{"trailing slash", "GET", "/x/"},
		{"empty segment", "GET", "/x//y"},
		{"bad wildcard", "GET", "/x/{a-b}"},
		{"partial wildcard", "GET", "/x/a{b}"},
		{"repeated wildcard", "GET", "/{a}/{a}"},
		{"duplicate", "GET", "/call-pack/{other}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := reseller.New(reseller.Config{Auth: newAuth()})
			d.Handle("GET", "/call-pack/{uuid}", ok)
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			d.Handle(tt.method, tt.pattern, ok)
		})
	}
	t.Run("nil handler", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		reseller.New(reseller.Config{Auth: newAuth()}).Handle("GET", "/x", nil)
	})
	t.Run("no auth", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		reseller.New(reseller.Config{})
	})
}

var _ http.Handler = (*reseller.Dialect)(nil)

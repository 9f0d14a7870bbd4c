package reseller_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/api/reseller"
	"switchboard/internal/id"
)

// TestUUIDParam covers UUIDs in the path and in the query string.
func TestUUIDParam(t *testing.T) {
	const n = int64(7318349394477056)
	good := id.EncodeUUID(n)
	e := newEnv(t, reseller.Config{})
	h := func(_ context.Context, req *reseller.Request) (any, error) {
		v, err := req.UUIDParam("uuid")
		if err != nil {
			return nil, err
		}
		return map[string]int64{"id": v}, nil
	}
	e.d.Handle("GET", "/call-pack/{uuid}", h)
	e.d.Handle("POST", "/call-pack/renew", h)
	want := fmt.Sprintf(`{"result":{"id":%d},"status_code":200,"status_message":"OK"}`, n)
	tests := []struct {
		name, method, target string
		status               int
		want                 string
	}{
		{"path", "GET", "/voip/call-pack/" + good, 200, want},
		{"path upper case", "GET", "/voip/call-pack/" + strings.ToUpper(good), 200, want},
		{"query", "POST", "/voip/call-pack/renew?uuid=" + good, 200, want},
		{"query missing", "POST", "/voip/call-pack/renew", 404, notFound},
		{"not a uuid", "GET", "/voip/call-pack/42", 404, notFound},
		{"foreign uuid", "GET", "/voip/call-pack/31347d42-00bd-44a5-9b5c-20dc4197a2f6", 404, notFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.do(t, aliceCreds, tt.method, tt.target, "").check(t, tt.status, tt.want)
		})
	}
}

// createPack is the document's create body.
type createPack struct {
	PackID    *int  `json:"pack_id"`
	AutoRenew *bool `json:"auto_renew"`
}

// TestBody covers JSON bodies: decoding, type errors, malformed and
// oversize bodies.
func TestBody(t *testing.T) {
	e := newEnv(t, reseller.Config{MaxBody: 64})
	e.d.Handle("POST", "/call-pack", func(_ context.Context, req *reseller.Request) (any, error) {
		var b createPack
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		if b.PackID == nil {
			return map[string]any{"raw": string(req.Body())}, nil
		}
		return reseller.Created(map[string]any{"pack_id": *b.PackID, "auto_renew": b.AutoRenew}), nil
	})
	e.d.Handle("GET", "/call-pack", func(_ context.Context, req *reseller.Request) (any, error) {
		return map[string]string{"raw": string(req.Body())}, nil
	})
	e.d.Handle("PUT", "/call-pack", func(_ context.Context, req *reseller.Request) (any, error) {
		return nil, req.Decode(createPack{}) // not a pointer: a handler bug
	})
	bad := func(msg string) string {
		return `{"result":{},"status_code":400,"status_message":"Bad Request: ` + msg + `"}`
	}
	tests := []struct {
		name, method, body string
		status             int
		want               string
	}{
		{"document example", "POST", `{"pack_id" : 20}`, 201, `{"result":{"auto_renew":null,"pack_id":20},"status_code":201,"status_message":"Created"}`},
		{"unknown fields allowed", "POST", `{"pack_id":13,"auto_renew":true,"extra":[1]}`, 201, `{"result":{"auto_renew":true,"pack_id":13},"status_code":201,"status_message":"Created"}`},
		{"empty body", "POST", ``, 200, `{"result":{"raw":""},"status_code":200,"status_message":"OK"}`},
		{"blank body", "POST", " \n ", 200, `{"result":{"raw":""},"status_code":200,"status_message":"OK"}`},
		{"string for int", "POST", `{"pack_id":"20"}`, 400, bad("pack_id: must be an integer")},
		{"fraction for int", "POST", `{"pack_id":20.5}`, 400, bad("pack_id: must be an integer")},
		{"string for bool", "POST", `{"pack_id":20,"auto_renew":"yes"}`, 400, bad("auto_renew: must be a boolean")},
		{"list for object", "POST", `[1]`, 400, bad("body: must be an object")},
		{"malformed", "POST", `{"pack_id":`, 400, badJSON},
		{"two documents", "POST", `{}{}`, 400, badJSON},
		{"at the limit", "POST", `{"pack_id":20,"x":"` + strings.Repeat("x", 64-21) + `"}`, 201, `{"result":{"auto_renew":null,"pack_id":20},"status_code":201,"status_message":"Created"}`},
		{"over the limit", "POST", `{"pack_id":20,"x":"` + strings.Repeat("x", 64-20) + `"}`, 413, tooLarge},
		{"GET body ignored", "GET", `not json`, 200, `{"result":{"raw":""},"status_code":200,"status_message":"OK"}`},
		{"decode into a non-pointer", "PUT", `{"pack_id":1}`, 500, internalError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.do(t, aliceCreds, tt.method, "/voip/call-pack", tt.body).check(t, tt.status, tt.want)
		})
	}
}

// TestBodyUnknownLength checks the limit holds without a Content-Length.
func TestBodyUnknownLength(t *testing.T) {
	e := newEnv(t, reseller.Config{MaxBody: 10})
	e.d.Handle("POST", "/call-pack", ok)
	r := httptest.NewRequest("POST", "/voip/call-pack", io.MultiReader(strings.NewReader(`{"a":"0123456789"}`)))
	r.ContentLength = -1
	r.Header.Set(reseller.HeaderReseller, resellerA)
	r.Header.Set(reseller.HeaderUser, "alice")
	r.Header.Set(reseller.HeaderPassword, passAlice)
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	reply{w.Code, w.Body.String(), w.Header()}.check(t, 413, tooLarge)
}

// TestDefaultLimit checks the default limit is 1 MiB.
func TestDefaultLimit(t *testing.T) {
	e := newEnv(t, reseller.Config{})
	e.d.Handle("POST", "/call-pack", ok)
	body := func(n int) string { return `{"x":"` + strings.Repeat("x", n-8) + `"}` }
	e.do(t, aliceCreds, "POST", "/voip/call-pack", body(1<<20)).check(t, 200, `{"result":{},"status_code":200,"status_message":"OK"}`)
	e.do(t, aliceCreds, "POST", "/voip/call-pack", body(1<<20+1)).check(t, 413, tooLarge)
}

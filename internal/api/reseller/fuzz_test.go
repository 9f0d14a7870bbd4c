package reseller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/api/reseller"
	"switchboard/internal/id"
	"switchboard/internal/problem"
)

// fuzzRoutes are the document's commands as the lead might route them.
func fuzzRoutes(d *reseller.Dialect) {
	byUUID := func(_ context.Context, req *reseller.Request) (any, error) {
		n, err := req.UUIDParam("uuid")
		if err != nil {
			return nil, err
		}
		return map[string]string{"uuid": id.EncodeUUID(n)}, nil
	}
	decode := func(_ context.Context, req *reseller.Request) (any, error) {
		var b map[string]any
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		if f, ok := b["fail"].(string); ok {
			return nil, problem.Field(f, "fuzzed")
		}
		return reseller.Created(b), nil
	}
	typed := func(_ context.Context, req *reseller.Request) (any, error) {
		var b createPack
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		return b, nil
	}
	d.Handle("GET", "/call-pack", ok)
	d.Handle("POST", "/call-pack", decode)
	d.Handle("GET", "/call-pack/{uuid}", byUUID)
	d.Handle("POST", "/call-pack/{uuid}/renew", byUUID)
	d.Handle("DELETE", "/call-pack/{uuid}", func(context.Context, *reseller.Request) (any, error) {
		return reseller.NoContent(), nil
	})
	d.Handle("PUT", "/bundle/{uuid}", typed)
}

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"}

// FuzzResellerRequest sends arbitrary methods, paths, bodies and
// credentials through the dialect: it must never panic, never answer 5xx,
// and always answer the envelope with status_code equal to the HTTP status.
func FuzzResellerRequest(f *testing.F) {
	uuid := id.EncodeUUID(7318349394477056)
	f.Add(uint8(1), "/voip/call-pack", []byte(`{"pack_id":20}`), uint8(0))
	f.Add(uint8(0), "/voip/call-pack/"+uuid, []byte(nil), uint8(0))
	f.Add(uint8(1), "/voip/call-pack/"+uuid+"/renew?uuid=x", []byte(`{`), uint8(1))
	f.Add(uint8(3), "/voip/call-pack/"+uuid, []byte(nil), uint8(2))
	f.Add(uint8(2), "/voip/bundle/%2F", []byte(`{"pack_id":"x","auto_renew":1}`), uint8(0))
	f.Add(uint8(7), "/voip//a/../b/", []byte(`[]`), uint8(3))
	f.Add(uint8(1), "/voip/call-pack", []byte(`{"fail":"a\u0000b"}`), uint8(0))

	e := newEnv(f, reseller.Config{MaxBody: 4096})
	fuzzRoutes(e.d)
	creds := []headers{aliceCreds, {resellerA, "alice", tokAlice}, {resellerA, "reader", passRead}, {}, {resellerB, "alice", passAlice}}

	f.Fuzz(func(t *testing.T, method uint8, path string, body []byte, cred uint8) {
		r := httptest.NewRequest("GET", "/voip/", bytes.NewReader(body))
		r.Method = fuzzMethods[int(method)%len(fuzzMethods)]
		p, q, _ := strings.Cut(path, "?")
		r.URL.Path, r.URL.RawPath, r.URL.RawQuery = p, "", q
		h := creds[int(cred)%len(creds)]
		r.Header.Set(reseller.HeaderReseller, h.reseller)
		r.Header.Set(reseller.HeaderUser, h.user)
		r.Header.Set(reseller.HeaderPassword, h.password)
		w := httptest.NewRecorder()
		e.d.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", r.Method, path, w.Code, w.Body.String())
		}
		if err := checkEnvelope(w.Code, w.Body.Bytes()); err != nil {
			t.Fatalf("%s %q: %v\n%s", r.Method, path, err, w.Body.String())
		}
	})
}

// checkEnvelope checks body is the envelope, keys in order, with
// status_code equal to the HTTP status; a 204 has no body.
func checkEnvelope(code int, body []byte) error {
	if code == http.StatusNoContent {
		if len(body) != 0 {
			return errors.New("204 with a body")
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not an object")
	}
	if tok, err := dec.Token(); err != nil || tok != "result" {
		return errors.New(`first key is not "result"`)
	}
	var result json.RawMessage
	if err := dec.Decode(&result); err != nil {
		return err
	}
	if tok, err := dec.Token(); err != nil || tok != "status_code" {
		return errors.New(`second key is not "status_code"`)
	}
	var sc int
	if err := dec.Decode(&sc); err != nil || sc != code {
		return errors.New("status_code does not mirror the HTTP status")
	}
	if tok, err := dec.Token(); err != nil || tok != "status_message" {
		return errors.New(`third key is not "status_message"`)
	}
	var msg string
	if err := dec.Decode(&msg); err != nil || !strings.HasPrefix(msg, http.StatusText(code)) {
		return errors.New("status_message is not the status's reason phrase")
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return errors.New("extra keys")
	}
	if code >= 300 && string(result) != "{}" {
		return errors.New("error answer with a result")
	}
	return nil
}

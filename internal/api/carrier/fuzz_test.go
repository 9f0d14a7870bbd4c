package carrier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"switchboard/internal/api/carrier"
	"switchboard/internal/problem"
)

// prober reads every parameter through every accessor and echoes them, so
// fuzzed names and values reach the renderer; "fail" turns a value into an
// error naming an arbitrary field.
func prober(_ context.Context, req *carrier.Request) (any, error) {
	out := carrier.Fields{}
	for k := range req.Params {
		_, _ = req.String(k)
		_, _ = req.Int(k)
		_, _ = req.OptionalInt(k, 1)
		_, _ = req.Bool(k, false)
		_, _, _ = req.Date(k)
		_, _, _ = req.DateTime(k)
		_, _ = req.IntList(k)
		_, _ = req.File(k)
		out = out.Add(k, req.List(k)).Add(k, req.OptionalString(k, ""))
	}
	if f := req.OptionalString("fail", ""); f != "" {
		return nil, problem.Field(f, "fuzzed")
	}
	return out, nil
}

var fuzzTypes = []string{
	"",
	"application/x-www-form-urlencoded",
	"application/json",
	"multipart/form-data; boundary=B",
	"multipart/form-data",
	"text/plain",
	"application/problem+json",
}

// FuzzCarrierParams sends arbitrary endpoints, query strings and bodies
// through the mounted dialect, with every endpoint implemented: it must
// never panic, never answer 5xx, and always answer the carrier shape with
// the body's status equal to the HTTP status.
func FuzzCarrierParams(f *testing.F) {
	f.Add("get_trunk", creds+"&a=1", []byte("b=2"), uint8(1))
	f.Add("searchdid", creds, []byte(`{"state":"WA","n":[1,"2"],"x":null,"fail":"st\u0000ate"}`), uint8(2))
	f.Add("searchdid", "", []byte(`{"token":"`+tokAlice+`","accountno":80012345,"state":{"a":1}}`), uint8(0))
	f.Add("generate_lnp_order", creds, []byte("--B\r\nContent-Disposition: form-data; name=\"loa_doc\"; filename=\"x\"\r\n\r\nPK\r\n--B--\r\n"), uint8(3))
	f.Add("GEN_DID_ORDER", creds+"&fail=%ff", []byte("%%%"), uint8(5))
	f.Add("x/y", "%zz", []byte(nil), uint8(4))
	f.Add("reserve", "token="+tokReader+"&accountno="+aliceAccount, []byte("{"), uint8(6))

	e := newEnv(f, carrier.Config{MaxBody: 4096, MaxMultipartBody: 8192})
	for _, ep := range carrier.Endpoints() {
		if ep.AliasOf == "" {
			e.d.Handle(ep.Name, prober)
		}
	}

	f.Fuzz(func(t *testing.T, endpoint, query string, body []byte, ctype uint8) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := httptest.NewRequest(method, "/carrier/", bytes.NewReader(body))
			r.URL.Path = "/carrier/" + endpoint
			r.URL.RawPath = ""
			r.URL.RawQuery = query
			if ct := fuzzTypes[int(ctype)%len(fuzzTypes)]; ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			w := httptest.NewRecorder()
			e.d.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %q: status %d: %s", method, endpoint, w.Code, w.Body.String())
			}
			if err := checkShape(w.Code, w.Body.Bytes()); err != nil {
				t.Fatalf("%s %q: %v\n%s", method, endpoint, err, w.Body.String())
			}
		}
	})
}

// checkShape checks that body is a JSON object whose first key is "status",
// a string equal to the HTTP status, and that an error answer carries a
// string "error".
func checkShape(code int, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not an object")
	}
	if tok, err := dec.Token(); err != nil || tok != "status" {
		return errors.New(`first key is not "status"`)
	}
	if tok, err := dec.Token(); err != nil || tok != strconv.Itoa(code) {
		return errors.New("status does not mirror the HTTP status")
	}
	var all map[string]any
	if err := json.Unmarshal(body, &all); err != nil {
		return err
	}
	if code != http.StatusOK {
		if msg, ok := all["error"].(string); !ok || msg == "" || len(all) != 2 {
			return errors.New(`error answer without a lone "error" string`)
		}
	}
	return nil
}

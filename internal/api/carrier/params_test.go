package carrier_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/api/carrier"
)

// params answers the merged parameters, without credentials.
func params(_ context.Context, req *carrier.Request) (any, error) {
	p := req.Params
	delete(p, "accountno")
	return carrier.Field("params", p), nil
}

// TestParameterSources covers the query string, form and JSON bodies and
// how they merge.
func TestParameterSources(t *testing.T) {
	tok := `"token":"` + tokAlice + `","accountno":"` + aliceAccount + `"`
	tests := []struct {
		name, method, query, ctype, body string
		status                           int
		want                             string
	}{
		{"query", "GET", "&state=WA", "", "", 200, `{"status":"200","params":{"state":["WA"]}}`},
		{"form", "POST", "", "application/x-www-form-urlencoded", "state=WA&city=Seattle", 200, `{"status":"200","params":{"city":["Seattle"],"state":["WA"]}}`},
		{"form beats query", "POST", "&state=OR&npa=206", "application/x-www-form-urlencoded", "state=WA", 200, `{"status":"200","params":{"npa":["206"],"state":["WA"]}}`},
		{"malformed pairs skipped", "POST", "&%zz=1", "application/x-www-form-urlencoded", "state=WA&%gg=2", 200, `{"status":"200","params":{"state":["WA"]}}`},
		{"GET body ignored", "GET", "", "application/x-www-form-urlencoded", "state=WA", 200, `{"status":"200","params":{}}`},
		{"json", "POST", "", "application/json", `{` + tok + `,"state":"WA","quantity":5}`, 200, `{"status":"200","params":{"quantity":["5"],"state":["WA"]}}`},
		{"json charset", "POST", "", "application/json; charset=utf-8", `{` + tok + `,"state":"WA"}`, 200, `{"status":"200","params":{"state":["WA"]}}`},
		{"json mislabelled as form", "POST", "", "application/x-www-form-urlencoded", ` {` + tok + `,"state":"WA"}`, 200, `{"status":"200","params":{"state":["WA"]}}`},
		{"json without content type", "POST", "", "", `{` + tok + `,"state":"WA"}`, 200, `{"status":"200","params":{"state":["WA"]}}`},
		{"json keeps digits", "POST", "", "application/json", `{` + tok + `,"cardnumber":4111111111111111111,"x":1.50}`, 200, `{"status":"200","params":{"cardnumber":["4111111111111111111"],"x":["1.50"]}}`},
		{"json lists, bools, null", "POST", "", "application/json", `{` + tok + `,"number":["2065550100",2065550101],"b":true,"n":null}`, 200, `{"status":"200","params":{"b":["true"],"number":["2065550100","2065550101"]}}`},
		{"json beats query", "POST", "&state=OR", "application/json", `{` + tok + `,"state":"WA"}`, 200, `{"status":"200","params":{"state":["WA"]}}`},
		{"empty json body", "POST", "&state=OR", "application/json", ` `, 200, `{"status":"200","params":{"state":["OR"]}}`},
		{"json nested object", "POST", "", "application/json", `{` + tok + `,"state":{"a":1}}`, 404, `{"status":"404","error":"Invalid state"}`},
		{"json nested list", "POST", "", "application/json", `{` + tok + `,"number":[[1]]}`, 404, `{"status":"404","error":"Invalid number"}`},
		{"json nested object, mislabelled", "POST", "", "application/x-www-form-urlencoded", `{` + tok + `,"state":{"a":1}}`, 404, `{"status":"404","error":"Invalid state"}`},
		{"malformed json", "POST", "", "application/json", `{"token":`, 404, `{"status":"404","error":"Invalid request body"}`},
		{"json array", "POST", "", "application/json", `[1,2]`, 404, `{"status":"404","error":"Invalid request body"}`},
		{"json null", "POST", "", "application/json", `null`, 404, `{"status":"404","error":"Invalid request body"}`},
		{"json trailing data", "POST", "", "application/json", `{` + tok + `}{}`, 404, `{"status":"404","error":"Invalid request body"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, carrier.Config{})
			e.d.Handle("get_trunk", params)
			q := tt.query
			if !strings.Contains(tt.body, tokAlice) {
				q = creds + q
			}
			e.do(t, tt.method, "/carrier/get_trunk?"+q, tt.ctype, tt.body).check(t, tt.status, tt.want)
		})
	}
}

// TestBodyLimits checks the limits at and just past their values.
func TestBodyLimits(t *testing.T) {
	const tooLarge = `{"status":"413","error":"Request body too large"}`
	pad := func(n int) string { // a form body of exactly n bytes
		base := creds + "&pad="
		return base + strings.Repeat("x", n-len(base))
	}
	t.Run("default limit is 1 MiB", func(t *testing.T) {
		e := newEnv(t, carrier.Config{})
		e.d.Handle("get_trunk", func(context.Context, *carrier.Request) (any, error) { return nil, nil })
		e.postForm(t, "get_trunk", pad(1<<20)).check(t, 200, `{"status":"200"}`)
		e.postForm(t, "get_trunk", pad(1<<20+1)).check(t, 413, tooLarge)
	})
	t.Run("json over the limit", func(t *testing.T) {
		e := newEnv(t, carrier.Config{MaxBody: 100})
		e.do(t, "POST", "/carrier/get_trunk", "application/json", `{"pad":"`+strings.Repeat("x", 200)+`"}`).check(t, 413, tooLarge)
	})
	t.Run("unknown length", func(t *testing.T) {
		e := newEnv(t, carrier.Config{MaxBody: 100})
		r := httptest.NewRequest("POST", "/carrier/get_trunk", io.MultiReader(strings.NewReader(pad(150))))
		r.ContentLength = -1
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, r)
		reply{w.Code, w.Body.String(), w.Header()}.check(t, 413, tooLarge)
	})
	t.Run("multipart over its own limit", func(t *testing.T) {
		e := newEnv(t, carrier.Config{MaxBody: 100, MaxMultipartBody: 1000})
		body, ct := multipartBody(t, map[string]string{"token": tokAlice, "accountno": aliceAccount}, "loa_doc", strings.Repeat("z", 2000))
		e.do(t, "POST", "/carrier/get_trunk", ct, body).check(t, 413, tooLarge)
	})
	t.Run("multipart without boundary", func(t *testing.T) {
		e := newEnv(t, carrier.Config{})
		e.do(t, "POST", "/carrier/get_trunk", "multipart/form-data", "--x\r\n").check(t, 404, `{"status":"404","error":"Invalid request body"}`)
	})
}

// TestMultipart checks generate_lnp_order's file uploads reach the handler
// and that multipart bodies may exceed the form limit.
func TestMultipart(t *testing.T) {
	e := newEnv(t, carrier.Config{MaxBody: 100})
	e.d.Handle("generate_lnp_order", func(_ context.Context, req *carrier.Request) (any, error) {
		fh, ok := req.File("loa_doc")
		if !ok {
			return nil, nil
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		_, carrierDoc := req.File("carrier_doc")
		return carrier.Field("loa", string(b[:3])).Add("size", len(b)).Add("carrier_doc", carrierDoc).Add("person", req.OptionalString("loaAuthorizingPerson", "")), nil
	})
	fields := map[string]string{
		"token": tokAlice, "accountno": aliceAccount, "numbers": "12065550100", "category": "landline",
		"subscriberType": "business", "loaAuthorizingPerson": "Sunny Summertime",
	}
	body, ct := multipartBody(t, fields, "loa_doc", "PK\x03"+strings.Repeat("z", 500), "carrier_doc", "PK")
	e.do(t, "POST", "/carrier/generate_lnp_order", ct, body).check(t, 200,
		`{"status":"200","loa":"PK\u0003","size":503,"carrier_doc":true,"person":"Sunny Summertime"}`)
}

// multipartBody builds a multipart body of fields and file parts given as
// name, content pairs.
func multipartBody(t testing.TB, fields map[string]string, files ...string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i+1 < len(files); i += 2 {
		fw, err := mw.CreateFormFile(files[i], files[i]+".zip")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(files[i+1]))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), mw.FormDataContentType()
}

var _ http.Handler = (*carrier.Dialect)(nil)

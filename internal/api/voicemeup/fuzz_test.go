package voicemeup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/api/voicemeup"
)

// prober reads every parameter through every accessor and echoes keys and
// values into the tree, so fuzzed names and values reach the renderers.
func prober(_ context.Context, req *voicemeup.Request) (*voicemeup.Result, error) {
	out := voicemeup.List("params", "param")
	for k := range req.Params {
		_, _ = req.String(k)
		_, _ = req.Int(k)
		_, _ = req.IntRange(k, 1, 1, 1000)
		_, _ = req.Bool(k, false)
		_, _, _ = req.Date(k)
		_, _, _ = req.DateTime(k)
		_, _ = req.IntList(k)
		_, _ = req.OneOf(k, "", "a", "b")
		_ = req.Group(k)
		_, _ = req.File(k)
		out.Item().Attr("name", k).Text(strings.Join(req.List(k), ","))
		out.Set(k, req.OptionalString(k, ""))
	}
	if v := req.OptionalString("fail", ""); v != "" {
		// Let the fuzzer drive the error path with arbitrary field names.
		return nil, voicemeup.Missing(v)
	}
	return voicemeup.OK(out).AddMessage(req.OptionalString("code", "x"), req.OptionalString("text", "")), nil
}

var fuzzRoutes = []string{
	"/api/v1.1/json/get_dids",
	"/api/v1.1/xml/get_dids",
	"/xml_engine/xml_engine.php",
	"/api/v1.1/json/get_calls",
	"/api/v1.1/xml/get_request_types",
}

var fuzzTypes = []string{
	"",
	"application/x-www-form-urlencoded",
	"multipart/form-data; boundary=B",
	"multipart/form-data",
	"text/plain",
	"multipart/form-data; boundary=\"",
}

// FuzzParams sends arbitrary query strings and bodies through the whole
// dialect: it must never panic, never answer 5xx, and always answer a
// well-formed envelope.
func FuzzParams(f *testing.F) {
	f.Add(uint8(0), creds+"&a=1", []byte("b=2"), uint8(1))
	f.Add(uint8(1), creds+"&fail=x%00y&language=fr", []byte(""), uint8(0))
	f.Add(uint8(2), "request_type=get_dids&output_format=json&client_account_id=80012345&auth_token="+tokAlice, []byte("x[0][y]=1&x[1][z]=%ff"), uint8(1))
	f.Add(uint8(0), creds, []byte("--B\r\nContent-Disposition: form-data; name=\"a b\"\r\n\r\n<&>\r\n--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\ndata\r\n--B--\r\n"), uint8(2))
	f.Add(uint8(3), "language=zz&currency=x", []byte("%%%"), uint8(1))
	f.Add(uint8(4), creds+"&1=%C0&code=%01", []byte("--B\r\n"), uint8(2))
	f.Add(uint8(2), "request_type=%00&output_format=%ff", []byte(nil), uint8(5))

	d := voicemeup.New(voicemeup.Config{
		Auth:             testAuth,
		Logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxBody:          4096,
		MaxMultipartBody: 8192,
	})
	d.Handle("get_dids", prober)
	mux := http.NewServeMux()
	d.Register(mux)

	f.Fuzz(func(t *testing.T, route uint8, query string, body []byte, ctype uint8) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := httptest.NewRequest(method, fuzzRoutes[int(route)%len(fuzzRoutes)], bytes.NewReader(body))
			r.URL.RawQuery = query
			if ct := fuzzTypes[int(ctype)%len(fuzzTypes)]; ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code >= 500 || w.Code != http.StatusOK {
				t.Fatalf("%s: status %d", method, w.Code)
			}
			status, err := envelopeStatus(w.Header().Get("Content-Type"), w.Body.Bytes())
			if err != nil {
				t.Fatalf("%s: %v\n%q", method, err, w.Body.String())
			}
			if status != "success" && status != "error" {
				t.Fatalf("%s: response_status %q", method, status)
			}
		}
	})
}

// envelopeStatus checks that body is a well-formed envelope of its content
// type and returns its response_status.
func envelopeStatus(ctype string, body []byte) (string, error) {
	switch {
	case strings.HasPrefix(ctype, "application/json"):
		var e struct {
			Details *struct {
				Status   string `json:"response_status"`
				Messages struct {
					Message []struct {
						Code    string `json:"code"`
						Content string `json:"_content"`
					} `json:"message"`
				} `json:"response_messages"`
			} `json:"response_details"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return "", err
		}
		if e.Details == nil {
			return "", errString("no response_details")
		}
		return e.Details.Status, nil
	case strings.HasPrefix(ctype, "text/xml"):
		if err := wellFormedXML(body); err != nil {
			return "", err
		}
		var e struct {
			XMLName xml.Name `xml:"response"`
			Status  string   `xml:"response_details>response_status"`
		}
		if err := xml.Unmarshal(body, &e); err != nil {
			return "", err
		}
		return e.Status, nil
	}
	return "", errString("content type " + ctype)
}

type errString string

func (e errString) Error() string { return string(e) }

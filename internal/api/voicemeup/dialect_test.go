package voicemeup_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/api/voicemeup"
	"switchboard/internal/auth"
)

// echo answers the parameters it was given, so tests see the merge.
func echo(_ context.Context, req *voicemeup.Request) (*voicemeup.Result, error) {
	n := voicemeup.Elem("echo").
		Set("type", req.Type).Set("version", req.Version).Set("format", string(req.Format)).
		Set("language", req.Language).Set("currency", req.Currency).
		Set("user", req.Principal.Username)
	keys := make([]string, 0, len(req.Params))
	for k := range req.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	params := voicemeup.Elem("params")
	for _, k := range keys {
		params.Set(k, strings.Join(req.Params[k], "|"))
	}
	files := voicemeup.List("files", "file")
	for name, fhs := range req.Files {
		for _, fh := range fhs {
			fp, err := fh.Open()
			if err != nil {
				return nil, err
			}
			data, _ := io.ReadAll(fp)
			_ = fp.Close()
			files.Add(voicemeup.Leaf("file", string(data)).Attr("field", name).Attr("name", fh.Filename))
		}
	}
	return voicemeup.OK(n.Add(params, files)), nil
}

type echoed struct {
	Echo struct {
		Type, Version, Format, Language, Currency, User string
		Params                                          map[string]string
		Files                                           struct {
			File []struct {
				Field   string `json:"field"`
				Name    string `json:"name"`
				Content string `json:"_content"`
			} `json:"file"`
		}
	} `json:"echo"`
}

func echoOf(t *testing.T, r response) echoed {
	t.Helper()
	e := decode(t, r)
	if e.Details.Status != "success" {
		t.Fatalf("status %q: %s", e.Details.Status, r.body)
	}
	var out echoed
	if err := json.Unmarshal(e.Content, &out); err != nil {
		t.Fatalf("content: %v\n%s", err, r.body)
	}
	return out
}

func TestRoutesAndFormats(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("get_dids", echo)

	tests := []struct {
		name, method, target       string
		wantCtype, wantVer, wantFm string
	}{
		{"v1.1 json GET", "GET", "/api/v1.1/json/get_dids?" + creds, "application/json", "1.1", "json"},
		{"v1.1 json POST", "POST", "/api/v1.1/json/get_dids?" + creds, "application/json", "1.1", "json"},
		{"v1.1 xml", "GET", "/api/v1.1/xml/get_dids?" + creds, "text/xml", "1.1", "xml"},
		{"v1.1 ignores output_format", "GET", "/api/v1.1/xml/get_dids?output_format=json&" + creds, "text/xml", "1.1", "xml"},
		{"v1.0 defaults to xml", "GET", "/xml_engine/xml_engine.php?request_type=get_dids&" + creds, "text/xml", "1.0", "xml"},
		{"v1.0 json", "POST", "/xml_engine/xml_engine.php?request_type=get_dids&output_format=JSON&" + creds, "application/json", "1.0", "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(tt.method, tt.target, "", nil)
			if r.status != 200 || !strings.HasPrefix(r.ctype, tt.wantCtype) {
				t.Fatalf("status %d type %q, want 200 %q", r.status, r.ctype, tt.wantCtype)
			}
			if tt.wantFm == "xml" {
				if !strings.Contains(r.body, "<version>"+tt.wantVer+"</version>") || !strings.Contains(r.body, "<format>xml</format>") {
					t.Errorf("body %s", r.body)
				}
				return
			}
			e := echoOf(t, r)
			if e.Echo.Version != tt.wantVer || e.Echo.Format != "json" || e.Echo.Type != "get_dids" {
				t.Errorf("echo %+v", e.Echo)
			}
		})
	}
}

func TestParamMerging(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("queue_fax", echo)

	t.Run("form body wins over query", func(t *testing.T) {
		r := f.postForm("/api/v1.1/json/queue_fax?a=query&b=query&"+creds, "b=body&c=body")
		p := echoOf(t, r).Echo.Params
		if p["a"] != "query" || p["b"] != "body" || p["c"] != "body" {
			t.Errorf("params %v", p)
		}
		if _, leaked := p["auth_token"]; leaked {
			t.Error("auth_token handed to the handler")
		}
	})
	t.Run("credentials in the form body", func(t *testing.T) {
		r := f.postForm("/api/v1.1/json/queue_fax", creds+"&x=1")
		if p := echoOf(t, r).Echo.Params; p["x"] != "1" || p["username"] != "alice" {
			t.Errorf("params %v", p)
		}
	})
	t.Run("multipart fields and file", func(t *testing.T) {
		ct, body := multipartBody(t, map[string]string{"b": "multi", "auth_token": tokAlice, "username": "alice"},
			"attachments", "fax.pdf", "%PDF-1.4")
		r := f.do("POST", "/api/v1.1/json/queue_fax?a=query&b=query", ct, body)
		e := echoOf(t, r).Echo
		if e.Params["a"] != "query" || e.Params["b"] != "multi" {
			t.Errorf("params %v", e.Params)
		}
		if len(e.Files.File) != 1 || e.Files.File[0].Field != "attachments" ||
			e.Files.File[0].Name != "fax.pdf" || e.Files.File[0].Content != "%PDF-1.4" {
			t.Errorf("files %+v", e.Files)
		}
	})
	t.Run("GET body is ignored", func(t *testing.T) {
		r := f.do("GET", "/api/v1.1/json/queue_fax?"+creds, "application/x-www-form-urlencoded", strings.NewReader("z=1"))
		if _, ok := echoOf(t, r).Echo.Params["z"]; ok {
			t.Error("GET body parsed")
		}
	})
	t.Run("malformed query pairs are skipped", func(t *testing.T) {
		r := f.get("/api/v1.1/json/queue_fax?bad=%zz&ok=1&" + creds)
		if p := echoOf(t, r).Echo.Params; p["ok"] != "1" {
			t.Errorf("params %v", p)
		}
	})
}

func TestRequestTypes(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("get_dids", echo)
	f.handle("queue_sms", echo)

	tests := []struct {
		name, target string
		want         []string
	}{
		{"unknown", "/api/v1.1/json/get_everything?" + creds, []string{"request_type_invalid"}},
		{"in the document but not registered", "/api/v1.1/json/get_calls?" + creds, []string{"request_type_not_implemented"}},
		{"empty v1.1 path", "/api/v1.1/json/?" + creds, []string{"request_type_required"}},
		{"v1.0 without request_type", "/xml_engine/xml_engine.php?output_format=json&" + creds, []string{"request_type_required"}},
		{"not implemented still needs credentials", "/api/v1.1/json/get_calls", []string{"auth_username_required", "authentication_token_required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decode(t, f.get(tt.target))
			if e.Details.Status != "error" || !slices.Equal(e.codes(), tt.want) {
				t.Errorf("status %q codes %v, want error %v", e.Details.Status, e.codes(), tt.want)
			}
		})
	}

	t.Run("get_request_types lists the implemented ones in document order", func(t *testing.T) {
		e := decode(t, f.get("/api/v1.1/json/get_request_types?"+creds))
		var c struct {
			RequestTypes struct {
				RequestType []string `json:"request_type"`
			} `json:"request_types"`
		}
		if err := json.Unmarshal(e.Content, &c); err != nil {
			t.Fatal(err)
		}
		want := []string{"get_request_types", "get_dids", "queue_sms"}
		if !slices.Equal(c.RequestTypes.RequestType, want) {
			t.Errorf("got %v, want %v", c.RequestTypes.RequestType, want)
		}
	})
	t.Run("table holds the document's request types", func(t *testing.T) {
		all := voicemeup.RequestTypes()
		if len(all) != 97 || all[0] != "get_request_types" || all[96] != "delete_3cx_server" {
			t.Errorf("got %d types, first %q last %q", len(all), all[0], all[len(all)-1])
		}
		for _, rt := range []string{"queue_sms", "dispatch_call", "update_3cx_server", "get_tts_voice_name"} {
			if !voicemeup.IsRequestType(rt) {
				t.Errorf("%s missing", rt)
			}
		}
	})
}

func TestGlobalParameters(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("get_dids", echo)

	tests := []struct {
		name, query string
		wantCodes   []string
		wantText    string
		wantLang    string
		wantCur     string
	}{
		{name: "defaults", query: "", wantLang: "en"},
		{name: "french", query: "&language=fr&currency=USD", wantLang: "fr", wantCur: "USD"},
		{name: "bad language", query: "&language=de", wantCodes: []string{"language_invalid"}, wantText: "Language is invalid."},
		{name: "bad currency", query: "&currency=usd", wantCodes: []string{"currency_invalid"}},
		{name: "both bad, both reported", query: "&language=xx&currency=DOLLARS", wantCodes: []string{"language_invalid", "currency_invalid"}},
		{name: "french error text", query: "&language=fr&currency=1", wantCodes: []string{"currency_invalid"}, wantText: "La devise est invalide."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get("/api/v1.1/json/get_dids?" + creds + tt.query)
			if tt.wantCodes == nil {
				e := echoOf(t, r).Echo
				if e.Language != tt.wantLang || e.Currency != tt.wantCur {
					t.Errorf("language %q currency %q", e.Language, e.Currency)
				}
				return
			}
			e := decode(t, r)
			if !slices.Equal(e.codes(), tt.wantCodes) {
				t.Fatalf("codes %v, want %v", e.codes(), tt.wantCodes)
			}
			if tt.wantText != "" && e.Details.Messages.Message[0].Content != tt.wantText {
				t.Errorf("text %q, want %q", e.Details.Messages.Message[0].Content, tt.wantText)
			}
		})
	}
	t.Run("v1.0 bad output_format answers in xml", func(t *testing.T) {
		r := f.get("/xml_engine/xml_engine.php?request_type=get_dids&output_format=csv&" + creds)
		if !strings.HasPrefix(r.ctype, "text/xml") || !strings.Contains(r.body, `code="internal_error-invalid_argument">Invalid argument. (output_format)<`) {
			t.Errorf("%s %s", r.ctype, r.body)
		}
	})
}

func TestPanicRecovered(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("get_dids", func(context.Context, *voicemeup.Request) (*voicemeup.Result, error) {
		panic("nil map write in handler")
	})
	for _, target := range []string{"/api/v1.1/json/get_dids?" + creds, "/api/v1.1/xml/get_dids?" + creds} {
		r := f.get(target)
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		if !strings.Contains(r.body, "internal_error-database_error") || strings.Contains(r.body, "nil map") {
			t.Errorf("body %s", r.body)
		}
	}
	if logs := f.logs.String(); !strings.Contains(logs, "nil map write in handler") || !strings.Contains(logs, "get_dids") {
		t.Errorf("panic not logged: %q", logs)
	}
}

func TestOversizeBody(t *testing.T) {
	f := newFixture(t, voicemeup.Config{MaxBody: 64, MaxMultipartBody: 1024})
	f.handle("queue_sms", echo)

	big := strings.Repeat("x", 2048)
	ct, mp := multipartBody(t, map[string]string{"username": "alice", "auth_token": tokAlice}, "attachments", "a.bin", big)
	ctSmall, mpSmall := multipartBody(t, map[string]string{"username": "alice", "auth_token": tokAlice}, "attachments", "a.bin", "tiny")
	tests := []struct {
		name   string
		ctype  string
		body   io.Reader
		nolen  bool // hide Content-Length, as a chunked upload does
		wantOK bool
	}{
		{"form over the limit", "application/x-www-form-urlencoded", strings.NewReader(creds + "&message=" + big), false, false},
		{"chunked form over the limit", "application/x-www-form-urlencoded", strings.NewReader(creds + "&message=" + big), true, false},
		{"multipart over the limit", ct, mp, false, false},
		{"chunked multipart over the limit", ct, strings.NewReader(mp.String()), true, false},
		{"multipart under the limit", ctSmall, mpSmall, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.called("queue_sms")
			body := tt.body
			if tt.nolen {
				body = io.MultiReader(body) // hides the length from httptest
			}
			r := f.do(http.MethodPost, "/api/v1.1/json/queue_sms?"+creds, tt.ctype, body)
			e := decode(t, r)
			if tt.wantOK {
				if e.Details.Status != "success" {
					t.Fatalf("codes %v", e.codes())
				}
				return
			}
			if e.Details.Status != "error" || !slices.Equal(e.codes(), []string{"internal_error-invalid_argument"}) ||
				!strings.Contains(e.Details.Messages.Message[0].Content, "too large") {
				t.Errorf("got %s", r.body)
			}
			if f.called("queue_sms") != before {
				t.Error("handler ran on an oversize body")
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("update_peer", echo, voicemeup.RequireWrite())
	f.handle("update_subaccount", echo, voicemeup.RequireAdmin())
	f.handle("get_peers", echo)
	f.handle("get_dids", func(ctx context.Context, _ *voicemeup.Request) (*voicemeup.Result, error) {
		p, ok := auth.FromContext(ctx)
		if !ok || p.Username != "alice" {
			return nil, errors.New("principal missing from context")
		}
		return voicemeup.OK(), nil
	})
	ro := "username=reader&auth_token=" + tokReadOnly
	tests := []struct {
		target, want string
	}{
		{"/api/v1.1/json/update_peer?" + ro, "error"},
		{"/api/v1.1/json/update_subaccount?" + ro, "error"},
		{"/api/v1.1/json/get_peers?" + ro, "success"},
		{"/api/v1.1/json/update_peer?" + creds, "success"},
		{"/api/v1.1/json/update_subaccount?" + creds, "success"},
		{"/api/v1.1/json/get_dids?" + creds, "success"},
	}
	for _, tt := range tests {
		e := decode(t, f.get(tt.target))
		if e.Details.Status != tt.want {
			t.Errorf("%s: %s %v, want %s", tt.target, e.Details.Status, e.codes(), tt.want)
		}
		if tt.want == "error" && !slices.Equal(e.codes(), []string{"permission_refused"}) {
			t.Errorf("%s: codes %v", tt.target, e.codes())
		}
	}
}

func TestHandleMisuse(t *testing.T) {
	d := voicemeup.New(voicemeup.Config{Auth: testAuth})
	for name, fn := range map[string]func(){
		"unknown type": func() { d.Handle("get_everything", echo) },
		"twice":        func() { d.Handle("get_request_types", echo) },
		"nil handler":  func() { d.Handle("get_dids", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

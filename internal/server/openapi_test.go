package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// splitPattern returns the method ("" for any) and path of a router pattern.
func splitPattern(pattern string) (method, path string) {
	if m, p, ok := strings.Cut(pattern, " "); ok {
		return m, p
	}
	return "", pattern
}

// nativePattern reports whether a router pattern is a native API
// operation (not the voicemeup dialect, nor the document and its viewers).
func nativePattern(pattern string) bool {
	_, path := splitPattern(pattern)
	if !strings.HasPrefix(path, "/api/") {
		return false
	}
	for _, p := range []string{"/api/v1.1/", "/api/openapi", "/api/docs", "/api/schemas"} {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return true
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		r := n.Do(t, http.MethodGet, "/api/openapi.json", "", nil)
		if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "json") {
			t.Fatalf("GET /api/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		var doc struct {
			OpenAPI    string                                `json:"openapi"`
			Info       struct{ Title, Version string }       `json:"info"`
			Paths      map[string]map[string]json.RawMessage `json:"paths"`
			Components struct {
				Schemas         map[string]json.RawMessage `json:"schemas"`
				SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
			} `json:"components"`
		}
		dec := json.NewDecoder(bytes.NewReader(r.Body))
		if err := dec.Decode(&doc); err != nil || dec.More() {
			t.Fatalf("the document is not one JSON object: %v", err)
		}
		if !strings.HasPrefix(doc.OpenAPI, "3.1.") || doc.Info.Title == "" || doc.Info.Version != "test" || doc.Components.SecuritySchemes["bearer"] == nil {
			t.Errorf("openapi %q, info %+v, security schemes %v: want 3.1.x, a title, the node's version and a bearer scheme",
				doc.OpenAPI, doc.Info, len(doc.Components.SecuritySchemes))
		}

		documented := map[string]bool{}
		for path, item := range doc.Paths {
			for method, raw := range item {
				if !slices.Contains(httpMethods, method) {
					continue // summary, parameters shared by the path
				}
				documented[strings.ToUpper(method)+" "+path] = true
				var op struct {
					OperationID string           `json:"operationId"`
					Responses   map[string]any   `json:"responses"`
					Security    []map[string]any `json:"security"`
				}
				if err := json.Unmarshal(raw, &op); err != nil || op.OperationID == "" || len(op.Responses) == 0 {
					t.Errorf("%s %s: operation %s lacks an operationId or responses (%v)", method, path, raw, err)
				}
				public := strings.HasPrefix(path, "/api/login")
				if public == (len(op.Security) > 0) {
					t.Errorf("%s %s: security %v, want bearer on every operation but login", method, path, op.Security)
				}
			}
		}
		registered := map[string]bool{}
		for _, p := range n.Server.Router.Patterns() {
			if nativePattern(p) {
				registered[p] = true
				if !documented[p] {
					t.Errorf("route %q is registered but missing from the OpenAPI document", p)
				}
			}
		}
		for op := range documented {
			if !registered[op] {
				t.Errorf("the OpenAPI document names %q, which no route serves", op)
			}
		}
		if len(registered) < 20 {
			t.Errorf("only %d native routes registered", len(registered))
		}

		// Every reference resolves to a schema the document holds.
		for _, m := range regexp.MustCompile(`"\$ref":"([^"]*)"`).FindAllSubmatch(r.Body, -1) {
			name, found := strings.CutPrefix(string(m[1]), "#/components/schemas/")
			if !found || doc.Components.Schemas[name] == nil {
				t.Errorf("dangling $ref %s", m[1])
			}
		}
	})
}

func TestOpenAPIViewers(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		for _, c := range []struct{ path, ctype, contains string }{
			{"/api/docs", "text/html", "/api/openapi"},
			{"/api/openapi.yaml", "yaml", "openapi: 3.1"},
			{"/api/openapi-3.0.json", "json", `"openapi":"3.0`},
			{"/api/schemas/AccountView.json", "json", `"credit_limit"`},
		} {
			r := n.Do(t, http.MethodGet, c.path, "", nil)
			if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), c.ctype) || !bytes.Contains(r.Body, []byte(c.contains)) {
				t.Errorf("GET %s: %d %q %.200s, want 200 %s containing %q", c.path, r.Status, r.Header.Get("Content-Type"), r.Body, c.ctype, c.contains)
			}
		}
	})
}

// promCounter returns the value of the sample of name whose labels are
// exactly labels, or -1 when there is none.
func promCounter(tb testing.TB, exposition []byte, name string, labels map[string]string) float64 {
	tb.Helper()
	labelRe := regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)
	sc := bufio.NewScanner(bytes.NewReader(exposition))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		set, value, _ := strings.Cut(rest, "} ")
		got := map[string]string{}
		for _, m := range labelRe.FindAllStringSubmatch(set, -1) {
			got[m[1]] = m[2]
		}
		if len(got) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			match = match && got[k] == v
		}
		if match {
			f, err := strconv.ParseFloat(value, 64)
			if err != nil {
				tb.Fatalf("sample %q: %v", line, err)
			}
			return f
		}
	}
	return -1
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Metered Co", "customer")
		for range 3 {
			mustList(t, n, "/api/accounts", ten.Token)
		}
		const oddID = "bm90LWFuLWlk" // must not become a label value
		n.Do(t, http.MethodGet, "/api/accounts/"+oddID, ten.Token, nil)
		n.Do(t, http.MethodGet, "/api/accounts", "", nil)
		n.Form(t, "/api/v1.1/json/get_account_details", url.Values{"username": {ten.Username}, "auth_token": {ten.Token}})

		r := n.Do(t, http.MethodGet, "/metrics", "", nil)
		if r.Status != 200 {
			t.Fatalf("GET /metrics: %d", r.Status)
		}
		for _, c := range []struct {
			route, dialect, status string
			atLeast                float64
		}{
			{"GET /api/accounts", "native", "200", 3},
			{"GET /api/accounts", "native", "401", 1},
			{"GET /api/accounts/{id}", "native", "404", 1},
			{"POST /api/accounts", "native", "200", 1},
			{"POST /api/v1.1/json/{request_type}", "voicemeup", "200", 1},
			{"GET /readyz", "system", "200", 1},
		} {
			got := promCounter(t, r.Body, "switchboard_http_requests_total", map[string]string{"route": c.route, "dialect": c.dialect, "status": c.status})
			if got < c.atLeast {
				t.Errorf("switchboard_http_requests_total{route=%q,dialect=%q,status=%q} = %v, want at least %v", c.route, c.dialect, c.status, got, c.atLeast)
			}
		}
		if bytes.Contains(r.Body, []byte(oddID)) || bytes.Contains(r.Body, []byte(ten.AccountID)) {
			t.Errorf("a raw request path leaked into the metric labels")
		}
		if !bytes.Contains(r.Body, []byte("switchboard_http_request_duration_seconds_bucket")) {
			t.Errorf("no latency histogram in the exposition")
		}
	})
}

package voicemeup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/api/voicemeup"
	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Tokens known to mapAuth.
const (
	tokAlice    = "0123456789abcdef0123456789abcdef" // admin of account 80012345
	tokReadOnly = "fedcba9876543210fedcba9876543210" // read-only user of the same account
	tokBroken   = "deadbeefdeadbeefdeadbeefdeadbeef" // the store fails
)

var alice = auth.Principal{
	UserID: 123456, Username: "alice", Role: auth.RoleAdmin,
	AccountID: 7, AccountNumber: "80012345", AccountPath: "/1/7/",
}

var reader = auth.Principal{
	UserID: 2222, Username: "reader", Role: auth.RoleReadOnly,
	AccountID: 7, AccountNumber: "80012345", AccountPath: "/1/7/",
}

// mapAuth is an Authenticator over a fixed map of tokens.
type mapAuth map[string]auth.Principal

func (m mapAuth) AuthenticateToken(_ context.Context, token string) (auth.Principal, error) {
	if token == tokBroken {
		return auth.Principal{}, errors.New("connection refused")
	}
	p, ok := m[token]
	if !ok {
		return auth.Principal{}, &problem.Error{Code: problem.Unauthorized, Message: "bad token"}
	}
	return p, nil
}

var testAuth = mapAuth{tokAlice: alice, tokReadOnly: reader}

// memLimits is an in-memory LimitStore.
type memLimits struct {
	mu        sync.Mutex
	counts    map[string]int64
	overrides map[int64]map[string]int64
	err       error
}

func newMemLimits() *memLimits {
	return &memLimits{counts: map[string]int64{}, overrides: map[int64]map[string]int64{}}
}

func (m *memLimits) Incr(_ context.Context, accountID int64, bucket string, hour time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return 0, m.err
	}
	k := fmt.Sprintf("%d/%s/%s", accountID, bucket, hour.Format(time.RFC3339))
	m.counts[k]++
	return m.counts[k], nil
}

func (m *memLimits) Overrides(_ context.Context, accountID int64) (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.overrides[accountID], nil
}

// fixture is a dialect on a mux with a call counter per request type.
type fixture struct {
	t     *testing.T
	d     *voicemeup.Dialect
	mux   *http.ServeMux
	logs  *bytes.Buffer
	mu    sync.Mutex
	calls map[string]int
}

func newFixture(t *testing.T, cfg voicemeup.Config) *fixture {
	t.Helper()
	f := &fixture{t: t, mux: http.NewServeMux(), logs: &bytes.Buffer{}, calls: map[string]int{}}
	if cfg.Auth == nil {
		cfg.Auth = testAuth
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(&syncWriter{w: f.logs}, nil))
	}
	f.d = voicemeup.New(cfg)
	f.d.Register(f.mux)
	return f
}

// handle registers h for rt, counting calls.
func (f *fixture) handle(rt string, h voicemeup.Handler, opts ...voicemeup.HandleOption) {
	f.d.Handle(rt, func(ctx context.Context, req *voicemeup.Request) (*voicemeup.Result, error) {
		f.mu.Lock()
		f.calls[rt]++
		f.mu.Unlock()
		return h(ctx, req)
	}, opts...)
}

func (f *fixture) called(rt string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[rt]
}

type response struct {
	status int
	ctype  string
	body   string
}

// do sends one request to the fixture's mux.
func (f *fixture) do(method, target, ctype string, body io.Reader) response {
	f.t.Helper()
	r := httptest.NewRequest(method, target, body)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	return response{status: w.Code, ctype: w.Header().Get("Content-Type"), body: w.Body.String()}
}

func (f *fixture) get(target string) response { return f.do(http.MethodGet, target, "", nil) }

func (f *fixture) postForm(target, form string) response {
	return f.do(http.MethodPost, target, "application/x-www-form-urlencoded", strings.NewReader(form))
}

// envelope is the decoded JSON answer.
type envelope struct {
	Details struct {
		Status   string `json:"response_status"`
		Messages struct {
			Message []struct {
				Code    string `json:"code"`
				Content string `json:"_content"`
			} `json:"message"`
		} `json:"response_messages"`
	} `json:"response_details"`
	Content json.RawMessage `json:"response_content"`
}

func (e envelope) codes() []string {
	var out []string
	for _, m := range e.Details.Messages.Message {
		out = append(out, m.Code)
	}
	return out
}

func decode(t *testing.T, r response) envelope {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.status, r.body)
	}
	var e envelope
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.body)
	}
	return e
}

// creds is the query-string credential pair of alice.
const creds = "username=alice&auth_token=" + tokAlice

// multipartBody builds a multipart body from fields and one file part.
func multipartBody(t *testing.T, fields map[string]string, fileField, fileName, fileData string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileField != "" {
		fw, err := mw.CreateFormFile(fileField, fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(fw, fileData)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

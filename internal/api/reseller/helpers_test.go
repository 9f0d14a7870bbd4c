package reseller_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"switchboard/internal/api/reseller"
	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Credentials known to mapAuth.
const (
	resellerA = "100200" // alice's and reader's account
	resellerB = "100300" // bob's account

	passAlice = "correct horse battery staple"
	tokAlice  = "0123456789abcdef0123456789abcdef"
	passBob   = "bob-password"
	tokBob    = "00000000111111112222222233333333"
	passRead  = "reader-password"
	brokenUsr = "broken" // the store fails for this user
)

var (
	alice  = auth.Principal{UserID: 1001, Username: "alice", Role: auth.RoleAdmin, AccountID: 7, AccountNumber: resellerA, AccountPath: "/1/7/"}
	reader = auth.Principal{UserID: 1002, Username: "reader", Role: auth.RoleReadOnly, AccountID: 7, AccountNumber: resellerA, AccountPath: "/1/7/"}
	bob    = auth.Principal{UserID: 2001, Username: "bob", Role: auth.RoleAdmin, AccountID: 9, AccountNumber: resellerB, AccountPath: "/1/9/"}
)

// user is a test user: a principal with a password and tokens.
type user struct {
	p        auth.Principal
	password string
	tokens   []string
}

// mapAuth is an Authenticator over a fixed map of users that counts its
// calls. Like the real one, it accepts the password or one of the user's
// own tokens.
type mapAuth struct {
	users map[string]user
	calls atomic.Int64
}

func (m *mapAuth) AuthenticateSecret(_ context.Context, username, secret string) (auth.Principal, error) {
	m.calls.Add(1)
	if username == brokenUsr {
		return auth.Principal{}, errors.New("dial tcp 10.0.0.5:5432: connection refused")
	}
	u, ok := m.users[username]
	if ok && (secret == u.password || containsStr(u.tokens, secret)) {
		return u.p, nil
	}
	return auth.Principal{}, problem.New(problem.Unauthorized, "invalid credentials")
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func newAuth() *mapAuth {
	return &mapAuth{users: map[string]user{
		"alice":  {p: alice, password: passAlice, tokens: []string{tokAlice}},
		"reader": {p: reader, password: passRead},
		"bob":    {p: bob, password: passBob, tokens: []string{tokBob}},
	}}
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a dialect mounted on a mux, with its authenticator and log.
type env struct {
	d    *reseller.Dialect
	mux  *http.ServeMux
	auth *mapAuth
	log  *syncBuffer
}

func newEnv(t testing.TB, cfg reseller.Config) *env {
	t.Helper()
	e := &env{auth: newAuth(), log: &syncBuffer{}, mux: http.NewServeMux()}
	cfg.Auth = e.auth
	cfg.Logger = slog.New(slog.NewTextHandler(e.log, nil))
	e.d = reseller.New(cfg)
	e.d.Register(e.mux)
	return e
}

// headers are the three credential headers.
type headers struct{ reseller, user, password string }

var aliceCreds = headers{resellerA, "alice", passAlice}

// reply is a recorded answer.
type reply struct {
	status int
	body   string
	header http.Header
}

// do sends a request with credentials h through the mux.
func (e *env) do(t testing.TB, h headers, method, target, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range map[string]string{reseller.HeaderReseller: h.reseller, reseller.HeaderUser: h.user, reseller.HeaderPassword: h.password} {
		if v != "" {
			r.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	return reply{status: w.Code, body: w.Body.String(), header: w.Header()}
}

// check asserts the status and the exact body of an answer.
func (r reply) check(t testing.TB, status int, body string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Fatalf("got %d %s\nwant %d %s", r.status, r.body, status, body)
	}
	if body != "" {
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q", ct)
		}
	}
}

// Golden error answers, compact forms of the document's.
const (
	notFound        = `{"result":{},"status_code":404,"status_message":"Not Found"}`
	unauthorized    = `{"result":{},"status_code":401,"status_message":"Unauthorized"}`
	paymentRequired = `{"result":{},"status_code":402,"status_message":"Payment Required"}`
	internalError   = `{"result":{},"status_code":500,"status_message":"Internal Server Error"}`
	methodNotAllow  = `{"result":{},"status_code":405,"status_message":"Method Not Allowed"}`
	tooLarge        = `{"result":{},"status_code":413,"status_message":"Request Entity Too Large"}`
	badJSON         = `{"result":{},"status_code":400,"status_message":"Bad Request: malformed JSON body"}`
)

// ok answers an empty result.
func ok(context.Context, *reseller.Request) (any, error) { return nil, nil }

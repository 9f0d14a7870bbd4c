package carrier_test

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

	"switchboard/internal/api/carrier"
	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Tokens known to mapAuth.
const (
	tokAlice  = "0123456789abcdef0123456789abcdef" // admin of account 80012345
	tokReader = "fedcba9876543210fedcba9876543210" // read-only user of the same account
	tokBob    = "00000000111111112222222233333333" // admin of account 80099999
	tokBroken = "deadbeefdeadbeefdeadbeefdeadbeef" // the store fails
)

const (
	aliceAccount = "80012345"
	bobAccount   = "80099999"
)

var (
	alice = auth.Principal{UserID: 1001, Username: "alice", Role: auth.RoleAdmin, AccountID: 7, AccountNumber: aliceAccount, AccountPath: "/1/7/"}
	alex  = auth.Principal{UserID: 1002, Username: "reader", Role: auth.RoleReadOnly, AccountID: 7, AccountNumber: aliceAccount, AccountPath: "/1/7/"}
	bob   = auth.Principal{UserID: 2001, Username: "bob", Role: auth.RoleAdmin, AccountID: 9, AccountNumber: bobAccount, AccountPath: "/1/9/"}
)

// mapAuth is an Authenticator over a fixed map of tokens that counts its
// calls.
type mapAuth struct {
	tokens map[string]auth.Principal
	calls  atomic.Int64
}

func (m *mapAuth) AuthenticateToken(_ context.Context, token string) (auth.Principal, error) {
	m.calls.Add(1)
	if token == tokBroken {
		return auth.Principal{}, errors.New("dial tcp 10.0.0.5:5432: connection refused")
	}
	p, ok := m.tokens[token]
	if !ok {
		return auth.Principal{}, problem.New(problem.Unauthorized, "invalid credentials")
	}
	return p, nil
}

func newAuth() *mapAuth {
	return &mapAuth{tokens: map[string]auth.Principal{tokAlice: alice, tokReader: alex, tokBob: bob}}
}

// syncBuffer is a log sink safe for the handlers' goroutines.
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
	d    *carrier.Dialect
	mux  *http.ServeMux
	auth *mapAuth
	log  *syncBuffer
}

func newEnv(t testing.TB, cfg carrier.Config) *env {
	t.Helper()
	e := &env{auth: newAuth(), log: &syncBuffer{}, mux: http.NewServeMux()}
	cfg.Auth = e.auth
	cfg.Logger = slog.New(slog.NewTextHandler(e.log, nil))
	e.d = carrier.New(cfg)
	e.d.Register(e.mux)
	return e
}

// creds is the query string of alice's credentials.
const creds = "token=" + tokAlice + "&accountno=" + aliceAccount

// reply is a recorded answer.
type reply struct {
	status int
	body   string
	header http.Header
}

// do sends a request through the mux. A non-empty ctype sets Content-Type.
func (e *env) do(t testing.TB, method, target, ctype, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	return reply{status: w.Code, body: w.Body.String(), header: w.Header()}
}

// get sends a GET with the query string q.
func (e *env) get(t testing.TB, endpoint, q string) reply {
	t.Helper()
	return e.do(t, http.MethodGet, "/carrier/"+endpoint+"?"+q, "", "")
}

// postForm sends a form-encoded POST, the normal case of this API.
func (e *env) postForm(t testing.TB, endpoint, form string) reply {
	t.Helper()
	return e.do(t, http.MethodPost, "/carrier/"+endpoint, "application/x-www-form-urlencoded", form)
}

// check asserts the status and the exact body of an answer.
func (r reply) check(t testing.TB, status int, body string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Fatalf("got %d %s\nwant %d %s", r.status, r.body, status, body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
}

// echo answers the caller as the Request and the context know it, and the
// parameters it was given (sorted by name).
func echo(ctx context.Context, req *carrier.Request) (any, error) {
	p, _ := auth.FromContext(ctx)
	return carrier.Field("user", req.Principal.Username).Add("ctx_user", p.Username).Add("params", req.Params), nil
}

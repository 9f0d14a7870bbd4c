// Package servertest starts real Switchboard nodes for tests: on a fresh
// SQLite file, and on a fresh PostgreSQL schema whenever
// SWITCHBOARD_TEST_POSTGRES holds a database URL, so every end-to-end and
// store test runs against both stores.
package servertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for schema set-up

	"switchboard/internal/server"
	"switchboard/internal/sip"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "SWITCHBOARD_TEST_POSTGRES"

// Kinds returns the stores to test: "sqlite" always, "postgres" when the
// environment provides one.
func Kinds() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// EachStore runs fn as a subtest per store kind.
func EachStore(t *testing.T, fn func(t *testing.T, kind string)) {
	for _, k := range Kinds() {
		t.Run(k, func(t *testing.T) { fn(t, k) })
	}
}

// DBURL returns a database URL for a fresh, empty database of kind: "" (the
// SQLite default in the data dir) or a PostgreSQL URL bound to a new schema
// that is dropped when the test ends.
func DBURL(tb testing.TB, kind string) string {
	tb.Helper()
	if kind != "postgres" {
		return ""
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skip(PostgresEnv + " is not set")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Node is a running server with its admin token.
type Node struct {
	*server.Server
	URL        string
	AdminToken string
	DataDir    string
	DBURL      string // the database, to start another node on it
	SIPAddr    string // the SIP UDP and TCP address when SIP is on
	Client     *http.Client
	stop       func()
}

// Stop shuts the node down now (a restart test starts another on its data
// dir and database); the test's end would otherwise do it.
func (n *Node) Stop() { n.stop() }

// Options adjust Start.
type Options struct {
	DBURL     string // share a database between nodes; default: a fresh one
	DataDir   string
	PerMinute int64
	// SIP is the SIP listen address (e.g. "127.0.0.1:0"); empty: SIP off.
	SIP string
	// SIPGuard overrides the authentication-failure limits.
	SIPGuard sip.GuardConfig
	// SIPRingTimeout and SIPMaxCall override how long a callee rings and
	// the longest call.
	SIPRingTimeout, SIPMaxCall time.Duration
	// SIPDigest lists the digest algorithms challenged, in order; nil is
	// the engine's default.
	SIPDigest []string
	// Now is the invoice worker's clock; InvoiceEvery how often it runs.
	Now          func() time.Time
	InvoiceEvery time.Duration
}

// Start runs a node on 127.0.0.1:0 over a fresh store of kind and stops it
// when the test ends.
func Start(tb testing.TB, kind string, opts ...Options) *Node {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.DataDir == "" {
		o.DataDir = tb.TempDir()
	}
	if o.DBURL == "" {
		o.DBURL = DBURL(tb, kind)
	}
	var out bytes.Buffer
	ctx := context.Background()
	s, err := server.Open(ctx, server.Config{
		DataDir: o.DataDir, DBURL: o.DBURL, HTTPAddr: "127.0.0.1:0", Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PerMinute: o.PerMinute, AdminTokenOut: &out,
		SIP: sip.Config{Addr: o.SIP, Guard: o.SIPGuard, RingTimeout: o.SIPRingTimeout, MaxCallDuration: o.SIPMaxCall, Algorithms: o.SIPDigest},
		Now: o.Now, InvoiceEvery: o.InvoiceEvery,
	})
	if err != nil {
		tb.Fatalf("open server: %v", err)
	}
	if err := s.Listen(); err != nil {
		s.Close()
		tb.Fatalf("listen: %v", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	var once sync.Once
	halt := func() {
		once.Do(func() {
			stop()
			if err := <-done; err != nil {
				tb.Errorf("server run: %v", err)
			}
			s.Close()
		})
	}
	tb.Cleanup(halt)
	n := &Node{stop: halt, Server: s, URL: "http://" + s.Addr(), DataDir: o.DataDir, DBURL: o.DBURL, Client: &http.Client{Timeout: 30 * time.Second}}
	if s.SIP != nil {
		n.SIPAddr = s.SIP.Addr()
	}
	tok, err := os.ReadFile(filepath.Join(o.DataDir, "admin.token"))
	if err == nil {
		n.AdminToken = strings.TrimSpace(string(tok))
	}
	for range 100 {
		resp, err := n.Client.Get(n.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("node never became ready")
	return nil
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %d response %q: %v", r.Status, r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r Response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// Do sends a request with a bearer token (if any); body may be nil, a
// string/[]byte sent as is, or a value encoded as JSON.
func (n *Node) Do(tb testing.TB, method, path, token string, body any) Response {
	tb.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("encode body: %v", err)
		}
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, n.URL+path, rd)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return n.Send(tb, req)
}

// Send performs req and reads the whole answer.
func (n *Node) Send(tb testing.TB, req *http.Request) Response {
	tb.Helper()
	resp, err := n.Client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read %s %s: %v", req.Method, req.URL.Path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Form posts form fields to path (the voicemeup and carrier dialects).
func (n *Node) Form(tb testing.TB, path string, fields url.Values) Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, n.URL+path, strings.NewReader(fields.Encode()))
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return n.Send(tb, req)
}

// MustCreate posts body to a native collection, expects 200 and returns
// the new id.
func (n *Node) MustCreate(tb testing.TB, collection, token string, body any) string {
	tb.Helper()
	r := n.Do(tb, http.MethodPost, collection, token, body)
	if r.Status != http.StatusOK {
		tb.Fatalf("POST %s: %d %s", collection, r.Status, r.Body)
	}
	var out struct{ ID string }
	r.JSON(tb, &out)
	if out.ID == "" {
		tb.Fatalf("POST %s: no id in %s", collection, r.Body)
	}
	return out.ID
}

// Tenant is an account with an admin user and a token, made through the API.
type Tenant struct {
	AccountID string // native id
	Number    string
	UserID    string
	Username  string
	Password  string
	Token     string
}

// MustTenant creates an account of typ under parentToken's account (or
// under parentID when not empty), an admin user in it and a token.
func (n *Node) MustTenant(tb testing.TB, parentToken, parentID, name, typ string) Tenant {
	tb.Helper()
	body := map[string]any{"name": name, "type": typ}
	if parentID != "" {
		body["parent_id"] = parentID
	}
	var t Tenant
	t.AccountID = n.MustCreate(tb, "/api/accounts", parentToken, body)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	t.Username = strings.ToLower(strings.ReplaceAll(name, " ", "")) + "-" + hex.EncodeToString(b)
	t.Password = "pw-" + hex.EncodeToString(b) + "-secret"
	t.UserID = n.MustCreate(tb, "/api/users", parentToken, map[string]any{
		"account_id": t.AccountID, "username": t.Username, "password": t.Password, "role": "admin",
	})
	r := n.Do(tb, http.MethodPost, "/api/tokens", parentToken, map[string]any{"user_id": t.UserID})
	if r.Status != http.StatusOK {
		tb.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	var tok struct{ ID, Token string }
	r.JSON(tb, &tok)
	t.Token = tok.Token
	r = n.Do(tb, http.MethodGet, "/api/accounts/"+t.AccountID, t.Token, nil)
	if r.Status != http.StatusOK {
		tb.Fatalf("get own account: %d %s", r.Status, r.Body)
	}
	var acc struct{ Number string }
	r.JSON(tb, &acc)
	t.Number = acc.Number
	return t
}

// FreePort returns a port of 127.0.0.1 free for both UDP and TCP, for a
// SIP peer (SIPp, a softphone) a test starts beside a node.
func FreePort(tb testing.TB) int {
	tb.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		p := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		u.Close()
		if err == nil {
			l.Close()
			return p
		}
	}
	tb.Fatal("no free port")
	return 0
}

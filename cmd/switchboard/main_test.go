package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
)

// syncBuffer is a bytes.Buffer safe to read while Main writes to it.
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

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve runs `switchboard serve` until the returned stop is called, and
// returns what it printed on stdout.
func serve(t *testing.T, args ...string) (addr string, out *syncBuffer, stop func() int) {
	t.Helper()
	addr = freeAddr(t)
	out = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, append([]string{"serve", "--http", addr, "--sip", "off"}, args...), out, &syncBuffer{})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case c := <-code:
			t.Fatalf("serve exited early with %d", c)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("serve never became ready")
		}
		time.Sleep(25 * time.Millisecond)
	}
	return addr, out, func() int { cancel(); return <-code }
}

func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb syncBuffer
	code := Main(context.Background(), args, &out, &errb)
	return out.String() + errb.String(), code
}

func TestServeFirstStartThenTokens(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		dir := t.TempDir()
		db := servertest.DBURL(t, kind)
		addr, out, stop := serve(t, "--data", dir, "--db", db)
		printed := out.String()
		if !regexp.MustCompile(`^admin token: [0-9a-f]{32}\n$`).MatchString(printed) {
			t.Fatalf("first start printed %q, want exactly one admin token line", printed)
		}
		token := strings.TrimSpace(strings.TrimPrefix(printed, "admin token: "))
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/accounts", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("admin token does not work: %v %v", err, resp)
		}
		resp.Body.Close()
		if code := stop(); code != 0 {
			t.Fatalf("serve exited %d after SIGTERM-equivalent", code)
		}

		_, out2, stop2 := serve(t, "--data", dir, "--db", db)
		if s := out2.String(); s != "" {
			t.Errorf("second start printed %q, want nothing", s)
		}
		stop2()

		created, code := run(t, "token", "create", "--user", "admin", "--name", "ci", "--data", dir, "--db", db)
		m := regexp.MustCompile(`token id: (\S+)\ntoken: ([0-9a-f]{32})\n`).FindStringSubmatch(created)
		if code != 0 || m == nil {
			t.Fatalf("token create: %d %q", code, created)
		}
		listed, code := run(t, "token", "list", "--data", dir, "--db", db)
		if code != 0 || !strings.Contains(listed, m[1]) || strings.Contains(listed, m[2]) || !strings.Contains(listed, "ci") {
			t.Fatalf("token list (%d) must show id %s and name, never the secret:\n%s", code, m[1], listed)
		}
		if res, code := run(t, "token", "revoke", m[1], "--data", dir, "--db", db); code != 0 {
			t.Fatalf("token revoke: %d %s", code, res)
		}
		listed, _ = run(t, "token", "list", "--data", dir, "--db", db)
		for _, line := range strings.Split(listed, "\n") {
			if strings.HasPrefix(line, m[1]) && strings.HasSuffix(strings.TrimSpace(line), " -") {
				t.Errorf("revoked token still listed as live: %q", line)
			}
		}
		if res, code := run(t, "token", "create", "--user", "nobody", "--data", dir, "--db", db); code == 0 {
			t.Errorf("token create for an unknown user succeeded: %s", res)
		}
	})
}

func TestMigrateAndVersion(t *testing.T) {
	dir := t.TempDir()
	out, code := run(t, "migrate", "--data", dir)
	if code != 0 || !regexp.MustCompile(`applied [1-9]\d* migrations; schema version [1-9]`).MatchString(out) {
		t.Fatalf("migrate: %d %q", code, out)
	}
	out, code = run(t, "migrate", "--data", dir)
	if code != 0 || !strings.Contains(out, "applied 0 migrations") {
		t.Fatalf("second migrate: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "switchboard.db")); err != nil {
		t.Fatalf("migrate did not create the SQLite file: %v", err)
	}
	out, code = run(t, "version")
	if code != 0 || out != fmt.Sprintf("switchboard %s\n", version) {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestFlagsAndEnvironment(t *testing.T) {
	if out, code := run(t, "serve", "--rtp-ports", "20000-10000", "--data", t.TempDir()); code != 2 || !strings.Contains(out, "rtp-ports") {
		t.Errorf("bad --rtp-ports: exit %d %q", code, out)
	}
	if out, code := run(t, "serve", "--log-format", "xml"); code != 2 {
		t.Errorf("bad --log-format: exit %d %q", code, out)
	}
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA", dir)
	if out, code := run(t, "migrate"); code != 0 || !regexp.MustCompile(`applied [1-9]`).MatchString(out) {
		t.Fatalf("migrate with SWITCHBOARD_DATA: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "switchboard.db")); err != nil {
		t.Errorf("SWITCHBOARD_DATA was ignored: %v", err)
	}
}

func TestServeRefusesBadSIPFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--sip-tls-cert", "cert.pem"},
		{"--sip-digest", "MD5,SHA-1"},
	} {
		if out, code := run(t, append([]string{"serve", "--sip", "off", "--data", t.TempDir()}, args...)...); code != 2 || !strings.Contains(out, "sip") {
			t.Errorf("serve %v: exit %d %q, want a usage error naming the flag", args, code, out)
		}
	}
}

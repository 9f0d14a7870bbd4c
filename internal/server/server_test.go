package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"switchboard/internal/server"
	"switchboard/internal/server/servertest"
)

func TestFirstStartCreatesOperatorOnce(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		dir := t.TempDir()
		dbURL := servertest.DBURL(t, kind)
		open := func() string {
			var out bytes.Buffer
			s, err := server.Open(context.Background(), server.Config{
				DataDir: dir, DBURL: dbURL, HTTPAddr: "127.0.0.1:0",
				Log: slog.New(slog.NewTextHandler(io.Discard, nil)), AdminTokenOut: &out,
			})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			s.Close()
			return out.String()
		}
		first := open()
		if !regexp.MustCompile(`^admin token: [0-9a-f]{32}\n$`).MatchString(first) {
			t.Fatalf("first start printed %q, want exactly one admin token line", first)
		}
		st, err := os.Stat(filepath.Join(dir, "admin.token"))
		if err != nil {
			t.Fatalf("admin.token: %v", err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("admin.token mode %v, want 0600", st.Mode().Perm())
		}
		raw, _ := os.ReadFile(filepath.Join(dir, "admin.token"))
		if string(raw) != first[len("admin token: "):] {
			t.Errorf("admin.token holds %q, printed %q", raw, first)
		}
		if second := open(); second != "" {
			t.Errorf("second start printed %q, want nothing", second)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		for _, p := range []string{"/healthz", "/readyz"} {
			if r := n.Do(t, http.MethodGet, p, "", nil); r.Status != http.StatusOK {
				t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
			}
		}
		r := n.Do(t, http.MethodGet, "/api/accounts", n.AdminToken, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("list accounts: %d %s", r.Status, r.Body)
		}
		var list struct {
			Count int
			Items []struct{ Type, Name string }
		}
		r.JSON(t, &list)
		if list.Count != 1 || list.Items[0].Type != "operator" {
			t.Errorf("fresh node lists %+v, want only the operator", list)
		}
	})
}

package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"switchboard/internal/server"
	"switchboard/internal/server/servertest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoSecretIsLogged drives every credential form, failures included, at
// debug level and then searches the whole log for the secrets used.
func TestNoSecretIsLogged(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		var logs lockedBuffer
		var out bytes.Buffer
		dir := t.TempDir()
		dbURL := servertest.DBURL(t, kind)
		s, err := server.Open(context.Background(), server.Config{
			DataDir: dir, DBURL: dbURL, HTTPAddr: "127.0.0.1:0", AdminTokenOut: &out,
			Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Listen(); err != nil {
			t.Fatal(err)
		}
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		defer func() { stop(); <-done; s.Close() }()

		n := &servertest.Node{Server: s, URL: "http://" + s.Addr(), Client: http.DefaultClient,
			AdminToken: strings.TrimSpace(strings.TrimPrefix(out.String(), "admin token: "))}
		ten := n.MustTenant(t, n.AdminToken, "", "Secretive", "customer")
		login := n.Do(t, http.MethodPost, "/api/login", "", map[string]string{"username": ten.Username, "password": ten.Password})
		var sess struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		login.JSON(t, &sess)
		if sess.AccessToken == "" {
			t.Fatalf("login failed: %s", login.Body)
		}
		n.Do(t, http.MethodPost, "/api/login", "", map[string]string{"username": ten.Username, "password": ten.Password + "x"})
		n.Do(t, http.MethodGet, "/api/accounts", sess.AccessToken, nil)
		n.Form(t, "/api/v1.1/json/get_account_details", url.Values{"username": {ten.Username}, "auth_token": {ten.Token}})
		n.Form(t, "/carrier/financial_summary", url.Values{"token": {ten.Token}, "accountno": {ten.Number}})
		req, _ := http.NewRequest(http.MethodGet, n.URL+"/voip/call-pack", nil)
		req.Header.Set("X-Auth-Reseller", ten.Number)
		req.Header.Set("X-Auth-User", ten.Username)
		req.Header.Set("X-Auth-Password", ten.Password)
		n.Send(t, req)

		stop()
		<-done
		done <- nil
		text := logs.String()
		if !strings.Contains(text, "switchboard serving") {
			t.Fatalf("log capture is not working: %q", text)
		}
		for name, secret := range map[string]string{
			"admin token": n.AdminToken, "tenant token": ten.Token, "password": ten.Password,
			"access token": sess.AccessToken, "refresh token": sess.RefreshToken,
		} {
			if strings.Contains(text, secret) {
				t.Errorf("the %s appears in the log", name)
			}
		}
		if kind == "postgres" {
			if u, err := url.Parse(dbURL); err == nil {
				if pw, ok := u.User.Password(); ok && strings.Contains(text, ":"+pw+"@") {
					t.Errorf("the database password appears in the log")
				}
			}
		}
	})
}

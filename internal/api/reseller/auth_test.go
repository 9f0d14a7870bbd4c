package reseller_test

import (
	"context"
	"strings"
	"testing"

	"switchboard/internal/api/reseller"
	"switchboard/internal/auth"
)

// TestAuthentication covers every branch of the three headers. All the
// credential failures must answer byte for byte the same thing.
func TestAuthentication(t *testing.T) {
	whoami := `{"result":{"ctx":"%s","user":"%s"},"status_code":200,"status_message":"OK"}`
	tests := []struct {
		name      string
		h         headers
		status    int
		want      string
		authCalls int64
	}{
		{"no headers", headers{}, 401, unauthorized, 0},
		{"no reseller", headers{"", "alice", passAlice}, 401, unauthorized, 0},
		{"no user", headers{resellerA, "", passAlice}, 401, unauthorized, 0},
		{"no password", headers{resellerA, "alice", ""}, 401, unauthorized, 0},
		{"wrong password", headers{resellerA, "alice", "nope"}, 401, unauthorized, 1},
		{"unknown user", headers{resellerA, "mallory", passAlice}, 401, unauthorized, 1},
		{"password of another user", headers{resellerA, "alice", passBob}, 401, unauthorized, 1},
		{"token of another user", headers{resellerA, "alice", tokBob}, 401, unauthorized, 1},
		{"user of another reseller", headers{resellerA, "bob", passBob}, 401, unauthorized, 1},
		{"right user, other reseller", headers{resellerB, "alice", passAlice}, 401, unauthorized, 1},
		{"overlong password", headers{resellerA, "alice", strings.Repeat("p", 2000)}, 401, unauthorized, 0},
		{"overlong user", headers{resellerA, strings.Repeat("u", 300), passAlice}, 401, unauthorized, 0},
		{"overlong reseller", headers{strings.Repeat("1", 100), "alice", passAlice}, 401, unauthorized, 0},
		{"store down", headers{resellerA, brokenUsr, "x"}, 500, internalError, 1},
		{"password", aliceCreds, 200, strings.ReplaceAll(whoami, "%s", "alice"), 1},
		{"token", headers{resellerA, "alice", tokAlice}, 200, strings.ReplaceAll(whoami, "%s", "alice"), 1},
		{"bob", headers{resellerB, "bob", tokBob}, 200, strings.ReplaceAll(whoami, "%s", "bob"), 1},
		{"spaces around", headers{" " + resellerA + " ", " alice ", passAlice}, 200, strings.ReplaceAll(whoami, "%s", "alice"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, reseller.Config{})
			e.d.Handle("GET", "/call-pack", func(ctx context.Context, req *reseller.Request) (any, error) {
				p, _ := auth.FromContext(ctx)
				return map[string]string{"user": req.Principal.Username, "ctx": p.Username}, nil
			})
			e.do(t, tt.h, "GET", "/voip/call-pack", "").check(t, tt.status, tt.want)
			if n := e.auth.calls.Load(); n != tt.authCalls {
				t.Fatalf("Authenticator called %d times, want %d", n, tt.authCalls)
			}
		})
	}
}

// TestStoreFailureLogged checks that an authenticator failure that is not a
// bad credential is logged with its cause and shown without it.
func TestStoreFailureLogged(t *testing.T) {
	e := newEnv(t, reseller.Config{})
	e.d.Handle("GET", "/call-pack", ok)
	r := e.do(t, headers{resellerA, brokenUsr, "x"}, "GET", "/voip/call-pack", "")
	if strings.Contains(r.body, "10.0.0.5") || !strings.Contains(e.log.String(), "connection refused") {
		t.Fatalf("body %s, log %s", r.body, e.log.String())
	}
}

// TestReadOnly checks that read-only credentials may GET and nothing else.
func TestReadOnly(t *testing.T) {
	e := newEnv(t, reseller.Config{})
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		e.d.Handle(m, "/call-pack", ok)
	}
	ro := headers{resellerA, "reader", passRead}
	e.do(t, ro, "GET", "/voip/call-pack", "").check(t, 200, `{"result":{},"status_code":200,"status_message":"OK"}`)
	e.do(t, ro, "HEAD", "/voip/call-pack", "").check(t, 200, `{"result":{},"status_code":200,"status_message":"OK"}`)
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		e.do(t, ro, m, "/voip/call-pack", "").check(t, 403, `{"result":{},"status_code":403,"status_message":"Forbidden"}`)
	}
}

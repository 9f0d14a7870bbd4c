package carrier_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/api/carrier"
)

const invalidToken = `{"status":"404","error":"Invalid token"}`

// TestAuthentication covers every branch of token + accountno. All the
// credential failures must answer byte for byte the same thing.
func TestAuthentication(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		status int
		want   string
		// authCalls is how many times the Authenticator must be asked.
		authCalls int64
	}{
		{"nothing", "", 404, invalidToken, 0},
		{"no accountno", "token=" + tokAlice, 404, `{"status":"404","error":"Invalid accountno"}`, 0},
		{"no token", "accountno=" + aliceAccount, 404, invalidToken, 0},
		{"blank token", "token=%20&accountno=" + aliceAccount, 404, invalidToken, 0},
		{"unknown token", "token=ffffffffffffffffffffffffffffffff&accountno=" + aliceAccount, 404, invalidToken, 1},
		{"token of another account", "token=" + tokBob + "&accountno=" + aliceAccount, 404, invalidToken, 1},
		{"accountno of another account", "token=" + tokAlice + "&accountno=" + bobAccount, 404, invalidToken, 1},
		{"accountno that exists nowhere", "token=" + tokAlice + "&accountno=1", 404, invalidToken, 1},
		{"overlong token", "token=" + strings.Repeat("a", 300) + "&accountno=" + aliceAccount, 404, invalidToken, 0},
		{"store down", "token=" + tokBroken + "&accountno=" + aliceAccount, 500, `{"status":"500","error":"Internal error"}`, 1},
		{"alice", creds, 200, `{"status":"200","user":"alice","ctx_user":"alice","params":{"accountno":["80012345"]}}`, 1},
		{"bob", "token=" + tokBob + "&accountno=" + bobAccount, 200, `{"status":"200","user":"bob","ctx_user":"bob","params":{"accountno":["80099999"]}}`, 1},
		{"spaces around", "token=+" + tokAlice + "+&accountno=+" + aliceAccount, 200, `{"status":"200","user":"alice","ctx_user":"alice","params":{"accountno":[" 80012345"]}}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, carrier.Config{})
			e.d.Handle("get_trunk", echo)
			e.get(t, "get_trunk", tt.query).check(t, tt.status, tt.want)
			if n := e.auth.calls.Load(); n != tt.authCalls {
				t.Fatalf("Authenticator called %d times, want %d", n, tt.authCalls)
			}
		})
	}
}

// TestStoreFailureLogged checks that an authenticator failure that is not a
// bad credential is logged with its cause and shown without it.
func TestStoreFailureLogged(t *testing.T) {
	e := newEnv(t, carrier.Config{})
	r := e.get(t, "get_trunk", "token="+tokBroken+"&accountno="+aliceAccount)
	if strings.Contains(r.body, "10.0.0.5") {
		t.Fatalf("cause leaked: %s", r.body)
	}
	if !strings.Contains(e.log.String(), "connection refused") {
		t.Fatalf("cause not logged: %s", e.log.String())
	}
}

// TestCredentialsEverywhere checks that token and accountno are read from
// the query string, a form body and a JSON body, and never reach the
// handler's parameters.
func TestCredentialsEverywhere(t *testing.T) {
	const want = `{"status":"200","user":"alice","ctx_user":"alice","params":{"accountno":["80012345"]}}`
	tests := []struct {
		name, method, target, ctype, body string
	}{
		{"query", "GET", "/carrier/get_trunk?" + creds, "", ""},
		{"form", "POST", "/carrier/get_trunk", "application/x-www-form-urlencoded", creds},
		{"json", "POST", "/carrier/get_trunk", "application/json", `{"token":"` + tokAlice + `","accountno":"80012345"}`},
		{"json number accountno", "POST", "/carrier/get_trunk", "application/json", `{"token":"` + tokAlice + `","accountno":80012345}`},
		{"split", "POST", "/carrier/get_trunk?token=" + tokAlice, "application/x-www-form-urlencoded", "accountno=" + aliceAccount},
		{"other case", "GET", "/carrier/get_trunk?TOKEN=" + tokAlice + "&accountno=" + aliceAccount, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, carrier.Config{})
			e.d.Handle("get_trunk", echo)
			e.do(t, tt.method, tt.target, tt.ctype, tt.body).check(t, http.StatusOK, want)
		})
	}
}

// TestAuthBeforeEndpointState checks that an unauthenticated caller learns
// nothing of which endpoints are implemented.
func TestAuthBeforeEndpointState(t *testing.T) {
	e := newEnv(t, carrier.Config{})
	e.get(t, "searchtfn", "token=bad&accountno="+aliceAccount).check(t, 404, invalidToken)
}

// TestReadOnly checks that a read-only principal may read but not write.
func TestReadOnly(t *testing.T) {
	e := newEnv(t, carrier.Config{})
	h := func(context.Context, *carrier.Request) (any, error) { return nil, nil }
	e.d.Handle("get_trunk", h)
	e.d.Handle("disable_trunk_termination", h)
	e.d.Handle("gen_order", h)
	ro := "token=" + tokReader + "&accountno=" + aliceAccount
	e.get(t, "get_trunk", ro).check(t, 200, `{"status":"200"}`)
	e.postForm(t, "disable_trunk_termination", ro+"&tg_id=1").check(t, 403, `{"status":"403","error":"Permission denied"}`)
	// An alias is refused like its target.
	e.postForm(t, "gen_did_order", ro+"&trunk_id=1&reserveId=1").check(t, 403, `{"status":"403","error":"Permission denied"}`)
	e.postForm(t, "disable_trunk_termination", creds+"&tg_id=1").check(t, 200, `{"status":"200"}`)
}

package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestTextRefusesNUL sends a NUL character, which PostgreSQL cannot store
// in text, in every free-text field: each is refused naming the field, on
// both stores alike, and nothing changes.
func TestTextRefusesNUL(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		p := mustPopulate(t, n, n.AdminToken, "Nul Co")
		before := p.snapshot(t, n)
		const nul = "ab\x00cd"
		type c struct {
			path  string
			body  map[string]any
			field string
		}
		cases := []c{
			{"/api/accounts", map[string]any{"name": nul}, "name"},
			{"/api/accounts/" + p.Child, map[string]any{"name": nul}, "name"},
			{"/api/subaccounts", subaccountBody("comments", nul), "comments"},
			{"/api/subaccounts/" + p.Subaccount + "/addresses", addressBody("precision", nul), "precision"},
			{"/api/subaccount_addresses/" + p.Address, map[string]any{"box_number": nul}, "box_number"},
			{"/api/subaccount_addresses/" + p.Address, map[string]any{"precision": nul}, "precision"},
			{"/api/users", map[string]any{"username": "nul-user-" + p.Number, "password": "pass\x00word"}, "password"},
			{"/api/users/" + p.User, map[string]any{"email": "a\x00b@example.com"}, "email"},
			{"/api/users/" + p.User, map[string]any{"password": "pass\x00word"}, "password"},
			{"/api/tokens", map[string]any{"user_id": p.User, "name": nul}, "name"},
		}
		for _, f := range []string{"custom_id", "friendly_name", "organization", "callerid_name", "comments", "client_moh_profile_id", "default_provisioned_endpoint_id"} {
			cases = append(cases, c{"/api/subaccounts/" + p.Subaccount, map[string]any{f: nul}, f})
		}
		for _, c := range cases {
			r := n.Do(t, http.MethodPost, c.path, p.Token, c.body)
			expectError(t, "POST "+c.path+" "+c.field+" with a NUL", r, http.StatusBadRequest, "VALIDATE_FAILED", c.field)
		}
		login := func(user string) servertest.Response {
			return n.Do(t, http.MethodPost, "/api/login", "", map[string]any{"username": user, "password": "whatever-pw"})
		}
		if r, unknown := login("ab\x00cd"), login("nobody-"+p.Number); r.Status != 401 || string(r.Body) != string(unknown.Body) {
			t.Errorf("login as a username with a NUL: %d %s, want the unknown user's %d %s", r.Status, r.Body, unknown.Status, unknown.Body)
		}
		r := n.Form(t, "/api/v1.1/json/update_subaccount", url.Values{
			"username": {p.Username}, "auth_token": {p.Token}, "client_subaccount_id": {fmt.Sprint(rawID(t, p.Subaccount))},
			"friendly_name": {"Nul Co office"}, "multi_tenancy_mode": {"disabled"}, "status": {"enabled"}, "comments": {nul},
		})
		if env := checkEnvelope(t, "voicemeup comments with a NUL", r, "json"); env.Status != "error" || slices.Contains(env.Codes, "internal_error-database_error") {
			t.Errorf("voicemeup comments with a NUL: %+v, want a validation error", env)
		}
		after := p.snapshot(t, n)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("a refused NUL changed %s:\n before %s\n after  %s", k, v, after[k])
			}
		}
	})
}

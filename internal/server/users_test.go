package server_test

import (
	"bytes"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

var secretRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// mustToken issues an API token to user and returns its secret.
func mustToken(tb testing.TB, n *servertest.Node, adminToken, user string) string {
	tb.Helper()
	tok := mustOK(tb, n, http.MethodPost, "/api/tokens", adminToken, map[string]any{"user_id": user})
	return tok["token"].(string)
}

func TestUsersNeverShowPasswords(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Users Co", "reseller")
		const pw = "correct-horse-battery"
		r := n.Do(t, http.MethodPost, "/api/users", ten.Token, map[string]any{"username": "Mixed.Case", "password": pw, "email": "m@example.com"})
		user := n.MustCreate(t, "/api/users", ten.Token, map[string]any{"username": "second-user", "password": pw, "role": "readonly"})
		created := r.Map(t)["id"].(string)
		updated := n.Do(t, http.MethodPost, "/api/users/"+created, ten.Token, map[string]any{"password": pw + "-2", "email": "n@example.com"})
		for _, resp := range []servertest.Response{
			r, updated,
			n.Do(t, http.MethodGet, "/api/users/"+created, ten.Token, nil),
			n.Do(t, http.MethodGet, "/api/users", ten.Token, nil),
			n.Do(t, http.MethodGet, "/api/users?search=case", ten.Token, nil),
		} {
			low := bytes.ToLower(resp.Body)
			if resp.Status != 200 || bytes.Contains(low, []byte("password")) || bytes.Contains(resp.Body, []byte(pw)) || bytes.Contains(resp.Body, []byte("argon2")) {
				t.Errorf("a user answer shows a password or its hash: %d %s", resp.Status, resp.Body)
			}
		}
		got := mustOK(t, n, http.MethodGet, "/api/users/"+created, ten.Token, nil)
		keys := slices.Sorted(maps.Keys(got))
		if want := []string{"account_id", "created_at", "email", "id", "role", "status", "updated_at", "username"}; !slices.Equal(keys, want) {
			t.Errorf("user keys %v, want %v", keys, want)
		}
		if got["role"] != "user" || got["status"] != "active" || got["account_id"] != ten.AccountID || got["email"] != "n@example.com" {
			t.Errorf("new user %v, want role user, active, in the tenant", got)
		}
		// The new password works, the old does not.
		if r := n.Do(t, http.MethodPost, "/api/login", "", map[string]any{"username": "mixed.case", "password": pw + "-2"}); r.Status != 200 {
			t.Errorf("login with the changed password (username in another case): %d %s", r.Status, r.Body)
		}
		expectError(t, "old password", n.Do(t, http.MethodPost, "/api/login", "", map[string]any{"username": "Mixed.Case", "password": pw}), 401, "UNAUTHORIZED", "")

		// Usernames are unique platform-wide, whatever their case.
		other := n.MustTenant(t, n.AdminToken, "", "Other Co", "customer")
		for _, name := range []string{"Mixed.Case", "MIXED.CASE", "mixed.case"} {
			r := n.Do(t, http.MethodPost, "/api/users", other.Token, map[string]any{"username": name, "password": pw})
			expectError(t, "duplicate username "+name, r, http.StatusConflict, "CONFLICT", "username")
		}
		expectError(t, "rename onto a taken username", n.Do(t, http.MethodPost, "/api/users/"+user, ten.Token, map[string]any{"username": "MIXED.case"}), 409, "CONFLICT", "username")

		for _, c := range []struct {
			body   map[string]any
			detail string
		}{
			{map[string]any{"username": "ab", "password": pw}, "username"},
			{map[string]any{"username": "-leading", "password": pw}, "username"},
			{map[string]any{"username": "valid-name"}, "password"},
			{map[string]any{"password": pw}, "username"},
			{map[string]any{"username": "valid-name", "password": "short"}, "password"},
			{map[string]any{"username": "valid-name", "password": pw, "role": "root"}, "role"},
			{map[string]any{"username": "valid-name", "password": pw, "email": "not-an-email"}, "email"},
			{map[string]any{"username": "valid-name", "password": pw, "account_id": missingID}, "account_id"},
		} {
			expectError(t, "create user "+shortJSON(c.body), n.Do(t, http.MethodPost, "/api/users", ten.Token, c.body), 400, "VALIDATE_FAILED", c.detail)
		}

		// Disabling a user shuts its tokens out; deleting removes it.
		tok := mustToken(t, n, ten.Token, user)
		mustOK(t, n, http.MethodPost, "/api/users/"+user, ten.Token, map[string]any{"status": "disabled"})
		expectError(t, "token of a disabled user", n.Do(t, http.MethodGet, "/api/users", tok, nil), 401, "UNAUTHORIZED", "")
		mustNoContent(t, n, http.MethodPost, "/api/users/"+user+"/destroy", ten.Token)
		expectError(t, "deleted user", n.Do(t, http.MethodGet, "/api/users/"+user, ten.Token, nil), 404, "NOT_FOUND", "")
		mustNoContent(t, n, http.MethodDelete, "/api/users/"+created, ten.Token)
		expectError(t, "delete yourself", n.Do(t, http.MethodDelete, "/api/users/"+ten.UserID, ten.Token, nil), 403, "FORBIDDEN", "")
		if l := mustList(t, n, "/api/users", ten.Token); l.Count != 1 || l.Items[0]["id"] != ten.UserID {
			t.Errorf("after deletes the tenant lists users %v", itemIDs(l))
		}
	})
}

func TestRolesLimitWhatUsersDo(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Roles Co", "reseller")
		sub := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody())
		ro := n.MustCreate(t, "/api/users", ten.Token, map[string]any{"username": "ro-" + ten.Number, "password": "readonly-pw", "role": "readonly"})
		usr := n.MustCreate(t, "/api/users", ten.Token, map[string]any{"username": "usr-" + ten.Number, "password": "user-pw-123", "role": "user"})
		roTok, usrTok := mustToken(t, n, ten.Token, ro), mustToken(t, n, ten.Token, usr)

		for _, tok := range []string{roTok, usrTok} {
			for _, path := range []string{"/api/accounts", "/api/subaccounts", "/api/subaccounts/" + sub, "/api/users", "/api/tokens"} {
				if r := n.Do(t, http.MethodGet, path, tok, nil); r.Status != 200 {
					t.Errorf("GET %s by a non-admin: %d %s", path, r.Status, r.Body)
				}
			}
		}
		forbidden := []struct {
			who, token, method, path string
			body                     any
		}{
			{"readonly", roTok, http.MethodPost, "/api/subaccounts", subaccountBody()},
			{"readonly", roTok, http.MethodPost, "/api/subaccounts/" + sub, map[string]any{"comments": "x"}},
			{"readonly", roTok, http.MethodPost, "/api/subaccounts/" + sub + "/destroy", nil},
			{"readonly", roTok, http.MethodDelete, "/api/subaccounts/" + sub, nil},
			{"readonly", roTok, http.MethodPost, "/api/subaccounts/" + sub + "/addresses", addressBody()},
			{"readonly", roTok, http.MethodPost, "/api/accounts", map[string]any{"name": "X"}},
			{"readonly", roTok, http.MethodPost, "/api/accounts/" + ten.AccountID, map[string]any{"name": "X"}},
			{"readonly", roTok, http.MethodPost, "/api/users/" + ro, map[string]any{"role": "admin"}},
			{"user", usrTok, http.MethodPost, "/api/users", map[string]any{"username": "made-by-user", "password": "password1"}},
			{"user", usrTok, http.MethodPost, "/api/users/" + ro, map[string]any{"email": "x@example.com"}},
			{"user", usrTok, http.MethodPost, "/api/users/" + usr, map[string]any{"role": "admin"}},
			{"user", usrTok, http.MethodDelete, "/api/users/" + ro, nil},
			{"user", usrTok, http.MethodPost, "/api/tokens", map[string]any{"user_id": ro}},
			{"user", usrTok, http.MethodPost, "/api/accounts", map[string]any{"name": "X"}},
			{"user", usrTok, http.MethodDelete, "/api/accounts/" + ten.AccountID, nil},
		}
		for _, c := range forbidden {
			expectError(t, c.who+" "+c.method+" "+c.path, n.Do(t, c.method, c.path, c.token, c.body), http.StatusForbidden, "FORBIDDEN", "")
		}
		if l := mustList(t, n, "/api/users", ten.Token); l.Count != 3 {
			t.Errorf("forbidden requests changed the users: %d", l.Count)
		}
		if got := mustOK(t, n, http.MethodGet, "/api/subaccounts/"+sub, ten.Token, nil); got["comments"] != "" {
			t.Errorf("a readonly update went through: %v", got["comments"])
		}
		// A user manages resources and its own password, never others.
		n.MustCreate(t, "/api/subaccounts", usrTok, subaccountBody("friendly_name", "By user"))
		mustOK(t, n, http.MethodPost, "/api/users/"+usr, usrTok, map[string]any{"password": "user-pw-456"})
		own := mustOK(t, n, http.MethodPost, "/api/tokens", usrTok, map[string]any{"user_id": usr})
		if !secretRe.MatchString(own["token"].(string)) {
			t.Errorf("user's own token %v", own)
		}
	})
}

func TestTokens(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Tokens Co", "reseller")
		r := n.Do(t, http.MethodPost, "/api/tokens", ten.Token, map[string]any{"user_id": ten.UserID, "name": "ci"})
		created := r.Map(t)
		if r.Status != 200 || len(created) != 2 || !secretRe.MatchString(created["token"].(string)) || created["id"] == nil {
			t.Fatalf("create token: %d %s, want exactly {id, token} with 32 lowercase hex", r.Status, r.Body)
		}
		id, secret := created["id"].(string), created["token"].(string)
		if got := mustOK(t, n, http.MethodGet, "/api/accounts/"+ten.AccountID, secret, nil); got["id"] != ten.AccountID {
			t.Errorf("the new token reads %v", got)
		}
		view := mustOK(t, n, http.MethodGet, "/api/tokens/"+id, secret, nil)
		if view["kind"] != "api" || view["name"] != "ci" || view["user_id"] != ten.UserID || view["revoked_at"] != nil || view["last_used_at"] == nil {
			t.Errorf("token view %v", view)
		}
		for _, path := range []string{"/api/tokens", "/api/tokens/" + id, "/api/tokens?filter=kind%20eq%20'api'"} {
			resp := n.Do(t, http.MethodGet, path, ten.Token, nil)
			if resp.Status != 200 || bytes.Contains(resp.Body, []byte(secret)) || bytes.Contains(resp.Body, []byte(ten.Token)) || bytes.Contains(resp.Body, []byte(`"hash"`)) || bytes.Contains(resp.Body, []byte(`"token"`)) {
				t.Errorf("GET %s shows a secret: %d %s", path, resp.Status, resp.Body)
			}
		}
		if l := mustList(t, n, "/api/tokens", ten.Token); l.Count != 2 {
			t.Errorf("tenant lists %d tokens, want 2 (MustTenant's and ci)", l.Count)
		}
		expectError(t, "token for nobody", n.Do(t, http.MethodPost, "/api/tokens", ten.Token, map[string]any{"user_id": missingID}), 400, "VALIDATE_FAILED", "user_id")
		expectError(t, "token with a long name", n.Do(t, http.MethodPost, "/api/tokens", ten.Token, map[string]any{"user_id": ten.UserID, "name": strings.Repeat("n", 65)}), 400, "VALIDATE_FAILED", "name")

		for _, c := range []struct{ method, suffix string }{{http.MethodPost, "/destroy"}, {http.MethodDelete, ""}} {
			tok := mustOK(t, n, http.MethodPost, "/api/tokens", ten.Token, map[string]any{"user_id": ten.UserID})
			tid, tsecret := tok["id"].(string), tok["token"].(string)
			mustOK(t, n, http.MethodGet, "/api/users", tsecret, nil)
			mustNoContent(t, n, c.method, "/api/tokens/"+tid+c.suffix, ten.Token)
			expectError(t, "revoked token", n.Do(t, http.MethodGet, "/api/users", tsecret, nil), 401, "UNAUTHORIZED", "")
			if v := mustOK(t, n, http.MethodGet, "/api/tokens/"+tid, ten.Token, nil); v["revoked_at"] == nil {
				t.Errorf("revoked token shows revoked_at null")
			}
		}
		mustOK(t, n, http.MethodGet, "/api/users", secret, nil) // revoking others left this one alone
	})
}

func TestLoginAndRefresh(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Login Co", "customer")
		login := func(user, pw string) servertest.Response {
			return n.Do(t, http.MethodPost, "/api/login", "", map[string]any{"username": user, "password": pw})
		}
		session := func(what string, r servertest.Response) (access, refresh string) {
			t.Helper()
			m := r.Map(t)
			keys := slices.Sorted(maps.Keys(m))
			if r.Status != 200 || !slices.Equal(keys, []string{"access_token", "expires_in", "refresh_token", "token_type"}) ||
				m["token_type"] != "Bearer" || m["expires_in"] != 3600.0 {
				t.Fatalf("%s: %d %s", what, r.Status, r.Body)
			}
			access, refresh = m["access_token"].(string), m["refresh_token"].(string)
			if !secretRe.MatchString(access) || !secretRe.MatchString(refresh) || access == refresh {
				t.Fatalf("%s: tokens %q %q", what, access, refresh)
			}
			return access, refresh
		}
		access, refresh := session("login", login(ten.Username, ten.Password))
		if got := mustOK(t, n, http.MethodGet, "/api/users/"+ten.UserID, access, nil); got["username"] != ten.Username {
			t.Errorf("access token reads %v", got)
		}
		expectError(t, "refresh token used as a bearer", n.Do(t, http.MethodGet, "/api/users", refresh, nil), 401, "UNAUTHORIZED", "")

		refreshReq := func(tok string) servertest.Response {
			return n.Do(t, http.MethodPost, "/api/login/refresh", "", map[string]any{"refresh_token": tok})
		}
		access2, refresh2 := session("refresh", refreshReq(refresh))
		if access2 == access || refresh2 == refresh {
			t.Errorf("refresh did not rotate the tokens")
		}
		mustOK(t, n, http.MethodGet, "/api/users/"+ten.UserID, access2, nil)
		expectError(t, "old refresh token", refreshReq(refresh), 401, "UNAUTHORIZED", "")
		expectError(t, "access token as refresh token", refreshReq(access2), 401, "UNAUTHORIZED", "")
		expectError(t, "garbage refresh token", refreshReq("not-a-token"), 401, "UNAUTHORIZED", "")
		session("second refresh", refreshReq(refresh2))

		wrongPw := login(ten.Username, "wrong-password")
		unknown := login("nobody-"+ten.Number, "wrong-password")
		expectError(t, "wrong password", wrongPw, 401, "UNAUTHORIZED", "")
		if unknown.Status != wrongPw.Status || !bytes.Equal(unknown.Body, wrongPw.Body) {
			t.Errorf("unknown user answers %d %s, wrong password %d %s: they must be identical", unknown.Status, unknown.Body, wrongPw.Status, wrongPw.Body)
		}
		expectError(t, "empty password", login(ten.Username, ""), 400, "VALIDATE_FAILED", "password")
		session("username in upper case", login(strings.ToUpper(ten.Username), ten.Password))
	})
}

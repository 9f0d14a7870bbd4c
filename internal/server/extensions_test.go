package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestExtensions: numbers are 1000-9999 and unique per account, the
// peers rung must be the account's own and keep their order, both
// dialects see the same extension, and the require_bundle policy needs a
// bundle allowing extensions.
func TestExtensions(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Ext Co", "reseller")
		other := n.MustTenant(t, n.AdminToken, "", "Ext Other", "reseller")
		p1 := sipPeer(t, n, ten.Token, "extpeer01", "Secret123")
		p2 := sipPeer(t, n, ten.Token, "extpeer02", "Secret123")
		foreign := sipPeer(t, n, other.Token, "extpeer03", "Secret123")

		id := n.MustCreate(t, "/api/extensions", ten.Token, map[string]any{"extension": 3100, "friendly_name": "Sales",
			"peer_ids": []string{p2, p1}, "peer_timeout": 15})
		got := mustOK(t, n, http.MethodGet, "/api/extensions/"+id, ten.Token, nil)
		if ids, _ := got["peer_ids"].([]any); len(ids) != 2 || ids[0] != p2 || ids[1] != p1 || got["peer_timeout"] != float64(15) {
			t.Errorf("extension %v: want the peers in the order given", got)
		}
		r := n.Do(t, http.MethodPost, "/api/extensions", ten.Token, map[string]any{"extension": 3100, "friendly_name": "Again"})
		expectError(t, "duplicate number", r, http.StatusConflict, "CONFLICT", "extension")
		if r := n.Do(t, http.MethodPost, "/api/extensions", other.Token, map[string]any{"extension": 3100, "friendly_name": "Theirs"}); r.Status != http.StatusOK {
			t.Errorf("the same number in another account: %d %s", r.Status, r.Body)
		}
		r = n.Do(t, http.MethodPost, "/api/extensions", ten.Token, map[string]any{"extension": 3101, "friendly_name": "Steal", "peer_ids": []string{foreign}})
		if r.Status < 400 || r.Status >= 500 || !strings.Contains(string(r.Body), "peer_ids") {
			t.Errorf("another account's peer: %d %s", r.Status, r.Body)
		}
		for _, bad := range []map[string]any{
			{"extension": 999, "friendly_name": "Low"}, {"extension": 10000, "friendly_name": "High"},
			{"extension": 3102, "friendly_name": "Odd", "peer_timeout": 7},
			{"extension": 3103, "friendly_name": "Fwd", "enable_forwarding": true},
		} {
			if r := n.Do(t, http.MethodPost, "/api/extensions", ten.Token, bad); r.Status < 400 || r.Status >= 500 {
				t.Errorf("%v: %d %s", bad, r.Status, r.Body)
			}
		}

		// voicemeup: create, update and read the same rows.
		creds := url.Values{"username": {ten.Username}, "auth_token": {ten.Token}}
		q := url.Values{"mode": {"create"}, "extension": {"3200"}, "friendly_name": {"Support"}, "client_peer_ids": {rawPeer(t, p1) + "," + rawPeer(t, p2)},
			"peer_timeout": {"disabled"}, "forward_number": {"5145550100"}}
		for k, v := range creds {
			q[k] = v
		}
		a := vmu(t, n, "json", "update_extension", q)
		if a.Status != "success" || !strings.Contains(string(a.Raw), `"client_peer_ids":"`+rawPeer(t, p1)+","+rawPeer(t, p2)+`"`) || !strings.Contains(string(a.Raw), `"peer_timeout":"disabled"`) {
			t.Fatalf("update_extension create: %s", a.Raw)
		}
		q = url.Values{"mode": {"create"}, "extension": {"3100"}, "friendly_name": {"Dup"}}
		for k, v := range creds {
			q[k] = v
		}
		if a := vmu(t, n, "json", "update_extension", q); a.Status != "error" {
			t.Errorf("voicemeup duplicate: %s", a.Raw)
		}
		l := vmu(t, n, "xml", "get_extensions", creds)
		if l.Status != "success" || strings.Count(string(l.Raw), "<extension ") != 2 || !strings.Contains(string(l.Raw), "<extension>3200</extension>") {
			t.Errorf("get_extensions: %s", l.Raw)
		}
		list := mustOK(t, n, http.MethodGet, "/api/extensions?filter="+url.QueryEscape("extension eq 3200"), ten.Token, nil)
		if list["count"] != float64(1) {
			t.Errorf("native list of the voicemeup extension: %v", list)
		}

		// require_bundle: a customer needs a bundle that allows extensions.
		mustOK(t, n, http.MethodPost, "/api/accounts/"+ten.AccountID, ten.Token, map[string]any{"preferences": map[string]any{"require_bundle": true}})
		cust := n.MustTenant(t, ten.Token, "", "Ext Customer", "customer")
		r = n.Do(t, http.MethodPost, "/api/extensions", cust.Token, map[string]any{"extension": 3300, "friendly_name": "Nope"})
		expectError(t, "extension without a bundle", r, http.StatusForbidden, "FORBIDDEN", "bundle_type")
		credit(t, n, n.AdminToken, ten.AccountID, "100")
		credit(t, n, ten.Token, cust.AccountID, "100")
		mustOK(t, n, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 1})
		if r := n.Do(t, http.MethodPost, "/api/extensions", cust.Token, map[string]any{"extension": 3300, "friendly_name": "Yes"}); r.Status != http.StatusOK {
			t.Errorf("extension with a Business bundle: %d %s", r.Status, r.Body)
		}
	})
}

func rawPeer(t *testing.T, native string) string {
	t.Helper()
	return strconv.FormatInt(rawID(t, native), 10)
}

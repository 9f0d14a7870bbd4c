package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestPeersNative covers /api/peers: create with defaults, every field's
// rule, the uniqueness of usernames across tenants, updates, the secret
// never shown, and delete.
func TestPeersNative(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Peer Co", "reseller")
		other := n.MustTenant(t, n.AdminToken, "", "Other Peer Co", "reseller")
		sub := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody())
		foreignSub := n.MustCreate(t, "/api/subaccounts", other.Token, subaccountBody())
		id := n.MustCreate(t, "/api/peers", ten.Token, peerBody("username", "frontdesk1", "subaccount_id", sub))
		got := mustOK(t, n, http.MethodGet, "/api/peers/"+id, ten.Token, nil)
		for k, want := range map[string]any{"username": "frontdesk1", "host_type": "dynamic", "port": 5060.0, "transport": "udp",
			"dtmf_mode": "rfc2833", "register_timeout": 3600.0, "status": "enabled", "has_password": true, "subaccount_id": sub} {
			if got[k] != want {
				t.Errorf("%s = %v, want %v", k, got[k], want)
			}
		}
		for k := range got {
			if strings.Contains(k, "password") && k != "has_password" || strings.Contains(k, "ha1") {
				t.Errorf("the view shows %q", k)
			}
		}
		r := n.Do(t, http.MethodGet, "/api/peers/"+id, ten.Token, nil)
		if strings.Contains(string(r.Body), "Secret123") {
			t.Errorf("the password shows: %s", r.Body)
		}

		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no friendly_name", peerBody("friendly_name", nil), "friendly_name"},
			{"friendly_name of symbols", peerBody("friendly_name", "%%%"), "friendly_name"},
			{"no host_type", peerBody("host_type", nil), "host_type"},
			{"no username", peerBody("username", nil), "username"},
			{"short username", peerBody("username", "abc12"), "username"},
			{"username with a dash", peerBody("username", "front-desk"), "username"},
			{"no callerid_mode", peerBody("callerid_mode", nil), "callerid_mode"},
			{"dynamic without password", peerBody("password", nil), "password"},
			{"password with symbols", peerBody("password", "secret!!"), "password"},
			{"static without host", peerBody("host_type", "static", "password", nil), "host"},
			{"host not an IP", peerBody("host", "pbx.example.com"), "host"},
			{"callerid_name with symbols", peerBody("callerid_name", "A&B"), "callerid_name"},
			{"callerid_number short", peerBody("callerid_number", "514555"), "callerid_number"},
			{"custom caller id without number", peerBody("callerid_mode", "custom"), "callerid_number"},
			{"smart without profile", peerBody("callerid_mode", "smart"), "client_callerid_profile_id"},
			{"unknown codec", peerBody("codecs", []string{"opus"}), "codecs"},
			{"codec twice", peerBody("codecs", []string{"ulaw", "ulaw"}), "codecs"},
			{"no codec", peerBody("codecs", []string{}), "codecs"},
			{"qualify without interval", peerBody("enable_qualify", true), "qualify"},
			{"qualify too short", peerBody("enable_qualify", true, "qualify", 1999), "qualify"},
			{"auth_username short", peerBody("auth_username", "ab"), "auth_username"},
			{"default_ip", peerBody("default_ip", "1.2.3"), "default_ip"},
			{"subaccount of another tenant", peerBody("subaccount_id", foreignSub), "subaccount_id"},
			{"bad metadata key", peerBody("metadata", map[string]any{"a b": "x"}), "metadata"},
			{"nul in comments", peerBody("comments", "a\x00b"), "comments"},
			{"taken username", peerBody("username", "frontdesk1"), "username"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := n.Do(t, http.MethodPost, "/api/peers", ten.Token, c.body)
				if c.name == "taken username" {
					expectError(t, c.name, r, http.StatusConflict, "CONFLICT", c.field)
					return
				}
				expectFieldError(t, c.name, r, c.field)
			})
		}
		// Usernames are unique platform-wide, whatever the case.
		r = n.Do(t, http.MethodPost, "/api/peers", other.Token, peerBody("username", "FRONTDESK1"))
		expectError(t, "a username taken by another tenant", r, http.StatusConflict, "CONFLICT", "username")

		upd := mustOK(t, n, http.MethodPost, "/api/peers/"+id, ten.Token, map[string]any{
			"friendly_name": "Lobby", "enable_qualify": true, "qualify": 2000, "codecs": []string{"g729", "alaw"},
			"subaccount_id": "", "metadata": map[string]any{"desk": "7"}})
		if upd["friendly_name"] != "Lobby" || upd["qualify"] != 2000.0 || upd["subaccount_id"] != nil || upd["metadata"].(map[string]any)["desk"] != "7" {
			t.Errorf("update: %v", upd)
		}
		for body, field := range map[string]map[string]any{
			"username":         {"username": "renamed11"},
			"register_timeout": {"register_timeout": 900},
			"password":         {"enable_auth": true, "auth_username": "lobbyauth"},
		} {
			expectFieldError(t, "update "+body, n.Do(t, http.MethodPost, "/api/peers/"+id, ten.Token, field), body)
		}
		mustOK(t, n, http.MethodPost, "/api/peers/"+id, ten.Token, map[string]any{"enable_auth": true, "auth_username": "lobbyauth", "password": "NewSecret9"})
		l := mustOK(t, n, http.MethodGet, "/api/peers?filter="+strings.ReplaceAll("username eq 'frontdesk1'", " ", "%20"), ten.Token, nil)
		if l["count"] != 1.0 {
			t.Errorf("filtered list: %v", l)
		}
		if l := mustOK(t, n, http.MethodGet, "/api/peers", other.Token, nil); l["count"] != 0.0 {
			t.Errorf("another tenant lists %v", l)
		}
		// A subaccount lists its peers, and a peer outlives its subaccount.
		office := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody("friendly_name", "Annex"))
		mustOK(t, n, http.MethodPost, "/api/peers/"+id, ten.Token, map[string]any{"subaccount_id": office})
		a := vmu(t, n, "json", "get_subaccounts", vmuCreds(ten, "client_subaccount_id", strconv.FormatInt(rawID(t, office), 10), "get_associations", "1")).ok(t, "associations")
		if !strings.Contains(string(a.Raw), strconv.FormatInt(rawID(t, id), 10)) {
			t.Errorf("the subaccount's associations do not list its peer: %s", a.Raw)
		}
		if r := n.Do(t, http.MethodDelete, "/api/subaccounts/"+office, ten.Token, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete subaccount: %d %s", r.Status, r.Body)
		}
		if p := mustOK(t, n, http.MethodGet, "/api/peers/"+id, ten.Token, nil); p["subaccount_id"] != nil {
			t.Errorf("the peer still names its deleted subaccount: %v", p["subaccount_id"])
		}
		if r := n.Do(t, http.MethodDelete, "/api/peers/"+id, ten.Token, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodGet, "/api/peers/"+id, ten.Token, nil); r.Status != http.StatusNotFound {
			t.Errorf("after delete: %d", r.Status)
		}
	})
}

// TestPeersVoicemeup covers get_peers, update_peer (both modes) and
// delete_peer with the document's parameters and error types.
func TestPeersVoicemeup(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Voice Peer Co", "reseller")
		other := n.MustTenant(t, n.AdminToken, "", "Voice Other Co", "reseller")
		create := func(kv ...string) []string {
			return overriding([]string{"mode", "create", "friendly_name", "Desk phone", "host_type", "dynamic",
				"peer_username", "vmudesk01", "password", "Secret123", "callerid_mode", "device"}, kv...)
		}
		a := vmu(t, n, "json", "update_peer", vmuCreds(ten, create("codecs", "ulaw,g729", "enable_nat", "1", "register_timeout", "900")...)).ok(t, "create")
		f := vmuFlat(vmuObj(t, a.Content, "peer"))
		pid := f["client_peer_id"]
		if f["peer_username"] != "vmudesk01" || f["codecs"] != "ulaw,g729" || f["enable_nat"] != "1" || f["register_timeout"] != "900" || strings.Contains(string(a.Raw), "Secret123") {
			t.Errorf("created: %v", f)
		}
		update := func(kv ...string) []string {
			return overriding([]string{"client_peer_id", pid, "friendly_name", "Desk phone", "host_type", "dynamic",
				"callerid_mode", "device", "callerid_type", "rpid", "callerid_format", "e164", "codecs", "ulaw",
				"dtmf_mode", "info", "dnis_format", "e164", "status", "enabled"}, kv...)
		}
		for _, c := range []struct {
			name   string
			params []string
			code   string
		}{
			{"taken username", create(), "peer_exist"},
			{"no friendly_name", create("friendly_name", ""), "friendly_name_required"},
			{"bad friendly_name", create("friendly_name", "%%%", "peer_username", "vmudesk02"), "friendly_name_invalid"},
			{"bad host_type", create("host_type", "cloud", "peer_username", "vmudesk02"), "host_type_invalid"},
			{"bad username", create("peer_username", "ab"), "username_invalid"},
			{"bad password", create("password", "pw", "peer_username", "vmudesk02"), "password_invalid"},
			{"bad callerid_mode", create("callerid_mode", "loud", "peer_username", "vmudesk02"), "callerid_mode_invalid"},
			{"no callerid_mode", create("callerid_mode", "", "peer_username", "vmudesk02"), "callerid_mode_required"},
			{"bad callerid_name", create("callerid_name", "A!", "peer_username", "vmudesk02"), "callerid_name_invalid"},
			{"bad callerid_number", create("callerid_number", "12", "peer_username", "vmudesk02"), "callerid_number_invalid"},
			{"bad codecs", create("codecs", "opus", "peer_username", "vmudesk02"), "codecs_invalid"},
			{"bad dtmf", create("dtmf_mode", "morse", "peer_username", "vmudesk02"), "dtmf_invalid"},
			{"qualify missing", create("enable_qualify", "1", "peer_username", "vmudesk02"), "qualify_required"},
			{"qualify out of range", create("enable_qualify", "1", "qualify", "70000", "peer_username", "vmudesk02"), "qualify_invalid"},
			{"bad default_ip", create("default_ip", "x", "peer_username", "vmudesk02"), "default_ip_invalid"},
			{"bad auth_username", create("auth_username", "a", "peer_username", "vmudesk02"), "auth_username_invalid"},
			{"update without codecs", update("codecs", ""), "codecs_required"},
			{"update without status", update("status", ""), "status_required"},
			{"update bad status", update("status", "deleted"), "status_invalid"},
			{"update another tenant's peer", nil, "client_peer_id_invalid"},
		} {
			tn := ten
			params := c.params
			if params == nil {
				tn, params = other, update()
			}
			vmu(t, n, "json", "update_peer", vmuCreds(tn, params...)).wantCodes(t, c.name, c.code)
		}
		a = vmu(t, n, "json", "update_peer", vmuCreds(ten, update("friendly_name", "Lobby", "enable_qualify", "1", "qualify", "5000")...)).ok(t, "update")
		if f := vmuFlat(vmuObj(t, a.Content, "peer")); f["friendly_name"] != "Lobby" || f["qualify"] != "5000" || f["dtmf_mode"] != "info" {
			t.Errorf("updated: %v", f)
		}
		a = vmu(t, n, "json", "get_peers", vmuCreds(ten)).ok(t, "get_peers")
		if list := vmuArr(t, vmuObj(t, a.Content, "peers"), "peer"); len(list) != 1 {
			t.Errorf("get_peers: %v", list)
		}
		vmu(t, n, "json", "get_peers", vmuCreds(other, "client_peer_id", pid)).wantCodes(t, "another tenant's peer", "client_peer_id_invalid")
		vmu(t, n, "json", "delete_peer", vmuCreds(other, "client_peer_id", pid)).wantCodes(t, "delete another tenant's peer", "client_peer_id_invalid")
		vmu(t, n, "json", "delete_peer", vmuCreds(ten, "client_peer_id", pid)).ok(t, "delete")
		vmu(t, n, "json", "get_peers", vmuCreds(ten, "client_peer_id", pid)).wantCodes(t, "deleted peer", "client_peer_id_invalid")
	})
}

// overriding returns the key/value list base with kv's keys replaced or
// added (the dialect reads a parameter's first value).
func overriding(base []string, kv ...string) []string {
	out := append([]string(nil), base...)
	for i := 0; i+1 < len(kv); i += 2 {
		found := false
		for j := 0; j+1 < len(out); j += 2 {
			if out[j] == kv[i] {
				out[j+1], found = kv[i+1], true
			}
		}
		if !found {
			out = append(out, kv[i], kv[i+1])
		}
	}
	return out
}

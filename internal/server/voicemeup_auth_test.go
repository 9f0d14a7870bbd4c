package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/api/voicemeup"
	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
)

func TestVoicemeupCredentialForms(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Customer", "customer")
		uid := strconv.FormatInt(vmuNativeID(t, cust.UserID), 10)

		// accountOf returns the client_account_id get_account_details
		// answered, whatever the format.
		accountOf := func(t *testing.T, a vmuAnswer) string {
			t.Helper()
			if a.XML != nil {
				acc := a.XML.child("response_content").child("account")
				if acc == nil {
					t.Fatalf("no <account> in\n%s", a.Raw)
				}
				return acc.Attrs["client_account_id"]
			}
			return vmuFlat(vmuObj(t, a.Content, "account"))["client_account_id"]
		}
		q := func(kv ...string) string {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v.Encode()
		}
		const details = "get_account_details"
		cases := []struct {
			name string
			send func(t *testing.T) vmuAnswer
		}{
			{"v1.1 json form username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, vmuCreds(cust))
			}},
			{"v1.1 xml form username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "xml", details, vmuCreds(cust))
			}},
			{"v1.1 json form client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"client_user_id": {uid}, "auth_token": {cust.Token}})
			}},
			{"v1.1 xml form client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "xml", details, url.Values{"client_user_id": {uid}, "auth_token": {cust.Token}})
			}},
			{"v1.1 json query username", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/api/v1.1/json/"+details+"?"+q("username", cust.Username, "auth_token", cust.Token), "json")
			}},
			{"v1.1 xml query client_user_id", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/api/v1.1/xml/"+details+"?"+q("client_user_id", uid, "auth_token", cust.Token), "xml")
			}},
			{"v1.1 json multipart username", func(t *testing.T) vmuAnswer {
				return vmuMultipart(t, n, "/api/v1.1/json/"+details, "json", vmuCreds(cust))
			}},
			{"v1.1 xml multipart client_user_id", func(t *testing.T) vmuAnswer {
				return vmuMultipart(t, n, "/api/v1.1/xml/"+details, "xml", url.Values{"client_user_id": {uid}, "auth_token": {cust.Token}})
			}},
			{"v1.1 credentials in the query, form body", func(t *testing.T) vmuAnswer {
				r := n.Form(t, "/api/v1.1/json/"+details+"?"+q("username", cust.Username, "auth_token", cust.Token), url.Values{"language": {"en"}})
				return vmuParse(t, r, "json")
			}},
			{"v1.1 body token wins over a stale query token", func(t *testing.T) vmuAnswer {
				r := n.Form(t, "/api/v1.1/json/"+details+"?"+q("auth_token", vmuHex(16)), vmuCreds(cust))
				return vmuParse(t, r, "json")
			}},
			{"v1.1 every identity, agreeing", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, vmuCreds(cust, "client_user_id", uid, "client_account_id", cust.Number))
			}},
			{"v1.0 query, default XML", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", cust.Token), "xml")
			}},
			{"v1.0 query, output_format=xml", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", cust.Token, "output_format", "xml"), "xml")
			}},
			{"v1.0 query, output_format=json", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", cust.Token, "output_format", "json"), "json")
			}},
			{"v1.0 form", func(t *testing.T) vmuAnswer {
				r := n.Form(t, "/xml_engine/xml_engine.php", url.Values{"request_type": {details}, "client_account_id": {cust.Number}, "auth_token": {cust.Token}})
				return vmuParse(t, r, "xml")
			}},
			{"v1.0 multipart json", func(t *testing.T) vmuAnswer {
				return vmuMultipart(t, n, "/xml_engine/xml_engine.php", "json", url.Values{
					"request_type": {details}, "client_account_id": {cust.Number}, "auth_token": {cust.Token}, "output_format": {"json"},
				})
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := c.send(t).ok(t, c.name)
				if len(a.Codes) != 0 {
					t.Errorf("unexpected messages %v", a.Codes)
				}
				if got := accountOf(t, a); got != cust.Number {
					t.Errorf("answered account %q, want the caller's %q", got, cust.Number)
				}
			})
		}

		// Missing credentials name what is missing.
		vmu(t, n, "json", details, url.Values{"username": {cust.Username}}).wantCodes(t, "no token", "authentication_token_required")
		vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {"  "}}).wantCodes(t, "blank token", "authentication_token_required")
		vmu(t, n, "xml", details, url.Values{"auth_token": {cust.Token}}).wantCodes(t, "no username", "auth_username_required")
		vmu(t, n, "json", details, url.Values{}).wantCodes(t, "nothing", "auth_username_required", "authentication_token_required")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "auth_token", cust.Token), "xml").
			wantCodes(t, "v1.0 without client_account_id", "client_account_id_required")

		// Every wrong credential answers the same bytes, so that the
		// answer tells nothing about which usernames or tokens exist.
		other := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")
		otherUID := strconv.FormatInt(vmuNativeID(t, other.UserID), 10)
		failures := []struct {
			name string
			a    func(t *testing.T) vmuAnswer
		}{
			{"unknown token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {vmuHex(16)}})
			}},
			{"malformed token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {"not-a-token"}})
			}},
			{"upper-case token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {strings.ToUpper(cust.Token) + "X"}})
			}},
			{"another user's token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {other.Token}})
			}},
			{"the parent reseller's token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {res.Token}})
			}},
			{"another user's username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {other.Username}, "auth_token": {cust.Token}})
			}},
			{"the parent's username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {res.Username}, "auth_token": {cust.Token}})
			}},
			{"unknown username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {"nobody-" + vmuHex(4)}, "auth_token": {cust.Token}})
			}},
			{"another user's client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"client_user_id": {otherUID}, "auth_token": {cust.Token}})
			}},
			{"non-numeric client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"client_user_id": {"abc"}, "auth_token": {cust.Token}})
			}},
			{"right username, wrong client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, vmuCreds(cust, "client_user_id", otherUID))
			}},
			{"v1.0 another account's number", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", other.Number, "auth_token", cust.Token, "output_format", "json"), "json")
			}},
			{"v1.0 the parent's number", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", res.Number, "auth_token", cust.Token, "output_format", "json"), "json")
			}},
		}
		// Usernames are unique case-insensitively, so another case names
		// the same user, as it does for login and the reseller dialect.
		vmu(t, n, "json", details, url.Values{"username": {strings.ToUpper(cust.Username)}, "auth_token": {cust.Token}}).ok(t, "username in another case")
		var first []byte
		for _, f := range failures {
			a := f.a(t)
			a.wantCodes(t, f.name, "authentication_failed")
			if first == nil {
				first = a.Raw
			} else if !bytes.Equal(a.Raw, first) {
				t.Errorf("%s answers\n%s\nbut the first failure answered\n%s", f.name, a.Raw, first)
			}
			for _, secret := range []string{cust.Username, other.Username, cust.Number, other.Number, cust.Token} {
				if bytes.Contains(a.Raw, []byte(secret)) {
					t.Errorf("%s: the answer echoes %q: %s", f.name, secret, a.Raw)
				}
			}
		}

		// A revoked token is refused at once, like an unknown one, and
		// the user's other tokens keep working.
		r := n.Do(t, http.MethodPost, "/api/tokens", res.Token, map[string]any{"user_id": cust.UserID, "name": "to revoke"})
		if r.Status != http.StatusOK {
			t.Fatalf("create token: %d %s", r.Status, r.Body)
		}
		var tok struct{ ID, Token string }
		r.JSON(t, &tok)
		vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {tok.Token}}).ok(t, "second token before revocation")
		if r := n.Do(t, http.MethodPost, "/api/tokens/"+tok.ID+"/destroy", res.Token, nil); r.Status/100 != 2 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		a := vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {tok.Token}})
		a.wantCodes(t, "revoked token", "authentication_failed")
		if !bytes.Equal(a.Raw, first) {
			t.Errorf("revoked token answers\n%s\nunlike an unknown token\n%s", a.Raw, first)
		}
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", tok.Token), "xml").
			wantCodes(t, "revoked token, v1.0", "authentication_failed")
		vmu(t, n, "json", details, vmuCreds(cust)).ok(t, "the first token after revoking the second")
	})
}

// A read-only user reads but is refused every change.
func TestVoicemeupReadOnlyUser(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		name, token, _ := vmuUser(t, n, cust.Token, cust.AccountID, "readonly")
		ro := servertest.Tenant{Username: name, Token: token}
		a := vmu(t, n, "json", "get_account_details", vmuCreds(ro)).ok(t, "read-only details")
		if got := vmuFlat(vmuObj(t, a.Content, "account"))["client_account_id"]; got != cust.Number {
			t.Errorf("read-only user answered account %q, want %q", got, cust.Number)
		}
		vmu(t, n, "json", "get_subaccounts", vmuCreds(ro)).ok(t, "read-only list")
		vmu(t, n, "json", "update_subaccount", vmuCreds(ro, "mode", "create", "friendly_name", "Sales",
			"multi_tenancy_mode", "disabled", "status", "enabled")).wantCodes(t, "read-only create", "permission_refused")
		sub := vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "Sales",
			"multi_tenancy_mode", "disabled", "status", "enabled")).ok(t, "admin create")
		sid := vmuFlat(vmuObj(t, sub.Content, "subaccount"))["client_subaccount_id"]
		vmu(t, n, "xml", "update_subaccount_address", vmuCreds(ro, "mode", "create", "client_subaccount_id", sid,
			"civic_number", "1", "street", "Main", "unit_number", "0", "city", "Montreal", "country_id", "38",
			"state_id", "QC", "postal_code", "H2X 1Y4")).wantCodes(t, "read-only address", "permission_refused")
		list := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", sid)).ok(t, "list")
		if got := vmuFlat(vmuArr(t, vmuObj(t, list.Content, "subaccounts"), "subaccount")[0].(map[string]any))["friendly_name"]; got != "Sales" {
			t.Errorf("subaccount became %q", got)
		}
		r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, sid))+"/addresses", cust.Token, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"count":0`) {
			t.Errorf("a refused address was stored: %d %s", r.Status, r.Body)
		}
	})
}

func vmuInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an integer: %v", s, err)
	}
	return n
}

// ---------------------------------------------------------------------------
// 2. The request type table.

func TestVoicemeupRequestTypes(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")

		a := vmu(t, n, "json", "get_request_types", vmuCreds(cust)).ok(t, "get_request_types")
		listed := vmuStrs(t, vmuArr(t, vmuObj(t, a.Content, "request_types"), "request_type"))
		x := vmu(t, n, "xml", "get_request_types", vmuCreds(cust)).ok(t, "get_request_types xml")
		var xlisted []string
		for _, e := range x.XML.child("response_content").child("request_types").all("request_type") {
			xlisted = append(xlisted, e.Text)
		}
		if !slices.Equal(listed, xlisted) {
			t.Errorf("JSON lists %v, XML lists %v", listed, xlisted)
		}
		// What this build wires; more may come, none may go.
		for _, want := range []string{"get_request_types", "get_account_details", "get_account_preferences",
			"get_subaccounts", "update_subaccount", "update_subaccount_address", "get_countries", "get_states"} {
			if !slices.Contains(listed, want) {
				t.Errorf("get_request_types does not list %s: %v", want, listed)
			}
		}
		// Listed in document order, each once, only document types.
		var docOrder []string
		for _, rt := range voicemeup.RequestTypes() {
			if slices.Contains(listed, rt) {
				docOrder = append(docOrder, rt)
			}
		}
		if !slices.Equal(listed, docOrder) {
			t.Errorf("get_request_types lists %v, want the document's order %v", listed, docOrder)
		}

		// "Exactly the implemented ones": every listed type is served and
		// every other type of the document answers not_implemented.
		for _, rt := range voicemeup.RequestTypes() {
			a := vmu(t, n, "json", rt, vmuCreds(cust))
			implemented := a.Status == "success" || !slices.Contains(a.Codes, "request_type_not_implemented")
			if slices.Contains(a.Codes, "request_type_invalid") {
				t.Errorf("%s, a document type, answers request_type_invalid", rt)
			}
			if implemented != slices.Contains(listed, rt) {
				t.Errorf("%s: listed=%v but answers %s %v", rt, slices.Contains(listed, rt), a.Status, a.Codes)
			}
			if !implemented && !slices.Equal(a.Codes, []string{"request_type_not_implemented"}) {
				t.Errorf("%s: %v, want only request_type_not_implemented", rt, a.Codes)
			}
		}

		vmu(t, n, "json", "get_port_requests", vmuCreds(cust)).wantCodes(t, "get_port_requests", "request_type_not_implemented")
		vmu(t, n, "xml", "get_port_requests", vmuCreds(cust)).wantCodes(t, "get_port_requests xml", "request_type_not_implemented")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_port_requests"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}}.Encode(), "xml").
			wantCodes(t, "get_port_requests v1.0", "request_type_not_implemented")
		for _, bad := range []string{"get_everything", "GET_ACCOUNT_DETAILS", "get_account_details.php"} {
			vmu(t, n, "json", bad, vmuCreds(cust)).wantCodes(t, bad, "request_type_invalid")
		}
		vmu(t, n, "xml", "get_everything", vmuCreds(cust)).wantCodes(t, "unknown xml", "request_type_invalid")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_everything"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}}.Encode(), "xml").
			wantCodes(t, "unknown v1.0", "request_type_invalid")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"client_account_id": {cust.Number},
			"auth_token": {cust.Token}, "output_format": {"json"}}.Encode(), "json").
			wantCodes(t, "v1.0 without request_type", "request_type_required")
		vmu(t, n, "json", "", vmuCreds(cust)).wantCodes(t, "v1.1 without request_type", "request_type_required")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_account_details"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}, "output_format": {"csv"}}.Encode(), "xml").
			wantDetail(t, "v1.0 bad output_format", "internal_error-invalid_argument", "output_format")
	})
}

// ---------------------------------------------------------------------------
// 3. Account details and preferences.

package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
)

func TestVoicemeupAccountDetailsAreTheCallers(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := vmuTenantWith(t, n, n.AdminToken, map[string]any{"name": "Reseller North", "type": "reseller", "currency": "USD", "language": "en"})
		cust := vmuTenantWith(t, n, res.Token, map[string]any{
			"name": "Customer South", "type": "customer", "currency": "CAD", "language": "fr",
			"billing_mode": "postpaid", "credit_limit": "250.50000",
		})
		prefs := map[string]any{"preferences": map[string]any{"timezone": "America/Toronto", "call_recording": true, "max_calls": 12}}
		if r := n.Do(t, http.MethodPost, "/api/accounts/"+cust.AccountID, cust.Token, prefs); r.Status != http.StatusOK {
			t.Fatalf("set preferences: %d %s", r.Status, r.Body)
		}
		var native struct {
			Number, Name, Currency, Language, Type, Status string
			BillingMode                                    string `json:"billing_mode"`
			CreditLimit                                    string `json:"credit_limit"`
		}
		n.Do(t, http.MethodGet, "/api/accounts/"+cust.AccountID, cust.Token, nil).JSON(t, &native)

		a := vmu(t, n, "json", "get_account_details", vmuCreds(cust)).ok(t, "customer details")
		acc := vmuFlat(vmuObj(t, a.Content, "account"))
		want := map[string]string{
			"client_account_id": cust.Number, "account_name": "Customer South", "account_type": "customer",
			"account_status": "active", "currency": "CAD", "language": "fr", "billing_mode": "postpaid",
			"username": cust.Username,
		}
		for k, v := range want {
			if acc[k] != v {
				t.Errorf("get_account_details %s = %q, want %q", k, acc[k], v)
			}
		}
		if native.Number != acc["client_account_id"] || native.Name != acc["account_name"] || native.Currency != acc["currency"] ||
			native.Language != acc["language"] || native.BillingMode != acc["billing_mode"] || native.Type != acc["account_type"] {
			t.Errorf("voicemeup %v disagrees with native %+v", acc, native)
		}
		if cl, err := strconv.ParseFloat(acc["credit_limit"], 64); err != nil || cl != 250.5 {
			t.Errorf("credit_limit %q, want 250.5", acc["credit_limit"])
		}
		if acc["created_date"] == "" || acc["client_user_id"] == "" {
			t.Errorf("created_date or client_user_id missing: %v", acc)
		}
		for _, leak := range []string{res.Number, "Reseller North", res.Username} {
			if bytes.Contains(a.Raw, []byte(leak)) {
				t.Errorf("the customer's details show the reseller's %q: %s", leak, a.Raw)
			}
		}

		x := vmu(t, n, "xml", "get_account_details", vmuCreds(cust)).ok(t, "customer details xml")
		xa := x.XML.child("response_content").child("account")
		if xa.Attrs["client_account_id"] != cust.Number || xa.text("account_name") != "Customer South" || xa.text("currency") != "CAD" {
			t.Errorf("XML details disagree: %s", x.Raw)
		}

		// The reseller sees its own account, not its customer's.
		ra := vmuFlat(vmuObj(t, vmu(t, n, "json", "get_account_details", vmuCreds(res)).ok(t, "reseller").Content, "account"))
		if ra["client_account_id"] != res.Number || ra["account_type"] != "reseller" || ra["currency"] != "USD" || ra["account_name"] != "Reseller North" {
			t.Errorf("reseller details %v", ra)
		}

		p := vmu(t, n, "json", "get_account_preferences", vmuCreds(cust)).ok(t, "preferences")
		ap := vmuObj(t, p.Content, "account_preferences")
		if f := vmuFlat(ap); f["language"] != "fr" || f["currency"] != "CAD" || f["billing_mode"] != "postpaid" {
			t.Errorf("preferences header %v", f)
		}
		got := map[string]string{}
		for _, e := range vmuArr(t, vmuObj(t, ap, "preferences"), "preference") {
			m := e.(map[string]any)
			got[m["name"].(string)], _ = m["_content"].(string)
		}
		wantPrefs := map[string]string{"timezone": "America/Toronto", "call_recording": "yes", "max_calls": "12"}
		for k, v := range wantPrefs {
			if got[k] != v {
				t.Errorf("preference %s = %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
		if len(got) != len(wantPrefs) {
			t.Errorf("preferences %v, want %v", got, wantPrefs)
		}
		xp := vmu(t, n, "xml", "get_account_preferences", vmuCreds(cust)).ok(t, "preferences xml")
		names := map[string]string{}
		for _, e := range xp.XML.child("response_content").child("account_preferences").child("preferences").all("preference") {
			names[e.Attrs["name"]] = e.Text
		}
		if names["timezone"] != "America/Toronto" || names["call_recording"] != "yes" {
			t.Errorf("XML preferences %v", names)
		}
		rp := vmuFlat(vmuObj(t, vmu(t, n, "json", "get_account_preferences", vmuCreds(res)).ok(t, "reseller prefs").Content, "account_preferences"))
		if rp["currency"] != "USD" || rp["language"] != "en" {
			t.Errorf("reseller preferences %v", rp)
		}
	})
}

// ---------------------------------------------------------------------------
// 4. update_subaccount.

// vmuSubFields are the fields of a subaccount as get_subaccounts answers them
// in JSON, options joined by commas.
func vmuSubFields(t *testing.T, m map[string]any) map[string]string {
	t.Helper()
	f := vmuFlat(m)
	f["options"] = strings.Join(vmuStrs(t, vmuArr(t, vmuObj(t, m, "options"), "option")), ",")
	return f
}

// vmuNativeSubFields turns a native subaccount into the same shape.
func vmuNativeSubFields(t *testing.T, m map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case bool:
			out[k] = map[bool]string{true: "yes", false: "no"}[v]
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case []any:
			out[k] = strings.Join(vmuStrs(t, v), ",")
		case nil:
			out[k] = ""
		}
	}
	out["client_subaccount_id"] = strconv.FormatInt(vmuNativeID(t, out["id"]), 10)
	if out["multi_tenancy_subaccount_id"] != "" {
		out["multi_tenancy_subaccount_id"] = strconv.FormatInt(vmuNativeID(t, out["multi_tenancy_subaccount_id"]), 10)
	}
	return out
}

var vmuSubKeys = []string{"client_subaccount_id", "custom_id", "friendly_name", "call_limit", "allow_international_call",
	"international_call_limit", "require_international_nip", "international_nip", "multi_tenancy_mode",
	"multi_tenancy_subaccount_id", "organization", "organization_type", "client_profile", "voice_language",
	"notification_language", "callerid_name", "callerid_number", "client_moh_profile_id",
	"default_provisioned_endpoint_id", "options", "status", "comments"}

func vmuSameSub(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for _, k := range vmuSubKeys {
		if got[k] != want[k] {
			t.Errorf("%s: %s = %q, want %q", what, k, got[k], want[k])
		}
	}
}

// vmuGetSub answers one subaccount through get_subaccounts.
func vmuGetSub(t *testing.T, n *servertest.Node, tn servertest.Tenant, sid string) map[string]string {
	t.Helper()
	a := vmu(t, n, "json", "get_subaccounts", vmuCreds(tn, "client_subaccount_id", sid)).ok(t, "get_subaccounts "+sid)
	list := vmuArr(t, vmuObj(t, a.Content, "subaccounts"), "subaccount")
	if len(list) != 1 {
		t.Fatalf("get_subaccounts %s answers %d subaccounts", sid, len(list))
	}
	return vmuSubFields(t, list[0].(map[string]any))
}

// vmuGetNativeSub answers one subaccount through the native API.
func vmuGetNativeSub(t *testing.T, n *servertest.Node, token, sid string) map[string]string {
	t.Helper()
	r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, sid)), token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("native get subaccount %s: %d %s", sid, r.Status, r.Body)
	}
	return vmuNativeSubFields(t, r.Map(t))
}

func TestVoicemeupUpdateSubaccount(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		stranger := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")

		// A subaccount of another tenant, to point at.
		sa := vmu(t, n, "json", "update_subaccount", vmuCreds(stranger, "mode", "create", "friendly_name", "Hidden",
			"multi_tenancy_mode", "disabled", "status", "enabled")).ok(t, "stranger create")
		foreignID := vmuFlat(vmuObj(t, sa.Content, "subaccount"))["client_subaccount_id"]

		// Create with every parameter.
		base := vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "Head Office",
			"multi_tenancy_mode", "global", "status", "enabled")).ok(t, "create base")
		baseID := vmuFlat(vmuObj(t, base.Content, "subaccount"))["client_subaccount_id"]
		full := vmuCreds(cust,
			"mode", "create", "client_brand_id", "1", "custom_id", "CRM-42", "friendly_name", "Sales Dept",
			"call_limit", "999", "allow_international_call", "yes", "international_call_limit", "7",
			"require_international_nip", "yes", "international_nip", "123456,12345678",
			"multi_tenancy_mode", "shared", "multi_tenancy_subaccount_id", baseID,
			"organization", "R&D <Labs>", "organization_type", "business", "client_profile", "callcenter_client",
			"voice_language", "fr", "notification_language", "en", "callerid_name", "Sales Team",
			"callerid_number", "5145551234", "client_moh_profile_id", "moh-1", "default_provisioned_endpoint_id", "ep-9",
			"status", "disabled", "comments", "first & foremost <x>")
		full["options[]"] = []string{"subaccount_override_enabled", "disable_411_access"}
		c := vmu(t, n, "json", "update_subaccount", full).ok(t, "create full")
		created := vmuSubFields(t, vmuObj(t, c.Content, "subaccount"))
		sid := created["client_subaccount_id"]
		want := map[string]string{
			"client_subaccount_id": sid, "custom_id": "CRM-42", "friendly_name": "Sales Dept", "call_limit": "999",
			"allow_international_call": "yes", "international_call_limit": "7", "require_international_nip": "yes",
			"international_nip": "123456,12345678", "multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": baseID,
			"organization": "R&D <Labs>", "organization_type": "business", "client_profile": "callcenter_client",
			"voice_language": "fr", "notification_language": "en", "callerid_name": "Sales Team",
			"callerid_number": "5145551234", "client_moh_profile_id": "moh-1", "default_provisioned_endpoint_id": "ep-9",
			"options": "subaccount_override_enabled,disable_411_access", "status": "disabled", "comments": "first & foremost <x>",
		}
		vmuSameSub(t, "create answer", created, want)
		vmuSameSub(t, "get_subaccounts after create", vmuGetSub(t, n, cust, sid), want)
		vmuSameSub(t, "native after create", vmuGetNativeSub(t, n, cust.Token, sid), want)

		// The XML answer of the same request carries the same values.
		xa := vmu(t, n, "xml", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", sid)).ok(t, "xml get")
		xs := xa.XML.child("response_content").child("subaccounts").all("subaccount")
		if len(xs) != 1 || xs[0].Attrs["client_subaccount_id"] != sid {
			t.Fatalf("XML get_subaccounts: %s", xa.Raw)
		}
		for _, k := range vmuSubKeys[1:] {
			got := xs[0].text(k)
			if k == "options" {
				var o []string
				for _, e := range xs[0].child("options").all("option") {
					o = append(o, e.Text)
				}
				got = strings.Join(o, ",")
			}
			if got != want[k] {
				t.Errorf("XML %s = %q, want %q", k, got, want[k])
			}
		}

		// Update every parameter, options in PHP's indexed array form.
		upd := vmuCreds(cust,
			"mode", "update", "client_subaccount_id", sid, "custom_id", "", "friendly_name", "Support_2.0",
			"call_limit", "0", "allow_international_call", "no", "international_call_limit", "0",
			"require_international_nip", "no", "international_nip", "87654321",
			"multi_tenancy_mode", "self", "organization", "Acme", "organization_type", "personal",
			"client_profile", "residential_client", "voice_language", "en", "notification_language", "fr",
			"callerid_name", "Acme", "callerid_number", "4165550000", "client_moh_profile_id", "",
			"default_provisioned_endpoint_id", "", "status", "enabled", "comments", "")
		upd["options[0]"] = []string{"enable_billing_module"}
		upd["options[1]"] = []string{"enable_billing_notification"}
		upd["options[2]"] = []string{"disable_public_service_access"}
		u := vmu(t, n, "json", "update_subaccount", upd).ok(t, "update full")
		want = map[string]string{
			"client_subaccount_id": sid, "custom_id": "", "friendly_name": "Support_2.0", "call_limit": "0",
			"allow_international_call": "no", "international_call_limit": "0", "require_international_nip": "no",
			"international_nip": "87654321", "multi_tenancy_mode": "self", "multi_tenancy_subaccount_id": "",
			"organization": "Acme", "organization_type": "personal", "client_profile": "residential_client",
			"voice_language": "en", "notification_language": "fr", "callerid_name": "Acme",
			"callerid_number": "4165550000", "client_moh_profile_id": "", "default_provisioned_endpoint_id": "",
			"options": "enable_billing_module,enable_billing_notification,disable_public_service_access",
			"status":  "enabled", "comments": "",
		}
		vmuSameSub(t, "update answer", vmuSubFields(t, vmuObj(t, u.Content, "subaccount")), want)
		vmuSameSub(t, "native after update", vmuGetNativeSub(t, n, cust.Token, sid), want)

		// Parameters left out keep their value; an empty options clears.
		u = vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Support",
			"multi_tenancy_mode", "self", "status", "enabled", "options", "")).ok(t, "partial update (default mode)")
		want["friendly_name"], want["options"] = "Support", ""
		vmuSameSub(t, "partial update", vmuSubFields(t, vmuObj(t, u.Content, "subaccount")), want)
		vmuSameSub(t, "native after partial update", vmuGetNativeSub(t, n, cust.Token, sid), want)

		// Boundary values are accepted.
		for _, ok := range []url.Values{
			{"friendly_name": {"ab"}}, {"friendly_name": {strings.Repeat("x", 32)}},
			{"callerid_name": {"abc"}}, {"callerid_name": {strings.Repeat("n", 15)}},
			{"international_nip": {"123456,1234567,12345678"}, "require_international_nip": {"yes"}},
			{"options": {"disable_411_access,enable_billing_module"}},
			{"status": {"deleted"}}, {"status": {"enabled"}},
		} {
			p := vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Support", "multi_tenancy_mode", "self", "status", "enabled")
			for k, v := range ok {
				p[k] = v
			}
			vmu(t, n, "json", "update_subaccount", p).ok(t, fmt.Sprint(ok))
		}
		before := vmuGetNativeSub(t, n, cust.Token, sid)
		countSubs := func() int {
			r := n.Do(t, http.MethodGet, "/api/subaccounts", cust.Token, nil)
			var l struct{ Count int }
			r.JSON(t, &l)
			return l.Count
		}
		nSubs := countSubs()

		// Every invalid value answers its documented error type, in both
		// modes, and changes nothing.
		const generic, required = "internal_error-invalid_argument", "required_parameter_not_found"
		cases := []struct {
			name   string
			set    map[string]string // "" deletes the parameter
			code   string
			detail string
		}{
			{"friendly_name missing", map[string]string{"friendly_name": "-"}, "friendly_name_required", ""},
			{"friendly_name blank", map[string]string{"friendly_name": " "}, "friendly_name_required", ""},
			{"friendly_name too short", map[string]string{"friendly_name": "A"}, "friendly_name_invalid", ""},
			{"friendly_name too long", map[string]string{"friendly_name": strings.Repeat("x", 33)}, "friendly_name_invalid", ""},
			{"friendly_name markup", map[string]string{"friendly_name": "bad<name>"}, "friendly_name_invalid", ""},
			{"call_limit 1000", map[string]string{"call_limit": "1000"}, generic, "call_limit"},
			{"call_limit -1", map[string]string{"call_limit": "-1"}, generic, "call_limit"},
			{"call_limit text", map[string]string{"call_limit": "ten"}, generic, "call_limit"},
			{"allow_international_call maybe", map[string]string{"allow_international_call": "maybe"}, generic, "allow_international_call"},
			{"require_international_nip maybe", map[string]string{"require_international_nip": "maybe"}, generic, "require_international_nip"},
			{"international_nip 5 digits", map[string]string{"international_nip": "12345"}, generic, "international_nip"},
			{"international_nip 9 digits", map[string]string{"international_nip": "123456789"}, generic, "international_nip"},
			{"international_nip letters", map[string]string{"international_nip": "12345a"}, generic, "international_nip"},
			{"international_nip one bad of two", map[string]string{"international_nip": "123456,12"}, generic, "international_nip"},
			{"require_international_nip without nip", map[string]string{"require_international_nip": "yes", "international_nip": ""}, required, "international_nip"},
			{"multi_tenancy_mode missing", map[string]string{"multi_tenancy_mode": "-"}, required, "multi_tenancy_mode"},
			{"multi_tenancy_mode unknown", map[string]string{"multi_tenancy_mode": "private"}, generic, "multi_tenancy_mode"},
			{"shared without subaccount", map[string]string{"multi_tenancy_mode": "shared"}, required, "multi_tenancy_subaccount_id"},
			{"shared with text", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": "abc"}, generic, "multi_tenancy_subaccount_id"},
			{"shared with zero", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": "0"}, generic, "multi_tenancy_subaccount_id"},
			{"shared with an unknown subaccount", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": "999999999"}, generic, "multi_tenancy_subaccount_id"},
			{"shared with another tenant's subaccount", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": foreignID}, generic, "multi_tenancy_subaccount_id"},
			{"organization_type", map[string]string{"organization_type": "corporate"}, generic, "organization_type"},
			{"client_profile", map[string]string{"client_profile": "vip"}, generic, "client_profile"},
			{"voice_language", map[string]string{"voice_language": "de"}, generic, "voice_language"},
			{"notification_language", map[string]string{"notification_language": "es"}, generic, "notification_language"},
			{"callerid_name too short", map[string]string{"callerid_name": "AB"}, "callerid_name_invalid", ""},
			{"callerid_name too long", map[string]string{"callerid_name": strings.Repeat("n", 16)}, "callerid_name_invalid", ""},
			{"callerid_name punctuation", map[string]string{"callerid_name": "Bad!Name"}, "callerid_name_invalid", ""},
			{"callerid_number 9 digits", map[string]string{"callerid_number": "514555123"}, "callerid_number_invalid", ""},
			{"callerid_number 11 digits", map[string]string{"callerid_number": "15145551234"}, "callerid_number_invalid", ""},
			{"callerid_number dashes", map[string]string{"callerid_number": "514-555-1234"}, "callerid_number_invalid", ""},
			{"options unknown", map[string]string{"options[]": "free_calls"}, "options_invalid", ""},
			{"options indexed unknown", map[string]string{"options[0]": "disable_411_access", "options[1]": "free_calls"}, "options_invalid", ""},
			{"options twice", map[string]string{"options": "disable_411_access,disable_411_access"}, "options_invalid", ""},
			{"status missing", map[string]string{"status": "-"}, "status_required", ""},
			{"status unknown", map[string]string{"status": "archived"}, "status_invalid", ""},
			{"mode unknown", map[string]string{"mode": "upsert"}, "mode_invalid", ""},
			{"client_brand_id text", map[string]string{"client_brand_id": "x"}, generic, "client_brand_id"},
		}
		for _, mode := range []string{"create", "update"} {
			for _, c := range cases {
				p := vmuCreds(cust, "mode", mode, "friendly_name", "Valid Name", "multi_tenancy_mode", "disabled", "status", "enabled")
				if mode == "update" {
					p.Set("client_subaccount_id", sid)
				}
				for k, v := range c.set {
					if v == "-" {
						p.Del(k)
					} else {
						p.Set(k, v)
					}
				}
				vmu(t, n, "json", "update_subaccount", p).wantDetail(t, mode+": "+c.name, c.code, c.detail)
			}
		}
		vmuSameSub(t, "after refused updates", vmuGetNativeSub(t, n, cust.Token, sid), before)
		if got := countSubs(); got != nSubs {
			t.Errorf("refused creates left %d subaccounts, want %d", got, nSubs)
		}

		// update needs a subaccount of the caller's; another tenant's is
		// answered exactly like one that does not exist, and is untouched.
		p := vmuCreds(cust, "friendly_name", "Taken Over", "multi_tenancy_mode", "disabled", "status", "enabled")
		vmu(t, n, "json", "update_subaccount", p).wantDetail(t, "update without id", required, "client_subaccount_id")
		p.Set("client_subaccount_id", "abc")
		vmu(t, n, "json", "update_subaccount", p).wantDetail(t, "update with text id", generic, "client_subaccount_id")
		p.Set("client_subaccount_id", "999999999")
		unknown := vmu(t, n, "json", "update_subaccount", p)
		unknown.wantDetail(t, "update unknown id", generic, "client_subaccount_id")
		p.Set("client_subaccount_id", foreignID)
		foreign := vmu(t, n, "json", "update_subaccount", p)
		if !bytes.Equal(foreign.Raw, unknown.Raw) {
			t.Errorf("another tenant's subaccount answers\n%s\nunlike an unknown one\n%s", foreign.Raw, unknown.Raw)
		}
		if got := vmuGetSub(t, n, stranger, foreignID)["friendly_name"]; got != "Hidden" {
			t.Errorf("another tenant's subaccount was renamed to %q", got)
		}

		// Vice versa: a subaccount made through the native API reads the
		// same through voicemeup.
		nid := n.MustCreate(t, "/api/subaccounts", cust.Token, map[string]any{
			"custom_id": "N-1", "friendly_name": "Native Made", "call_limit": 12, "allow_international_call": true,
			"international_call_limit": 3, "require_international_nip": true, "international_nip": []string{"7654321"},
			"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": id.EncodeNative(vmuInt(t, baseID)),
			"organization": "Org", "organization_type": "business", "client_profile": "internal",
			"voice_language": "fr", "notification_language": "fr", "callerid_name": "Native",
			"callerid_number": "6135550100", "client_moh_profile_id": "m", "default_provisioned_endpoint_id": "d",
			"options": []string{"enable_billing_module"}, "status": "enabled", "comments": "made natively",
		})
		nsid := strconv.FormatInt(vmuNativeID(t, nid), 10)
		vmuSameSub(t, "native-made through voicemeup", vmuGetSub(t, n, cust, nsid), vmuGetNativeSub(t, n, cust.Token, nsid))
		if got := vmuGetSub(t, n, cust, nsid); got["multi_tenancy_subaccount_id"] != baseID || got["allow_international_call"] != "yes" || got["call_limit"] != "12" {
			t.Errorf("native-made subaccount reads %v", got)
		}
	})
}

// ---------------------------------------------------------------------------
// 5. get_subaccounts.

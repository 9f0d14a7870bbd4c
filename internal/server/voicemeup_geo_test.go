package server_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

func TestVoicemeupCountriesAndStates(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")

		countries := func(lang string) map[string]map[string]string {
			p := vmuCreds(cust)
			if lang != "" {
				p.Set("language", lang)
			}
			a := vmu(t, n, "json", "get_countries", p).ok(t, "get_countries "+lang)
			out := map[string]map[string]string{}
			for _, e := range vmuArr(t, vmuObj(t, a.Content, "countries"), "country") {
				f := vmuFlat(e.(map[string]any))
				if _, dup := out[f["country_id"]]; dup {
					t.Errorf("country_id %s twice", f["country_id"])
				}
				out[f["country_id"]] = f
			}
			return out
		}
		en := countries("")
		if len(en) < 200 {
			t.Errorf("only %d countries", len(en))
		}
		for cid, want := range map[string][2]string{"38": {"Canada", "CA"}, "223": {"United States", "US"}, "73": {"France", "FR"}} {
			if c := en[cid]; c["country_name"] != want[0] || c["country_code"] != want[1] {
				t.Errorf("country %s = %v, want %v", cid, c, want)
			}
		}
		if en["38"]["dialing_code"] != "1" {
			t.Errorf("Canada dialing code %q", en["38"]["dialing_code"])
		}
		fr := countries("fr")
		if fr["223"]["country_name"] != "États-Unis" || fr["81"]["country_name"] != "Allemagne" || fr["38"]["country_name"] != "Canada" {
			t.Errorf("French names: 223=%q 81=%q", fr["223"]["country_name"], fr["81"]["country_name"])
		}
		if len(fr) != len(en) {
			t.Errorf("%d countries in French, %d in English", len(fr), len(en))
		}
		x := vmu(t, n, "xml", "get_countries", vmuCreds(cust)).ok(t, "xml countries")
		xc := x.XML.child("response_content").child("countries").all("country")
		if len(xc) != len(en) {
			t.Errorf("XML lists %d countries, JSON %d", len(xc), len(en))
		}
		found := false
		for _, c := range xc {
			if c.Attrs["country_id"] == "38" && c.text("country_name") == "Canada" {
				found = true
			}
		}
		if !found {
			t.Errorf("XML countries lack 38 Canada")
		}

		states := func(cid, lang string) map[string]map[string]string {
			p := vmuCreds(cust, "country_id", cid)
			if lang != "" {
				p.Set("language", lang)
			}
			a := vmu(t, n, "json", "get_states", p).ok(t, "get_states "+cid)
			out := map[string]map[string]string{}
			for _, e := range vmuArr(t, vmuObj(t, a.Content, "states"), "state") {
				f := vmuFlat(e.(map[string]any))
				out[f["state_code"]] = f
				if f["country_id"] != cid {
					t.Errorf("state %v listed for country %s", f, cid)
				}
			}
			return out
		}
		caStates := states("38", "")
		var codes []string
		for c := range caStates {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		if want := []string{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}; !slices.Equal(codes, want) {
			t.Errorf("Canadian states %v, want %v", codes, want)
		}
		if caStates["QC"]["state_id"] != "76" || caStates["QC"]["state_name"] != "Quebec" && caStates["QC"]["state_name"] != "Québec" {
			t.Errorf("Quebec %v", caStates["QC"])
		}
		if frStates := states("38", "fr"); frStates["BC"]["state_name"] != "Colombie-Britannique" || frStates["QC"]["state_name"] != "Québec" {
			t.Errorf("French provinces %v %v", frStates["BC"], frStates["QC"])
		}
		us := states("223", "")
		if len(us) < 51 || us["NY"]["state_id"] != "43" {
			t.Errorf("%d US states, NY=%v", len(us), us["NY"])
		}
		if fr := states("73", ""); len(fr) != 0 {
			t.Errorf("France has states %v", fr)
		}
		xs := vmu(t, n, "xml", "get_states", vmuCreds(cust, "country_id", "38")).ok(t, "xml states")
		if l := xs.XML.child("response_content").child("states").all("state"); len(l) != 13 {
			t.Errorf("XML lists %d provinces", len(l))
		}

		vmu(t, n, "json", "get_states", vmuCreds(cust)).wantCodes(t, "no country", "country_id_required")
		vmu(t, n, "xml", "get_states", vmuCreds(cust, "country_id", "")).wantCodes(t, "blank country", "country_id_required")
		vmu(t, n, "json", "get_states", vmuCreds(cust, "country_id", "9999")).wantCodes(t, "unknown country", "country_id_invalid")
		vmu(t, n, "json", "get_states", vmuCreds(cust, "country_id", "CA")).wantCodes(t, "country code", "country_id_invalid")
		for _, rt := range []string{"get_states", "get_countries", "get_account_details"} {
			vmu(t, n, "json", rt, vmuCreds(cust, "country_id", "38", "language", "de")).wantCodes(t, rt+" language=de", "language_invalid")
		}
		vmu(t, n, "xml", "get_countries", vmuCreds(cust, "language", "EN-us")).wantCodes(t, "language=EN-us", "language_invalid")
		a := vmu(t, n, "json", "get_states", vmuCreds(cust, "language", "fr"))
		a.wantCodes(t, "French error", "country_id_required")
		if len(a.Texts) == 1 && a.Texts[0] != "L'identifiant du pays est requis." {
			t.Errorf("French error text %q", a.Texts[0])
		}
		vmu(t, n, "json", "get_countries", vmuCreds(cust, "currency", "dollars")).wantCodes(t, "bad currency", "currency_invalid")
		vmu(t, n, "json", "get_countries", vmuCreds(cust, "currency", "EUR")).ok(t, "currency EUR")
	})
}

// ---------------------------------------------------------------------------
// 9. XML stays well-formed whatever the stored text holds.

func TestVoicemeupXMLWellFormed(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		nasty := `a < b && c > d "q" 'a' ]]> <!-- x --> <![CDATA[y]]> &amp; é`
		a := vmu(t, n, "xml", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "O'Brien-Smith",
			"multi_tenancy_mode", "disabled", "status", "enabled", "organization", "R&D <Labs>",
			"comments", nasty, "custom_id", `x"y'z<&>`)).ok(t, "create with markup")
		sub := a.XML.child("response_content").child("subaccount")
		if sub.text("comments") != nasty || sub.text("organization") != "R&D <Labs>" ||
			sub.text("custom_id") != `x"y'z<&>` || sub.text("friendly_name") != "O'Brien-Smith" {
			t.Errorf("markup did not round-trip: %s", a.Raw)
		}
		sid := sub.Attrs["client_subaccount_id"]
		// Characters XML cannot carry are replaced, never emitted raw.
		ctl := "bell\x07 esc\x1b end"
		b := vmu(t, n, "xml", "update_subaccount", vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Control",
			"multi_tenancy_mode", "disabled", "status", "enabled", "comments", ctl)).ok(t, "control characters")
		if strings.ContainsAny(b.XML.child("response_content").child("subaccount").text("comments"), "\x07\x1b") {
			t.Errorf("control characters in XML: %q", b.Raw)
		}
		// What is not text (a NUL, invalid UTF-8) is a bad argument on
		// every store, not a database error on PostgreSQL, and changes
		// nothing.
		for _, bad := range []string{"nul\x00 end", "latin1 caf\xe9", "\xff"} {
			for _, format := range []string{"xml", "json"} {
				vmu(t, n, format, "update_subaccount", vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Changed",
					"multi_tenancy_mode", "disabled", "status", "enabled", "comments", bad)).
					wantDetail(t, fmt.Sprintf("comments %q", bad), "internal_error-invalid_argument", "comments")
			}
			vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "Sales",
				"multi_tenancy_mode", "disabled", "status", "enabled", "organization", bad)).
				wantDetail(t, fmt.Sprintf("organization %q", bad), "internal_error-invalid_argument", "organization")
		}
		if got := vmuGetSub(t, n, cust, sid); got["friendly_name"] != "Control" {
			t.Errorf("a refused update applied: %v", got)
		}
		if l := vmuArr(t, vmuObj(t, vmu(t, n, "json", "get_subaccounts", vmuCreds(cust)).ok(t, "list").Content, "subaccounts"), "subaccount"); len(l) != 1 {
			t.Errorf("refused creates stored subaccounts: %d", len(l))
		}
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_subaccounts"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}}.Encode(), "xml").ok(t, "v1.0 list")
		// Error answers are documents with a <response> root as well, with
		// the request's language.
		for _, p := range []url.Values{
			{"auth_token": {cust.Token}},
			vmuCreds(cust, "mode", "create"),
			vmuCreds(cust, "country_id", "x", "language", "fr"),
		} {
			e := vmu(t, n, "xml", "get_states", p)
			if e.Status != "error" {
				t.Errorf("%v: %s", p, e.Raw)
			}
		}
		e := vmu(t, n, "xml", "update_subaccount", vmuCreds(cust, "mode", "create", "language", "fr"))
		e.wantCodes(t, "french error", "friendly_name_required")
		if len(e.Texts) == 1 && e.Texts[0] != "Le nom descriptif est requis." {
			t.Errorf("French text %q", e.Texts[0])
		}
		vmuGet(t, n, "/xml_engine/xml_engine.php", "xml").wantCodes(t, "v1.0 bare", "request_type_required")
		vmuGet(t, n, "/api/v1.1/xml/get_account_details", "xml").
			wantCodes(t, "v1.1 bare", "auth_username_required", "authentication_token_required")
	})
}

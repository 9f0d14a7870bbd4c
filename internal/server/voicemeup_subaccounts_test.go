package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
)

func TestVoicemeupGetSubaccounts(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		stranger := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")
		mk := func(tn servertest.Tenant, name, status string) string {
			a := vmu(t, n, "json", "update_subaccount", vmuCreds(tn, "mode", "create", "friendly_name", name,
				"multi_tenancy_mode", "disabled", "status", status)).ok(t, "create "+name)
			return vmuFlat(vmuObj(t, a.Content, "subaccount"))["client_subaccount_id"]
		}
		enabled, disabled, deleted := mk(cust, "Alpha", "enabled"), mk(cust, "Bravo", "disabled"), mk(cust, "Charlie", "deleted")
		hidden := mk(stranger, "Secret Stranger", "enabled")
		names := map[string]string{enabled: "Alpha", disabled: "Bravo", deleted: "Charlie"}

		list := func(what string, params ...string) ([]string, []map[string]any) {
			t.Helper()
			a := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, params...)).ok(t, what)
			var ids []string
			var subs []map[string]any
			for _, e := range vmuArr(t, vmuObj(t, a.Content, "subaccounts"), "subaccount") {
				m := e.(map[string]any)
				f := vmuFlat(m)
				ids = append(ids, f["client_subaccount_id"])
				if want, ok := names[f["client_subaccount_id"]]; !ok || f["friendly_name"] != want {
					t.Errorf("%s: unexpected subaccount %v", what, f)
				}
				subs = append(subs, m)
			}
			slices.Sort(ids)
			return ids, subs
		}
		sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
		check := func(what string, want []string, params ...string) {
			t.Helper()
			if got, _ := list(what, params...); !slices.Equal(got, sorted(want...)) {
				t.Errorf("%s: %v, want %v", what, got, sorted(want...))
			}
		}
		check("all", []string{enabled, disabled, deleted})
		check("by id", []string{disabled}, "client_subaccount_id", disabled)
		check("enabled", []string{enabled}, "status", "enabled")
		check("disabled,deleted", []string{disabled, deleted}, "status", "disabled,deleted")
		check("status[] twice", []string{enabled, deleted}, "status[]", "enabled", "status[]", "deleted")
		check("with a brand", []string{enabled, disabled, deleted}, "client_brand_id", "3")
		vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "status", "enabled,archived")).wantCodes(t, "bad status", "status_invalid")
		vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "get_associations", "maybe")).
			wantDetail(t, "bad get_associations", "internal_error-invalid_argument", "get_associations")

		// Associations only when asked, as four lists (arrays even empty).
		_, plain := list("without associations")
		for _, s := range plain {
			if _, ok := s["associations"]; ok {
				t.Errorf("associations without get_associations=1: %v", s)
			}
		}
		_, with := list("with associations", "get_associations", "1")
		if len(with) != 3 {
			t.Fatalf("with associations: %d subaccounts", len(with))
		}
		for _, s := range with {
			as := vmuObj(t, s, "associations")
			for key, item := range map[string]string{"peers": "client_peer_id", "dids": "client_did_id",
				"extensions": "client_extension_id", "mailboxes": "client_mailbox_id"} {
				vmuArr(t, vmuObj(t, as, key), item)
			}
		}
		_, none := list("get_associations=0", "get_associations", "0")
		if _, ok := none[0]["associations"]; ok {
			t.Errorf("associations with get_associations=0")
		}
		x := vmu(t, n, "xml", "get_subaccounts", vmuCreds(cust, "get_associations", "1")).ok(t, "xml with associations")
		xs := x.XML.child("response_content").child("subaccounts").all("subaccount")
		if len(xs) != 3 {
			t.Fatalf("XML lists %d subaccounts: %s", len(xs), x.Raw)
		}
		for _, s := range xs {
			as := s.child("associations")
			if as == nil || as.child("peers") == nil || as.child("dids") == nil || as.child("extensions") == nil || as.child("mailboxes") == nil {
				t.Errorf("XML subaccount without the four association lists: %s", x.Raw)
			}
		}

		// Another tenant's subaccount: an error exactly like an unknown id,
		// telling nothing about it.
		unknown := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", "999999999"))
		unknown.wantDetail(t, "unknown id", "internal_error-invalid_argument", "client_subaccount_id")
		foreign := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", hidden))
		if !bytes.Equal(foreign.Raw, unknown.Raw) {
			t.Errorf("another tenant's id answers\n%s\nunlike an unknown id\n%s", foreign.Raw, unknown.Raw)
		}
		if bytes.Contains(foreign.Raw, []byte("Secret")) {
			t.Errorf("leak: %s", foreign.Raw)
		}
		vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", "abc")).
			wantDetail(t, "text id", "internal_error-invalid_argument", "client_subaccount_id")
		// And the stranger sees only its own.
		s := vmu(t, n, "json", "get_subaccounts", vmuCreds(stranger)).ok(t, "stranger list")
		sl := vmuArr(t, vmuObj(t, s.Content, "subaccounts"), "subaccount")
		if len(sl) != 1 || vmuFlat(sl[0].(map[string]any))["client_subaccount_id"] != hidden {
			t.Errorf("stranger lists %v", sl)
		}
		// A tenant without subaccounts gets an empty list, still an array.
		empty := n.MustTenant(t, n.AdminToken, "", "Empty", "customer")
		e := vmu(t, n, "json", "get_subaccounts", vmuCreds(empty)).ok(t, "empty list")
		if l := vmuArr(t, vmuObj(t, e.Content, "subaccounts"), "subaccount"); len(l) != 0 {
			t.Errorf("empty tenant lists %v", l)
		}
	})
}

// ---------------------------------------------------------------------------
// 6. update_subaccount_address.

func TestVoicemeupSubaccountAddress(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		stranger := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")
		mk := func(tn servertest.Tenant, name string) string {
			a := vmu(t, n, "json", "update_subaccount", vmuCreds(tn, "mode", "create", "friendly_name", name,
				"multi_tenancy_mode", "disabled", "status", "enabled")).ok(t, "create "+name)
			return vmuFlat(vmuObj(t, a.Content, "subaccount"))["client_subaccount_id"]
		}
		subCA, subUS, subFR, subBad := mk(cust, "Canada"), mk(cust, "States"), mk(cust, "France"), mk(cust, "Errors")
		foreignSub := mk(stranger, "Foreign")
		addrParams := func(tn servertest.Tenant, sid string, kv ...string) url.Values {
			p := vmuCreds(tn, "mode", "create", "client_subaccount_id", sid, "civic_number", "1234", "street", "Rue Saint-Denis",
				"unit_number", "5", "city", "Montréal", "country_id", "38", "state_id", "QC", "postal_code", "H2X 1Y4")
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "-" {
					p.Del(kv[i])
				} else {
					p.Set(kv[i], kv[i+1])
				}
			}
			return p
		}
		addr := func(a vmuAnswer) map[string]string {
			m := vmuObj(t, a.Content, "address")
			f := vmuFlat(m)
			return f
		}
		nativeAddrs := func(sid string) []map[string]any {
			r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, sid))+"/addresses", cust.Token, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("native addresses: %d %s", r.Status, r.Body)
			}
			var l struct{ Items []map[string]any }
			r.JSON(t, &l)
			return l.Items
		}

		// Canada with a state code.
		ca := addr(vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subCA, "box_number", "PO 7", "precision", "rooftop")).ok(t, "create CA"))
		wantCA := map[string]string{"client_subaccount_id": subCA, "type": "billing", "box_number": "PO 7", "civic_number": "1234",
			"street": "Rue Saint-Denis", "unit_number": "5", "city": "Montréal", "country_id": "38", "state_id": "76",
			"state_other": "", "postal_code": "H2X 1Y4", "precision": "rooftop"}
		for k, v := range wantCA {
			if ca[k] != v {
				t.Errorf("CA address %s = %q, want %q", k, ca[k], v)
			}
		}
		caID := ca["client_address_id"]
		if caID == "" {
			t.Fatalf("no client_address_id: %v", ca)
		}
		na := nativeAddrs(subCA)
		if len(na) != 1 || vmuNativeID(t, na[0]["id"].(string)) != vmuInt(t, caID) || na[0]["state_id"] != float64(76) || na[0]["street"] != "Rue Saint-Denis" {
			t.Errorf("native sees %v", na)
		}
		// One billing address per subaccount.
		vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subCA)).wantCodes(t, "second billing address", "duplicate_entry")
		vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subCA, "type", "billing")).wantCodes(t, "second billing address, explicit type", "duplicate_entry")
		if got := len(nativeAddrs(subCA)); got != 1 {
			t.Errorf("%d addresses after a refused duplicate", got)
		}

		// United States with a numeric state_id and ZIP+4.
		us := addr(vmu(t, n, "xml", "update_subaccount_address", addrParams(cust, subUS, "country_id", "223", "state_id", "43",
			"postal_code", "10001-1234", "city", "New York", "street", "5th Avenue")).ok(t, "create US").xmlAddr(t))
		if us["state_id"] != "43" || us["country_id"] != "223" || us["postal_code"] != "10001-1234" {
			t.Errorf("US address %v", us)
		}
		// Elsewhere: state_other, no state_id.
		fr := addr(vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subFR, "country_id", "73", "state_id", "-",
			"state_other", "Ile-de-France", "postal_code", "75001", "city", "Paris")).ok(t, "create FR"))
		if fr["state_id"] != "0" || fr["state_other"] != "Ile-de-France" || fr["country_id"] != "73" {
			t.Errorf("FR address %v", fr)
		}

		const generic, required = "internal_error-invalid_argument", "required_parameter_not_found"
		cases := []struct {
			name         string
			kv           []string
			code, detail string
		}{
			{"Canada without state", []string{"state_id", "-"}, "state_id_invalid", ""},
			{"Canada with a US code", []string{"state_id", "NY"}, "state_id_invalid", ""},
			{"Canada with a US id", []string{"state_id", "43"}, "state_id_invalid", ""},
			{"Canada with an unknown code", []string{"state_id", "ZZ"}, "state_id_invalid", ""},
			{"US with a Canadian code", []string{"country_id", "223", "state_id", "QC", "postal_code", "10001"}, "state_id_invalid", ""},
			{"US without state", []string{"country_id", "223", "state_id", "-", "state_other", "New York", "postal_code", "10001"}, "state_id_invalid", ""},
			{"France without state_other", []string{"country_id", "73", "state_id", "-", "postal_code", "75001"}, required, "state_other"},
			{"France with a bad state_other", []string{"country_id", "73", "state_id", "-", "state_other", "%%%", "postal_code", "75001"}, generic, "state_other"},
			{"Canadian postal code in the US form", []string{"postal_code", "12345"}, generic, "postal_code"},
			{"Canadian postal code with D", []string{"postal_code", "D2X 1Y4"}, generic, "postal_code"},
			{"US ZIP in the Canadian form", []string{"country_id", "223", "state_id", "NY", "postal_code", "H2X 1Y4"}, generic, "postal_code"},
			{"US ZIP too short", []string{"country_id", "223", "state_id", "NY", "postal_code", "1234"}, generic, "postal_code"},
			{"postal code missing", []string{"postal_code", "-"}, required, "postal_code"},
			{"country unknown", []string{"country_id", "9999"}, "country_id_invalid", ""},
			{"country text", []string{"country_id", "Canada"}, "country_id_invalid", ""},
			{"country missing", []string{"country_id", "-"}, "country_id_required", ""},
			{"civic_number missing", []string{"civic_number", "-"}, required, "civic_number"},
			{"civic_number text", []string{"civic_number", "12a"}, generic, "civic_number"},
			{"civic_number zero", []string{"civic_number", "0"}, generic, "civic_number"},
			{"street missing", []string{"street", "-"}, required, "street"},
			{"street not alphanumeric", []string{"street", "%%%"}, generic, "street"},
			{"unit_number missing", []string{"unit_number", "-"}, required, "unit_number"},
			{"unit_number text", []string{"unit_number", "B"}, generic, "unit_number"},
			{"city missing", []string{"city", "-"}, required, "city"},
			{"city not alphanumeric", []string{"city", "***"}, generic, "city"},
			{"type shipping", []string{"type", "shipping"}, "type_invalid", "Type is invalid."},
			{"mode unknown", []string{"mode", "insert"}, "mode_invalid", ""},
			{"subaccount missing", []string{"client_subaccount_id", "-"}, required, "client_subaccount_id"},
			{"subaccount text", []string{"client_subaccount_id", "abc"}, generic, "client_subaccount_id"},
		}
		for _, c := range cases {
			vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subBad, c.kv...)).wantDetail(t, c.name, c.code, c.detail)
		}
		if got := nativeAddrs(subBad); len(got) != 0 {
			t.Errorf("refused creates stored %v", got)
		}
		// Another tenant's subaccount is answered like an unknown one.
		unknown := vmu(t, n, "json", "update_subaccount_address", addrParams(cust, "999999999"))
		unknown.wantDetail(t, "unknown subaccount", generic, "client_subaccount_id")
		foreign := vmu(t, n, "json", "update_subaccount_address", addrParams(cust, foreignSub))
		if !bytes.Equal(foreign.Raw, unknown.Raw) {
			t.Errorf("another tenant's subaccount answers\n%s\nunlike an unknown one\n%s", foreign.Raw, unknown.Raw)
		}

		// Update: a state code resolves in the address's own country when
		// country_id is left out.
		up := func(kv ...string) vmuAnswer {
			p := vmuCreds(cust, "mode", "update", "client_subaccount_id", subCA, "client_address_id", caID)
			for i := 0; i+1 < len(kv); i += 2 {
				p.Set(kv[i], kv[i+1])
			}
			return vmu(t, n, "json", "update_subaccount_address", p)
		}
		got := addr(up("street", "Yonge Street", "state_id", "ON", "city", "Toronto", "postal_code", "M5B 2H1").ok(t, "update to Ontario"))
		if got["state_id"] != "74" || got["street"] != "Yonge Street" || got["civic_number"] != "1234" || got["client_address_id"] != caID {
			t.Errorf("after update %v", got)
		}
		up("postal_code", "90210").wantDetail(t, "US ZIP in Canada", generic, "postal_code")
		up("country_id", "223", "state_id", "QC").wantCodes(t, "moving to the US with a Canadian code", "state_id_invalid")
		got = addr(up("country_id", "223", "state_id", "CA", "postal_code", "90210").ok(t, "move to California"))
		if got["country_id"] != "223" || got["state_id"] == "0" || got["state_id"] == "74" {
			t.Errorf("after moving to California %v", got)
		}
		up("country_id", "81", "postal_code", "10115").wantDetail(t, "to Germany without state_other", required, "state_other")
		got = addr(up("country_id", "81", "postal_code", "10115", "state_other", "Berlin").ok(t, "move to Germany"))
		if got["state_id"] != "0" || got["state_other"] != "Berlin" {
			t.Errorf("after moving to Germany %v", got)
		}
		up("civic_number", "x").wantDetail(t, "update bad civic_number", generic, "civic_number")
		if a := nativeAddrs(subCA); len(a) != 1 || a[0]["state_other"] != "Berlin" || a[0]["civic_number"] != float64(1234) {
			t.Errorf("native after updates %v", a)
		}

		// The address must belong to the named subaccount, and to the caller.
		usAddr := us["client_address_id"]
		p := vmuCreds(cust, "mode", "update", "client_subaccount_id", subCA, "client_address_id", usAddr, "street", "Elsewhere")
		vmu(t, n, "json", "update_subaccount_address", p).wantDetail(t, "address of another subaccount", generic, "client_address_id")
		p = vmuCreds(cust, "mode", "update", "client_subaccount_id", subCA, "street", "Elsewhere")
		vmu(t, n, "json", "update_subaccount_address", p).wantDetail(t, "update without address id", required, "client_address_id")
		fa := addr(vmu(t, n, "json", "update_subaccount_address", addrParams(stranger, foreignSub)).ok(t, "stranger address"))
		p = vmuCreds(cust, "mode", "update", "client_subaccount_id", foreignSub, "client_address_id", fa["client_address_id"], "street", "Hijacked")
		foreignAddr := vmu(t, n, "json", "update_subaccount_address", p)
		p.Set("client_address_id", "999999999")
		unknownAddr := vmu(t, n, "json", "update_subaccount_address", p)
		unknownAddr.wantDetail(t, "unknown address", generic, "client_address_id")
		if !bytes.Equal(foreignAddr.Raw, unknownAddr.Raw) {
			t.Errorf("another tenant's address answers\n%s\nunlike an unknown one\n%s", foreignAddr.Raw, unknownAddr.Raw)
		}
		r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, foreignSub))+"/addresses", stranger.Token, nil)
		if r.Status != http.StatusOK || bytes.Contains(r.Body, []byte("Hijacked")) {
			t.Errorf("another tenant's address changed: %d %s", r.Status, r.Body)
		}
	})
}

// xmlAddr turns an XML update_subaccount_address answer into the JSON
// shape (response_content.address), so both formats share assertions.
func (a vmuAnswer) xmlAddr(t *testing.T) vmuAnswer {
	t.Helper()
	ad := a.XML.child("response_content").child("address")
	if ad == nil {
		t.Fatalf("no <address> in %s", a.Raw)
	}
	m := map[string]any{"client_address_id": ad.Attrs["client_address_id"]}
	for _, k := range ad.Kids {
		m[k.Name] = k.Text
	}
	a.Content = map[string]any{"address": m}
	return a
}

// ---------------------------------------------------------------------------
// 7. Countries and states.

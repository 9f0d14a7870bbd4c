package server_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// fieldCase is one update_subaccount value: accepted (want is what the
// subaccount then shows, nil meaning the value sent) or refused with a
// VALIDATE_FAILED naming detail.
type fieldCase struct {
	field  string
	value  any
	want   any
	detail string // "" when accepted
}

func fieldOK(field string, value any) fieldCase { return fieldCase{field: field, value: value} }
func fieldOKAs(field string, value, want any) fieldCase {
	return fieldCase{field: field, value: value, want: want}
}
func fieldBad(field string, value any) fieldCase {
	return fieldCase{field: field, value: value, detail: field}
}

func subaccountFieldCases(other, foreign string) []fieldCase {
	digits := func(n int) string { return strings.Repeat("7", n) }
	return []fieldCase{
		fieldOK("friendly_name", "AB"), fieldOK("friendly_name", strings.Repeat("f", 32)), fieldOKAs("friendly_name", "  Sales team  ", "Sales team"),
		fieldBad("friendly_name", "A"), fieldBad("friendly_name", strings.Repeat("f", 33)), fieldBad("friendly_name", "Sales <b>"), fieldBad("friendly_name", 12),
		fieldOK("call_limit", 0), fieldOK("call_limit", 999), fieldBad("call_limit", -1), fieldBad("call_limit", 1000), fieldBad("call_limit", "5"), fieldBad("call_limit", 1.5),
		fieldOK("international_call_limit", 999), fieldBad("international_call_limit", 1000),
		fieldOK("allow_international_call", true), fieldOK("allow_international_call", false), fieldBad("allow_international_call", "yes"),
		fieldOK("international_nip", []any{digits(6), digits(8)}), fieldBad("international_nip", []any{digits(5)}),
		fieldBad("international_nip", []any{digits(9)}), fieldBad("international_nip", []any{"12a456"}),
		fieldBad("international_nip", []any{digits(6), digits(6), digits(6), digits(6), digits(6), digits(6), digits(6), digits(6), digits(6), digits(6), digits(6)}),
		fieldBad("international_nip", digits(6)),
		fieldOK("require_international_nip", true), fieldBad("international_nip", []any{}),
		fieldOK("require_international_nip", false), fieldOKAs("international_nip", []any{}, []any{}),
		fieldOK("custom_id", "CRM-42"), fieldBad("custom_id", strings.Repeat("c", 65)),
		fieldOK("multi_tenancy_mode", "global"), fieldOK("multi_tenancy_mode", "self"), fieldBad("multi_tenancy_mode", "bogus"),
		fieldCase{field: "multi_tenancy_mode", value: "shared", detail: "multi_tenancy_subaccount_id"},
		fieldCase{field: "multi_tenancy_subaccount_id", value: foreign, detail: "multi_tenancy_subaccount_id"},
		fieldCase{field: "multi_tenancy_subaccount_id", value: "garbage", detail: "multi_tenancy_subaccount_id"},
		fieldOK("organization", "Acme Inc."), fieldBad("organization", strings.Repeat("o", 129)),
		fieldOK("organization_type", "personal"), fieldOK("organization_type", "business"), fieldOK("organization_type", ""), fieldBad("organization_type", "corp"),
		fieldOK("client_profile", "residential_client"), fieldOK("client_profile", "commercial_client"), fieldOK("client_profile", "callcenter_client"),
		fieldOK("client_profile", "internal"), fieldOK("client_profile", "undefined"), fieldBad("client_profile", "vip"),
		fieldOK("voice_language", "fr"), fieldOK("voice_language", ""), fieldBad("voice_language", "de"),
		fieldOK("notification_language", "en"), fieldBad("notification_language", "es"),
		fieldOK("callerid_name", "Bob"), fieldOK("callerid_name", strings.Repeat("n", 15)), fieldOK("callerid_name", ""),
		fieldBad("callerid_name", "Al"), fieldBad("callerid_name", strings.Repeat("n", 16)), fieldBad("callerid_name", "Bob!"),
		fieldOK("callerid_number", "5145551234"), fieldOK("callerid_number", ""), fieldBad("callerid_number", "514555123"),
		fieldBad("callerid_number", "51455512345"), fieldBad("callerid_number", "514555123a"), fieldBad("callerid_number", 5145551234),
		fieldOK("options", []any{"disable_411_access", "enable_billing_module"}),
		fieldOK("options", []any{"subaccount_override_enabled", "enable_billing_module", "enable_billing_notification", "disable_411_access", "disable_public_service_access"}),
		fieldOK("options", []any{}), fieldBad("options", []any{"bogus"}), fieldBad("options", []any{"disable_411_access", "disable_411_access"}),
		fieldOK("status", "disabled"), fieldOK("status", "deleted"), fieldOK("status", "enabled"), fieldBad("status", "gone"),
		fieldOK("comments", "line one\nline two"), fieldBad("comments", strings.Repeat("c", 1025)),
		fieldOK("client_moh_profile_id", "moh-1"), fieldOK("default_provisioned_endpoint_id", "ep-1"),
		// Shared tenancy needs another subaccount of the same account.
		fieldCase{field: "multi_tenancy_subaccount_id", value: other, want: nil},
	}
}

func TestSubaccountFieldRules(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Field Rules", "reseller")
		foreign := n.MustTenant(t, n.AdminToken, "", "Foreign", "customer")
		sub := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody())
		other := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody("friendly_name", "Other office"))
		foreignSub := n.MustCreate(t, "/api/subaccounts", foreign.Token, subaccountBody())
		path := "/api/subaccounts/" + sub

		created := mustOK(t, n, http.MethodGet, path, ten.Token, nil)
		for k, want := range map[string]any{
			"international_call_limit": 1.0, "client_profile": "undefined", "options": []any{}, "international_nip": []any{},
			"call_limit": 0.0, "allow_international_call": false, "multi_tenancy_subaccount_id": nil, "account_id": ten.AccountID,
		} {
			if !jsonEqual(created[k], want) {
				t.Errorf("new subaccount %s = %v, want %v", k, created[k], want)
			}
		}
		for _, c := range subaccountFieldCases(other, foreignSub) {
			before := mustOK(t, n, http.MethodGet, path, ten.Token, nil)
			body := map[string]any{c.field: c.value}
			if c.field == "multi_tenancy_subaccount_id" {
				body["multi_tenancy_mode"] = "shared"
			}
			r := n.Do(t, http.MethodPost, path, ten.Token, body)
			what := "update " + c.field + "=" + shortJSON(c.value)
			if c.detail != "" {
				expectError(t, what, r, http.StatusBadRequest, "VALIDATE_FAILED", c.detail)
				if after := mustOK(t, n, http.MethodGet, path, ten.Token, nil); !maps.EqualFunc(before, after, jsonEqual) {
					t.Errorf("%s was refused but changed the subaccount to %v", what, after)
				}
				continue
			}
			if r.Status != http.StatusOK {
				t.Errorf("%s: %d %s, want 200", what, r.Status, r.Body)
				continue
			}
			after := r.Map(t)
			want := c.want
			if want == nil {
				want = c.value
			}
			if !jsonEqual(after[c.field], want) {
				t.Errorf("%s: field is %v, want %v", what, after[c.field], want)
			}
			for k, v := range before {
				if _, sent := body[k]; !sent && k != "updated_at" && !jsonEqual(after[k], v) {
					t.Errorf("%s also changed %s: %v -> %v", what, k, v, after[k])
				}
			}
		}
		got := mustOK(t, n, http.MethodGet, path, ten.Token, nil)
		if got["multi_tenancy_mode"] != "shared" || got["multi_tenancy_subaccount_id"] != other {
			t.Errorf("shared tenancy: %v / %v, want shared with %s", got["multi_tenancy_mode"], got["multi_tenancy_subaccount_id"], other)
		}
		expectError(t, "shared with itself", n.Do(t, http.MethodPost, path, ten.Token, map[string]any{"multi_tenancy_subaccount_id": sub}), 400, "VALIDATE_FAILED", "multi_tenancy_subaccount_id")
		if got := mustOK(t, n, http.MethodPost, path, ten.Token, map[string]any{"multi_tenancy_mode": "disabled"}); got["multi_tenancy_subaccount_id"] != nil {
			t.Errorf("leaving shared tenancy kept multi_tenancy_subaccount_id %v", got["multi_tenancy_subaccount_id"])
		}
	})
}

func TestSubaccountCreateRequiresFields(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Creator", "reseller")
		for _, field := range []string{"friendly_name", "multi_tenancy_mode", "status"} {
			r := n.Do(t, http.MethodPost, "/api/subaccounts", ten.Token, subaccountBody(field, nil))
			expectError(t, "create without "+field, r, http.StatusBadRequest, "VALIDATE_FAILED", field)
		}
		r := n.Do(t, http.MethodPost, "/api/subaccounts", ten.Token, subaccountBody("account_id", missingID))
		expectError(t, "create in an absent account", r, http.StatusBadRequest, "VALIDATE_FAILED", "account_id")
		child := n.MustCreate(t, "/api/accounts", ten.Token, map[string]any{"name": "Child"})
		sub := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody("account_id", child, "callerid_number", "4165550000"))
		got := mustOK(t, n, http.MethodGet, "/api/subaccounts/"+sub, ten.Token, nil)
		if got["account_id"] != child || got["callerid_number"] != "4165550000" {
			t.Errorf("subaccount created in a child account: %v", got)
		}
		expectError(t, "move to another account", n.Do(t, http.MethodPost, "/api/subaccounts/"+sub, ten.Token, map[string]any{"account_id": ten.AccountID}), 400, "VALIDATE_FAILED", "account_id")
		if l := mustList(t, n, "/api/subaccounts", ten.Token); l.Count != 1 {
			t.Errorf("refused creates left %d subaccounts, want 1", l.Count)
		}
		for _, c := range []struct{ method, suffix string }{{http.MethodPost, "/destroy"}, {http.MethodDelete, ""}} {
			s := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody())
			a := n.MustCreate(t, "/api/subaccounts/"+s+"/addresses", ten.Token, addressBody())
			mustNoContent(t, n, c.method, "/api/subaccounts/"+s+c.suffix, ten.Token)
			expectError(t, "subaccount after "+c.method, n.Do(t, http.MethodGet, "/api/subaccounts/"+s, ten.Token, nil), 404, "NOT_FOUND", "")
			expectError(t, "its address after "+c.method, n.Do(t, http.MethodGet, "/api/subaccount_addresses/"+a, ten.Token, nil), 404, "NOT_FOUND", "")
			expectError(t, c.method+" twice", n.Do(t, c.method, "/api/subaccounts/"+s+c.suffix, ten.Token, nil), 404, "NOT_FOUND", "")
		}
	})
}

func TestSubaccountAddresses(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Addresses", "reseller")
		sub := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody())
		coll := "/api/subaccounts/" + sub + "/addresses"
		for _, c := range []struct {
			name   string
			body   map[string]any
			detail string
		}{
			{"Canada needs state_id", addressBody("state_id", nil, "state_other", "Quebec"), "state_id"},
			{"a US state is not Canadian", addressBody("state_id", 43), "state_id"},
			{"US needs state_id", addressBody("country_id", 223, "state_id", nil, "postal_code", "10001"), "state_id"},
			{"US ZIP", addressBody("country_id", 223, "state_id", 43, "postal_code", "1000"), "postal_code"},
			{"Canadian postal code", addressBody("postal_code", "12345"), "postal_code"},
			{"UK postcode", addressBody("country_id", 222, "state_id", nil, "state_other", "London", "postal_code", "12345"), "postal_code"},
			{"France needs state_other", addressBody("country_id", 73, "state_id", nil, "postal_code", "75001"), "state_other"},
			{"unknown country", addressBody("country_id", 9999), "country_id"},
			{"civic number 0", addressBody("civic_number", 0), "civic_number"},
			{"civic number 1000000", addressBody("civic_number", 1000000), "civic_number"},
			{"street required", addressBody("street", nil), "street"},
			{"city required", addressBody("city", nil), "city"},
			{"only billing", addressBody("type", "shipping"), "type"},
		} {
			expectError(t, c.name, n.Do(t, http.MethodPost, coll, ten.Token, c.body), http.StatusBadRequest, "VALIDATE_FAILED", c.detail)
		}
		if l := mustList(t, n, coll, ten.Token); l.Count != 0 || len(l.Items) != 0 {
			t.Fatalf("refused addresses were stored: %+v", l)
		}
		// Accepted forms, each on its own subaccount (one billing address each).
		for _, c := range []struct {
			name string
			body map[string]any
			want map[string]any
		}{
			{"Canada", addressBody("state_other", "ignored"), map[string]any{"state_id": 76.0, "state_other": "", "type": "billing"}},
			{"US ZIP plus four", addressBody("country_id", 223, "state_id", 43, "postal_code", "10001-1234"), map[string]any{"state_id": 43.0}},
			{"UK", addressBody("country_id", 222, "state_id", nil, "state_other", "London", "postal_code", "SW1A 1AA"), map[string]any{"state_id": 0.0, "state_other": "London"}},
			{"France", addressBody("country_id", 73, "state_id", 76, "state_other", "Ile-de-France", "postal_code", "75001"), map[string]any{"state_id": 0.0, "country_id": 73.0}},
		} {
			s := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody("friendly_name", c.name+" office"))
			a := n.MustCreate(t, "/api/subaccounts/"+s+"/addresses", ten.Token, c.body)
			got := mustOK(t, n, http.MethodGet, "/api/subaccount_addresses/"+a, ten.Token, nil)
			for k, v := range c.want {
				if !jsonEqual(got[k], v) {
					t.Errorf("%s: %s = %v, want %v", c.name, k, got[k], v)
				}
			}
			if got["subaccount_id"] != s {
				t.Errorf("%s: subaccount_id %v, want %s", c.name, got["subaccount_id"], s)
			}
		}

		addr := n.MustCreate(t, coll, ten.Token, addressBody())
		expectError(t, "second billing address", n.Do(t, http.MethodPost, coll, ten.Token, addressBody()), http.StatusConflict, "CONFLICT", "")
		l := mustList(t, n, coll, ten.Token)
		if l.Count != 1 || l.Items[0]["id"] != addr {
			t.Errorf("addresses of the subaccount: %+v, want only %s", l, addr)
		}

		path := "/api/subaccount_addresses/" + addr
		before := mustOK(t, n, http.MethodGet, path, ten.Token, nil)
		after := mustOK(t, n, http.MethodPost, path, ten.Token, map[string]any{"city": "Laval"})
		for k, v := range before {
			want := v
			if k == "city" {
				want = "Laval"
			}
			if k != "updated_at" && !jsonEqual(after[k], want) {
				t.Errorf("update city: %s = %v, want %v", k, after[k], want)
			}
		}
		expectError(t, "move to France without state_other", n.Do(t, http.MethodPost, path, ten.Token, map[string]any{"country_id": 73, "postal_code": "75001"}), 400, "VALIDATE_FAILED", "state_other")
		moved := mustOK(t, n, http.MethodPost, path, ten.Token, map[string]any{"country_id": 73, "postal_code": "75001", "state_other": "Paris"})
		if moved["state_id"] != 0.0 || moved["state_other"] != "Paris" {
			t.Errorf("moved to France: state_id %v, state_other %v", moved["state_id"], moved["state_other"])
		}
		mustNoContent(t, n, http.MethodDelete, path, ten.Token)
		expectError(t, "address after DELETE", n.Do(t, http.MethodGet, path, ten.Token, nil), 404, "NOT_FOUND", "")
		again := n.MustCreate(t, coll, ten.Token, addressBody())
		mustNoContent(t, n, http.MethodPost, "/api/subaccount_addresses/"+again+"/destroy", ten.Token)
		if l := mustList(t, n, coll, ten.Token); l.Count != 0 {
			t.Errorf("after destroy the subaccount lists %d addresses", l.Count)
		}
	})
}

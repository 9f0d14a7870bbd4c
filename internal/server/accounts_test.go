package server_test

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

var accountNumberRe = regexp.MustCompile(`^[0-9]{8}$`)

func TestAccountTreeNestsResellers(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		top := n.MustTenant(t, n.AdminToken, "", "Top Reseller", "reseller")
		mustOK(t, n, http.MethodPost, "/api/accounts/"+top.AccountID, n.AdminToken, map[string]any{"language": "fr"})

		// Each level is created by the top reseller's token, naming the
		// parent: a credential acts on its whole subtree.
		parent, ids := top.AccountID, []string{top.AccountID}
		for depth, typ := range []string{"reseller", "reseller", "reseller", "customer"} {
			acc := n.MustCreate(t, "/api/accounts", top.Token, map[string]any{
				"name": "Level " + string(rune('A'+depth)), "type": typ, "parent_id": parent, "currency": "EUR",
			})
			got := mustOK(t, n, http.MethodGet, "/api/accounts/"+acc, top.Token, nil)
			if got["parent_id"] != parent || got["depth"] != float64(depth+2) || got["type"] != typ {
				t.Errorf("level %d: %v, want parent %s, depth %d, type %s", depth+2, got, parent, depth+2, typ)
			}
			if got["language"] != "fr" || got["currency"] != "EUR" || got["billing_mode"] != "prepaid" || got["status"] != "active" {
				t.Errorf("level %d: %v, want language inherited (fr), currency EUR, prepaid, active", depth+2, got)
			}
			if !accountNumberRe.MatchString(got["number"].(string)) {
				t.Errorf("level %d: number %v, want 8 digits", depth+2, got["number"])
			}
			parent = acc
			ids = append(ids, acc)
		}
		l := mustList(t, n, "/api/accounts?orderby=depth", top.Token)
		if l.Count != 5 || !slices.Equal(itemIDs(l), ids) {
			t.Errorf("top reseller lists %v (count %d), want its subtree %v", itemIDs(l), l.Count, ids)
		}
		if l := mustList(t, n, "/api/accounts", n.AdminToken); l.Count != 6 {
			t.Errorf("operator lists %d accounts, want 6 (itself and the tree)", l.Count)
		}

		// A customer cannot own accounts, whether named as parent or
		// acting itself.
		customer := ids[len(ids)-1]
		r := n.Do(t, http.MethodPost, "/api/accounts", top.Token, map[string]any{"name": "Under customer", "parent_id": customer})
		expectError(t, "create under a customer", r, http.StatusBadRequest, "VALIDATE_FAILED", "parent_id")
		cust := n.MustTenant(t, top.Token, "", "Plain Customer", "customer")
		r = n.Do(t, http.MethodPost, "/api/accounts", cust.Token, map[string]any{"name": "Grandchild"})
		expectError(t, "customer creating an account", r, http.StatusBadRequest, "VALIDATE_FAILED", "parent_id")
		if l := mustList(t, n, "/api/accounts", cust.Token); l.Count != 1 {
			t.Errorf("customer sees %d accounts, want only its own", l.Count)
		}
	})
}

func TestAccountCreateValidation(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Validating Reseller", "reseller")
		for _, c := range []struct {
			name   string
			body   map[string]any
			detail string
		}{
			{"name is required", map[string]any{"type": "customer"}, "name"},
			{"empty name", map[string]any{"name": ""}, "name"},
			{"name of 129", map[string]any{"name": strings.Repeat("n", 129)}, "name"},
			{"unknown type", map[string]any{"name": "X", "type": "operator"}, "type"},
			{"unknown currency", map[string]any{"name": "X", "currency": "ZZZ"}, "currency"},
			{"credit limit on prepaid", map[string]any{"name": "X", "credit_limit": "10"}, "credit_limit"},
			{"negative credit limit", map[string]any{"name": "X", "billing_mode": "postpaid", "credit_limit": "-1"}, "credit_limit"},
			{"unknown language", map[string]any{"name": "X", "language": "de"}, "language"},
			{"undecodable parent", map[string]any{"name": "X", "parent_id": "not-an-id"}, "parent_id"},
			{"absent parent", map[string]any{"name": "X", "parent_id": missingID}, "parent_id"},
		} {
			r := n.Do(t, http.MethodPost, "/api/accounts", res.Token, c.body)
			expectError(t, c.name, r, http.StatusBadRequest, "VALIDATE_FAILED", c.detail)
		}
		if l := mustList(t, n, "/api/accounts", res.Token); l.Count != 1 {
			t.Errorf("after refused creates the reseller sees %d accounts, want 1", l.Count)
		}
		acc := n.MustCreate(t, "/api/accounts", res.Token, map[string]any{"name": "Postpaid Co", "billing_mode": "postpaid", "credit_limit": "100.5"})
		got := mustOK(t, n, http.MethodGet, "/api/accounts/"+acc, res.Token, nil)
		if got["credit_limit"] != "100.50000" || got["type"] != "customer" || got["currency"] != "USD" {
			t.Errorf("postpaid account %v, want credit_limit 100.50000, default type customer, currency of the parent", got)
		}
	})
}

func TestAccountUpdateChangesOnlyGivenFields(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Updating Reseller", "reseller")
		acc := n.MustCreate(t, "/api/accounts", res.Token, map[string]any{
			"name": "Before", "type": "reseller", "language": "fr", "billing_mode": "postpaid",
			"credit_limit": "25", "preferences": map[string]any{"theme": "dark"},
		})
		path := "/api/accounts/" + acc
		for _, c := range []struct {
			field string
			value any
		}{
			{"name", "After"}, {"language", "en"}, {"credit_limit", "30.00000"}, {"status", "suspended"},
			{"billing_mode", "prepaid"}, {"preferences", map[string]any{"theme": "light", "n": 2.0}}, {"type", "customer"},
		} {
			before := mustOK(t, n, http.MethodGet, path, res.Token, nil)
			body := map[string]any{c.field: c.value}
			if c.field == "billing_mode" {
				body["credit_limit"] = "0"
			}
			after := mustOK(t, n, http.MethodPost, path, res.Token, body)
			if !jsonEqual(after[c.field], c.value) {
				t.Errorf("update %s: got %v, want %v", c.field, after[c.field], c.value)
			}
			for k, v := range before {
				if _, changed := body[k]; changed || k == "updated_at" {
					continue
				}
				if !jsonEqual(after[k], v) {
					t.Errorf("update %s also changed %s: %v -> %v", c.field, k, v, after[k])
				}
			}
			if again := mustOK(t, n, http.MethodGet, path, res.Token, nil); !maps.EqualFunc(again, after, jsonEqual) {
				t.Errorf("update %s: GET answers %v, the update answered %v", c.field, again, after)
			}
		}
		for _, c := range []struct {
			name   string
			body   map[string]any
			status int
			code   string
			detail string
		}{
			{"currency is fixed", map[string]any{"currency": "EUR"}, 400, "VALIDATE_FAILED", "currency"},
			{"accounts do not move", map[string]any{"parent_id": n.MustCreate(t, "/api/accounts", res.Token, map[string]any{"name": "Other", "type": "reseller"})}, 400, "VALIDATE_FAILED", "parent_id"},
			{"bad status", map[string]any{"status": "gone"}, 400, "VALIDATE_FAILED", "status"},
			{"resellers only set api_limits through the operator", map[string]any{"api_limits": map[string]any{"native": 5}}, 403, "FORBIDDEN", ""},
		} {
			before := mustOK(t, n, http.MethodGet, path, res.Token, nil)
			expectError(t, c.name, n.Do(t, http.MethodPost, path, res.Token, c.body), c.status, c.code, c.detail)
			if after := mustOK(t, n, http.MethodGet, path, res.Token, nil); !maps.EqualFunc(before, after, jsonEqual) {
				t.Errorf("%s: refused update changed %v into %v", c.name, before, after)
			}
		}
		// Type, status and billing of one's own account belong to the parent.
		own := "/api/accounts/" + res.AccountID
		expectError(t, "own status", n.Do(t, http.MethodPost, own, res.Token, map[string]any{"status": "closed"}), 403, "FORBIDDEN", "")
		if got := mustOK(t, n, http.MethodPost, own, res.Token, map[string]any{"name": "Renamed Reseller"}); got["name"] != "Renamed Reseller" {
			t.Errorf("own rename answered %v", got)
		}
		// A reseller with children stays a reseller.
		mid := n.MustCreate(t, "/api/accounts", res.Token, map[string]any{"name": "Mid", "type": "reseller"})
		n.MustCreate(t, "/api/accounts", res.Token, map[string]any{"name": "Leaf", "parent_id": mid})
		expectError(t, "reseller with children to customer", n.Do(t, http.MethodPost, "/api/accounts/"+mid, res.Token, map[string]any{"type": "customer"}), 400, "VALIDATE_FAILED", "type")
	})
}

func TestAccountDestroy(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Destroying Reseller", "reseller")
		for _, c := range []struct{ name, method, suffix string }{
			{"POST destroy", http.MethodPost, "/destroy"},
			{"DELETE", http.MethodDelete, ""},
		} {
			acc := n.MustCreate(t, "/api/accounts", res.Token, map[string]any{"name": "Doomed " + c.method, "type": "reseller"})
			child := n.MustCreate(t, "/api/accounts", res.Token, map[string]any{"name": "Doomed child", "parent_id": acc})
			sub := n.MustCreate(t, "/api/subaccounts", res.Token, subaccountBody("account_id", child))
			n.MustCreate(t, "/api/subaccounts/"+sub+"/addresses", res.Token, addressBody())
			user := n.MustCreate(t, "/api/users", res.Token, map[string]any{"account_id": child, "username": "doomed-" + c.method + "-" + res.Number, "password": "doomed-password"})
			tok := mustOK(t, n, http.MethodPost, "/api/tokens", res.Token, map[string]any{"user_id": user})["token"].(string)

			r := n.Do(t, c.method, "/api/accounts/"+acc+c.suffix, res.Token, nil)
			expectError(t, c.name+" with a child", r, http.StatusConflict, "CONFLICT", "")
			mustOK(t, n, http.MethodGet, "/api/accounts/"+acc, res.Token, nil)

			mustNoContent(t, n, c.method, "/api/accounts/"+child+c.suffix, res.Token)
			for _, gone := range []string{"/api/accounts/" + child, "/api/subaccounts/" + sub, "/api/users/" + user} {
				expectError(t, "GET "+gone+" after "+c.name, n.Do(t, http.MethodGet, gone, res.Token, nil), 404, "NOT_FOUND", "")
			}
			expectError(t, "token of a destroyed account", n.Do(t, http.MethodGet, "/api/accounts", tok, nil), 401, "UNAUTHORIZED", "")
			mustNoContent(t, n, c.method, "/api/accounts/"+acc+c.suffix, res.Token)
			expectError(t, c.name+" twice", n.Do(t, c.method, "/api/accounts/"+acc+c.suffix, res.Token, nil), 404, "NOT_FOUND", "")
		}
		expectError(t, "destroy own account", n.Do(t, http.MethodDelete, "/api/accounts/"+res.AccountID, res.Token, nil), 403, "FORBIDDEN", "")
		if l := mustList(t, n, "/api/accounts", res.Token); l.Count != 1 {
			t.Errorf("after destroying everything below it the reseller sees %d accounts", l.Count)
		}
	})
}

func TestAPILimitsAreOperatorOnly(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Limited Reseller", "reseller")
		limits := map[string]any{"api_limits": map[string]any{"native": 50, "get_dids": 10}}
		r := n.Do(t, http.MethodPost, "/api/accounts", res.Token, bodyWith(limits, "name", "Child"))
		expectError(t, "reseller creating with api_limits", r, 403, "FORBIDDEN", "")
		child := n.MustCreate(t, "/api/accounts", res.Token, map[string]any{"name": "Child"})
		expectError(t, "reseller setting api_limits", n.Do(t, http.MethodPost, "/api/accounts/"+child, res.Token, limits), 403, "FORBIDDEN", "")
		expectError(t, "reseller setting its own api_limits", n.Do(t, http.MethodPost, "/api/accounts/"+res.AccountID, res.Token, limits), 403, "FORBIDDEN", "")

		got := mustOK(t, n, http.MethodPost, "/api/accounts/"+child, n.AdminToken, limits)
		if got["api_limits"].(map[string]any)["native"] != 50.0 {
			t.Errorf("operator set api_limits, account shows %v", got["api_limits"])
		}
		if got := mustOK(t, n, http.MethodGet, "/api/accounts/"+child, res.Token, nil); got["api_limits"].(map[string]any)["get_dids"] != 10.0 {
			t.Errorf("reseller reads api_limits %v", got["api_limits"])
		}
		r = n.Do(t, http.MethodPost, "/api/accounts/"+child, n.AdminToken, map[string]any{"api_limits": map[string]any{"native": -1}})
		expectError(t, "negative limit", r, 400, "VALIDATE_FAILED", "api_limits")
	})
}

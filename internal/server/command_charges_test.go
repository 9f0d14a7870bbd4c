package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestCommandCharges prices one command in each dialect and runs it as a
// customer under a reseller: every run debits both accounts at the
// operator's price with one command_charge row each, named in the
// X-Command-Charge header; a run that fails is refunded; a caller that
// cannot pay is refused in its dialect's shape before the command runs.
func TestCommandCharges(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		res := n.MustTenant(t, n.AdminToken, "", "Pricey Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Pricey Customer", "customer")
		for _, acc := range []string{res.AccountID, cust.AccountID} {
			if r := postTx(t, n, n.AdminToken, "", map[string]any{"account_id": acc, "activity": "Bank Transfer", "credit": "1"}); r.Status != http.StatusOK {
				t.Fatalf("fund: %d %s", r.Status, r.Body)
			}
		}
		price := func(dialect, cmd, amount string) string {
			t.Helper()
			return n.MustCreate(t, "/api/command_prices", n.AdminToken, map[string]any{"dialect": dialect, "command": cmd, "price": amount})
		}
		price("native", "GET /api/tariffs", "0.1")
		price("voicemeup", "get_funding_details", "0.2")
		price("carrier", "financial_summary", "0.05")
		balances := func() (string, string) {
			return getBalance(t, n, n.AdminToken, res.AccountID).Balance, getBalance(t, n, n.AdminToken, cust.AccountID).Balance
		}

		r := n.Do(t, http.MethodGet, "/api/tariffs", cust.Token, nil)
		ref := r.Header.Get("X-Command-Charge")
		if r.Status != http.StatusOK || !strings.HasPrefix(ref, "command:") {
			t.Fatalf("priced native route: %d header %q %s", r.Status, ref, r.Body)
		}
		if rb, cb := balances(); rb != "0.90000" || cb != "0.90000" {
			t.Fatalf("after one native run: reseller %s customer %s; want 0.90000 each", rb, cb)
		}
		tx := mustList(t, n, "/api/transactions?"+url.Values{"filter": {"activity eq 'command_charge'"}}.Encode(), n.AdminToken)
		if tx.Count != 2 {
			t.Fatalf("command_charge entries = %d; want 2 (customer and reseller)", tx.Count)
		}
		// An unpriced route costs nothing, and the operator pays nobody.
		n.Do(t, http.MethodGet, "/api/accounts", cust.Token, nil)
		n.Do(t, http.MethodGet, "/api/tariffs", n.AdminToken, nil)
		if rb, cb := balances(); rb != "0.90000" || cb != "0.90000" {
			t.Fatalf("unpriced runs moved money: %s %s", rb, cb)
		}

		vq := url.Values{"username": {cust.Username}, "auth_token": {cust.Token}}
		a := vmu(t, n, "json", "get_funding_details", vq)
		a.ok(t, "get_funding_details")
		if rb, cb := balances(); rb != "0.70000" || cb != "0.70000" {
			t.Fatalf("after a voicemeup run: %s %s", rb, cb)
		}
		cr := n.Form(t, "/carrier/financial_summary", url.Values{"token": {cust.Token}, "accountno": {cust.Number}})
		if cr.Status != http.StatusOK || cr.Header.Get("X-Command-Charge") == "" {
			t.Fatalf("carrier run: %d %s", cr.Status, cr.Body)
		}
		if rb, cb := balances(); rb != "0.65000" || cb != "0.65000" {
			t.Fatalf("after a carrier run: %s %s", rb, cb)
		}
		// A failing run is refunded: a bad activitytype fails after the
		// charge, and the money comes back.
		cr = n.Form(t, "/carrier/financial_summary", url.Values{"token": {cust.Token}, "accountno": {cust.Number}, "activitytype": {"Free Money"}})
		if cr.Status != http.StatusNotFound {
			t.Fatalf("failing run: %d %s", cr.Status, cr.Body)
		}
		if rb, cb := balances(); rb != "0.65000" || cb != "0.65000" {
			t.Fatalf("a failed run was kept: %s %s", rb, cb)
		}
		// A failing native run is refunded too.
		if r := n.Do(t, http.MethodGet, "/api/tariffs?filter=nonsense", cust.Token, nil); r.Status != http.StatusBadRequest {
			t.Fatalf("bad filter: %d %s", r.Status, r.Body)
		}
		if rb, cb := balances(); rb != "0.65000" || cb != "0.65000" {
			t.Fatalf("a failed native run was kept: %s %s", rb, cb)
		}

		// Drain the customer below the price: each dialect refuses in its
		// own shape and nothing moves.
		if r := postTx(t, n, res.Token, "", map[string]any{"account_id": cust.AccountID, "activity": "manual_debit", "debit": "0.61"}); r.Status != http.StatusOK {
			t.Fatalf("drain: %d %s", r.Status, r.Body)
		}
		r = n.Do(t, http.MethodGet, "/api/tariffs", cust.Token, nil)
		expectError(t, "native run without funds", r, http.StatusPaymentRequired, "PAYMENT_REQUIRED", "")
		vmu(t, n, "json", "get_funding_details", vq).wantCodes(t, "voicemeup run without funds", "payment_denied")
		cr = n.Form(t, "/carrier/financial_summary", url.Values{"token": {cust.Token}, "accountno": {cust.Number}})
		if cr.Status != http.StatusPaymentRequired || string(cr.Body) != `{"status":"402","error":"Insufficient balance"}` {
			t.Fatalf("carrier run without funds: %d %s", cr.Status, cr.Body)
		}
		if rb, cb := balances(); rb != "0.65000" || cb != "0.04000" {
			t.Fatalf("refused runs moved money: %s %s", rb, cb)
		}
		if m := n.Server.Ledger; m != nil {
			mis, err := m.Check(t.Context())
			if err != nil || len(mis) != 0 {
				t.Fatalf("ledger check: %v %v", mis, err)
			}
		}
	})
}

// TestCommandPrices covers the price list itself: operator admins set
// prices, for commands that exist only, once per command; everyone may
// read them.
func TestCommandPrices(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Curious Reseller", "reseller")
		id := n.MustCreate(t, "/api/command_prices", n.AdminToken, map[string]any{"dialect": "voicemeup", "command": "lookup_did", "price": "0.005", "description": "CNAM lookup"})
		r := n.Do(t, http.MethodPost, "/api/command_prices", n.AdminToken, map[string]any{"dialect": "voicemeup", "command": "lookup_did", "price": "1"})
		expectError(t, "second price for one command", r, http.StatusConflict, "CONFLICT", "command")
		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"dialect": "voicemeup", "command": "steal_money", "price": "1"}, "command"},
			{map[string]any{"dialect": "native", "command": "GET /api/nothing", "price": "1"}, "command"},
			{map[string]any{"dialect": "native", "command": "GET /healthz", "price": "1"}, "command"},
			{map[string]any{"dialect": "carrier", "command": "searchdid", "price": "-1"}, "price"},
			{map[string]any{"dialect": "carrier", "command": "searchdid", "price": "0.000001"}, "price"},
			{map[string]any{"dialect": "carrier", "command": "searchdid"}, "price"},
		} {
			r := n.Do(t, http.MethodPost, "/api/command_prices", n.AdminToken, bad.body)
			expectError(t, "bad price", r, http.StatusBadRequest, "VALIDATE_FAILED", bad.field)
		}
		if r := n.Do(t, http.MethodPost, "/api/command_prices", n.AdminToken, map[string]any{"dialect": "reseller", "command": "GET /voip/call-pack", "price": "0.01"}); r.Status != http.StatusOK {
			t.Fatalf("a reseller route: %d %s", r.Status, r.Body)
		}
		// A reseller reads the price list but cannot change it.
		if l := mustList(t, n, "/api/command_prices", res.Token); l.Count != 2 {
			t.Fatalf("reseller sees %d prices; want 2", l.Count)
		}
		r = n.Do(t, http.MethodPost, "/api/command_prices", res.Token, map[string]any{"dialect": "voicemeup", "command": "get_dids", "price": "0"})
		expectError(t, "reseller creates a price", r, http.StatusForbidden, "FORBIDDEN", "")
		r = n.Do(t, http.MethodPost, "/api/command_prices/"+id, res.Token, map[string]any{"price": "0"})
		expectError(t, "reseller changes a price", r, http.StatusForbidden, "FORBIDDEN", "")
		got := mustOK(t, n, http.MethodPost, "/api/command_prices/"+id, n.AdminToken, map[string]any{"price": "0.01"})
		if got["price"] != "0.01000" || got["description"] != "CNAM lookup" || got["command"] != "lookup_did" {
			t.Fatalf("update: %v", got)
		}
		mustNoContent(t, n, http.MethodDelete, "/api/command_prices/"+id, n.AdminToken)
		r = n.Do(t, http.MethodGet, "/api/command_prices/"+id, n.AdminToken, nil)
		expectError(t, "deleted price", r, http.StatusNotFound, "NOT_FOUND", "")
	})
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"switchboard/internal/catalog"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
)

// postKeyed posts body to path with an optional Idempotency-Key.
func postKeyed(t *testing.T, n *servertest.Node, path, token, key string, body any) servertest.Response {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	r, _ := http.NewRequest(http.MethodPost, n.URL+path, rd)
	r.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	return n.Send(t, r)
}

// credit gives account money from the admin above it.
func credit(t *testing.T, n *servertest.Node, adminToken, accountID, amount string) {
	t.Helper()
	mustOK(t, n, http.MethodPost, "/api/transactions", adminToken, map[string]any{"account_id": accountID, "activity": "manual_credit", "credit": amount})
}

func balanceOf(t *testing.T, n *servertest.Node, token, accountID string) string {
	t.Helper()
	return mustOK(t, n, http.MethodGet, "/api/accounts/"+accountID+"/balance", token, nil)["balance"].(string)
}

func countOf(t *testing.T, n *servertest.Node, token, path string) int {
	t.Helper()
	var l listBody
	r := n.Do(t, http.MethodGet, path, token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	r.JSON(t, &l)
	return l.Count
}

// TestCallPackConcurrentPurchases is the acceptance test: 100
// concurrent purchases at an account whose balance pays for exactly 10.
// Exactly 10 succeed and the rest are 402; the balance ends at exactly 0,
// the ledger sums to it and passes the check, and exactly 10 packs exist.
func TestCallPackConcurrentPurchases(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		cust := n.MustTenant(t, n.AdminToken, "", "Pack Buyer", "customer")
		credit(t, n, n.AdminToken, cust.AccountID, "90") // 10 x pack 13 at its default 9.00
		statuses := make([]int, 100)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = postKeyed(t, n, "/api/call_packs", cust.Token, "", map[string]any{"pack_id": 13}).Status
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[http.StatusOK] != 10 || count[http.StatusPaymentRequired] != 90 {
			t.Fatalf("statuses = %v; want 10 x 200 and 90 x 402", count)
		}
		if b := balanceOf(t, n, cust.Token, cust.AccountID); b != "0.00000" {
			t.Fatalf("balance = %s; want 0.00000", b)
		}
		var sum int64
		entries := ledgerOf(t, n, cust.Token, cust.AccountID)
		packs := 0
		for _, e := range entries {
			sum += units(t, e.Credit) - units(t, e.Debit)
			if e.Activity == "call_pack" {
				packs++
			}
		}
		if sum != 0 || packs != 10 || len(entries) != 11 {
			t.Fatalf("ledger: %d entries, %d call_pack, sum %d; want 11, 10, 0", len(entries), packs, sum)
		}
		if m, err := n.Server.Ledger.Check(context.Background()); err != nil || len(m) != 0 {
			t.Fatalf("check = %v, %v", m, err)
		}
		if c := countOf(t, n, cust.Token, "/api/call_packs"); c != 10 {
			t.Fatalf("%d packs exist; want 10", c)
		}
	})
}

// units parses a money string to units of 10^-5.
func units(t *testing.T, s string) int64 {
	t.Helper()
	var whole, frac int64
	neg := false
	i := 0
	if s != "" && s[0] == '-' {
		neg, i = true, 1
	}
	for ; i < len(s) && s[i] != '.'; i++ {
		whole = whole*10 + int64(s[i]-'0')
	}
	digits := 0
	for i++; i < len(s); i++ {
		frac = frac*10 + int64(s[i]-'0')
		digits++
	}
	for ; digits < 5; digits++ {
		frac *= 10
	}
	v := whole*100000 + frac
	if neg {
		v = -v
	}
	return v
}

// TestCatalogIdempotency replays a pack and a bundle purchase for a
// repeated key (same answer, money once, one row) and refuses the key
// with another body (422), concurrent repeats included.
func TestCatalogIdempotency(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		cust := n.MustTenant(t, n.AdminToken, "", "Key Buyer", "customer")
		credit(t, n, n.AdminToken, cust.AccountID, "1000")
		for _, c := range []struct {
			path       string
			body, diff map[string]any
			list       string
		}{
			{"/api/call_packs", map[string]any{"pack_id": 14}, map[string]any{"pack_id": 15}, "/api/call_packs"},
			{"/api/bundles", map[string]any{"bundle_type": 2, "auto_renew": true}, map[string]any{"bundle_type": 2}, "/api/bundles"},
		} {
			before := balanceOf(t, n, cust.Token, cust.AccountID)
			var wg sync.WaitGroup
			rs := make([]servertest.Response, 5)
			for i := range rs {
				wg.Add(1)
				go func() { defer wg.Done(); rs[i] = postKeyed(t, n, c.path, cust.Token, "key-"+c.path, c.body) }()
			}
			wg.Wait()
			first := rs[0]
			replays := 0
			for _, r := range rs {
				if r.Status != http.StatusOK {
					t.Fatalf("%s: %d %s", c.path, r.Status, r.Body)
				}
				if r.Map(t)["id"] != first.Map(t)["id"] {
					t.Fatalf("%s: repeats answered different rows: %s vs %s", c.path, r.Body, first.Body)
				}
				if r.Header.Get("Idempotent-Replayed") == "true" {
					replays++
				}
			}
			if replays != 4 {
				t.Fatalf("%s: %d answers marked replayed; want 4", c.path, replays)
			}
			again := postKeyed(t, n, c.path, cust.Token, "key-"+c.path, c.body)
			if again.Status != http.StatusOK || again.Map(t)["id"] != first.Map(t)["id"] {
				t.Fatalf("%s: later repeat %d %s", c.path, again.Status, again.Body)
			}
			expectError(t, c.path+" with the key and another body", postKeyed(t, n, c.path, cust.Token, "key-"+c.path, c.diff),
				http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
			if cnt := countOf(t, n, cust.Token, c.list); cnt != 1 {
				t.Fatalf("%s: %d rows; want 1", c.path, cnt)
			}
			price := units(t, first.Map(t)["price"].(string))
			if got := units(t, balanceOf(t, n, cust.Token, cust.AccountID)); got != units(t, before)-price {
				t.Fatalf("%s: balance %d; want %d less %d once", c.path, got, units(t, before), price)
			}
		}
		// A key is one request: reusing the pack's key to renew is refused.
		packs := mustOK(t, n, http.MethodGet, "/api/call_packs", cust.Token, nil)["items"].([]any)
		pid := packs[0].(map[string]any)["id"].(string)
		expectError(t, "renew with the purchase's key", postKeyed(t, n, "/api/call_packs/"+pid+"/renew", cust.Token, "key-/api/call_packs", nil),
			http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
		r1 := postKeyed(t, n, "/api/call_packs/"+pid+"/renew", cust.Token, "renew-1", nil)
		r2 := postKeyed(t, n, "/api/call_packs/"+pid+"/renew", cust.Token, "renew-1", nil)
		if r1.Status != http.StatusOK || r2.Status != http.StatusOK || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("renew replay: %d %s / %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
		}
	})
}

// TestCatalogResellerChain prices a purchase at each level: the customer
// pays its reseller's sell price, the reseller the catalog default; a
// reseller without funds blocks its customer's purchase (402) and nothing
// moves.
func TestCatalogResellerChain(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		res := n.MustTenant(t, n.AdminToken, "", "Chain Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Chain Customer", "customer")
		set := mustOK(t, n, http.MethodPost, "/api/call_pack_types/13", res.Token, map[string]any{"price": "12.5"})
		if set["sell_price"] != "12.50000" || set["price"] != "9.00000" || set["default_price"] != "9.00000" {
			t.Fatalf("set price answered %v", set)
		}
		expectError(t, "a price for an unknown type", n.Do(t, http.MethodPost, "/api/call_pack_types/99", res.Token, map[string]any{"price": "1"}),
			http.StatusNotFound, "NOT_FOUND", "")
		expectFieldError(t, "no price", n.Do(t, http.MethodPost, "/api/call_pack_types/13", res.Token, map[string]any{}), "price")
		expectFieldError(t, "zero price", n.Do(t, http.MethodPost, "/api/call_pack_types/13", res.Token, map[string]any{"price": "0"}), "price")
		types := mustOK(t, n, http.MethodGet, "/api/call_pack_types", cust.Token, nil)["items"].([]any)
		if first := types[0].(map[string]any); first["id"] != float64(13) || first["price"] != "12.50000" || first["minutes"] != float64(1000) {
			t.Fatalf("the customer sees %v", first)
		}
		if op := mustOK(t, n, http.MethodGet, "/api/bundle_types", n.AdminToken, nil)["items"].([]any)[0].(map[string]any); op["price"] != nil || op["sell_price"] != "29.99000" {
			t.Fatalf("the operator sees %v", op)
		}

		credit(t, n, n.AdminToken, res.AccountID, "5")
		credit(t, n, res.Token, cust.AccountID, "100")
		r := postKeyed(t, n, "/api/call_packs", cust.Token, "", map[string]any{"pack_id": 13})
		expectError(t, "purchase while the reseller cannot pay", r, http.StatusPaymentRequired, "PAYMENT_REQUIRED", "")
		if bytes.Contains(r.Body, []byte("5.00000")) {
			t.Errorf("the refusal shows the reseller's balance: %s", r.Body)
		}
		if b := balanceOf(t, n, res.Token, cust.AccountID); b != "100.00000" {
			t.Fatalf("customer balance after the refusal = %s", b)
		}
		if b := balanceOf(t, n, n.AdminToken, res.AccountID); b != "5.00000" {
			t.Fatalf("reseller balance after the refusal = %s", b)
		}
		if c := countOf(t, n, res.Token, "/api/call_packs"); c != 0 {
			t.Fatalf("%d packs after the refusal", c)
		}

		credit(t, n, n.AdminToken, res.AccountID, "5")
		r = postKeyed(t, n, "/api/call_packs", cust.Token, "", map[string]any{"pack_id": 13})
		if r.Status != http.StatusOK || r.Map(t)["price"] != "12.50000" {
			t.Fatalf("purchase: %d %s", r.Status, r.Body)
		}
		if b := balanceOf(t, n, res.Token, cust.AccountID); b != "87.50000" {
			t.Fatalf("customer balance = %s; want 87.50000", b)
		}
		if b := balanceOf(t, n, n.AdminToken, res.AccountID); b != "1.00000" {
			t.Fatalf("reseller balance = %s; want 1.00000 (10 less its 9.00)", b)
		}
		ref := "call_pack:" + itoa(rawID(t, r.Map(t)["id"].(string)))
		for _, who := range []servertest.Tenant{cust, res} {
			es := ledgerOf(t, n, n.AdminToken, who.AccountID)
			last := es[len(es)-1]
			if last.Activity != "call_pack" || last.Reference != ref {
				t.Errorf("%s's last entry = %+v; want call_pack %s", who.Username, last, ref)
			}
		}
		// A reseller buys for its customer at the customer's price.
		r = postKeyed(t, n, "/api/bundles", res.Token, "", map[string]any{"bundle_type": 5, "account_id": cust.AccountID})
		expectError(t, "bundle while the reseller cannot pay", r, http.StatusPaymentRequired, "PAYMENT_REQUIRED", "")
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestBundlesNative walks a bundle's native life: create, get, list with
// a filter, update, renew outside the window (400), destroy.
func TestBundlesNative(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Bundle Owner", "customer")
		expectError(t, "no funds", postKeyed(t, n, "/api/bundles", cust.Token, "", map[string]any{"bundle_type": 1}), http.StatusPaymentRequired, "PAYMENT_REQUIRED", "")
		credit(t, n, n.AdminToken, cust.AccountID, "100")
		b := mustOK(t, n, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 1})
		if b["bundle_type"] != float64(1) || b["auto_renew"] != false || b["status"] != "active" || b["price"] != "29.99000" || b["account_id"] != cust.AccountID {
			t.Fatalf("created %v", b)
		}
		id := b["id"].(string)
		if got := mustOK(t, n, http.MethodGet, "/api/bundles/"+id, cust.Token, nil); got["expires_on"] != b["expires_on"] {
			t.Fatalf("get %v", got)
		}
		if c := countOf(t, n, cust.Token, "/api/bundles?"+url.Values{"filter": {"bundle_type eq 1 and auto_renew eq false"}}.Encode()); c != 1 {
			t.Fatalf("filtered count %d", c)
		}
		up := mustOK(t, n, http.MethodPost, "/api/bundles/"+id, cust.Token, map[string]any{"auto_renew": true})
		if up["auto_renew"] != true || balanceOf(t, n, cust.Token, cust.AccountID) != "70.01000" {
			t.Fatalf("update %v", up)
		}
		up = mustOK(t, n, http.MethodPost, "/api/bundles/"+id, cust.Token, map[string]any{"bundle_type": 5})
		if up["bundle_type"] != float64(5) || up["price"] != "4.99000" || balanceOf(t, n, cust.Token, cust.AccountID) != "65.02000" {
			t.Fatalf("type change %v", up)
		}
		expectError(t, "renew a month early", postKeyed(t, n, "/api/bundles/"+id+"/renew", cust.Token, "", nil), http.StatusBadRequest, "VALIDATE_FAILED", "expires_on")
		expectError(t, "renew unknown", postKeyed(t, n, "/api/bundles/"+missingID+"/renew", cust.Token, "", nil), http.StatusNotFound, "NOT_FOUND", "")
		expectFieldError(t, "bad account", n.Do(t, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 1, "account_id": missingID}), "account_id")
		expectFieldError(t, "bad type", n.Do(t, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 7}), "bundle_type")
		mustNoContent(t, n, http.MethodPost, "/api/bundles/"+id+"/destroy", cust.Token)
		expectError(t, "get destroyed", n.Do(t, http.MethodGet, "/api/bundles/"+id, cust.Token, nil), http.StatusNotFound, "NOT_FOUND", "")
		expectError(t, "delete destroyed", n.Do(t, http.MethodDelete, "/api/bundles/"+id, cust.Token, nil), http.StatusNotFound, "NOT_FOUND", "")
	})
}

// TestRequireBundlePreference sets the policy through the native API: a
// reseller's require_bundle preference (a boolean) makes its customers
// need a bundle allowing a feature before Require lets it through.
func TestRequireBundlePreference(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Policy Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Policy Customer", "customer")
		custID := rawID(t, cust.AccountID)
		if err := n.Server.Bundles.Require(ctx, custID, catalog.Extensions); err != nil {
			t.Fatalf("off by default: %v", err)
		}
		expectFieldError(t, "a non-boolean policy", n.Do(t, http.MethodPost, "/api/accounts/"+res.AccountID, res.Token,
			map[string]any{"preferences": map[string]any{"require_bundle": "yes"}}), "preferences")
		mustOK(t, n, http.MethodPost, "/api/accounts/"+res.AccountID, res.Token, map[string]any{"preferences": map[string]any{"require_bundle": true}})
		err := n.Server.Bundles.Require(ctx, custID, catalog.Extensions)
		if !problem.Is(err, problem.Forbidden) || !strings.Contains(err.Error(), "Business (1), Residential (2)") {
			t.Fatalf("with the policy: %v", err)
		}
		credit(t, n, n.AdminToken, res.AccountID, "50")
		credit(t, n, res.Token, cust.AccountID, "50")
		mustOK(t, n, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 2})
		if err := n.Server.Bundles.Require(ctx, custID, catalog.Extensions); err != nil {
			t.Fatalf("with a Residential bundle: %v", err)
		}
		if err := n.Server.Bundles.Require(ctx, custID, catalog.Trunks); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("trunks with a Residential bundle: %v", err)
		}
	})
}

// TestPeersNeedABundle: under a reseller's require_bundle policy a customer
// creates no SIP peer, through either dialect, until it holds an active
// bundle whose type allows peers; a Fax Only bundle does not.
func TestPeersNeedABundle(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Strict Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Strict Customer", "customer")
		mustOK(t, n, http.MethodPost, "/api/accounts/"+res.AccountID, res.Token, map[string]any{"preferences": map[string]any{"require_bundle": true}})
		credit(t, n, n.AdminToken, res.AccountID, "100")
		credit(t, n, res.Token, cust.AccountID, "100")

		r := n.Do(t, http.MethodPost, "/api/peers", cust.Token, peerBody("username", "strict"+cust.Number))
		e := expectError(t, "peer without a bundle", r, http.StatusForbidden, "FORBIDDEN", "bundle_type")
		if len(e.Errors) == 0 || !strings.Contains(string(r.Body), "Business (1)") || !strings.Contains(string(r.Body), "Residential (2)") {
			t.Errorf("the refusal names no bundle type: %s", r.Body)
		}
		vq := url.Values{"username": {cust.Username}, "auth_token": {cust.Token}, "mode": {"create"}, "friendly_name": {"Desk"},
			"host_type": {"dynamic"}, "peer_username": {"vmustrict" + cust.Number}, "password": {"Secret123"}, "callerid_mode": {"device"}}
		vmu(t, n, "json", "update_peer", vq).wantCodes(t, "voicemeup peer without a bundle", "permission_refused")

		mustOK(t, n, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 3}) // Fax Only
		r = n.Do(t, http.MethodPost, "/api/peers", cust.Token, peerBody("username", "strict"+cust.Number))
		expectError(t, "peer with a Fax Only bundle", r, http.StatusForbidden, "FORBIDDEN", "bundle_type")

		mustOK(t, n, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 1}) // Business
		if r := n.Do(t, http.MethodPost, "/api/peers", cust.Token, peerBody("username", "strict"+cust.Number)); r.Status != http.StatusOK {
			t.Fatalf("peer with a Business bundle: %d %s", r.Status, r.Body)
		}
		// The reseller itself is not bound by its own policy.
		if r := n.Do(t, http.MethodPost, "/api/peers", res.Token, peerBody("username", "resown"+res.Number)); r.Status != http.StatusOK {
			t.Fatalf("the reseller's own peer: %d %s", r.Status, r.Body)
		}
	})
}

// TestTwoNodesChargeOneAccount fires call-pack purchases at one account
// through two nodes sharing one PostgreSQL database: the balance pays for
// exactly 10, and exactly 10 succeed whichever node took them.
func TestTwoNodesChargeOneAccount(t *testing.T) {
	dbURL := servertest.DBURL(t, "postgres")
	a := servertest.Start(t, "postgres", servertest.Options{DBURL: dbURL, PerMinute: 1 << 30})
	b := servertest.Start(t, "postgres", servertest.Options{DBURL: dbURL, PerMinute: 1 << 30})
	cust := a.MustTenant(t, a.AdminToken, "", "Two Node Buyer", "customer")
	credit(t, a, a.AdminToken, cust.AccountID, "90") // 10 x pack 13 at 9.00
	statuses := make([]int, 60)
	var wg sync.WaitGroup
	for i := range statuses {
		n := a
		if i%2 == 1 {
			n = b
		}
		wg.Go(func() {
			statuses[i] = postKeyed(t, n, "/api/call_packs", cust.Token, "", map[string]any{"pack_id": 13}).Status
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[http.StatusOK] != 10 || count[http.StatusPaymentRequired] != 50 {
		t.Fatalf("statuses = %v; want 10 x 200 and 50 x 402", count)
	}
	if bal := balanceOf(t, b, cust.Token, cust.AccountID); bal != "0.00000" {
		t.Fatalf("balance = %s; want 0.00000", bal)
	}
	if m, err := b.Server.Ledger.Check(context.Background()); err != nil || len(m) != 0 {
		t.Fatalf("check = %v, %v", m, err)
	}
	if c := countOf(t, a, cust.Token, "/api/call_packs"); c != 10 {
		t.Fatalf("%d packs; want 10", c)
	}
}

package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"switchboard/internal/server/servertest"
)

const deckHeader = "prefix,type,free_seconds,grace_period,interval_1,interval_n,connect_fee,postcall_surcharge,price_1,price_n,description\n"

// importDeck posts a CSV deck and returns the response.
func importDeck(t *testing.T, n *servertest.Node, token, tariffID, mode, csv string) servertest.Response {
	t.Helper()
	q := "?mode=" + mode
	if tariffID != "" {
		q += "&tariff_id=" + tariffID
	}
	req, _ := http.NewRequest(http.MethodPost, n.URL+"/api/call_rates/import"+q, strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	return n.Send(t, req)
}

type rateAnswer struct {
	Destination   string `json:"destination"`
	Prefix        string `json:"prefix"`
	BilledSeconds int64  `json:"billed_seconds"`
	Cost          string `json:"cost"`
	Levels        []struct {
		AccountID string `json:"account_id"`
		Found     bool   `json:"found"`
		Cost      string `json:"cost"`
		Margin    string `json:"margin"`
	} `json:"levels"`
}

func rate(t *testing.T, n *servertest.Node, token, dest string, d int, accountID string) (servertest.Response, rateAnswer) {
	t.Helper()
	body := map[string]any{"destination": dest, "duration": d}
	if accountID != "" {
		body["account_id"] = accountID
	}
	r := n.Do(t, http.MethodPost, "/api/rate", token, body)
	var a rateAnswer
	if r.Status == http.StatusOK {
		r.JSON(t, &a)
	}
	return r, a
}

// TestTariffsRateEveryLevel builds operator → reseller → customer with a
// tariff at each level and checks the price and margin at each.
func TestTariffsRateEveryLevel(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Customer", "customer")

		// The operator's default tariff prices the reseller (at cost 1 c/min).
		if r := importDeck(t, n, n.AdminToken, "", "replace", deckHeader+"44,INTERNATIONAL,0,0,60,60,0,0,0.01,0.01,UK\n"); r.Status != http.StatusOK {
			t.Fatalf("import default deck: %d %s", r.Status, r.Body)
		}
		// The reseller's own tariff prices its customer at 3 c/min.
		resTariff := n.MustCreate(t, "/api/tariffs", res.Token, map[string]any{"name": "Retail"})
		if r := importDeck(t, n, res.Token, resTariff, "replace", deckHeader+"44,INTERNATIONAL,0,0,60,60,0,0,0.03,0.03,UK retail\n"); r.Status != http.StatusOK {
			t.Fatalf("import retail deck: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodPost, "/api/accounts/"+cust.AccountID, res.Token, map[string]any{"tariff_id": resTariff}); r.Status != http.StatusOK {
			t.Fatalf("assign tariff: %d %s", r.Status, r.Body)
		}
		r, a := rate(t, n, cust.Token, "+44 20 7946 0000", 61, "")
		if r.Status != http.StatusOK {
			t.Fatalf("rate: %d %s", r.Status, r.Body)
		}
		// 61 s with 60/60 intervals bills 120 s: 0.06 to the customer, 0.02 to the reseller.
		if a.Destination != "442079460000" || a.Prefix != "44" || a.BilledSeconds != 120 || a.Cost != "0.06000" {
			t.Fatalf("customer rating %+v", a)
		}
		if len(a.Levels) != 2 || a.Levels[1].AccountID != res.AccountID || a.Levels[1].Cost != "0.02000" || a.Levels[1].Margin != "0.04000" {
			t.Fatalf("levels %+v, want the reseller paying 0.02000 with a margin of 0.04000", a.Levels)
		}
		// The reseller rates its customer's call the same way through account_id.
		if _, b := rate(t, n, res.Token, "0044 20 7946 0000", 61, cust.AccountID); b.Cost != "0.06000" {
			t.Errorf("rating for a child account: %+v", b)
		}
		// The customer cannot rate for its reseller, nor change the tariff it is sold at.
		if r, _ := rate(t, n, cust.Token, "442079460000", 61, res.AccountID); r.Status != http.StatusBadRequest {
			t.Errorf("rating for an ancestor: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodPost, "/api/call_rates", cust.Token, map[string]any{"prefix": "1", "type": "LOCAL", "free_seconds": 0,
			"grace_period": 0, "interval_1": 60, "interval_n": 60, "connect_fee": 0, "postcall_surcharge": 0, "price_1": 0, "price_n": 0}); r.Status != http.StatusForbidden {
			t.Errorf("customer wrote its provider's tariff: %d %s", r.Status, r.Body)
		}
		// But it reads its own tariff's rates.
		r = n.Do(t, http.MethodGet, "/api/call_rates", cust.Token, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "UK retail") {
			t.Errorf("customer reading its tariff: %d %s", r.Status, r.Body)
		}
		// No rate: rate_not_found; not a number: phone_number_invalid.
		if r, _ := rate(t, n, cust.Token, "+33 1 23 45 67 89", 10, ""); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "rate_not_found") {
			t.Errorf("unrated destination: %d %s", r.Status, r.Body)
		}
		if r, _ := rate(t, n, cust.Token, "call me", 10, ""); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "phone_number_invalid") {
			t.Errorf("invalid destination: %d %s", r.Status, r.Body)
		}
		// 0.10 at 0.03/min with 60 s intervals pays for 3 whole minutes.
		r = n.Do(t, http.MethodGet, "/api/rate/max_duration?destination=442079460000&balance=0.1", cust.Token, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"max_duration":180`) {
			t.Errorf("max_duration: %d %s", r.Status, r.Body)
		}
		// A tariff still in use cannot be deleted.
		if r := n.Do(t, http.MethodPost, "/api/tariffs/"+resTariff+"/destroy", res.Token, nil); r.Status != http.StatusConflict {
			t.Errorf("deleting a used tariff: %d %s", r.Status, r.Body)
		}
	})
}

// TestCallRatesCRUDAndImport covers the call-rate resource, duplicates,
// the all-or-nothing import with every bad line reported, merge, export.
func TestCallRatesCRUDAndImport(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		tok := n.AdminToken
		full := map[string]any{"prefix": "1212", "type": "LOCAL", "free_seconds": 0, "grace_period": 3, "interval_1": 30,
			"interval_n": 6, "connect_fee": "0.005", "postcall_surcharge": 0.1, "price_1": "0.02", "price_n": 0.012, "description": "NYC"}
		id := n.MustCreate(t, "/api/call_rates", tok, full)
		if r := n.Do(t, http.MethodPost, "/api/call_rates", tok, full); r.Status != http.StatusConflict {
			t.Errorf("duplicate prefix: %d %s", r.Status, r.Body)
		}
		r := n.Do(t, http.MethodGet, "/api/call_rates/"+id, tok, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"price_n":"0.01200"`) || !strings.Contains(string(r.Body), `"postcall_surcharge":"0.10000"`) {
			t.Fatalf("get: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodPost, "/api/call_rates/"+id, tok, map[string]any{"price_n": "0.123456"}); r.Status != http.StatusBadRequest {
			t.Errorf("six decimals accepted: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodPost, "/api/call_rates/"+id, tok, map[string]any{"interval_n": 0}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "interval_n") {
			t.Errorf("interval_n 0: %d %s", r.Status, r.Body)
		}
		missing := map[string]any{"prefix": "44", "type": "LOCAL"}
		if r := n.Do(t, http.MethodPost, "/api/call_rates", tok, missing); r.Status != http.StatusBadRequest {
			t.Errorf("create without required fields: %d %s", r.Status, r.Body)
		}
		if _, a := rate(t, n, tok, "2125551234", 95, ""); a.Cost != "0.03102" || a.BilledSeconds != 96 {
			t.Errorf("rating after create: %+v", a)
		}

		bad := deckHeader + "1,LOCAL,0,0,60,60,0,0,0.01,0.01,ok\n12x,LOCAL,0,0,60,60,0,0,0.01,0.01,\n44,LOCAL,0,0,60,60,0,0,0.0100001,0.01,\n1,LOCAL,0,0,60,60,0,0,0.01,0.01,dup\n"
		r = importDeck(t, n, tok, "", "replace", bad)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("bad deck: %d %s", r.Status, r.Body)
		}
		for _, want := range []string{"line 3", "line 4", "line 5"} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("bad deck answer does not name %s: %s", want, r.Body)
			}
		}
		if r := n.Do(t, http.MethodGet, "/api/call_rates/"+id, tok, nil); r.Status != http.StatusOK {
			t.Errorf("a rejected deck changed the tariff: %d", r.Status)
		}
		if r := importDeck(t, n, tok, "", "merge", deckHeader+"44,INTERNATIONAL,0,0,1,1,0,0,0.05,0.05,UK\n1212,LOCAL,0,0,60,60,0,0,0.5,0.5,NYC dear\n"); r.Status != http.StatusOK {
			t.Fatalf("merge: %d %s", r.Status, r.Body)
		}
		r = n.Do(t, http.MethodGet, "/api/call_rates?orderby=prefix%20desc", tok, nil)
		var list struct {
			Count int
			Items []struct{ ID, Prefix, Price_1 string }
		}
		r.JSON(t, &list)
		if list.Count != 2 || list.Items[0].Prefix != "44" || list.Items[1].ID != id {
			t.Errorf("after merge (the NYC rate keeps its id): %s", r.Body)
		}
		r = n.Do(t, http.MethodGet, "/api/call_rates/export", tok, nil)
		want := deckHeader + "1212,LOCAL,0,0,60,60,0.00000,0.00000,0.50000,0.50000,NYC dear\n44,INTERNATIONAL,0,0,1,1,0.00000,0.00000,0.05000,0.05000,UK\n"
		if r.Status != http.StatusOK || string(r.Body) != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("export: %d %q\nwant %q", r.Status, r.Body, want)
		}
		if r := importDeck(t, n, tok, "", "replace", string(r.Body)); r.Status != http.StatusOK {
			t.Errorf("re-importing an export: %d %s", r.Status, r.Body)
		}
		r = n.Do(t, http.MethodGet, "/api/call_rates?filter="+strings.ReplaceAll("price_1 gt 0.1 and startswith(prefix,'12')", " ", "%20"), tok, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"count":1`) {
			t.Errorf("filter on money: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodPost, "/api/call_rates/"+list.Items[0].ID+"/destroy", tok, nil); r.Status != http.StatusNoContent && r.Status != http.StatusNotFound {
			t.Errorf("destroy: %d %s", r.Status, r.Body)
		}
	})
}

// TestImportIsAtomicForRating rates continuously while decks are replaced:
// every answer comes from one whole deck (A prices everything at 1, B at 2).
func TestImportIsAtomicForRating(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		// The raters send far more than the default per-minute limit.
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		deck := func(price string) string {
			var b strings.Builder
			b.WriteString(deckHeader)
			for i := range 300 {
				fmt.Fprintf(&b, "%d,LOCAL,0,0,60,60,0,0,%s,%s,\n", 4400+i, price, price)
			}
			return b.String()
		}
		a, b := deck("1"), deck("2")
		if r := importDeck(t, n, n.AdminToken, "", "replace", a); r.Status != http.StatusOK {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		var mixed atomic.Int64
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					r, ans := rate(t, n, n.AdminToken, fmt.Sprintf("%d5551", 4400+(i*7+w)%300), 60, "")
					if r.Status != http.StatusOK || (ans.Cost != "1.00000" && ans.Cost != "2.00000") {
						if mixed.Add(1) == 1 {
							t.Logf("first bad answer: %d %s", r.Status, r.Body)
						}
					}
				}
			}()
		}
		for i := range 6 {
			d := a
			if i%2 == 0 {
				d = b
			}
			if r := importDeck(t, n, n.AdminToken, "", "replace", d); r.Status != http.StatusOK {
				t.Errorf("import %d: %d %s", i, r.Status, r.Body)
			}
		}
		stop.Store(true)
		wg.Wait()
		if mixed.Load() != 0 {
			t.Errorf("%d ratings saw no rate or a price from neither deck", mixed.Load())
		}
	})
}

// TestSubaccountTariff prices a subaccount's call at the subaccount's own
// tariff first: the account earns the difference with what it pays.
func TestSubaccountTariff(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		if r := importDeck(t, n, n.AdminToken, "", "replace", deckHeader+"44,INTERNATIONAL,0,0,60,60,0,0,0.01,0.01,UK\n"); r.Status != http.StatusOK {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		pbx := n.MustTenant(t, n.AdminToken, "", "PBX Host", "customer")
		own := n.MustCreate(t, "/api/tariffs", pbx.Token, map[string]any{"name": "Tenants"})
		if r := importDeck(t, n, pbx.Token, own, "replace", deckHeader+"44,INTERNATIONAL,0,0,60,60,0,0,0.025,0.025,UK for tenants\n"); r.Status != http.StatusOK {
			t.Fatalf("import own: %d %s", r.Status, r.Body)
		}
		sub := n.MustCreate(t, "/api/subaccounts", pbx.Token, map[string]any{"friendly_name": "Dentist", "multi_tenancy_mode": "disabled", "status": "enabled", "tariff_id": own})
		r := n.Do(t, http.MethodGet, "/api/subaccounts/"+sub, pbx.Token, nil)
		if !strings.Contains(string(r.Body), `"tariff_id":"`+own+`"`) {
			t.Fatalf("subaccount does not show its tariff: %s", r.Body)
		}
		r = n.Do(t, http.MethodPost, "/api/rate", pbx.Token, map[string]any{"destination": "+442079460000", "duration": 60, "subaccount_id": sub})
		var a struct {
			Cost   string `json:"cost"`
			Levels []struct {
				SubaccountID string `json:"subaccount_id"`
				Cost         string `json:"cost"`
				Margin       string `json:"margin"`
			} `json:"levels"`
		}
		r.JSON(t, &a)
		if r.Status != http.StatusOK || a.Cost != "0.02500" || len(a.Levels) != 2 || a.Levels[0].SubaccountID != sub ||
			a.Levels[1].Cost != "0.01000" || a.Levels[1].Margin != "0.01500" {
			t.Fatalf("subaccount rating: %d %s", r.Status, r.Body)
		}
		// Back to the account's tariff.
		if r := n.Do(t, http.MethodPost, "/api/subaccounts/"+sub, pbx.Token, map[string]any{"tariff_id": ""}); r.Status != http.StatusOK {
			t.Fatalf("clear subaccount tariff: %d %s", r.Status, r.Body)
		}
		if _, b := rate(t, n, pbx.Token, "+442079460000", 60, ""); b.Cost != "0.01000" {
			t.Errorf("account rating: %+v", b)
		}
		// Another tenant cannot rate for the subaccount.
		other := n.MustTenant(t, n.AdminToken, "", "Other", "customer")
		if r := n.Do(t, http.MethodPost, "/api/rate", other.Token, map[string]any{"destination": "442079460000", "duration": 60, "subaccount_id": sub}); r.Status != http.StatusBadRequest {
			t.Errorf("foreign subaccount: %d %s", r.Status, r.Body)
		}
	})
}

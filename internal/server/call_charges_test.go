package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/callcharge"
	"switchboard/internal/id"
	"switchboard/internal/invoice/invoicetest"
	"switchboard/internal/money"
	"switchboard/internal/server/servertest"
)

// TestCallCharging charges finished calls of a customer under a reseller
// (the customer at the reseller's retail tariff, the reseller at the
// operator's): a call within a call pack costs nobody anything and takes
// the pack's seconds; a call the pack does not cover is debited at both
// levels; a pack that runs out mid-call leaves its remainder at price_n
// with no connect fee; a call is charged once however often and however
// concurrently it is sent; rows, ledger and packs agree.
func TestCallCharging(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		res := n.MustTenant(t, n.AdminToken, "", "Call Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Call Customer", "customer")
		// Operator's price to the reseller: 1 c/min to the UK, 1 c/min to
		// NANP with a 0.005 connect fee. Reseller's retail: 3 c/min and 2 c/min.
		if r := importDeck(t, n, n.AdminToken, "", "replace", deckHeader+
			"44,INTERNATIONAL,0,0,1,1,0,0,0.01,0.01,UK\n1,NATIONAL,0,0,60,60,0.005,0,0.01,0.01,NANP\n"); r.Status != http.StatusOK {
			t.Fatalf("default deck: %d %s", r.Status, r.Body)
		}
		retail := n.MustCreate(t, "/api/tariffs", res.Token, map[string]any{"name": "Retail"})
		if r := importDeck(t, n, res.Token, retail, "replace", deckHeader+
			"44,INTERNATIONAL,0,0,1,1,0.5,0,0.03,0.03,UK retail\n1,NATIONAL,0,0,60,60,0,0,0.02,0.02,NANP retail\n"); r.Status != http.StatusOK {
			t.Fatalf("retail deck: %d %s", r.Status, r.Body)
		}
		mustOK(t, n, http.MethodPost, "/api/accounts/"+cust.AccountID, res.Token, map[string]any{"tariff_id": retail})
		credit(t, n, n.AdminToken, res.AccountID, "100")
		credit(t, n, res.Token, cust.AccountID, "50")
		// A UK pack of 1,000 minutes (60,000 s) for the customer.
		pack := mustOK(t, n, http.MethodPost, "/api/call_packs", cust.Token, map[string]any{"pack_id": 13})["id"].(string)
		resBefore, custBefore := balanceOf(t, n, n.AdminToken, res.AccountID), balanceOf(t, n, n.AdminToken, cust.AccountID)

		custID, _ := id.DecodeNative(cust.AccountID)
		resID, _ := id.DecodeNative(res.AccountID)
		call := func(hash, dest string, d int64) callcharge.Outcome {
			t.Helper()
			o, err := n.Server.CallCharges.Charge(ctx, callcharge.Call{Hash: hash, AccountID: custID, Destination: dest,
				Answered: true, Duration: d, StartedAt: time.Now()})
			if err != nil {
				t.Fatalf("charge %s: %v", hash, err)
			}
			return o
		}
		packUsed := func() int64 {
			t.Helper()
			var p struct {
				SecondsUsed int64 `json:"seconds_used"`
			}
			r := n.Do(t, http.MethodGet, "/api/call_packs/"+pack, cust.Token, nil)
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatalf("pack: %s", r.Body)
			}
			return p.SecondsUsed
		}

		// A quote shows what the pack would cover, and takes nothing.
		q := mustOK(t, n, http.MethodPost, "/api/rate", cust.Token, map[string]any{"destination": "+44 20 7946 0000", "duration": 90})
		if q["pack_seconds"] != float64(90) || q["cost"] != "0.00000" || !strings.Contains(mustJSON(t, q["call_packs"]), `"seconds":90`) {
			t.Fatalf("quote within the pack: %v", q)
		}
		if u := packUsed(); u != 0 {
			t.Fatalf("a quote took %d s from the pack", u)
		}

		// 1. Within the pack: free at both levels, 90 s taken.
		o := call(strings.Repeat("a", 32), "+44 20 7946 0000", 90)
		if len(o.Charges) != 2 || o.Charges[0].Cost != 0 || o.Charges[1].Cost != 0 || o.Charges[0].PackSeconds != 90 ||
			len(o.Packs) != 1 || o.Packs[0].Seconds != 90 || o.Charges[0].LedgerEntryID != 0 {
			t.Fatalf("call within the pack: %+v", o)
		}
		if o.Charges[0].AccountID != custID || o.Charges[1].AccountID != resID || o.Charges[0].RateType != "INTERNATIONAL" {
			t.Fatalf("levels: %+v", o.Charges)
		}
		if u := packUsed(); u != 90 {
			t.Fatalf("pack used %d s; want 90", u)
		}
		// Charging it again replays and takes nothing more.
		if again := call(strings.Repeat("a", 32), "+44 20 7946 0000", 90); !again.Replayed || len(again.Charges) != 2 || packUsed() != 90 {
			t.Fatalf("repeat: %+v, pack %d", again, packUsed())
		}

		// 2. Not covered (NANP), 61 s billed 120 s: customer 0.04, reseller
		// 0.005 + 0.02 = 0.025.
		o = call(strings.Repeat("b", 32), "2125550100", 61)
		if o.Charges[0].Cost != money.Amount(4000) || o.Charges[1].Cost != money.Amount(2500) || o.Charges[0].PackSeconds != 0 ||
			o.Charges[0].LedgerEntryID == 0 || o.Charges[1].LedgerEntryID == 0 {
			t.Fatalf("call outside the pack: %+v", o.Charges)
		}

		// 3. The pack runs out: 59,910 s remain; a 59,950 s call leaves 40 s
		// at price_n without connect fee: customer 40 x 0.03/60 = 0.02,
		// reseller 40 x 0.01/60 = 0.0066667 -> 0.00667.
		o = call(strings.Repeat("c", 32), "447700900123", 59_950)
		if o.Charges[0].Cost != money.Amount(2000) || o.Charges[1].Cost != money.Amount(667) || o.Charges[0].PackSeconds != 59_910 {
			t.Fatalf("pack running out: %+v", o.Charges)
		}
		if u := packUsed(); u != 60_000 {
			t.Fatalf("pack used %d s; want all 60000", u)
		}
		// 4. Unanswered: nothing.
		if o, err := n.Server.CallCharges.Charge(ctx, callcharge.Call{Hash: strings.Repeat("d", 32), AccountID: custID,
			Destination: "+442079460000"}); err != nil || len(o.Charges) != 0 {
			t.Fatalf("unanswered: %+v, %v", o, err)
		}

		// 5. The same new call sent 20 times at once is charged once.
		var wg sync.WaitGroup
		outs := make([]callcharge.Outcome, 20)
		errs := make([]error, 20)
		for i := range outs {
			wg.Go(func() {
				outs[i], errs[i] = n.Server.CallCharges.Charge(ctx, callcharge.Call{Hash: strings.Repeat("e", 32), AccountID: custID,
					Destination: "+442079460001", Answered: true, Duration: 60, StartedAt: time.Now()})
			})
		}
		wg.Wait()
		first := 0
		for i := range outs {
			if errs[i] != nil {
				t.Fatalf("concurrent charge: %v", errs[i])
			}
			if !outs[i].Replayed {
				first++
			}
			if outs[i].Charges[0].Cost != money.Amount(53000) { // 0.5 connect + 60 x 0.03/60
				t.Fatalf("concurrent charge cost %s", outs[i].Charges[0].Cost)
			}
		}
		if first != 1 {
			t.Fatalf("%d of 20 concurrent charges of one call charged it; want 1", first)
		}

		// Money: customer 0.04 + 0.02 + 0.53, reseller 0.025 + 0.00667 + 0.0101.
		want := func(before string, spent int64) string {
			b, _ := money.Parse(before)
			return (b - money.Amount(spent)).String()
		}
		if got := balanceOf(t, n, n.AdminToken, cust.AccountID); got != want(custBefore, 4000+2000+53000) {
			t.Errorf("customer balance %s; want %s", got, want(custBefore, 59000))
		}
		if got := balanceOf(t, n, n.AdminToken, res.AccountID); got != want(resBefore, 2500+667+1000) {
			t.Errorf("reseller balance %s; want %s", got, want(resBefore, 2500+667+1000))
		}
		entries := ledgerOf(t, n, cust.Token, cust.AccountID)
		calls := 0
		for _, e := range entries {
			if e.Activity == "Call Charges" {
				calls++
			}
		}
		if calls != 3 {
			t.Errorf("customer has %d Call Charges entries; want 3", calls)
		}
		if m, err := n.Server.Ledger.Check(ctx); err != nil || len(m) != 0 {
			t.Fatalf("check = %v, %v", m, err)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInvoiceOfChargedCalls invoices a day of real activity: calls charged
// by the call-charging service (one within a call pack, one not), the pack
// and a bundle bought through the API, a card payment, and a tax rate. The
// invoice's call section is the charged calls, its totals reconcile with
// the ledger, and the PDF says the same. The invoice service's clock runs
// two days ahead so that today is a closed range.
func TestInvoiceOfChargedCalls(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30, Now: func() time.Time { return time.Now().Add(48 * time.Hour) }})
		cust := n.MustTenant(t, n.AdminToken, "", "Invoiced Caller", "customer")
		if r := importDeck(t, n, n.AdminToken, "", "replace", deckHeader+
			"44,INTERNATIONAL,0,0,1,1,0,0,0.06,0.06,United Kingdom\n1,NATIONAL,0,0,60,60,0,0,0.02,0.02,NANP\n"); r.Status != http.StatusOK {
			t.Fatalf("deck: %d %s", r.Status, r.Body)
		}
		custID, _ := id.DecodeNative(cust.AccountID)
		r := n.Form(t, "/carrier/make_payment", map[string][]string{"token": {cust.Token}, "accountno": {cust.Number}, "firstname": {"Ada"},
			"lastname": {"King"}, "cardnumber": {"4242424242424242"}, "expmonth": {"12"}, "expyear": {"2030"}, "cvv": {"123"}, "amount": {"50"}})
		if r.Status != http.StatusOK {
			t.Fatalf("payment: %d %s", r.Status, r.Body)
		}
		mustOK(t, n, http.MethodPost, "/api/call_packs", cust.Token, map[string]any{"pack_id": 13}) // 9.00
		mustOK(t, n, http.MethodPost, "/api/bundles", cust.Token, map[string]any{"bundle_type": 2}) // 14.99
		mustOK(t, n, http.MethodPost, "/api/accounts/"+cust.AccountID+"/tax_rate", n.AdminToken, map[string]any{"tax_rate": "0.1"})
		for _, c := range []struct {
			hash, dest string
			d          int64
		}{
			{strings.Repeat("1", 32), "+44 20 7946 0000", 300}, // within the pack: 0
			{strings.Repeat("2", 32), "2125550100", 90},        // 120 s billed at 0.02: 0.04
			{strings.Repeat("3", 32), "2125550101", 30},        // 60 s: 0.02
		} {
			if _, err := n.Server.CallCharges.Charge(ctx, callcharge.Call{Hash: c.hash, AccountID: custID, Destination: c.dest,
				Answered: true, Duration: c.d, StartedAt: time.Now()}); err != nil {
				t.Fatalf("charge: %v", err)
			}
		}
		today := time.Now().UTC().Format(time.DateOnly)
		inv := decodeInvoice(t, mustPost(t, n, "/api/invoices", n.AdminToken, map[string]any{"account_id": cust.AccountID, "from": today, "to": today}))
		// Charges: calls 0.06 + pack 9 + bundle 14.99; the card fee (2.9 %
		// of 50 + 0.30 = 1.75) nets against its payment among the credits.
		wantCharges := mustAmount("0.06") + mustAmount("9") + mustAmount("14.99")
		wantTax := mustAmount("2.405") // 24.05 x 0.1
		closing := mustAmount(balanceOf(t, n, n.AdminToken, cust.AccountID))
		if mustAmount(inv.Opening) != 0 || mustAmount(inv.Charges) != wantCharges || mustAmount(inv.Credits) != mustAmount("48.25") ||
			mustAmount(inv.Tax) != wantTax || mustAmount(inv.Closing) != closing || closing != mustAmount("48.25")-wantCharges {
			t.Fatalf("invoice %+v; want charges %s, tax %s, closing %s", inv, wantCharges, wantTax, closing)
		}
		var calls []string
		for _, s := range inv.Sections {
			if s.Key == "calls" {
				if mustAmount(s.Total) != mustAmount("0.06") {
					t.Errorf("calls section total %s; want 0.06", s.Total)
				}
				for _, l := range s.Lines {
					calls = append(calls, l.Description+" "+l.Amount)
				}
			}
		}
		joined := strings.Join(calls, " | ")
		if len(calls) != 2 || !strings.Contains(joined, "United Kingdom") || !strings.Contains(joined, "NANP") {
			t.Errorf("call lines = %q; want one per destination (United Kingdom, NANP)", calls)
		}
		pdf := n.Do(t, http.MethodGet, inv.PDFURL, cust.Token, nil)
		text := invoicetest.Text(t, pdf.Body)
		if g := invoicetest.Value(text, "Total Calls"); mustAmount(g) != mustAmount("0.06") {
			t.Errorf("PDF Total Calls = %q", g)
		}
		if g := invoicetest.Value(text, "Closing balance"); mustAmount(g) != closing {
			t.Errorf("PDF closing = %q; want %s", g, closing)
		}
	})
}

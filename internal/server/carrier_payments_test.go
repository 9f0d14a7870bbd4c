package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestCarrierPayments pays by card through make_payment (with an amount, and
// without one: what the account owes), is declined by a documented test
// card, and reads every attempt back through get_payments with its filters.
func TestCarrierPayments(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Card Payer", "customer")
		creds := func(kv ...string) url.Values {
			v := url.Values{"token": {cust.Token}, "accountno": {cust.Number}, "firstname": {"Ada"}, "lastname": {"Lovelace"},
				"cardnumber": {"4242424242424242"}, "expmonth": {"12"}, "expyear": {"2030"}, "cvv": {"123"}}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					v.Del(kv[i])
				} else {
					v.Set(kv[i], kv[i+1])
				}
			}
			return v
		}
		// Nothing is owed and no amount is given: nothing to charge.
		r := n.Form(t, "/carrier/make_payment", creds())
		if r.Status != http.StatusNotFound || string(r.Body) != `{"status":"404","error":"Invalid amount"}` {
			t.Fatalf("payment of nothing: %d %s", r.Status, r.Body)
		}
		r = n.Form(t, "/carrier/make_payment", creds("amount", "10.00"))
		if r.Status != http.StatusOK || !strings.HasPrefix(string(r.Body), `{"status":"200","success":"Payment added successfully.","referenceno":"`) {
			t.Fatalf("make_payment: %d %s", r.Status, r.Body)
		}
		// The card fee (2.9 % + 0.30) is its own ledger row: 10 - 0.59.
		if b := getBalance(t, n, n.AdminToken, cust.AccountID).Balance; b != "9.41000" {
			t.Fatalf("balance after a 10.00 card payment = %s; want 9.41000", b)
		}
		// A postpaid account may owe: a debit beyond its balance leaves it
		// at -0.50, and a payment without amount pays exactly that.
		mustOK(t, n, http.MethodPost, "/api/accounts/"+cust.AccountID, n.AdminToken, map[string]any{"billing_mode": "postpaid", "credit_limit": "5"})
		if r := postTx(t, n, n.AdminToken, "", map[string]any{"account_id": cust.AccountID, "activity": "Call Charges", "debit": "9.91"}); r.Status != http.StatusOK {
			t.Fatalf("debit: %d %s", r.Status, r.Body)
		}
		r = n.Form(t, "/carrier/make_payment", creds())
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"amount":"0.50"`) {
			t.Fatalf("paying what is owed: %d %s", r.Status, r.Body)
		}
		// A documented decline number is declined, stored, and moves nothing.
		before := getBalance(t, n, n.AdminToken, cust.AccountID).Balance
		r = n.Form(t, "/carrier/make_payment", creds("amount", "5", "cardnumber", "4000000000009995"))
		if r.Status != http.StatusPaymentRequired || string(r.Body) != `{"status":"402","error":"Payment declined: insufficient_funds"}` {
			t.Fatalf("declined card: %d %s", r.Status, r.Body)
		}
		if b := getBalance(t, n, n.AdminToken, cust.AccountID).Balance; b != before {
			t.Fatalf("a declined card moved money: %s -> %s", before, b)
		}
		for _, bad := range []struct{ kv []string }{
			{[]string{"cardnumber", "4242424242424241"}},
			{[]string{"expmonth", "13"}},
			{[]string{"expyear", "2001"}},
			{[]string{"cvv", "12"}},
			{[]string{"firstname", ""}},
			{[]string{"amount", "-1"}},
			{[]string{"amount", "1.000001"}},
		} {
			field := bad.kv[0]
			r := n.Form(t, "/carrier/make_payment", creds(append([]string{"amount", "1"}, bad.kv...)...))
			if r.Status != http.StatusNotFound || string(r.Body) != `{"status":"404","error":"Invalid `+field+`"}` {
				t.Errorf("%v: %d %s", bad.kv, r.Status, r.Body)
			}
		}
		// A retry with the same Idempotency-Key pays once.
		h := http.Header{"Idempotency-Key": {"card-retry-1"}}
		first := formWithHeader(t, n, "/carrier/make_payment", creds("amount", "2"), h)
		again := formWithHeader(t, n, "/carrier/make_payment", creds("amount", "2"), h)
		if first.Status != http.StatusOK || string(first.Body) != string(again.Body) {
			t.Fatalf("retry: %d %s / %s", first.Status, first.Body, again.Body)
		}

		type row struct {
			Accountno, Date string
			Ref             string `json:"referenceno"`
			FundedAmount    string `json:"funded_amount"`
			Charges, Amount string
			Method, Status  string
		}
		read := func(kv ...string) []row {
			t.Helper()
			v := url.Values{"token": {cust.Token}, "accountno": {cust.Number}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			r := n.Form(t, "/carrier/get_payments", v)
			var body struct {
				Status string
				Data   []row
			}
			if err := json.Unmarshal(r.Body, &body); err != nil || body.Status != "200" {
				t.Fatalf("get_payments %v: %d %s", kv, r.Status, r.Body)
			}
			return body.Data
		}
		all := read()
		if len(all) != 4 {
			t.Fatalf("get_payments lists %d payments; want 4 (10.00, 0.50, declined 5, 2): %+v", len(all), all)
		}
		p := all[0]
		if p.FundedAmount != "10.00" || p.Charges != "0.59" || p.Amount != "9.41" || p.Method != "credit card" || p.Status != "1" || p.Accountno != cust.Number {
			t.Errorf("first payment = %+v", p)
		}
		if all[2].Status != "0" || all[2].FundedAmount != "5.00" {
			t.Errorf("declined attempt = %+v", all[2])
		}
		if got := read("referenceno", all[1].Ref); len(got) != 1 || got[0].FundedAmount != "0.50" {
			t.Errorf("referenceno filter: %+v", got)
		}
		if got := read("method", "Bank"); len(got) != 0 {
			t.Errorf("method=Bank lists card payments: %+v", got)
		}
		if got := read("method", "Credit Card"); len(got) != 4 {
			t.Errorf("method=Credit Card lists %d", len(got))
		}
		if got := read("to", "2000-01-01"); len(got) != 0 {
			t.Errorf("to in the past lists %d", len(got))
		}
		r = n.Form(t, "/carrier/get_payments", url.Values{"token": {cust.Token}, "accountno": {cust.Number}, "method": {"Gold"}})
		if string(r.Body) != `{"status":"404","error":"Invalid method"}` {
			t.Errorf("bad method: %s", r.Body)
		}
		r = n.Form(t, "/carrier/get_payments", url.Values{"token": {cust.Token}, "accountno": {cust.Number}, "from": {"yesterday"}})
		if string(r.Body) != `{"status":"404","error":"Invalid from"}` {
			t.Errorf("bad from: %s", r.Body)
		}
	})
}

// formWithHeader posts form fields to path with extra headers.
func formWithHeader(t *testing.T, n *servertest.Node, path string, fields url.Values, h http.Header) servertest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, n.URL+path, strings.NewReader(fields.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return n.Send(t, req)
}

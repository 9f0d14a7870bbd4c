package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestDialectMoneyViews reads one account's ledger through the carrier's
// financial_summary and voicemeup's get_funding_details and
// get_billing_activity.
func TestDialectMoneyViews(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Ledger Reader", "customer")
		for _, tx := range []map[string]any{
			{"account_id": cust.AccountID, "activity": "Test Call Credit", "credit": "2"},
			{"account_id": cust.AccountID, "activity": "Order (New DIDs)", "debit": "1"},
			{"account_id": cust.AccountID, "activity": "Call Charges", "debit": "0.03102", "description": "call to NYC"},
		} {
			if r := postTx(t, n, n.AdminToken, "", tx); r.Status != http.StatusOK {
				t.Fatalf("post %v: %d %s", tx, r.Status, r.Body)
			}
		}
		r := n.Form(t, "/carrier/financial_summary", url.Values{"token": {cust.Token}, "accountno": {cust.Number}})
		want := `{"status":"200","data":[` +
			`{"accountno":"` + cust.Number + `","date":"`
		body := string(r.Body)
		if r.Status != http.StatusOK || !strings.HasPrefix(body, want) ||
			!strings.Contains(body, `"activity":"Test Call Credit","debit":"0.00","credit":"2.00","balance":"2.00"}`) ||
			!strings.Contains(body, `"activity":"Order (New DIDs)","debit":"1.00","credit":"0.00","balance":"1.00"}`) ||
			!strings.Contains(body, `"activity":"Call Charges","debit":"0.03102","credit":"0.00","balance":"0.96898"}`) {
			t.Fatalf("financial_summary: %d %s", r.Status, body)
		}
		r = n.Form(t, "/carrier/financial_summary", url.Values{"token": {cust.Token}, "accountno": {cust.Number}, "activitytype": {"Call Charges"}})
		if strings.Count(string(r.Body), `"activity"`) != 1 {
			t.Errorf("activitytype filter: %s", r.Body)
		}
		r = n.Form(t, "/carrier/financial_summary", url.Values{"token": {cust.Token}, "accountno": {cust.Number}, "activitytype": {"Free Money"}})
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "Invalid activitytype") {
			t.Errorf("bad activitytype: %d %s", r.Status, r.Body)
		}

		creds := url.Values{"username": {cust.Username}, "auth_token": {cust.Token}}
		a := vmu(t, n, "json", "get_funding_details", creds)
		a.ok(t, "get_funding_details")
		if !strings.Contains(string(a.Raw), `"account_balance":"0.96898 CR"`) || !strings.Contains(string(a.Raw), `"funds_left":"0.96898 CR"`) {
			t.Errorf("funding details: %s", a.Raw)
		}
		a = vmu(t, n, "json", "get_billing_activity", creds)
		a.ok(t, "get_billing_activity")
		if strings.Count(string(a.Raw), `"transaction_id"`) != 3 || !strings.Contains(string(a.Raw), `"description":"call to NYC"`) {
			t.Errorf("billing activity: %s", a.Raw)
		}
		q := url.Values{"username": {cust.Username}, "auth_token": {cust.Token}, "date_to": {"2000-01-01"}}
		a = vmu(t, n, "json", "get_billing_activity", q)
		if strings.Contains(string(a.Raw), `"transaction_id"`) {
			t.Errorf("date_to in the past still lists entries: %s", a.Raw)
		}
		q.Set("date_from", "yesterday")
		vmu(t, n, "json", "get_billing_activity", q).wantCodes(t, "bad date_from", "date_from_invalid")
	})
}

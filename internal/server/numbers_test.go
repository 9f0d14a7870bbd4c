package server_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/number"
	"switchboard/internal/server/servertest"
)

// carrierJSON posts a carrier endpoint and decodes its answer.
func carrierJSON(t *testing.T, n *servertest.Node, ten servertest.Tenant, endpoint string, params url.Values) (int, map[string]any) {
	t.Helper()
	r := n.Form(t, "/carrier/"+endpoint, mergeValues(url.Values{"token": {ten.Token}, "accountno": {ten.Number}}, params))
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("%s: %d %s", endpoint, r.Status, r.Body)
	}
	return r.Status, out
}

func carrierOK(t *testing.T, n *servertest.Node, ten servertest.Tenant, endpoint string, params url.Values) map[string]any {
	t.Helper()
	st, out := carrierJSON(t, n, ten, endpoint, params)
	if st != http.StatusOK || out["status"] != "200" {
		t.Fatalf("%s %v: %d %v", endpoint, params, st, out)
	}
	return out
}

func carrierFails(t *testing.T, n *servertest.Node, ten servertest.Tenant, endpoint string, params url.Values, status int, message string) {
	t.Helper()
	st, out := carrierJSON(t, n, ten, endpoint, params)
	if st != status || out["error"] != message {
		t.Errorf("%s %v: %d %v; want %d %q", endpoint, params, st, out, status, message)
	}
}

// demoCSV renders count demo numbers as an inventory file.
func demoCSV(t *testing.T, count int) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(number.CSVHeader)
	for _, e := range number.DemoEntries(count, 7) {
		b := func(v bool) string {
			if v {
				return "1"
			}
			return "0"
		}
		_ = w.Write([]string{e.Number, e.Type, e.Country, e.State, "", "", e.RateCenter, e.City, b(e.SMS), b(e.MMS), b(e.T38), e.Setup.String(), e.Monthly.String()})
	}
	w.Flush()
	return b.String()
}

func postCSV(t *testing.T, n *servertest.Node, token, body string) servertest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, n.URL+"/api/inventory/import", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	return n.Send(t, req)
}

// TestNumbersNewUserWalk is the README's walk as a new user takes it: the
// demo inventory, a state's numbers, three reserved, an order generated
// and processed (refused first without funds), the numbers in getnumbers
// and get_dids, the charge in the ledger, one released into quarantine.
func TestNumbersNewUserWalk(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		if r := postCSV(t, n, n.AdminToken, demoCSV(t, 600)); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"imported":600`) {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		alice := n.MustTenant(t, n.AdminToken, "", "Alice Telecom", "customer")
		bob := n.MustTenant(t, n.AdminToken, "", "Bob Telecom", "customer")
		if r := postCSV(t, n, alice.Token, demoCSV(t, 1)); r.Status != http.StatusForbidden {
			t.Errorf("a customer imports inventory: %d %s", r.Status, r.Body)
		}

		states := carrierOK(t, n, alice, "availabilitystate", nil)["data"].([]any)
		if len(states) < 20 {
			t.Fatalf("availabilitystate = %v", states)
		}
		state := states[0].(string)
		for _, st := range states {
			if st == "WA" {
				state = "WA"
			}
		}
		npanxx := carrierOK(t, n, alice, "availabilitynpanxx", url.Values{"state": {state}})["data"].([]any)
		if len(npanxx) == 0 || len(npanxx[0].(map[string]any)["NPANXX"].(string)) != 6 {
			t.Fatalf("availabilitynpanxx = %v", npanxx)
		}
		dids := carrierOK(t, n, alice, "searchdid", url.Values{"state": {state}})["DIDs"].([]any)
		if len(dids) < 3 {
			t.Fatalf("searchdid WA = %v", dids)
		}
		var three []string
		for _, d := range dids[:3] {
			three = append(three, d.(map[string]any)["TN"].(string))
		}
		first := npanxx[0].(map[string]any)["NPANXX"].(string)
		for _, d := range carrierOK(t, n, alice, "searchdid", url.Values{"state": {state}, "NPANXX": {first}})["DIDs"].([]any) {
			if !strings.HasPrefix(d.(map[string]any)["TN"].(string), first) {
				t.Errorf("searchdid NPANXX %s found %v", first, d)
			}
		}
		if got := carrierOK(t, n, alice, "searchdid", url.Values{"state": {state}, "NPANXXYYYY": {three[1]}})["DIDs"].([]any); len(got) != 1 {
			t.Errorf("searchdid NPANXXYYYY = %v", got)
		}

		res := carrierOK(t, n, alice, "reserve", url.Values{"category": {"landline"}, "state": {state}, "number": {three[0]}})
		res2 := carrierOK(t, n, alice, "reserve", url.Values{"category": {"landline"}, "number": {three[1] + "," + three[2]}})
		if res["reserveId"] != res2["reserveId"] || len(res2["TNs"].([]any)) != 3 {
			t.Fatalf("reserve = %v then %v; want one cart of three", res, res2)
		}
		carrierFails(t, n, bob, "reserve", url.Values{"category": {"landline"}, "number": {three[0]}}, http.StatusConflict, "Invalid number")
		if got := carrierOK(t, n, bob, "searchdid", url.Values{"state": {state}, "NPANXXYYYY": {three[0]}})["DIDs"].([]any); len(got) != 0 {
			t.Errorf("a held number is searchable by others: %v", got)
		}
		order := carrierOK(t, n, alice, "gen_order", url.Values{"trunk_id": {"0"}, "reserveId": {res["reserveId"].(string)}})
		if len(order["numbers"].([]any)) != 3 || order["didCategory"] != "Landline" {
			t.Fatalf("gen_order = %v", order)
		}
		oid := url.Values{"orderId": {order["orderId"].(string)}}
		carrierFails(t, n, alice, "process_order", oid, http.StatusPaymentRequired, "Insufficient balance")
		carrierFails(t, n, bob, "process_order", oid, http.StatusNotFound, "Invalid orderId")
		if got := carrierOK(t, n, alice, "getnumbers", nil)["data"].([]any); len(got) != 0 {
			t.Fatalf("numbers moved without money: %v", got)
		}
		mustOK(t, n, http.MethodPost, "/api/transactions", n.AdminToken, map[string]any{"account_id": alice.AccountID, "activity": "manual_credit", "credit": "100"})
		carrierOK(t, n, alice, "process_order", oid)
		carrierFails(t, n, alice, "process_order", oid, http.StatusConflict, "Conflict")

		owned := carrierOK(t, n, alice, "getnumbers", nil)["data"].([]any)
		if len(owned) != 3 || owned[0].(map[string]any)["didnumber"] != three[0] || owned[0].(map[string]any)["status"] != "1" {
			t.Fatalf("getnumbers = %v", owned)
		}
		orders := carrierOK(t, n, alice, "get_new_orders", nil)["Orders"].([]any)
		if len(orders) != 1 || orders[0].(map[string]any)["status"] != "1" || orders[0].(map[string]any)["amount"] != order["amount"] {
			t.Errorf("get_new_orders = %v", orders)
		}
		vdids := vmu(t, n, "json", "get_dids", vmuCreds(alice)).ok(t, "get_dids")
		raw, _ := json.Marshal(vdids.Content)
		for _, tn := range three {
			if !strings.Contains(string(raw), `"phone_number":"`+tn+`"`) {
				t.Errorf("get_dids lacks %s: %s", tn, raw)
			}
		}
		txs := mustOK(t, n, http.MethodGet, "/api/transactions?"+url.Values{"filter": {"activity eq 'Order (New DIDs)'"}}.Encode(), alice.Token, nil)
		items := txs["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["debit"] != order["amount"].(string)+"000" {
			t.Errorf("the order's charge in the ledger: %v; want one debit of %v", txs, order["amount"])
		}

		vmu(t, n, "json", "delete_did", vmuCreds(alice, "phone_number", three[2])).ok(t, "delete_did")
		if got := carrierOK(t, n, alice, "getnumbers", nil)["data"].([]any); len(got) != 2 {
			t.Errorf("after release getnumbers = %v", got)
		}
		q := mustOK(t, n, http.MethodGet, "/api/inventory?"+url.Values{"filter": {"status eq 'quarantined'"}}.Encode(), n.AdminToken, nil)
		if q["count"] != 1.0 || q["items"].([]any)[0].(map[string]any)["national"] != three[2] {
			t.Errorf("quarantined = %v", q)
		}
		if got := carrierOK(t, n, bob, "searchdid", url.Values{"state": {state}, "NPANXXYYYY": {three[2]}})["DIDs"].([]any); len(got) != 0 {
			t.Errorf("a quarantined number is searchable: %v", got)
		}
	})
}

// TestNumbersDialectAnswers checks each dialect's answers and documented
// errors on the number endpoints.
func TestNumbersDialectAnswers(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		file := "number,type,country,state,npa,nxx,ratecenter,city,sms,mms,t38,setup_price,monthly_price\n" +
			"+12062191000,local,US,WA,206,219,SEATTLE,Seattle,1,0,1,1,2\n" +
			"+12062191234,local,US,WA,206,219,SEATTLE,Seattle,0,0,0,1,2\n" +
			"+12062195577,local,US,WA,206,219,SEATTLE,Seattle,1,0,0,1,2\n" +
			"+15039991234,local,US,OR,,,PORTLAND,Portland,1,0,0,1,2\n" +
			"+18005550199,tollfree,US,,,,,,0,0,0,2,2\n" +
			"+18665551234,tollfree,US,,,,,,0,0,0,2,2\n"
		if r := postCSV(t, n, n.AdminToken, file); r.Status != http.StatusOK {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		bad := postCSV(t, n, n.AdminToken, "number,type,country,state,npa,nxx,ratecenter,city,sms,mms,t38,setup_price,monthly_price\n"+
			"+12062191999,local,US,WA,,,,,0,0,0,1,1\nabc,local,US,WA,,,,,0,0,0,1,1\n+12062191998,mobile,US,WA,,,,,0,0,0,1,1\n+12062191000,local,US,WA,,,,,0,0,0,1,1\n")
		e := expectError(t, "bad import", bad, http.StatusBadRequest, "VALIDATE_FAILED", "")
		if len(e.Errors) != 2 || e.Errors[0].Detail != "line 3: number" || e.Errors[1].Detail != "line 4: type" {
			t.Errorf("bad import lists %+v; want lines 3 and 4", e.Errors)
		}
		if r := postCSV(t, n, n.AdminToken, "number,type,country,state,npa,nxx,ratecenter,city,sms,mms,t38,setup_price,monthly_price\n+12062191000,local,US,WA,,,,,0,0,0,1,1\n"); r.Status != http.StatusConflict {
			t.Errorf("re-import of a number in inventory: %d %s", r.Status, r.Body)
		}
		if got := mustOK(t, n, http.MethodGet, "/api/inventory", n.AdminToken, nil); got["count"] != 6.0 {
			t.Fatalf("inventory after refused imports = %v; want the 6 of the good file", got["count"])
		}
		c := n.MustTenant(t, n.AdminToken, "", "Carol", "customer")
		mustOK(t, n, http.MethodPost, "/api/transactions", n.AdminToken, map[string]any{"account_id": c.AccountID, "activity": "manual_credit", "credit": "100"})

		for _, b := range []struct {
			endpoint string
			params   url.Values
			msg      string
		}{
			{"availabilitynpanxx", nil, "Invalid state"},
			{"availabilitynpanxx", url.Values{"state": {"Washington"}}, "Invalid state"},
			{"searchdid", url.Values{"state": {"WA"}, "NPANXX": {"20621"}}, "Invalid NPANXX"},
			{"searchdid", url.Values{"state": {"WA"}, "NPANXXYYYY": {"206219"}}, "Invalid NPANXXYYYY"},
			{"searchtfn", url.Values{"tfn_prefix": {"123"}}, "Invalid tfn_prefix"},
			{"reserve", url.Values{"category": {"fax"}, "number": {"2062191000"}}, "Invalid category"},
			{"reserve", url.Values{"category": {"landline"}, "number": {"20621910"}}, "Invalid number"},
			{"bulkreserve", url.Values{"category": {"landline"}, "quantity": {"0"}}, "Invalid quantity"},
			{"bulkreserve", url.Values{"category": {"landline"}, "quantity": {"1001"}}, "Invalid quantity"},
			{"remove_reserved", url.Values{"reserveId": {"abc"}}, "Invalid reserveId"},
			{"remove_reserved", url.Values{"reserveId": {"42"}}, "Invalid reserveId"},
			{"gen_order", url.Values{"trunk_id": {"1"}, "reserveId": {"42"}}, "Invalid reserveId"},
			{"process_order", url.Values{"orderId": {"42"}}, "Invalid orderId"},
			{"get_new_orders", url.Values{"orderId": {"42"}}, "Invalid orderId"},
			{"getnumbers", url.Values{"status": {"7"}}, "Invalid status"},
			{"updatenumber", url.Values{"number": {"2062191000"}}, "Invalid number"},
		} {
			st, out := carrierJSON(t, n, c, b.endpoint, b.params)
			if st < 400 || out["error"] != b.msg {
				t.Errorf("%s %v: %d %v; want %q", b.endpoint, b.params, st, out, b.msg)
			}
		}
		if got := carrierOK(t, n, c, "searchtfn", url.Values{"tfn_prefix": {"866"}})["TFNs"].([]any); len(got) != 1 || got[0].(map[string]any)["TN"] != "8665551234" {
			t.Errorf("searchtfn 866 = %v", got)
		}
		bulk := carrierOK(t, n, c, "bulkreserve", url.Values{"category": {"landline"}, "state": {"WA"}, "quantity": {"2"}})
		if tns := bulk["TNs"].([]any); len(tns) != 2 || tns[0] != "2062191000" || tns[1] != "2062191234" {
			t.Errorf("bulkreserve = %v; want the first two ascending", bulk)
		}
		carrierFails(t, n, c, "bulkreserve", url.Values{"category": {"landline"}, "state": {"WA"}, "quantity": {"5"}}, http.StatusConflict, "Invalid quantity")
		rm := carrierOK(t, n, c, "remove_reserved", url.Values{"reserveId": {bulk["reserveId"].(string)}, "number": {"2062191234,2062195577"}})
		if rm["Removed TNs"].([]any)[0] != "2062191234" || rm["TNs not available"].([]any)[0] != "2062195577" {
			t.Errorf("remove_reserved = %v", rm)
		}

		// voicemeup: reference data, search with patterns, activation.
		creds := vmuCreds(c)
		ex := vmu(t, n, "json", "get_did_exchanges", mergeValues(creds, url.Values{"npa": {"206"}})).ok(t, "exchanges")
		raw, _ := json.Marshal(ex.Content)
		if !strings.Contains(string(raw), `"ratecenter_id":"206219"`) {
			t.Errorf("get_did_exchanges = %s", raw)
		}
		areas := vmu(t, n, "json", "get_did_areacodes", mergeValues(creds, url.Values{"state_id": {"62"}})).ok(t, "areacodes")
		if raw, _ := json.Marshal(areas.Content); !strings.Contains(string(raw), `"npa":"206"`) || strings.Contains(string(raw), `"npa":"503"`) {
			t.Errorf("get_did_areacodes of Washington = %s", raw)
		}
		vmu(t, n, "json", "get_ratecenters", mergeValues(creds, url.Values{"npa": {"20"}})).wantCodes(t, "bad npa", "npa_invalid")
		vmu(t, n, "json", "get_ratecenters", mergeValues(creds, url.Values{"result_limit": {"0"}})).wantCodes(t, "bad limit", "result_limit_invalid")
		vmu(t, n, "json", "get_new_dids", mergeValues(creds, url.Values{"included_patterns": {"pattern_lucky"}})).wantDetail(t, "bad pattern", "internal_error-invalid_argument", "included_patterns")
		vmu(t, n, "json", "get_new_dids", mergeValues(creds, url.Values{"order": {"sideways"}})).wantDetail(t, "bad order", "internal_error-invalid_argument", "order")
		pairs := vmu(t, n, "json", "get_new_dids", mergeValues(creds, url.Values{"included_patterns": {"pattern_double_digits_pair"}})).ok(t, "pairs")
		if raw, _ := json.Marshal(pairs.Content); !strings.Contains(string(raw), `"2062195577"`) || strings.Contains(string(raw), `"5039991234"`) {
			t.Errorf("pattern_double_digits_pair = %s", raw)
		}
		district := vmu(t, n, "json", "get_new_dids", mergeValues(creds, url.Values{"district": {"port"}, "sms_support": {"1"}})).ok(t, "district")
		if raw, _ := json.Marshal(district.Content); !strings.Contains(string(raw), `"5039991234"`) || strings.Contains(string(raw), `"206`) {
			t.Errorf("district port = %s", raw)
		}
		vmu(t, n, "json", "activate_new_did", creds).wantDetail(t, "activate without a number", "required_parameter_not_found", "phone_number")
		vmu(t, n, "json", "activate_new_did", mergeValues(creds, url.Values{"phone_number": {"5039991234"}})).ok(t, "activate")
		vmu(t, n, "json", "activate_new_did", mergeValues(creds, url.Values{"phone_number": {"5039991234"}})).wantCodes(t, "activate twice", "phone_number_invalid")
		vmu(t, n, "json", "update_did", mergeValues(creds, url.Values{"phone_number": {"5039991234"}, "peer_timeout": {"20"}})).
			wantDetail(t, "update without usage_type", "required_parameter_not_found", "usage_type")
		vmu(t, n, "json", "update_did", mergeValues(creds, url.Values{"phone_number": {"5039991234"}, "usage_type": {"default"}, "peer_timeout": {"7"}})).
			wantCodes(t, "bad peer_timeout", "peer_timeout_invalid")
		vmu(t, n, "json", "update_did", mergeValues(creds, url.Values{"phone_number": {"5039991234"}, "usage_type": {"default"},
			"options": {"enable_forwarding"}, "forward_number": {"5145550100"}})).ok(t, "update")
		up := vmu(t, n, "json", "update_did", mergeValues(creds, url.Values{"phone_number": {"5039991234"}, "preserve_missing_data": {"1"}, "peer_timeout": {"20"}})).ok(t, "preserve")
		if raw, _ := json.Marshal(up.Content); !strings.Contains(string(raw), `"forward_number":"5145550100"`) || !strings.Contains(string(raw), `"peer_timeout":"20"`) {
			t.Errorf("preserve_missing_data lost a setting: %s", raw)
		}
		vmu(t, n, "json", "delete_did", mergeValues(creds, url.Values{"client_did_id": {"42"}})).wantCodes(t, "delete unknown", "client_did_id_invalid")
		req := vmu(t, n, "json", "order_new_dids", mergeValues(creds, url.Values{"prefix": {"206219"}, "quantity": {"5"}, "capacity": {"5-10"}})).ok(t, "order_new_dids")
		if len(req.Codes) != 1 || req.Codes[0] != "did_order_id" {
			t.Errorf("order_new_dids = %v", req.Codes)
		}
		vmu(t, n, "json", "order_new_dids", mergeValues(creds, url.Values{"quantity": {"5"}})).wantCodes(t, "no prefix", "prefix_required")
		vmu(t, n, "json", "order_new_dids", mergeValues(creds, url.Values{"prefix": {"206219"}, "quantity": {"5"}, "capacity": {"9"}})).wantCodes(t, "bad capacity", "capacity_invalid")
		list := mustOK(t, n, http.MethodGet, "/api/number_requests", n.AdminToken, nil)
		if list["count"] != 1.0 {
			t.Fatalf("back-orders = %v", list)
		}
		reqID := list["items"].([]any)[0].(map[string]any)["id"].(string)
		if r := n.Do(t, http.MethodPost, "/api/number_requests/"+reqID, c.Token, map[string]any{"status": "fulfilled"}); r.Status != http.StatusNotFound {
			t.Errorf("a customer fulfils its back-order: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodPost, "/api/number_requests/"+reqID, n.AdminToken, map[string]any{"status": "fulfilled"}); r.Status >= 300 {
			t.Errorf("the operator fulfils: %d %s", r.Status, r.Body)
		}

		// native: the owned number and its settings.
		dl := mustOK(t, n, http.MethodGet, "/api/dids", c.Token, nil)
		if dl["count"] != 1.0 {
			t.Fatalf("dids = %v", dl)
		}
		did := dl["items"].([]any)[0].(map[string]any)["id"].(string)
		if r := n.Do(t, http.MethodPost, "/api/dids/"+did, c.Token, map[string]any{"settings": map[string]string{"forward_timeout": "3"}}); r.Status != http.StatusBadRequest ||
			!strings.Contains(string(r.Body), "settings.forward_timeout") {
			t.Errorf("bad setting: %d %s", r.Status, r.Body)
		}
		got := mustOK(t, n, http.MethodPost, "/api/dids/"+did, c.Token, map[string]any{"trunk_id": 9, "settings": map[string]string{"forward_timeout": "30"}})
		if got["trunk_id"] != 9.0 || got["settings"].(map[string]any)["forward_number"] != "5145550100" {
			t.Errorf("update did = %v", got)
		}
		if r := n.Do(t, http.MethodPost, "/api/dids/"+did+"/destroy", c.Token, nil); r.Status != http.StatusNoContent {
			t.Errorf("release: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodGet, "/api/dids/"+did, c.Token, nil); r.Status != http.StatusNotFound {
			t.Errorf("a released did: %d", r.Status)
		}
	})
}

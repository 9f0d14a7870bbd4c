package server_test

// Shared fixtures and assertions of the native API's end-to-end tests: the
// documented error shape, valid request bodies, and a populated tenant.

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
)

// nativeError is the documented native error body.
type nativeError struct {
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

var errorCodeRe = regexp.MustCompile(`^[A-Z][A-Z_]*[A-Z]$`)

// checkErrorShape fails unless r is a 4xx answered with exactly the native
// error shape: a JSON object holding only "errors", a non-empty list of
// objects with exactly the string keys code, message and detail.
func checkErrorShape(tb testing.TB, what string, r servertest.Response) nativeError {
	tb.Helper()
	var out nativeError
	if r.Status < 400 || r.Status > 499 {
		tb.Errorf("%s: status %d, want a 4xx; body %.300s", what, r.Status, r.Body)
		return out
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("%s: content type %q, want application/json; body %.300s", what, ct, r.Body)
		return out
	}
	var raw map[string][]map[string]any
	if err := json.Unmarshal(r.Body, &raw); err != nil || len(raw) != 1 || len(raw["errors"]) == 0 {
		tb.Errorf("%s: body %.300s is not {\"errors\":[...]} (%v)", what, r.Body, err)
		return out
	}
	for _, item := range raw["errors"] {
		keys := slices.Sorted(maps.Keys(item))
		if !slices.Equal(keys, []string{"code", "detail", "message"}) {
			tb.Errorf("%s: error item has keys %v, want code, detail, message", what, keys)
		}
		for _, k := range keys {
			if _, ok := item[k].(string); !ok {
				tb.Errorf("%s: error item %s is %T, want a string", what, k, item[k])
			}
		}
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		tb.Errorf("%s: decode error body: %v", what, err)
	}
	for _, e := range out.Errors {
		if !errorCodeRe.MatchString(e.Code) || e.Message == "" {
			tb.Errorf("%s: error item %+v needs an upper-case code and a message", what, e)
		}
	}
	return out
}

// expectError asserts that r is the native error status/code; a non-empty
// detail must equal the first error's detail.
func expectError(tb testing.TB, what string, r servertest.Response, status int, code, detail string) nativeError {
	tb.Helper()
	if r.Status != status {
		tb.Errorf("%s: status %d, want %d; body %.300s", what, r.Status, status, r.Body)
		return nativeError{}
	}
	e := checkErrorShape(tb, what, r)
	if len(e.Errors) == 0 {
		return e
	}
	if e.Errors[0].Code != code {
		tb.Errorf("%s: code %q, want %q; body %.300s", what, e.Errors[0].Code, code, r.Body)
	}
	if detail != "" && e.Errors[0].Detail != detail {
		tb.Errorf("%s: detail %q, want %q; body %.300s", what, e.Errors[0].Detail, detail, r.Body)
	}
	return e
}

// mustOK performs a request that must answer 200 and returns its object.
func mustOK(tb testing.TB, n *servertest.Node, method, path, token string, body any) map[string]any {
	tb.Helper()
	r := n.Do(tb, method, path, token, body)
	if r.Status != http.StatusOK {
		tb.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	return r.Map(tb)
}

// mustNoContent performs a request that must answer 204 with no body.
func mustNoContent(tb testing.TB, n *servertest.Node, method, path, token string) {
	tb.Helper()
	r := n.Do(tb, method, path, token, nil)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		tb.Fatalf("%s %s: %d %q, want 204 and no body", method, path, r.Status, r.Body)
	}
}

// listBody is the {"count","items"} shape of every collection.
type listBody struct {
	Count int              `json:"count"`
	Items []map[string]any `json:"items"`
}

// mustList GETs a collection (path may carry a query) and checks its shape.
func mustList(tb testing.TB, n *servertest.Node, path, token string) listBody {
	tb.Helper()
	r := n.Do(tb, http.MethodGet, path, token, nil)
	if r.Status != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var raw map[string]json.RawMessage
	r.JSON(tb, &raw)
	if len(raw) != 2 || raw["count"] == nil || raw["items"] == nil {
		tb.Fatalf("GET %s: %s is not {\"count\",\"items\"}", path, r.Body)
	}
	var l listBody
	r.JSON(tb, &l)
	if l.Items == nil {
		tb.Fatalf("GET %s: items is null, want a list", path)
	}
	return l
}

// itemIDs returns the "id" of every item.
func itemIDs(l listBody) []string {
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i], _ = it["id"].(string)
	}
	return out
}

// jsonEqual compares two decoded JSON values by their encoding.
func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// shortJSON renders v as JSON for a test message, cut to 40 bytes.
func shortJSON(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// rawID decodes a native id to the number the voicemeup dialect shows.
func rawID(tb testing.TB, native string) int64 {
	tb.Helper()
	n, err := id.DecodeNative(native)
	if err != nil {
		tb.Fatalf("decode id %q: %v", native, err)
	}
	return n
}

// missingID is a well-formed native id that names nothing.
var missingID = id.EncodeNative(1)

// bodyWith returns a copy of base with the key/value pairs set (a nil value
// deletes the key).
func bodyWith(base map[string]any, kv ...any) map[string]any {
	out := maps.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

// subaccountBody is the smallest valid subaccount create body.
func subaccountBody(kv ...any) map[string]any {
	return bodyWith(map[string]any{"friendly_name": "Main office", "multi_tenancy_mode": "disabled", "status": "enabled"}, kv...)
}

// peerBody is the smallest valid dynamic peer create body.
func peerBody(kv ...any) map[string]any {
	return bodyWith(map[string]any{"friendly_name": "Desk phone", "host_type": "dynamic", "username": "deskphone1",
		"password": "Secret123", "callerid_mode": "device"}, kv...)
}

// addressBody is a valid Canadian billing address (Quebec, state_id 76).
func addressBody(kv ...any) map[string]any {
	return bodyWith(map[string]any{
		"civic_number": 1000, "street": "Rue Sherbrooke", "unit_number": 0, "city": "Montreal",
		"country_id": 38, "state_id": 76, "postal_code": "H2X 1Y4",
	}, kv...)
}

// populated is a reseller tenant holding one of every native resource.
type populated struct {
	servertest.Tenant
	Child      string // a customer account below the tenant
	Subaccount string
	Note       string // the subaccount's comments
	Address    string
	User       string // a readonly user of the tenant
	TokenID    string // an API token of User
	UserToken  string // its secret
	Tariff     string // a tariff the tenant owns
	Rate       string // a call rate of Tariff
	Bundle     string // a bundle the tenant bought
	Pack       string // a call pack the tenant bought
	Peer       string // a peer of the tenant in Subaccount
	PeerUser   string // its SIP username
	Extension  string // an extension of the tenant ringing Peer
	CDR        string // a call record of the tenant
	CallHash   string // its hash
	DID        string // a number the tenant owns
	DIDNumber  string // its E.164
}

// callRateBody is a valid call rate create body.
func callRateBody(kv ...any) map[string]any {
	return bodyWith(map[string]any{
		"prefix": "1514", "type": "LOCAL", "free_seconds": 0, "grace_period": 0, "interval_1": 60, "interval_n": 60,
		"connect_fee": "0", "postcall_surcharge": "0", "price_1": "0.01", "price_n": "0.01",
	}, kv...)
}

// mustPopulate creates a reseller under parentToken with a child account,
// a subaccount with an address, a readonly user and that user's token.
func mustPopulate(tb testing.TB, n *servertest.Node, parentToken, name string) populated {
	tb.Helper()
	p := populated{Tenant: n.MustTenant(tb, parentToken, "", name, "reseller")}
	p.Child = n.MustCreate(tb, "/api/accounts", p.Token, map[string]any{"name": name + " child", "type": "customer"})
	p.Note = name + " secret note"
	p.Subaccount = n.MustCreate(tb, "/api/subaccounts", p.Token, subaccountBody("friendly_name", name+" office", "comments", p.Note))
	p.Address = n.MustCreate(tb, "/api/subaccounts/"+p.Subaccount+"/addresses", p.Token, addressBody())
	p.User = n.MustCreate(tb, "/api/users", p.Token, map[string]any{
		"username": strings.ToLower(strings.ReplaceAll(name, " ", "")) + "-" + p.Number + "-ro",
		"password": "readonly-password", "role": "readonly",
	})
	tok := mustOK(tb, n, http.MethodPost, "/api/tokens", p.Token, map[string]any{"user_id": p.User, "name": name + " token"})
	p.TokenID, p.UserToken = tok["id"].(string), tok["token"].(string)
	p.Tariff = n.MustCreate(tb, "/api/tariffs", p.Token, map[string]any{"name": name + " deck"})
	p.Rate = n.MustCreate(tb, "/api/call_rates?tariff_id="+url.QueryEscape(p.Tariff), p.Token, callRateBody())
	mustOK(tb, n, http.MethodPost, "/api/transactions", parentToken, map[string]any{"account_id": p.AccountID, "activity": "manual_credit", "credit": "100"})
	p.Bundle = n.MustCreate(tb, "/api/bundles", p.Token, map[string]any{"bundle_type": 2})
	p.Pack = n.MustCreate(tb, "/api/call_packs", p.Token, map[string]any{"pack_id": 13})
	p.PeerUser = "peer" + p.Number
	p.Peer = n.MustCreate(tb, "/api/peers", p.Token, peerBody("username", p.PeerUser, "subaccount_id", p.Subaccount))
	p.Extension = n.MustCreate(tb, "/api/extensions", p.Token, map[string]any{"extension": 2000, "friendly_name": name + " desk", "peer_ids": []string{p.Peer}})
	p.CDR, p.CallHash = mustCDR(tb, n, p.AccountID)
	p.DIDNumber, p.DID = mustOwnNumber(tb, n, p.Tenant)
	return p
}

// populatedNumbers makes the numbers of populated tenants unique.
var populatedNumbers atomic.Int64

// mustOwnNumber puts a free number in inventory (as the operator) and
// buys it for ten through the carrier dialect; it returns its E.164 and
// native id.
func mustOwnNumber(tb testing.TB, n *servertest.Node, ten servertest.Tenant) (string, string) {
	tb.Helper()
	national := fmt.Sprintf("206555%04d", 9000+populatedNumbers.Add(1)%1000)
	numberID := n.MustCreate(tb, "/api/inventory", n.AdminToken, map[string]any{"number": "+1" + national, "city": "Seattle"})
	creds := url.Values{"token": {ten.Token}, "accountno": {ten.Number}}
	r := n.Form(tb, "/carrier/reserve", mergeValues(creds, url.Values{"category": {"landline"}, "number": {national}}))
	var res struct {
		ReserveID string `json:"reserveId"`
		OrderID   string `json:"orderId"`
	}
	if err := json.Unmarshal(r.Body, &res); err != nil || res.ReserveID == "" {
		tb.Fatalf("reserve %s: %d %s", national, r.Status, r.Body)
	}
	r = n.Form(tb, "/carrier/gen_order", mergeValues(creds, url.Values{"trunk_id": {"0"}, "reserveId": {res.ReserveID}}))
	if err := json.Unmarshal(r.Body, &res); err != nil || res.OrderID == "" {
		tb.Fatalf("gen_order: %d %s", r.Status, r.Body)
	}
	if r = n.Form(tb, "/carrier/process_order", mergeValues(creds, url.Values{"orderId": {res.OrderID}})); r.Status != http.StatusOK {
		tb.Fatalf("process_order: %d %s", r.Status, r.Body)
	}
	return "+1" + national, numberID
}

// snapshot reads every resource of p with p's own credential, so a later
// snapshot shows whether anything changed. Tokens leave out last_used_at,
// which legitimately moves when the token is used.
func (p populated) snapshot(tb testing.TB, n *servertest.Node) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, path := range []string{
		"/api/accounts/" + p.AccountID, "/api/accounts/" + p.Child,
		"/api/subaccounts/" + p.Subaccount, "/api/subaccounts/" + p.Subaccount + "/addresses",
		"/api/subaccount_addresses/" + p.Address,
		"/api/users/" + p.UserID, "/api/users/" + p.User, "/api/tokens/" + p.TokenID,
		"/api/tariffs/" + p.Tariff, "/api/call_rates/" + p.Rate, "/api/peers/" + p.Peer,
		"/api/extensions/" + p.Extension, "/api/cdrs/" + p.CDR,
		"/api/bundles/" + p.Bundle, "/api/call_packs/" + p.Pack, "/api/dids/" + p.DID,
	} {
		m := mustOK(tb, n, http.MethodGet, path, p.Token, nil)
		delete(m, "last_used_at")
		b, _ := json.Marshal(m)
		out[path] = string(b)
	}
	return out
}

// ids lists the native ids of everything p holds.
func (p populated) ids() []string {
	return []string{p.AccountID, p.Child, p.Subaccount, p.Address, p.UserID, p.User, p.TokenID, p.Tariff, p.Rate, p.Bundle, p.Pack, p.Peer, p.Extension, p.CDR, p.DID}
}

// secrets lists strings that only p's own credentials may ever see.
func (p populated) secrets(tb testing.TB) []string {
	tb.Helper()
	out := []string{p.Number, p.Username, p.UserToken, p.Token, p.Note, p.PeerUser, p.CallHash}
	for _, nid := range p.ids() {
		out = append(out, nid, fmt.Sprint(rawID(tb, nid)))
	}
	return out
}

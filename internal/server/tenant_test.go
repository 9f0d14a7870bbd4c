package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
)

// attacker is a tenant walking the victim's resources. knows lists what of
// the victim it may legitimately see (a child sees its parent's id in its
// own account's parent_id).
type attacker struct {
	name   string
	tenant servertest.Tenant
	knows  []string
}

// publicRoute reports whether a pattern needs no credential.
func publicRoute(pattern string) bool {
	_, path := splitPattern(pattern)
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/openapi", "/api/docs", "/api/schemas", "/api/login"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// TestTenantWalk walks every route the router holds with the credentials of
// two other tenants (a sibling reseller and the victim's own customer)
// against a victim's resources: each answer must be the not-found of the
// route's dialect, indistinguishable from an id that names nothing, and the
// victim's resources must be unchanged afterwards. A route the walk does
// not know fails it.
func TestTenantWalk(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30}) // a long walk; limits have their own test
		victim := mustPopulate(t, n, n.AdminToken, "Victim Co")
		attackers := []attacker{
			{name: "sibling reseller", tenant: mustPopulate(t, n, n.AdminToken, "Sibling Co").Tenant},
			{name: "victim's customer", tenant: n.MustTenant(t, victim.Token, "", "Customer Of Victim", "customer"), knows: []string{victim.AccountID}},
		}
		before := victim.snapshot(t, n)
		vmuTypes := implementedRequestTypes(t, n, victim.Tenant)

		for _, a := range attackers {
			t.Run(strings.ReplaceAll(a.name, " ", "_"), func(t *testing.T) {
				var secrets []string
				for _, s := range victim.secrets(t) {
					if !slices.Contains(a.knows, s) && !slices.Contains(a.knows, encodedOf(s)) {
						secrets = append(secrets, s)
					}
				}
				cases := nativeTenantCases()
				for _, p := range n.Server.Router.Patterns() {
					method, path := splitPattern(p)
					switch {
					case publicRoute(p):
					case strings.HasPrefix(path, "/api/v1.1/"), strings.HasPrefix(path, "/xml_engine/"):
						walkVoicemeup(t, n, p, vmuTypes, a, victim, secrets)
					case path == "/carrier", strings.HasPrefix(path, "/carrier/"), path == "/voip", strings.HasPrefix(path, "/voip/"):
						walkOtherDialect(t, n, method, path, a, victim, secrets)
					case nativePattern(p):
						c, ok := cases[p]
						if !ok {
							t.Errorf("route %q is not covered by the tenant walk: add it to nativeTenantCases", p)
							continue
						}
						c.walk(t, n, method, path, a, victim, secrets)
					default:
						t.Errorf("route %q is not covered by the tenant walk", p)
					}
				}
			})
		}
		after := victim.snapshot(t, n)
		for path, b := range before {
			if after[path] != b {
				t.Errorf("%s changed during the walk:\n before %s\n after  %s", path, b, after[path])
			}
		}
		mustOK(t, n, http.MethodGet, "/api/subaccounts/"+victim.Subaccount, victim.UserToken, nil)
	})
}

// encodedOf returns the native rendering of a raw decimal id ("" if s is
// not one), so that knows may list either form.
func encodedOf(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		return ""
	}
	return id.EncodeNative(n)
}

// tenantCase is how the walk exercises one native route.
type tenantCase struct {
	ids   func(v populated) []string // substituted for {id}
	body  func(v populated) map[string]any
	query func(v populated) url.Values
	csv   string // a text/csv body instead of JSON
	ref   string // the body field or query parameter naming the victim's resource
	// operatorOnly marks a route only the operator's admins may use on
	// platform-wide rows that belong to no tenant: every tenant is refused.
	operatorOnly bool
	// shared marks a list of the platform's catalog, the same items for
	// every tenant (each with its own prices): it must answer and show
	// nothing of the victim, but takes no filter.
	shared bool
}

// victimDeck is a valid call-rate deck for the import route.
const victimDeck = "prefix,type,free_seconds,grace_period,interval_1,interval_n,connect_fee,postcall_surcharge,price_1,price_n,description\n" +
	"1,LOCAL,0,0,60,60,0,0,0.5,0.5,hijack\n"

// victimInventory is a valid inventory file for the import route.
const victimInventory = "number,type,country,state,npa,nxx,ratecenter,city,sms,mms,t38,setup_price,monthly_price\n" +
	"+12065550177,local,US,WA,206,555,SEATTLE,Seattle,0,0,0,0,0\n"

func nativeTenantCases() map[string]tenantCase {
	accounts := func(v populated) []string { return []string{v.AccountID, v.Child} }
	subs := func(v populated) []string { return []string{v.Subaccount} }
	addrs := func(v populated) []string { return []string{v.Address} }
	users := func(v populated) []string { return []string{v.UserID, v.User} }
	tokens := func(v populated) []string { return []string{v.TokenID} }
	tariffs := func(v populated) []string { return []string{v.Tariff} }
	rates := func(v populated) []string { return []string{v.Rate} }
	peers := func(v populated) []string { return []string{v.Peer} }
	exts := func(v populated) []string { return []string{v.Extension} }
	cdrs := func(v populated) []string { return []string{v.CDR} }
	body := func(m map[string]any) func(populated) map[string]any {
		return func(populated) map[string]any { return m }
	}
	inTariff := func(v populated) url.Values { return url.Values{"tariff_id": {v.Tariff}} }
	bundles := func(v populated) []string { return []string{v.Bundle} }
	packs := func(v populated) []string { return []string{v.Pack} }
	dids := func(v populated) []string { return []string{v.DID} }
	return map[string]tenantCase{
		"GET /api/accounts":     {},
		"GET /api/subaccounts":  {},
		"GET /api/users":        {},
		"GET /api/tokens":       {},
		"GET /api/tariffs":      {},
		"GET /api/call_rates":   {},
		"GET /api/transactions": {},
		"POST /api/transactions": {ref: "account_id", body: func(v populated) map[string]any {
			return map[string]any{"account_id": v.AccountID, "activity": "manual_credit", "credit": "5"}
		}},
		"GET /api/accounts/{id}/balance": {ids: accounts},
		"POST /api/accounts":             {ref: "parent_id", body: func(v populated) map[string]any { return map[string]any{"name": "Hijack", "parent_id": v.AccountID} }},
		"POST /api/subaccounts":          {ref: "account_id", body: func(v populated) map[string]any { return subaccountBody("account_id", v.AccountID) }},
		"POST /api/users": {ref: "account_id", body: func(v populated) map[string]any {
			return map[string]any{"account_id": v.AccountID, "username": "hijacker-" + v.Number, "password": "hijack-password"}
		}},
		"POST /api/tokens":  {ref: "user_id", body: func(v populated) map[string]any { return map[string]any{"user_id": v.User} }},
		"POST /api/tariffs": {ref: "account_id", body: func(v populated) map[string]any { return map[string]any{"name": "Hijack", "account_id": v.AccountID} }},
		"POST /api/rate": {ref: "account_id", body: func(v populated) map[string]any {
			return map[string]any{"destination": "15145550000", "duration": 60, "account_id": v.AccountID}
		}},
		"GET /api/rate/max_duration": {ref: "account_id", query: func(v populated) url.Values {
			return url.Values{"destination": {"15145550000"}, "balance": {"1"}, "account_id": {v.AccountID}}
		}},
		"POST /api/call_rates":                        {ref: "tariff_id", query: inTariff, body: body(callRateBody("prefix", "1999"))},
		"GET /api/call_rates/export":                  {ref: "tariff_id", query: inTariff},
		"POST /api/call_rates/import":                 {ref: "tariff_id", query: inTariff, csv: victimDeck},
		"GET /api/accounts/{id}":                      {ids: accounts},
		"POST /api/accounts/{id}":                     {ids: accounts, body: body(map[string]any{"name": "Hijacked"})},
		"POST /api/accounts/{id}/destroy":             {ids: accounts},
		"DELETE /api/accounts/{id}":                   {ids: accounts},
		"GET /api/subaccounts/{id}":                   {ids: subs},
		"POST /api/subaccounts/{id}":                  {ids: subs, body: body(map[string]any{"friendly_name": "Hijacked"})},
		"POST /api/subaccounts/{id}/destroy":          {ids: subs},
		"DELETE /api/subaccounts/{id}":                {ids: subs},
		"GET /api/subaccounts/{id}/addresses":         {ids: subs},
		"POST /api/subaccounts/{id}/addresses":        {ids: subs, body: body(addressBody())},
		"GET /api/subaccount_addresses/{id}":          {ids: addrs},
		"POST /api/subaccount_addresses/{id}":         {ids: addrs, body: body(map[string]any{"city": "Hijacked"})},
		"POST /api/subaccount_addresses/{id}/destroy": {ids: addrs},
		"DELETE /api/subaccount_addresses/{id}":       {ids: addrs},
		"GET /api/users/{id}":                         {ids: users},
		"POST /api/users/{id}":                        {ids: users, body: body(map[string]any{"email": "evil@example.com", "password": "taken-over"})},
		"POST /api/users/{id}/destroy":                {ids: users},
		"DELETE /api/users/{id}":                      {ids: users},
		"GET /api/tokens/{id}":                        {ids: tokens},
		"POST /api/tokens/{id}/destroy":               {ids: tokens},
		"DELETE /api/tokens/{id}":                     {ids: tokens},
		"GET /api/tariffs/{id}":                       {ids: tariffs},
		"POST /api/tariffs/{id}":                      {ids: tariffs, body: body(map[string]any{"name": "Hijacked"})},
		"POST /api/tariffs/{id}/destroy":              {ids: tariffs},
		"DELETE /api/tariffs/{id}":                    {ids: tariffs},
		"GET /api/call_rates/{id}":                    {ids: rates},
		"POST /api/call_rates/{id}":                   {ids: rates, body: body(map[string]any{"price_1": "9"})},
		"POST /api/call_rates/{id}/destroy":           {ids: rates},
		"DELETE /api/call_rates/{id}":                 {ids: rates},
		"GET /api/payments":                           {},
		"GET /api/peers":                              {},
		"POST /api/peers": {ref: "account_id", body: func(v populated) map[string]any {
			return peerBody("account_id", v.AccountID, "username", "hijack"+v.Number)
		}},
		"GET /api/peers/{id}":               {ids: peers},
		"POST /api/peers/{id}":              {ids: peers, body: body(map[string]any{"password": "Hijacked1"})},
		"POST /api/peers/{id}/destroy":      {ids: peers},
		"DELETE /api/peers/{id}":            {ids: peers},
		"GET /api/peers/{id}/registrations": {ids: peers},
		"GET /api/extensions":               {},
		"POST /api/extensions": {ref: "account_id", body: func(v populated) map[string]any {
			return map[string]any{"account_id": v.AccountID, "extension": 3000, "friendly_name": "Hijack"}
		}},
		"GET /api/extensions/{id}":              {ids: exts},
		"POST /api/extensions/{id}":             {ids: exts, body: body(map[string]any{"friendly_name": "Hijacked"})},
		"POST /api/extensions/{id}/destroy":     {ids: exts},
		"DELETE /api/extensions/{id}":           {ids: exts},
		"GET /api/cdrs":                         {},
		"GET /api/cdrs/{id}":                    {ids: cdrs},
		"GET /api/command_prices":               {},
		"POST /api/command_prices":              {operatorOnly: true, body: body(map[string]any{"dialect": "native", "command": "GET /api/accounts", "price": "1"})},
		"GET /api/command_prices/{id}":          {ids: accounts}, // ids that name no price: prices belong to no tenant
		"POST /api/command_prices/{id}":         {ids: accounts, body: body(map[string]any{"price": "0"})},
		"POST /api/command_prices/{id}/destroy": {ids: accounts},
		"DELETE /api/command_prices/{id}":       {ids: accounts},
		"GET /api/payments/{id}":                {ids: accounts}, // populated has no payment: ids never the attacker's payments; TestPayments walks real ones
		"POST /api/payments": {ref: "account_id", body: func(v populated) map[string]any {
			return map[string]any{"account_id": v.AccountID, "method": "bank_transfer", "amount": "5", "reference": "hijack"}
		}},
		"GET /api/bundle_types":    {shared: true},
		"GET /api/call_pack_types": {shared: true},
		// A type's path id is its number: a victim's id names no type, and
		// an attacker's price is its own.
		"POST /api/bundle_types/{id}":       {ids: accounts, body: body(map[string]any{"price": "1"})},
		"POST /api/call_pack_types/{id}":    {ids: accounts, body: body(map[string]any{"price": "1"})},
		"GET /api/bundles":                  {},
		"POST /api/bundles":                 {ref: "account_id", body: func(v populated) map[string]any { return map[string]any{"account_id": v.AccountID, "bundle_type": 1} }},
		"GET /api/bundles/{id}":             {ids: bundles},
		"POST /api/bundles/{id}":            {ids: bundles, body: body(map[string]any{"auto_renew": true, "bundle_type": 1})},
		"POST /api/bundles/{id}/renew":      {ids: bundles},
		"POST /api/bundles/{id}/destroy":    {ids: bundles},
		"DELETE /api/bundles/{id}":          {ids: bundles},
		"GET /api/call_packs":               {},
		"POST /api/call_packs":              {ref: "account_id", body: func(v populated) map[string]any { return map[string]any{"account_id": v.AccountID, "pack_id": 20} }},
		"GET /api/call_packs/{id}":          {ids: packs},
		"POST /api/call_packs/{id}/renew":   {ids: packs},
		"POST /api/call_packs/{id}/destroy": {ids: packs},
		"DELETE /api/call_packs/{id}":       {ids: packs},
		// populated has no invoice: TestInvoiceTenancy walks real ones.
		"GET /api/invoices":          {},
		"GET /api/invoices/{id}":     {ids: accounts},
		"GET /api/invoices/{id}/pdf": {ids: accounts},
		"POST /api/invoices": {ref: "account_id", body: func(v populated) map[string]any {
			return map[string]any{"account_id": v.AccountID, "from": "2026-01-01", "to": "2026-01-31"}
		}},
		// Inventory is the operator's: others list numbers in stock (the
		// victim's own is not), and every write answers as for no number.
		"GET /api/inventory":               {},
		"GET /api/inventory/{id}":          {ids: dids},
		"POST /api/inventory":              {operatorOnly: true, body: body(map[string]any{"number": "+12065550188"})},
		"POST /api/inventory/import":       {operatorOnly: true, csv: victimInventory},
		"POST /api/inventory/{id}/destroy": {ids: dids},
		"DELETE /api/inventory/{id}":       {ids: dids},
		"GET /api/dids":                    {},
		"GET /api/dids/{id}":               {ids: dids},
		"POST /api/dids/{id}":              {ids: dids, body: body(map[string]any{"trunk_id": 5})},
		"POST /api/dids/{id}/destroy":      {ids: dids},
		"DELETE /api/dids/{id}":            {ids: dids},
		"GET /api/number_requests":         {},
		"POST /api/number_requests/{id}":   {ids: accounts, body: body(map[string]any{"status": "fulfilled"})},
		"GET /api/accounts/{id}/tax_rate":  {ids: accounts},
		"POST /api/accounts/{id}/tax_rate": {ids: accounts, body: body(map[string]any{"tax_rate": "0.5"})},
	}
}

// send performs the case's request on target with the attacker's token.
func (c tenantCase) send(t *testing.T, n *servertest.Node, method, target, token string, q url.Values, body map[string]any) servertest.Response {
	t.Helper()
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	if c.csv == "" {
		if body == nil {
			return n.Do(t, method, target, token, nil)
		}
		return n.Do(t, method, target, token, body)
	}
	req, err := http.NewRequest(method, n.URL+target, strings.NewReader(c.csv))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	return n.Send(t, req)
}

// walk sends the route's request with the attacker's token. Item routes
// must answer NOT_FOUND exactly as for an id that names nothing; requests
// naming the victim's resource in a field or parameter must be refused
// exactly as for an absent one; lists must not show the victim, even
// filtered by its ids.
func (c tenantCase) walk(t *testing.T, n *servertest.Node, method, path string, a attacker, v populated, secrets []string) {
	t.Helper()
	tok := a.tenant.Token
	var body map[string]any
	if c.body != nil {
		body = c.body(v)
	}
	var q url.Values
	if c.query != nil {
		q = c.query(v)
	}
	leaks := func(what string, r servertest.Response) {
		t.Helper()
		for _, s := range secrets {
			if bytes.Contains(r.Body, []byte(s)) {
				t.Errorf("%s by the %s shows the victim's %q: %.300s", what, a.name, s, r.Body)
			}
		}
	}
	switch {
	case c.operatorOnly:
		r := c.send(t, n, method, path, tok, q, body)
		expectError(t, method+" "+path+" by the "+a.name, r, http.StatusForbidden, "FORBIDDEN", "")
		leaks(method+" "+path, r)
	case c.shared:
		r := n.Do(t, http.MethodGet, path, tok, nil)
		if r.Status != http.StatusOK {
			t.Errorf("GET %s by the %s: %d %.300s", path, a.name, r.Status, r.Body)
		}
		leaks("GET "+path, r)
	case c.ids != nil:
		for _, victimID := range c.ids(v) {
			what := method + " " + strings.Replace(path, "{id}", victimID, 1)
			r := c.send(t, n, method, strings.Replace(path, "{id}", victimID, 1), tok, q, body)
			expectError(t, what+" by the "+a.name, r, http.StatusNotFound, "NOT_FOUND", "")
			leaks(what, r)
			absent := c.send(t, n, method, strings.Replace(path, "{id}", missingID, 1), tok, q, body)
			if absent.Status != r.Status || !bytes.Equal(absent.Body, r.Body) {
				t.Errorf("%s answers %d %s, an absent id %d %s: a foreign id must look absent", what, r.Status, r.Body, absent.Status, absent.Body)
			}
		}
	case c.ref != "":
		what := method + " " + path + " naming the victim's " + c.ref
		r := c.send(t, n, method, path, tok, q, body)
		if r.Status == http.StatusNotFound {
			expectError(t, what+" by the "+a.name, r, http.StatusNotFound, "NOT_FOUND", "")
		} else {
			expectError(t, what+" by the "+a.name, r, http.StatusBadRequest, "VALIDATE_FAILED", c.ref)
		}
		leaks(what, r)
		if _, inQuery := q[c.ref]; inQuery {
			q = bodyWithValues(q, c.ref, missingID)
		} else {
			body = bodyWith(body, c.ref, missingID)
		}
		if absent := c.send(t, n, method, path, tok, q, body); absent.Status != r.Status || !bytes.Equal(absent.Body, r.Body) {
			t.Errorf("%s answers %d %s, an absent %s %d %s", what, r.Status, r.Body, c.ref, absent.Status, absent.Body)
		}
	default:
		queries := []string{""}
		for _, id := range v.ids() {
			queries = append(queries, "?"+url.Values{"filter": {"id eq '" + id + "'"}}.Encode())
		}
		queries = append(queries, "?"+url.Values{"search": {"victim co"}}.Encode())
		for i, q := range queries {
			r := n.Do(t, http.MethodGet, path+q, tok, nil)
			var l listBody
			if r.Status != http.StatusOK || json.Unmarshal(r.Body, &l) != nil || i > 0 && l.Count != 0 {
				t.Errorf("GET %s%s by the %s: %d %.300s, want 200 and nothing of the victim", path, q, a.name, r.Status, r.Body)
			}
			leaks("GET "+path+q, r)
		}
	}
}

// bodyWithValues returns a copy of q with key set to value.
func bodyWithValues(q url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set(key, value)
	return out
}

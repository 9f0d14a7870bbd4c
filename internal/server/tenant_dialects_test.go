package server_test

// The tenant walk over the provider dialects: voicemeup request types, and
// any carrier (/carrier/) or reseller (/voip/) routes.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// dialectEnvelope is what the walks read of a voicemeup answer.
type dialectEnvelope struct {
	Status string
	Codes  []string
	Texts  []string
}

// readEnvelope parses a voicemeup answer rendered in format (json or xml).
func readEnvelope(r servertest.Response, format string) (dialectEnvelope, error) {
	var e dialectEnvelope
	type message struct {
		Code    string `json:"code" xml:"code,attr"`
		Content string `json:"_content" xml:",chardata"`
	}
	var msgs []message
	if format == "json" {
		var j struct {
			Details struct {
				Status   string `json:"response_status"`
				Messages struct {
					Message []message `json:"message"`
				} `json:"response_messages"`
			} `json:"response_details"`
		}
		if err := json.Unmarshal(r.Body, &j); err != nil {
			return e, fmt.Errorf("not JSON: %w", err)
		}
		e.Status, msgs = j.Details.Status, j.Details.Messages.Message
	} else {
		var x struct {
			XMLName xml.Name `xml:"response"`
			Details struct {
				Status   string    `xml:"response_status"`
				Messages []message `xml:"response_messages>message"`
			} `xml:"response_details"`
		}
		if err := xml.Unmarshal(r.Body, &x); err != nil {
			return e, fmt.Errorf("not XML: %w", err)
		}
		e.Status, msgs = x.Details.Status, x.Details.Messages
	}
	for _, m := range msgs {
		e.Codes, e.Texts = append(e.Codes, m.Code), append(e.Texts, m.Content)
	}
	if e.Status != "success" && e.Status != "error" {
		return e, fmt.Errorf("response_status %q", e.Status)
	}
	if e.Status == "error" && len(e.Codes) == 0 {
		return e, errors.New("an error envelope without messages")
	}
	return e, nil
}

// voicemeupRequest sends params the way the pattern's method takes them.
func voicemeupRequest(tb testing.TB, n *servertest.Node, method, path string, params url.Values) servertest.Response {
	tb.Helper()
	if method == http.MethodGet {
		return n.Do(tb, http.MethodGet, path+"?"+params.Encode(), "", nil)
	}
	return n.Form(tb, path, params)
}

// implementedRequestTypes asks get_request_types what the node serves.
func implementedRequestTypes(tb testing.TB, n *servertest.Node, ten servertest.Tenant) []string {
	tb.Helper()
	r := n.Form(tb, "/api/v1.1/json/get_request_types", url.Values{"username": {ten.Username}, "auth_token": {ten.Token}})
	var out struct {
		Content struct {
			Types struct {
				List []string `json:"request_type"`
			} `json:"request_types"`
		} `json:"response_content"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Content.Types.List) == 0 {
		tb.Fatalf("get_request_types: %s (%v)", r.Body, err)
	}
	return out.Content.Types.List
}

// vmuTenantCase is how the walk exercises one voicemeup request type.
type vmuTenantCase struct {
	// read, when not nil, are the parameters of a plain call that must
	// succeed and show nothing of the victim.
	read url.Values
	// target returns calls naming the victim's subaccount, address and
	// peer (raw ids); called with absent ids too, for comparison.
	target func(sub, addr, peer string) []url.Values
	// did returns calls naming the victim's owned number (its raw id and
	// its ten digits); called with an absent number too.
	did func(id, phone string) []url.Values
}

var vmuTenantCases = map[string]vmuTenantCase{
	"get_request_types":       {read: url.Values{}},
	"get_account_details":     {read: url.Values{}},
	"get_account_preferences": {read: url.Values{}},
	"get_countries":           {read: url.Values{}},
	"get_states":              {read: url.Values{"country_id": {"38"}}},
	"get_rates":               {read: url.Values{"code": {"1514"}}}, // the caller's own tariff only
	"get_funding_details":     {read: url.Values{}},                 // the caller's own balance only
	"get_billing_activity":    {read: url.Values{}},                 // the caller's own ledger only
	// Accounts below the caller's only; filtered by the victim's subaccount
	// they must answer as for one that does not exist.
	"get_resellers_transactions": {read: url.Values{}, target: func(sub, _, _ string) []url.Values {
		return []url.Values{{"client_subaccount_id": {sub}}}
	}},
	"get_resellers_invoices": {read: url.Values{}, target: func(sub, _, _ string) []url.Values {
		return []url.Values{{"client_subaccount_id": {sub}}}
	}},
	"get_subaccounts": {read: url.Values{"get_associations": {"1"}}, target: func(sub, _, _ string) []url.Values {
		return []url.Values{{"client_subaccount_id": {sub}}, {"client_subaccount_id": {sub}, "get_associations": {"1"}}}
	}},
	"update_subaccount": {target: func(sub, _, _ string) []url.Values {
		return []url.Values{
			{"client_subaccount_id": {sub}, "friendly_name": {"Hijacked"}, "multi_tenancy_mode": {"disabled"}, "status": {"enabled"}},
			{"mode": {"create"}, "friendly_name": {"Hijack office"}, "multi_tenancy_mode": {"shared"}, "multi_tenancy_subaccount_id": {sub}, "status": {"enabled"}},
		}
	}},
	"get_peers": {read: url.Values{}, target: func(sub, _, peer string) []url.Values {
		return []url.Values{{"client_peer_id": {peer}}, {"client_subaccount_id": {sub}, "client_peer_id": {peer}}}
	}},
	"update_peer": {target: func(sub, _, peer string) []url.Values {
		create := mergeValues(peerUpdate("1"), url.Values{"mode": {"create"}, "peer_username": {"hijacker77"}, "client_subaccount_id": {sub}})
		create.Del("client_peer_id")
		return []url.Values{peerUpdate(peer), create}
	}},
	"get_extensions": {read: url.Values{}, target: func(sub, _, _ string) []url.Values {
		return []url.Values{{"client_subaccount_id": {sub}}}
	}},
	"update_extension": {target: func(sub, _, peer string) []url.Values {
		return []url.Values{
			{"mode": {"create"}, "extension": {"4321"}, "friendly_name": {"Hijack"}, "client_peer_ids": {peer}},
			{"mode": {"create"}, "extension": {"4322"}, "friendly_name": {"Hijack"}, "client_subaccount_id": {sub}},
		}
	}},
	"get_calls": {read: url.Values{"latest_hours": {"24"}}, target: func(sub, _, _ string) []url.Values {
		return []url.Values{{"latest_hours": {"24"}, "client_subaccount_id": {sub}}}
	}},
	"delete_peer":       {target: func(_, _, peer string) []url.Values { return []url.Values{{"client_peer_id": {peer}}} }},
	"get_did_areacodes": {read: url.Values{}},
	"get_did_exchanges": {read: url.Values{"npa": {"206"}}},
	"get_ratecenters":   {read: url.Values{"npa": {"206"}}},
	"get_new_dids":      {read: url.Values{"npa": {"206"}}},
	"order_new_dids":    {},
	"activate_new_did": {did: func(id, phone string) []url.Values {
		return []url.Values{{"phone_number": {phone}}, {"did_id": {id}}}
	}},
	"get_dids": {read: url.Values{}, did: func(id, phone string) []url.Values {
		return []url.Values{{"client_did_id": {id}}, {"phone_number": {phone}}}
	}},
	"update_did": {did: func(id, phone string) []url.Values {
		return []url.Values{{"client_did_id": {id}, "usage_type": {"default"}}, {"phone_number": {phone}, "usage_type": {"default"}}}
	}},
	"delete_did": {did: func(id, phone string) []url.Values {
		return []url.Values{{"client_did_id": {id}}, {"phone_number": {phone}}}
	}},
	"update_subaccount_address": {target: func(sub, addr, _ string) []url.Values {
		return []url.Values{
			{"client_subaccount_id": {sub}, "client_address_id": {addr}, "city": {"Hijacked"}},
			{"mode": {"create"}, "client_subaccount_id": {sub}, "civic_number": {"1"}, "street": {"Rue Hijack"}, "unit_number": {"0"},
				"city": {"Montreal"}, "country_id": {"38"}, "state_id": {"76"}, "postal_code": {"H2X 1Y4"}},
		}
	}},
}

// peerUpdate is a complete update_peer of peer, as the document requires.
func peerUpdate(peer string) url.Values {
	return url.Values{"client_peer_id": {peer}, "friendly_name": {"Hijacked"}, "host_type": {"dynamic"},
		"callerid_mode": {"device"}, "callerid_type": {"none"}, "callerid_format": {"e164"}, "codecs": {"ulaw"},
		"dtmf_mode": {"rfc2833"}, "dnis_format": {"e164"}, "status": {"enabled"}, "password": {"Hijacked1"}}
}

// foreignCodeRe is what voicemeup answers for credentials or ids of
// another tenant: authentication_failed, or the parameter's invalid type.
var foreignCodeRe = regexp.MustCompile(`^(authentication_failed|[a-z0-9_]+_invalid|internal_error-invalid_argument)$`)

func mergeValues(sets ...url.Values) url.Values {
	out := url.Values{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}

// walkVoicemeup calls every implemented request type through pattern
// with the attacker's credentials, and with credentials that mix the
// victim's names with the attacker's token.
func walkVoicemeup(t *testing.T, n *servertest.Node, pattern string, types []string, a attacker, v populated, secrets []string) {
	t.Helper()
	method, path, _ := strings.Cut(pattern, " ")
	format := "xml"
	if strings.Contains(path, "/json/") {
		format = "json"
	}
	send := func(requestType string, params url.Values) dialectEnvelope {
		t.Helper()
		params, target := mergeValues(params), path
		switch {
		case strings.HasSuffix(path, "{request_type}"):
			target = strings.TrimSuffix(path, "{request_type}") + requestType
		case strings.HasSuffix(path, "{$}"):
			target = strings.TrimSuffix(path, "{$}")
		case path == "/xml_engine/xml_engine.php":
			params.Set("request_type", requestType)
		default:
			t.Errorf("voicemeup route %q is not covered by the tenant walk", pattern)
		}
		r := voicemeupRequest(t, n, method, target, params)
		env, err := readEnvelope(r, format)
		if r.Status != http.StatusOK || err != nil {
			t.Errorf("%s %s %s: %d %v %.300s", method, target, requestType, r.Status, err, r.Body)
		}
		for _, s := range secrets {
			if bytes.Contains(r.Body, []byte(s)) {
				t.Errorf("%s %s %s by the %s shows the victim's %q: %.300s", method, target, requestType, a.name, s, r.Body)
			}
		}
		return env
	}
	creds := url.Values{"username": {a.tenant.Username}, "auth_token": {a.tenant.Token}}
	if strings.HasSuffix(path, "{$}") {
		if env := send("", creds); env.Status != "error" || !slices.Equal(env.Codes, []string{"request_type_required"}) {
			t.Errorf("%s without a request type: %+v", pattern, env)
		}
		return
	}
	for _, rt := range types {
		c, ok := vmuTenantCases[rt]
		if !ok {
			t.Errorf("voicemeup request type %q is not covered by the tenant walk: add it to vmuTenantCases", rt)
			continue
		}
		for _, mixed := range []url.Values{
			{"username": {v.Username}},
			{"client_account_id": {v.Number}},
			{"client_user_id": {fmt.Sprint(rawID(t, v.UserID))}},
			{"username": {a.tenant.Username}, "client_account_id": {v.Number}},
		} {
			env := send(rt, mergeValues(c.read, mixed, url.Values{"auth_token": {a.tenant.Token}}))
			if env.Status != "error" || !slices.Equal(env.Codes, []string{"authentication_failed"}) {
				t.Errorf("%s %s with the victim's %v and the %s's token: %+v, want authentication_failed", pattern, rt, slices.Collect(maps.Keys(mixed)), a.name, env)
			}
		}
		if c.read != nil {
			if env := send(rt, mergeValues(c.read, creds)); env.Status != "success" {
				t.Errorf("%s %s by the %s: %+v, want success", pattern, rt, a.name, env)
			}
		}
		if c.did != nil {
			absent := c.did("1", "2065550100")
			for i, params := range c.did(fmt.Sprint(rawID(t, v.DID)), strings.TrimPrefix(v.DIDNumber, "+1")) {
				env := send(rt, mergeValues(params, creds))
				if env.Status != "error" || len(env.Codes) != 1 || !foreignCodeRe.MatchString(env.Codes[0]) {
					t.Errorf("%s %s %v by the %s: %+v, want a single invalid or authentication error", pattern, rt, params, a.name, env)
				}
				if other := send(rt, mergeValues(absent[i], creds)); !slices.Equal(other.Codes, env.Codes) || !slices.Equal(other.Texts, env.Texts) {
					t.Errorf("%s %s: the victim's number answers %+v, an absent one %+v: they must look alike", pattern, rt, env, other)
				}
			}
		}
		if c.target == nil {
			continue
		}
		absent := c.target("1", "1", "1")
		for i, params := range c.target(fmt.Sprint(rawID(t, v.Subaccount)), fmt.Sprint(rawID(t, v.Address)), fmt.Sprint(rawID(t, v.Peer))) {
			env := send(rt, mergeValues(params, creds))
			if env.Status != "error" || len(env.Codes) != 1 || !foreignCodeRe.MatchString(env.Codes[0]) {
				t.Errorf("%s %s %v by the %s: %+v, want a single invalid or authentication error", pattern, rt, params, a.name, env)
			}
			if other := send(rt, mergeValues(absent[i], creds)); !slices.Equal(other.Codes, env.Codes) || !slices.Equal(other.Texts, env.Texts) {
				t.Errorf("%s %s: the victim's ids answer %+v, absent ids %+v: they must look alike", pattern, rt, env, other)
			}
		}
	}
}

var (
	wildcardRe       = regexp.MustCompile(`\{[^}]*\}`)
	dialectSuccessRe = regexp.MustCompile(`"status"\s*:\s*"200"|"status_code"\s*:\s*"?20\d`)
)

// walkOtherDialect covers carrier and reseller routes generically: called
// with the attacker's secret presented for the victim's account number,
// and with the victim's ids in every path segment and parameter, it must
// neither succeed nor show anything of the victim, nor fail with a 5xx.
// A pattern without a method (a dialect's catch-all mount) is probed with
// GET and POST, on the mount and below it.
func walkOtherDialect(t *testing.T, n *servertest.Node, method, path string, a attacker, v populated, secrets []string) {
	t.Helper()
	sub := fmt.Sprint(rawID(t, v.Subaccount))
	methods, targets := []string{method}, []string{wildcardRe.ReplaceAllString(strings.TrimSuffix(path, "{$}"), sub)}
	if method == "" {
		methods = []string{http.MethodGet, http.MethodPost}
		base := strings.TrimSuffix(path, "/")
		targets = []string{path, base + "/" + sub, base + "/account", base + "/subaccounts/" + sub}
	}
	params := url.Values{"token": {a.tenant.Token}, "accountno": {v.Number}, "id": {sub}, "subaccount_id": {sub}}
	for _, m := range methods {
		for _, target := range targets {
			var body io.Reader
			query := "?" + params.Encode()
			if m == http.MethodPost {
				body, query = strings.NewReader(params.Encode()), ""
			}
			req, err := http.NewRequest(m, n.URL+target+query, body)
			if err != nil {
				t.Fatalf("request %s %s: %v", m, target, err)
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("X-Auth-Reseller", v.Number)
			req.Header.Set("X-Auth-User", a.tenant.Username)
			req.Header.Set("X-Auth-Password", a.tenant.Token)
			r := n.Send(t, req)
			if r.Status >= 500 || (r.Status < 300 && dialectSuccessRe.Match(r.Body)) {
				t.Errorf("%s %s with the victim's account and the %s's token: %d %.300s", m, target, a.name, r.Status, r.Body)
			}
			for _, s := range secrets {
				if s != v.Number && s != sub && bytes.Contains(r.Body, []byte(s)) {
					t.Errorf("%s %s by the %s shows the victim's %q", m, target, a.name, s)
				}
			}
		}
	}
}

package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/geo"
	"switchboard/internal/server/servertest"
)

// TestVoicemeupGetRates answers get_rates from the caller's tariff by
// dialling code, by country and by state.
func TestVoicemeupGetRates(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		deck := deckHeader + "1,NATIONAL,0,0,60,60,0,0,0.01,0.01,NANP\n1212,LOCAL,0,0,60,6,0,0,0.02,0.012,New York City\n" +
			"1514,LOCAL,0,0,60,60,0,0,0.015,0.015,Montreal\n44,INTERNATIONAL,0,0,1,1,0,0,0.05,0.05,United Kingdom\n" +
			"447,MOBILE,0,0,1,1,0.01,0,0.15,0.15,UK mobile\n"
		if r := importDeck(t, n, n.AdminToken, "", "replace", deck); r.Status != http.StatusOK {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		cust := n.MustTenant(t, n.AdminToken, "", "Rates Customer", "customer")
		ask := func(params ...string) (vmuAnswer, string) {
			v := url.Values{"username": {cust.Username}, "auth_token": {cust.Token}}
			for i := 0; i+1 < len(params); i += 2 {
				v.Set(params[i], params[i+1])
			}
			a := vmu(t, n, "json", "get_rates", v)
			return a, string(a.Raw)
		}
		codes := func(raw string) []string {
			var out []string
			for _, part := range strings.Split(raw, `"code":"`)[1:] {
				out = append(out, part[:strings.Index(part, `"`)])
			}
			return out
		}
		a, raw := ask("code", "44")
		a.ok(t, "code 44")
		if got := strings.Join(codes(raw), ","); got != "44,447" {
			t.Errorf("code 44 lists %q, want 44,447: %s", got, raw)
		}
		if !strings.Contains(raw, `"rate_per_minute":"0.15000"`) || !strings.Contains(raw, `"type":"mobile"`) {
			t.Errorf("rate fields missing: %s", raw)
		}
		// A longer code than any prefix answers the rate that prices it.
		_, raw = ask("code", "4420")
		if got := strings.Join(codes(raw), ","); got != "44" {
			t.Errorf("code 4420 lists %q, want the covering 44: %s", got, raw)
		}
		// By country: the United Kingdom (dialling code 44).
		uk, _ := geo.CountryByAlpha2("GB")
		_, raw = ask("country_id", strconv.Itoa(uk.ID))
		if got := strings.Join(codes(raw), ","); got != "44,447" {
			t.Errorf("the United Kingdom lists %q, want 44,447: %s", got, raw)
		}
		// By state: New York holds 212, Quebec holds 514.
		_, raw = ask("country_id", "223", "state_id", stateID(t, n, cust, "223", "NY"))
		if got := strings.Join(codes(raw), ","); got != "1212" {
			t.Errorf("New York lists %q, want 1212: %s", got, raw)
		}
		_, raw = ask("country_id", "38", "state_id", stateID(t, n, cust, "38", "QC"))
		if got := strings.Join(codes(raw), ","); got != "1514" {
			t.Errorf("Quebec lists %q, want 1514: %s", got, raw)
		}
		b, _ := ask()
		b.wantCodes(t, "no code nor country", "required_parameter_not_found")
		c, _ := ask("country_id", "223", "state_id", "99999")
		if c.Status != "error" {
			t.Errorf("unknown state accepted: %s", c.Raw)
		}
	})
}

// stateID looks a state's id up through get_states, as a client would.
func stateID(t *testing.T, n *servertest.Node, ten servertest.Tenant, country, code string) string {
	t.Helper()
	a := vmu(t, n, "json", "get_states", url.Values{"username": {ten.Username}, "auth_token": {ten.Token}, "country_id": {country}})
	raw := string(a.Raw)
	i := strings.Index(raw, `"state_code":"`+code+`"`)
	if i < 0 {
		t.Fatalf("no state %s in %s", code, raw)
	}
	j := strings.LastIndex(raw[:i], `"state_id":"`)
	rest := raw[j+len(`"state_id":"`):]
	return rest[:strings.Index(rest, `"`)]
}

package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestCarrierCredentials proves the carrier dialect's token + accountno
// form against the real store: a valid pair reaches the endpoint (which
// answers 501 until its feature lands), any other pair answers the same
// "Invalid token" so account numbers cannot be probed.
func TestCarrierCredentials(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		a := n.MustTenant(t, n.AdminToken, "", "Carrier A", "customer")
		b := n.MustTenant(t, n.AdminToken, "", "Carrier B", "customer")
		call := func(token, accountno string) servertest.Response {
			return n.Form(t, "/carrier/get_lnp_orders", url.Values{"token": {token}, "accountno": {accountno}})
		}
		ok := call(a.Token, a.Number)
		if ok.Status != http.StatusNotImplemented || !strings.Contains(string(ok.Body), `"status":"501"`) {
			t.Fatalf("valid credentials: %d %s, want the 501 not-implemented answer", ok.Status, ok.Body)
		}
		invalid := `{"status":"404","error":"Invalid token"}`
		for name, r := range map[string]servertest.Response{
			"token of another account": call(b.Token, a.Number),
			"wrong token":              call(strings.Repeat("0", 32), a.Number),
			"unknown accountno":        call(a.Token, "00000001"),
			"garbage token":            call("x", a.Number),
		} {
			if r.Status != http.StatusNotFound || strings.TrimSpace(string(r.Body)) != invalid {
				t.Errorf("%s: %d %s, want %s", name, r.Status, r.Body, invalid)
			}
		}
		missing := n.Form(t, "/carrier/availabilitystate", url.Values{"token": {a.Token}})
		if !strings.Contains(string(missing.Body), "Invalid accountno") {
			t.Errorf("missing accountno: %s", missing.Body)
		}
		unknown := n.Form(t, "/carrier/no_such_endpoint", url.Values{"token": {a.Token}, "accountno": {a.Number}})
		if !strings.Contains(string(unknown.Body), "Invalid endpoint") {
			t.Errorf("unknown endpoint: %s", unknown.Body)
		}
	})
}

// TestResellerCredentials proves the reseller dialect's three headers with
// a password and with a token, and that any mismatch is one 401.
func TestResellerCredentials(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		r := n.MustTenant(t, n.AdminToken, "", "Reseller R", "reseller")
		other := n.MustTenant(t, n.AdminToken, "", "Reseller S", "reseller")
		call := func(reseller, user, password string) servertest.Response {
			req, _ := http.NewRequest(http.MethodGet, n.URL+"/voip/call-pack", nil)
			req.Header.Set("X-Auth-Reseller", reseller)
			req.Header.Set("X-Auth-User", user)
			req.Header.Set("X-Auth-Password", password)
			return n.Send(t, req)
		}
		for name, resp := range map[string]servertest.Response{
			"password": call(r.Number, r.Username, r.Password),
			"token":    call(r.Number, r.Username, r.Token),
		} {
			if want := `{"result":[],"status_code":200,"status_message":"OK"}`; resp.Status != http.StatusOK || string(resp.Body) != want {
				t.Errorf("%s: %d %s, want %s", name, resp.Status, resp.Body, want)
			}
		}
		want := `{"result":{},"status_code":401,"status_message":"Unauthorized"}`
		for name, resp := range map[string]servertest.Response{
			"wrong password":          call(r.Number, r.Username, "not-the-password"),
			"other reseller's number": call(other.Number, r.Username, r.Password),
			"other user's token":      call(r.Number, r.Username, other.Token),
			"unknown user":            call(r.Number, "nobody-here", r.Password),
			"no headers":              call("", "", ""),
		} {
			if resp.Status != http.StatusUnauthorized || strings.TrimSpace(string(resp.Body)) != want {
				t.Errorf("%s: %d %s, want %s", name, resp.Status, resp.Body, want)
			}
		}
		notFound := n.Do(t, http.MethodGet, "/voip/no-such-thing", "", nil)
		if notFound.Status != http.StatusNotFound || !strings.Contains(string(notFound.Body), `"status_code":404`) {
			t.Errorf("unknown reseller route: %d %s", notFound.Status, notFound.Body)
		}
	})
}

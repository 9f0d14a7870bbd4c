package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
)

// vmuGarbage holds a nonsensical value for every parameter the voicemeup
// request types read.
var vmuGarbage = url.Values{
	"client_subaccount_id": {"abc"}, "client_address_id": {"-1"}, "country_id": {"99999999999999999999"},
	"state_id": {"ZZ"}, "mode": {"explode"}, "get_associations": {"maybe"}, "call_limit": {"1e99"},
	"friendly_name": {"\x00\xff"}, "status": {"gone"}, "options[]": {"bogus"}, "multi_tenancy_mode": {"x"},
	"civic_number": {"abc"}, "client_brand_id": {"x"}, "international_nip": {"12"},
	"allow_international_call": {"maybe"}, "international_call_limit": {"-5"}, "postal_code": {"\x00"},
	"client_peer_id": {"x1"}, "host_type": {"cloud"}, "codecs": {"opus,,"}, "metadata": {"{"}, "qualify": {"9e9"},
	"enable_nat": {"2"}, "peer_username": {"\x00"}, "client_channel_id": {"-"},
}

// vmuGarbageTolerant are request types that read no parameter, so
// garbage parameters may be ignored.
var vmuGarbageTolerant = []string{"get_request_types", "get_account_details", "get_account_preferences", "get_countries"}

// TestVoicemeupGarbageWalk sends garbage to every voicemeup route and
// request type: the answer must always be an HTTP 200 envelope in the
// requested format, with response_status "error" where the input is wrong.
func TestVoicemeupGarbageWalk(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Garbage Dialect", "reseller")
		types := append(implementedRequestTypes(t, n, ten), "get_port_requests", "bogus_type", "")
		creds := url.Values{"username": {ten.Username}, "auth_token": {ten.Token}}
		sets := []struct {
			name     string
			params   url.Values
			mustFail bool
		}{
			{"no parameters", url.Values{}, true},
			{"token only", url.Values{"auth_token": {"x"}}, true},
			{"oversized token", url.Values{"username": {ten.Username}, "auth_token": {strings.Repeat("f", 300)}}, true},
			{"unknown token", url.Values{"username": {ten.Username}, "auth_token": {"0123456789abcdef0123456789abcdef"}}, true},
			{"bad client_user_id", url.Values{"client_user_id": {"12abc"}, "auth_token": {ten.Token}}, true},
			{"bad language", mergeValues(creds, url.Values{"language": {"xx"}}), true},
			{"bad currency", mergeValues(creds, url.Values{"currency": {"usd"}}), true},
			{"garbage values", mergeValues(creds, vmuGarbage), false},
		}
		checked := 0
		for _, pattern := range n.Server.Router.Patterns() {
			method, path := splitPattern(pattern)
			if !strings.HasPrefix(path, "/api/v1.1/") && !strings.HasPrefix(path, "/xml_engine/") {
				continue
			}
			format := "xml"
			if strings.Contains(path, "/json/") {
				format = "json"
			}
			for _, rt := range types {
				target, params := path, url.Values{}
				switch {
				case strings.HasSuffix(path, "{request_type}"):
					target = strings.TrimSuffix(path, "{request_type}") + url.PathEscape(rt)
				case strings.HasSuffix(path, "{$}"):
					target = strings.TrimSuffix(path, "{$}")
				default:
					params.Set("request_type", rt)
				}
				if rt == "" && !strings.HasSuffix(path, "{$}") && !strings.HasPrefix(path, "/xml_engine/") {
					continue // an empty path segment is the {$} route's
				}
				invalidType := rt == "" || rt == "bogus_type" || strings.HasSuffix(path, "{$}")
				for _, set := range sets {
					what := method + " " + target + " " + rt + " " + set.name
					r := voicemeupRequest(t, n, method, target, mergeValues(set.params, params))
					env := checkEnvelope(t, what, r, format)
					checked++
					fail := set.mustFail || invalidType || rt == "get_port_requests" || !slices.Contains(vmuGarbageTolerant, rt)
					if fail && env.Status != "error" {
						t.Errorf("%s: %+v, want an error", what, env)
					}
				}
				if method != http.MethodPost {
					continue
				}
				for _, c := range []struct{ name, ctype, body string }{
					{"body over 1 MiB", "application/x-www-form-urlencoded", mergeValues(creds, params).Encode() + "&x=" + strings.Repeat("y", 1<<20)},
					{"multipart without boundary", "multipart/form-data", "garbage"},
					{"malformed multipart", "multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"},
				} {
					req, err := http.NewRequest(http.MethodPost, n.URL+target, strings.NewReader(c.body))
					if err != nil {
						t.Fatalf("new request: %v", err)
					}
					req.Header.Set("Content-Type", c.ctype)
					what := "POST " + target + " " + rt + " " + c.name
					if env := checkEnvelope(t, what, n.Send(t, req), format); env.Status != "error" {
						t.Errorf("%s: %+v, want an error", what, env)
					}
				}
			}
		}
		if checked < 300 {
			t.Errorf("only %d voicemeup requests checked", checked)
		}
	})
}

// checkEnvelope asserts an HTTP 200 voicemeup envelope in format.
func checkEnvelope(tb testing.TB, what string, r servertest.Response, format string) dialectEnvelope {
	tb.Helper()
	env, err := readEnvelope(r, format)
	if r.Status != http.StatusOK || err != nil {
		tb.Errorf("%s: %d %v %.300s, want an HTTP 200 %s envelope", what, r.Status, err, r.Body, format)
	}
	if want := map[string]string{"json": "application/json", "xml": "text/xml"}[format]; !strings.HasPrefix(r.Header.Get("Content-Type"), want) {
		tb.Errorf("%s: content type %q, want %s", what, r.Header.Get("Content-Type"), want)
	}
	return env
}

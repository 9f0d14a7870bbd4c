package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/bundle"
	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
)

// voip sends a reseller-dialect request as ten, with its API token.
func voip(t *testing.T, n *servertest.Node, ten servertest.Tenant, method, path, body string) servertest.Response {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	} else {
		rd = strings.NewReader("")
	}
	req, err := http.NewRequest(method, n.URL+"/voip"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Auth-Reseller", ten.Number)
	req.Header.Set("X-Auth-User", ten.Username)
	req.Header.Set("X-Auth-Password", ten.Token) // a token: checked fast, where a password costs an argon2 hash
	return n.Send(t, req)
}

// expectBody asserts the whole answer: status and exact body.
func expectBody(t *testing.T, what string, r servertest.Response, status int, body string) {
	t.Helper()
	if r.Status != status || string(r.Body) != body {
		t.Errorf("%s: %d %s\n want %d %s", what, r.Status, r.Body, status, body)
	}
}

// resultUUID reads result.uuid of an envelope.
func resultUUID(t *testing.T, r servertest.Response) string {
	t.Helper()
	var e struct {
		Result struct {
			UUID string `json:"uuid"`
		} `json:"result"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Result.UUID == "" {
		t.Fatalf("no uuid in %d %s", r.Status, r.Body)
	}
	return e.Result.UUID
}

const (
	voipNotFound   = `{"result":{},"status_code":404,"status_message":"Not Found"}`
	voipNoFunds    = `{"result":{},"status_code":402,"status_message":"Payment Required"}`
	unknownPackID  = `{"result":{},"status_code":400,"status_message":"Bad Request: pack_id: must be one of 13 to 20"}`
	unknownBundle  = `{"result":{},"status_code":400,"status_message":"Bad Request: bundle_type: must be one of Business (1), Residential (2), Fax Only (3), Trunk Only (4), Forward Only (5)"}`
	missingPackID  = `{"result":{},"status_code":400,"status_message":"Bad Request: pack_id: is required"}`
	missingBundle  = `{"result":{},"status_code":400,"status_message":"Bad Request: bundle_type: is required"}`
	mistypedPackID = `{"result":{},"status_code":400,"status_message":"Bad Request: pack_id: must be an integer"}`
)

// TestResellerCallPacks answers every example of seed 000 with the
// documented status and body.
func TestResellerCallPacks(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Voip Packs", "reseller")
		other := n.MustTenant(t, n.AdminToken, "", "Voip Other", "reseller")
		today := time.Now().UTC().Format(time.DateOnly)

		expectBody(t, "empty list", voip(t, n, ten, "GET", "/call-pack", ""), 200, `{"result":[],"status_code":200,"status_message":"OK"}`)
		expectBody(t, "no funds", voip(t, n, ten, "POST", "/call-pack", `{"pack_id":20}`), 402, voipNoFunds)
		credit(t, n, n.AdminToken, ten.AccountID, "300")
		credit(t, n, n.AdminToken, other.AccountID, "10") // one pack 13 and 1.00 over

		r := voip(t, n, ten, "POST", "/call-pack", `{"pack_id":20}`)
		uuid := resultUUID(t, r)
		expectBody(t, "create", r, 201, `{"result":{"created_on":"`+today+`","uuid":"`+uuid+`"},"status_code":201,"status_message":"Created"}`)
		if b := balanceOf(t, n, ten.Token, ten.AccountID); b != "200.00000" {
			t.Fatalf("balance after pack 20 = %s; want 200.00000", b)
		}
		one := `{"created_on":"` + today + `","updated_on":"` + today + `","uuid":"` + uuid + `"}`
		expectBody(t, "list", voip(t, n, ten, "GET", "/call-pack", ""), 200, `{"result":[`+one+`],"status_code":200,"status_message":"OK"}`)
		expectBody(t, "get", voip(t, n, ten, "GET", "/call-pack/"+uuid, ""), 200, `{"result":`+one+`,"status_code":200,"status_message":"OK"}`)
		expectBody(t, "renew", voip(t, n, ten, "PUT", "/call-pack/"+uuid, ""), 200, `{"result":`+one+`,"status_code":200,"status_message":"OK"}`)
		if b := balanceOf(t, n, ten.Token, ten.AccountID); b != "100.00000" {
			t.Fatalf("balance after the renewal = %s; want 100.00000", b)
		}

		for _, c := range []struct{ name, body, want string }{
			{"pack 12", `{"pack_id":12}`, unknownPackID},
			{"pack 21", `{"pack_id":21}`, unknownPackID},
			{"no pack", `{}`, missingPackID},
			{"no body", ``, missingPackID},
			{"text pack", `{"pack_id":"x"}`, mistypedPackID},
			{"bad json", `{"pack_id":`, `{"result":{},"status_code":400,"status_message":"Bad Request: malformed JSON body"}`},
		} {
			expectBody(t, "create "+c.name, voip(t, n, ten, "POST", "/call-pack", c.body), 400, c.want)
		}
		foreign := id.EncodeUUID(rawID(t, n.MustCreate(t, "/api/call_packs", other.Token, map[string]any{"pack_id": 13})))
		for _, u := range []string{"31347d42-00bd-44a5-9b5c-20dc4197a2f6", foreign, "not-a-uuid"} {
			expectBody(t, "get "+u, voip(t, n, ten, "GET", "/call-pack/"+u, ""), 404, voipNotFound)
			expectBody(t, "renew "+u, voip(t, n, ten, "PUT", "/call-pack/"+u, ""), 404, voipNotFound)
			expectBody(t, "delete "+u, voip(t, n, ten, "DELETE", "/call-pack/"+u, ""), 404, voipNotFound)
		}
		// HTTP gives a 204 no body: the document's envelope cannot travel.
		expectBody(t, "delete", voip(t, n, ten, "DELETE", "/call-pack/"+uuid, ""), 204, ``)
		expectBody(t, "get deleted", voip(t, n, ten, "GET", "/call-pack/"+uuid, ""), 404, voipNotFound)
		expectBody(t, "list after delete", voip(t, n, ten, "GET", "/call-pack", ""), 200, `{"result":[],"status_code":200,"status_message":"OK"}`)
		expectBody(t, "renew without funds", voip(t, n, other, "PUT", "/call-pack/"+foreign, ""), 402, voipNoFunds)
	})
}

// TestResellerBundles answers every example of seed 001 with the
// documented status and body, the renewal window and 402 included.
func TestResellerBundles(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Voip Bundles", "reseller")
		now := time.Now().UTC()
		expires := bundle.AddMonths(bundle.Day(now), 1).Format(time.DateOnly)

		expectBody(t, "no funds", voip(t, n, ten, "POST", "/bundle", `{"auto_renew":true,"bundle_type":1}`), 402, voipNoFunds)
		credit(t, n, n.AdminToken, ten.AccountID, "40")
		r := voip(t, n, ten, "POST", "/bundle", `{"auto_renew":true,"bundle_type":1}`)
		uuid := resultUUID(t, r)
		shape := func(auto bool, typ, exp string) string {
			a := "false"
			if auto {
				a = "true"
			}
			return `{"auto_renew":` + a + `,"bundle_type":` + typ + `,"expires_on":"` + exp + `","uuid":"` + uuid + `"}`
		}
		expectBody(t, "create", r, 201, `{"result":`+shape(true, "1", expires)+`,"status_code":201,"status_message":"Created"}`)
		for _, c := range []struct{ name, body, want string }{
			{"type 0", `{"bundle_type":0}`, unknownBundle},
			{"type 6", `{"auto_renew":true,"bundle_type":6}`, unknownBundle},
			{"no type", `{"auto_renew":true}`, missingBundle},
			{"text renew", `{"auto_renew":"yes","bundle_type":1}`, `{"result":{},"status_code":400,"status_message":"Bad Request: auto_renew: must be a boolean"}`},
		} {
			expectBody(t, "create "+c.name, voip(t, n, ten, "POST", "/bundle", c.body), 400, c.want)
			expectBody(t, "update "+c.name, voip(t, n, ten, "PUT", "/bundle/"+uuid, c.body), 400, c.want)
		}
		expectBody(t, "list", voip(t, n, ten, "GET", "/bundle", ""), 200, `{"result":[`+shape(true, "1", expires)+`],"status_code":200,"status_message":"OK"}`)
		expectBody(t, "get", voip(t, n, ten, "GET", "/bundle/"+uuid, ""), 200, `{"result":`+shape(true, "1", expires)+`,"status_code":200,"status_message":"OK"}`)
		// auto_renew omitted defaults to false, as the document says.
		expectBody(t, "update", voip(t, n, ten, "PUT", "/bundle/"+uuid, `{"bundle_type":1}`), 200, `{"result":`+shape(false, "1", expires)+`,"status_code":200,"status_message":"OK"}`)
		// A new type is charged: 10.01 left cannot pay Residential's 14.99.
		expectBody(t, "update to an unaffordable type", voip(t, n, ten, "PUT", "/bundle/"+uuid, `{"auto_renew":true,"bundle_type":2}`), 402, voipNoFunds)
		expectBody(t, "renew a month early", voip(t, n, ten, "POST", "/bundle/"+uuid+"/renew", ""), 400,
			`{"result":{},"status_code":400,"status_message":"Bad Request: expires_on: a bundle may be renewed from 3 days before to 5 days after its expiry date, `+expires+`"}`)
		for _, u := range []string{"0fba8c48-99fc-4727-8ca7-c847376da415", "nope"} {
			expectBody(t, "renew "+u, voip(t, n, ten, "POST", "/bundle/"+u+"/renew", ""), 404, voipNotFound)
			expectBody(t, "update "+u, voip(t, n, ten, "PUT", "/bundle/"+u, `{"bundle_type":1}`), 404, voipNotFound)
			expectBody(t, "get "+u, voip(t, n, ten, "GET", "/bundle/"+u, ""), 404, voipNotFound)
		}

		// The bundle nears its expiry: move its expiry date to tomorrow.
		tomorrow := bundle.Day(now).AddDate(0, 0, 1)
		setExpiry(t, n, uuid, tomorrow)
		expectBody(t, "renew without funds", voip(t, n, ten, "POST", "/bundle/"+uuid+"/renew", ""), 402, voipNoFunds)
		credit(t, n, n.AdminToken, ten.AccountID, "20")
		renewed := bundle.AddMonths(tomorrow, 1).Format(time.DateOnly)
		expectBody(t, "renew", voip(t, n, ten, "POST", "/bundle/"+uuid+"/renew", ""), 200, `{"result":`+shape(false, "1", renewed)+`,"status_code":200,"status_message":"OK"}`)
		if b := balanceOf(t, n, ten.Token, ten.AccountID); b != "0.02000" {
			t.Fatalf("balance = %s; want 0.02000 (40 + 20 less two periods of 29.99)", b)
		}
		// Five days after the expiry date is the last chance; six is too late.
		setExpiry(t, n, uuid, bundle.Day(now).AddDate(0, 0, -6))
		r = voip(t, n, ten, "POST", "/bundle/"+uuid+"/renew", "")
		if r.Status != 400 || !strings.Contains(string(r.Body), "Bad Request: expires_on") {
			t.Fatalf("renew six days late: %d %s", r.Status, r.Body)
		}
	})
}

// setExpiry moves a bundle's expiry date, as time passing would.
func setExpiry(t *testing.T, n *servertest.Node, uuid string, day time.Time) {
	t.Helper()
	raw, err := id.DecodeUUID(uuid)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := n.Server.DB.Pools()
	if _, err := w.ExecContext(context.Background(), `UPDATE bundles SET expires_on = $1 WHERE id = $2`, day.UnixMicro(), raw); err != nil {
		t.Fatal(err)
	}
}

// TestResellerCatalogBadInput sends malformed bodies and ids to every
// call-pack and bundle command: each answer is a 4xx envelope, never a
// 5xx, and no money moves.
func TestResellerCatalogBadInput(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		ten := n.MustTenant(t, n.AdminToken, "", "Voip Garbage", "reseller")
		credit(t, n, n.AdminToken, ten.AccountID, "1")
		bodies := []string{`[]`, `"x"`, `7`, `null`, `{"pack_id":1e30}`, `{"pack_id":-1}`, `{"pack_id":13.5}`, `{"pack_id":null}`,
			`{"bundle_type":null}`, `{"bundle_type":"1"}`, `{"bundle_type":99999999999999999999}`, `{"auto_renew":1,"bundle_type":1}`,
			`{"pack_id":"\u0000"}`, `{"a":` + strings.Repeat("[", 5000), "\xff\xfe"}
		uuids := []string{"0", "%00", "..", strings.Repeat("f", 300), "31347d42-00bd-44a5-9b5c-20dc4197a2f6%20", "-1"}
		for _, route := range []struct{ method, path string }{
			{"POST", "/call-pack"}, {"GET", "/call-pack/{uuid}"}, {"PUT", "/call-pack/{uuid}"}, {"DELETE", "/call-pack/{uuid}"},
			{"POST", "/bundle"}, {"GET", "/bundle/{uuid}"}, {"PUT", "/bundle/{uuid}"}, {"POST", "/bundle/{uuid}/renew"},
		} {
			targets := []string{route.path}
			if strings.Contains(route.path, "{uuid}") {
				targets = nil
				for _, u := range uuids {
					targets = append(targets, strings.Replace(route.path, "{uuid}", u, 1))
				}
			}
			for _, target := range targets {
				for _, body := range bodies {
					r := voip(t, n, ten, route.method, target, body)
					var env struct {
						Result        json.RawMessage `json:"result"`
						StatusCode    int             `json:"status_code"`
						StatusMessage string          `json:"status_message"`
					}
					if r.Status < 400 || r.Status >= 500 || json.Unmarshal(r.Body, &env) != nil || env.StatusCode != r.Status || string(env.Result) != "{}" {
						t.Errorf("%s %s %.40q: %d %.200s; want a 4xx envelope", route.method, target, body, r.Status, r.Body)
					}
				}
			}
		}
		if b := balanceOf(t, n, ten.Token, ten.AccountID); b != "1.00000" {
			t.Fatalf("bad input moved money: balance %s", b)
		}
	})
}

package server_test

// The voicemeup hourly limits over the real database: per-account
// overrides set by the operator through the native API, the 90 % warning,
// the refusal past the limit, isolation between accounts, and one count
// shared by every node of a PostgreSQL database.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
)

// vmuClearOfHour waits, when the current hour ends within margin, for
// the next one: the counters are per clock hour, and a test crossing the
// boundary would see its count restart.
func vmuClearOfHour(t *testing.T, margin time.Duration) {
	t.Helper()
	now := time.Now().UTC()
	next := now.Truncate(time.Hour).Add(time.Hour)
	if left := next.Sub(now); left < margin {
		t.Logf("waiting %v for the next hour", left)
		time.Sleep(left + 500*time.Millisecond)
	}
}

// vmuSetLimits sets an account's api_limits as the operator and checks the
// answer echoes them.
func vmuSetLimits(t *testing.T, n *servertest.Node, accountID string, limits map[string]int64) {
	t.Helper()
	r := n.Do(t, http.MethodPost, "/api/accounts/"+accountID, n.AdminToken, map[string]any{"api_limits": limits})
	if r.Status != http.StatusOK {
		t.Fatalf("set api_limits: %d %s", r.Status, r.Body)
	}
	var acc struct {
		APILimits map[string]int64 `json:"api_limits"`
	}
	r.JSON(t, &acc)
	for k, v := range limits {
		if acc.APILimits[k] != v {
			t.Fatalf("api_limits answered %v, want %v", acc.APILimits, limits)
		}
	}
}

const (
	vmuSoft = "requests_soft_limit_reached"
	vmuHard = "requests_hard_limit_exceeded"
)

// vmuCounted sends one counted request (get_account_details) for tn and
// checks its outcome: "ok" (success, no message), "soft" (success with the
// warning as its only message) or "hard" (refused).
func vmuCounted(t *testing.T, n *servertest.Node, tn servertest.Tenant, format, want string) {
	t.Helper()
	a := vmu(t, n, format, "get_account_details", vmuCreds(tn))
	switch want {
	case "ok":
		if a.Status != "success" || len(a.Codes) != 0 {
			t.Errorf("want a plain success, got %s %v:\n%s", a.Status, a.Codes, a.Raw)
		}
	case "soft":
		if a.Status != "success" || !slices.Equal(a.Codes, []string{vmuSoft}) {
			t.Errorf("want success with %s, got %s %v:\n%s", vmuSoft, a.Status, a.Codes, a.Raw)
		}
		if a.Content == nil && (a.XML == nil || a.XML.child("response_content") == nil) {
			t.Errorf("the warned request lost its content:\n%s", a.Raw)
		}
	case "hard":
		a.wantCodes(t, "over the limit", vmuHard)
	default:
		t.Fatalf("bad want %q", want)
	}
}

func TestVoicemeupHourlyLimits(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		five := n.MustTenant(t, n.AdminToken, "", "Five", "customer")
		ten := n.MustTenant(t, n.AdminToken, "", "Ten", "customer")
		free := n.MustTenant(t, n.AdminToken, "", "Free", "customer")

		// Only the operator sets limits; a tenant cannot raise its own.
		if r := n.Do(t, http.MethodPost, "/api/accounts/"+five.AccountID, five.Token,
			map[string]any{"api_limits": map[string]int64{"shared_pool": 100000}}); r.Status != http.StatusForbidden {
			t.Errorf("a tenant set its own api_limits: %d %s", r.Status, r.Body)
		}
		vmuClearOfHour(t, time.Minute)
		vmuSetLimits(t, n, five.AccountID, map[string]int64{"shared_pool": 5})
		vmuSetLimits(t, n, ten.AccountID, map[string]int64{"shared_pool": 10})

		// Four requests of the shared pool: under 90 %.
		for range 4 {
			vmuCounted(t, n, five, "json", "ok")
		}
		// Requests that never reach a handler are not counted: a type the
		// document lacks or Switchboard does not implement, bad
		// credentials; nor is the native API, which has its own bucket.
		vmu(t, n, "json", "get_port_requests", vmuCreds(five)).wantCodes(t, "not implemented", "request_type_not_implemented")
		vmu(t, n, "json", "get_everything", vmuCreds(five)).wantCodes(t, "invalid", "request_type_invalid")
		vmu(t, n, "json", "get_account_details", url.Values{"username": {five.Username}, "auth_token": {vmuHex(16)}}).
			wantCodes(t, "bad token", "authentication_failed")
		if r := n.Do(t, http.MethodGet, "/api/accounts/"+five.AccountID, five.Token, nil); r.Status != http.StatusOK {
			t.Fatalf("native: %d %s", r.Status, r.Body)
		}
		// The 5th reaches 90 % (and the limit): answered, with a warning.
		vmuCounted(t, n, five, "json", "soft")
		// The 6th exceeds it: refused, in either format and version, for
		// every request type of the pool.
		vmuCounted(t, n, five, "json", "hard")
		vmuCounted(t, n, five, "xml", "hard")
		vmu(t, n, "json", "get_countries", vmuCreds(five)).wantCodes(t, "get_countries over the limit", vmuHard)
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_states"}, "country_id": {"38"},
			"client_account_id": {five.Number}, "auth_token": {five.Token}}.Encode(), "xml").
			wantCodes(t, "v1.0 over the limit", vmuHard)

		// Other accounts are unaffected: no limit of their own...
		for range 8 {
			vmuCounted(t, n, free, "json", "ok")
		}
		// ...or their own count: with 10, the 9th is the first at 90 %
		// (not the 8th: 80 %), the 10th still answers, the 11th does not.
		for range 8 {
			vmuCounted(t, n, ten, "json", "ok")
		}
		vmuCounted(t, n, ten, "xml", "soft")
		vmuCounted(t, n, ten, "json", "soft")
		vmuCounted(t, n, ten, "json", "hard")

		// The operator's change applies at once: raised to 100, the
		// account is served again without warning (its 10th counted
		// request this hour, refused ones included: well under 90).
		vmuSetLimits(t, n, five.AccountID, map[string]int64{"shared_pool": 100})
		vmuCounted(t, n, five, "json", "ok")
		// Lowered under what was used, it refuses again.
		vmuSetLimits(t, n, five.AccountID, map[string]int64{"shared_pool": 3})
		vmuCounted(t, n, five, "json", "hard")
		// A limit on another bucket leaves the shared pool alone.
		vmuSetLimits(t, n, free.AccountID, map[string]int64{"queue_sms": 1, "dispatch_call": 1})
		vmuCounted(t, n, free, "json", "ok")
	})
}

// Nodes sharing one PostgreSQL database enforce one count.
func TestVoicemeupHourlyLimitsAcrossNodes(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		if kind != "postgres" {
			t.Skip("two nodes share a database on PostgreSQL only")
		}
		dbURL := servertest.DBURL(t, kind)
		n1 := servertest.Start(t, kind, servertest.Options{DBURL: dbURL})
		n2 := servertest.Start(t, kind, servertest.Options{DBURL: dbURL})
		if n1.AdminToken == "" {
			t.Fatal("the first node did not bootstrap the operator")
		}
		a := n1.MustTenant(t, n1.AdminToken, "", "Shared", "customer")
		b := n1.MustTenant(t, n1.AdminToken, "", "Other", "customer")
		vmuClearOfHour(t, time.Minute)
		vmuSetLimits(t, n1, a.AccountID, map[string]int64{"shared_pool": 10})
		vmuSetLimits(t, n1, b.AccountID, map[string]int64{"shared_pool": 10})

		// Eight requests spread over both nodes: neither node alone
		// reaches 90 %, together they are at 80 %.
		for i := range 8 {
			vmuCounted(t, []*servertest.Node{n1, n2}[i%2], a, "json", "ok")
		}
		vmuCounted(t, n2, a, "json", "soft") // 9th, counted on the other node's rows
		vmuCounted(t, n1, a, "xml", "soft")  // 10th
		vmuCounted(t, n2, a, "json", "hard") // 11th
		vmuCounted(t, n1, a, "json", "hard")
		// The other account has its own count on both nodes.
		vmuCounted(t, n2, b, "json", "ok")
		vmuCounted(t, n1, b, "json", "ok")

		// Concurrent requests on both nodes lose no increment: b has used
		// 2 of 10; 8 more at once leave it exactly at the limit, so the
		// next is refused.
		done := make(chan vmuAnswer, 8)
		for i := range 8 {
			node := []*servertest.Node{n1, n2}[i%2]
			go func() { done <- vmuPostNoFatal(node, "/api/v1.1/json/get_account_details", vmuCreds(b)) }()
		}
		soft := 0
		for range 8 {
			a := <-done
			if a.Status != "success" {
				t.Errorf("concurrent request refused: %s", a.Raw)
			}
			if slices.Contains(a.Codes, vmuSoft) {
				soft++
			}
		}
		if soft != 2 {
			t.Errorf("%d concurrent requests warned, want 2 (the 9th and the 10th)", soft)
		}
		vmuCounted(t, n2, b, "json", "hard")
	})
}

// vmuPostNoFatal posts a form and decodes the JSON envelope from another
// goroutine, where t.Fatal may not be called.
func vmuPostNoFatal(n *servertest.Node, path string, form url.Values) vmuAnswer {
	var a vmuAnswer
	resp, err := n.Client.Post(n.URL+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		a.Status = "transport failure: " + err.Error()
		return a
	}
	defer resp.Body.Close()
	a.Raw, err = io.ReadAll(resp.Body)
	if err != nil {
		a.Status = "transport failure: " + err.Error()
		return a
	}
	var env struct {
		Details struct {
			Status   string `json:"response_status"`
			Messages struct {
				Message []struct {
					Code string `json:"code"`
				} `json:"message"`
			} `json:"response_messages"`
		} `json:"response_details"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(a.Raw, &env) != nil {
		a.Status = "transport failure"
		return a
	}
	a.Status = env.Details.Status
	for _, m := range env.Details.Messages.Message {
		a.Codes = append(a.Codes, m.Code)
	}
	return a
}

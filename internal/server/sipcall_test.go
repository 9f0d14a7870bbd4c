package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
)

type cdrItem struct {
	ID            string `json:"id"`
	CallHash      string `json:"call_hash"`
	SrcNumber     string `json:"src_number"`
	SrcPeerID     string `json:"src_peer_id"`
	DstNumber     string `json:"dst_number"`
	DstPeerID     string `json:"dst_peer_id"`
	Disposition   string `json:"disposition"`
	SIPCode       int    `json:"sip_code"`
	FailureReason string `json:"failure_reason"`
	Billsec       int    `json:"billsec"`
	Duration      int    `json:"duration"`
	RoutingType   string `json:"routing_type"`
	Direction     string `json:"direction"`
	SrcUserAgent  string `json:"src_user_agent"`
	DstUserAgent  string `json:"dst_user_agent"`
	AnsweredAt    *string
}

// waitCDRs polls /api/cdrs until it holds want records and returns the
// newest: a CDR is written as its call ends, after the last answer.
func waitCDRs(t *testing.T, n *servertest.Node, token string, want int) cdrItem {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for {
		r := n.Do(t, http.MethodGet, "/api/cdrs?top=1", token, nil)
		var l struct {
			Count int       `json:"count"`
			Items []cdrItem `json:"items"`
		}
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &l) != nil {
			t.Fatalf("cdrs: %d %s", r.Status, r.Body)
		}
		if l.Count >= want {
			if l.Count > want {
				t.Fatalf("cdrs: %d, want %d", l.Count, want)
			}
			return l.Items[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("cdrs: %d after waiting, want %d", l.Count, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func checkCDR(t *testing.T, got cdrItem, disposition string, code int, dst, srcPeer, dstPeer string) {
	t.Helper()
	if got.Disposition != disposition || got.SIPCode != code || got.DstNumber != dst || got.SrcPeerID != srcPeer ||
		got.DstPeerID != dstPeer || got.RoutingType != "internal" || len(got.CallHash) != 32 {
		t.Errorf("cdr %+v: want %s %d to %s from peer %s to peer %s", got, disposition, code, dst, srcPeer, dstPeer)
	}
	if disposition != "answered" && got.Billsec != 0 {
		t.Errorf("unanswered call billed %d s", got.Billsec)
	}
}

// TestCallsBetweenPeers places calls between two registered Go phones
// through a node over UDP and TCP: answered and hung up by each side,
// busy, no answer, cancelled, over the caller's call limit, to an unknown
// extension and to another account's peer. Each leaves one CDR.
func TestCallsBetweenPeers(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0"})
		ten := n.MustTenant(t, n.AdminToken, "", "Call Co", "reseller")
		other := n.MustTenant(t, n.AdminToken, "", "Other Co", "reseller")
		sipPeer(t, n, other.Token, "mallory77", "Secret123")
		cdrs := 0
		for _, tr := range []string{"udp", "tcp"} {
			t.Run(tr, func(t *testing.T) {
				alicePeer := sipPeer(t, n, ten.Token, "alice"+tr, "Secret123", "simultaneous_calls_limit", 1)
				bobPeer := sipPeer(t, n, ten.Token, "bob"+tr+"x", "Secret123")
				ext := "2001"
				if tr == "tcp" {
					ext = "2002"
				}
				n.MustCreate(t, "/api/extensions", ten.Token, map[string]any{"extension": atoi(ext), "friendly_name": "Bob desk " + tr,
					"peer_ids": []string{bobPeer}, "peer_timeout": 2})
				alice := newGoUA(t, n.SIPAddr, tr, "alice"+tr, "Secret123")
				bob := newGoUA(t, n.SIPAddr, tr, "bob"+tr+"x", "Secret123")
				alice.register()
				bob.register()

				// Answered by extension, the caller hangs up.
				if code, err := alice.call(ext, 0); code != 200 || err != nil {
					t.Fatalf("call %s: %d %v", ext, code, err)
				}
				time.Sleep(1100 * time.Millisecond)
				alice.hangup()
				bob.waitBye()
				cdrs++
				got := waitCDRs(t, n, ten.Token, cdrs)
				checkCDR(t, got, "answered", 200, ext, alicePeer, bobPeer)
				if got.Billsec < 1 || got.SrcNumber != "alice"+tr || got.SrcUserAgent != "GoUA-alice"+tr || got.DstUserAgent != "GoUA-bob"+tr+"x" {
					t.Errorf("answered cdr %+v", got)
				}
				alice.forget(nil)

				// Answered by username, the callee hangs up.
				if code, err := alice.call("bob"+tr+"x", 0); code != 200 || err != nil {
					t.Fatalf("call by username: %d %v", code, err)
				}
				bob.hangup()
				alice.waitBye()
				cdrs++
				checkCDR(t, waitCDRs(t, n, ten.Token, cdrs), "answered", 200, "bob"+tr+"x", alicePeer, bobPeer)
				alice.forget(nil)
				bob.forget(nil)

				// Busy.
				bob.setAnswer(486)
				if code, _ := alice.call(ext, 0); code != 486 {
					t.Errorf("busy callee: %d, want 486", code)
				}
				cdrs++
				checkCDR(t, waitCDRs(t, n, ten.Token, cdrs), "busy", 486, ext, alicePeer, "")

				// No answer: the extension's peer_timeout of 2 s.
				bob.setAnswer(0)
				start := time.Now()
				if code, _ := alice.call(ext, 0); code != 480 {
					t.Errorf("no answer: %d, want 480", code)
				}
				if d := time.Since(start); d < 1900*time.Millisecond || d > 6*time.Second {
					t.Errorf("no answer after %v, want the 2 s peer_timeout", d)
				}
				cdrs++
				checkCDR(t, waitCDRs(t, n, ten.Token, cdrs), "no_answer", 480, ext, alicePeer, "")

				// Cancelled by the caller while ringing: the callee's leg is
				// cancelled too.
				<-bob.invites
				<-bob.invites
				if code, err := alice.call(ext, 500*time.Millisecond); code == 200 || err == nil {
					t.Errorf("cancelled call: %d %v", code, err)
				}
				<-bob.invites
				select {
				case <-func() <-chan struct{} { _, in := bob.current(); return in.Context().Done() }():
				case <-time.After(3 * time.Second):
					t.Errorf("the callee's leg was not cancelled")
				}
				cdrs++
				checkCDR(t, waitCDRs(t, n, ten.Token, cdrs), "cancelled", 487, ext, alicePeer, "")

				// The caller's simultaneous_calls_limit of 1.
				bob.setAnswer(200)
				if code, err := alice.call(ext, 0); code != 200 || err != nil {
					t.Fatalf("first call: %d %v", code, err)
				}
				held, _ := alice.current()
				if code, _ := alice.call(ext, 0); code != 486 {
					t.Errorf("a call over the limit: %d, want 486", code)
				}
				cdrs++
				over := waitCDRs(t, n, ten.Token, cdrs)
				checkCDR(t, over, "denied", 486, ext, alicePeer, "")
				if over.FailureReason != "call_limit_exceeded" {
					t.Errorf("limit cdr reason %q", over.FailureReason)
				}
				alice.forget(held)
				alice.hangup()
				bob.waitBye()
				cdrs++
				waitCDRs(t, n, ten.Token, cdrs)
				alice.forget(nil)

				// Unknown extension and another account's peer: 404.
				for _, dst := range []string{"2999", "mallory77"} {
					if code, _ := alice.call(dst, 0); code != 404 {
						t.Errorf("call %s: %d, want 404", dst, code)
					}
					cdrs++
					checkCDR(t, waitCDRs(t, n, ten.Token, cdrs), "invalid", 404, dst, alicePeer, "")
				}
				if c := n.Server.SIP.ActiveCalls(); c != 0 {
					t.Errorf("%d calls still held after every call ended", c)
				}
			})
		}
		// The same calls through voicemeup get_calls.
		r := n.Do(t, http.MethodGet, "/api/v1.1/json/get_calls?"+url.Values{"username": {ten.Username}, "auth_token": {ten.Token},
			"latest_hours": {"1"}, "disposition": {"busy,cancelled"}, "result_limit": {"100"}}.Encode(), "", nil)
		var env struct {
			Content struct {
				Calls struct {
					List []map[string]any `json:"call"`
				} `json:"calls"`
			} `json:"response_content"`
		}
		if err := json.Unmarshal(r.Body, &env); err != nil || len(env.Content.Calls.List) != 4 {
			t.Errorf("get_calls busy,cancelled: %v %s", err, r.Body)
		}
		// Polling with call_hash answers the calls logged after that one,
		// in the order they were logged.
		var all struct {
			Items []cdrItem `json:"items"`
		}
		n.Do(t, http.MethodGet, "/api/cdrs?orderby=id%20asc&top=100", ten.Token, nil).JSON(t, &all)
		r = n.Do(t, http.MethodGet, "/api/v1.1/json/get_calls?"+url.Values{"username": {ten.Username}, "auth_token": {ten.Token},
			"call_hash": {all.Items[0].CallHash}, "result_limit": {"1000"}}.Encode(), "", nil)
		env.Content.Calls.List = nil
		if err := json.Unmarshal(r.Body, &env); err != nil || len(env.Content.Calls.List) != len(all.Items)-1 ||
			env.Content.Calls.List[0]["call_hash"] != all.Items[1].CallHash {
			t.Errorf("get_calls after %s: %v %.400s", all.Items[0].CallHash, err, r.Body)
		}
	})
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestCallReinviteAndMaxDuration: a re-INVITE's offer and answer cross the
// bridge unchanged, and a call longer than the maximum duration is torn
// down with a BYE to both sides and one CDR.
func TestCallReinviteAndMaxDuration(t *testing.T) {
	n := servertest.Start(t, "sqlite", servertest.Options{SIP: "127.0.0.1:0", SIPMaxCall: 2 * time.Second})
	ten := n.MustTenant(t, n.AdminToken, "", "Long Co", "reseller")
	alicePeer := sipPeer(t, n, ten.Token, "alicelong", "Secret123")
	bobPeer := sipPeer(t, n, ten.Token, "boblong1", "Secret123")
	alice := newGoUA(t, n.SIPAddr, "udp", "alicelong", "Secret123")
	bob := newGoUA(t, n.SIPAddr, "udp", "boblong1", "Secret123")
	alice.register()
	bob.register()
	start := time.Now()
	if code, err := alice.call("boblong1", 0); code != 200 || err != nil {
		t.Fatalf("call: %d %v", code, err)
	}
	offer := strings.Replace(testSDP, "40000", "40002", 1)
	if got := alice.reinvite(offer); got != offer {
		t.Errorf("re-INVITE answer %q, want the callee's %q", got, offer)
	}
	select {
	case got := <-bob.reinvites:
		if got != offer {
			t.Errorf("the callee got %q, want the caller's offer %q", got, offer)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the re-INVITE did not reach the callee")
	}
	alice.waitBye()
	bob.waitBye()
	if d := time.Since(start); d < 1900*time.Millisecond || d > 5*time.Second {
		t.Errorf("torn down after %v, want the 2 s maximum", d)
	}
	got := waitCDRs(t, n, ten.Token, 1)
	checkCDR(t, got, "answered", 200, "boblong1", alicePeer, bobPeer)
	if got.FailureReason != "max_duration" || got.Billsec < 1 {
		t.Errorf("cdr %+v: want max_duration", got)
	}
	if c := n.Server.SIP.ActiveCalls(); c != 0 {
		t.Errorf("%d calls held after the teardown", c)
	}
}

// TestCallAcrossNodes: two nodes share one PostgreSQL database; the callee
// registers to the first over UDP and the caller calls it through the
// second, which finds the binding in the database and bridges the call.
// A subaccount's call_limit is counted too.
func TestCallAcrossNodes(t *testing.T) {
	if !slices.Contains(servertest.Kinds(), "postgres") {
		t.Skip(servertest.PostgresEnv + " is not set")
	}
	dbURL := servertest.DBURL(t, "postgres")
	a := servertest.Start(t, "postgres", servertest.Options{DBURL: dbURL, SIP: "127.0.0.1:0"})
	b := servertest.Start(t, "postgres", servertest.Options{DBURL: dbURL, SIP: "127.0.0.1:0"})
	ten := a.MustTenant(t, a.AdminToken, "", "Two Nodes", "reseller")
	sub := a.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody("friendly_name", "One line", "call_limit", 1))
	alicePeer := sipPeer(t, a, ten.Token, "alicenodes", "Secret123", "subaccount_id", sub)
	bobPeer := sipPeer(t, a, ten.Token, "bobnodes1", "Secret123")
	bob := newGoUA(t, a.SIPAddr, "udp", "bobnodes1", "Secret123")
	bob.register()
	alice := newGoUA(t, b.SIPAddr, "udp", "alicenodes", "Secret123")
	if code, err := alice.call("bobnodes1", 0); code != 200 || err != nil {
		t.Fatalf("call through the other node: %d %v", code, err)
	}
	held, _ := alice.current()
	if code, _ := alice.call("bobnodes1", 0); code != 486 {
		t.Errorf("a second call over the subaccount's call_limit of 1: %d, want 486", code)
	}
	alice.forget(held)
	alice.hangup()
	bob.waitBye()
	got := waitCDRs(t, a, ten.Token, 2)
	checkCDR(t, got, "answered", 200, "bobnodes1", alicePeer, bobPeer)
}

// TestExtensionRingsPeersInOrder: an extension rings its peers one after
// the other, each for peer_timeout; a peer with no registration is
// skipped, and the first that answers is bridged.
func TestExtensionRingsPeersInOrder(t *testing.T) {
	n := servertest.Start(t, "sqlite", servertest.Options{SIP: "127.0.0.1:0"})
	ten := n.MustTenant(t, n.AdminToken, "", "Order Co", "reseller")
	sipPeer(t, n, ten.Token, "aliceorder", "Secret123")
	absent := sipPeer(t, n, ten.Token, "absent01", "Secret123")
	carolPeer := sipPeer(t, n, ten.Token, "carolorder", "Secret123")
	bobPeer := sipPeer(t, n, ten.Token, "boborder1", "Secret123")
	n.MustCreate(t, "/api/extensions", ten.Token, map[string]any{"extension": 2100, "friendly_name": "Hunt",
		"peer_ids": []string{absent, carolPeer, bobPeer}, "peer_timeout": 2})
	alice := newGoUA(t, n.SIPAddr, "udp", "aliceorder", "Secret123")
	carol := newGoUA(t, n.SIPAddr, "udp", "carolorder", "Secret123")
	bob := newGoUA(t, n.SIPAddr, "udp", "boborder1", "Secret123")
	carol.register()
	bob.register()
	carol.setAnswer(0)
	start := time.Now()
	if code, err := alice.call("2100", 0); code != 200 || err != nil {
		t.Fatalf("call: %d %v", code, err)
	}
	if d := time.Since(start); d < 1900*time.Millisecond {
		t.Errorf("bob answered after %v: carol should have rung for the 2 s peer_timeout first", d)
	}
	select {
	case <-carol.invites:
	default:
		t.Error("carol was never rung")
	}
	if _, in := carol.current(); in == nil || in.Context().Err() == nil {
		t.Error("carol's leg is still ringing after bob answered")
	}
	bob.hangup()
	alice.waitBye()
	got := waitCDRs(t, n, ten.Token, 1)
	if got.DstPeerID != bobPeer || got.Disposition != "answered" {
		t.Errorf("cdr %+v: want answered by bob", got)
	}
}

// TestShutdownEndsCalls: stopping a node hangs up its calls with a BYE to
// both sides and still writes their CDRs, which the restarted node shows.
func TestShutdownEndsCalls(t *testing.T) {
	n := servertest.Start(t, "sqlite", servertest.Options{SIP: "127.0.0.1:0"})
	ten := n.MustTenant(t, n.AdminToken, "", "Stop Co", "reseller")
	sipPeer(t, n, ten.Token, "alicestop", "Secret123")
	sipPeer(t, n, ten.Token, "bobstop1", "Secret123")
	alice := newGoUA(t, n.SIPAddr, "udp", "alicestop", "Secret123")
	bob := newGoUA(t, n.SIPAddr, "udp", "bobstop1", "Secret123")
	bob.register()
	if code, err := alice.call("bobstop1", 0); code != 200 || err != nil {
		t.Fatalf("call: %d %v", code, err)
	}
	n.Stop()
	alice.waitBye()
	bob.waitBye()
	again := servertest.Start(t, "sqlite", servertest.Options{DBURL: n.DBURL, DataDir: n.DataDir})
	got := waitCDRs(t, again, ten.Token, 1)
	if got.Disposition != "answered" || got.FailureReason != "node_shutdown" {
		t.Errorf("cdr %+v: want answered, ended by node_shutdown", got)
	}
}

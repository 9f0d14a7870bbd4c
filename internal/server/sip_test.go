package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"switchboard/internal/auth"
	"switchboard/internal/server/servertest"
	sipengine "switchboard/internal/sip"
)

func TestRegistrar(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0"})
		ten := n.MustTenant(t, n.AdminToken, "", "Phone Co", "reseller")
		peerID := sipPeer(t, n, ten.Token, "alice1001", "Secret123", "register_timeout", 600)
		for _, transport := range []string{"udp", "tcp"} {
			t.Run(transport, func(t *testing.T) {
				ph := dialPhone(t, transport, n.SIPAddr)
				local := ph.conn.LocalAddr().String()
				first := ph.mustSend(ph.registerText("alice1001", []string{"<sip:alice1001@" + local + ">"}, "Expires: 3600"))
				chals := first.GetHeaders("WWW-Authenticate")
				if first.StatusCode != 401 || len(chals) != 2 || !strings.Contains(chals[0].Value(), "MD5") || !strings.Contains(chals[1].Value(), "SHA-256") {
					t.Fatalf("challenge: %s", first)
				}
				if via := first.Via(); via == nil || via.Params.GetOr("rport", "") == "" || via.Params.GetOr("received", "") == "" {
					t.Errorf("rport and received not filled in: %v", first.Via())
				}
				authz := ph.authorization(first, "MD5", "alice1001", "Secret123")
				okText := ph.registerText("alice1001", []string{"<sip:alice1001@" + local + ">"}, "Expires: 3600", authz)
				res := ph.mustSend(okText)
				if res.StatusCode != 200 {
					t.Fatalf("MD5 REGISTER: %s", res)
				}
				if got := contactsOf(res); got["sip:alice1001@"+local] != 600 {
					t.Errorf("200 contacts %v: want the contact bounded to register_timeout 600", got)
				}
				// The same credentials in a new transaction (a resend of
				// okText itself is a retransmission, answered from the
				// transaction): a replay, challenged anew.
				replay := ph.registerText("alice1001", []string{"<sip:alice1001@" + local + ">"}, "Expires: 3600", authz)
				if res := ph.mustSend(replay); res.StatusCode != 401 || !strings.Contains(res.GetHeader("WWW-Authenticate").Value(), "stale=true") {
					t.Errorf("replayed nonce: %d %s, want 401 stale", res.StatusCode, res.Reason)
				}
				second := "<sip:alice1001@192.0.2.50:5070;transport=" + transport + ">"
				res = ph.register("SHA-256", "alice1001", "Secret123", []string{second}, "Expires: 300")
				if res.StatusCode != 200 || len(contactsOf(res)) != 2 {
					t.Fatalf("SHA-256 REGISTER of a second contact: %s", res)
				}
				l := registrations(t, n, ten.Token, peerID)
				if l.Count != 2 {
					t.Fatalf("registrations: %+v", l)
				}
				it := l.Items[0]
				if it.RawContact != "sip:alice1001@"+local || it.RawSource != local || it.RawTransport != transport || it.RawUA != "TestPhone/1.0" ||
					time.Until(it.ExpiresAt) > 600*time.Second || time.Until(it.ExpiresAt) < 590*time.Second {
					t.Errorf("registration as listed: %+v", it)
				}
				// A stranger cannot see them.
				other := n.MustTenant(t, n.AdminToken, "", "Other Co", "reseller")
				if r := n.Do(t, http.MethodGet, "/api/peers/"+peerID+"/registrations", other.Token, nil); r.Status != 404 {
					t.Errorf("registrations by another tenant: %d", r.Status)
				}

				// Wrong password and unknown user answer the same.
				wrong := ph.register("MD5", "alice1001", "Wrong1234", []string{"<sip:alice1001@" + local + ">"})
				unknown := ph.register("MD5", "nobody9999", "Wrong1234", []string{"<sip:nobody9999@" + local + ">"})
				if wrong.StatusCode != 403 || unknown.StatusCode != wrong.StatusCode || unknown.Reason != wrong.Reason ||
					len(unknown.Headers()) != len(wrong.Headers()) {
					t.Errorf("wrong password %d %q (%d headers), unknown user %d %q (%d headers): want one identical 403",
						wrong.StatusCode, wrong.Reason, len(wrong.Headers()), unknown.StatusCode, unknown.Reason, len(unknown.Headers()))
				}

				// Un-REGISTER one contact, then all.
				res = ph.register("MD5", "alice1001", "Secret123", []string{second}, "Expires: 0")
				if res.StatusCode != 200 || len(contactsOf(res)) != 1 {
					t.Errorf("un-REGISTER one: %s", res)
				}
				res = ph.register("MD5", "alice1001", "Secret123", []string{"*"}, "Expires: 0")
				if res.StatusCode != 200 || len(contactsOf(res)) != 0 {
					t.Errorf("un-REGISTER *: %s", res)
				}
				if l := registrations(t, n, ten.Token, peerID); l.Count != 0 {
					t.Errorf("after Contact: *: %+v", l)
				}
				// Too short an expiry is refused with the minimum.
				res = ph.register("MD5", "alice1001", "Secret123", []string{"<sip:alice1001@" + local + ">"}, "Expires: 10")
				if res.StatusCode != 423 || res.GetHeader("Min-Expires") == nil {
					t.Errorf("Expires: 10: %s", res)
				}
			})
		}
		// A scanner gets no answer at all.
		ph := dialPhone(t, "udp", n.SIPAddr)
		ph.ua = "friendly-scanner"
		if res := ph.send(ph.registerText("alice1001", []string{"<sip:x@192.0.2.1>"}), 500*time.Millisecond); res != nil {
			t.Errorf("scanner answered: %s", res)
		}
		// A disabled peer fails like a wrong password.
		mustOK(t, n, http.MethodPost, "/api/peers/"+peerID, ten.Token, map[string]any{"status": "disabled"})
		ph = dialPhone(t, "udp", n.SIPAddr)
		if res := ph.register("MD5", "alice1001", "Secret123", []string{"<sip:a@192.0.2.1>"}); res.StatusCode != 403 {
			t.Errorf("disabled peer: %s", res)
		}
	})
}

func TestRegistrarBlocksGuessing(t *testing.T) {
	n := servertest.Start(t, "sqlite", servertest.Options{SIP: "127.0.0.1:0",
		SIPGuard: sipengine.GuardConfig{MaxFailures: 3, BlockFor: time.Minute, ThrottleEvery: time.Nanosecond}})
	ten := n.MustTenant(t, n.AdminToken, "", "Guess Co", "reseller")
	sipPeer(t, n, ten.Token, "bob20002", "Secret123")
	ph := dialPhone(t, "udp", n.SIPAddr)
	for i := range 3 {
		if res := ph.register("MD5", "bob20002", fmt.Sprintf("Guess%04d", i), []string{"<sip:b@192.0.2.1>"}); res.StatusCode != 403 {
			t.Fatalf("guess %d: %s", i, res)
		}
	}
	// The address is blocked: even the right password gets no answer.
	if res := ph.send(ph.registerText("bob20002", []string{"<sip:b@192.0.2.1>"}), 500*time.Millisecond); res != nil {
		t.Errorf("blocked address answered: %s", res)
	}
}

func TestRegistrationsSurviveRestartAndAreShared(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n1 := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0"})
		ten := n1.MustTenant(t, n1.AdminToken, "", "Restart Co", "reseller")
		peerID := sipPeer(t, n1, ten.Token, "carol3003", "Secret123")
		ph := dialPhone(t, "tcp", n1.SIPAddr)
		if res := ph.register("MD5", "carol3003", "Secret123", []string{"<sip:carol3003@192.0.2.7:5060>"}); res.StatusCode != 200 {
			t.Fatalf("register: %s", res)
		}
		n2 := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0", DBURL: n1.DBURL, DataDir: dataDirFor(kind, n1)})
		if l := registrations(t, n2, ten.Token, peerID); l.Count != 1 || l.Items[0].RawContact != "sip:carol3003@192.0.2.7:5060" {
			t.Fatalf("the other node sees %+v", l)
		}
		ph2 := dialPhone(t, "udp", n2.SIPAddr)
		if res := ph2.register("SHA-256", "carol3003", "Secret123", []string{"<sip:carol3003@192.0.2.8:5060>"}); res.StatusCode != 200 || len(contactsOf(res)) != 2 {
			t.Fatalf("register on the second node: %s", res)
		}
		n1.Stop()
		n3 := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0", DBURL: n1.DBURL, DataDir: dataDirFor(kind, n1)})
		if l := registrations(t, n3, ten.Token, peerID); l.Count != 2 {
			t.Errorf("after a restart: %+v", l)
		}
		p, err := n3.Peers.Get(t.Context(), mustPrincipal(t, n3), rawID(t, peerID))
		if err != nil {
			t.Fatal(err)
		}
		if targets, err := n3.SIP.Locator.Targets(t.Context(), p); err != nil || len(targets) != 2 {
			t.Errorf("locator on the restarted node: %+v %v", targets, err)
		}
	})
}

// dataDirFor is where a node sharing n's store keeps its files: the same
// directory for SQLite (the database is a file in it), a fresh one for
// PostgreSQL.
func dataDirFor(kind string, n *servertest.Node) string {
	if kind == "sqlite" {
		return n.DataDir
	}
	return ""
}

func mustPrincipal(t *testing.T, n *servertest.Node) auth.Principal {
	t.Helper()
	p, err := n.OperatorPrincipal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestQualify registers a contact of a peer with qualify on, answers the
// OPTIONS pings for a while and then stops: the binding is reachable, then
// marked unreachable.
func TestQualify(t *testing.T) {
	n := servertest.Start(t, "sqlite", servertest.Options{SIP: "127.0.0.1:0"})
	ten := n.MustTenant(t, n.AdminToken, "", "Qualify Co", "reseller")
	peerID := sipPeer(t, n, ten.Token, "dave40004", "Secret123", "enable_qualify", true, "qualify", 2000)
	ph := dialPhone(t, "udp", n.SIPAddr)
	local := ph.conn.LocalAddr().String()
	if res := ph.register("MD5", "dave40004", "Secret123", []string{"<sip:dave40004@" + local + ">"}); res.StatusCode != 200 {
		t.Fatalf("register: %s", res)
	}
	// Answer pings for a few seconds.
	deadline := time.Now().Add(3 * time.Second)
	answered := 0
	buf := make([]byte, 65535)
	for time.Now().Before(deadline) {
		_ = ph.conn.SetReadDeadline(deadline)
		k, err := ph.conn.Read(buf)
		if err != nil {
			break
		}
		m, err := sip.ParseMessage(buf[:k])
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
		req, ok := m.(*sip.Request)
		if !ok || req.Method != sip.OPTIONS {
			t.Fatalf("expected OPTIONS, got %s", buf[:k])
		}
		if req.Recipient.String() != "sip:dave40004@"+local {
			t.Errorf("ping to %s", req.Recipient.String())
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if _, err := ph.conn.Write([]byte(res.String())); err != nil {
			t.Fatal(err)
		}
		answered++
	}
	if answered == 0 {
		t.Fatal("no OPTIONS ping within 3 s for a qualify of 2 s")
	}
	l := registrations(t, n, ten.Token, peerID)
	if l.Count != 1 || !l.Items[0].Reachable {
		t.Fatalf("while answering: %+v", l)
	}
	// Go silent: within one interval and one timeout it is unreachable.
	for range 80 {
		time.Sleep(100 * time.Millisecond)
		if l := registrations(t, n, ten.Token, peerID); l.Count == 1 && !l.Items[0].Reachable {
			return
		}
	}
	t.Errorf("a contact that stopped answering is still reachable: %+v", registrations(t, n, ten.Token, peerID))
}

// TestStaticPeerLocation: a static peer is found by its host and port, and
// cannot register.
func TestStaticPeerLocation(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0"})
		ten := n.MustTenant(t, n.AdminToken, "", "Static Co", "reseller")
		n.MustCreate(t, "/api/peers", ten.Token, peerBody("username", "pbxtrunk01", "host_type", "static", "host", "198.51.100.20",
			"port", 5080, "transport", "tcp", "password", nil))
		other := n.MustCreate(t, "/api/peers", ten.Token, peerBody("username", "pbxtrunk02", "host_type", "static", "host", "198.51.100.20",
			"port", 5090, "password", nil))
		ctx := t.Context()
		for port, want := range map[int]string{5080: "pbxtrunk01", 5090: "pbxtrunk02", 5060: ""} {
			p, ok, err := n.SIP.Locator.PeerAt(ctx, "198.51.100.20", port)
			if err != nil || ok != (want != "") || p.Username != want {
				t.Errorf("PeerAt port %d = %q %v %v, want %q", port, p.Username, ok, err, want)
			}
		}
		p, err := n.Peers.Get(ctx, mustPrincipal(t, n), rawID(t, other))
		if err != nil {
			t.Fatal(err)
		}
		if targets, err := n.SIP.Locator.Targets(ctx, p); err != nil || len(targets) != 1 || targets[0].Address != "198.51.100.20:5090" {
			t.Errorf("static targets: %+v %v", targets, err)
		}
		ph := dialPhone(t, "udp", n.SIPAddr)
		if res := ph.register("MD5", "pbxtrunk01", "Secret123", []string{"<sip:x@192.0.2.1>"}); res.StatusCode != 403 {
			t.Errorf("a static peer registered: %s", res)
		}
	})
}

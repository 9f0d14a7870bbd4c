package sip

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Unix(1_700_000_000, 0)} }

func TestGuardThrottlesThenBlocks(t *testing.T) {
	c := newClock()
	g := newGuard(GuardConfig{MaxFailures: 4, BlockFor: 5 * time.Minute, ThrottleEvery: time.Second}, c.now)
	for i := range 2 {
		if !g.attempt("ip:a") {
			t.Fatalf("attempt %d refused before the throttle", i)
		}
		g.fail("ip:a")
	}
	if g.attempt("ip:a") {
		t.Fatal("third attempt within a second of the second failure is not throttled")
	}
	c.advance(time.Second)
	if !g.attempt("ip:a") {
		t.Fatal("a throttled key may try again after ThrottleEvery")
	}
	g.fail("ip:a")
	c.advance(time.Second)
	if g.fail("ip:a") != true || !g.blocked("ip:a") {
		t.Fatal("the fourth failure must block")
	}
	if g.blocked("ip:b") {
		t.Fatal("another key is blocked too")
	}
	c.advance(5*time.Minute - time.Second)
	if !g.blocked("ip:a") || g.attempt("ip:a") {
		t.Fatal("the block ended early")
	}
	c.advance(2 * time.Second)
	if g.blocked("ip:a") || !g.attempt("ip:a") {
		t.Fatal("the block did not end")
	}
	// A success forgets earlier failures.
	g.fail("user:x")
	g.fail("user:x")
	g.succeed("user:x")
	if !g.attempt("user:x") {
		t.Fatal("a success did not clear the failures")
	}
}

func TestGuardWindowForgetsOldFailures(t *testing.T) {
	c := newClock()
	g := newGuard(GuardConfig{MaxFailures: 3, Window: time.Minute, ThrottleEvery: time.Nanosecond}, c.now)
	g.fail("k")
	g.fail("k")
	c.advance(2 * time.Minute)
	if g.fail("k") {
		t.Fatal("failures outside the window counted")
	}
}

func TestNonces(t *testing.T) {
	c := newClock()
	n := newNonces(time.Minute, 3, c.now)
	a := n.issue("MD5")
	if n.use(a, "SHA-256", 1, true) {
		t.Error("a nonce offered for MD5 accepted for SHA-256")
	}
	if !n.use(a, "MD5", 1, true) || n.use(a, "MD5", 1, true) || !n.use(a, "MD5", 2, true) {
		t.Error("nonce count: the first use and a growing count pass, a repeated count does not")
	}
	b := n.issue("MD5")
	if !n.use(b, "MD5", 0, false) || n.use(b, "MD5", 0, false) {
		t.Error("without qop a nonce is good once")
	}
	if n.use("deadbeef", "MD5", 1, true) {
		t.Error("a nonce never issued accepted")
	}
	d := n.issue("MD5")
	c.advance(time.Minute)
	if n.use(d, "MD5", 1, true) {
		t.Error("an expired nonce accepted")
	}
	for range 10 {
		n.issue("MD5")
	}
	if len(n.m) > 3 {
		t.Errorf("%d nonces kept, the bound is 3", len(n.m))
	}
}

func TestScanners(t *testing.T) {
	for ua, want := range map[string]bool{"friendly-scanner": true, "SIPVicious 0.3": true, "sipcli/v1.8": true,
		"Zoiper rv2.10": false, "": false, "Linphone/5.2": false} {
		if isScanner(ua) != want {
			t.Errorf("isScanner(%q) = %v", ua, !want)
		}
	}
}

// TestNoncesDropOldestFirst: expired nonces leave the store as new ones are
// issued, and a full store forgets its oldest nonce, not a fresh one.
func TestNoncesDropOldestFirst(t *testing.T) {
	c := newClock()
	n := newNonces(time.Minute, 3, c.now)
	old := n.issue("MD5")
	c.advance(10 * time.Second)
	mid := n.issue("MD5")
	young := n.issue("MD5")
	newest := n.issue("MD5") // full: old goes
	if n.use(old, "MD5", 1, true) {
		t.Error("the oldest nonce survived a full store")
	}
	for _, v := range []string{mid, young, newest} {
		if !n.use(v, "MD5", 1, true) {
			t.Errorf("a younger nonce %s was dropped", v)
		}
	}
	c.advance(time.Minute) // all expired
	n.issue("MD5")
	if len(n.m) != 1 || len(n.order)-n.head != 1 {
		t.Errorf("after expiry %d nonces and %d queued; want 1 and 1", len(n.m), len(n.order)-n.head)
	}
	// Many challenges outstanding at once stay bounded in map and queue.
	big := newNonces(time.Minute, 1000, c.now)
	for i := range 100_000 {
		big.issue("MD5")
		if i%10 == 0 {
			c.advance(time.Millisecond)
		}
	}
	if len(big.m) > 1000 || len(big.order)-big.head > 1000 || len(big.order) > 4096 {
		t.Errorf("store grew to %d nonces, %d queued, %d slots", len(big.m), len(big.order)-big.head, len(big.order))
	}
}

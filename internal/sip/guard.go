package sip

import (
	"strings"
	"sync"
	"time"
)

// scanners are User-Agent fragments of SIP scanners and war dialers; their
// requests are dropped without an answer, which is what makes them move on.
var scanners = []string{"friendly-scanner", "sipvicious", "sipcli", "sip-scan", "sipsak-scan", "vaxsipuseragent",
	"pplsip", "iwar", "sundayddr", "smap", "sipscan", "voipbuster", "siparmyknife", "sip-vicious"}

// isScanner reports whether a User-Agent is a known scanner's.
func isScanner(ua string) bool {
	if ua == "" {
		return false
	}
	ua = strings.ToLower(ua)
	for _, s := range scanners {
		if strings.Contains(ua, s) {
			return true
		}
	}
	return false
}

// GuardConfig sets how authentication failures are punished.
type GuardConfig struct {
	// Failures within Window that block a source address or a username.
	MaxFailures int
	Window      time.Duration
	// BlockFor is how long a block lasts.
	BlockFor time.Duration
	// ThrottleAfter failures, a key may try at most once per ThrottleEvery.
	ThrottleAfter int
	ThrottleEvery time.Duration
}

func (c *GuardConfig) defaults() {
	if c.MaxFailures <= 0 {
		c.MaxFailures = 10
	}
	if c.Window <= 0 {
		c.Window = 5 * time.Minute
	}
	if c.BlockFor <= 0 {
		c.BlockFor = 5 * time.Minute
	}
	if c.ThrottleAfter <= 0 || c.ThrottleAfter > c.MaxFailures {
		c.ThrottleAfter = (c.MaxFailures + 1) / 2
	}
	if c.ThrottleEvery <= 0 {
		c.ThrottleEvery = time.Second
	}
}

// guard counts authentication failures per key (a source address or a
// username) in memory, per node: the pattern of pike and fail2ban.
type guard struct {
	cfg     GuardConfig
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*guardEntry
}

type guardEntry struct {
	failures     int
	first        time.Time
	lastTry      time.Time
	blockedUntil time.Time
}

// maxGuardEntries bounds the memory a flood of random usernames can take.
const maxGuardEntries = 200_000

func newGuard(cfg GuardConfig, now func() time.Time) *guard {
	cfg.defaults()
	return &guard{cfg: cfg, now: now, entries: map[string]*guardEntry{}}
}

// blocked reports whether key is blocked now.
func (g *guard) blocked(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entries[key]
	return e != nil && g.now().Before(e.blockedUntil)
}

// attempt records an authentication attempt by key and reports whether it
// may be checked: false when key is blocked or throttled.
func (g *guard) attempt(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	e := g.entries[key]
	if e == nil {
		return true
	}
	now := g.now()
	if now.Before(e.blockedUntil) {
		return false
	}
	if e.failures >= g.cfg.ThrottleAfter && now.Sub(e.lastTry) < g.cfg.ThrottleEvery {
		return false
	}
	e.lastTry = now
	return true
}

// fail records a failure of key and reports whether key is now blocked.
func (g *guard) fail(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	e := g.entries[key]
	if e == nil {
		if len(g.entries) >= maxGuardEntries {
			g.sweep(now)
		}
		e = &guardEntry{first: now}
		g.entries[key] = e
	}
	if now.Sub(e.first) > g.cfg.Window && !now.Before(e.blockedUntil) {
		e.failures, e.first = 0, now
	}
	e.failures++
	e.lastTry = now
	if e.failures >= g.cfg.MaxFailures {
		e.blockedUntil = now.Add(g.cfg.BlockFor)
		e.failures, e.first = 0, now
		return true
	}
	return false
}

// succeed forgets key's failures.
func (g *guard) succeed(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.entries[key]; e != nil && !g.now().Before(e.blockedUntil) {
		delete(g.entries, key)
	}
}

// sweep drops entries neither blocked nor inside their window.
func (g *guard) sweep(now time.Time) {
	for k, e := range g.entries {
		if !now.Before(e.blockedUntil) && now.Sub(e.first) > g.cfg.Window {
			delete(g.entries, k)
		}
	}
}

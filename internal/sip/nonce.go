package sip

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// nonces are the digest challenges a node issued. Each challenge gets its
// own random nonce, valid for ttl, bound to the algorithm it was offered
// with. With qop=auth a nonce may be reused with a growing nonce count;
// without qop it is good for one request. Anything else is a replay.
//
// Every nonce lives for the same ttl, so the order of issue is the order of
// expiry: order keeps the nonces oldest first, and issuing one first drops
// the expired ones from its head. That keeps issue O(1) amortised however
// many challenges are outstanding (a sweep of the whole map per challenge
// took most of the CPU under load).
type nonces struct {
	ttl   time.Duration
	max   int
	now   func() time.Time
	mu    sync.Mutex
	m     map[string]*nonceEntry
	order []issued // oldest first, from head
	head  int
}

// issued is a nonce in order of issue.
type issued struct {
	nonce   string
	expires time.Time
}

type nonceEntry struct {
	algorithm string
	expires   time.Time
	lastNC    int
}

func newNonces(ttl time.Duration, max int, now func() time.Time) *nonces {
	return &nonces{ttl: ttl, max: max, now: now, m: map[string]*nonceEntry{}}
}

// issue returns a fresh nonce for algorithm.
func (n *nonces) issue(algorithm string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	v := hex.EncodeToString(b[:])
	now := n.now()
	n.mu.Lock()
	defer n.mu.Unlock()
	// Drop the expired nonces, and when still full (a flood) the oldest:
	// their owners are challenged again. Entries used up already are gone
	// from the map; dropping their key again does nothing.
	for n.head < len(n.order) && (!now.Before(n.order[n.head].expires) || len(n.m) >= n.max) {
		delete(n.m, n.order[n.head].nonce)
		n.order[n.head] = issued{}
		n.head++
	}
	if n.head > 1024 && n.head*2 > len(n.order) {
		n.order = append(n.order[:0], n.order[n.head:]...)
		n.head = 0
	}
	n.order = append(n.order, issued{nonce: v, expires: now.Add(n.ttl)})
	n.m[v] = &nonceEntry{algorithm: algorithm, expires: now.Add(n.ttl)}
	return v
}

// use consumes nonce for one request with nonce count nc (0 without qop)
// and reports whether it is fresh: issued here, unexpired, for algorithm,
// and not replayed.
func (n *nonces) use(nonce, algorithm string, nc int, qop bool) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.m[nonce]
	switch {
	case e == nil:
		return false
	case !n.now().Before(e.expires):
		delete(n.m, nonce)
		return false
	case e.algorithm != algorithm:
		return false
	case qop:
		if nc <= e.lastNC {
			return false
		}
		e.lastNC = nc
		return true
	default:
		// Good for one request: forgetting it makes a replay unknown,
		// which is refused the same way.
		delete(n.m, nonce)
		return true
	}
}

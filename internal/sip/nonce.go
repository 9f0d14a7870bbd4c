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
type nonces struct {
	ttl time.Duration
	max int
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*nonceEntry
}

type nonceEntry struct {
	algorithm string
	expires   time.Time
	lastNC    int
	used      bool
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
	if len(n.m) >= n.max {
		for k, e := range n.m {
			if !now.Before(e.expires) {
				delete(n.m, k)
			}
		}
		// Still full: a flood. Forget arbitrary nonces; their owners are
		// challenged again.
		for k := range n.m {
			if len(n.m) < n.max {
				break
			}
			delete(n.m, k)
		}
	}
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
		if e.used {
			return false
		}
		e.used = true
		return true
	}
}

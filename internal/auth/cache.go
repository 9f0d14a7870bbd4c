package auth

import (
	"sync"
	"time"
)

// tokenTTL is how long a node trusts a token it resolved without asking the
// database again. Revocations, user and account changes made through this
// node apply at once (they clear the cache); made through another node
// sharing the database, within tokenTTL.
const tokenTTL = 3 * time.Second

// tokenCache keeps recently resolved tokens by hash, so that a busy client
// costs no database read per request.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	id     Identity
	stored time.Time
}

func (c *tokenCache) get(hash string, now time.Time) (Identity, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.Sub(e.stored) >= tokenTTL || (!e.id.Token.ExpiresAt.IsZero() && !now.Before(e.id.Token.ExpiresAt)) {
		return Identity{}, false
	}
	return e.id, true
}

func (c *tokenCache) put(hash string, id Identity, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 50_000 {
		c.m = map[string]cachedToken{}
	}
	c.m[hash] = cachedToken{id: id, stored: now}
}

// clear forgets every token: credentials changed somewhere.
func (c *tokenCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

package sip

import (
	"context"
	"net"
	"strconv"
	"sync"
	"time"

	"switchboard/internal/peer"
)

// Target is one place to reach a peer: the contact URI to put in the
// request line and the address to send to.
type Target struct {
	Contact   string // request URI
	Address   string // ip:port to send to (the source of the REGISTER, or a static host)
	Transport string
	Reachable bool
}

// Locator finds where a peer is reachable: its live bindings (read from
// the shared store, kept per node for a short while) or, for a static
// peer, its host and port. It is what call routing asks.
type Locator struct {
	store peer.Store
	now   func() time.Time
	ttl   time.Duration
	mu    sync.Mutex
	cache map[int64]locEntry
}

type locEntry struct {
	regs    []peer.Registration
	fetched time.Time
}

// locatorTTL bounds how stale another node's registration can look here.
const locatorTTL = 2 * time.Second

func newLocator(store peer.Store, now func() time.Time) *Locator {
	return &Locator{store: store, now: now, ttl: locatorTTL, cache: map[int64]locEntry{}}
}

func (l *Locator) forget(peerID int64) {
	l.mu.Lock()
	delete(l.cache, peerID)
	l.mu.Unlock()
}

// Targets returns where p can be reached now.
func (l *Locator) Targets(ctx context.Context, p peer.Peer) ([]Target, error) {
	if p.HostType == "static" {
		addr := net.JoinHostPort(p.Host, strconv.Itoa(p.Port))
		return []Target{{Contact: "sip:" + p.Username + "@" + addr, Address: addr, Transport: p.Transport, Reachable: true}}, nil
	}
	now := l.now()
	l.mu.Lock()
	e, ok := l.cache[p.ID]
	l.mu.Unlock()
	if !ok || now.Sub(e.fetched) > l.ttl {
		regs, err := l.store.Registrations(ctx, p.ID, now)
		if err != nil {
			return nil, err
		}
		e = locEntry{regs: regs, fetched: now}
		l.mu.Lock()
		if len(l.cache) > 100_000 {
			l.cache = map[int64]locEntry{}
		}
		l.cache[p.ID] = e
		l.mu.Unlock()
	}
	var out []Target
	for _, r := range e.regs {
		if r.ExpiresAt.After(now) {
			out = append(out, Target{Contact: r.Contact, Address: r.Source, Transport: r.Transport, Reachable: r.Reachable})
		}
	}
	return out, nil
}

// PeerAt finds the enabled static peer a request from ip:port comes from:
// one at exactly that host and port, else the only one at that host.
func (l *Locator) PeerAt(ctx context.Context, ip string, port int) (peer.Peer, bool, error) {
	peers, err := l.store.StaticPeers(ctx, ip, 0)
	if err != nil {
		return peer.Peer{}, false, err
	}
	var enabled []peer.Peer
	for _, p := range peers {
		if p.Status != "enabled" {
			continue
		}
		if p.Port == port {
			return p, true, nil
		}
		enabled = append(enabled, p)
	}
	if len(enabled) == 1 {
		return enabled[0], true, nil
	}
	return peer.Peer{}, false, nil
}

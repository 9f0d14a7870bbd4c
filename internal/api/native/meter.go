package native

import (
	"context"
	"sync"
	"time"
)

// flushEvery bounds how often a node writes an account's request count to
// the shared counter; between flushes it counts in memory.
const flushEvery = time.Second

// meter counts native requests per account and minute in memory and folds
// them into the shared database counter at most once per flushEvery per
// account, so a request costs no database write while the limit still holds
// across nodes (each node may overshoot by what it counts in one interval).
type meter struct {
	store   Limiter
	mu      sync.Mutex
	entries map[meterKey]*meterEntry
}

type meterKey struct {
	account int64
	window  int64
}

type meterEntry struct {
	shared  int64 // the shared count at the last flush, this node's flushed hits included
	pending int64 // hits not flushed yet
	flushed time.Time
	busy    bool
}

// hit counts one request and returns the account's count in the window as
// this node knows it.
func (m *meter) hit(ctx context.Context, account int64, window time.Time) (int64, error) {
	now := time.Now()
	k := meterKey{account, window.Unix()}
	m.mu.Lock()
	if m.entries == nil {
		m.entries = map[meterKey]*meterEntry{}
	}
	e, ok := m.entries[k]
	if !ok {
		if len(m.entries) > 10_000 {
			m.prune(window)
		}
		e = &meterEntry{}
		m.entries[k] = e
	}
	e.pending++
	total := e.shared + e.pending
	var delta int64
	if !e.busy && now.Sub(e.flushed) >= flushEvery {
		e.busy, delta, e.pending = true, e.pending, 0
	}
	m.mu.Unlock()
	if delta == 0 {
		return total, nil
	}
	n, err := m.store.Add(ctx, account, "native", window, delta)
	m.mu.Lock()
	defer m.mu.Unlock()
	e.busy, e.flushed = false, now
	if err != nil {
		e.pending += delta
		return total, err
	}
	e.shared = n
	return n + e.pending, nil
}

// prune drops counts of windows before the current one; called with mu held.
func (m *meter) prune(current time.Time) {
	for k := range m.entries {
		if k.window < current.Unix() {
			delete(m.entries, k)
		}
	}
}

package cdr_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"switchboard/internal/callcharge"
	"switchboard/internal/cdr"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// flakyStore is a CDR store whose database can be switched off.
type flakyStore struct {
	mu   sync.Mutex
	down bool
	rows map[string]cdr.CDR
}

func (s *flakyStore) InsertCDR(_ context.Context, c *cdr.CDR) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return errors.New("connection refused")
	}
	if _, ok := s.rows[c.CallHash]; !ok {
		s.rows[c.CallHash] = *c
	}
	return nil
}
func (s *flakyStore) GetCDR(context.Context, int64, int64) (cdr.CDR, error) { return cdr.CDR{}, nil }
func (s *flakyStore) CDRByHash(context.Context, int64, string) (cdr.CDR, error) {
	return cdr.CDR{}, nil
}
func (s *flakyStore) ListCDRs(context.Context, int64, cdr.Filter, query.Params) ([]cdr.CDR, int, error) {
	return nil, 0, nil
}
func (s *flakyStore) set(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }
func (s *flakyStore) count() int    { s.mu.Lock(); defer s.mu.Unlock(); return len(s.rows) }

type chargeLog struct {
	mu    sync.Mutex
	calls []callcharge.Call
	err   error
}

func (c *chargeLog) Charge(_ context.Context, call callcharge.Call) (callcharge.Outcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
	return callcharge.Outcome{}, c.err
}

func record(hash, disposition string, billsec int) cdr.CDR {
	now := time.Now().UTC()
	return cdr.CDR{ID: int64(len(hash)), CallHash: hash, AccountID: 5, SubaccountID: 9, DstNumber: "2000", RoutingType: "internal",
		Disposition: disposition, Billsec: billsec, StartedAt: now.Add(-time.Minute), EndedAt: now}
}

// TestRecorderQueuesWhileTheDatabaseIsDown: CDRs refused by the database
// land in the queue file in order and are written, then charged, once
// the database is back; nothing is lost or written twice.
func TestRecorderQueuesWhileTheDatabaseIsDown(t *testing.T) {
	st := &flakyStore{rows: map[string]cdr.CDR{}}
	charges := &chargeLog{err: problem.NotFoundf("rate_not_found")} // an internal call without a rate: not an error
	path := filepath.Join(t.TempDir(), "cdr-queue.jsonl")
	r := cdr.NewRecorder(st, charges, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()

	r.Record(ctx, record("a1", "answered", 30))
	st.set(true)
	r.Record(ctx, record("b22", "busy", 0))
	r.Record(ctx, record("c333", "answered", 61))
	if st.count() != 1 || r.Queued() != 2 {
		t.Fatalf("written %d, queued %d: want 1 and 2", st.count(), r.Queued())
	}
	if n, err := r.Drain(ctx); n != 0 || err != nil || r.Queued() != 2 {
		t.Fatalf("drain with the database down: %d %v, queued %d", n, err, r.Queued())
	}
	st.set(false)
	if n, err := r.Drain(ctx); n != 2 || err != nil {
		t.Fatalf("drain: %d %v", n, err)
	}
	if st.count() != 3 || r.Queued() != 0 {
		t.Fatalf("after the drain: written %d, queued %d", st.count(), r.Queued())
	}
	if n, _ := r.Drain(ctx); n != 0 {
		t.Errorf("a second drain wrote %d", n)
	}
	got := st.rows["c333"]
	if got.Billsec != 61 || got.AccountID != 5 || got.SubaccountID != 9 || got.StartedAt.IsZero() {
		t.Errorf("queued cdr came back as %+v", got)
	}
	// Only answered calls are charged, each once, with the CDR's hash,
	// account, subaccount, destination and billsec.
	if len(charges.calls) != 2 || charges.calls[0].Hash != "a1" || charges.calls[1].Hash != "c333" {
		t.Fatalf("charged %+v", charges.calls)
	}
	if c := charges.calls[1]; c.AccountID != 5 || c.SubaccountID != 9 || c.Destination != "2000" || c.Duration != 61 || !c.Answered {
		t.Errorf("charge %+v", c)
	}
}

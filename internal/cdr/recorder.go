package cdr

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"switchboard/internal/callcharge"
	"switchboard/internal/problem"
)

// Charger turns an answered call into money.
type Charger interface {
	Charge(ctx context.Context, c callcharge.Call) (callcharge.Outcome, error)
}

// Recorder writes CDRs as calls end. A CDR the database refuses is
// appended to a queue file and written by Drain once the database is
// back; a written answered CDR is then charged.
type Recorder struct {
	store   Store
	charger Charger
	path    string
	log     *slog.Logger
	mu      sync.Mutex // the queue file

}

// NewRecorder returns a Recorder queuing to the file at path; charger may
// be nil.
func NewRecorder(store Store, charger Charger, path string, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	return &Recorder{store: store, charger: charger, path: path, log: log}
}

// Record writes c, or queues it when the database fails.
func (r *Recorder) Record(ctx context.Context, c CDR) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.store.InsertCDR(ctx, &c); err != nil {
		r.log.Warn("cdr write failed; queued on disk", "call_hash", c.CallHash, "err", err)
		if qerr := r.enqueue(c); qerr != nil {
			r.log.Error("cdr lost", "call_hash", c.CallHash, "err", qerr, "cdr", fmt.Sprintf("%+v", c))
		}
		return
	}
	r.chargeCall(ctx, c)
}

func (r *Recorder) enqueue(c CDR) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Queued reports how many CDRs wait in the queue file.
func (r *Recorder) Queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := os.ReadFile(r.path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte{'\n'})
}

// Drain writes the queued CDRs; those the database still refuses stay
// queued, in order. It returns how many were written.
func (r *Recorder) Drain(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := os.ReadFile(r.path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read cdr queue: %w", err)
	}
	var keep [][]byte
	written := 0
	var done []CDR
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	failed := false
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var c CDR
		if err := json.Unmarshal(line, &c); err != nil {
			r.log.Error("cdr queue: unreadable line dropped", "line", string(line))
			continue
		}
		if failed {
			keep = append(keep, line)
			continue
		}
		if err := r.store.InsertCDR(ctx, &c); err != nil {
			failed = true
			keep = append(keep, line)
			continue
		}
		written++
		done = append(done, c)
	}
	if len(keep) == 0 {
		err = os.Remove(r.path)
	} else {
		tmp := r.path + ".tmp"
		if err = os.WriteFile(tmp, append(bytes.Join(keep, []byte{'\n'}), '\n'), 0o600); err == nil {
			err = os.Rename(tmp, r.path)
		}
	}
	if err != nil {
		return written, fmt.Errorf("rewrite cdr queue: %w", err)
	}
	for _, c := range done {
		r.chargeCall(ctx, c)
	}
	return written, nil
}

// chargeCall charges an answered call. An internal call without a rate in
// its tariff costs nothing: that is the normal case, not an error.
func (r *Recorder) chargeCall(ctx context.Context, c CDR) {
	if r.charger == nil || c.Disposition != "answered" {
		return
	}
	_, err := r.charger.Charge(ctx, callcharge.Call{Hash: c.CallHash, AccountID: c.AccountID, SubaccountID: c.SubaccountID,
		Destination: c.DstNumber, Answered: true, Duration: int64(c.Billsec), StartedAt: c.StartedAt})
	switch {
	case err == nil:
	case c.RoutingType == "internal" && (problem.Is(err, problem.NotFound) ||
		problem.Is(err, problem.Invalid) && problem.As(err).Field == "destination"):
		// An on-net call to a number the tariff has no rate for, or to a
		// peer username, which is no phone number at all: nothing to pay.
		r.log.Debug("internal call has no rate", "call_hash", c.CallHash, "err", err)
	default:
		r.log.Error("charge call", "call_hash", c.CallHash, "err", err)
	}
}

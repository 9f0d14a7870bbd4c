package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Counters implements request limits shared by every node: one row per
// (account, bucket, window), incremented atomically by the database.
type Counters struct{ db *DB }

// NewCounters returns the counter store.
func NewCounters(db *DB) *Counters { return &Counters{db: db} }

// Incr adds one to the counter of (accountID, bucket, window) and returns the
// new count. The upsert is atomic on both engines.
func (c *Counters) Incr(ctx context.Context, accountID int64, bucket string, window time.Time) (int64, error) {
	return c.Add(ctx, accountID, bucket, window, 1)
}

// Add adds delta to the counter of (accountID, bucket, window) and returns
// the new count; nodes that count in memory flush their deltas with it.
func (c *Counters) Add(ctx context.Context, accountID int64, bucket string, window time.Time, delta int64) (int64, error) {
	var n int64
	err := c.db.write.QueryRowContext(ctx, `INSERT INTO request_counters (account_id, bucket, window_start, count)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, bucket, window_start) DO UPDATE SET count = request_counters.count + excluded.count
		RETURNING count`, accountID, bucket, Micros(window), delta).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count request: %w", translate(err))
	}
	return n, nil
}

// Overrides returns the operator's per-bucket limits of an account.
func (c *Counters) Overrides(ctx context.Context, accountID int64) (map[string]int64, error) {
	var raw string
	err := c.db.Reader().QueryRowContext(ctx, `SELECT api_limits FROM accounts WHERE id = $1`, accountID).Scan(&raw)
	if err != nil {
		return nil, fmt.Errorf("limit overrides: %w", translate(err))
	}
	out := map[string]int64{}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("limit overrides: %w", err)
	}
	return out, nil
}

// Prune deletes counters of windows that ended before cutoff.
func (c *Counters) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := c.db.Exec(ctx, `DELETE FROM request_counters WHERE window_start < $1`, Micros(cutoff))
	if err != nil {
		return 0, fmt.Errorf("prune counters: %w", err)
	}
	return res.RowsAffected()
}

package voicemeup

import (
	"context"
	"fmt"
	"maps"
	"time"
)

// SharedPool is the bucket of every request type without a limit of its own.
const SharedPool = "shared_pool"

// DefaultLimits is the document's hourly request limit per account and
// bucket: a few request types have their own, every other request type
// counts against SharedPool.
var DefaultLimits = map[string]int64{
	"delete_faxes":        1500,
	"delete_recordings":   1500,
	"delete_voicemails":   1500,
	"dispatch_call":       900,
	"voicemail_broadcast": 900,
	"queue_fax":           600,
	"queue_sms":           600,
	SharedPool:            1200,
}

// Bucket returns the limit bucket requestType counts against.
func Bucket(requestType string) string {
	if _, own := DefaultLimits[requestType]; own && requestType != SharedPool {
		return requestType
	}
	return SharedPool
}

// LimitStore counts requests per account, bucket and hour. It lives in the
// database so that every node sharing it enforces one count.
type LimitStore interface {
	// Incr atomically adds one to the counter of (accountID, bucket, hour) and returns the new count.
	Incr(ctx context.Context, accountID int64, bucket string, hour time.Time) (int64, error)
	// Overrides returns the operator's per-bucket limits for the account (may be empty).
	Overrides(ctx context.Context, accountID int64) (map[string]int64, error)
}

// limitState is the outcome of counting one request.
type limitState int

const (
	limitOK limitState = iota
	limitSoft
	limitHard
)

// limiter applies the hourly limits through a LimitStore.
type limiter struct {
	store    LimitStore
	defaults map[string]int64
	now      func() time.Time
}

// newLimiter returns a limiter over store; overrides replaces the values of
// DefaultLimits for the buckets it names.
func newLimiter(store LimitStore, overrides map[string]int64, now func() time.Time) *limiter {
	limits := maps.Clone(DefaultLimits)
	maps.Copy(limits, overrides)
	return &limiter{store: store, defaults: limits, now: now}
}

// count records one request of requestType for the account and reports
// whether it stays under the limit, reaches the warning threshold (90 %),
// or exceeds the limit. A limit of zero or less means no limit; such
// requests are not counted at all.
func (l *limiter) count(ctx context.Context, accountID int64, requestType string) (limitState, error) {
	if l == nil || l.store == nil {
		return limitOK, nil
	}
	bucket := Bucket(requestType)
	limit, ok := l.defaults[bucket]
	if !ok {
		limit = l.defaults[SharedPool]
	}
	over, err := l.store.Overrides(ctx, accountID)
	if err != nil {
		return limitOK, fmt.Errorf("voicemeup: read limit overrides: %w", err)
	}
	if v, ok := over[bucket]; ok {
		limit = v
	}
	if limit <= 0 {
		return limitOK, nil
	}
	hour := l.now().UTC().Truncate(time.Hour)
	n, err := l.store.Incr(ctx, accountID, bucket, hour)
	if err != nil {
		return limitOK, fmt.Errorf("voicemeup: count request: %w", err)
	}
	switch {
	case n > limit:
		return limitHard, nil
	case n*10 >= limit*9:
		return limitSoft, nil
	}
	return limitOK, nil
}

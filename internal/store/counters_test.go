package store_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

func TestCountersIncrAtomic(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		c := store.NewCounters(e.db)
		window := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		const n = 200
		got := make([]int64, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				got[i], errs[i] = c.Incr(context.Background(), 42, "native", window)
			})
		}
		close(start)
		wg.Wait()
		seen := make([]bool, n+1)
		for i, v := range got {
			if errs[i] != nil {
				t.Fatalf("Incr %d: %v", i, errs[i])
			}
			if v < 1 || v > n || seen[v] {
				t.Fatalf("Incr returned %d twice or out of 1..%d", v, n)
			}
			seen[v] = true
		}
		if v, err := c.Incr(context.Background(), 42, "native", window); err != nil || v != n+1 {
			t.Fatalf("Incr after the burst = %d, %v; want %d", v, err, n+1)
		}
	})
}

func TestCountersIndependentAndPrune(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		c := store.NewCounters(e.db)
		w0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		w1 := w0.Add(time.Minute)
		steps := []struct {
			acct   int64
			bucket string
			window time.Time
			want   int64
		}{
			{1, "native", w0, 1},
			{1, "native", w0, 2},
			{1, "native", w1, 1},
			{1, "billing", w0, 1},
			{2, "native", w0, 1},
			{1, "native", w0, 3},
			{2, "native", w1, 1},
			{1, "billing", w1, 1},
		}
		for i, s := range steps {
			if got, err := c.Incr(ctx, s.acct, s.bucket, s.window); err != nil || got != s.want {
				t.Fatalf("step %d: Incr(%d, %s, %v) = %d, %v; want %d", i, s.acct, s.bucket, s.window, got, err, s.want)
			}
		}
		// Prune drops windows before the cutoff only: w0 goes, w1 stays.
		if n, err := c.Prune(ctx, w1); err != nil || n != 3 {
			t.Fatalf("Prune = %d, %v; want 3 rows of w0", n, err)
		}
		if got, err := c.Incr(ctx, 1, "native", w1); err != nil || got != 2 {
			t.Fatalf("w1 after prune = %d, %v; want 2", got, err)
		}
		if got, err := c.Incr(ctx, 1, "native", w0); err != nil || got != 1 {
			t.Fatalf("w0 after prune = %d, %v; want a fresh 1", got, err)
		}
		if n, err := c.Prune(ctx, w0); err != nil || n != 0 {
			t.Fatalf("Prune at the oldest window = %d, %v; want 0", n, err)
		}
	})
}

func TestCountersOverrides(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		c := store.NewCounters(e.db)
		op := e.mkAccount(t, nil, account.TypeOperator)
		a := e.acct(&op, account.TypeCustomer)
		a.APILimits = map[string]int64{"native": 30, "billing": 1_000_000_000_000}
		if err := e.accounts.CreateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if got, err := c.Overrides(ctx, a.ID); err != nil || !maps.Equal(got, a.APILimits) {
			t.Fatalf("Overrides = %v, %v; want %v", got, err, a.APILimits)
		}
		if got, err := c.Overrides(ctx, op.ID); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("Overrides of an account without limits = %v, %v; want an empty map", got, err)
		}
		a.APILimits = map[string]int64{"native": 5}
		if err := e.accounts.UpdateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if got, err := c.Overrides(ctx, a.ID); err != nil || !maps.Equal(got, a.APILimits) {
			t.Fatalf("Overrides after update = %v, %v; want %v", got, err, a.APILimits)
		}
		_, err := c.Overrides(ctx, e.ids.Next())
		wantCode(t, err, problem.NotFound, "")
	})
}

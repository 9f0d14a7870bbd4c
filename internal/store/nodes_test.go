package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

func TestLeaseNodeDistinct(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		const holders = 16
		nodes := make([]int64, holders)
		errs := make([]error, holders)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range holders {
			wg.Go(func() {
				<-start
				nodes[i], errs[i] = e.db.LeaseNode(context.Background(), fmt.Sprintf("holder-%d", i), time.Minute)
			})
		}
		close(start)
		wg.Wait()
		seen := map[int64]int{}
		for i, n := range nodes {
			if errs[i] != nil {
				t.Fatalf("holder %d: %v", i, errs[i])
			}
			if n < 0 || n >= store.MaxNodes {
				t.Fatalf("holder %d got node %d outside 0..%d", i, n, store.MaxNodes-1)
			}
			if j, dup := seen[n]; dup {
				t.Fatalf("holders %d and %d both got node %d", j, i, n)
			}
			seen[n] = i
		}
		for i, n := range nodes {
			if err := e.db.RenewNode(context.Background(), n, fmt.Sprintf("holder-%d", i), time.Minute); err != nil {
				t.Fatalf("renew own lease: %v", err)
			}
			if err := e.db.RenewNode(context.Background(), n, "stranger", time.Minute); err == nil {
				t.Fatalf("a stranger renewed node %d", n)
			}
		}
	})
}

func TestLeaseNodeTakeover(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		// A's lease has already run out; every other node id is held.
		a, err := e.db.LeaseNode(ctx, "A", -time.Second)
		if err != nil {
			t.Fatalf("lease A: %v", err)
		}
		if _, err := e.db.Exec(ctx, `WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < $1)
			INSERT INTO nodes (node, holder, expires_at) SELECT n, 'busy', $2 FROM s WHERE n <> $3`,
			store.MaxNodes-1, time.Now().Add(time.Hour).UnixMicro(), a); err != nil {
			t.Fatalf("fill nodes: %v", err)
		}
		b, err := e.db.LeaseNode(ctx, "B", time.Minute)
		if err != nil || b != a {
			t.Fatalf("lease B = %d, %v; want A's expired node %d", b, err, a)
		}
		if err := e.db.RenewNode(ctx, a, "A", time.Minute); err == nil {
			t.Fatal("A renewed a lease B took over")
		}
		if _, err := e.db.LeaseNode(ctx, "C", time.Minute); err == nil {
			t.Fatal("C leased a node while all are live")
		}
		// A's release must not free B's node.
		if err := e.db.ReleaseNode(ctx, a, "A"); err != nil {
			t.Fatalf("release A: %v", err)
		}
		if err := e.db.RenewNode(ctx, b, "B", time.Minute); err != nil {
			t.Fatalf("B lost its lease to A's release: %v", err)
		}
		if err := e.db.ReleaseNode(ctx, b, "B"); err != nil {
			t.Fatalf("release B: %v", err)
		}
		if err := e.db.RenewNode(ctx, b, "B", time.Minute); err == nil {
			t.Fatal("B renewed a released lease")
		}
		if c, err := e.db.LeaseNode(ctx, "C", time.Minute); err != nil || c != b {
			t.Fatalf("lease C = %d, %v; want the released node %d", c, err, b)
		}
	})
}

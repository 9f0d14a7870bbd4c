package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/cdr"
	"switchboard/internal/extension"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

func TestExtensionStore(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		exts := store.NewExtensions(e.db)
		tr := e.mkTree(t)
		now := stamp()
		x := extension.Extension{ID: e.ids.Next(), AccountID: tr.cust.ID, Number: 2000, FriendlyName: "Front desk",
			PeerIDs: []int64{11, 7, 9}, PeerTimeout: 15, ForwardNumber: "5145550100", ForwardTimeout: 20, EnableForwarding: true,
			Status: "enabled", Comments: "lobby", CreatedAt: now, UpdatedAt: now}
		if err := exts.CreateExtension(ctx, &x); err != nil {
			t.Fatalf("create: %v", err)
		}
		got, err := exts.GetExtension(ctx, tr.res.ID, x.ID)
		if err != nil || !reflect.DeepEqual(got, x) {
			t.Fatalf("get by an ancestor = %+v, %v; want %+v (peer order kept)", got, err, x)
		}
		if _, err := exts.GetExtension(ctx, tr.sibling.ID, x.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("get by the sibling: %v", err)
		}
		dup := x
		dup.ID = e.ids.Next()
		wantCode(t, exts.CreateExtension(ctx, &dup), problem.Conflict, "extension")
		dup.AccountID = tr.sibling.ID
		if err := exts.CreateExtension(ctx, &dup); err != nil {
			t.Errorf("the same number in another account: %v", err)
		}
		if got, err := exts.ExtensionByNumber(ctx, tr.cust.ID, 2000); err != nil || got.ID != x.ID {
			t.Errorf("by number: %v %v", got.ID, err)
		}
		x.PeerIDs, x.Number = []int64{}, 2001
		if err := exts.UpdateExtension(ctx, &x); err != nil {
			t.Fatal(err)
		}
		if got, _ := exts.GetExtension(ctx, tr.cust.ID, x.ID); got.Number != 2001 || len(got.PeerIDs) != 0 {
			t.Errorf("after update %+v", got)
		}
		items, n, err := exts.ListExtensions(ctx, tr.res.ID, extension.Filter{}, query.Params{Filter: "extension eq 2001"})
		if err != nil || n != 1 || items[0].ID != x.ID {
			t.Errorf("filtered list: %d %v", n, err)
		}
		if err := exts.DeleteExtension(ctx, tr.sibling.ID, x.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("delete by the sibling: %v", err)
		}
		if err := exts.DeleteExtension(ctx, tr.cust.ID, x.ID); err != nil {
			t.Errorf("delete: %v", err)
		}
	})
}

func TestCDRStore(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		cdrs := store.NewCDRs(e.db)
		tr := e.mkTree(t)
		base := stamp().Add(-time.Hour)
		var all []cdr.CDR
		for i, d := range []string{"answered", "busy", "cancelled", "answered"} {
			c := cdr.CDR{ID: e.ids.Next(), CallHash: cdr.NewHash(), AccountID: tr.cust.ID, SubaccountID: int64(i % 2),
				Direction: "outbound", RoutingType: "internal", SrcNumber: "alice", SrcPeerID: 3, DstNumber: "2000", DstPeerID: 4,
				CallerIDName: "Alice", CallerIDNumber: "100", StartedAt: base.Add(time.Duration(i) * time.Minute),
				EndedAt: base.Add(time.Duration(i)*time.Minute + 30*time.Second), Duration: 30, Disposition: d, SIPCode: 200,
				FailureReason: "caller_hangup", SrcUserAgent: "A", DstUserAgent: "B", SIPCallID: "x@y", Node: 3}
			if d == "answered" {
				c.AnsweredAt, c.Billsec = c.StartedAt.Add(5*time.Second), 25
			}
			if err := cdrs.InsertCDR(ctx, &c); err != nil {
				t.Fatal(err)
			}
			all = append(all, c)
		}
		// A retried write of the same hash changes nothing.
		again := all[0]
		again.ID, again.Billsec = e.ids.Next(), 999
		if err := cdrs.InsertCDR(ctx, &again); err != nil {
			t.Fatalf("rewrite of a hash: %v", err)
		}
		got, err := cdrs.GetCDR(ctx, tr.res.ID, all[0].ID)
		if err != nil || !reflect.DeepEqual(got, all[0]) {
			t.Fatalf("get = %+v, %v; want %+v", got, err, all[0])
		}
		if _, err := cdrs.GetCDR(ctx, tr.sibling.ID, all[0].ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("sibling get: %v", err)
		}
		if _, err := cdrs.CDRByHash(ctx, tr.sibling.ID, all[0].CallHash); !problem.Is(err, problem.NotFound) {
			t.Errorf("sibling by hash: %v", err)
		}
		list := func(f cdr.Filter, q query.Params) []int64 {
			items, _, err := cdrs.ListCDRs(ctx, tr.res.ID, f, q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range items {
				ids = append(ids, c.ID)
			}
			return ids
		}
		asc := query.Params{OrderBy: "id asc"}
		if got := list(cdr.Filter{AfterID: all[1].ID}, asc); !reflect.DeepEqual(got, []int64{all[2].ID, all[3].ID}) {
			t.Errorf("after the second: %v", got)
		}
		if got := list(cdr.Filter{Dispositions: []string{"busy", "cancelled"}}, asc); !reflect.DeepEqual(got, []int64{all[1].ID, all[2].ID}) {
			t.Errorf("busy,cancelled: %v", got)
		}
		if got := list(cdr.Filter{From: all[1].StartedAt, To: all[3].StartedAt}, asc); !reflect.DeepEqual(got, []int64{all[1].ID, all[2].ID}) {
			t.Errorf("date range: %v", got)
		}
		if got := list(cdr.Filter{SubaccountID: 1}, asc); !reflect.DeepEqual(got, []int64{all[1].ID, all[3].ID}) {
			t.Errorf("subaccount: %v", got)
		}
		if got := list(cdr.Filter{}, query.Params{}); len(got) != 4 || got[0] != all[3].ID {
			t.Errorf("default order is newest first: %v", got)
		}
		if got := list(cdr.Filter{}, query.Params{Filter: "billsec gt 0"}); len(got) != 2 {
			t.Errorf("billsec filter: %v", got)
		}
		if items, _, _ := cdrs.ListCDRs(ctx, tr.sibling.ID, cdr.Filter{}, query.Params{}); len(items) != 0 {
			t.Errorf("sibling list: %d", len(items))
		}
	})
}

package store_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"switchboard/internal/callpack"
	"switchboard/internal/ledger"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// TestCallPackStore covers a pack's life: bought with its money (a failed
// insert keeps none), replayed by key, scoped, listed while active,
// renewed with its seconds restored, deleted.
func TestCallPackStore(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		s.credit(t, tr.cust.ID, 50_00000)
		charge := func(key, ref string) ledger.ApplyRequest {
			opts := ledger.Options{}
			if key != "" {
				opts = ledger.Options{IdempotencyKey: key, RequestHash: "h"}
			}
			req, err := s.ledger.Prepare([]ledger.Posting{{AccountID: tr.cust.ID, Activity: ledger.CallPack, Debit: 9_00000, Reference: ref}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			return req
		}
		now := stamp()
		p := callpack.Pack{ID: s.e.ids.Next(), AccountID: tr.cust.ID, TypeID: 13, Status: callpack.Active, SecondsTotal: 60_000,
			Price: 9_00000, StartsAt: now, ExpiresAt: now.AddDate(0, 1, 0), CreatedAt: now, UpdatedAt: now}
		es, replayed, err := s.pstore.CreatePack(ctx, p, charge("k", callpack.Reference(p.ID)))
		if err != nil || replayed || es[0].Reference != "call_pack:"+strconv.FormatInt(p.ID, 10) {
			t.Fatalf("create = %v %v %v", es, replayed, err)
		}
		_, _, err = s.pstore.CreatePack(ctx, p, charge("", "dup"))
		wantCode(t, err, problem.Conflict, "")
		if b := s.balance(t, tr.cust.ID); b != 41_00000 {
			t.Fatalf("balance = %s; want 41.00000 (the failed insert charged nothing)", b)
		}
		p2 := p
		p2.ID = s.e.ids.Next()
		if _, replayed, err := s.pstore.CreatePack(ctx, p2, charge("k", "again")); err != nil || !replayed {
			t.Fatalf("repeat = %v %v", replayed, err)
		}
		got, err := s.pstore.GetPack(ctx, tr.res.ID, p.ID)
		if err != nil || got.SecondsTotal != 60_000 || got.TypeID != 13 || !got.ExpiresAt.Equal(p.ExpiresAt) {
			t.Fatalf("get = %+v, %v", got, err)
		}
		if _, err := s.pstore.GetPack(ctx, tr.sibling.ID, p.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a sibling sees the pack: %v", err)
		}
		items, n, err := s.pstore.ListPacks(ctx, tr.op.ID, now, query.Params{})
		if err != nil || n != 1 || items[0].ID != p.ID {
			t.Fatalf("list = %d %v %v", n, items, err)
		}
		if _, n, _ := s.pstore.ListPacks(ctx, tr.op.ID, p.ExpiresAt, query.Params{}); n != 0 {
			t.Fatalf("an expired pack is listed")
		}
		if _, n, _ := s.pstore.ListPacks(ctx, tr.op.ID, now, query.Params{Search: "UK", Filter: "pack_id eq 13"}); n != 1 {
			t.Fatalf("search and filter find %d", n)
		}

		if _, err := store.ConsumeCallPacks(ctx, s.e.db, tr.cust.ID, "447700900123", 600, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		later := now.Add(time.Hour)
		r := callpack.Renewal{ID: p.ID, Price: 9_00000, StartsAt: later, ExpiresAt: later.AddDate(0, 1, 0), At: later}
		if _, _, err := s.pstore.RenewPack(ctx, r, charge("", callpack.Reference(p.ID))); err != nil {
			t.Fatal(err)
		}
		got, _ = s.pstore.GetPack(ctx, 0, p.ID)
		if got.SecondsUsed != 0 || !got.ExpiresAt.Equal(r.ExpiresAt) || s.balance(t, tr.cust.ID) != 32_00000 {
			t.Fatalf("renewed = %+v, balance %s", got, s.balance(t, tr.cust.ID))
		}

		wantCode(t, s.pstore.DeletePack(ctx, tr.sibling.ID, p.ID, later), problem.NotFound, "")
		if err := s.pstore.DeletePack(ctx, tr.cust.ID, p.ID, later); err != nil {
			t.Fatal(err)
		}
		if _, err := s.pstore.GetPack(ctx, 0, p.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a deleted pack is found: %v", err)
		}
		// Renewing a deleted pack moves nothing.
		_, _, err = s.pstore.RenewPack(ctx, r, charge("", callpack.Reference(p.ID)))
		wantCode(t, err, problem.NotFound, "")
		if b := s.balance(t, tr.cust.ID); b != 32_00000 {
			t.Fatalf("renewing a deleted pack charged: %s", b)
		}
	})
}

// TestConsumeCallPacks proves consumption and coverage on both stores:
// oldest pack first, only packs whose type covers the destination, an
// expired or not yet started pack never used, a call running the packs out
// gets fewer seconds than asked, and Coverage answers the same without
// consuming.
func TestConsumeCallPacks(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		acc := tr.cust.ID
		base := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		mk := func(typ int, total int64, starts, expires time.Time) int64 {
			s.credit(t, acc, 1_00000)
			p := callpack.Pack{ID: s.e.ids.Next(), AccountID: acc, TypeID: typ, Status: callpack.Active, SecondsTotal: total,
				Price: 1_00000, StartsAt: starts, ExpiresAt: expires, CreatedAt: starts, UpdatedAt: starts}
			req, err := s.ledger.Prepare([]ledger.Posting{{AccountID: acc, Activity: ledger.CallPack, Debit: 1_00000, Reference: callpack.Reference(p.ID)}}, ledger.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.pstore.CreatePack(ctx, p, req); err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		expired := mk(17, 1000, base.AddDate(0, -1, -1), base.AddDate(0, 0, -1))
		ukOld := mk(13, 100, base, base.AddDate(0, 1, 0))
		euNew := mk(17, 300, base.Add(time.Hour), base.AddDate(0, 1, 0))
		future := mk(17, 1000, base.AddDate(0, 0, 10), base.AddDate(0, 1, 10))
		_ = mk(13, 1000, base.Add(90*time.Minute), base.AddDate(0, 1, 0)) // a second UK pack, newer
		at := base.Add(2 * time.Hour)

		// A French call: only the EU packs cover it; the expired and the
		// future one are not used.
		want := []callpack.Use{{PackID: euNew, Seconds: 250}}
		if got, err := s.packs.Coverage(ctx, acc, "33142685300", 250, at); err != nil || !slices.Equal(got, want) {
			t.Fatalf("coverage = %v, %v; want %v", got, err, want)
		}
		if got, err := store.ConsumeCallPacks(ctx, s.e.db, acc, "33142685300", 250, at); err != nil || !slices.Equal(got, want) {
			t.Fatalf("consume = %v, %v; want %v", got, err, want)
		}
		// Running out mid-call: 50 seconds left, 120 asked.
		want = []callpack.Use{{PackID: euNew, Seconds: 50}}
		if got, err := store.ConsumeCallPacks(ctx, s.e.db, acc, "33142685300", 120, at); err != nil || !slices.Equal(got, want) {
			t.Fatalf("consume past the end = %v, %v; want %v", got, err, want)
		}
		if got, err := store.ConsumeCallPacks(ctx, s.e.db, acc, "33142685300", 10, at); err != nil || len(got) != 0 {
			t.Fatalf("consume from exhausted packs = %v, %v", got, err)
		}
		// A UK mobile call: the oldest UK pack first, then the next.
		cov, err := s.packs.Coverage(ctx, acc, "447700900123", 130, at)
		if err != nil || len(cov) != 2 || cov[0] != (callpack.Use{PackID: ukOld, Seconds: 100}) || cov[1].Seconds != 30 {
			t.Fatalf("UK coverage = %v, %v", cov, err)
		}
		again, _ := s.packs.Coverage(ctx, acc, "447700900123", 130, at)
		if !slices.Equal(again, cov) {
			t.Fatalf("coverage consumed: %v then %v", cov, again)
		}
		if got, err := store.ConsumeCallPacks(ctx, s.e.db, acc, "447700900123", 130, at); err != nil || !slices.Equal(got, cov) {
			t.Fatalf("UK consume = %v, %v; want %v", got, err, cov)
		}
		// Uncovered destinations, other accounts, nothing asked.
		for _, c := range []struct {
			acc     int64
			digits  string
			seconds int64
		}{{acc, "15145550000", 60}, {acc, "448001111111", 60}, {tr.sibling.ID, "447700900123", 60}, {acc, "447700900123", 0}} {
			if got, err := store.ConsumeCallPacks(ctx, s.e.db, c.acc, c.digits, c.seconds, at); err != nil || len(got) != 0 {
				t.Errorf("consume %+v = %v, %v; want nothing", c, got, err)
			}
		}
		for id, used := range map[int64]int64{expired: 0, ukOld: 100, euNew: 300, future: 0} {
			p, err := s.pstore.GetPack(ctx, 0, id)
			if err != nil || p.SecondsUsed != used {
				t.Errorf("pack %d used %d, %v; want %d", id, p.SecondsUsed, err, used)
			}
		}
	})
}

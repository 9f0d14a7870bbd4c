package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/ledger"
	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

type numberShop struct {
	*shop
	nstore *store.Numbers
	svc    *number.Service
}

func newNumberShop(t *testing.T, kind string) *numberShop {
	t.Helper()
	s := newShop(t, kind)
	ns := store.NewNumbers(s.e.db)
	return &numberShop{shop: s, nstore: ns, svc: number.NewService(number.Config{Store: ns, Levels: s.cat, Ledger: s.ledger, IDs: s.e.ids, Now: s.clock.now})}
}

func principal(acc int64) auth.Principal { return auth.Principal{AccountID: acc, Role: auth.RoleAdmin} }

// stock adds count numbers +1206555NNNN from first, at $1 setup and $2 a month.
func (s *numberShop) stock(t *testing.T, first, count int) []string {
	t.Helper()
	var ns []number.Number
	var out []string
	for i := 0; i < count; i++ {
		nat := fmt.Sprintf("206555%04d", first+i)
		n, err := s.svc.Build(number.Entry{Number: nat, Type: "local", RateCenter: "SEATTLE", City: "Seattle", Setup: 1_00000, Monthly: 2_00000}, s.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		ns = append(ns, n)
		out = append(out, nat)
	}
	if err := s.svc.Import(context.Background(), auth.Principal{Operator: true, Role: auth.RoleAdmin, AccountID: s.tr.op.ID}, ns); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNumberStoreLife covers a number's life on both engines: stock,
// search, a hold that excludes everyone else, an order refused for funds
// (nothing moves), paid along the chain (numbers move with the money),
// rental and suspension, release and quarantine back to stock.
func TestNumberStoreLife(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newNumberShop(t, kind)
		tr := s.tr
		nats := s.stock(t, 1000, 20)
		if err := s.svc.Import(ctx, auth.Principal{Operator: true, Role: auth.RoleAdmin, AccountID: tr.op.ID}, nil); err != nil {
			t.Fatal(err)
		}
		dup, _ := s.svc.Build(number.Entry{Number: "+1" + nats[0]}, s.clock.now())
		wantCode(t, s.svc.Import(ctx, auth.Principal{Operator: true, Role: auth.RoleAdmin}, []number.Number{dup}), problem.Conflict, "number")

		found, err := s.svc.Search(ctx, number.Search{State: "wa", NPA: "206", Limit: 5})
		if err != nil || len(found) != 5 || found[0].National != nats[0] || found[0].E164 != "+1"+nats[0] || found[0].StateID == 0 {
			t.Fatalf("search = %+v %v", found, err)
		}
		if got, _ := s.svc.Search(ctx, number.Search{Patterns: []string{number.PatternRare}}); len(got) != 2 || got[0].National != "2065551000" || got[1].National != "2065551010" {
			t.Fatalf("rare numbers = %+v; want 2065551000 (round) and 2065551010 (ABAB)", got)
		}
		cust := principal(tr.cust.ID)
		res, held, err := s.svc.Reserve(ctx, cust, []string{nats[0], "+1" + nats[1], nats[2]})
		if err != nil || len(held) != 3 {
			t.Fatalf("reserve = %d %v %v", res, held, err)
		}
		if _, _, err := s.svc.Reserve(ctx, principal(tr.sibling.ID), []string{nats[1]}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("another account reserves a held number: %v", err)
		}
		if got, _ := s.svc.Search(ctx, number.Search{NPA: "206", Limit: 100}); len(got) != 17 {
			t.Fatalf("search sees %d numbers; want the 17 not held", len(got))
		}
		res2, held2, err := s.svc.BulkReserve(ctx, cust, number.Search{NPA: "206"}, 2)
		if err != nil || res2 != res || len(held2) != 5 || held2[3] != nats[3] || held2[4] != nats[4] {
			t.Fatalf("bulk reserve = %d %v %v; want the cart with the next two ascending", res2, held2, err)
		}
		removed, err := s.svc.RemoveReserved(ctx, cust, res, []string{nats[4]})
		if err != nil || len(removed) != 1 {
			t.Fatalf("remove = %v %v", removed, err)
		}
		o, err := s.svc.GenOrder(ctx, cust, res, 7)
		if err != nil || len(o.Numbers) != 4 || o.Amount() != 12_00000 || o.Category != "Landline" {
			t.Fatalf("order = %+v %v", o, err)
		}
		if _, err := s.svc.GenOrder(ctx, cust, res, 7); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a closed reservation orders again: %v", err)
		}
		// Nobody has money: refused, nothing moves.
		if _, err := s.svc.ProcessOrder(ctx, cust, o.ID); !problem.Is(err, problem.PaymentRequired) {
			t.Fatalf("process without funds = %v", err)
		}
		if _, n, _ := s.svc.Owned(ctx, cust, number.OwnedFilter{}, query.Params{}); n != 0 {
			t.Fatalf("%d numbers moved without money", n)
		}
		for _, a := range []int64{tr.cust.ID, tr.sub.ID, tr.res.ID} {
			s.credit(t, a, 100_00000)
		}
		if _, err := s.svc.ProcessOrder(ctx, principal(tr.sibling.ID), o.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a sibling processes the order: %v", err)
		}
		if _, err := s.svc.ProcessOrder(ctx, cust, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.ProcessOrder(ctx, cust, o.ID); !problem.Is(err, problem.Conflict) {
			t.Fatalf("process twice = %v", err)
		}
		for _, a := range []int64{tr.cust.ID, tr.sub.ID, tr.res.ID} {
			if b := s.balance(t, a); b != 88_00000 {
				t.Fatalf("balance of %d = %s; want 88 (setup + month of 4 numbers at every level)", a, b)
			}
		}
		owned, n, err := s.svc.Owned(ctx, principal(tr.res.ID), number.OwnedFilter{}, query.Params{})
		if err != nil || n != 4 || owned[0].AccountID != tr.cust.ID || owned[0].TrunkID != 7 || owned[0].Settings["usage_type"] != "default" {
			t.Fatalf("owned = %d %+v %v", n, owned, err)
		}
		if _, n, _ := s.svc.Owned(ctx, principal(tr.sibling.ID), number.OwnedFilter{}, query.Params{}); n != 0 {
			t.Fatalf("a sibling sees %d numbers", n)
		}

		// A month on: rental charged once however often the pass runs.
		s.clock.t = s.clock.t.AddDate(0, 1, 1)
		for i := 0; i < 2; i++ {
			charged, suspended, err := s.svc.ChargeRentals(ctx)
			if err != nil || suspended != 0 || (i == 0 && charged != 4) || (i == 1 && charged != 0) {
				t.Fatalf("rentals pass %d = %d %d %v", i, charged, suspended, err)
			}
		}
		if b := s.balance(t, tr.cust.ID); b != 80_00000 {
			t.Fatalf("balance after rental = %s; want 80", b)
		}
		// Empty the account: the next month suspends, the grace releases.
		if _, err := s.ledger.Post(ctx, ledger.Posting{AccountID: tr.cust.ID, Activity: ledger.ManualDebit, Debit: 80_00000}, ledger.Options{}); err != nil {
			t.Fatal(err)
		}
		s.clock.t = s.clock.t.AddDate(0, 1, 0)
		if _, suspended, err := s.svc.ChargeRentals(ctx); err != nil || suspended != 4 {
			t.Fatalf("suspended = %d %v", suspended, err)
		}
		if err := s.svc.Release(ctx, cust, nats[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.svc.Release(ctx, cust, nats[0]); !problem.Is(err, problem.NotFound) {
			t.Fatalf("release twice = %v", err)
		}
		s.clock.t = s.clock.t.Add(number.DefaultGrace + time.Hour)
		if _, err := s.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := s.svc.Owned(ctx, cust, number.OwnedFilter{}, query.Params{}); n != 0 {
			t.Fatalf("%d suspended numbers kept past the grace", n)
		}
		items, n, err := s.svc.Inventory(ctx, auth.Principal{Operator: true, Role: auth.RoleAdmin}, query.Params{Filter: "status eq 'quarantined'"})
		if err != nil || n != 4 {
			t.Fatalf("quarantined = %d %v", n, err)
		}
		if got, _ := s.svc.Search(ctx, number.Search{National: items[0].National}); len(got) != 0 {
			t.Fatalf("a quarantined number is searchable")
		}
		s.clock.t = s.clock.t.Add(number.DefaultQuarantine + time.Hour)
		if _, err := s.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.svc.Search(ctx, number.Search{NPA: "206", Limit: 100}); len(got) != 20 {
			t.Fatalf("after quarantine %d numbers in stock; want 20", len(got))
		}
		last, _ := s.svc.Search(ctx, number.Search{National: nats[19]})
		if err := s.svc.Retire(ctx, auth.Principal{Operator: true, Role: auth.RoleAdmin}, last[0].ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.svc.Search(ctx, number.Search{NPA: "206", Limit: 100}); len(got) != 19 {
			t.Fatalf("a retired number is in stock")
		}
	})
}

// TestNumberReserveRace: 50 accounts reserve the same 10 numbers at once;
// each number ends held by exactly one account.
func TestNumberReserveRace(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newNumberShop(t, kind)
		nats := s.stock(t, 2000, 10)
		accs := make([]int64, 50)
		for i := range accs {
			accs[i] = s.e.mkAccount(t, &s.tr.res, "customer").ID
		}
		var wg sync.WaitGroup
		for i, a := range accs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each tries every number, one call each, starting at its own.
				for j := range nats {
					_, _, _ = s.svc.Reserve(ctx, principal(a), []string{nats[(i+j)%len(nats)]})
				}
			}()
		}
		wg.Wait()
		holders := map[string]int64{}
		total := 0
		for _, a := range accs {
			rows, err := s.e.db.Reader().QueryContext(ctx, `SELECT national FROM numbers WHERE status = 'reserved' AND account_id = $1`, a)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var nat string
				if err := rows.Scan(&nat); err != nil {
					t.Fatal(err)
				}
				if prev, ok := holders[nat]; ok {
					t.Fatalf("%s held by %d and %d", nat, prev, a)
				}
				holders[nat] = a
				total++
			}
			rows.Close()
		}
		if total != 10 {
			t.Fatalf("%d numbers held; want all 10, once each", total)
		}
	})
}

package store_test

import (
	"context"
	"testing"
	"time"

	"switchboard/internal/callcharge"
	"switchboard/internal/callpack"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// TestChargeCallIsOneTransaction proves a call's pack seconds, money and
// rows commit together: a charge the caller cannot pay leaves the pack's
// seconds and writes no row; a paid one writes rows naming their entries;
// a second charge of the call replays without taking seconds or money.
func TestChargeCallIsOneTransaction(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		acc := s.tr.cust.ID
		at := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
		s.credit(t, acc, 2_00000)
		p := callpack.Pack{ID: s.e.ids.Next(), AccountID: acc, TypeID: 13, Status: callpack.Active, SecondsTotal: 100,
			Price: 1_00000, StartsAt: at.Add(-time.Hour), ExpiresAt: at.AddDate(0, 1, 0), CreatedAt: at, UpdatedAt: at}
		req, _ := s.ledger.Prepare([]ledger.Posting{{AccountID: acc, Activity: ledger.CallPack, Debit: 1_00000, Reference: callpack.Reference(p.ID)}}, ledger.Options{})
		if _, _, err := s.pstore.CreatePack(ctx, p, req); err != nil {
			t.Fatal(err)
		}
		cs := store.NewCallCharges(s.e.db)
		// plan debits the caller debit for the 50 s the pack leaves over.
		plan := func(debit money.Amount) callcharge.Plan {
			return func(uses []callpack.Use) (*ledger.ApplyRequest, []callcharge.Charge, error) {
				if len(uses) != 1 || uses[0].PackID != p.ID || uses[0].Seconds != 100 {
					t.Errorf("uses = %v; want the pack's 100 s", uses)
				}
				row := callcharge.Charge{ID: s.e.ids.Next(), AccountID: acc, CallerAccountID: acc, CallHash: "h1", StartedAt: at,
					Destination: "442079460000", Prefix: "44", RateID: 1, RateType: "INTERNATIONAL", Duration: 150,
					BilledSeconds: 150, PackSeconds: 100, Cost: debit, CreatedAt: at}
				req, err := s.ledger.Prepare([]ledger.Posting{{AccountID: acc, Activity: ledger.CallCharges, Debit: debit, Reference: "call:h1"}}, ledger.Options{})
				return &req, []callcharge.Charge{row}, err
			}
		}
		// More than the account holds: refused, and the pack keeps its seconds.
		_, _, _, err := cs.ChargeCall(ctx, acc, "h1", "442079460000", 150, at, plan(5_00000))
		wantCode(t, err, problem.PaymentRequired, "")
		if got, _ := store.ConsumeCallPacks(ctx, s.e.db, acc, "442079460000", 1, at); len(got) != 1 {
			t.Fatalf("the refused charge took the pack's seconds: %v", got)
		}
		// The check above took 1 s of the pack; the paid charge takes the rest.
		rows, uses, replayed, err := cs.ChargeCall(ctx, acc, "h1", "442079460000", 150, at, func(uses []callpack.Use) (*ledger.ApplyRequest, []callcharge.Charge, error) {
			if len(uses) != 1 || uses[0].Seconds != 99 {
				t.Errorf("uses = %v; want the 99 s left", uses)
			}
			row := callcharge.Charge{ID: s.e.ids.Next(), AccountID: acc, CallerAccountID: acc, CallHash: "h1", StartedAt: at,
				Destination: "442079460000", Prefix: "44", RateID: 1, RateType: "INTERNATIONAL", Duration: 150,
				BilledSeconds: 150, PackSeconds: 99, Cost: 2500, CreatedAt: at}
			req, err := s.ledger.Prepare([]ledger.Posting{{AccountID: acc, Activity: ledger.CallCharges, Debit: 2500, Reference: "call:h1"}}, ledger.Options{})
			return &req, []callcharge.Charge{row}, err
		})
		if err != nil || replayed || len(rows) != 1 || rows[0].LedgerEntryID == 0 || len(uses) != 1 {
			t.Fatalf("paid charge = %+v, %v, %v, %v", rows, uses, replayed, err)
		}
		if b := s.balance(t, acc); b != money.Amount(1_00000-2500) {
			t.Fatalf("balance = %s; want 0.97500", b)
		}
		got, err := cs.CallCharges(ctx, acc, "h1")
		if err != nil || len(got) != 1 || got[0] != rows[0] {
			t.Fatalf("CallCharges = %+v, %v; want %+v", got, err, rows)
		}
		// Again: replayed, the plan never runs, nothing moves.
		rows2, _, replayed, err := cs.ChargeCall(ctx, acc, "h1", "442079460000", 150, at, func([]callpack.Use) (*ledger.ApplyRequest, []callcharge.Charge, error) {
			t.Error("plan ran for a charged call")
			return nil, nil, nil
		})
		if err != nil || !replayed || len(rows2) != 1 || rows2[0].ID != rows[0].ID {
			t.Fatalf("replay = %+v, %v, %v", rows2, replayed, err)
		}
		if b := s.balance(t, acc); b != money.Amount(1_00000-2500) {
			t.Fatalf("balance after replay = %s", b)
		}
	})
}

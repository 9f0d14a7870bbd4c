package store_test

import (
	"context"
	"testing"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/payment"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// TestPaymentCommitsWithItsMoney proves the approved payment and its ledger
// credit are one transaction: when the payment row cannot be written the
// credit is rolled back too, and a repeat of the key records nothing twice.
func TestPaymentCommitsWithItsMoney(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		ls := store.NewLedger(e.db)
		l := ledger.NewService(ls, e.ids, nil)
		ps := store.NewPayments(e.db)

		pay := func(id int64, key string) payment.Payment {
			return payment.Payment{ID: id, AccountID: tr.cust.ID, Method: payment.MethodBankTransfer,
				Status: payment.StatusApproved, Amount: 5_00000, Currency: "CAD", CreatedAt: stamp(), IdempotencyKey: key}
		}
		charge := func(key string) ledger.ApplyRequest {
			opts := ledger.Options{}
			if key != "" {
				opts = ledger.Options{IdempotencyKey: key, RequestHash: "h"}
			}
			req, err := l.Prepare([]ledger.Posting{{AccountID: tr.cust.ID, Activity: ledger.BankTransfer,
				Credit: 5_00000, Reference: "payment:1", Description: "wire"}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			return req
		}

		first := pay(e.ids.Next(), "k1")
		es, replayed, err := ps.CreateApproved(ctx, first, charge("k1"))
		if err != nil || replayed || len(es) != 1 {
			t.Fatalf("CreateApproved = %v, %v, %v", es, replayed, err)
		}
		got, err := ps.GetPayment(ctx, 0, first.ID)
		if err != nil || got.LedgerEntryID != es[0].ID {
			t.Fatalf("payment = %+v, %v; want ledger entry %d", got, err, es[0].ID)
		}

		// A second payment reusing the first one's id fails on insert; its
		// credit must not survive.
		_, _, err = ps.CreateApproved(ctx, pay(first.ID, ""), charge(""))
		wantCode(t, err, problem.Conflict, "")
		if b, _ := ls.Balance(ctx, tr.cust.ID); b != money.Amount(5_00000) {
			t.Fatalf("balance after the failed payment = %s; want 5.00000", b)
		}

		// The same key again replays the first entries and inserts nothing.
		es2, replayed, err := ps.CreateApproved(ctx, pay(e.ids.Next(), "k1"), charge("k1"))
		if err != nil || !replayed || len(es2) != 1 || es2[0].ID != es[0].ID {
			t.Fatalf("repeat = %v, %v, %v; want the first entry replayed", es2, replayed, err)
		}
		if _, n, _ := ps.ListPayments(ctx, tr.op.ID, query.Params{}); n != 1 {
			t.Fatalf("payments after the repeat = %d; want 1", n)
		}
		if b, _ := ls.Balance(ctx, tr.cust.ID); b != money.Amount(5_00000) {
			t.Fatalf("balance after the repeat = %s; want 5.00000", b)
		}
	})
}

package store_test

import (
	"context"
	"testing"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// entryFor is a credit entry that follows st correctly.
func entryFor(e *env, st ledger.AccountState, credit money.Amount) ledger.Entry {
	return ledger.Entry{ID: e.ids.Next(), AccountID: st.AccountID, Seq: st.LastSeq + 1, CreatedAt: stamp(),
		Activity: ledger.BankTransfer, Credit: credit, BalanceAfter: st.Balance + credit, Reference: "ref", Description: "d"}
}

func TestLedgerApply(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		l := store.NewLedger(e.db)

		if b, err := l.Balance(ctx, tr.cust.ID); err != nil || b != 0 {
			t.Fatalf("Balance before any entry = %s, %v", b, err)
		}
		_, err := l.Balance(ctx, 42)
		wantCode(t, err, problem.NotFound, "")

		apply := func(accounts []int64, plan func(map[int64]ledger.AccountState) []ledger.Entry) ([]ledger.Entry, error) {
			es, _, err := l.Apply(ctx, ledger.ApplyRequest{Accounts: accounts, Now: stamp(),
				Plan: func(m map[int64]ledger.AccountState) ([]ledger.Entry, error) { return plan(m), nil }})
			return es, err
		}
		// A correct entry is stored and cached.
		es, err := apply([]int64{tr.cust.ID}, func(m map[int64]ledger.AccountState) []ledger.Entry {
			st := m[tr.cust.ID]
			if st.BillingMode != tr.cust.BillingMode || st.Balance != 0 || st.LastSeq != 0 {
				t.Errorf("first state = %+v", st)
			}
			return []ledger.Entry{entryFor(e, st, 700)}
		})
		if err != nil || len(es) != 1 {
			t.Fatalf("Apply = %v, %v", es, err)
		}
		if b, err := l.Balance(ctx, tr.cust.ID); err != nil || b != 700 {
			t.Fatalf("Balance = %s, %v; want 0.00700", b, err)
		}

		// The store refuses a plan that breaks the running balance or the
		// sequence, or touches an account it did not lock, and writes nothing.
		for name, plan := range map[string]func(map[int64]ledger.AccountState) []ledger.Entry{
			"balance": func(m map[int64]ledger.AccountState) []ledger.Entry {
				en := entryFor(e, m[tr.cust.ID], 5)
				en.BalanceAfter++
				return []ledger.Entry{en}
			},
			"seq": func(m map[int64]ledger.AccountState) []ledger.Entry {
				en := entryFor(e, m[tr.cust.ID], 5)
				en.Seq++
				return []ledger.Entry{en}
			},
			"unlocked": func(m map[int64]ledger.AccountState) []ledger.Entry {
				st := m[tr.cust.ID]
				return []ledger.Entry{entryFor(e, st, 5), entryFor(e, ledger.AccountState{AccountID: tr.res.ID}, 5)}
			},
			"none": func(map[int64]ledger.AccountState) []ledger.Entry { return nil },
		} {
			if _, err := apply([]int64{tr.cust.ID}, plan); err == nil {
				t.Errorf("%s: plan accepted", name)
			}
		}
		if s, err := l.Sum(ctx, tr.cust.ID); err != nil || s != 700 {
			t.Fatalf("Sum after refusals = %s, %v", s, err)
		}
		if m, err := l.Check(ctx); err != nil || len(m) != 0 {
			t.Fatalf("Check = %+v, %v", m, err)
		}

		_, err = apply([]int64{424242}, func(m map[int64]ledger.AccountState) []ledger.Entry { return nil })
		wantCode(t, err, problem.NotFound, "")

		// The database itself refuses a second entry with the same sequence
		// number: two writers working from the same balance cannot both win.
		_, err = e.db.Exec(ctx, `INSERT INTO ledger_entries (id, account_id, seq, created_at, activity, debit, credit, balance_after)
			VALUES ($1, $2, 1, 0, 'Bank Transfer', 0, 1, 1)`, e.ids.Next(), tr.cust.ID)
		wantCode(t, err, problem.Conflict, "")

		// A cache row with no entries behind it is a mismatch.
		if _, err := e.db.Exec(ctx, `INSERT INTO account_balances (account_id, balance, last_entry_id, last_seq, updated_at)
			VALUES ($1, 0, 0, 0, 0)`, tr.res.ID); err != nil {
			t.Fatal(err)
		}
		if m, err := l.Check(ctx); err != nil || len(m) != 0 {
			t.Fatalf("Check with an empty cache row = %+v, %v", m, err)
		}
		if _, err := e.db.Exec(ctx, `UPDATE account_balances SET balance = 1 WHERE account_id = $1`, tr.res.ID); err != nil {
			t.Fatal(err)
		}
		if m, err := l.Check(ctx); err != nil || len(m) != 1 || m[0].AccountID != tr.res.ID || m[0].Cached != 1 {
			t.Fatalf("Check = %+v, %v; want the reseller", m, err)
		}
	})
}

func TestLedgerKeys(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		l := store.NewLedger(e.db)
		now := stamp()
		req := func(hash string, at time.Time) ledger.ApplyRequest {
			return ledger.ApplyRequest{Accounts: []int64{tr.cust.ID}, Now: at,
				Key: ledger.Key{AccountID: tr.cust.ID, Key: "k", Hash: hash, Since: at.Add(-ledger.IdempotencyTTL)},
				Plan: func(m map[int64]ledger.AccountState) ([]ledger.Entry, error) {
					return []ledger.Entry{entryFor(e, m[tr.cust.ID], 100)}, nil
				}}
		}
		first, replayed, err := l.Apply(ctx, req("a", now))
		if err != nil || replayed {
			t.Fatalf("first = %v, %v, %v", first, replayed, err)
		}
		again, replayed, err := l.Apply(ctx, req("a", now.Add(time.Hour)))
		if err != nil || !replayed || len(again) != 1 || again[0] != first[0] {
			t.Fatalf("replay = %+v, %v, %v; want %+v", again, replayed, err, first)
		}
		_, _, err = l.Apply(ctx, req("b", now.Add(time.Hour)))
		if err != ledger.ErrIdempotencyMismatch {
			t.Fatalf("other hash: %v", err)
		}
		// At exactly a day the key still holds; a microsecond later it is
		// claimed anew.
		if _, _, err := l.Apply(ctx, req("b", now.Add(ledger.IdempotencyTTL))); err != ledger.ErrIdempotencyMismatch {
			t.Fatalf("at 24 h: %v; want the key still held", err)
		}
		later := now.Add(ledger.IdempotencyTTL + time.Microsecond)
		if _, replayed, err := l.Apply(ctx, req("b", later)); err != nil || replayed {
			t.Fatalf("after 24 h: replayed %v, %v", replayed, err)
		}
		if s, _ := l.Sum(ctx, tr.cust.ID); s != 200 {
			t.Fatalf("Sum = %s; want 0.00200 (one replay, one post after expiry)", s)
		}
		if n, err := l.PurgeIdempotencyKeys(ctx, later); err != nil || n != 0 {
			t.Fatalf("purge = %d, %v; want 0 (the key was renewed)", n, err)
		}
		if n, err := l.PurgeIdempotencyKeys(ctx, later.Add(time.Microsecond)); err != nil || n != 1 {
			t.Fatalf("purge = %d, %v; want 1", n, err)
		}
	})
}

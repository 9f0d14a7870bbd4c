package store_test

import (
	"context"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

func TestHasChildren(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		for _, tt := range []struct {
			a    account.Account
			want bool
		}{{tr.op, true}, {tr.res, true}, {tr.sub, true}, {tr.cust, false}, {tr.sibling, false}} {
			if got, err := e.accounts.HasChildren(ctx, tt.a.ID); err != nil || got != tt.want {
				t.Errorf("HasChildren(%s) = %v, %v; want %v", tt.a.Name, got, err, tt.want)
			}
		}
	})
}

// countRows counts the rows of table that reference account id in column.
func countRows(t *testing.T, db *store.DB, table, column string, id int64) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table+` WHERE `+column+` = $1`, id).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestDeleteAccount(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)

		// Everything an account owns.
		u := e.mkUser(t, tr.cust.ID, "cust-admin")
		tok := e.mkToken(t, u, "cust-token", time.Time{})
		sub := e.subaccount(tr.cust.ID)
		if err := e.accounts.CreateSubaccount(ctx, &sub); err != nil {
			t.Fatal(err)
		}
		addr := e.address(sub)
		if err := e.accounts.CreateAddress(ctx, &addr); err != nil {
			t.Fatal(err)
		}
		counters := store.NewCounters(e.db)
		if _, err := counters.Incr(ctx, tr.cust.ID, "native", time.Now()); err != nil {
			t.Fatal(err)
		}
		// Its parent's user must survive.
		keep := e.mkUser(t, tr.sub.ID, "sub-admin")

		wantCode(t, e.accounts.DeleteAccount(ctx, tr.op.ID, tr.sub.ID), problem.Conflict, "")
		wantCode(t, e.accounts.DeleteAccount(ctx, tr.res.ID, tr.sibling.ID), problem.NotFound, "")
		wantCode(t, e.accounts.DeleteAccount(ctx, tr.sub.ID, tr.res.ID), problem.NotFound, "")
		wantCode(t, e.accounts.DeleteAccount(ctx, tr.op.ID, e.ids.Next()), problem.NotFound, "")
		if _, err := e.accounts.GetAccount(ctx, tr.op.ID, tr.sibling.ID); err != nil {
			t.Fatalf("sibling after refused delete: %v", err)
		}

		if err := e.accounts.DeleteAccount(ctx, tr.res.ID, tr.cust.ID); err != nil {
			t.Fatalf("delete customer: %v", err)
		}
		_, err := e.accounts.GetAccount(ctx, tr.op.ID, tr.cust.ID)
		wantCode(t, err, problem.NotFound, "")
		_, err = e.users.GetUser(ctx, tr.op.ID, u.ID)
		wantCode(t, err, problem.NotFound, "")
		_, err = e.users.GetToken(ctx, tr.op.ID, tok.ID)
		wantCode(t, err, problem.NotFound, "")
		_, err = e.users.IdentityByTokenHash(ctx, tok.Hash, time.Now())
		wantCode(t, err, problem.NotFound, "")
		_, err = e.users.IdentityByUsername(ctx, u.Username)
		wantCode(t, err, problem.NotFound, "")
		_, err = e.accounts.GetSubaccount(ctx, tr.op.ID, sub.ID)
		wantCode(t, err, problem.NotFound, "")
		_, err = e.accounts.GetAddress(ctx, tr.op.ID, addr.ID)
		wantCode(t, err, problem.NotFound, "")
		for _, c := range []struct{ table, column string }{
			{"account_tree", "descendant_id"}, {"account_tree", "ancestor_id"}, {"request_counters", "account_id"},
		} {
			if n := countRows(t, e.db, c.table, c.column, tr.cust.ID); n != 0 {
				t.Errorf("%d %s rows left with %s = customer", n, c.table, c.column)
			}
		}
		if _, err := e.users.GetUser(ctx, tr.op.ID, keep.ID); err != nil {
			t.Fatalf("parent's user after delete: %v", err)
		}

		// The sub-reseller is childless now and can go too; deleting twice
		// finds nothing.
		if has, err := e.accounts.HasChildren(ctx, tr.sub.ID); err != nil || has {
			t.Fatalf("HasChildren(sub) after delete = %v, %v", has, err)
		}
		if err := e.accounts.DeleteAccount(ctx, tr.sub.ID, tr.sub.ID); err != nil {
			t.Fatalf("delete sub-reseller: %v", err)
		}
		wantCode(t, e.accounts.DeleteAccount(ctx, tr.op.ID, tr.sub.ID), problem.NotFound, "")
		if _, total, err := e.accounts.ListAccounts(ctx, tr.op.ID, noQuery); err != nil || total != 3 {
			t.Fatalf("accounts left = %d, %v; want 3", total, err)
		}
	})
}

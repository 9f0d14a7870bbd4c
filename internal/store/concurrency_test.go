package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/server/servertest"
)

// TestConcurrentWriters creates 200 accounts, each with a user, all at once:
// SQLite's single writer must queue them instead of failing with "database
// is locked", and PostgreSQL must take them all.
func TestConcurrentWriters(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		op := e.mkAccount(t, nil, account.TypeOperator)
		const n = 200
		errs := make(chan error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				a := e.acct(&op, account.TypeCustomer)
				if err := e.accounts.CreateAccount(ctx, &a); err != nil {
					errs <- fmt.Errorf("account %d: %w", i, err)
					return
				}
				u := auth.User{ID: e.ids.Next(), AccountID: a.ID, Username: fmt.Sprintf("user-%d", i), Role: "admin", Status: "active"}
				if err := e.users.CreateUser(ctx, &u, "h"); err != nil {
					errs <- fmt.Errorf("user %d: %w", i, err)
					return
				}
				// A read on the reader pool between writes must not fail either.
				if _, err := e.accounts.GetAccount(ctx, op.ID, a.ID); err != nil {
					errs <- fmt.Errorf("read back %d: %w", i, err)
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if _, total, err := e.accounts.ListAccounts(ctx, op.ID, noQuery); err != nil || total != n+1 {
			t.Fatalf("accounts = %d, %v; want %d", total, err, n+1)
		}
		if _, total, err := e.users.ListUsers(ctx, op.ID, noQuery); err != nil || total != n {
			t.Fatalf("users = %d, %v; want %d", total, err, n)
		}
		if n := countRows(t, e.db, "account_tree", "ancestor_id", op.ID); n != 201 {
			t.Fatalf("closure rows under the operator = %d; want %d", n, 201)
		}
	})
}

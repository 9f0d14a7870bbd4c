package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/id"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

func TestCheckCmd(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		dir, dbURL := t.TempDir(), servertest.DBURL(t, kind)
		db, err := store.Open(ctx, dbURL, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		ids, err := id.NewGenerator(1)
		if err != nil {
			t.Fatal(err)
		}
		accounts := store.NewAccounts(db)
		var made []account.Account
		for i, typ := range []account.Type{account.TypeOperator, account.TypeCustomer} {
			n := ids.Next()
			ts := time.Now().UTC().Truncate(time.Microsecond)
			a := account.Account{ID: n, Path: fmt.Sprintf("/%d/", n), Number: fmt.Sprintf("7000%d", i), Name: "a",
				Type: typ, Currency: "CAD", BillingMode: account.Prepaid, Status: account.Active, Language: "en",
				Preferences: map[string]any{}, APILimits: map[string]int64{}, CreatedAt: ts, UpdatedAt: ts}
			if i > 0 {
				a.ParentID, a.Depth, a.Path = made[0].ID, 1, fmt.Sprintf("%s%d/", made[0].Path, n)
			}
			if err := accounts.CreateAccount(ctx, &a); err != nil {
				t.Fatal(err)
			}
			made = append(made, a)
		}
		cust := made[1]
		svc := ledger.NewService(store.NewLedger(db), ids, nil)
		for _, p := range []ledger.Posting{
			{AccountID: cust.ID, Activity: ledger.BankTransfer, Credit: money.Amount(1_000_000)},
			{AccountID: cust.ID, Activity: ledger.CallCharges, Debit: money.Amount(12_345)},
		} {
			if _, err := svc.Post(ctx, p, ledger.Options{}); err != nil {
				t.Fatal(err)
			}
		}

		run := func() (string, error) {
			var out bytes.Buffer
			cmd := &CheckCmd{StoreFlags{Data: dir, DB: dbURL}}
			err := cmd.Run(&Env{Ctx: ctx, Out: &out, Err: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			return out.String(), err
		}
		out, err := run()
		if err != nil || !strings.Contains(out, "ledger consistent") {
			t.Fatalf("check on a sound ledger = %q, %v", out, err)
		}
		if _, err := db.Exec(ctx, `UPDATE account_balances SET balance = balance - 1 WHERE account_id = $1`, cust.ID); err != nil {
			t.Fatal(err)
		}
		out, err = run()
		if err == nil {
			t.Fatalf("check on a corrupted balance succeeded: %q", out)
		}
		want := fmt.Sprintf("MISMATCH account %d (%s): cached balance 9.87654, sum of entries 9.87655", cust.ID, cust.Number)
		if !strings.Contains(out, want) || strings.Count(out, "MISMATCH") != 1 {
			t.Fatalf("check printed %q; want it to contain %q once", out, want)
		}
	})
}

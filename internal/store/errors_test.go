package store_test

import (
	"context"
	"testing"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
)

// TestErrorTranslation drives every kind of driver error through the public
// API: unique and foreign key violations become Conflict, missing rows
// NotFound, the same on both engines.
func TestErrorTranslation(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		u := e.mkUser(t, tr.cust.ID, "carol")
		sub := e.subaccount(tr.cust.ID)
		if err := e.accounts.CreateSubaccount(ctx, &sub); err != nil {
			t.Fatal(err)
		}
		addr := e.address(sub)
		if err := e.accounts.CreateAddress(ctx, &addr); err != nil {
			t.Fatal(err)
		}
		missing := e.ids.Next()
		tests := []struct {
			name  string
			do    func() error
			code  problem.Code
			field string
		}{
			{"account with a missing parent", func() error {
				a := e.acct(&tr.cust, account.TypeCustomer)
				a.ParentID = missing
				return e.accounts.CreateAccount(ctx, &a)
			}, problem.Conflict, ""},
			{"user in a missing account", func() error {
				return e.users.CreateUser(ctx, &auth.User{ID: e.ids.Next(), AccountID: missing, Username: "x-missing", Role: "user", Status: "active"}, "h")
			}, problem.Conflict, ""},
			{"duplicate user id", func() error {
				return e.users.CreateUser(ctx, &auth.User{ID: u.ID, AccountID: u.AccountID, Username: "fresh-name", Role: "user", Status: "active"}, "h")
			}, problem.Conflict, "id"},
			{"token of a missing user", func() error {
				return e.users.CreateToken(ctx, &auth.Token{ID: e.ids.Next(), UserID: missing, AccountID: tr.cust.ID, Kind: auth.KindAPI, Hash: "h-missing"})
			}, problem.Conflict, ""},
			{"subaccount of a missing account", func() error {
				s := e.subaccount(missing)
				return e.accounts.CreateSubaccount(ctx, &s)
			}, problem.Conflict, ""},
			{"duplicate subaccount id", func() error {
				s := e.subaccount(tr.cust.ID)
				s.ID = sub.ID
				return e.accounts.CreateSubaccount(ctx, &s)
			}, problem.Conflict, "id"},
			{"address of a missing subaccount", func() error {
				a := e.address(sub)
				a.SubaccountID = missing
				return e.accounts.CreateAddress(ctx, &a)
			}, problem.Conflict, ""},
			{"duplicate address id", func() error {
				a := e.address(sub)
				a.ID = addr.ID
				return e.accounts.CreateAddress(ctx, &a)
			}, problem.Conflict, "id"},
			{"missing account", func() error { _, err := e.accounts.GetAccount(ctx, tr.op.ID, missing); return err }, problem.NotFound, ""},
			{"missing user", func() error { _, err := e.users.GetUser(ctx, tr.op.ID, missing); return err }, problem.NotFound, ""},
			{"missing token", func() error { _, err := e.users.GetToken(ctx, tr.op.ID, missing); return err }, problem.NotFound, ""},
			{"missing subaccount", func() error { _, err := e.accounts.GetSubaccount(ctx, tr.op.ID, missing); return err }, problem.NotFound, ""},
			{"missing address", func() error { _, err := e.accounts.GetAddress(ctx, tr.op.ID, missing); return err }, problem.NotFound, ""},
			{"missing username", func() error { _, err := e.users.IdentityByUsername(ctx, "nobody"); return err }, problem.NotFound, ""},
			{"delete a missing subaccount", func() error { return e.accounts.DeleteSubaccount(ctx, tr.op.ID, missing) }, problem.NotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.do(), tt.code, tt.field) })
		}
	})
}

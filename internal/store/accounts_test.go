package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/id"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
)

func TestAccountRoundTrip(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		op := e.mkAccount(t, nil, account.TypeOperator)
		a := e.acct(&op, account.TypeReseller)
		a.BillingMode, a.CreditLimit, a.Language, a.Currency = account.Postpaid, money.Amount(12_345_678), "fr", "USD"
		a.Preferences = map[string]any{"theme": "dark", "page": float64(25), "nested": map[string]any{"on": true, "list": []any{"a", "b"}}}
		a.APILimits = map[string]int64{"native": 600, "billing": 7}
		if err := e.accounts.CreateAccount(ctx, &a); err != nil {
			t.Fatalf("create: %v", err)
		}
		got, err := e.accounts.GetAccount(ctx, op.ID, a.ID)
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("GetAccount = %+v, %v\nwant %+v", got, err, a)
		}
		if got, err := e.accounts.GetAccountByNumber(ctx, a.Number); err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("GetAccountByNumber = %+v, %v; want %+v", got, err, a)
		}
		_, err = e.accounts.GetAccountByNumber(ctx, "no-such-number")
		wantCode(t, err, problem.NotFound, "")
		if got, ok, err := e.accounts.OperatorAccount(ctx); err != nil || !ok || !reflect.DeepEqual(got, op) {
			t.Fatalf("OperatorAccount = %+v, %v, %v; want %+v", got, ok, err, op)
		}

		// Update writes the mutable fields and nothing else.
		upd := a
		upd.Name, upd.Type, upd.BillingMode, upd.CreditLimit = "renamed", account.TypeCustomer, account.Prepaid, 0
		upd.Status, upd.Language, upd.UpdatedAt = account.Suspended, "en", a.UpdatedAt.Add(time.Hour)
		upd.Preferences, upd.APILimits = map[string]any{}, map[string]int64{"native": 1}
		// Identity, place in the tree, currency and creation are not writable.
		upd.Number, upd.Path, upd.Currency, upd.Depth, upd.CreatedAt = "changed", "/changed/", "EUR", 9, a.CreatedAt.Add(time.Hour)
		if err := e.accounts.UpdateAccount(ctx, &upd); err != nil {
			t.Fatalf("update: %v", err)
		}
		upd.Number, upd.Path, upd.Currency, upd.Depth, upd.CreatedAt = a.Number, a.Path, a.Currency, a.Depth, a.CreatedAt
		if got, err := e.accounts.GetAccount(ctx, op.ID, a.ID); err != nil || !reflect.DeepEqual(got, upd) {
			t.Fatalf("after update = %+v, %v\nwant %+v", got, err, upd)
		}
		missing := e.acct(&op, account.TypeCustomer)
		wantCode(t, e.accounts.UpdateAccount(ctx, &missing), problem.NotFound, "")
	})
}

func TestAccountScope(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		all := []account.Account{tr.op, tr.res, tr.sub, tr.cust, tr.sibling}
		tests := []struct {
			name  string
			scope account.Account
			sees  []account.Account
		}{
			{"operator", tr.op, all},
			{"reseller", tr.res, []account.Account{tr.res, tr.sub, tr.cust}},
			{"sub-reseller", tr.sub, []account.Account{tr.sub, tr.cust}},
			{"customer", tr.cust, []account.Account{tr.cust}},
			{"sibling", tr.sibling, []account.Account{tr.sibling}},
		}
		for _, tt := range tests {
			for _, a := range all {
				got, err := e.accounts.GetAccount(ctx, tt.scope.ID, a.ID)
				if slices.ContainsFunc(tt.sees, func(s account.Account) bool { return s.ID == a.ID }) {
					if err != nil || got.ID != a.ID {
						t.Errorf("%s: GetAccount(%s) = %d, %v; want it", tt.name, a.Name, got.ID, err)
					}
					continue
				}
				if !problem.Is(err, problem.NotFound) {
					t.Errorf("%s: GetAccount(%s) = %d, %v; want NotFound", tt.name, a.Name, got.ID, err)
				}
			}
			items, total, err := e.accounts.ListAccounts(ctx, tt.scope.ID, query.Params{})
			if err != nil || total != len(tt.sees) || len(items) != len(tt.sees) {
				t.Errorf("%s: ListAccounts = %d items, total %d, %v; want %d", tt.name, len(items), total, err, len(tt.sees))
			}
			if p, err := e.accounts.AccountPath(ctx, tt.scope.ID, tt.scope.ID); err != nil || p != tt.scope.Path {
				t.Errorf("%s: AccountPath = %q, %v; want %q", tt.name, p, err, tt.scope.Path)
			}
		}
		_, err := e.accounts.GetAccount(ctx, tr.op.ID, e.ids.Next())
		wantCode(t, err, problem.NotFound, "")
	})
}

func TestAccountListQuery(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		ids := func(as []account.Account) []int64 {
			out := make([]int64, len(as))
			for i, a := range as {
				out[i] = a.ID
			}
			return out
		}
		native := id.EncodeNative
		tests := []struct {
			name  string
			scope account.Account
			p     query.Params
			want  []account.Account // in order
			total int
		}{
			{"children of operator", tr.op, query.Params{Filter: "parent_id eq '" + native(tr.op.ID) + "'"}, []account.Account{tr.res, tr.sibling}, 2},
			{"children of operator within reseller", tr.res, query.Params{Filter: "parent_id eq '" + native(tr.op.ID) + "'"}, []account.Account{tr.res}, 1},
			{"type", tr.op, query.Params{Filter: "type eq 'reseller'", OrderBy: "id desc"}, []account.Account{tr.sibling, tr.sub, tr.res}, 3},
			{"depth", tr.res, query.Params{Filter: "depth ge 2"}, []account.Account{tr.sub, tr.cust}, 2},
			{"page 1", tr.op, query.Params{Top: "2", OrderBy: "id desc"}, []account.Account{tr.sibling, tr.cust}, 5},
			{"page 2", tr.op, query.Params{Top: "2", Skip: "2", OrderBy: "id desc"}, []account.Account{tr.sub, tr.res}, 5},
			{"page 3", tr.op, query.Params{Top: "2", Skip: "4", OrderBy: "id desc"}, []account.Account{tr.op}, 5},
			{"past the end", tr.op, query.Params{Top: "2", Skip: "9"}, []account.Account{}, 5},
			{"filtered page", tr.op, query.Params{Filter: "type eq 'reseller'", Top: "1", Skip: "1"}, []account.Account{tr.sub}, 3},
			{"search", tr.op, query.Params{Search: tr.cust.Number}, []account.Account{tr.cust}, 1},
		}
		for _, tt := range tests {
			got, total, err := e.accounts.ListAccounts(ctx, tt.scope.ID, tt.p)
			if err != nil || total != tt.total || !slices.Equal(ids(got), ids(tt.want)) {
				t.Errorf("%s: ListAccounts = %v, total %d, %v; want %v, total %d", tt.name, ids(got), total, err, ids(tt.want), tt.total)
			}
		}
		_, _, err := e.accounts.ListAccounts(ctx, tr.op.ID, query.Params{Filter: "nosuchfield eq 1"})
		wantCode(t, err, problem.Invalid, "")
	})
}

func TestAccountTreeClosure(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		type row struct{ anc, desc, depth int64 }
		want := []row{
			{tr.op.ID, tr.op.ID, 0}, {tr.op.ID, tr.res.ID, 1}, {tr.op.ID, tr.sub.ID, 2}, {tr.op.ID, tr.cust.ID, 3}, {tr.op.ID, tr.sibling.ID, 1},
			{tr.res.ID, tr.res.ID, 0}, {tr.res.ID, tr.sub.ID, 1}, {tr.res.ID, tr.cust.ID, 2},
			{tr.sub.ID, tr.sub.ID, 0}, {tr.sub.ID, tr.cust.ID, 1},
			{tr.cust.ID, tr.cust.ID, 0},
			{tr.sibling.ID, tr.sibling.ID, 0},
		}
		closure := func() []row {
			t.Helper()
			rows, err := e.db.Reader().QueryContext(ctx, `SELECT ancestor_id, descendant_id, depth FROM account_tree ORDER BY ancestor_id, descendant_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.anc, &r.desc, &r.depth); err != nil {
					t.Fatal(err)
				}
				out = append(out, r)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		slices.SortFunc(want, func(a, b row) int {
			if a.anc != b.anc {
				return int(a.anc - b.anc)
			}
			return int(a.desc - b.desc)
		})
		if got := closure(); !slices.Equal(got, want) {
			t.Fatalf("account_tree = %v\nwant %v", got, want)
		}

		// A failed insert (duplicate number) leaves no closure rows behind.
		dup := e.acct(&tr.cust, account.TypeCustomer)
		dup.Number = tr.res.Number
		wantCode(t, e.accounts.CreateAccount(ctx, &dup), problem.Conflict, "number")
		if got := closure(); !slices.Equal(got, want) {
			t.Fatalf("account_tree after failed insert = %v\nwant %v", got, want)
		}
	})
}

func TestAccountConflicts(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		op := e.mkAccount(t, nil, account.TypeOperator)
		a := e.mkAccount(t, &op, account.TypeCustomer)
		tests := []struct {
			name, field string
			change      func(*account.Account)
		}{
			{"number", "number", func(b *account.Account) { b.Number = a.Number }},
			{"path", "path", func(b *account.Account) { b.Path = a.Path }},
			{"id", "id", func(b *account.Account) { b.ID = a.ID }},
		}
		for _, tt := range tests {
			b := e.acct(&op, account.TypeCustomer)
			tt.change(&b)
			err := e.accounts.CreateAccount(ctx, &b)
			wantCode(t, err, problem.Conflict, tt.field)
		}
		if _, total, err := e.accounts.ListAccounts(ctx, op.ID, query.Params{}); err != nil || total != 2 {
			t.Fatalf("accounts after conflicts = %d, %v; want 2", total, err)
		}
	})
}

package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
)

var noQuery = query.Params{}

// subaccount builds a subaccount of acc with every field set.
func (e *env) subaccount(acc int64) account.Subaccount {
	t := stamp()
	n := e.ids.Next()
	return account.Subaccount{
		ID: n, AccountID: acc, CustomID: "cid-1", FriendlyName: "Front desk", CallLimit: 12,
		AllowInternationalCall: true, InternationalCallLimit: 3, RequireInternationalNIP: true,
		InternationalNIP: []string{"1234", "5678"}, MultiTenancyMode: "shared", MultiTenancySubaccountID: n - 1,
		Organization: "ACME", OrganizationType: "business", ClientProfile: "commercial_client",
		VoiceLanguage: "fr", NotificationLanguage: "en", CallerIDName: "ACME Inc", CallerIDNumber: "15145550100",
		ClientMOHProfileID: "moh-7", DefaultProvisionedEndpointID: "ep-9",
		Options: []string{"enable_billing_module", "disable_411_access"}, Status: "enabled",
		Comments: "first floor", CreatedAt: t, UpdatedAt: t,
	}
}

// address builds an address of sub with every field set.
func (e *env) address(sub account.Subaccount) account.Address {
	t := stamp()
	return account.Address{
		ID: e.ids.Next(), SubaccountID: sub.ID, AccountID: sub.AccountID, Type: "civic", BoxNumber: "B2",
		CivicNumber: 1200, Street: "Rue Peel", UnitNumber: 402, City: "Montréal", CountryID: 38, StateID: 11,
		StateOther: "", PostalCode: "H3B 2T6", Precision: "back door", CreatedAt: t, UpdatedAt: t,
	}
}

func TestSubaccountRoundTrip(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		s := e.subaccount(tr.cust.ID)
		if err := e.accounts.CreateSubaccount(ctx, &s); err != nil {
			t.Fatalf("create: %v", err)
		}
		if got, err := e.accounts.GetSubaccount(ctx, tr.res.ID, s.ID); err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("GetSubaccount = %+v, %v\nwant %+v", got, err, s)
		}

		// Every field flips: booleans to false, lists to one and to none.
		upd := account.Subaccount{
			ID: s.ID, AccountID: s.AccountID, CustomID: "", FriendlyName: "Back office", CallLimit: 0,
			AllowInternationalCall: false, InternationalCallLimit: 1, RequireInternationalNIP: false,
			InternationalNIP: []string{}, MultiTenancyMode: "disabled", MultiTenancySubaccountID: 0,
			Organization: "", OrganizationType: "personal", ClientProfile: "internal", VoiceLanguage: "en",
			NotificationLanguage: "fr", CallerIDName: "", CallerIDNumber: "", ClientMOHProfileID: "",
			DefaultProvisionedEndpointID: "", Options: []string{"subaccount_override_enabled"}, Status: "disabled",
			Comments: "moved", CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt.Add(time.Minute),
		}
		if err := e.accounts.UpdateSubaccount(ctx, &upd); err != nil {
			t.Fatalf("update: %v", err)
		}
		if got, err := e.accounts.GetSubaccount(ctx, tr.cust.ID, s.ID); err != nil || !reflect.DeepEqual(got, upd) {
			t.Fatalf("after update = %+v, %v\nwant %+v", got, err, upd)
		}
		// created_at and account_id are not writable.
		moved := upd
		moved.CreatedAt = upd.CreatedAt.Add(time.Hour)
		if err := e.accounts.UpdateSubaccount(ctx, &moved); err != nil {
			t.Fatalf("update created_at: %v", err)
		}
		if got, _ := e.accounts.GetSubaccount(ctx, tr.cust.ID, s.ID); !got.CreatedAt.Equal(s.CreatedAt) {
			t.Errorf("created_at changed to %v by update", got.CreatedAt)
		}
		moved.AccountID = tr.sibling.ID
		wantCode(t, e.accounts.UpdateSubaccount(ctx, &moved), problem.NotFound, "")
		missing := e.subaccount(tr.cust.ID)
		wantCode(t, e.accounts.UpdateSubaccount(ctx, &missing), problem.NotFound, "")
		if as, err := e.accounts.Associations(ctx, s.ID); err != nil || as.Peers == nil || as.DIDs == nil || as.Extensions == nil || as.Mailboxes == nil {
			t.Errorf("Associations = %+v, %v; want empty lists", as, err)
		}
	})
}

func TestSubaccountListAndScope(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		mk := func(acc int64, status string) int64 {
			s := e.subaccount(acc)
			s.Status = status
			if err := e.accounts.CreateSubaccount(ctx, &s); err != nil {
				t.Fatalf("create: %v", err)
			}
			return s.ID
		}
		c1, c2, c3 := mk(tr.cust.ID, "enabled"), mk(tr.cust.ID, "disabled"), mk(tr.cust.ID, "deleted")
		s1 := mk(tr.sub.ID, "enabled")
		sib := mk(tr.sibling.ID, "enabled")
		tests := []struct {
			name  string
			scope int64
			f     account.SubaccountFilter
			p     query.Params
			want  []int64
		}{
			{"operator sees all", tr.op.ID, account.SubaccountFilter{}, noQuery, []int64{c1, c2, c3, s1, sib}},
			{"reseller subtree", tr.res.ID, account.SubaccountFilter{}, noQuery, []int64{c1, c2, c3, s1}},
			{"customer", tr.cust.ID, account.SubaccountFilter{}, noQuery, []int64{c1, c2, c3}},
			{"account filter", tr.res.ID, account.SubaccountFilter{AccountID: tr.sub.ID}, noQuery, []int64{s1}},
			{"account filter out of scope", tr.res.ID, account.SubaccountFilter{AccountID: tr.sibling.ID}, noQuery, []int64{}},
			{"one status", tr.op.ID, account.SubaccountFilter{Statuses: []string{"enabled"}}, noQuery, []int64{c1, s1, sib}},
			{"two statuses", tr.cust.ID, account.SubaccountFilter{Statuses: []string{"enabled", "disabled"}}, noQuery, []int64{c1, c2}},
			{"both filters and a query", tr.op.ID, account.SubaccountFilter{AccountID: tr.cust.ID, Statuses: []string{"disabled", "deleted"}},
				query.Params{Filter: "allow_international_call eq true", OrderBy: "id desc"}, []int64{c3, c2}},
		}
		for _, tt := range tests {
			got, total, err := e.accounts.ListSubaccounts(ctx, tt.scope, tt.f, tt.p)
			ids := make([]int64, len(got))
			for i, s := range got {
				ids[i] = s.ID
			}
			if err != nil || total != len(tt.want) || !slices.Equal(ids, tt.want) {
				t.Errorf("%s: ListSubaccounts = %v, total %d, %v; want %v", tt.name, ids, total, err, tt.want)
			}
		}
		for _, c := range []struct{ scope, id int64 }{{tr.sub.ID, sib}, {tr.cust.ID, s1}, {tr.sibling.ID, c1}} {
			_, err := e.accounts.GetSubaccount(ctx, c.scope, c.id)
			wantCode(t, err, problem.NotFound, "")
			wantCode(t, e.accounts.DeleteSubaccount(ctx, c.scope, c.id), problem.NotFound, "")
		}
		if _, err := e.accounts.GetSubaccount(ctx, tr.op.ID, sib); err != nil {
			t.Fatalf("subaccount after refused delete: %v", err)
		}
	})
}

func TestAddresses(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		sub := e.subaccount(tr.cust.ID)
		other := e.subaccount(tr.cust.ID)
		for _, s := range []*account.Subaccount{&sub, &other} {
			if err := e.accounts.CreateSubaccount(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		a1, a2, keep := e.address(sub), e.address(sub), e.address(other)
		a2.Type, a2.StateID, a2.StateOther, a2.BoxNumber = "postal", 0, "Nowhere", ""
		for _, a := range []*account.Address{&a1, &a2, &keep} {
			if err := e.accounts.CreateAddress(ctx, a); err != nil {
				t.Fatalf("create address: %v", err)
			}
		}
		if got, err := e.accounts.GetAddress(ctx, tr.res.ID, a1.ID); err != nil || !reflect.DeepEqual(got, a1) {
			t.Fatalf("GetAddress = %+v, %v\nwant %+v", got, err, a1)
		}
		if got, err := e.accounts.ListAddresses(ctx, tr.cust.ID, sub.ID); err != nil || !reflect.DeepEqual(got, []account.Address{a1, a2}) {
			t.Fatalf("ListAddresses = %+v, %v\nwant %+v", got, err, []account.Address{a1, a2})
		}
		if got, err := e.accounts.ListAddresses(ctx, tr.sibling.ID, sub.ID); err != nil || len(got) != 0 {
			t.Fatalf("ListAddresses out of scope = %+v, %v; want none", got, err)
		}
		_, err := e.accounts.GetAddress(ctx, tr.sibling.ID, a1.ID)
		wantCode(t, err, problem.NotFound, "")
		wantCode(t, e.accounts.DeleteAddress(ctx, tr.sibling.ID, a1.ID), problem.NotFound, "")

		upd := a1
		upd.Type, upd.BoxNumber, upd.CivicNumber, upd.Street, upd.UnitNumber = "postal", "", 9, "Main", 0
		upd.City, upd.CountryID, upd.StateID, upd.StateOther, upd.PostalCode = "Ottawa", 39, 0, "Other", "K1A 0A6"
		upd.Precision, upd.UpdatedAt = "", a1.UpdatedAt.Add(time.Second)
		if err := e.accounts.UpdateAddress(ctx, &upd); err != nil {
			t.Fatalf("update address: %v", err)
		}
		if got, err := e.accounts.GetAddress(ctx, tr.cust.ID, a1.ID); err != nil || !reflect.DeepEqual(got, upd) {
			t.Fatalf("after update = %+v, %v\nwant %+v", got, err, upd)
		}
		wrong := upd
		wrong.SubaccountID = other.ID
		wantCode(t, e.accounts.UpdateAddress(ctx, &wrong), problem.NotFound, "")

		if err := e.accounts.DeleteAddress(ctx, tr.cust.ID, a2.ID); err != nil {
			t.Fatalf("delete address: %v", err)
		}
		wantCode(t, e.accounts.DeleteAddress(ctx, tr.cust.ID, a2.ID), problem.NotFound, "")

		// Deleting the subaccount takes its addresses with it, and only them.
		if err := e.accounts.DeleteSubaccount(ctx, tr.res.ID, sub.ID); err != nil {
			t.Fatalf("delete subaccount: %v", err)
		}
		_, err = e.accounts.GetSubaccount(ctx, tr.op.ID, sub.ID)
		wantCode(t, err, problem.NotFound, "")
		_, err = e.accounts.GetAddress(ctx, tr.op.ID, a1.ID)
		wantCode(t, err, problem.NotFound, "")
		if n := countRows(t, e.db, "subaccount_addresses", "subaccount_id", sub.ID); n != 0 {
			t.Errorf("%d addresses left of the deleted subaccount", n)
		}
		if got, err := e.accounts.ListAddresses(ctx, tr.op.ID, other.ID); err != nil || len(got) != 1 || got[0].ID != keep.ID {
			t.Fatalf("other subaccount's addresses = %+v, %v; want [%d]", got, err, keep.ID)
		}
		wantCode(t, e.accounts.DeleteSubaccount(ctx, tr.res.ID, sub.ID), problem.NotFound, "")

		// The schema cascades too (foreign keys are on for SQLite's writer).
		if _, err := e.db.Exec(ctx, `DELETE FROM subaccounts WHERE id = $1`, other.ID); err != nil {
			t.Fatalf("raw delete: %v", err)
		}
		if n := countRows(t, e.db, "subaccount_addresses", "subaccount_id", other.ID); n != 0 {
			t.Errorf("ON DELETE CASCADE left %d addresses", n)
		}
	})
}

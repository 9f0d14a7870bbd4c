package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/bundle"
	"switchboard/internal/callpack"
	"switchboard/internal/catalog"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// scoped adapts the account store to the services' Accounts.
type scoped struct{ s *store.Accounts }

func (a scoped) GetAccount(ctx context.Context, p auth.Principal, id int64) (account.Account, error) {
	return a.s.GetAccount(ctx, p.AccountID, id)
}

// clock is a settable clock for services.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// shop is a tree with the catalog, bundle and call-pack services over one
// store and a shared clock.
type shop struct {
	e       *env
	tr      tree
	clock   *clock
	ledger  *ledger.Service
	lstore  *store.Ledger
	cat     *catalog.Service
	cstore  *store.Catalog
	bundles *bundle.Service
	bstore  *store.Bundles
	packs   *callpack.Service
	pstore  *store.CallPacks
}

func newShop(t *testing.T, kind string) *shop {
	t.Helper()
	e := newEnv(t, kind)
	s := &shop{e: e, tr: e.mkTree(t), clock: &clock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}}
	s.lstore = store.NewLedger(e.db)
	s.ledger = ledger.NewService(s.lstore, e.ids, s.clock.now)
	s.cstore = store.NewCatalog(e.db)
	s.cat = catalog.NewService(s.cstore, s.clock.now)
	s.bstore = store.NewBundles(e.db)
	s.bundles = bundle.NewService(s.bstore, scoped{e.accounts}, s.cat, s.ledger, e.ids, s.clock.now)
	s.pstore = store.NewCallPacks(e.db)
	s.packs = callpack.NewService(s.pstore, scoped{e.accounts}, s.cat, s.ledger, e.ids, s.clock.now)
	return s
}

func (s *shop) credit(t *testing.T, acc int64, amount money.Amount) {
	t.Helper()
	if _, err := s.ledger.Post(context.Background(), ledger.Posting{AccountID: acc, Activity: ledger.ManualCredit, Credit: amount}, ledger.Options{}); err != nil {
		t.Fatal(err)
	}
}

func (s *shop) balance(t *testing.T, acc int64) money.Amount {
	t.Helper()
	b, err := s.lstore.Balance(context.Background(), acc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writer(acc account.Account) auth.Principal {
	return auth.Principal{UserID: 1, Role: auth.RoleAdmin, AccountID: acc.ID, AccountPath: acc.Path, AccountNumber: acc.Number}
}

// TestCatalogTypes pins the seeds' catalog: bundle types 1-5 with their
// features and call-pack types 13-20 with their minutes and coverage.
func TestCatalogTypes(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		cs := store.NewCatalog(e.db)
		bts, err := cs.BundleTypes(ctx)
		if err != nil || len(bts) != 5 {
			t.Fatalf("bundle types = %v, %v", bts, err)
		}
		want := map[int]struct {
			name    string
			allows  []catalog.Feature
			refuses []catalog.Feature
		}{
			1: {"Business", []catalog.Feature{catalog.SIPPeers, catalog.Extensions, catalog.Numbers, catalog.Voicemail}, []catalog.Feature{catalog.Trunks}},
			2: {"Residential", []catalog.Feature{catalog.SIPPeers, catalog.Extensions, catalog.Numbers, catalog.Voicemail}, []catalog.Feature{catalog.Trunks, catalog.Fax}},
			3: {"Fax Only", []catalog.Feature{catalog.Fax, catalog.Numbers}, []catalog.Feature{catalog.SIPPeers, catalog.Extensions}},
			4: {"Trunk Only", []catalog.Feature{catalog.Trunks, catalog.Numbers}, []catalog.Feature{catalog.Extensions, catalog.SIPPeers}},
			5: {"Forward Only", []catalog.Feature{catalog.Numbers, catalog.Forwarding}, []catalog.Feature{catalog.SIPPeers, catalog.Fax}},
		}
		for _, bt := range bts {
			w := want[bt.ID]
			if bt.Name != w.name || bt.Price <= 0 || bt.PeriodMonths != 1 {
				t.Errorf("type %d = %+v; want %s, a price, monthly", bt.ID, bt, w.name)
			}
			for _, f := range w.allows {
				if !bt.Features.Has(f) {
					t.Errorf("%s does not allow %s", bt.Name, f)
				}
			}
			for _, f := range w.refuses {
				if bt.Features.Has(f) {
					t.Errorf("%s allows %s", bt.Name, f)
				}
			}
		}
		pts, err := cs.PackTypes(ctx)
		if err != nil || len(pts) != 8 || pts[0].ID != 13 || pts[7].ID != 20 {
			t.Fatalf("pack types = %v, %v", pts, err)
		}
		minutes := []int64{1000, 2000, 5000, 10000, 1000, 2000, 5000, 10000}
		for i, pt := range pts {
			eu := pt.ID >= 17
			if pt.Minutes != minutes[i] || pt.ValidityMonths != 1 || pt.Price <= 0 {
				t.Errorf("pack %d = %+v", pt.ID, pt)
			}
			for digits, covered := range map[string]bool{
				"447700900123": true, "442079460000": true, "441614960000": true, // UK mobile, London, Manchester
				"448001111111": false, "449098790000": false, // UK freephone and premium
				"33142685300": eu, "4930123456": eu, "353123456": eu, "358912345": eu, // France, Germany, Ireland, Finland
				"15145550000": false, "41441234567": false, "4779123456": false, // US/Canada, Switzerland, Norway
			} {
				if pt.Covers(digits) != covered {
					t.Errorf("pack %d covers %s = %v; want %v", pt.ID, digits, !covered, covered)
				}
			}
		}
		if pts[7].Price <= pts[4].Price || pts[4].Price <= pts[0].Price {
			t.Errorf("prices do not grow with minutes and coverage: %v %v %v", pts[0].Price, pts[4].Price, pts[7].Price)
		}
	})
}

// TestCatalogPrices covers sell prices (set, replace, per owner and kind)
// and the purchase chain: each level at the price its parent set, the
// default where none, the operator left out.
func TestCatalogPrices(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		at := stamp()
		for _, p := range []struct {
			owner int64
			kind  catalog.Kind
			id    int
			price money.Amount
		}{
			{tr.op.ID, catalog.KindBundle, 1, 20_00000},
			{tr.res.ID, catalog.KindBundle, 1, 25_00000},
			{tr.res.ID, catalog.KindBundle, 1, 26_00000}, // replaces
			{tr.res.ID, catalog.KindCallPack, 1, 99_00000},
			{tr.sibling.ID, catalog.KindBundle, 2, 1_00000},
		} {
			if err := s.cstore.SetSellPrice(ctx, p.owner, p.kind, p.id, p.price, at); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.cstore.SellPrices(ctx, tr.res.ID, catalog.KindBundle)
		if err != nil || len(got) != 1 || got[1] != 26_00000 {
			t.Fatalf("res bundle prices = %v, %v", got, err)
		}
		chain, err := s.cstore.PriceChain(ctx, tr.cust.ID, catalog.KindBundle, 1)
		want := []catalog.ChainLevel{{AccountID: tr.cust.ID}, {AccountID: tr.sub.ID, Price: 26_00000, Set: true},
			{AccountID: tr.res.ID, Price: 20_00000, Set: true}}
		if err != nil || !slices.Equal(chain, want) {
			t.Fatalf("chain = %+v, %v; want %+v", chain, err, want)
		}
		if chain, err := s.cstore.PriceChain(ctx, tr.op.ID, catalog.KindBundle, 1); err != nil || len(chain) != 0 {
			t.Fatalf("operator chain = %v, %v; want none", chain, err)
		}
		levels, err := s.cat.Levels(ctx, tr.cust.ID, catalog.KindBundle, 1, 29_99000)
		wantL := []ledger.Level{{AccountID: tr.cust.ID, Price: 29_99000}, {AccountID: tr.sub.ID, Price: 26_00000}, {AccountID: tr.res.ID, Price: 20_00000}}
		if err != nil || !slices.Equal(levels, wantL) {
			t.Fatalf("levels = %v, %v; want %v", levels, err, wantL)
		}
		_, err = s.cat.Levels(ctx, tr.op.ID, catalog.KindBundle, 1, 1)
		wantCode(t, err, problem.Invalid, "account_id")

		offers, err := s.cat.Offers(ctx, writer(tr.sub), catalog.KindBundle, map[int]money.Amount{1: 29_99000, 2: 14_99000})
		if err != nil || *offers[1].Price != 26_00000 || *offers[1].SellPrice != 29_99000 || *offers[2].Price != 14_99000 {
			t.Fatalf("offers = %+v, %v", offers, err)
		}
		err = s.cat.SetSellPrice(ctx, auth.Principal{AccountID: tr.sub.ID, Role: auth.RoleUser}, catalog.KindBundle, 1, 1)
		wantCode(t, err, problem.Forbidden, "")
		wantCode(t, s.cat.SetSellPrice(ctx, writer(tr.sub), catalog.KindBundle, 1, 0), problem.Invalid, "price")
	})
}

// TestBundleCommitsWithItsMoney proves a bundle row and its charge commit
// together, a repeated key records nothing twice, and a charged change
// applies only to the expiry it was read with.
func TestBundleCommitsWithItsMoney(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		cust := s.tr.cust
		s.credit(t, cust.ID, 100_00000)
		s.credit(t, s.tr.sub.ID, 100_00000)
		s.credit(t, s.tr.res.ID, 100_00000)
		charge := func(key string, amount money.Amount, ref string) ledger.ApplyRequest {
			opts := ledger.Options{}
			if key != "" {
				opts = ledger.Options{IdempotencyKey: key, RequestHash: "h"}
			}
			req, err := s.ledger.Prepare([]ledger.Posting{{AccountID: cust.ID, Activity: ledger.Subscription, Debit: amount, Reference: ref}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			return req
		}
		day := bundle.Day(s.clock.t)
		b := bundle.Bundle{ID: s.e.ids.Next(), AccountID: cust.ID, TypeID: 1, Status: bundle.Active, Price: 10_00000,
			StartsAt: stamp(), ExpiresOn: day.AddDate(0, 1, 0), CreatedAt: stamp(), UpdatedAt: stamp()}
		es, replayed, err := s.bstore.CreateBundle(ctx, b, charge("k", 10_00000, bundle.Reference(b.ID)))
		if err != nil || replayed || len(es) != 1 {
			t.Fatalf("create = %v %v %v", es, replayed, err)
		}
		got, err := s.bstore.GetBundle(ctx, s.tr.res.ID, b.ID)
		if err != nil || got.ExpiresOn != b.ExpiresOn || got.Price != 10_00000 || got.TypeID != 1 || got.Status != bundle.Active {
			t.Fatalf("get = %+v, %v", got, err)
		}
		// The same id again fails on insert; its charge must not survive.
		_, _, err = s.bstore.CreateBundle(ctx, b, charge("", 10_00000, "x"))
		wantCode(t, err, problem.Conflict, "")
		if bal := s.balance(t, cust.ID); bal != 90_00000 {
			t.Fatalf("balance after the failed insert = %s", bal)
		}
		// A repeated key replays.
		b2 := b
		b2.ID = s.e.ids.Next()
		es2, replayed, err := s.bstore.CreateBundle(ctx, b2, charge("k", 10_00000, "y"))
		if err != nil || !replayed || es2[0].ID != es[0].ID {
			t.Fatalf("repeat = %v %v %v", es2, replayed, err)
		}
		if _, err := s.bstore.GetBundle(ctx, 0, b2.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("the replay inserted a bundle: %v", err)
		}
		// A change for another expiry is a conflict and moves nothing.
		next := b.ExpiresOn.AddDate(0, 1, 0)
		stale := bundle.Change{ID: b.ID, WantTypeID: 1, WantExpiresOn: b.ExpiresOn.AddDate(0, 0, 1), TypeID: 1, Price: 7_00000,
			StartsAt: b.ExpiresOn, ExpiresOn: next, At: stamp()}
		_, _, err = s.bstore.ChargeBundle(ctx, stale, charge("", 7_00000, bundle.Reference(b.ID)))
		wantCode(t, err, problem.Conflict, "")
		if bal := s.balance(t, cust.ID); bal != 90_00000 {
			t.Fatalf("balance after the stale change = %s", bal)
		}
		ok := stale
		ok.WantExpiresOn, ok.TypeID = b.ExpiresOn, 2
		if _, _, err := s.bstore.ChargeBundle(ctx, ok, charge("", 7_00000, bundle.Reference(b.ID))); err != nil {
			t.Fatal(err)
		}
		got, _ = s.bstore.GetBundle(ctx, 0, b.ID)
		if got.ExpiresOn != next || got.TypeID != 2 || got.Price != 7_00000 || s.balance(t, cust.ID) != 83_00000 {
			t.Fatalf("after the change: %+v, balance %s", got, s.balance(t, cust.ID))
		}
		// The same change again finds the expiry moved.
		_, _, err = s.bstore.ChargeBundle(ctx, ok, charge("", 7_00000, bundle.Reference(b.ID)))
		wantCode(t, err, problem.Conflict, "")
	})
}

// TestBundleStore covers scoping, listing, auto_renew, deletion, due
// bundles, suspension, active bundles and the require_bundle policy.
func TestBundleStore(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		day := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
		mk := func(acc int64, typ int, expires time.Time, auto bool) bundle.Bundle {
			s.credit(t, acc, 1_00000)
			b := bundle.Bundle{ID: s.e.ids.Next(), AccountID: acc, TypeID: typ, AutoRenew: auto, Status: bundle.Active, Price: 1_00000,
				StartsAt: stamp(), ExpiresOn: expires, CreatedAt: stamp(), UpdatedAt: stamp()}
			req, err := s.ledger.Prepare([]ledger.Posting{{AccountID: acc, Activity: ledger.Subscription, Debit: 1_00000, Reference: bundle.Reference(b.ID)}}, ledger.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.bstore.CreateBundle(ctx, b, req); err != nil {
				t.Fatal(err)
			}
			return b
		}
		a := mk(tr.cust.ID, 1, day, true)
		b := mk(tr.cust.ID, 3, day.AddDate(0, 0, 2), false)
		c := mk(tr.sibling.ID, 4, day.AddDate(0, 0, -1), true)
		old := mk(tr.sub.ID, 2, day.AddDate(0, 0, -30), true)

		if _, err := s.bstore.GetBundle(ctx, tr.sibling.ID, a.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a sibling sees the bundle: %v", err)
		}
		items, n, err := s.bstore.ListBundles(ctx, tr.res.ID, query.Params{})
		if err != nil || n != 3 || items[0].ID != old.ID {
			t.Fatalf("list = %d %v %v", n, items, err)
		}
		_, n, err = s.bstore.ListBundles(ctx, tr.res.ID, query.Params{Filter: "bundle_type eq 3"})
		if err != nil || n != 1 {
			t.Fatalf("filtered list = %d %v", n, err)
		}
		_, n, err = s.bstore.ListBundles(ctx, tr.res.ID, query.Params{Search: "fax"})
		if err != nil || n != 1 {
			t.Fatalf("searched list = %d %v", n, err)
		}
		_, _, err = s.bstore.ListBundles(ctx, tr.res.ID, query.Params{Filter: "bogus eq 1"})
		wantCode(t, err, problem.Invalid, "")

		if err := s.bstore.SetAutoRenew(ctx, tr.cust.ID, b.ID, true, stamp()); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.bstore.SetAutoRenew(ctx, tr.sibling.ID, b.ID, false, stamp()), problem.NotFound, "")

		due, err := s.bstore.DueBundles(ctx, day.AddDate(0, 0, -5), day, 10)
		if err != nil || len(due) != 2 || due[0].ID != c.ID || due[1].ID != a.ID {
			t.Fatalf("due = %v, %v; want c then a (not b, not the long-lapsed one)", due, err)
		}
		if ok, err := s.bstore.Suspend(ctx, a.ID, day.AddDate(0, 0, 1), stamp()); err != nil || ok {
			t.Fatalf("suspend with the wrong expiry = %v, %v", ok, err)
		}
		if ok, err := s.bstore.Suspend(ctx, a.ID, day, stamp()); err != nil || !ok {
			t.Fatalf("suspend = %v, %v", ok, err)
		}
		if due, _ := s.bstore.DueBundles(ctx, day.AddDate(0, 0, -5), day, 10); len(due) != 1 {
			t.Fatalf("a suspended bundle is still due: %v", due)
		}

		active, err := s.bstore.ActiveBundles(ctx, tr.cust.ID, day.Add(23*time.Hour))
		if err != nil || len(active) != 1 || active[0].ID != b.ID {
			t.Fatalf("active = %v, %v; want b only (a is suspended)", active, err)
		}
		if active, _ := s.bstore.ActiveBundles(ctx, tr.cust.ID, day.AddDate(0, 0, 3)); len(active) != 0 {
			t.Fatalf("active after b's expiry date = %v", active)
		}

		wantCode(t, s.bstore.DeleteBundle(ctx, tr.sibling.ID, b.ID, stamp()), problem.NotFound, "")
		if err := s.bstore.DeleteBundle(ctx, tr.cust.ID, b.ID, stamp()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.bstore.GetBundle(ctx, 0, b.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a deleted bundle is found: %v", err)
		}
		wantCode(t, s.bstore.DeleteBundle(ctx, tr.cust.ID, b.ID, stamp()), problem.NotFound, "")

		// The policy is set above an account, never by the account itself.
		for _, acc := range []int64{tr.res.ID, tr.sub.ID, tr.cust.ID} {
			if on, err := s.bstore.RequireBundle(ctx, acc); err != nil || on {
				t.Fatalf("policy of %d before = %v, %v", acc, on, err)
			}
		}
		sub := tr.sub
		sub.Preferences = map[string]any{"require_bundle": true}
		if err := s.e.accounts.UpdateAccount(ctx, &sub); err != nil {
			t.Fatal(err)
		}
		for acc, want := range map[int64]bool{tr.res.ID: false, tr.sub.ID: false, tr.cust.ID: true, tr.sibling.ID: false} {
			if on, err := s.bstore.RequireBundle(ctx, acc); err != nil || on != want {
				t.Errorf("policy of %d = %v, %v; want %v", acc, on, err, want)
			}
		}
	})
}

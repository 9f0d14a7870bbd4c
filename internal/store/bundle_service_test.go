package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/internal/bundle"
	"switchboard/internal/catalog"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
)

// TestBundleRenewalWindow renews at each boundary of the window (3 days
// before to 5 days after the expiry date, inclusive) on an injected
// clock: just outside is refused and moves nothing, inside extends from
// the old expiry by one period.
func TestBundleRenewalWindow(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		cust := s.tr.cust
		p := writer(cust)
		for _, acc := range []int64{cust.ID, s.tr.sub.ID, s.tr.res.ID} {
			s.credit(t, acc, 1000_00000)
		}
		s.clock.t = time.Date(2026, 1, 31, 15, 0, 0, 0, time.UTC)
		b, err := s.bundles.Create(ctx, p, bundle.CreateRequest{TypeID: 2}, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC); !b.ExpiresOn.Equal(want) {
			t.Fatalf("expires_on = %s; want %s (same day next month, clamped)", b.ExpiresOn, want)
		}
		for _, c := range []struct {
			at time.Time
			ok bool
		}{
			{time.Date(2026, 2, 24, 23, 59, 59, 0, time.UTC), false}, // 4 days before
			{time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC), true},     // 3 days before
			{time.Date(2026, 3, 28+5, 23, 59, 0, 0, time.UTC), true}, // 5 days after the new expiry (2026-03-28)
			{time.Date(2026, 4, 28+6, 0, 0, 0, 0, time.UTC), false},  // 6 days after the next one (2026-04-28)
		} {
			s.clock.t = c.at
			before, _ := s.bundles.Get(ctx, p, b.ID)
			bal := s.balance(t, cust.ID)
			got, err := s.bundles.Renew(ctx, p, b.ID, "")
			if !c.ok {
				wantCode(t, err, problem.Invalid, "expires_on")
				if s.balance(t, cust.ID) != bal {
					t.Fatalf("a refused renewal moved money")
				}
				continue
			}
			if err != nil {
				t.Fatalf("renew at %s: %v", c.at, err)
			}
			if want := bundle.AddMonths(before.ExpiresOn, 1); !got.ExpiresOn.Equal(want) {
				t.Fatalf("renewed to %s; want %s", got.ExpiresOn, want)
			}
			if s.balance(t, cust.ID) != bal-14_99000 {
				t.Fatalf("renewal charged %s", bal-s.balance(t, cust.ID))
			}
		}
		// State: valid through the end of its expiry date.
		got, _ := s.bundles.Get(ctx, p, b.ID)
		if got.State(got.ExpiresOn.Add(23*time.Hour)) != bundle.Active || got.State(got.ExpiresOn.AddDate(0, 0, 1)) != bundle.Expired {
			t.Fatalf("state around expiry %s is wrong", got.ExpiresOn)
		}
		_, err = s.bundles.Renew(ctx, p, s.e.ids.Next(), "")
		wantCode(t, err, problem.NotFound, "")
	})
}

// TestBundleRenewalWorker runs the worker on an injected clock: a funded
// auto-renewing bundle is renewed on its expiry date, once however often
// the worker runs, an unfunded one is suspended and stops allowing its
// features, and a bundle without auto_renew is left alone.
func TestBundleRenewalWorker(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		for _, acc := range []int64{tr.sub.ID, tr.res.ID, tr.sibling.ID} {
			s.credit(t, acc, 1000_00000)
		}
		s.credit(t, tr.cust.ID, 29_99000) // exactly one period of Business
		s.clock.t = time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC)
		funded, err := s.bundles.Create(ctx, writer(tr.sibling), bundle.CreateRequest{TypeID: 1, AutoRenew: true}, "")
		if err != nil {
			t.Fatal(err)
		}
		poor, err := s.bundles.Create(ctx, writer(tr.cust), bundle.CreateRequest{TypeID: 1, AutoRenew: true}, "")
		if err != nil {
			t.Fatal(err)
		}
		manual, err := s.bundles.Create(ctx, writer(tr.sub), bundle.CreateRequest{TypeID: 5}, "")
		if err != nil {
			t.Fatal(err)
		}
		// The day before expiry nothing is due.
		s.clock.t = time.Date(2026, 7, 9, 23, 0, 0, 0, time.UTC)
		if r, sus, err := s.bundles.RenewDue(ctx); err != nil || r != 0 || sus != 0 {
			t.Fatalf("before the expiry date: %d renewed, %d suspended, %v", r, sus, err)
		}
		s.clock.t = time.Date(2026, 7, 10, 0, 5, 0, 0, time.UTC)
		for i := range 3 {
			r, sus, err := s.bundles.RenewDue(ctx)
			want := [2]int{1, 1}
			if i > 0 {
				want = [2]int{0, 0}
			}
			if err != nil || [2]int{r, sus} != want {
				t.Fatalf("pass %d: %d renewed, %d suspended, %v; want %v", i, r, sus, err, want)
			}
		}
		got, _ := s.bundles.Get(ctx, writer(tr.op), funded.ID)
		if !got.ExpiresOn.Equal(time.Date(2026, 8, 10, 0, 0, 0, 0, time.UTC)) || got.Status != bundle.Active {
			t.Fatalf("funded after the worker: %+v", got)
		}
		if bal := s.balance(t, tr.sibling.ID); bal != 1000_00000-2*29_99000 {
			t.Fatalf("funded paid %s; want two periods", 1000_00000-bal)
		}
		got, _ = s.bundles.Get(ctx, writer(tr.op), poor.ID)
		if got.Status != bundle.Suspended || got.State(s.clock.t) != bundle.Suspended {
			t.Fatalf("poor after the worker: %+v", got)
		}
		if bal := s.balance(t, tr.cust.ID); bal != 0 {
			t.Fatalf("poor's balance = %s; want 0", bal)
		}
		if ok, err := s.bundles.Allows(ctx, tr.cust.ID, catalog.SIPPeers); err != nil || ok {
			t.Fatalf("a suspended bundle allows sip_peers: %v %v", ok, err)
		}
		if ok, _ := s.bundles.Allows(ctx, tr.sibling.ID, catalog.SIPPeers); !ok {
			t.Fatalf("the renewed bundle does not allow sip_peers")
		}
		got, _ = s.bundles.Get(ctx, writer(tr.op), manual.ID)
		if !got.ExpiresOn.Equal(manual.ExpiresOn) {
			t.Fatalf("a bundle without auto_renew was renewed")
		}
		// Funds arrive: the suspended bundle is renewed by hand within the
		// window and works again.
		s.credit(t, tr.cust.ID, 29_99000)
		if _, err := s.bundles.Renew(ctx, writer(tr.cust), poor.ID, ""); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.bundles.Allows(ctx, tr.cust.ID, catalog.Extensions); !ok {
			t.Fatalf("the renewed bundle does not allow extensions")
		}
		// A manual renewal without funds is 402 and leaves the bundle.
		s.clock.t = time.Date(2026, 8, 9, 0, 0, 0, 0, time.UTC)
		_, err = s.bundles.Renew(ctx, writer(tr.cust), poor.ID, "")
		wantCode(t, err, problem.PaymentRequired, "")
	})
}

// TestRequireBundle proves the policy: off by default; once an account
// above sets require_bundle, a feature needs an active bundle allowing it,
// and the refusal names the types that would.
func TestRequireBundle(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		for _, acc := range []int64{tr.cust.ID, tr.sub.ID, tr.res.ID} {
			s.credit(t, acc, 1000_00000)
		}
		if err := s.bundles.Require(ctx, tr.cust.ID, catalog.SIPPeers); err != nil {
			t.Fatalf("without the policy: %v", err)
		}
		res := tr.res
		res.Preferences = map[string]any{"require_bundle": true}
		if err := s.e.accounts.UpdateAccount(ctx, &res); err != nil {
			t.Fatal(err)
		}
		err := s.bundles.Require(ctx, tr.cust.ID, catalog.SIPPeers)
		wantCode(t, err, problem.Forbidden, "bundle_type")
		if !errors.Is(err, bundle.ErrBundleRequired) || !strings.Contains(err.Error(), "Business (1)") || !strings.Contains(err.Error(), "Residential (2)") ||
			strings.Contains(err.Error(), "Fax Only") {
			t.Fatalf("refusal = %v; want it to name Business (1) and Residential (2) only", err)
		}
		if err := s.bundles.Require(ctx, tr.res.ID, catalog.SIPPeers); err != nil {
			t.Fatalf("the policy applies to the account that set it: %v", err)
		}
		b, err := s.bundles.Create(ctx, writer(tr.cust), bundle.CreateRequest{TypeID: 3}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.bundles.Require(ctx, tr.cust.ID, catalog.Fax); err != nil {
			t.Fatalf("fax with a Fax Only bundle: %v", err)
		}
		wantCode(t, s.bundles.Require(ctx, tr.cust.ID, catalog.SIPPeers), problem.Forbidden, "bundle_type")
		if err := s.bundles.Require(ctx, tr.cust.ID, catalog.Numbers); err != nil {
			t.Fatalf("numbers with a Fax Only bundle: %v", err)
		}
		// Past the expiry date the bundle allows nothing.
		s.clock.t = b.ExpiresOn.AddDate(0, 0, 1)
		wantCode(t, s.bundles.Require(ctx, tr.cust.ID, catalog.Fax), problem.Forbidden, "bundle_type")
		wantCode(t, s.bundles.Require(ctx, tr.cust.ID, catalog.Feature("teleport")), problem.Invalid, "feature")
	})
}

// TestBundleChainPricing buys at each level's own price and refuses, all
// or nothing, when a reseller above cannot pay.
func TestBundleChainPricing(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		if err := s.cat.SetSellPrice(ctx, writer(tr.sub), catalog.KindBundle, 4, 30_00000); err != nil {
			t.Fatal(err)
		}
		if err := s.cat.SetSellPrice(ctx, writer(tr.res), catalog.KindBundle, 4, 22_00000); err != nil {
			t.Fatal(err)
		}
		s.credit(t, tr.cust.ID, 100_00000)
		s.credit(t, tr.sub.ID, 10_00000) // cannot pay its 22.00
		s.credit(t, tr.res.ID, 100_00000)
		_, err := s.bundles.Create(ctx, writer(tr.cust), bundle.CreateRequest{TypeID: 4}, "")
		wantCode(t, err, problem.PaymentRequired, "")
		for acc, want := range map[int64]money.Amount{tr.cust.ID: 100_00000, tr.sub.ID: 10_00000, tr.res.ID: 100_00000} {
			if got := s.balance(t, acc); got != want {
				t.Fatalf("after the refusal account %d has %s; want %s", acc, got, want)
			}
		}
		s.credit(t, tr.sub.ID, 20_00000)
		b, err := s.bundles.Create(ctx, writer(tr.cust), bundle.CreateRequest{TypeID: 4}, "")
		if err != nil || b.Price != 30_00000 {
			t.Fatalf("create = %+v, %v", b, err)
		}
		// cust at sub's 30.00, sub at res's 22.00, res at the default 19.99.
		for acc, want := range map[int64]money.Amount{tr.cust.ID: 70_00000, tr.sub.ID: 8_00000, tr.res.ID: 80_01000} {
			if got := s.balance(t, acc); got != want {
				t.Errorf("account %d has %s; want %s", acc, got, want)
			}
		}
		if m, err := s.ledger.Check(ctx); err != nil || len(m) != 0 {
			t.Fatalf("check = %v, %v", m, err)
		}
	})
}

// TestBundleRenewalWorkerNodes runs the renewal pass on two nodes at once:
// every due bundle is renewed, and each period is charged exactly once.
func TestBundleRenewalWorkerNodes(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := newShop(t, kind)
		tr := s.tr
		s.credit(t, tr.sibling.ID, 1000_00000)
		s.clock.t = time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
		for range 6 {
			if _, err := s.bundles.Create(ctx, writer(tr.sibling), bundle.CreateRequest{TypeID: 5, AutoRenew: true}, ""); err != nil {
				t.Fatal(err)
			}
		}
		s.clock.t = time.Date(2026, 10, 1, 0, 1, 0, 0, time.UTC)
		other := bundle.NewService(s.bstore, scoped{s.e.accounts}, s.cat, s.ledger, s.e.ids, s.clock.now)
		var renewed [2]int
		errs := make(chan error, 2)
		for i, svc := range []*bundle.Service{s.bundles, other} {
			go func() {
				r, _, err := svc.RenewDue(ctx)
				renewed[i] = r
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if renewed[0]+renewed[1] != 6 {
			t.Fatalf("renewed %v; want 6 in all", renewed)
		}
		if got, want := s.balance(t, tr.sibling.ID), money.Amount(1000_00000-12*4_99000); got != want {
			t.Fatalf("balance = %s; want %s (12 periods of 4.99)", got, want)
		}
		if m, err := s.ledger.Check(ctx); err != nil || len(m) != 0 {
			t.Fatalf("check = %v, %v", m, err)
		}
	})
}

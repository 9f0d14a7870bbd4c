package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/id"
	"switchboard/internal/invoice"
	"switchboard/internal/invoice/invoicetest"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// lockedClock is a settable time source for the ledger and invoice services.
type lockedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lockedClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *lockedClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

// post posts one entry at time t.
func post(t *testing.T, l *ledger.Service, c *lockedClock, when time.Time, p ledger.Posting) ledger.Entry {
	t.Helper()
	c.set(when)
	e, err := l.Post(context.Background(), p, ledger.Options{})
	if err != nil {
		t.Fatalf("post %+v: %v", p, err)
	}
	return e
}

// TestInvoiceReadPeriod checks the store reads exactly the period: the
// opening balance is everything before it, entries at the boundaries fall
// on the right side, and calls are counted through the entries that paid
// for them (or, for calls packs covered, by when they started).
func TestInvoiceReadPeriod(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		c := &lockedClock{}
		l := ledger.NewService(store.NewLedger(e.db), e.ids, c.now)
		s := store.NewInvoices(e.db)
		cust := tr.cust.ID
		mar, apr := at(2026, 3, 1, 0), at(2026, 4, 1, 0)

		post(t, l, c, at(2026, 2, 10, 0), ledger.Posting{AccountID: cust, Activity: ledger.ManualCredit, Credit: 50_00000})
		post(t, l, c, mar.Add(-time.Microsecond), ledger.Posting{AccountID: cust, Activity: ledger.Subscription, Debit: 5_00000})
		post(t, l, c, mar, ledger.Posting{AccountID: cust, Activity: ledger.CallPack, Debit: 3_00000, Description: "pack"})
		call := post(t, l, c, at(2026, 3, 5, 0), ledger.Posting{AccountID: cust, Activity: ledger.CallCharges, Debit: 12345, Reference: "call:a"})
		invoicetest.InsertCall(t, e.db, invoicetest.Call{ID: e.ids.Next(), AccountID: cust, Hash: "a", StartedAt: at(2026, 3, 4, 23),
			Prefix: "1514", RateType: "LOCAL", Description: "Montreal", Seconds: 90, Cost: 12345, LedgerEntryID: call.ID})
		// Covered by a pack: no entry; it started in March.
		invoicetest.InsertCall(t, e.db, invoicetest.Call{ID: e.ids.Next(), AccountID: cust, Hash: "b", StartedAt: at(2026, 3, 6, 0),
			Prefix: "44", RateType: "INTL", Seconds: 60, PackSeconds: 60})
		// A call started in February but rated (its entry) in March counts
		// in March; one whose entry is in April does not.
		late := post(t, l, c, at(2026, 3, 1, 1), ledger.Posting{AccountID: cust, Activity: ledger.CallCharges, Debit: 100, Reference: "call:c"})
		invoicetest.InsertCall(t, e.db, invoicetest.Call{ID: e.ids.Next(), AccountID: cust, Hash: "c", StartedAt: at(2026, 2, 28, 23),
			Prefix: "1514", RateType: "LOCAL", Description: "Montreal", Seconds: 30, Cost: 100, LedgerEntryID: late.ID})
		april := post(t, l, c, apr, ledger.Posting{AccountID: cust, Activity: ledger.CallCharges, Debit: 999, Reference: "call:d"})
		invoicetest.InsertCall(t, e.db, invoicetest.Call{ID: e.ids.Next(), AccountID: cust, Hash: "d", StartedAt: at(2026, 3, 31, 23),
			Prefix: "1514", RateType: "LOCAL", Description: "Montreal", Seconds: 30, Cost: 999, LedgerEntryID: april.ID})
		// Another account's entries never show.
		post(t, l, c, at(2026, 3, 9, 0), ledger.Posting{AccountID: tr.sibling.ID, Activity: ledger.ManualCredit, Credit: 7_00000})

		p, err := s.ReadPeriod(ctx, cust, mar, apr)
		if err != nil {
			t.Fatal(err)
		}
		if p.Opening != 45_00000 {
			t.Errorf("opening %s; want 45 (the credit less the subscription a microsecond before March)", p.Opening)
		}
		if len(p.Entries) != 1 || p.Entries[0].Activity != ledger.CallPack {
			t.Errorf("entries %+v; want the call pack only", p.Entries)
		}
		if p.Calls.Entries != 2 || p.Calls.Debit != 12445 || p.Calls.Credit != 0 {
			t.Errorf("call totals %+v; want 2 entries debiting 0.12445", p.Calls)
		}
		want := []invoice.CallGroup{
			{RateType: "INTL", Prefix: "44", Calls: 1, Seconds: 60, PackSeconds: 60},
			{RateType: "LOCAL", Prefix: "1514", Description: "Montreal", Calls: 2, Seconds: 120, Cost: 12445},
		}
		if fmt.Sprint(p.Groups) != fmt.Sprint(want) {
			t.Errorf("groups %+v; want %+v", p.Groups, want)
		}
		// April's opening is March's closing.
		secs, tot, err := invoice.Compute(p, 0)
		if err != nil || len(secs) == 0 {
			t.Fatal(err)
		}
		next, err := s.ReadPeriod(ctx, cust, apr, apr.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if next.Opening != tot.Closing {
			t.Errorf("April opening %s; March closing %s", next.Opening, tot.Closing)
		}
		bal, _ := l.Balance(ctx, cust)
		if want, _ := next.Opening.Sub(999); bal != want {
			t.Errorf("balance %s; want April's opening less April's call", bal)
		}
	})
}

func mkInvoice(e *env, acc, issuer int64, kind string, from, to time.Time) invoice.Invoice {
	id := e.ids.Next()
	return invoice.Invoice{ID: id, AccountID: acc, IssuerID: issuer, Kind: kind, PeriodStart: from, PeriodEnd: to, Currency: "CAD",
		Opening: 1, Charges: 2, Credits: 3, TaxRate: 130000, Tax: 4, Total: 6, Closing: 2, Status: invoice.StatusIssued,
		PDFKey: fmt.Sprintf("invoices/%d/%d.pdf", acc, id), WebKey: fmt.Sprintf("wk%d", id), CreatedAt: stamp(),
		Content: invoice.Content{Customer: invoice.Party{ID: acc, Name: "x"}, Sections: []invoice.Section{{Key: "calls", Lines: []invoice.Line{{Description: "d", Amount: 2}}, Total: 2}}}}
}

// TestInvoiceInsert checks numbering (sequential per issuer and year, no
// gap after a repeat), idempotency per period, round-tripping and scope.
func TestInvoiceInsert(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		other := e.mkAccount(t, &tr.sub, account.TypeCustomer)
		s := store.NewInvoices(e.db)
		jan, feb, mar := at(2026, 1, 1, 0), at(2026, 2, 1, 0), at(2026, 3, 1, 0)

		first, existed, err := s.Insert(ctx, mkInvoice(e, tr.cust.ID, tr.sub.ID, invoice.Monthly, jan, feb), 2026)
		if err != nil || existed || first.Number != "INV-2026-000001" {
			t.Fatalf("first = %q, %v, %v", first.Number, existed, err)
		}
		again, existed, err := s.Insert(ctx, mkInvoice(e, tr.cust.ID, tr.sub.ID, invoice.Monthly, jan, feb), 2026)
		if err != nil || !existed || again.ID != first.ID || again.Number != first.Number {
			t.Fatalf("repeat = %+v, %v, %v; want the first back", again.Number, existed, err)
		}
		// The repeat took no number: the next one follows the first.
		second, _, err := s.Insert(ctx, mkInvoice(e, other.ID, tr.sub.ID, invoice.Monthly, jan, feb), 2026)
		if err != nil || second.Number != "INV-2026-000002" {
			t.Fatalf("second = %q, %v", second.Number, err)
		}
		// A range of the same days is another invoice; another issuer and
		// another year count from 1.
		rng, existed, err := s.Insert(ctx, mkInvoice(e, tr.cust.ID, tr.sub.ID, invoice.Range, jan, feb), 2026)
		if err != nil || existed || rng.Number != "INV-2026-000003" {
			t.Fatalf("range = %q, %v, %v", rng.Number, existed, err)
		}
		res, _, err := s.Insert(ctx, mkInvoice(e, tr.sub.ID, tr.res.ID, invoice.Monthly, feb, mar), 2026)
		if err != nil || res.Number != "INV-2026-000001" {
			t.Fatalf("other issuer = %q, %v", res.Number, err)
		}
		ny, _, err := s.Insert(ctx, mkInvoice(e, tr.cust.ID, tr.sub.ID, invoice.Monthly, feb, mar), 2027)
		if err != nil || ny.Number != "INV-2027-000001" {
			t.Fatalf("next year = %q, %v", ny.Number, err)
		}

		got, err := s.Get(ctx, tr.sub.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Number != first.Number || got.Opening != 1 || got.Tax != 4 || got.TaxRate != 130000 || !got.PeriodStart.Equal(jan) ||
			!got.PeriodEnd.Equal(feb) || len(got.Content.Sections) != 1 || got.Content.Sections[0].Lines[0].Amount != 2 || got.WebKey != first.WebKey {
			t.Errorf("round trip %+v", got)
		}
		if _, err := s.Get(ctx, tr.sibling.ID, first.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("Get from the sibling = %v; want NotFound", err)
		}
		if _, err := s.Get(ctx, other.ID, first.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("Get from a sibling customer = %v; want NotFound", err)
		}
		if _, n, err := s.List(ctx, tr.sub.ID, query.Params{}); err != nil || n != 5 {
			t.Errorf("sub sees %d invoices, %v; want 5 (its subtree's)", n, err)
		}
		items, n, err := s.List(ctx, tr.cust.ID, query.Params{Filter: "kind eq 'monthly'", OrderBy: "period_start asc"})
		if err != nil || n != 2 || items[0].ID != first.ID {
			t.Errorf("customer's monthly = %d, %v", n, err)
		}
		if _, _, err := s.List(ctx, tr.cust.ID, query.Params{Filter: "nope eq 1"}); !problem.Is(err, problem.Invalid) {
			t.Errorf("bad filter = %v; want Invalid", err)
		}
	})
}

func TestInvoiceTaxRates(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		s := store.NewInvoices(e.db)
		if r, from, err := s.TaxRate(ctx, tr.cust.ID); err != nil || r != 0 || from != 0 {
			t.Fatalf("default = %d from %d, %v", r, from, err)
		}
		if err := s.SetTaxRate(ctx, tr.res.ID, 50000, 1, stamp()); err != nil {
			t.Fatal(err)
		}
		if r, from, _ := s.TaxRate(ctx, tr.cust.ID); r != 50000 || from != tr.res.ID {
			t.Errorf("inherited = %d from %d; want the reseller's 50000", r, from)
		}
		if err := s.SetTaxRate(ctx, tr.sub.ID, 130000, 1, stamp()); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTaxRate(ctx, tr.sub.ID, 140000, 1, stamp()); err != nil {
			t.Fatal(err)
		}
		if r, from, _ := s.TaxRate(ctx, tr.cust.ID); r != 140000 || from != tr.sub.ID {
			t.Errorf("nearest = %d from %d; want the sub-reseller's 140000", r, from)
		}
		if r, _, _ := s.TaxRate(ctx, tr.sibling.ID); r != 0 {
			t.Errorf("sibling = %d; want 0", r)
		}
		// An account with a rate of its own can still be deleted.
		leaf := e.mkAccount(t, &tr.sibling, account.TypeCustomer)
		if err := s.SetTaxRate(ctx, leaf.ID, 10000, 1, stamp()); err != nil {
			t.Fatal(err)
		}
		if err := e.accounts.DeleteAccount(ctx, tr.op.ID, leaf.ID); err != nil {
			t.Fatalf("delete an account with a tax rate: %v", err)
		}
	})
}

// TestInvoiceWorkersRace runs the month close on two nodes' stores at once
// (two connections to one database): each account gets exactly one
// invoice for the month, and the numbers have no gap or repeat.
func TestInvoiceWorkersRace(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		url := servertest.DBURL(t, kind)
		dir := t.TempDir()
		db1, err := store.Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db1.Close()
		if _, err := db1.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		db2, err := store.Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		e := &env{kind: kind, db: db1, accounts: store.NewAccounts(db1), users: store.NewUsers(db1), ids: newIDs(t)}
		tr := e.mkTree(t)
		c := &lockedClock{}
		l := ledger.NewService(store.NewLedger(db1), e.ids, c.now)
		var custs []int64
		for i := range 12 {
			a := e.mkAccount(t, &tr.sub, account.TypeCustomer)
			custs = append(custs, a.ID)
			post(t, l, c, at(2026, 5, 1+i, 0), ledger.Posting{AccountID: a.ID, Activity: ledger.ManualCredit, Credit: money.Amount(i+1) * 100000})
		}
		// One account has only June activity: not invoiced for May.
		quiet := e.mkAccount(t, &tr.sub, account.TypeCustomer)
		post(t, l, c, at(2026, 6, 1, 0), ledger.Posting{AccountID: quiet.ID, Activity: ledger.ManualCredit, Credit: 1})

		c.set(at(2026, 6, 1, 1))
		svc := func(db *store.DB, node int64) *invoice.Service {
			g, err := id.NewGenerator(node)
			if err != nil {
				t.Fatal(err)
			}
			return invoice.NewService(invoice.Config{Store: store.NewInvoices(db), Ledger: ledger.NewService(store.NewLedger(db), g, c.now), IDs: g, Now: c.now})
		}
		workers := []*invoice.Service{svc(db1, 2), svc(db2, 3)}
		var wg sync.WaitGroup
		errs := make([]error, len(workers))
		for i, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = w.CloseMonth(ctx) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("CloseMonth: %v", err)
			}
		}
		s := store.NewInvoices(db1)
		items, n, err := s.List(ctx, tr.op.ID, query.Params{OrderBy: "number asc"})
		if err != nil || n != len(custs) {
			t.Fatalf("%d invoices, %v; want %d", n, err, len(custs))
		}
		seen := map[int64]bool{}
		for i, inv := range items {
			if seen[inv.AccountID] {
				t.Errorf("account %d invoiced twice", inv.AccountID)
			}
			seen[inv.AccountID] = true
			if want := fmt.Sprintf("INV-2026-%06d", i+1); inv.Number != want {
				t.Errorf("number %d = %s; want %s", i, inv.Number, want)
			}
			if !inv.PeriodStart.Equal(at(2026, 5, 1, 0)) || inv.Opening != 0 || inv.Closing != inv.Credits || inv.Credits <= 0 {
				t.Errorf("invoice %+v", inv)
			}
		}
		// Run again, on a node that has not seen the month closed: nothing new.
		if k, err := svc(db2, 4).CloseMonth(ctx); err != nil || k != 0 {
			t.Errorf("second close = %d, %v; want 0", k, err)
		}
		// Before the grace period nothing happens.
		c.set(at(2026, 7, 1, 0).Add(time.Minute))
		if k, err := workers[0].CloseMonth(ctx); err != nil || k != 0 {
			t.Errorf("close within the grace = %d, %v; want 0", k, err)
		}
	})
}

package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/id"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// fixture is a migrated store of one kind with a ledger service on it.
type fixture struct {
	db       *store.DB
	accounts *store.Accounts
	st       *store.Ledger
	svc      *ledger.Service
	ids      *id.Generator
	clock    atomic.Int64 // unix µs; 0: time.Now
	numbers  atomic.Int64
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, servertest.DBURL(t, kind), t.TempDir())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	g, err := id.NewGenerator(1)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, accounts: store.NewAccounts(db), st: store.NewLedger(db), ids: g}
	f.svc = ledger.NewService(f.st, g, func() time.Time {
		if us := f.clock.Load(); us != 0 {
			return time.UnixMicro(us)
		}
		return time.Now()
	})
	return f
}

// account stores a new account under parent (nil: the operator).
func (f *fixture) account(t *testing.T, parent *account.Account, typ account.Type, mode account.BillingMode, limit money.Amount) account.Account {
	t.Helper()
	n := f.ids.Next()
	ts := time.Now().UTC().Truncate(time.Microsecond)
	a := account.Account{
		ID: n, Path: fmt.Sprintf("/%d/", n), Number: strconv.FormatInt(20_000_000+f.numbers.Add(1), 10),
		Name: "acct " + strconv.FormatInt(n, 10), Type: typ, Currency: "CAD", BillingMode: mode, CreditLimit: limit,
		Status: account.Active, Language: "en", Preferences: map[string]any{}, APILimits: map[string]int64{},
		CreatedAt: ts, UpdatedAt: ts,
	}
	if parent != nil {
		a.ParentID, a.Depth, a.Path = parent.ID, parent.Depth+1, fmt.Sprintf("%s%d/", parent.Path, n)
	}
	if err := f.accounts.CreateAccount(context.Background(), &a); err != nil {
		t.Fatalf("create account: %v", err)
	}
	return a
}

// tree is operator -> reseller -> customer, both prepaid.
func (f *fixture) tree(t *testing.T) (op, res, cust account.Account) {
	op = f.account(t, nil, account.TypeOperator, account.Prepaid, 0)
	res = f.account(t, &op, account.TypeReseller, account.Prepaid, 0)
	cust = f.account(t, &res, account.TypeCustomer, account.Prepaid, 0)
	return
}

func amt(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func credit(acc int64, a money.Amount) ledger.Posting {
	return ledger.Posting{AccountID: acc, Activity: ledger.ManualCredit, Credit: a, Description: "top-up"}
}

func debit(acc int64, a money.Amount) ledger.Posting {
	return ledger.Posting{AccountID: acc, Activity: ledger.CallPack, Debit: a, Reference: "call_pack:test"}
}

func (f *fixture) mustPost(t *testing.T, p ledger.Posting) ledger.Entry {
	t.Helper()
	e, err := f.svc.Post(context.Background(), p, ledger.Options{})
	if err != nil {
		t.Fatalf("post %+v: %v", p, err)
	}
	return e
}

// wantBalance fails unless the cached balance and the sum of the entries
// both equal want, and Check finds nothing wrong.
func (f *fixture) wantBalance(t *testing.T, acc int64, want money.Amount) {
	t.Helper()
	ctx := context.Background()
	if b, err := f.svc.Balance(ctx, acc); err != nil || b != want {
		t.Fatalf("Balance = %s, %v; want %s", b, err, want)
	}
	if s, err := f.svc.Sum(ctx, acc); err != nil || s != want {
		t.Fatalf("Sum = %s, %v; want %s", s, err, want)
	}
	if m, err := f.svc.Check(ctx); err != nil || len(m) != 0 {
		t.Fatalf("Check = %+v, %v; want no mismatch", m, err)
	}
}

func wantCode(t *testing.T, err error, code problem.Code) {
	t.Helper()
	if c := problem.CodeOf(err); err == nil || c != code {
		t.Fatalf("error = %v (code %s); want %s", err, c, code)
	}
}

func TestActivities(t *testing.T) {
	// Seed 002's financial_summary activity types, verbatim.
	seed := "Test Call Credit, Bank Transfer, Bank Fee, Paypal Transfer, Paypal Fee, USF Tax Deduction, Payment Cancelled, Payment Refund, Call Charges, Order (New DIDs), Order (LNP), Credit Card, Credit Card Fee"
	all := ledger.Activities()
	var got string
	for i, a := range all[:13] {
		if i > 0 {
			got += ", "
		}
		got += string(a)
	}
	if got != seed {
		t.Fatalf("seed activities = %q\nwant %q", got, seed)
	}
	for _, a := range []ledger.Activity{ledger.Subscription, ledger.CallPack, ledger.NumberRental, ledger.CommandCharge, ledger.ManualCredit, ledger.ManualDebit} {
		if !a.Valid() {
			t.Errorf("%q not valid", a)
		}
	}
	if ledger.Activity("All Activity").Valid() || ledger.Activity("").Valid() {
		t.Error("filters or empty accepted as activities")
	}
}

func TestPostAndBalance(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		_, _, cust := f.tree(t)
		f.wantBalance(t, cust.ID, 0)
		e1 := f.mustPost(t, credit(cust.ID, amt(t, "10")))
		e2 := f.mustPost(t, debit(cust.ID, amt(t, "3.50001")))
		if e1.BalanceAfter != amt(t, "10") || e2.BalanceAfter != amt(t, "6.49999") || e1.Seq != 1 || e2.Seq != 2 {
			t.Fatalf("entries = %+v, %+v", e1, e2)
		}
		f.wantBalance(t, cust.ID, amt(t, "6.49999"))
		es, err := f.st.Entries(ctx, cust.ID)
		if err != nil || len(es) != 2 {
			t.Fatalf("Entries = %v, %v", es, err)
		}
		// What is read back is what was written.
		e2.Replayed = false
		if es[1] != e2 {
			t.Fatalf("stored entry = %+v\nwant %+v", es[1], e2)
		}
		if _, err := f.svc.Balance(ctx, 12345); problem.CodeOf(err) != problem.NotFound {
			t.Fatalf("Balance of no account: %v", err)
		}
	})
}

func TestValidation(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		_, _, cust := f.tree(t)
		one := amt(t, "1")
		for name, p := range map[string]ledger.Posting{
			"neither":    {AccountID: cust.ID, Activity: ledger.ManualCredit},
			"both":       {AccountID: cust.ID, Activity: ledger.ManualCredit, Credit: one, Debit: one},
			"negative":   {AccountID: cust.ID, Activity: ledger.ManualCredit, Credit: -one},
			"neg debit":  {AccountID: cust.ID, Activity: ledger.ManualDebit, Debit: -one, Credit: one},
			"activity":   {AccountID: cust.ID, Activity: "All Activity", Credit: one},
			"no account": {Activity: ledger.ManualCredit, Credit: one},
			"nul":        {AccountID: cust.ID, Activity: ledger.ManualCredit, Credit: one, Description: "a\x00b"},
		} {
			_, err := f.svc.Post(ctx, p, ledger.Options{})
			if problem.CodeOf(err) != problem.Invalid {
				t.Errorf("%s: error = %v; want invalid", name, err)
			}
		}
		_, err := f.svc.Post(ctx, credit(cust.ID+999, one), ledger.Options{})
		wantCode(t, err, problem.NotFound)
		// Overflow is refused, not wrapped.
		f.mustPost(t, credit(cust.ID, money.Amount(1<<62)))
		_, err = f.svc.Post(ctx, credit(cust.ID, money.Amount(1<<62)), ledger.Options{})
		wantCode(t, err, problem.Invalid)
		f.wantBalance(t, cust.ID, money.Amount(1<<62))
	})
}

func TestPrepaidNeverBelowZero(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		_, _, cust := f.tree(t)
		_, err := f.svc.Post(ctx, debit(cust.ID, amt(t, "0.00001")), ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
		f.mustPost(t, credit(cust.ID, amt(t, "1")))
		_, err = f.svc.Post(ctx, debit(cust.ID, amt(t, "1.00001")), ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
		f.wantBalance(t, cust.ID, amt(t, "1"))
		// A credit limit means nothing to a prepaid account.
		cust.CreditLimit = amt(t, "100")
		if err := f.accounts.UpdateAccount(ctx, &cust); err != nil {
			t.Fatal(err)
		}
		f.mustPost(t, debit(cust.ID, amt(t, "1")))
		_, err = f.svc.Post(ctx, debit(cust.ID, amt(t, "0.00001")), ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
		f.wantBalance(t, cust.ID, 0)
	})
}

func TestPostpaidNeverBelowLimit(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		op, _, _ := f.tree(t)
		post := f.account(t, &op, account.TypeCustomer, account.Postpaid, amt(t, "5"))
		f.mustPost(t, debit(post.ID, amt(t, "4.99999")))
		_, err := f.svc.Post(ctx, debit(post.ID, amt(t, "0.00002")), ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
		e := f.mustPost(t, debit(post.ID, amt(t, "0.00001")))
		if e.BalanceAfter != amt(t, "-5") {
			t.Fatalf("balance after = %s; want -5", e.BalanceAfter)
		}
		_, err = f.svc.Post(ctx, debit(post.ID, amt(t, "0.00001")), ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
		f.mustPost(t, credit(post.ID, amt(t, "1")))
		f.mustPost(t, debit(post.ID, amt(t, "1")))
		f.wantBalance(t, post.ID, amt(t, "-5"))
		// Postpaid without a limit is held at zero.
		nolimit := f.account(t, &op, account.TypeCustomer, account.Postpaid, 0)
		_, err = f.svc.Post(ctx, debit(nolimit.ID, amt(t, "0.00001")), ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
	})
}

// The test: 100 concurrent debits of 1.00 against exactly 10.00.
func TestConcurrentDebitsExactlyTen(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		_, _, cust := f.tree(t)
		f.mustPost(t, credit(cust.ID, amt(t, "10.00")))
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		start := make(chan struct{})
		for range 100 {
			wg.Go(func() {
				<-start
				_, err := f.svc.Post(ctx, debit(cust.ID, amt(t, "1.00")), ledger.Options{})
				switch {
				case err == nil:
					ok.Add(1)
				case problem.CodeOf(err) == problem.PaymentRequired:
					refused.Add(1)
				default:
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("unexpected error: %v", err)
		}
		if ok.Load() != 10 || refused.Load() != 90 {
			t.Fatalf("succeeded %d, refused %d; want 10 and 90", ok.Load(), refused.Load())
		}
		f.wantBalance(t, cust.ID, 0)
		if b, _ := f.svc.Balance(ctx, cust.ID); b.String() != "0.00000" {
			t.Fatalf("balance = %s", b)
		}
		es, err := f.st.Entries(ctx, cust.ID)
		if err != nil || len(es) != 11 {
			t.Fatalf("entries = %d, %v; want 11", len(es), err)
		}
		for i, e := range es {
			if e.Seq != int64(i+1) || e.BalanceAfter < 0 {
				t.Fatalf("entry %d = %+v", i, e)
			}
		}
	})
}

// Credits and debits racing on one account never lose or double a unit,
// and the running balance never dips below zero.
func TestConcurrentMixed(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		_, _, cust := f.tree(t)
		f.mustPost(t, credit(cust.ID, amt(t, "5")))
		var credited, debited atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := range 200 {
			wg.Go(func() {
				a := money.Amount(1 + rand.Int64N(200_000)) // up to 2.00000
				if i%2 == 0 {
					if _, err := f.svc.Post(ctx, credit(cust.ID, a), ledger.Options{}); err != nil {
						errs <- err
						return
					}
					credited.Add(int64(a))
					return
				}
				_, err := f.svc.Post(ctx, debit(cust.ID, a), ledger.Options{})
				switch {
				case err == nil:
					debited.Add(int64(a))
				case problem.CodeOf(err) != problem.PaymentRequired:
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("unexpected error: %v", err)
		}
		want := amt(t, "5") + money.Amount(credited.Load()-debited.Load())
		f.wantBalance(t, cust.ID, want)
		es, _ := f.st.Entries(ctx, cust.ID)
		for _, e := range es {
			if e.BalanceAfter < 0 {
				t.Fatalf("prepaid went below zero: %+v", e)
			}
		}
	})
}

func TestChainAllOrNone(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		op, res, cust := f.tree(t)
		sub := f.account(t, &res, account.TypeReseller, account.Prepaid, 0)
		subCust := f.account(t, &sub, account.TypeCustomer, account.Prepaid, 0)
		f.mustPost(t, credit(res.ID, amt(t, "1")))
		f.mustPost(t, credit(cust.ID, amt(t, "10")))
		chain := []ledger.Posting{debit(cust.ID, amt(t, "2")), debit(res.ID, amt(t, "1.5"))}
		_, err := f.svc.PostChain(ctx, chain, ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
		msg := problem.As(err).Message
		if want := strconv.FormatInt(res.ID, 10); !strings.Contains(msg, want) || strings.Contains(msg, "1.00000") {
			t.Fatalf("refusal %q does not name the reseller %s, or shows its balance to the buyer", msg, want)
		}
		var short *ledger.InsufficientFunds
		if !errors.As(err, &short) || short.AccountID != res.ID || short.Available != amt(t, "1") || short.Debit != amt(t, "1.5") {
			t.Fatalf("cause = %+v", short)
		}
		f.wantBalance(t, cust.ID, amt(t, "10"))
		f.wantBalance(t, res.ID, amt(t, "1"))

		f.mustPost(t, credit(res.ID, amt(t, "5")))
		chain = ledger.ChainDebits(ledger.Posting{Activity: ledger.CallPack, Reference: "call_pack:1"},
			[]ledger.Level{{AccountID: cust.ID, Price: amt(t, "2")}, {AccountID: res.ID, Price: amt(t, "1.5")}, {AccountID: op.ID}})
		if len(chain) != 2 || chain[1].Debit != amt(t, "1.5") || chain[1].Reference != "call_pack:1" {
			t.Fatalf("ChainDebits = %+v", chain)
		}
		es, err := f.svc.PostChain(ctx, chain, ledger.Options{})
		if err != nil || len(es) != 2 || es[0].AccountID != cust.ID || es[1].AccountID != res.ID {
			t.Fatalf("PostChain = %+v, %v", es, err)
		}
		f.wantBalance(t, cust.ID, amt(t, "8"))
		f.wantBalance(t, res.ID, amt(t, "4.5"))
		f.wantBalance(t, op.ID, 0)

		// Three levels; the customer is the one short.
		f.mustPost(t, credit(sub.ID, amt(t, "3")))
		f.mustPost(t, credit(subCust.ID, amt(t, "0.5")))
		chain3 := []ledger.Posting{debit(subCust.ID, amt(t, "1")), debit(sub.ID, amt(t, "0.8")), debit(res.ID, amt(t, "0.6"))}
		_, err = f.svc.PostChain(ctx, chain3, ledger.Options{})
		wantCode(t, err, problem.PaymentRequired)
		if msg := problem.As(err).Message; !strings.Contains(msg, "available 0.50000") {
			t.Fatalf("the buyer's own refusal %q lacks its figures", msg)
		}
		f.wantBalance(t, sub.ID, amt(t, "3"))
		f.wantBalance(t, res.ID, amt(t, "4.5"))
		f.wantBalance(t, subCust.ID, amt(t, "0.5"))
		// The same account twice in a chain applies both in order.
		es, err = f.svc.PostChain(ctx, []ledger.Posting{debit(sub.ID, amt(t, "2")), debit(sub.ID, amt(t, "1"))}, ledger.Options{})
		if err != nil || es[0].Seq+1 != es[1].Seq || es[1].BalanceAfter != 0 {
			t.Fatalf("double posting = %+v, %v", es, err)
		}
		f.wantBalance(t, sub.ID, 0)
	})
}

// Chains over shared resellers run concurrently, with their postings in
// either order, without deadlock, lost money or a reseller going negative.
func TestConcurrentChains(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		op, res, c1 := f.tree(t)
		_ = op
		c2 := f.account(t, &res, account.TypeCustomer, account.Prepaid, 0)
		f.mustPost(t, credit(res.ID, amt(t, "20")))
		f.mustPost(t, credit(c1.ID, amt(t, "100")))
		f.mustPost(t, credit(c2.ID, amt(t, "100")))
		var ok atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := range 100 {
			wg.Go(func() {
				c := c1.ID
				if i%2 == 1 {
					c = c2.ID
				}
				chain := []ledger.Posting{debit(c, amt(t, "1.5")), debit(res.ID, amt(t, "1"))}
				if i%4 >= 2 {
					chain[0], chain[1] = chain[1], chain[0]
				}
				_, err := f.svc.PostChain(ctx, chain, ledger.Options{})
				switch {
				case err == nil:
					ok.Add(1)
				case problem.CodeOf(err) != problem.PaymentRequired:
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("unexpected error: %v", err)
		}
		if ok.Load() != 20 {
			t.Fatalf("%d chains succeeded; want 20 (the reseller pays for exactly 20)", ok.Load())
		}
		f.wantBalance(t, res.ID, 0)
		b1, _ := f.svc.Balance(ctx, c1.ID)
		b2, _ := f.svc.Balance(ctx, c2.ID)
		if b1+b2 != amt(t, "170") {
			t.Fatalf("customers hold %s + %s; want 170 in all", b1, b2)
		}
	})
}

func TestIdempotency(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		_, res, cust := f.tree(t)
		opts := ledger.Options{IdempotencyKey: "pay-1", RequestHash: "h1"}
		first, err := f.svc.Post(ctx, credit(cust.ID, amt(t, "5")), opts)
		if err != nil || first.Replayed {
			t.Fatalf("first = %+v, %v", first, err)
		}
		again, err := f.svc.Post(ctx, credit(cust.ID, amt(t, "5")), opts)
		if err != nil || !again.Replayed || again.ID != first.ID || again.BalanceAfter != first.BalanceAfter {
			t.Fatalf("replay = %+v, %v; want %+v replayed", again, err, first)
		}
		f.wantBalance(t, cust.ID, amt(t, "5"))

		_, err = f.svc.Post(ctx, credit(cust.ID, amt(t, "6")), ledger.Options{IdempotencyKey: "pay-1", RequestHash: "h2"})
		if !errors.Is(err, ledger.ErrIdempotencyMismatch) || !ledger.IsMismatch(err) {
			t.Fatalf("different body: %v; want ErrIdempotencyMismatch", err)
		}
		f.wantBalance(t, cust.ID, amt(t, "5"))
		// Keys are per account: the same key elsewhere is another request.
		if e, err := f.svc.Post(ctx, credit(res.ID, amt(t, "1")), opts); err != nil || e.Replayed {
			t.Fatalf("same key on another account = %+v, %v", e, err)
		}

		// Concurrent repeats move money once.
		var wg sync.WaitGroup
		var applied atomic.Int64
		errs := make(chan error, 30)
		o2 := ledger.Options{IdempotencyKey: "pay-2", RequestHash: "h"}
		for range 30 {
			wg.Go(func() {
				e, err := f.svc.Post(ctx, credit(cust.ID, amt(t, "1")), o2)
				if err != nil {
					errs <- err
					return
				}
				if !e.Replayed {
					applied.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent replay: %v", err)
		}
		if applied.Load() != 1 {
			t.Fatalf("applied %d times; want 1", applied.Load())
		}
		f.wantBalance(t, cust.ID, amt(t, "6"))

		// A refused post records nothing: once funded, the same key works.
		o3 := ledger.Options{IdempotencyKey: "buy-1", RequestHash: "b"}
		_, err = f.svc.Post(ctx, debit(cust.ID, amt(t, "7")), o3)
		wantCode(t, err, problem.PaymentRequired)
		f.mustPost(t, credit(cust.ID, amt(t, "1")))
		if e, err := f.svc.Post(ctx, debit(cust.ID, amt(t, "7")), o3); err != nil || e.Replayed {
			t.Fatalf("after top-up = %+v, %v", e, err)
		}
		f.wantBalance(t, cust.ID, 0)

		// Chains replay whole.
		f.mustPost(t, credit(cust.ID, amt(t, "3")))
		f.mustPost(t, credit(res.ID, amt(t, "3")))
		chain := []ledger.Posting{debit(cust.ID, amt(t, "2")), debit(res.ID, amt(t, "1"))}
		oc := ledger.Options{IdempotencyKey: "chain-1", RequestHash: "c"}
		es1, err := f.svc.PostChain(ctx, chain, oc)
		if err != nil {
			t.Fatal(err)
		}
		es2, err := f.svc.PostChain(ctx, chain, oc)
		if err != nil || len(es2) != 2 || es2[0].ID != es1[0].ID || es2[1].ID != es1[1].ID || !es2[1].Replayed {
			t.Fatalf("chain replay = %+v, %v", es2, err)
		}
		f.wantBalance(t, cust.ID, amt(t, "1"))
		f.wantBalance(t, res.ID, amt(t, "3"))

		// After 24 hours the key is forgotten and a repeat moves money.
		f.clock.Store(time.Now().Add(ledger.IdempotencyTTL + time.Minute).UnixMicro())
		late, err := f.svc.Post(ctx, credit(cust.ID, amt(t, "5")), opts)
		if err != nil || late.Replayed || late.ID == first.ID {
			t.Fatalf("after expiry = %+v, %v; want a new entry", late, err)
		}
		f.wantBalance(t, cust.ID, amt(t, "6"))
		// ... and the renewed key replays again.
		if e, err := f.svc.Post(ctx, credit(cust.ID, amt(t, "5")), opts); err != nil || e.ID != late.ID || !e.Replayed {
			t.Fatalf("renewed key = %+v, %v", e, err)
		}
		// The purge drops every key older than a day (all but the renewed one).
		n, err := f.svc.PurgeIdempotencyKeys(ctx)
		if err != nil || n != 4 {
			t.Fatalf("purged %d, %v; want 4", n, err)
		}
	})
}

func TestCheckFindsCorruption(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		f := newFixture(t, kind)
		_, res, cust := f.tree(t)
		f.mustPost(t, credit(cust.ID, amt(t, "10")))
		f.mustPost(t, debit(cust.ID, amt(t, "2")))
		f.mustPost(t, credit(res.ID, amt(t, "1")))
		f.wantBalance(t, cust.ID, amt(t, "8"))

		if _, err := f.db.Exec(ctx, `UPDATE account_balances SET balance = balance + 1 WHERE account_id = $1`, cust.ID); err != nil {
			t.Fatal(err)
		}
		m, err := f.svc.Check(ctx)
		if err != nil || len(m) != 1 {
			t.Fatalf("Check = %+v, %v; want one mismatch", m, err)
		}
		if m[0].AccountID != cust.ID || m[0].AccountNumber != cust.Number || m[0].Cached != amt(t, "8.00001") ||
			m[0].Sum != amt(t, "8") || m[0].LastBalanceAfter != amt(t, "8") || m[0].Entries != 2 {
			t.Fatalf("mismatch = %+v", m[0])
		}
		// Repair the cache, then break an entry's running balance instead:
		// cache, sum and last entry still agree, the running check does not.
		if _, err := f.db.Exec(ctx, `UPDATE account_balances SET balance = balance - 1 WHERE account_id = $1`, cust.ID); err != nil {
			t.Fatal(err)
		}
		f.wantBalance(t, cust.ID, amt(t, "8"))
		if _, err := f.db.Exec(ctx, `UPDATE ledger_entries SET balance_after = balance_after + 1 WHERE account_id = $1 AND seq = 1`, cust.ID); err != nil {
			t.Fatal(err)
		}
		m, err = f.svc.Check(ctx)
		if err != nil || len(m) != 1 || m[0].AccountID != cust.ID || m[0].BrokenEntries != 1 {
			t.Fatalf("Check = %+v, %v; want entry 1 of the customer broken", m, err)
		}
		// A lost entry (deleted row) shows in the sum and the sequence.
		if _, err := f.db.Exec(ctx, `DELETE FROM ledger_entries WHERE account_id = $1`, res.ID); err != nil {
			t.Fatal(err)
		}
		m, err = f.svc.Check(ctx)
		if err != nil || len(m) != 2 || m[1].AccountID != res.ID && m[0].AccountID != res.ID {
			t.Fatalf("Check = %+v, %v; want the reseller too", m, err)
		}
	})
}

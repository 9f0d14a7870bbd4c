package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/id"
	"switchboard/internal/invoice/invoicetest"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// testClock is a settable clock shared by a node's invoice worker and the
// test's own ledger postings.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// monthBook posts to a node's ledger at chosen times, with an id node of
// its own so its ids never meet the node's.
type monthBook struct {
	t     *testing.T
	n     *servertest.Node
	clock *testClock
	l     *ledger.Service
	ids   *id.Generator
}

func newMonthBook(t *testing.T, n *servertest.Node) *monthBook {
	g, err := id.NewGenerator(1000)
	if err != nil {
		t.Fatal(err)
	}
	c := &testClock{}
	return &monthBook{t: t, n: n, clock: c, l: ledger.NewService(store.NewLedger(n.DB), g, c.now), ids: g}
}

func (b *monthBook) chain(at time.Time, ps ...ledger.Posting) []ledger.Entry {
	b.t.Helper()
	b.clock.set(at)
	es, err := b.l.PostChain(context.Background(), ps, ledger.Options{})
	if err != nil {
		b.t.Fatalf("post %+v: %v", ps, err)
	}
	return es
}

// call records a rated call the way the rating does: its "Call Charges"
// entry (when it cost money) and its call_charges row naming the entry.
func (b *monthBook) call(at time.Time, acc int64, prefix, typ, desc string, seconds, pack int64, cost money.Amount) {
	b.t.Helper()
	var entry int64
	hash := strings.Repeat("0", 16) + strings.TrimLeft(id.EncodeNative(b.ids.Next()), "=")
	if cost > 0 {
		entry = b.chain(at, ledger.Posting{AccountID: acc, Activity: ledger.CallCharges, Debit: cost, Reference: "call:" + hash})[0].ID
	}
	invoicetest.InsertCall(b.t, b.n.DB, invoicetest.Call{ID: b.ids.Next(), AccountID: acc, Hash: hash, StartedAt: at.Add(-time.Duration(seconds) * time.Second),
		Prefix: prefix, RateType: typ, Description: desc, Seconds: seconds, PackSeconds: pack, Cost: cost, LedgerEntryID: entry})
}

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }

func mustAmount(s string) money.Amount {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

type invoiceJSON struct {
	ID, AccountID, IssuerID, Number, Kind, Currency, TaxRate, Status, PDFURL string
	Opening, Charges, Credits, Tax, Total, Closing                           string
	Sections                                                                 []struct {
		Key   string
		Total string
		Lines []struct{ Description, Amount string }
	}
}

func decodeInvoice(t *testing.T, raw []byte) invoiceJSON {
	t.Helper()
	var v struct {
		ID        string `json:"id"`
		AccountID string `json:"account_id"`
		IssuerID  string `json:"issuer_id"`
		Number    string `json:"number"`
		Kind      string `json:"kind"`
		Currency  string `json:"currency"`
		TaxRate   string `json:"tax_rate"`
		Status    string `json:"status"`
		PDFURL    string `json:"pdf_url"`
		Opening   string `json:"opening_balance"`
		Charges   string `json:"charges"`
		Credits   string `json:"credits"`
		Tax       string `json:"tax"`
		Total     string `json:"total"`
		Closing   string `json:"closing_balance"`
		Sections  []struct {
			Key   string `json:"key"`
			Total string `json:"total"`
			Lines []struct {
				Description string `json:"description"`
				Amount      string `json:"amount"`
			} `json:"lines"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode invoice %s: %v", raw, err)
	}
	out := invoiceJSON{v.ID, v.AccountID, v.IssuerID, v.Number, v.Kind, v.Currency, v.TaxRate, v.Status, v.PDFURL,
		v.Opening, v.Charges, v.Credits, v.Tax, v.Total, v.Closing, nil}
	for _, s := range v.Sections {
		sec := struct {
			Key   string
			Total string
			Lines []struct{ Description, Amount string }
		}{Key: s.Key, Total: s.Total}
		for _, l := range s.Lines {
			sec.Lines = append(sec.Lines, struct{ Description, Amount string }{l.Description, l.Amount})
		}
		out.Sections = append(out.Sections, sec)
	}
	return out
}

// invoiceWorld is a node whose clock moves to 2 April 2026 once the test
// has written March (the worker would invoice March as soon as it closed), with a
// customer under a reseller whose March holds calls, a bundle, a call
// pack, a card payment with its fee and a 13 % tax rate.
type invoiceWorld struct {
	n                 *servertest.Node
	res, cust, other  servertest.Tenant
	opening, closing  money.Amount
	marchEntries      int
	clock             *testClock
	cardFee, cardPaid money.Amount
}

func mustInvoiceWorld(t *testing.T, kind string) invoiceWorld {
	clock := &testClock{t: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)}
	n := servertest.Start(t, kind, servertest.Options{Now: clock.now, InvoiceEvery: 20 * time.Millisecond})
	w := invoiceWorld{n: n, clock: clock}
	w.res = n.MustTenant(t, n.AdminToken, "", "Reseller Inc", "reseller")
	w.cust = n.MustTenant(t, w.res.Token, "", "Customer Co", "customer")
	w.other = n.MustTenant(t, n.AdminToken, "", "Sibling Co", "reseller")
	mustOK(t, n, http.MethodPost, "/api/accounts/"+w.cust.AccountID+"/tax_rate", w.res.Token, map[string]any{"tax_rate": "0.13"})

	b := newMonthBook(t, n)
	c, r := rawID(t, w.cust.AccountID), rawID(t, w.res.AccountID)
	feb := b.chain(day(2, 15), ledger.Posting{AccountID: c, Activity: ledger.ManualCredit, Credit: mustAmount("100"), Description: "Opening credit"},
		ledger.Posting{AccountID: r, Activity: ledger.ManualCredit, Credit: mustAmount("50")})
	w.opening = feb[0].BalanceAfter
	// The bundle and the call pack are bought along the chain: the
	// customer at its price, the reseller at its buy price.
	b.chain(day(3, 2), ledger.Posting{AccountID: c, Activity: ledger.Subscription, Debit: mustAmount("10"), Description: "Bundle type 2", Reference: "bundle:1"},
		ledger.Posting{AccountID: r, Activity: ledger.Subscription, Debit: mustAmount("6"), Description: "Bundle type 2", Reference: "bundle:1"})
	b.chain(day(3, 3), ledger.Posting{AccountID: c, Activity: ledger.CallPack, Debit: mustAmount("5"), Description: "UK landline 300 minutes"},
		ledger.Posting{AccountID: r, Activity: ledger.CallPack, Debit: mustAmount("3"), Description: "UK landline 300 minutes"})
	b.chain(day(3, 4), ledger.Posting{AccountID: c, Activity: ledger.CreditCard, Credit: mustAmount("20"), Description: "Card payment, visa ending 4242", Reference: "payment:1"},
		ledger.Posting{AccountID: c, Activity: ledger.CreditCardFee, Debit: mustAmount("0.88"), Description: "Fee of card payment", Reference: "payment:1"})
	b.call(day(3, 5), c, "1514", "LOCAL", "Montreal", 90, 0, mustAmount("0.12345"))
	b.call(day(3, 6), c, "1514", "LOCAL", "Montreal", 120, 0, mustAmount("0.5"))
	b.call(day(3, 7), c, "44", "INTL", "United Kingdom", 300, 60, mustAmount("1.00001"))
	b.call(day(3, 8), c, "44", "INTL", "United Kingdom", 60, 60, 0) // all in the pack
	last := b.chain(time.Date(2026, 3, 31, 23, 59, 59, 999999000, time.UTC), ledger.Posting{AccountID: c, Activity: ledger.CommandCharge, Debit: mustAmount("0.01"), Description: "lookup_did"})
	w.closing = last[0].BalanceAfter
	w.marchEntries = 8
	// On the first instant of April: not March's.
	b.chain(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), ledger.Posting{AccountID: c, Activity: ledger.ManualDebit, Debit: mustAmount("1")})
	clock.set(time.Date(2026, 4, 2, 0, 15, 0, 0, time.UTC))
	return w
}

// waitInvoices polls the native list until filter matches want invoices.
func waitInvoices(t *testing.T, n *servertest.Node, token, filter string, want int) []invoiceJSON {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := n.Do(t, http.MethodGet, "/api/invoices?"+url.Values{"filter": {filter}}.Encode(), token, nil)
		var l struct {
			Count int               `json:"count"`
			Items []json.RawMessage `json:"items"`
		}
		r.JSON(t, &l)
		if l.Count >= want || time.Now().After(deadline) {
			if l.Count != want {
				t.Fatalf("invoices %q: %d, want %d: %s", filter, l.Count, want, r.Body)
			}
			out := make([]invoiceJSON, len(l.Items))
			for i, raw := range l.Items {
				out[i] = decodeInvoice(t, raw)
			}
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInvoiceAcceptance is the acceptance test: the worker of a
// real node invoices March once it has closed; the invoice's PDF opens and
// the figures read back from it are the ledger's: the opening balance is
// the balance before March, the closing one the balance after March's last
// entry, and opening + credits - charges = closing, with 13 % tax on the
// charges.
func TestInvoiceAcceptance(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		w := mustInvoiceWorld(t, kind)
		n := w.n
		list := waitInvoices(t, n, w.res.Token, "account_id eq '"+w.cust.AccountID+"'", 1)
		inv := list[0]
		// The reseller, active in March too, is invoiced by the operator.
		waitInvoices(t, n, n.AdminToken, "account_id eq '"+w.res.AccountID+"'", 1)

		charges := mustAmount("10").Units() + mustAmount("5").Units() + mustAmount("0.12345").Units() + mustAmount("0.5").Units() + mustAmount("1.00001").Units() + mustAmount("0.01").Units()
		credits := mustAmount("20").Units() - mustAmount("0.88").Units()
		if got, _ := w.opening.Add(money.Amount(credits)); got-money.Amount(charges) != w.closing {
			t.Fatalf("test ledger does not add up: %s + %d - %d != %s", w.opening, credits, charges, w.closing)
		}
		// Tax on the charges, rounded once: 16.63346 x 0.13 = 2.1623498.
		tax, _ := money.FromRat(money.Amount(charges).Rat().Mul(money.Amount(charges).Rat(), mustRat("0.13")))
		tot, _ := money.Amount(charges).Add(tax)
		if tax != mustAmount("2.16235") {
			t.Fatalf("expected tax %s", tax)
		}
		want := map[string]string{"opening": w.opening.String(), "charges": money.Amount(charges).String(), "credits": money.Amount(credits).String(),
			"tax": tax.String(), "total": tot.String(), "closing": w.closing.String()}
		got := map[string]string{"opening": inv.Opening, "charges": inv.Charges, "credits": inv.Credits, "tax": inv.Tax, "total": inv.Total, "closing": inv.Closing}
		for k, v := range want {
			if mustAmount(got[k]) != mustAmount(v) {
				t.Errorf("invoice %s = %s; want %s", k, got[k], v)
			}
		}
		if inv.Kind != "monthly" || inv.Number != "INV-2026-000001" || inv.IssuerID != w.res.AccountID || inv.TaxRate != "0.13" || inv.Status != "issued" {
			t.Errorf("invoice %+v", inv)
		}

		detail := decodeInvoice(t, mustGet(t, n, "/api/invoices/"+inv.ID, w.cust.Token))
		sections := map[string]string{}
		lines := 0
		for _, s := range detail.Sections {
			sections[s.Key] = s.Total
			lines += len(s.Lines)
		}
		for k, v := range map[string]string{"calls": "1.62346", "subscriptions": "10", "call_packs": "5", "commands": "0.01", "payments": "19.12", "numbers": "0", "other": "0"} {
			if mustAmount(sections[k]) != mustAmount(v) {
				t.Errorf("section %s total %s; want %s", k, sections[k], v)
			}
		}
		// Two call summaries, and one line per other March entry.
		if lines != 2+5 {
			t.Errorf("%d lines; want 7: %+v", lines, detail.Sections)
		}

		// The PDF, read back by an independent parser.
		r := n.Do(t, http.MethodGet, inv.PDFURL, w.cust.Token, nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("GET %s: %d %s %.40q", inv.PDFURL, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		text := invoicetest.Text(t, r.Body)
		for label, v := range map[string]string{"Opening balance": want["opening"], "Charges (subtotal)": want["charges"], "Tax (13%)": want["tax"],
			"Total USD": want["total"], "Closing balance": want["closing"], "Total Calls": "1.62346", "Total Subscriptions": "10",
			"Total Call packs": "5", "Total Payments and credits": "19.12"} {
			if g := invoicetest.Value(text, label); g == "" || mustAmount(g) != mustAmount(v) {
				t.Errorf("PDF %q = %q; want %s", label, g, v)
			}
		}
		for _, s := range []string{"Invoice INV-2026-000001", "Reseller Inc", "Customer Co", "Account " + w.cust.Number, "2026-03-01 to 2026-03-31",
			"LOCAL 1514 Montreal 2 3:30 0.62345", "INTL 44 United Kingdom 2 6:00 1.00001", "Bundle type 2", "UK landline 300 minutes", "Card payment, visa ending 4242"} {
			if !strings.Contains(text, s) {
				t.Errorf("PDF text lacks %q:\n%s", s, text)
			}
		}
		// Served again (from the blob store), the same bytes.
		if again := n.Do(t, http.MethodGet, inv.PDFURL, w.res.Token, nil); !bytes.Equal(again.Body, r.Body) {
			t.Errorf("the PDF changed between downloads")
		}
		// A node without the file (another node's data dir) renders the
		// same bytes from the stored invoice.
		if err := os.RemoveAll(filepath.Join(n.DataDir, "blobs")); err != nil {
			t.Fatal(err)
		}
		if again := n.Do(t, http.MethodGet, inv.PDFURL, w.res.Token, nil); again.Status != http.StatusOK || !bytes.Equal(again.Body, r.Body) {
			t.Errorf("the PDF rendered again from the database differs (%d, %d bytes, first %d)", again.Status, len(again.Body), len(r.Body))
		}

		// Asking for March again returns the worker's invoice.
		again := decodeInvoice(t, mustPost(t, n, "/api/invoices", w.res.Token, map[string]any{"account_id": w.cust.AccountID, "from": "2026-03-01", "to": "2026-03-31"}))
		if again.ID != inv.ID {
			t.Errorf("POST for March gave %s; want the monthly %s", again.ID, inv.ID)
		}
	})
}

func mustRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

func mustGet(t *testing.T, n *servertest.Node, path, token string) []byte {
	t.Helper()
	r := n.Do(t, http.MethodGet, path, token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	return r.Body
}

func mustPost(t *testing.T, n *servertest.Node, path, token string, body any) []byte {
	t.Helper()
	r := n.Do(t, http.MethodPost, path, token, body)
	if r.Status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	return r.Body
}

// TestInvoiceAPIs covers what surrounds the monthly invoice: on-demand
// ranges and their boundaries, tax rates, another tenant's view of the
// invoices, and the carrier and voicemeup dialects.
func TestInvoiceAPIs(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		w := mustInvoiceWorld(t, kind)
		n := w.n
		march := waitInvoices(t, n, w.res.Token, "account_id eq '"+w.cust.AccountID+"'", 1)[0]
		resInv := waitInvoices(t, n, n.AdminToken, "account_id eq '"+w.res.AccountID+"'", 1)[0]
		custID := w.cust.AccountID

		var rng, april invoiceJSON
		t.Run("on demand", func(t *testing.T) {
			body := map[string]any{"account_id": custID, "from": "2026-03-04", "to": "2026-03-05"}
			rng = decodeInvoice(t, mustPost(t, n, "/api/invoices", w.cust.Token, body))
			// Before 4 March: 100 - 10 - 5; then the card (20 - 0.88) and
			// the call of the 5th.
			if rng.Kind != "range" || mustAmount(rng.Opening) != mustAmount("85") || mustAmount(rng.Credits) != mustAmount("19.12") ||
				mustAmount(rng.Charges) != mustAmount("0.12345") || mustAmount(rng.Closing) != mustAmount("103.99655") || rng.Number != "INV-2026-000002" {
				t.Errorf("range invoice %+v", rng)
			}
			if again := decodeInvoice(t, mustPost(t, n, "/api/invoices", w.res.Token, body)); again.ID != rng.ID {
				t.Errorf("the same range again made %s; want %s", again.ID, rng.ID)
			}
			// A day is invoiced on demand once it has been over for the
			// worker's grace, 15 minutes.
			w.clock.set(time.Date(2026, 4, 2, 0, 14, 59, 0, time.UTC))
			expectError(t, "April 1st within the grace", n.Do(t, http.MethodPost, "/api/invoices", w.res.Token,
				map[string]any{"account_id": custID, "from": "2026-04-01", "to": "2026-04-01"}), http.StatusBadRequest, "VALIDATE_FAILED", "to")
			w.clock.set(time.Date(2026, 4, 2, 0, 15, 0, 0, time.UTC))
			// April's first day opens at March's close and holds the debit
			// posted on its first instant.
			april = decodeInvoice(t, mustPost(t, n, "/api/invoices", w.res.Token, map[string]any{"account_id": custID, "from": "2026-04-01", "to": "2026-04-01"}))
			if mustAmount(april.Opening) != mustAmount(march.Closing) || mustAmount(april.Charges) != mustAmount("1") || mustAmount(april.Closing) != w.closing-mustAmount("1") {
				t.Errorf("April: opening %s charges %s closing %s; March closed at %s", april.Opening, april.Charges, april.Closing, march.Closing)
			}
			for _, c := range []struct {
				body  map[string]any
				field string
			}{
				{map[string]any{"account_id": custID, "from": "2026-04-01", "to": "2026-04-02"}, "to"}, // today is not over
				{map[string]any{"account_id": custID, "from": "2026-03-05", "to": "2026-03-04"}, "to"},
				{map[string]any{"account_id": custID, "from": "2024-01-01", "to": "2026-03-04"}, "to"},
				{map[string]any{"account_id": custID, "from": "2026-13-01", "to": "2026-03-04"}, "from"},
				{map[string]any{"account_id": w.other.AccountID, "from": "2026-03-01", "to": "2026-03-04"}, "account_id"},
			} {
				expectError(t, "POST /api/invoices "+shortJSON(c.body), n.Do(t, http.MethodPost, "/api/invoices", w.res.Token, c.body), http.StatusBadRequest, "VALIDATE_FAILED", c.field)
			}
		})

		t.Run("tax rates", func(t *testing.T) {
			r := mustOK(t, n, http.MethodGet, "/api/accounts/"+custID+"/tax_rate", w.cust.Token, nil)
			if r["tax_rate"] != "0.13" || r["inherited"] != false {
				t.Errorf("customer's tax rate %v", r)
			}
			if r := mustOK(t, n, http.MethodGet, "/api/accounts/"+w.res.AccountID+"/tax_rate", w.res.Token, nil); r["tax_rate"] != "0" || r["inherited"] != true {
				t.Errorf("reseller's tax rate %v", r)
			}
			expectError(t, "own tax rate", n.Do(t, http.MethodPost, "/api/accounts/"+custID+"/tax_rate", w.cust.Token, map[string]any{"tax_rate": "0"}), http.StatusForbidden, "FORBIDDEN", "")
			expectError(t, "bad tax rate", n.Do(t, http.MethodPost, "/api/accounts/"+custID+"/tax_rate", w.res.Token, map[string]any{"tax_rate": "1.5"}), http.StatusBadRequest, "VALIDATE_FAILED", "tax_rate")
			expectError(t, "sibling's view", n.Do(t, http.MethodGet, "/api/accounts/"+custID+"/tax_rate", w.other.Token, nil), http.StatusNotFound, "NOT_FOUND", "")
			// An invoice keeps the rate it was made with.
			mustOK(t, n, http.MethodPost, "/api/accounts/"+custID+"/tax_rate", w.res.Token, map[string]any{"tax_rate": "0.2"})
			if again := decodeInvoice(t, mustGet(t, n, "/api/invoices/"+march.ID, w.cust.Token)); again.TaxRate != "0.13" || again.Tax != march.Tax {
				t.Errorf("March after the rate changed: %s %s", again.TaxRate, again.Tax)
			}
		})

		t.Run("tenancy", func(t *testing.T) {
			for _, c := range []struct {
				who   servertest.Tenant
				id    string
				label string
			}{{w.other, march.ID, "sibling on the customer's invoice"}, {w.cust, resInv.ID, "customer on its reseller's invoice"}} {
				for _, suffix := range []string{"", "/pdf"} {
					r := n.Do(t, http.MethodGet, "/api/invoices/"+c.id+suffix, c.who.Token, nil)
					expectError(t, c.label+suffix, r, http.StatusNotFound, "NOT_FOUND", "")
					if absent := n.Do(t, http.MethodGet, "/api/invoices/"+missingID+suffix, c.who.Token, nil); !bytes.Equal(absent.Body, r.Body) {
						t.Errorf("%s%s: %s, an absent id %s", c.label, suffix, r.Body, absent.Body)
					}
				}
			}
			var l struct{ Count int }
			n.Do(t, http.MethodGet, "/api/invoices", w.other.Token, nil).JSON(t, &l)
			if l.Count != 0 {
				t.Errorf("the sibling lists %d invoices", l.Count)
			}
			n.Do(t, http.MethodGet, "/api/invoices", w.res.Token, nil).JSON(t, &l)
			if l.Count != 4 {
				t.Errorf("the reseller lists %d invoices; want its customer's 3 and its own", l.Count)
			}
		})

		t.Run("carrier", func(t *testing.T) {
			creds := url.Values{"token": {w.cust.Token}, "accountno": {w.cust.Number}}
			r := n.Form(t, "/carrier/get_invoices", creds)
			var out struct {
				Status string `json:"status"`
				Data   []struct {
					Date, File, Total string
					InvoiceNo         string `json:"invoice_no"`
				} `json:"data"`
			}
			r.JSON(t, &out)
			if out.Status != "200" || len(out.Data) != 3 || out.Data[0].InvoiceNo != march.Number || out.Data[0].Date != "2026-04-02 00:15:00" {
				t.Fatalf("get_invoices: %s", r.Body)
			}
			file, err := url.Parse(out.Data[0].File)
			if err != nil || file.Host != strings.TrimPrefix(n.URL, "http://") || file.Path != "/carrier/invoice_pdf" {
				t.Fatalf("file URL %q", out.Data[0].File)
			}
			q := file.Query()
			q.Set("token", w.cust.Token)
			got := n.Do(t, http.MethodGet, file.Path+"?"+q.Encode(), "", nil)
			native := n.Do(t, http.MethodGet, march.PDFURL, w.cust.Token, nil)
			if got.Status != http.StatusOK || got.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(got.Body, native.Body) {
				t.Errorf("file download: %d %s, %d bytes; want the invoice's PDF", got.Status, got.Header.Get("Content-Type"), len(got.Body))
			}
			// The URL without the token, or with another account's, is refused.
			if r := n.Do(t, http.MethodGet, file.RequestURI(), "", nil); r.Status == http.StatusOK || bytes.HasPrefix(r.Body, []byte("%PDF")) {
				t.Errorf("the file URL without a token: %d", r.Status)
			}
			q.Set("token", w.other.Token)
			q.Set("accountno", w.other.Number)
			r = n.Do(t, http.MethodGet, file.Path+"?"+q.Encode(), "", nil)
			if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), `"error":"Invalid invoice_id"`) {
				t.Errorf("another account's download: %d %s", r.Status, r.Body)
			}
			// Filters on the invoice date, and bad dates in the dialect's shape.
			out.Data = nil
			n.Form(t, "/carrier/get_invoices", mergeValues(creds, url.Values{"from": {"2026-04-03"}})).JSON(t, &out)
			if len(out.Data) != 0 {
				t.Errorf("from after every invoice: %d", len(out.Data))
			}
			for _, bad := range []url.Values{{"from": {"yesterday"}}, {"to": {"2026-02-30"}}, {"from": {"2026-04-02"}, "to": {"2026-04-01"}}} {
				r := n.Form(t, "/carrier/get_invoices", mergeValues(creds, bad))
				if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), `"error":"Invalid `) {
					t.Errorf("get_invoices %v: %d %s", bad, r.Status, r.Body)
				}
			}
			r = n.Form(t, "/carrier/invoice_pdf", mergeValues(creds, url.Values{"invoice_id": {"abc"}}))
			if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), `"error":"Invalid invoice_id"`) {
				t.Errorf("invoice_pdf abc: %d %s", r.Status, r.Body)
			}
		})

		t.Run("voicemeup", func(t *testing.T) {
			a := vmu(t, n, "json", "get_resellers_invoices", vmuCreds(w.res))
			items := vmuArr(t, vmuObj(t, a.Content, "resellers_invoices"), "reseller_invoice")
			if a.Status != "success" || len(items) != 3 {
				t.Fatalf("get_resellers_invoices: %s", a.Raw)
			}
			first := vmuFlat(items[0].(map[string]any))
			if first["invoice_number"] != march.Number || first["client_account_id"] != w.cust.Number || first["total"] != march.Total ||
				first["closing_balance"] != march.Closing+" CR" || first["reseller_invoice_id"] != fmt.Sprint(rawID(t, march.ID)) || len(first["web_key"]) != 32 {
				t.Errorf("first invoice %v", first)
			}
			one := vmu(t, n, "xml", "get_resellers_invoices", vmuCreds(w.res, "web_key", first["web_key"]))
			if one.Status != "success" || strings.Count(string(one.Raw), "<reseller_invoice ") != 1 {
				t.Errorf("by web_key: %s", one.Raw)
			}
			if one := vmu(t, n, "json", "get_resellers_invoices", vmuCreds(w.res, "reseller_invoice_id", first["reseller_invoice_id"], "date_from", "2026-04-03")); len(vmuArr(t, vmuObj(t, one.Content, "resellers_invoices"), "reseller_invoice")) != 0 {
				t.Errorf("by id, issued later: %s", one.Raw)
			}
			// The customer has no customers: its own invoices are not "a reseller's".
			if own := vmu(t, n, "json", "get_resellers_invoices", vmuCreds(w.cust)); len(vmuArr(t, vmuObj(t, own.Content, "resellers_invoices"), "reseller_invoice")) != 0 {
				t.Errorf("the customer's answer: %s", own.Raw)
			}

			tx := vmu(t, n, "json", "get_resellers_transactions", vmuCreds(w.res, "date_from", "2026-03-01", "date_to", "2026-03-31"))
			list := vmuArr(t, vmuObj(t, tx.Content, "resellers_transactions"), "reseller_transaction")
			if len(list) != w.marchEntries {
				t.Fatalf("March transactions: %d, want %d: %s", len(list), w.marchEntries, tx.Raw)
			}
			for _, it := range list {
				if f := vmuFlat(it.(map[string]any)); f["client_account_id"] != w.cust.Number {
					t.Errorf("transaction of %s: %v", f["client_account_id"], f)
				}
			}
			for _, bad := range []url.Values{
				vmuCreds(w.res, "date_from", "someday"),
				vmuCreds(w.res, "date_from", "2026-03-02", "date_to", "2026-03-01"),
				vmuCreds(w.res, "reseller_transaction_id", "x"),
				vmuCreds(w.res, "client_subaccount_id", "1"),
			} {
				if a := vmu(t, n, "xml", "get_resellers_transactions", bad); a.Status != "error" || len(a.Codes) != 1 {
					t.Errorf("get_resellers_transactions %v: %s", bad, a.Raw)
				}
			}
			if a := vmu(t, n, "json", "get_resellers_invoices", vmuCreds(w.res, "web_key", "nope")); a.Status != "error" {
				t.Errorf("bad web_key: %s", a.Raw)
			}
		})
	})
}

// TestInvoiceWorkerTwoNodes runs two nodes on one PostgreSQL database, both
// with the monthly worker on: each account with March activity gets exactly
// one March invoice, numbered without gaps.
func TestInvoiceWorkerTwoNodes(t *testing.T) {
	if !slices.Contains(servertest.Kinds(), "postgres") {
		t.Skip(servertest.PostgresEnv + " is not set")
	}
	clock := &testClock{t: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)}
	dbURL := servertest.DBURL(t, "postgres")
	a := servertest.Start(t, "postgres", servertest.Options{DBURL: dbURL, Now: clock.now, InvoiceEvery: 5 * time.Millisecond})
	b := servertest.Start(t, "postgres", servertest.Options{DBURL: dbURL, Now: clock.now, InvoiceEvery: 5 * time.Millisecond})
	res := a.MustTenant(t, a.AdminToken, "", "Shared Reseller", "reseller")
	book := newMonthBook(t, a)
	for i := range 8 {
		c := a.MustTenant(t, res.Token, "", fmt.Sprintf("Shared Customer %d", i), "customer")
		book.chain(day(3, 1+i), ledger.Posting{AccountID: rawID(t, c.AccountID), Activity: ledger.ManualCredit, Credit: mustAmount("1")})
	}
	clock.set(time.Date(2026, 4, 1, 0, 30, 0, 0, time.UTC))
	list := waitInvoices(t, b, res.Token, "issuer_id eq '"+res.AccountID+"'", 8)
	time.Sleep(100 * time.Millisecond) // both workers have had many more turns
	seen := map[string]bool{}
	numbers := map[string]bool{}
	for _, inv := range waitInvoices(t, a, res.Token, "issuer_id eq '"+res.AccountID+"'", 8) {
		if seen[inv.AccountID] || numbers[inv.Number] {
			t.Errorf("account %s or number %s twice", inv.AccountID, inv.Number)
		}
		seen[inv.AccountID], numbers[inv.Number] = true, true
	}
	for i := 1; i <= len(list); i++ {
		if n := fmt.Sprintf("INV-2026-%06d", i); !numbers[n] {
			t.Errorf("number %s missing from %v", n, numbers)
		}
	}
}

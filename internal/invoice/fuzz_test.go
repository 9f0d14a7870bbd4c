package invoice_test

import (
	"testing"

	"switchboard/internal/invoice"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
)

func FuzzParseTaxRate(f *testing.F) {
	for _, s := range []string{"0", "0.13", "1", "0.000001", "1.0000001", "-0", "9", "0.5e1", " 0.1", "0.1\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := invoice.ParseTaxRate(s)
		if err != nil {
			return
		}
		if r < 0 || r > invoice.MaxTaxRate {
			t.Fatalf("ParseTaxRate(%q) = %d, out of range", s, r)
		}
		back, err := invoice.ParseTaxRate(r.String())
		if err != nil || back != r {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, r, r.String(), back, err)
		}
	})
}

// FuzzComputeReconciles builds periods of arbitrary entries: whatever the
// activities, signs and call breakdown, each non-call entry is one line,
// the sections add up to the totals and the closing balance is the
// opening plus every entry.
func FuzzComputeReconciles(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, int64(1000), int64(130000))
	f.Add([]byte{0, 255, 13, 200, 7}, int64(-5), int64(0))
	acts := ledger.Activities()
	f.Fuzz(func(t *testing.T, raw []byte, opening int64, rate int64) {
		if opening > 1e15 || opening < -1e15 || rate < 0 || rate > int64(invoice.MaxTaxRate) {
			return
		}
		p := invoice.Period{Opening: money.Amount(opening)}
		want := money.Amount(opening)
		for i := 0; i+1 < len(raw); i += 2 {
			a := acts[int(raw[i])%len(acts)]
			amt := money.Amount(int64(raw[i+1])*1237 + 1)
			e := ledger.Entry{ID: int64(i + 1), Activity: a}
			if raw[i]&0x80 != 0 {
				e.Credit, want = amt, want+amt
			} else {
				e.Debit, want = amt, want-amt
			}
			if a == ledger.CallCharges {
				p.Calls.Entries++
				p.Calls.Debit += e.Debit
				p.Calls.Credit += e.Credit
				// The breakdown covers some of the calls' money, or more.
				p.Groups = append(p.Groups, invoice.CallGroup{RateType: "T", Prefix: string(rune('0' + i%10)), Calls: 1, Seconds: 60, Cost: amt / 2})
				continue
			}
			p.Entries = append(p.Entries, e)
		}
		secs, tot, err := invoice.Compute(p, invoice.TaxRate(rate))
		if err != nil {
			t.Fatal(err)
		}
		if tot.Closing != want {
			t.Fatalf("closing %s; want %s", tot.Closing, want)
		}
		lines, entryLines := money.Amount(0), 0
		var charges, credits money.Amount
		for _, s := range secs {
			var sum money.Amount
			for _, l := range s.Lines {
				sum += l.Amount
				if l.EntryID != 0 {
					entryLines++
				}
			}
			if sum != s.Total {
				t.Fatalf("section %s lines %s, total %s", s.Key, sum, s.Total)
			}
			if s.Key == invoice.SecPayments {
				credits += s.Total
			} else {
				charges += s.Total
			}
			lines += sum
		}
		if entryLines != len(p.Entries) || charges != tot.Charges || credits != tot.Credits {
			t.Fatalf("%d entry lines for %d entries; charges %s/%s credits %s/%s", entryLines, len(p.Entries), charges, tot.Charges, credits, tot.Credits)
		}
		if tot.Total != tot.Charges+tot.Tax {
			t.Fatalf("total %s != %s + %s", tot.Total, tot.Charges, tot.Tax)
		}
	})
}

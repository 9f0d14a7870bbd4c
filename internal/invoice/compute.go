package invoice

import (
	"fmt"
	"strings"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
)

// Totals are the figures of a computed invoice.
type Totals struct {
	Opening, Charges, Credits, Tax, Total, Closing money.Amount
}

// Compute builds the sections of a period and its totals. Every entry of
// the period lands in exactly one line: the "Call Charges" entries as the
// call summary (a line "Other call charges" holds whatever their sum and
// the rated calls' breakdown do not share), every other entry as a line of
// its own.
func Compute(p Period, rate TaxRate) ([]Section, Totals, error) {
	secs := map[string]*Section{}
	for _, k := range sectionOrder {
		secs[k] = &Section{Key: k, Title: sectionTitles[k], Lines: []Line{}}
	}
	var err error
	add := func(a, b money.Amount) money.Amount {
		s, e := a.Add(b)
		if e != nil && err == nil {
			err = fmt.Errorf("invoice: %w", e)
		}
		return s
	}
	sub := func(a, b money.Amount) money.Amount {
		s, e := a.Sub(b)
		if e != nil && err == nil {
			err = fmt.Errorf("invoice: %w", e)
		}
		return s
	}

	calls := secs[SecCalls]
	var itemised money.Amount
	for _, g := range p.Groups {
		desc := strings.TrimSpace(strings.Join(nonEmpty(g.RateType, g.Prefix, g.Description), " "))
		if desc == "" {
			desc = "Calls"
		}
		calls.Lines = append(calls.Lines, Line{Description: desc, Calls: g.Calls, Seconds: g.Seconds, PackSeconds: g.PackSeconds, Amount: g.Cost})
		itemised = add(itemised, g.Cost)
	}
	callNet := sub(p.Calls.Debit, p.Calls.Credit)
	if rest := sub(callNet, itemised); rest != 0 {
		calls.Lines = append(calls.Lines, Line{Description: "Other call charges", Amount: rest})
	}

	for _, e := range p.Entries {
		key := SectionOf(e.Activity, e.Debit > 0)
		amount := sub(e.Debit, e.Credit)
		if key == SecPayments {
			amount = sub(e.Credit, e.Debit)
		}
		desc := describe(key, e.Activity, e.Description)
		secs[key].Lines = append(secs[key].Lines, Line{Date: e.CreatedAt, Description: desc, Amount: amount, EntryID: e.ID})
	}

	t := Totals{Opening: p.Opening}
	out := make([]Section, 0, len(sectionOrder))
	for _, k := range sectionOrder {
		s := secs[k]
		for _, l := range s.Lines {
			s.Total = add(s.Total, l.Amount)
		}
		if k == SecPayments {
			t.Credits = s.Total
		} else {
			t.Charges = add(t.Charges, s.Total)
		}
		out = append(out, *s)
	}
	// The call section's total is the call entries' net by construction.
	if secs[SecCalls].Total != callNet && err == nil {
		err = fmt.Errorf("invoice: call lines sum to %s, entries to %s", secs[SecCalls].Total, callNet)
	}
	t.Closing = sub(add(t.Opening, t.Credits), t.Charges)
	tax, terr := rate.Tax(t.Charges)
	if terr != nil && err == nil {
		err = fmt.Errorf("invoice tax: %w", terr)
	}
	t.Tax = tax
	t.Total = add(t.Charges, t.Tax)
	if err != nil {
		return nil, Totals{}, err
	}
	return out, t, nil
}

// labels name Switchboard's own activities on an invoice; the carrier
// activities are already written for people.
var labels = map[ledger.Activity]string{
	ledger.Subscription: "Subscription", ledger.CallPack: "Call pack", ledger.NumberRental: "Number rental",
	ledger.CommandCharge: "Command", ledger.ManualCredit: "Credit", ledger.ManualDebit: "Debit",
}

// mixed are the sections whose lines come from several activities: their
// lines say which.
var mixed = map[string]bool{SecNumbers: true, SecOther: true, SecPayments: true}

// describe is the text of an entry's line in section key.
func describe(key string, a ledger.Activity, description string) string {
	label := labels[a]
	if label == "" {
		label = string(a)
	}
	desc := strings.TrimSpace(description)
	switch {
	case desc == "":
		return label
	case mixed[key] && !strings.Contains(strings.ToLower(desc), strings.ToLower(label)):
		return label + ": " + desc
	}
	return desc
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

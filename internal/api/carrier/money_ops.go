package carrier

import (
	"context"
	"strings"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// RegisterMoneyOps adds the billing endpoints built so far:
// financial_summary.
func RegisterMoneyOps(d *Dialect, l *ledger.Service) {
	d.Handle("financial_summary", func(ctx context.Context, r *Request) (any, error) {
		f := ledger.HistoryFilter{}
		if t := strings.TrimSpace(r.OptionalString("activitytype", "")); t != "" && !strings.EqualFold(t, "All Activity") {
			a := ledger.Activity(t)
			if !a.Valid() {
				return nil, problem.Field("activitytype", "is not an activity")
			}
			f.Activity = a
		}
		entries, err := l.History(ctx, r.Principal.AccountID, f)
		if err != nil {
			return nil, err
		}
		data := make([]Fields, len(entries))
		for i, e := range entries {
			data[i] = Field("accountno", r.Principal.AccountNumber).
				Add("date", e.CreatedAt.UTC().Format("2006-01-02 15:04:05")).
				Add("activity", string(e.Activity)).
				Add("debit", Amount(e.Debit)).
				Add("credit", Amount(e.Credit)).
				Add("balance", Amount(e.BalanceAfter))
		}
		return Field("data", data), nil
	})
}

// Amount renders money as the carrier documents it ("2.00"): two decimals
// when that is exact, every significant decimal (up to five) otherwise, so
// no fraction of a cent is hidden.
func Amount(a money.Amount) string {
	s := a.String()
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 3 {
		s = s[:len(s)-1]
	}
	return s
}

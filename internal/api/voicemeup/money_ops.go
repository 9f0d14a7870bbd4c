package voicemeup

import (
	"context"
	"strings"

	"switchboard/internal/account"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
)

// RegisterMoneyOps adds get_funding_details and get_billing_activity.
func RegisterMoneyOps(d *Dialect, accounts *account.Service, l *ledger.Service) {
	o := &moneyOps{accounts: accounts, ledger: l}
	d.Handle("get_funding_details", o.fundingDetails)
	d.Handle("get_billing_activity", o.billingActivity)
}

type moneyOps struct {
	accounts *account.Service
	ledger   *ledger.Service
}

// creditNotation writes an amount the way the document describes: a
// positive balance (money the client has) followed by "CR", a debt without.
func creditNotation(a money.Amount) string {
	if a.IsNegative() {
		n, err := a.Neg()
		if err != nil {
			return a.String()
		}
		return n.String()
	}
	return a.String() + " CR"
}

func (o *moneyOps) fundingDetails(ctx context.Context, r *Request) (*Result, error) {
	acc, err := o.accounts.GetAccount(ctx, r.Principal, r.Principal.AccountID)
	if err != nil {
		return nil, err
	}
	bal, err := o.ledger.Balance(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	left := ledger.Available(ledger.AccountState{BillingMode: acc.BillingMode, CreditLimit: acc.CreditLimit, Balance: bal})
	n := Elem("funding").
		Set("account_balance", creditNotation(bal)).
		Set("funds_left", creditNotation(left)).
		Set("credit_limit", acc.CreditLimit.String()).
		Set("billing_mode", string(acc.BillingMode)).
		Set("currency", acc.Currency).
		Set("account_status", string(acc.Status))
	return OK(n), nil
}

func (o *moneyOps) billingActivity(ctx context.Context, r *Request) (*Result, error) {
	from, _, err := r.Date("date_from")
	if err != nil {
		return nil, err
	}
	to, hasTo, err := r.Date("date_to")
	if err != nil {
		return nil, err
	}
	f := ledger.HistoryFilter{From: from}
	if hasTo {
		f.To = to.AddDate(0, 0, 1) // date_to is a whole day
	}
	entries, err := o.ledger.History(ctx, r.Principal.AccountID, f)
	if err != nil {
		return nil, err
	}
	list := List("billing_activities", "billing_activity")
	for _, e := range entries {
		list.Add(entryLeaves(Elem("billing_activity").Attr("transaction_id", itoa(e.ID)).
			Set("date", e.CreatedAt.UTC().Format("2006-01-02 15:04:05")), e))
	}
	return OK(list), nil
}

// entryLeaves appends what every rendering of a ledger entry shows after
// its date: activity, debit or credit, amount, balance, description and
// reference.
func entryLeaves(n *Node, e ledger.Entry) *Node {
	amount, kind := e.Credit, "credit"
	if e.Debit > 0 {
		amount, kind = e.Debit, "debit"
	}
	return n.Set("activity", string(e.Activity)).
		Set("type", kind).
		Set("amount", amount.String()).
		Set("balance", creditNotation(e.BalanceAfter)).
		Set("description", strings.TrimSpace(e.Description)).
		Set("reference", e.Reference)
}

package voicemeup

import (
	"context"
	"strings"

	"switchboard/internal/account"
	"switchboard/internal/invoice"
	"switchboard/internal/problem"
)

// RegisterResellerOps adds get_resellers_transactions and
// get_resellers_invoices: the ledger entries and invoices of the accounts
// below the caller's own (a reseller's customers), oldest first. Dates are
// matched on date_applied, the day an entry was posted or an invoice
// issued.
func RegisterResellerOps(d *Dialect, accounts *account.Service, inv *invoice.Service) {
	o := &resellerOps{accounts: accounts, invoices: inv}
	d.Handle("get_resellers_transactions", o.transactions)
	d.Handle("get_resellers_invoices", o.invoiceList)
}

type resellerOps struct {
	accounts *account.Service
	invoices *invoice.Service
}

// filter reads the parameters both request types share.
func (o *resellerOps) filter(ctx context.Context, r *Request, idParam string) (invoice.CustomerFilter, error) {
	var f invoice.CustomerFilter
	if r.Has(idParam) {
		id, err := r.Int(idParam)
		if err != nil {
			return f, err
		}
		if id <= 0 {
			return f, problem.Field(idParam, "is not valid")
		}
		f.ID = id
	}
	if r.Has("client_subaccount_id") {
		sid, err := r.Int("client_subaccount_id")
		if err != nil {
			return f, err
		}
		sub, err := o.accounts.GetSubaccount(ctx, r.Principal, sid)
		if err != nil {
			return f, notFoundAs(err, "client_subaccount_id")
		}
		f.AccountID = sub.AccountID
	}
	var err error
	if f.From, _, err = r.Date("date_from"); err != nil {
		return f, err
	}
	if f.To, _, err = r.Date("date_to"); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, problem.Field("date_to", "is before date_from")
	}
	return f, nil
}

// numbers renders account ids as the account numbers clients know
// (client_account_id), reading each account once.
type numbers struct {
	o     *resellerOps
	r     *Request
	cache map[int64]string
}

func (n *numbers) of(ctx context.Context, id int64) string {
	if s, ok := n.cache[id]; ok {
		return s
	}
	s := ""
	if a, err := n.o.accounts.GetAccount(ctx, n.r.Principal, id); err == nil {
		s = a.Number
	}
	n.cache[id] = s
	return s
}

func (o *resellerOps) transactions(ctx context.Context, r *Request) (*Result, error) {
	f, err := o.filter(ctx, r, "reseller_transaction_id")
	if err != nil {
		return nil, err
	}
	entries, err := o.invoices.CustomerTransactions(ctx, r.Principal, f)
	if err != nil {
		return nil, err
	}
	nums := &numbers{o: o, r: r, cache: map[int64]string{}}
	list := List("resellers_transactions", "reseller_transaction")
	for _, e := range entries {
		list.Add(entryLeaves(Elem("reseller_transaction").Attr("reseller_transaction_id", itoa(e.ID)).
			Set("client_account_id", nums.of(ctx, e.AccountID)).
			Set("date_applied", e.CreatedAt.UTC().Format("2006-01-02 15:04:05")), e))
	}
	return OK(list), nil
}

func (o *resellerOps) invoiceList(ctx context.Context, r *Request) (*Result, error) {
	f, err := o.filter(ctx, r, "reseller_invoice_id")
	if err != nil {
		return nil, err
	}
	if r.Has("web_key") {
		k := r.OptionalString("web_key", "")
		if len(k) != 32 || strings.Trim(k, "0123456789abcdef") != "" {
			return nil, problem.Field("web_key", "is not valid")
		}
		f.WebKey = k
	}
	invs, err := o.invoices.CustomerInvoices(ctx, r.Principal, f)
	if err != nil {
		return nil, err
	}
	list := List("resellers_invoices", "reseller_invoice")
	for _, v := range invs {
		list.Add(Elem("reseller_invoice").Attr("reseller_invoice_id", itoa(v.ID)).
			Set("web_key", v.WebKey).
			Set("invoice_number", v.Number).
			Set("client_account_id", v.Content.Customer.Number).
			Set("client_name", v.Content.Customer.Name).
			Set("date_applied", v.CreatedAt.UTC().Format("2006-01-02 15:04:05")).
			Set("period_start", v.PeriodStart.UTC().Format("2006-01-02")).
			Set("period_end", v.PeriodEnd.UTC().AddDate(0, 0, -1).Format("2006-01-02")).
			Set("currency", v.Currency).
			Set("opening_balance", creditNotation(v.Opening)).
			Set("charges", v.Charges.String()).
			Set("credits", v.Credits.String()).
			Set("tax_rate", v.TaxRate.String()).
			Set("tax", v.Tax.String()).
			Set("total", v.Total.String()).
			Set("closing_balance", creditNotation(v.Closing)))
	}
	return OK(list), nil
}

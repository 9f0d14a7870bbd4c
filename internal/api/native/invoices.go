package native

import (
	"context"
	"net/http"
	"time"

	"switchboard/internal/id"
	"switchboard/internal/invoice"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// InvoiceView is one invoice. Sections are shown by the item route only.
type InvoiceView struct {
	ID          ID               `json:"id"`
	AccountID   ID               `json:"account_id"`
	IssuerID    ID               `json:"issuer_id" doc:"The account that issues the invoice: the invoiced account's parent"`
	Number      string           `json:"number" doc:"Sequential per issuer and year, e.g. INV-2026-000123"`
	Kind        string           `json:"kind" enum:"monthly,range" doc:"monthly: a calendar month, made after it closes; range: days asked for on demand"`
	PeriodStart Time             `json:"period_start" doc:"First instant of the period"`
	PeriodEnd   Time             `json:"period_end" doc:"First instant after the period"`
	Currency    string           `json:"currency"`
	Opening     money.Amount     `json:"opening_balance"`
	Charges     money.Amount     `json:"charges" doc:"Net charges of the period, before tax"`
	Credits     money.Amount     `json:"credits" doc:"Net payments and credits of the period"`
	TaxRate     string           `json:"tax_rate" doc:"The tax rate applied, a decimal fraction"`
	Tax         money.Amount     `json:"tax" doc:"charges x tax_rate, rounded once half away from zero"`
	Total       money.Amount     `json:"total" doc:"charges + tax"`
	Closing     money.Amount     `json:"closing_balance" doc:"opening_balance + credits - charges: the ledger balance at the end of the period"`
	Status      string           `json:"status" enum:"issued"`
	PDFURL      string           `json:"pdf_url" doc:"Where to download the PDF (with your bearer token)"`
	Issuer      *PartyView       `json:"issuer,omitempty"`
	Customer    *PartyView       `json:"customer,omitempty"`
	Sections    []invoiceSection `json:"sections,omitempty"`
	CreatedAt   Time             `json:"created_at"`
}

// PartyView is an account as an invoice names it.
type PartyView struct {
	ID     ID     `json:"id"`
	Number string `json:"number"`
	Name   string `json:"name"`
}

type invoiceSection struct {
	Key   string        `json:"key" enum:"calls,subscriptions,call_packs,numbers,commands,other,payments"`
	Title string        `json:"title"`
	Lines []invoiceLine `json:"lines"`
	Total money.Amount  `json:"total" doc:"In charge sections what was charged; in payments what came in"`
}

type invoiceLine struct {
	Date          Time         `json:"date" doc:"When the entry was posted; null for a call summary"`
	Description   string       `json:"description"`
	Calls         int64        `json:"calls"`
	Seconds       int64        `json:"billed_seconds"`
	PackSeconds   int64        `json:"pack_seconds" doc:"Billed seconds covered by call packs"`
	Amount        money.Amount `json:"amount"`
	TransactionID ID           `json:"transaction_id" doc:"The ledger entry of the line; null for a call summary"`
}

func invoiceView(inv invoice.Invoice) InvoiceView {
	return InvoiceView{ID: ID(inv.ID), AccountID: ID(inv.AccountID), IssuerID: ID(inv.IssuerID), Number: inv.Number, Kind: inv.Kind,
		PeriodStart: Time(inv.PeriodStart), PeriodEnd: Time(inv.PeriodEnd), Currency: inv.Currency, Opening: inv.Opening,
		Charges: inv.Charges, Credits: inv.Credits, TaxRate: inv.TaxRate.String(), Tax: inv.Tax, Total: inv.Total,
		Closing: inv.Closing, Status: inv.Status, PDFURL: "/api/invoices/" + id.EncodeNative(inv.ID) + "/pdf",
		CreatedAt: Time(inv.CreatedAt)}
}

func invoiceDetail(inv invoice.Invoice) InvoiceView {
	v := invoiceView(inv)
	c := inv.Content
	v.Issuer = &PartyView{ID: ID(c.Issuer.ID), Number: c.Issuer.Number, Name: c.Issuer.Name}
	v.Customer = &PartyView{ID: ID(c.Customer.ID), Number: c.Customer.Number, Name: c.Customer.Name}
	v.Sections = make([]invoiceSection, len(c.Sections))
	for i, s := range c.Sections {
		out := invoiceSection{Key: s.Key, Title: s.Title, Total: s.Total, Lines: make([]invoiceLine, len(s.Lines))}
		for j, l := range s.Lines {
			out.Lines[j] = invoiceLine{Date: Time(l.Date), Description: l.Description, Calls: l.Calls, Seconds: l.Seconds,
				PackSeconds: l.PackSeconds, Amount: l.Amount, TransactionID: ID(l.EntryID)}
		}
		v.Sections[i] = out
	}
	return v
}

// InvoiceFields asks for an invoice of closed days.
type InvoiceFields struct {
	AccountID string `json:"account_id" maxLength:"64" doc:"Your account or one below it"`
	From      string `json:"from" minLength:"10" maxLength:"10" doc:"First day, YYYY-MM-DD (UTC)"`
	To        string `json:"to" minLength:"10" maxLength:"10" doc:"Last day, YYYY-MM-DD (UTC), before today. A whole calendar month gives that month's monthly invoice"`
}

// TaxRateView is an account's tax rate.
type TaxRateView struct {
	TaxRate   string `json:"tax_rate" doc:"A decimal fraction: 0.13 is 13 %"`
	Inherited bool   `json:"inherited" doc:"True when the rate is an ancestor's (or the default 0), not set on the account itself"`
}

// TaxRateFields sets an account's tax rate.
type TaxRateFields struct {
	TaxRate *string `json:"tax_rate,omitempty" minLength:"1" maxLength:"8" doc:"Required. A decimal fraction between 0 and 1 with at most 6 decimals; it applies to the account and to the accounts below it that have none of their own"`
}

type pdfBody struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (a *API) registerInvoices() {
	const tag = "Money"
	register(a, op{id: "list-invoices", method: http.MethodGet, path: "/api/invoices", summary: "List invoices of your tree, newest first", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[InvoiceView] }, error) {
			items, n, err := a.cfg.Invoices.List(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, invoiceView), nil
		})
	register(a, op{id: "create-invoice", method: http.MethodPost, path: "/api/invoices", summary: "Invoice an account for a range of closed days (or return the invoice already made for it)", tag: tag},
		func(ctx context.Context, in *struct{ Body InvoiceFields }) (*struct{ Body InvoiceView }, error) {
			inv, err := a.createInvoice(ctx, &in.Body)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body InvoiceView }{Body: invoiceDetail(inv)}, nil
		})
	register(a, op{id: "get-invoice", method: http.MethodGet, path: "/api/invoices/{id}", summary: "An invoice with its sections", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body InvoiceView }, error) {
			n, err := decodeID(in.ID, "invoice")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			inv, err := a.cfg.Invoices.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body InvoiceView }{Body: invoiceDetail(inv)}, nil
		})
	register(a, op{id: "get-invoice-pdf", method: http.MethodGet, path: "/api/invoices/{id}/pdf", summary: "An invoice as a PDF document", tag: tag, binary: "application/pdf"},
		func(ctx context.Context, in *IDPath) (*pdfBody, error) {
			n, err := decodeID(in.ID, "invoice")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			inv, b, err := a.cfg.Invoices.PDF(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &pdfBody{ContentType: "application/pdf", ContentDisposition: `attachment; filename="` + inv.Number + `.pdf"`, Body: b}, nil
		})
	register(a, op{id: "get-account-tax-rate", method: http.MethodGet, path: "/api/accounts/{id}/tax_rate", summary: "The tax rate invoices of an account apply", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body TaxRateView }, error) {
			n, err := decodeID(in.ID, "account")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			r, inherited, err := a.cfg.Invoices.TaxRate(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body TaxRateView }{Body: TaxRateView{TaxRate: r.String(), Inherited: inherited}}, nil
		})
	register(a, op{id: "set-account-tax-rate", method: http.MethodPost, path: "/api/accounts/{id}/tax_rate", summary: "Set the tax rate of an account below yours", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body TaxRateFields
		}) (*struct{ Body TaxRateView }, error) {
			n, err := decodeID(in.ID, "account")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if _, err := a.cfg.Accounts.GetAccount(ctx, who(ctx), n); err != nil {
				return nil, a.fail(ctx, err)
			}
			if in.Body.TaxRate == nil {
				return nil, a.fail(ctx, problem.Field("tax_rate", "is required"))
			}
			r, err := invoice.ParseTaxRate(*in.Body.TaxRate)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if err := a.cfg.Invoices.SetTaxRate(ctx, who(ctx), n, r); err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body TaxRateView }{Body: TaxRateView{TaxRate: r.String()}}, nil
		})
}

func (a *API) createInvoice(ctx context.Context, f *InvoiceFields) (invoice.Invoice, error) {
	accID, err := decodeRef("account_id", &f.AccountID)
	if err != nil {
		return invoice.Invoice{}, err
	}
	from, err := parseDay("from", f.From)
	if err != nil {
		return invoice.Invoice{}, err
	}
	to, err := parseDay("to", f.To)
	if err != nil {
		return invoice.Invoice{}, err
	}
	return a.cfg.Invoices.Create(ctx, who(ctx), invoice.CreateRequest{AccountID: *accID, From: from, To: to})
}

func parseDay(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 2000 {
		return time.Time{}, problem.Field(field, "must be a date YYYY-MM-DD")
	}
	return t, nil
}

package carrier

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"switchboard/internal/invoice"
	"switchboard/internal/problem"
)

// RegisterInvoiceOps adds get_invoices and the download its file URLs
// point at, invoice_pdf.
//
// A file URL is <scheme>://<host>/carrier/invoice_pdf?accountno=<no>&invoice_id=<id>:
// it names no secret, and the client fetches it with its token added, as
// it makes every other call (GET or POST). Another account's credential
// gets the answer of an invoice that does not exist.
func RegisterInvoiceOps(d *Dialect, inv *invoice.Service) {
	d.Handle("get_invoices", func(ctx context.Context, r *Request) (any, error) {
		from, _, err := r.Date("from")
		if err != nil {
			return nil, err
		}
		to, hasTo, err := r.Date("to")
		if err != nil {
			return nil, err
		}
		if hasTo && !from.IsZero() && to.Before(from) {
			return nil, problem.Field("to", "is before from")
		}
		list, err := inv.OwnInvoices(ctx, r.Principal, from, to)
		if err != nil {
			return nil, err
		}
		base := baseURL(r)
		data := make([]Fields, len(list))
		for i, v := range list {
			file := base + "/carrier/invoice_pdf?" + url.Values{"accountno": {r.Principal.AccountNumber},
				"invoice_id": {strconv.FormatInt(v.ID, 10)}}.Encode()
			data[i] = Field("date", v.CreatedAt.UTC().Format("2006-01-02 15:04:05")).
				Add("file", file).
				Add("invoice_no", v.Number).
				Add("period_from", v.PeriodStart.UTC().Format("2006-01-02")).
				Add("period_to", v.PeriodEnd.UTC().AddDate(0, 0, -1).Format("2006-01-02")).
				Add("currency", v.Currency).
				Add("total", Amount(v.Total)).
				Add("balance", Amount(v.Closing))
		}
		return Field("data", data), nil
	})
	d.Handle("invoice_pdf", func(ctx context.Context, r *Request) (any, error) {
		id, err := r.Int("invoice_id")
		if err != nil || id <= 0 {
			return nil, problem.Field("invoice_id", "is not an invoice")
		}
		v, b, err := inv.PDF(ctx, r.Principal, id)
		if problem.Is(err, problem.NotFound) {
			return nil, problem.Field("invoice_id", "is not an invoice")
		}
		if err != nil {
			return nil, err
		}
		return &File{Name: v.Number + ".pdf", ContentType: "application/pdf", Body: b}, nil
	})
}

// baseURL is the scheme and host the client called, for links back.
func baseURL(r *Request) string {
	scheme := "http"
	if r.HTTP.TLS != nil || strings.EqualFold(r.HTTP.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.HTTP.Host
}

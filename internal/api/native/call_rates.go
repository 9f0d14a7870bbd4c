package native

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"switchboard/internal/deckcsv"
	"switchboard/internal/id"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/rating"
	"switchboard/internal/tariff"
)

// CallRateView is a call rate exactly as the native API documents it.
type CallRateView struct {
	ID                ID           `json:"id"`
	TariffID          ID           `json:"tariff_id"`
	Prefix            string       `json:"prefix"`
	Type              string       `json:"type" enum:"LOCAL,NATIONAL,INTERNATIONAL,MOBILE"`
	FreeSeconds       int32        `json:"free_seconds"`
	GracePeriod       int32        `json:"grace_period"`
	Interval1         int32        `json:"interval_1"`
	IntervalN         int32        `json:"interval_n"`
	ConnectFee        money.Amount `json:"connect_fee"`
	PostcallSurcharge money.Amount `json:"postcall_surcharge" doc:"A fraction: 0.1 is 10 %"`
	Price1            money.Amount `json:"price_1" doc:"Per minute"`
	PriceN            money.Amount `json:"price_n" doc:"Per minute"`
	Description       string       `json:"description"`
}

func callRateView(c tariff.CallRate) CallRateView {
	return CallRateView{ID: ID(c.ID), TariffID: ID(c.TariffID), Prefix: c.Prefix, Type: string(c.Type),
		FreeSeconds: c.FreeSeconds, GracePeriod: c.GracePeriod, Interval1: c.Interval1, IntervalN: c.IntervalN,
		ConnectFee: c.ConnectFee, PostcallSurcharge: c.PostcallSurcharge, Price1: c.Price1, PriceN: c.PriceN,
		Description: c.Description}
}

// CallRateFields are the writable fields of a call rate; on create all but
// description are required.
type CallRateFields struct {
	Prefix            *string      `json:"prefix,omitempty" minLength:"1" maxLength:"64" pattern:"^[0-9]+$" doc:"The call prefix (digits)"`
	Type              *string      `json:"type,omitempty" enum:"LOCAL,NATIONAL,INTERNATIONAL,MOBILE" doc:"Default LOCAL"`
	FreeSeconds       *int32       `json:"free_seconds,omitempty" minimum:"0"`
	GracePeriod       *int32       `json:"grace_period,omitempty" minimum:"0"`
	Interval1         *int32       `json:"interval_1,omitempty" minimum:"1"`
	IntervalN         *int32       `json:"interval_n,omitempty" minimum:"1"`
	ConnectFee        *AmountInput `json:"connect_fee,omitempty" doc:"At most five decimals, >= 0"`
	PostcallSurcharge *AmountInput `json:"postcall_surcharge,omitempty" doc:"A fraction, at most five decimals, >= 0"`
	Price1            *AmountInput `json:"price_1,omitempty" doc:"Per minute; at most five decimals, >= 0"`
	PriceN            *AmountInput `json:"price_n,omitempty" doc:"Per minute; at most five decimals, >= 0"`
	Description       *string      `json:"description,omitempty" maxLength:"1024"`
}

func (f *CallRateFields) patch() (tariff.RatePatch, error) {
	p := tariff.RatePatch{Prefix: f.Prefix, FreeSeconds: f.FreeSeconds, GracePeriod: f.GracePeriod, Interval1: f.Interval1,
		IntervalN: f.IntervalN, Description: f.Description}
	for _, m := range []struct {
		field string
		in    *AmountInput
		out   **money.Amount
	}{
		{"connect_fee", f.ConnectFee, &p.ConnectFee}, {"postcall_surcharge", f.PostcallSurcharge, &p.PostcallSurcharge},
		{"price_1", f.Price1, &p.Price1}, {"price_n", f.PriceN, &p.PriceN},
	} {
		v, err := m.in.amount(m.field)
		if err != nil {
			return tariff.RatePatch{}, err
		}
		*m.out = v
	}
	if f.Type != nil {
		t := rating.RateType(*f.Type)
		p.Type = &t
	}
	return p, nil
}

// TariffParam selects the tariff of a call-rate operation.
type TariffParam struct {
	TariffID string `query:"tariff_id" maxLength:"64" doc:"The tariff; default: the tariff your account is sold at"`
}

func (t TariffParam) id() (int64, error) {
	if t.TariffID == "" {
		return 0, nil
	}
	n, err := decodeRef("tariff_id", &t.TariffID)
	if err != nil {
		return 0, err
	}
	return *n, nil
}

type callRateBody struct{ Body CallRateView }

func (a *API) registerCallRates() {
	const tag = "Call rates"
	register(a, op{id: "list-call-rates", method: http.MethodGet, path: "/api/call_rates", summary: "List call rates", tag: tag},
		func(ctx context.Context, in *struct {
			ListInput
			TariffParam
		}) (*struct{ Body ListBody[CallRateView] }, error) {
			tid, err := in.id()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			items, n, err := a.cfg.Tariffs.ListRates(ctx, who(ctx), tid, in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, callRateView), nil
		})
	register(a, op{id: "create-call-rate", method: http.MethodPost, path: "/api/call_rates", summary: "Create a call rate", tag: tag},
		func(ctx context.Context, in *struct {
			TariffParam
			Body CallRateFields
		}) (*Created, error) {
			tid, err := in.id()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			c, err := a.cfg.Tariffs.CreateRate(ctx, who(ctx), tid, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(c.ID), nil
		})
	register(a, op{id: "export-call-rates", method: http.MethodGet, path: "/api/call_rates/export", summary: "Export a tariff's call rates as CSV", tag: tag},
		func(ctx context.Context, in *TariffParam) (*struct {
			ContentType        string `header:"Content-Type"`
			ContentDisposition string `header:"Content-Disposition"`
			Body               []byte
		}, error) {
			tid, err := in.id()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			t, rates, err := a.cfg.Tariffs.Export(ctx, who(ctx), tid)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			var buf bytes.Buffer
			if err := deckcsv.Write(&buf, rates); err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &struct {
				ContentType        string `header:"Content-Type"`
				ContentDisposition string `header:"Content-Disposition"`
				Body               []byte
			}{ContentType: "text/csv; charset=utf-8", Body: buf.Bytes()}
			out.ContentDisposition = fmt.Sprintf(`attachment; filename="call_rates-%s.csv"`, id.EncodeNative(t.ID))
			return out, nil
		})
	a.registerImport(tag)
	register(a, op{id: "get-call-rate", method: http.MethodGet, path: "/api/call_rates/{id}", summary: "Retrieve a call rate", tag: tag},
		func(ctx context.Context, in *IDPath) (*callRateBody, error) {
			n, err := decodeID(in.ID, "call rate")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			c, err := a.cfg.Tariffs.GetRate(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &callRateBody{Body: callRateView(c)}, nil
		})
	register(a, op{id: "update-call-rate", method: http.MethodPost, path: "/api/call_rates/{id}", summary: "Update a call rate", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body CallRateFields
		}) (*callRateBody, error) {
			n, err := decodeID(in.ID, "call rate")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			c, err := a.cfg.Tariffs.UpdateRate(ctx, who(ctx), n, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &callRateBody{Body: callRateView(c)}, nil
		})
	destroyRoutes(a, tag, "call_rates", "call-rate", a.cfg.Tariffs.DeleteRate)
}

// ImportResult answers a deck import.
type ImportResult struct {
	TariffID ID     `json:"tariff_id"`
	Mode     string `json:"mode"`
	Imported int    `json:"imported" doc:"Rows in the deck"`
	Version  int64  `json:"version" doc:"The tariff's version after the import"`
}

// maxDeckBytes bounds an uploaded deck (a 1M-row deck is about 60 MB).
const maxDeckBytes = 512 << 20

func (a *API) registerImport(tag string) {
	register(a, op{id: "import-call-rates", method: http.MethodPost, path: "/api/call_rates/import", summary: "Import a CSV deck into a tariff, all or nothing", tag: tag, maxBody: maxDeckBytes},
		func(ctx context.Context, in *struct {
			TariffParam
			Mode    string `query:"mode" enum:"replace,merge" default:"replace" doc:"replace: the tariff holds exactly the deck; merge: add and overwrite by prefix"`
			RawBody []byte `contentType:"text/csv"`
		}) (*struct{ Body ImportResult }, error) {
			tid, err := in.id()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			rates, err := deckcsv.Read(bytes.NewReader(in.RawBody))
			if err != nil {
				return nil, a.deckError(ctx, err)
			}
			t, err := a.cfg.Tariffs.Import(ctx, who(ctx), tid, tariff.ImportMode(in.Mode), rates)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body ImportResult }{Body: ImportResult{TariffID: ID(t.ID), Mode: in.Mode, Imported: len(rates), Version: t.Version}}, nil
		})
}

// deckError lists every bad row of a rejected deck, one error item each.
func (a *API) deckError(ctx context.Context, err error) error {
	var de *deckcsv.DeckError
	if !errors.As(err, &de) {
		return a.fail(ctx, problem.Field("body", "%s", err.Error()))
	}
	out := &Error{status: http.StatusBadRequest}
	for _, r := range de.Rows {
		detail := fmt.Sprintf("line %d", r.Line)
		if r.Field != "" {
			detail += ": " + r.Field
		}
		out.Errors = append(out.Errors, ErrorItem{Code: "VALIDATE_FAILED", Message: r.Error(), Detail: detail})
	}
	if len(out.Errors) == 0 {
		out.Errors = []ErrorItem{{Code: "VALIDATE_FAILED", Message: de.Error(), Detail: "body"}}
	}
	return out
}

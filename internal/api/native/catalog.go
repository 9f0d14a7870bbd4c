package native

import (
	"context"
	"net/http"
	"strconv"

	"switchboard/internal/catalog"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// BundleTypeView is one bundle type of the catalog as the caller sees it.
type BundleTypeView struct {
	ID           int           `json:"id" doc:"1 Business, 2 Residential, 3 Fax Only, 4 Trunk Only, 5 Forward Only"`
	Name         string        `json:"name"`
	PeriodMonths int           `json:"period_months"`
	Features     []string      `json:"features" doc:"What an active bundle of the type allows: sip_peers, extensions, numbers, trunks, fax, forwarding, voicemail, sms"`
	DefaultPrice money.Amount  `json:"default_price" doc:"The catalog price, paid where no provider set its own"`
	Price        *money.Amount `json:"price" doc:"What your account pays per period: the price your provider set, else the default; null for the operator"`
	SellPrice    *money.Amount `json:"sell_price" doc:"What the accounts directly below yours pay (admins only; null otherwise)"`
}

// CallPackTypeView is one call-pack type of the catalog as the caller sees it.
type CallPackTypeView struct {
	ID             int           `json:"id" doc:"13-16 UK, 17-20 UK + EU, landline and mobile"`
	Name           string        `json:"name"`
	Minutes        int64         `json:"minutes"`
	Prefixes       []string      `json:"prefixes" doc:"E.164 digit prefixes of the destinations the pack covers"`
	ValidityMonths int           `json:"validity_months"`
	DefaultPrice   money.Amount  `json:"default_price"`
	Price          *money.Amount `json:"price" doc:"What your account pays: the price your provider set, else the default; null for the operator"`
	SellPrice      *money.Amount `json:"sell_price" doc:"What the accounts directly below yours pay (admins only; null otherwise)"`
}

// PriceFields sets a sell price.
type PriceFields struct {
	Price *AmountInput `json:"price,omitempty" doc:"Required: what the accounts directly below yours pay, > 0"`
}

// TypePath is the path parameter of catalog type operations.
type TypePath struct {
	ID string `path:"id" maxLength:"64" doc:"The type's number, e.g. 1 or 13"`
}

func typeID(s, what string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || strconv.Itoa(n) != s {
		return 0, problem.NotFoundf("no such %s", what)
	}
	return n, nil
}

func (a *API) bundleTypeViews(ctx context.Context) ([]BundleTypeView, error) {
	ts, err := a.cfg.Catalog.BundleTypes(ctx)
	if err != nil {
		return nil, err
	}
	defs := map[int]money.Amount{}
	for _, t := range ts {
		defs[t.ID] = t.Price
	}
	offers, err := a.cfg.Catalog.Offers(ctx, who(ctx), catalog.KindBundle, defs)
	if err != nil {
		return nil, err
	}
	out := make([]BundleTypeView, len(ts))
	for i, t := range ts {
		fs := make([]string, len(t.Features))
		for j, f := range t.Features {
			fs[j] = string(f)
		}
		o := offers[t.ID]
		out[i] = BundleTypeView{ID: t.ID, Name: t.Name, PeriodMonths: t.PeriodMonths, Features: fs, DefaultPrice: t.Price,
			Price: o.Price, SellPrice: o.SellPrice}
	}
	return out, nil
}

func (a *API) packTypeViews(ctx context.Context) ([]CallPackTypeView, error) {
	ts, err := a.cfg.Catalog.PackTypes(ctx)
	if err != nil {
		return nil, err
	}
	defs := map[int]money.Amount{}
	for _, t := range ts {
		defs[t.ID] = t.Price
	}
	offers, err := a.cfg.Catalog.Offers(ctx, who(ctx), catalog.KindCallPack, defs)
	if err != nil {
		return nil, err
	}
	out := make([]CallPackTypeView, len(ts))
	for i, t := range ts {
		o := offers[t.ID]
		out[i] = CallPackTypeView{ID: t.ID, Name: t.Name, Minutes: t.Minutes, Prefixes: t.Prefixes, ValidityMonths: t.ValidityMonths,
			DefaultPrice: t.Price, Price: o.Price, SellPrice: o.SellPrice}
	}
	return out, nil
}

func (a *API) registerCatalog() {
	const tag = "Catalog"
	register(a, op{id: "list-bundle-types", method: http.MethodGet, path: "/api/bundle_types", summary: "List the bundle types with your prices", tag: tag},
		func(ctx context.Context, _ *struct{}) (*struct{ Body ListBody[BundleTypeView] }, error) {
			vs, err := a.bundleTypeViews(ctx)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(len(vs), vs, func(v BundleTypeView) BundleTypeView { return v }), nil
		})
	register(a, op{id: "set-bundle-type-price", method: http.MethodPost, path: "/api/bundle_types/{id}", summary: "Set what the accounts below yours pay for a bundle type", tag: tag},
		func(ctx context.Context, in *struct {
			TypePath
			Body PriceFields
		}) (*struct{ Body BundleTypeView }, error) {
			n, err := typeID(in.ID, "bundle type")
			if err == nil {
				err = a.setPrice(ctx, catalog.KindBundle, n, in.Body.Price)
			}
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			vs, err := a.bundleTypeViews(ctx)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			for _, v := range vs {
				if v.ID == n {
					return &struct{ Body BundleTypeView }{Body: v}, nil
				}
			}
			return nil, a.fail(ctx, problem.NotFoundf("no such bundle type"))
		})
	register(a, op{id: "list-call-pack-types", method: http.MethodGet, path: "/api/call_pack_types", summary: "List the call-pack types with your prices", tag: tag},
		func(ctx context.Context, _ *struct{}) (*struct{ Body ListBody[CallPackTypeView] }, error) {
			vs, err := a.packTypeViews(ctx)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(len(vs), vs, func(v CallPackTypeView) CallPackTypeView { return v }), nil
		})
	register(a, op{id: "set-call-pack-type-price", method: http.MethodPost, path: "/api/call_pack_types/{id}", summary: "Set what the accounts below yours pay for a call-pack type", tag: tag},
		func(ctx context.Context, in *struct {
			TypePath
			Body PriceFields
		}) (*struct{ Body CallPackTypeView }, error) {
			n, err := typeID(in.ID, "call pack type")
			if err == nil {
				err = a.setPrice(ctx, catalog.KindCallPack, n, in.Body.Price)
			}
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			vs, err := a.packTypeViews(ctx)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			for _, v := range vs {
				if v.ID == n {
					return &struct{ Body CallPackTypeView }{Body: v}, nil
				}
			}
			return nil, a.fail(ctx, problem.NotFoundf("no such call pack type"))
		})
}

// setPrice checks the type exists (NotFound otherwise, as for any path
// id), then sets the caller's sell price.
func (a *API) setPrice(ctx context.Context, kind catalog.Kind, id int, in *AmountInput) error {
	var err error
	if kind == catalog.KindBundle {
		_, err = a.cfg.Catalog.BundleType(ctx, id, "id")
	} else {
		_, err = a.cfg.Catalog.PackType(ctx, id, "id")
	}
	if problem.Is(err, problem.Invalid) {
		return problem.NotFoundf("no such %s type", kind)
	}
	if err != nil {
		return err
	}
	price, err := in.amount("price")
	if err != nil {
		return err
	}
	if price == nil {
		return problem.Field("price", "is required")
	}
	return a.cfg.Catalog.SetSellPrice(ctx, who(ctx), kind, id, *price)
}

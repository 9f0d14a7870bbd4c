package native

import (
	"context"
	"net/http"

	"switchboard/internal/tariff"
)

// TariffView is the native representation of a tariff.
type TariffView struct {
	ID          ID     `json:"id"`
	AccountID   ID     `json:"account_id" doc:"The account that owns the tariff"`
	Name        string `json:"name"`
	Currency    string `json:"currency"`
	Description string `json:"description"`
	Version     int64  `json:"version" doc:"Grows with every change of the tariff's rates"`
	CreatedAt   Time   `json:"created_at"`
	UpdatedAt   Time   `json:"updated_at"`
}

func tariffView(t tariff.Tariff) TariffView {
	return TariffView{ID: ID(t.ID), AccountID: ID(t.AccountID), Name: t.Name, Currency: t.Currency,
		Description: t.Description, Version: t.Version, CreatedAt: Time(t.CreatedAt), UpdatedAt: Time(t.UpdatedAt)}
}

// TariffFields are the writable fields of a tariff.
type TariffFields struct {
	AccountID   *string `json:"account_id,omitempty" doc:"Owner (create only; default: your account)"`
	Name        *string `json:"name,omitempty" minLength:"1" maxLength:"128" doc:"Required on create; unique per owner"`
	Currency    *string `json:"currency,omitempty" minLength:"3" maxLength:"3" doc:"Default: the owner's currency"`
	Description *string `json:"description,omitempty" maxLength:"1024"`
}

func (f *TariffFields) patch() (tariff.Patch, error) {
	acc, err := decodeRef("account_id", f.AccountID)
	if err != nil {
		return tariff.Patch{}, err
	}
	return tariff.Patch{AccountID: acc, Name: f.Name, Currency: f.Currency, Description: f.Description}, nil
}

type tariffBody struct{ Body TariffView }

func (a *API) registerTariffs() {
	const tag = "Tariffs"
	register(a, op{id: "list-tariffs", method: http.MethodGet, path: "/api/tariffs", summary: "List the tariffs you own and the one you are sold at", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[TariffView] }, error) {
			items, n, err := a.cfg.Tariffs.ListTariffs(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, tariffView), nil
		})
	register(a, op{id: "create-tariff", method: http.MethodPost, path: "/api/tariffs", summary: "Create a tariff", tag: tag},
		func(ctx context.Context, in *struct{ Body TariffFields }) (*Created, error) {
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			t, err := a.cfg.Tariffs.CreateTariff(ctx, who(ctx), p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(t.ID), nil
		})
	register(a, op{id: "get-tariff", method: http.MethodGet, path: "/api/tariffs/{id}", summary: "Get a tariff", tag: tag},
		func(ctx context.Context, in *IDPath) (*tariffBody, error) {
			n, err := decodeID(in.ID, "tariff")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			t, err := a.cfg.Tariffs.GetTariff(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &tariffBody{Body: tariffView(t)}, nil
		})
	register(a, op{id: "update-tariff", method: http.MethodPost, path: "/api/tariffs/{id}", summary: "Update the given fields of a tariff", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body TariffFields
		}) (*tariffBody, error) {
			n, err := decodeID(in.ID, "tariff")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			t, err := a.cfg.Tariffs.UpdateTariff(ctx, who(ctx), n, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &tariffBody{Body: tariffView(t)}, nil
		})
	destroyRoutes(a, tag, "tariffs", "tariff", a.cfg.Tariffs.DeleteTariff)
}

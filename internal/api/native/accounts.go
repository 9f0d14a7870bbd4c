package native

import (
	"context"
	"net/http"

	"switchboard/internal/account"
	"switchboard/internal/money"
)

// AccountView is the native representation of an account.
type AccountView struct {
	ID          ID               `json:"id"`
	ParentID    ID               `json:"parent_id"`
	Number      string           `json:"number" doc:"Public account number (carrier accountno, voicemeup client_account_id)"`
	Name        string           `json:"name"`
	Type        string           `json:"type" enum:"operator,reseller,customer"`
	Currency    string           `json:"currency"`
	BillingMode string           `json:"billing_mode" enum:"prepaid,postpaid"`
	CreditLimit money.Amount     `json:"credit_limit"`
	Status      string           `json:"status" enum:"active,suspended,closed"`
	Language    string           `json:"language" enum:"en,fr"`
	Depth       int              `json:"depth"`
	Preferences map[string]any   `json:"preferences"`
	APILimits   map[string]int64 `json:"api_limits"`
	TariffID    ID               `json:"tariff_id" doc:"The tariff the account is sold at (chosen by its parent)"`
	CreatedAt   Time             `json:"created_at"`
	UpdatedAt   Time             `json:"updated_at"`
}

func accountView(a account.Account) AccountView {
	return AccountView{
		ID: ID(a.ID), ParentID: ID(a.ParentID), Number: a.Number, Name: a.Name, Type: string(a.Type),
		Currency: a.Currency, BillingMode: string(a.BillingMode), CreditLimit: a.CreditLimit,
		Status: string(a.Status), Language: a.Language, Depth: a.Depth, Preferences: a.Preferences,
		APILimits: a.APILimits, TariffID: ID(a.TariffID), CreatedAt: Time(a.CreatedAt), UpdatedAt: Time(a.UpdatedAt),
	}
}

// AccountFields are the writable fields of an account.
type AccountFields struct {
	ParentID    *string           `json:"parent_id,omitempty" doc:"Parent account (create only; default: your own account)"`
	Name        *string           `json:"name,omitempty" minLength:"1" maxLength:"128"`
	Type        *string           `json:"type,omitempty" enum:"reseller,customer"`
	Currency    *string           `json:"currency,omitempty" minLength:"3" maxLength:"3" doc:"ISO 4217; default: the parent's"`
	BillingMode *string           `json:"billing_mode,omitempty" enum:"prepaid,postpaid"`
	CreditLimit *AmountInput      `json:"credit_limit,omitempty" doc:"Postpaid only"`
	Status      *string           `json:"status,omitempty" enum:"active,suspended,closed"`
	Language    *string           `json:"language,omitempty" enum:"en,fr"`
	Preferences *map[string]any   `json:"preferences,omitempty"`
	APILimits   *map[string]int64 `json:"api_limits,omitempty" doc:"Operator only: request limits per bucket"`
	TariffID    *string           `json:"tariff_id,omitempty" doc:"The tariff the account is sold at: one you own (default: the parent's)"`
}

func (f *AccountFields) patch() (account.AccountPatch, error) {
	parent, err := decodeRef("parent_id", f.ParentID)
	if err != nil {
		return account.AccountPatch{}, err
	}
	limit, err := f.CreditLimit.amount("credit_limit")
	if err != nil {
		return account.AccountPatch{}, err
	}
	p := account.AccountPatch{
		ParentID: parent, Name: f.Name, Currency: f.Currency, CreditLimit: limit,
		Language: f.Language, Preferences: f.Preferences, APILimits: f.APILimits,
	}
	if f.Type != nil {
		t := account.Type(*f.Type)
		p.Type = &t
	}
	if f.BillingMode != nil {
		m := account.BillingMode(*f.BillingMode)
		p.BillingMode = &m
	}
	if f.Status != nil {
		s := account.Status(*f.Status)
		p.Status = &s
	}
	return p, nil
}

type accountBody struct{ Body AccountView }

func (a *API) registerAccounts() {
	const tag = "Accounts"
	register(a, op{id: "list-accounts", method: http.MethodGet, path: "/api/accounts", summary: "List accounts of your tree", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[AccountView] }, error) {
			items, n, err := a.cfg.Accounts.ListAccounts(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, accountView), nil
		})
	register(a, op{id: "create-account", method: http.MethodPost, path: "/api/accounts", summary: "Create a reseller or customer account", tag: tag},
		func(ctx context.Context, in *struct{ Body AccountFields }) (*Created, error) {
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			tid, err := decodeRef("tariff_id", in.Body.TariffID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if tid != nil {
				if err := a.cfg.Tariffs.CheckAssignable(ctx, who(ctx), *tid); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			acc, err := a.cfg.Accounts.CreateAccount(ctx, who(ctx), p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if tid != nil {
				if err := a.cfg.Tariffs.AssignTariff(ctx, who(ctx), acc.ID, *tid); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			return created(acc.ID), nil
		})
	register(a, op{id: "get-account", method: http.MethodGet, path: "/api/accounts/{id}", summary: "Get an account", tag: tag},
		func(ctx context.Context, in *IDPath) (*accountBody, error) {
			n, err := decodeID(in.ID, "account")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			acc, err := a.cfg.Accounts.GetAccount(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &accountBody{Body: accountView(acc)}, nil
		})
	register(a, op{id: "update-account", method: http.MethodPost, path: "/api/accounts/{id}", summary: "Update the given fields of an account", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body AccountFields
		}) (*accountBody, error) {
			n, err := decodeID(in.ID, "account")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			tid, err := decodeRef("tariff_id", in.Body.TariffID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if tid != nil {
				if _, err := a.cfg.Accounts.GetAccount(ctx, who(ctx), n); err != nil {
					return nil, a.fail(ctx, err)
				}
				if err := a.cfg.Tariffs.CheckAssignable(ctx, who(ctx), *tid); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			acc, err := a.cfg.Accounts.UpdateAccount(ctx, who(ctx), n, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if tid != nil && *tid != acc.TariffID {
				if err := a.cfg.Tariffs.AssignTariff(ctx, who(ctx), acc.ID, *tid); err != nil {
					return nil, a.fail(ctx, err)
				}
				acc.TariffID = *tid
			}
			return &accountBody{Body: accountView(acc)}, nil
		})
	destroyRoutes(a, tag, "accounts", "account", a.cfg.Accounts.DeleteAccount)
}

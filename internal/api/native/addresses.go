package native

import (
	"context"
	"net/http"

	"switchboard/internal/account"
)

// AddressView is the native representation of a subaccount address.
type AddressView struct {
	ID           ID     `json:"id"`
	SubaccountID ID     `json:"subaccount_id"`
	Type         string `json:"type"`
	BoxNumber    string `json:"box_number"`
	CivicNumber  int64  `json:"civic_number"`
	Street       string `json:"street"`
	UnitNumber   int64  `json:"unit_number"`
	City         string `json:"city"`
	CountryID    int    `json:"country_id"`
	StateID      int    `json:"state_id"`
	StateOther   string `json:"state_other"`
	PostalCode   string `json:"postal_code"`
	Precision    string `json:"precision"`
	CreatedAt    Time   `json:"created_at"`
	UpdatedAt    Time   `json:"updated_at"`
}

func addressView(a account.Address) AddressView {
	return AddressView{
		ID: ID(a.ID), SubaccountID: ID(a.SubaccountID), Type: a.Type, BoxNumber: a.BoxNumber,
		CivicNumber: a.CivicNumber, Street: a.Street, UnitNumber: a.UnitNumber, City: a.City,
		CountryID: a.CountryID, StateID: a.StateID, StateOther: a.StateOther, PostalCode: a.PostalCode,
		Precision: a.Precision, CreatedAt: Time(a.CreatedAt), UpdatedAt: Time(a.UpdatedAt),
	}
}

// AddressFields are the writable fields of an address
// (update_subaccount_address).
type AddressFields struct {
	Type        *string `json:"type,omitempty" enum:"billing"`
	BoxNumber   *string `json:"box_number,omitempty" maxLength:"32"`
	CivicNumber *int64  `json:"civic_number,omitempty" minimum:"1" maximum:"999999" doc:"Required on create"`
	Street      *string `json:"street,omitempty" maxLength:"128" doc:"Required on create"`
	UnitNumber  *int64  `json:"unit_number,omitempty" minimum:"0" maximum:"999999"`
	City        *string `json:"city,omitempty" maxLength:"128" doc:"Required on create"`
	CountryID   *int    `json:"country_id,omitempty" minimum:"1" maximum:"100000" doc:"Required on create; see voicemeup get_countries"`
	StateID     *int    `json:"state_id,omitempty" minimum:"0" maximum:"100000" doc:"Required in the United States (223) and Canada (38)"`
	StateOther  *string `json:"state_other,omitempty" maxLength:"128" doc:"Required elsewhere"`
	PostalCode  *string `json:"postal_code,omitempty" maxLength:"16"`
	Precision   *string `json:"precision,omitempty" maxLength:"255"`
}

func (f *AddressFields) patch() account.AddressPatch {
	return account.AddressPatch{
		Type: f.Type, BoxNumber: f.BoxNumber, CivicNumber: f.CivicNumber, Street: f.Street, UnitNumber: f.UnitNumber,
		City: f.City, CountryID: f.CountryID, StateID: f.StateID, StateOther: f.StateOther, PostalCode: f.PostalCode,
		Precision: f.Precision,
	}
}

type addressBody struct{ Body AddressView }

func (a *API) registerAddresses() {
	const tag = "Subaccounts"
	register(a, op{id: "list-subaccount-addresses", method: http.MethodGet, path: "/api/subaccounts/{id}/addresses", summary: "List the addresses of a subaccount", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body ListBody[AddressView] }, error) {
			n, err := decodeID(in.ID, "subaccount")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			items, err := a.cfg.Accounts.ListAddresses(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(len(items), items, addressView), nil
		})
	register(a, op{id: "create-subaccount-address", method: http.MethodPost, path: "/api/subaccounts/{id}/addresses", summary: "Add an address to a subaccount", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body AddressFields
		}) (*Created, error) {
			n, err := decodeID(in.ID, "subaccount")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			ad, err := a.cfg.Accounts.CreateAddress(ctx, who(ctx), n, in.Body.patch())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(ad.ID), nil
		})
	register(a, op{id: "get-subaccount-address", method: http.MethodGet, path: "/api/subaccount_addresses/{id}", summary: "Get an address", tag: tag},
		func(ctx context.Context, in *IDPath) (*addressBody, error) {
			n, err := decodeID(in.ID, "address")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			ad, err := a.cfg.Accounts.GetAddress(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &addressBody{Body: addressView(ad)}, nil
		})
	register(a, op{id: "update-subaccount-address", method: http.MethodPost, path: "/api/subaccount_addresses/{id}", summary: "Update the given fields of an address", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body AddressFields
		}) (*addressBody, error) {
			n, err := decodeID(in.ID, "address")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			ad, err := a.cfg.Accounts.UpdateAddress(ctx, who(ctx), n, in.Body.patch())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &addressBody{Body: addressView(ad)}, nil
		})
	destroyRoutes(a, tag, "subaccount_addresses", "subaccount-address", a.cfg.Accounts.DeleteAddress)
}

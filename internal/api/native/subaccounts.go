package native

import (
	"context"
	"net/http"

	"switchboard/internal/account"
	"switchboard/internal/problem"
)

// SubaccountView is the native representation of a subaccount.
type SubaccountView struct {
	ID                           ID       `json:"id"`
	AccountID                    ID       `json:"account_id"`
	CustomID                     string   `json:"custom_id"`
	FriendlyName                 string   `json:"friendly_name"`
	CallLimit                    int      `json:"call_limit"`
	AllowInternationalCall       bool     `json:"allow_international_call"`
	InternationalCallLimit       int      `json:"international_call_limit"`
	RequireInternationalNIP      bool     `json:"require_international_nip"`
	InternationalNIP             []string `json:"international_nip"`
	MultiTenancyMode             string   `json:"multi_tenancy_mode"`
	MultiTenancySubaccountID     ID       `json:"multi_tenancy_subaccount_id"`
	Organization                 string   `json:"organization"`
	OrganizationType             string   `json:"organization_type"`
	ClientProfile                string   `json:"client_profile"`
	VoiceLanguage                string   `json:"voice_language"`
	NotificationLanguage         string   `json:"notification_language"`
	CallerIDName                 string   `json:"callerid_name"`
	CallerIDNumber               string   `json:"callerid_number"`
	ClientMOHProfileID           string   `json:"client_moh_profile_id"`
	DefaultProvisionedEndpointID string   `json:"default_provisioned_endpoint_id"`
	Options                      []string `json:"options"`
	Status                       string   `json:"status"`
	Comments                     string   `json:"comments"`
	TariffID                     ID       `json:"tariff_id" doc:"The tariff the subaccount's calls are sold at; null: its account's"`
	CreatedAt                    Time     `json:"created_at"`
	UpdatedAt                    Time     `json:"updated_at"`
}

func subaccountView(s account.Subaccount) SubaccountView {
	return SubaccountView{
		ID: ID(s.ID), AccountID: ID(s.AccountID), CustomID: s.CustomID, FriendlyName: s.FriendlyName,
		CallLimit: s.CallLimit, AllowInternationalCall: s.AllowInternationalCall,
		InternationalCallLimit: s.InternationalCallLimit, RequireInternationalNIP: s.RequireInternationalNIP,
		InternationalNIP: s.InternationalNIP, MultiTenancyMode: s.MultiTenancyMode,
		MultiTenancySubaccountID: ID(s.MultiTenancySubaccountID), Organization: s.Organization,
		OrganizationType: s.OrganizationType, ClientProfile: s.ClientProfile, VoiceLanguage: s.VoiceLanguage,
		NotificationLanguage: s.NotificationLanguage, CallerIDName: s.CallerIDName, CallerIDNumber: s.CallerIDNumber,
		ClientMOHProfileID: s.ClientMOHProfileID, DefaultProvisionedEndpointID: s.DefaultProvisionedEndpointID,
		Options: s.Options, Status: s.Status, Comments: s.Comments, TariffID: ID(s.TariffID), CreatedAt: Time(s.CreatedAt), UpdatedAt: Time(s.UpdatedAt),
	}
}

// SubaccountFields are the writable fields of a subaccount, with the
// validation rules of update_subaccount.
type SubaccountFields struct {
	AccountID                    *string   `json:"account_id,omitempty" doc:"Owning account (create only; default: yours)"`
	CustomID                     *string   `json:"custom_id,omitempty" maxLength:"64"`
	FriendlyName                 *string   `json:"friendly_name,omitempty" minLength:"2" maxLength:"32" doc:"Required on create"`
	CallLimit                    *int      `json:"call_limit,omitempty" minimum:"0" maximum:"999"`
	AllowInternationalCall       *bool     `json:"allow_international_call,omitempty"`
	InternationalCallLimit       *int      `json:"international_call_limit,omitempty" minimum:"0" maximum:"999"`
	RequireInternationalNIP      *bool     `json:"require_international_nip,omitempty"`
	InternationalNIP             *[]string `json:"international_nip,omitempty" maxItems:"10" doc:"PINs of 6 to 8 digits"`
	MultiTenancyMode             *string   `json:"multi_tenancy_mode,omitempty" enum:"disabled,global,self,shared" doc:"Required on create"`
	MultiTenancySubaccountID     *string   `json:"multi_tenancy_subaccount_id,omitempty" doc:"Required when multi_tenancy_mode is shared"`
	Organization                 *string   `json:"organization,omitempty" maxLength:"128"`
	OrganizationType             *string   `json:"organization_type,omitempty" enum:"personal,business,"`
	ClientProfile                *string   `json:"client_profile,omitempty" enum:"undefined,residential_client,commercial_client,callcenter_client,internal"`
	VoiceLanguage                *string   `json:"voice_language,omitempty" enum:"en,fr,"`
	NotificationLanguage         *string   `json:"notification_language,omitempty" enum:"en,fr,"`
	CallerIDName                 *string   `json:"callerid_name,omitempty" maxLength:"15"`
	CallerIDNumber               *string   `json:"callerid_number,omitempty" maxLength:"10"`
	ClientMOHProfileID           *string   `json:"client_moh_profile_id,omitempty" maxLength:"64"`
	DefaultProvisionedEndpointID *string   `json:"default_provisioned_endpoint_id,omitempty" maxLength:"64"`
	Options                      *[]string `json:"options,omitempty" maxItems:"5"`
	Status                       *string   `json:"status,omitempty" enum:"enabled,disabled,deleted" doc:"Required on create"`
	Comments                     *string   `json:"comments,omitempty" maxLength:"1024"`
	TariffID                     *string   `json:"tariff_id,omitempty" doc:"A tariff you may use; empty string: the account's"`
}

func (f *SubaccountFields) patch() (account.SubaccountPatch, error) {
	acc, err := decodeRef("account_id", f.AccountID)
	if err != nil {
		return account.SubaccountPatch{}, err
	}
	shared, err := decodeRef("multi_tenancy_subaccount_id", f.MultiTenancySubaccountID)
	if err != nil {
		return account.SubaccountPatch{}, err
	}
	return account.SubaccountPatch{
		AccountID: acc, CustomID: f.CustomID, FriendlyName: f.FriendlyName, CallLimit: f.CallLimit,
		AllowInternationalCall: f.AllowInternationalCall, InternationalCallLimit: f.InternationalCallLimit,
		RequireInternationalNIP: f.RequireInternationalNIP, InternationalNIP: f.InternationalNIP,
		MultiTenancyMode: f.MultiTenancyMode, MultiTenancySubaccountID: shared, Organization: f.Organization,
		OrganizationType: f.OrganizationType, ClientProfile: f.ClientProfile, VoiceLanguage: f.VoiceLanguage,
		NotificationLanguage: f.NotificationLanguage, CallerIDName: f.CallerIDName, CallerIDNumber: f.CallerIDNumber,
		ClientMOHProfileID: f.ClientMOHProfileID, DefaultProvisionedEndpointID: f.DefaultProvisionedEndpointID,
		Options: f.Options, Status: f.Status, Comments: f.Comments,
	}, nil
}

type subaccountBody struct{ Body SubaccountView }

func (a *API) registerSubaccounts() {
	const tag = "Subaccounts"
	register(a, op{id: "list-subaccounts", method: http.MethodGet, path: "/api/subaccounts", summary: "List subaccounts", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[SubaccountView] }, error) {
			items, n, err := a.cfg.Accounts.ListSubaccounts(ctx, who(ctx), account.SubaccountFilter{}, in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, subaccountView), nil
		})
	register(a, op{id: "create-subaccount", method: http.MethodPost, path: "/api/subaccounts", summary: "Create a subaccount", tag: tag},
		func(ctx context.Context, in *struct{ Body SubaccountFields }) (*Created, error) {
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			tid, err := decodeRef("tariff_id", in.Body.TariffID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if tid != nil && *tid != 0 {
				if _, err := a.cfg.Tariffs.GetTariff(ctx, who(ctx), *tid); err != nil {
					return nil, a.fail(ctx, problem.Field("tariff_id", "no such tariff"))
				}
			}
			s, err := a.cfg.Accounts.CreateSubaccount(ctx, who(ctx), p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if tid != nil && *tid != 0 {
				if err := a.cfg.Tariffs.AssignSubaccountTariff(ctx, who(ctx), s.ID, *tid); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			return created(s.ID), nil
		})
	register(a, op{id: "get-subaccount", method: http.MethodGet, path: "/api/subaccounts/{id}", summary: "Get a subaccount", tag: tag},
		func(ctx context.Context, in *IDPath) (*subaccountBody, error) {
			n, err := decodeID(in.ID, "subaccount")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			s, err := a.cfg.Accounts.GetSubaccount(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &subaccountBody{Body: subaccountView(s)}, nil
		})
	register(a, op{id: "update-subaccount", method: http.MethodPost, path: "/api/subaccounts/{id}", summary: "Update the given fields of a subaccount", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body SubaccountFields
		}) (*subaccountBody, error) {
			n, err := decodeID(in.ID, "subaccount")
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
				if err := a.cfg.Tariffs.AssignSubaccountTariff(ctx, who(ctx), n, *tid); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			s, err := a.cfg.Accounts.UpdateSubaccount(ctx, who(ctx), n, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &subaccountBody{Body: subaccountView(s)}, nil
		})
	destroyRoutes(a, tag, "subaccounts", "subaccount", a.cfg.Accounts.DeleteSubaccount)
	a.registerAddresses()
}

package native

import (
	"context"
	"net/http"

	"switchboard/internal/extension"
	"switchboard/internal/problem"
)

// ExtensionView is the native representation of an extension.
type ExtensionView struct {
	ID               ID     `json:"id"`
	AccountID        ID     `json:"account_id"`
	SubaccountID     ID     `json:"subaccount_id"`
	Extension        int    `json:"extension"`
	FriendlyName     string `json:"friendly_name"`
	PeerIDs          []ID   `json:"peer_ids" doc:"Peers rung, in order"`
	PeerTimeout      int    `json:"peer_timeout" doc:"Seconds each peer rings before the next; 0: disabled"`
	ForwardNumber    string `json:"forward_number"`
	ForwardTimeout   int    `json:"forward_timeout"`
	EnableForwarding bool   `json:"enable_forwarding"`
	Status           string `json:"status"`
	Comments         string `json:"comments"`
	CreatedAt        Time   `json:"created_at"`
	UpdatedAt        Time   `json:"updated_at"`
}

func extensionView(e extension.Extension) ExtensionView {
	ids := make([]ID, len(e.PeerIDs))
	for i, n := range e.PeerIDs {
		ids[i] = ID(n)
	}
	return ExtensionView{
		ID: ID(e.ID), AccountID: ID(e.AccountID), SubaccountID: ID(e.SubaccountID), Extension: e.Number,
		FriendlyName: e.FriendlyName, PeerIDs: ids, PeerTimeout: e.PeerTimeout, ForwardNumber: e.ForwardNumber,
		ForwardTimeout: e.ForwardTimeout, EnableForwarding: e.EnableForwarding, Status: e.Status, Comments: e.Comments,
		CreatedAt: Time(e.CreatedAt), UpdatedAt: Time(e.UpdatedAt),
	}
}

// ExtensionFields are the writable fields of an extension.
type ExtensionFields struct {
	AccountID        *string   `json:"account_id,omitempty" doc:"Owning account (create only; default: yours)"`
	SubaccountID     *string   `json:"subaccount_id,omitempty" doc:"A subaccount of the extension's account; empty string: none"`
	Extension        *int      `json:"extension,omitempty" minimum:"1000" maximum:"9999" doc:"Required on create; unique in the account"`
	FriendlyName     *string   `json:"friendly_name,omitempty" minLength:"2" maxLength:"32" doc:"Required on create"`
	PeerIDs          *[]string `json:"peer_ids,omitempty" maxItems:"32" doc:"Peers of the same account to ring, in order"`
	PeerTimeout      *int      `json:"peer_timeout,omitempty" enum:"0,2,5,10,15,20,25,30,35,40,45,50,55"`
	ForwardNumber    *string   `json:"forward_number,omitempty" maxLength:"10" doc:"10 digits; empty: none"`
	ForwardTimeout   *int      `json:"forward_timeout,omitempty" enum:"0,2,5,10,15,20,25,30,35,40,45,50,55"`
	EnableForwarding *bool     `json:"enable_forwarding,omitempty"`
	Status           *string   `json:"status,omitempty" enum:"enabled,disabled"`
	Comments         *string   `json:"comments,omitempty" maxLength:"1024"`
}

func (f *ExtensionFields) patch() (extension.Patch, error) {
	acc, err := decodeRef("account_id", f.AccountID)
	if err != nil {
		return extension.Patch{}, err
	}
	sub, err := decodeRef("subaccount_id", f.SubaccountID)
	if err != nil {
		return extension.Patch{}, err
	}
	pt := extension.Patch{AccountID: acc, SubaccountID: sub, Number: f.Extension, FriendlyName: f.FriendlyName,
		PeerTimeout: f.PeerTimeout, ForwardNumber: f.ForwardNumber, ForwardTimeout: f.ForwardTimeout,
		EnableForwarding: f.EnableForwarding, Status: f.Status, Comments: f.Comments}
	if f.PeerIDs != nil {
		ids := make([]int64, 0, len(*f.PeerIDs))
		for _, s := range *f.PeerIDs {
			n, err := decodeRef("peer_ids", &s)
			if err != nil || *n == 0 {
				return extension.Patch{}, problem.Field("peer_ids", "must be peers of the extension's account")
			}
			ids = append(ids, *n)
		}
		pt.PeerIDs = &ids
	}
	return pt, nil
}

type extensionBody struct{ Body ExtensionView }

func (a *API) registerExtensions() {
	if a.cfg.Extensions == nil {
		return
	}
	const tag = "Extensions"
	exts := a.cfg.Extensions
	register(a, op{id: "list-extensions", method: http.MethodGet, path: "/api/extensions", summary: "List extensions", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[ExtensionView] }, error) {
			items, n, err := exts.List(ctx, who(ctx), extension.Filter{}, in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, extensionView), nil
		})
	register(a, op{id: "create-extension", method: http.MethodPost, path: "/api/extensions", summary: "Create an extension", tag: tag},
		func(ctx context.Context, in *struct{ Body ExtensionFields }) (*Created, error) {
			pt, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			e, err := exts.Create(ctx, who(ctx), pt)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(e.ID), nil
		})
	register(a, op{id: "get-extension", method: http.MethodGet, path: "/api/extensions/{id}", summary: "Get an extension", tag: tag},
		func(ctx context.Context, in *IDPath) (*extensionBody, error) {
			n, err := decodeID(in.ID, "extension")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			e, err := exts.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &extensionBody{Body: extensionView(e)}, nil
		})
	register(a, op{id: "update-extension", method: http.MethodPost, path: "/api/extensions/{id}", summary: "Update the given fields of an extension", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body ExtensionFields
		}) (*extensionBody, error) {
			n, err := decodeID(in.ID, "extension")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			pt, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			e, err := exts.Update(ctx, who(ctx), n, pt)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &extensionBody{Body: extensionView(e)}, nil
		})
	destroyRoutes(a, tag, "extensions", "extension", exts.Delete)
}

package native

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"switchboard/internal/auth"
	"switchboard/internal/bundle"
	"switchboard/internal/money"
)

// Date renders a date as YYYY-MM-DD.
type Date time.Time

// MarshalJSON writes YYYY-MM-DD.
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(d).UTC().Format(time.DateOnly) + `"`), nil
}

// Schema documents Date as a date string.
func (Date) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date"}
}

// BundleView is one bundle.
type BundleView struct {
	ID         ID           `json:"id"`
	AccountID  ID           `json:"account_id"`
	BundleType int          `json:"bundle_type"`
	AutoRenew  bool         `json:"auto_renew"`
	Status     string       `json:"status" enum:"active,expired,suspended" doc:"expired: past its expiry date and not renewed; suspended: an automatic renewal could not be charged"`
	Price      money.Amount `json:"price" doc:"What the account paid for the current period"`
	StartsAt   Time         `json:"starts_at"`
	ExpiresOn  Date         `json:"expires_on" doc:"The last day (UTC) of the current period"`
	CreatedAt  Time         `json:"created_at"`
	UpdatedAt  Time         `json:"updated_at"`
}

func bundleView(b bundle.Bundle, now time.Time) BundleView {
	return BundleView{ID: ID(b.ID), AccountID: ID(b.AccountID), BundleType: b.TypeID, AutoRenew: b.AutoRenew,
		Status: string(b.State(now)), Price: b.Price, StartsAt: Time(b.StartsAt), ExpiresOn: Date(b.ExpiresOn),
		CreatedAt: Time(b.CreatedAt), UpdatedAt: Time(b.UpdatedAt)}
}

// BundleFields is a bundle to buy.
type BundleFields struct {
	AccountID  string `json:"account_id,omitempty" maxLength:"64" doc:"The account to buy for, yours or one below it; default yours"`
	BundleType int    `json:"bundle_type" minimum:"1" maximum:"5" doc:"1 Business, 2 Residential, 3 Fax Only, 4 Trunk Only, 5 Forward Only"`
	AutoRenew  bool   `json:"auto_renew,omitempty" doc:"Renew automatically on the expiry date; default false"`
}

// BundlePatch changes a bundle.
type BundlePatch struct {
	AutoRenew  *bool `json:"auto_renew,omitempty"`
	BundleType *int  `json:"bundle_type,omitempty" minimum:"1" maximum:"5" doc:"A new type is charged at its price and starts a new period today"`
}

// KeyHeader is the Idempotency-Key of a money-moving request.
type KeyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"A repeat within 24 h replays the first answer without moving money again"`
}

func (a *API) registerBundles() {
	const tag = "Catalog"
	svc := a.cfg.Bundles
	view := func(b bundle.Bundle) BundleView { return bundleView(b, svc.Now()) }
	register(a, op{id: "list-bundles", method: http.MethodGet, path: "/api/bundles", summary: "List bundles of your tree, newest first", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[BundleView] }, error) {
			items, n, err := svc.List(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, view), nil
		})
	register(a, op{id: "create-bundle", method: http.MethodPost, path: "/api/bundles", summary: "Buy a VoIP bundle; its first period is charged", tag: tag},
		func(ctx context.Context, in *struct {
			KeyHeader
			Body BundleFields
		}) (*Replayable[BundleView], error) {
			acc, err := decodeRef("account_id", &in.Body.AccountID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			b, err := svc.Create(ctx, who(ctx), bundle.CreateRequest{AccountID: *acc, TypeID: in.Body.BundleType, AutoRenew: in.Body.AutoRenew}, in.IdempotencyKey)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return replayable(view(b), b.Replayed), nil
		})
	register(a, op{id: "get-bundle", method: http.MethodGet, path: "/api/bundles/{id}", summary: "A bundle", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body BundleView }, error) {
			n, err := decodeID(in.ID, "bundle")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			b, err := svc.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body BundleView }{Body: view(b)}, nil
		})
	register(a, op{id: "update-bundle", method: http.MethodPost, path: "/api/bundles/{id}", summary: "Change a bundle's auto_renew or type", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			KeyHeader
			Body BundlePatch
		}) (*Replayable[BundleView], error) {
			n, err := decodeID(in.ID, "bundle")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			b, err := svc.Update(ctx, who(ctx), n, bundle.Patch{AutoRenew: in.Body.AutoRenew, TypeID: in.Body.BundleType}, in.IdempotencyKey)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return replayable(view(b), b.Replayed), nil
		})
	register(a, op{id: "renew-bundle", method: http.MethodPost, path: "/api/bundles/{id}/renew", summary: "Renew a bundle from 3 days before to 5 days after its expiry date", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			KeyHeader
		}) (*Replayable[BundleView], error) {
			n, err := decodeID(in.ID, "bundle")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			b, err := svc.Renew(ctx, who(ctx), n, in.IdempotencyKey)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return replayable(view(b), b.Replayed), nil
		})
	destroyRoutes(a, tag, "bundles", "bundle", func(ctx context.Context, p auth.Principal, id int64) error {
		return svc.Destroy(ctx, p, id)
	})
}

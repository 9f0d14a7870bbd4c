package native

import (
	"context"
	"net/http"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/callpack"
	"switchboard/internal/money"
)

// CallPackView is one call pack.
type CallPackView struct {
	ID           ID           `json:"id"`
	AccountID    ID           `json:"account_id"`
	PackID       int          `json:"pack_id" doc:"The call-pack type, 13 to 20"`
	Status       string       `json:"status" enum:"active,expired,exhausted"`
	SecondsTotal int64        `json:"seconds_total"`
	SecondsUsed  int64        `json:"seconds_used"`
	Price        money.Amount `json:"price" doc:"What the account paid for the current period"`
	StartsAt     Time         `json:"starts_at"`
	ExpiresAt    Time         `json:"expires_at"`
	CreatedAt    Time         `json:"created_at"`
	UpdatedAt    Time         `json:"updated_at"`
}

func callPackView(p callpack.Pack, now time.Time) CallPackView {
	return CallPackView{ID: ID(p.ID), AccountID: ID(p.AccountID), PackID: p.TypeID, Status: string(p.State(now)),
		SecondsTotal: p.SecondsTotal, SecondsUsed: p.SecondsUsed, Price: p.Price, StartsAt: Time(p.StartsAt),
		ExpiresAt: Time(p.ExpiresAt), CreatedAt: Time(p.CreatedAt), UpdatedAt: Time(p.UpdatedAt)}
}

// CallPackFields is a call pack to buy.
type CallPackFields struct {
	AccountID string `json:"account_id,omitempty" maxLength:"64" doc:"The account to buy for, yours or one below it; default yours"`
	PackID    int    `json:"pack_id" minimum:"13" maximum:"20" doc:"13-16: UK Landline & Mobile 1000/2000/5000/10000 minutes; 17-20: UK + EU Landline & Mobile 1000/2000/5000/10000"`
}

func (a *API) registerCallPacks() {
	const tag = "Catalog"
	svc := a.cfg.CallPacks
	view := func(p callpack.Pack) CallPackView { return callPackView(p, svc.Now()) }
	register(a, op{id: "list-call-packs", method: http.MethodGet, path: "/api/call_packs", summary: "List the active (unexpired) call packs of your tree, newest first", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[CallPackView] }, error) {
			items, n, err := svc.List(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, view), nil
		})
	register(a, op{id: "create-call-pack", method: http.MethodPost, path: "/api/call_packs", summary: "Buy a call pack, valid for one month", tag: tag},
		func(ctx context.Context, in *struct {
			KeyHeader
			Body CallPackFields
		}) (*Replayable[CallPackView], error) {
			acc, err := decodeRef("account_id", &in.Body.AccountID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := svc.Create(ctx, who(ctx), callpack.CreateRequest{AccountID: *acc, TypeID: in.Body.PackID}, in.IdempotencyKey)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return replayable(view(p), p.Replayed), nil
		})
	register(a, op{id: "get-call-pack", method: http.MethodGet, path: "/api/call_packs/{id}", summary: "A call pack", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body CallPackView }, error) {
			n, err := decodeID(in.ID, "call pack")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := svc.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body CallPackView }{Body: view(p)}, nil
		})
	register(a, op{id: "renew-call-pack", method: http.MethodPost, path: "/api/call_packs/{id}/renew", summary: "Renew a call pack: its seconds are restored and it runs a month from now", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			KeyHeader
		}) (*Replayable[CallPackView], error) {
			n, err := decodeID(in.ID, "call pack")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := svc.Renew(ctx, who(ctx), n, in.IdempotencyKey)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return replayable(view(p), p.Replayed), nil
		})
	destroyRoutes(a, tag, "call_packs", "call pack", func(ctx context.Context, p auth.Principal, id int64) error {
		return svc.Destroy(ctx, p, id)
	})
}

package native

import (
	"context"
	"net/http"
	"time"

	"switchboard/internal/callpack"

	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/tariff"
)

// RateLevel is the price of the call at one level of the account tree.
type RateLevel struct {
	AccountID     ID           `json:"account_id"`
	SubaccountID  ID           `json:"subaccount_id" doc:"Set on the first level when the subaccount's own tariff priced the call"`
	TariffID      ID           `json:"tariff_id"`
	Found         bool         `json:"found" doc:"false when this level's tariff has no rate for the destination"`
	Prefix        string       `json:"prefix"`
	RateID        ID           `json:"rate_id"`
	BilledSeconds int64        `json:"billed_seconds"`
	Cost          money.Amount `json:"cost"`
	Margin        money.Amount `json:"margin" doc:"What this account earns: the level below's cost minus this cost"`
}

// RateResult is the rating of one call.
type RateResult struct {
	Destination   string       `json:"destination" doc:"E.164 digits"`
	Prefix        string       `json:"prefix"`
	RateID        ID           `json:"rate_id"`
	Type          string       `json:"type"`
	Duration      int64        `json:"duration"`
	BilledSeconds int64        `json:"billed_seconds"`
	Cost          money.Amount `json:"cost" doc:"After call packs: covered seconds cost nothing, seconds left over when the packs run out cost price_n per minute with no connect fee"`
	PackSeconds   int64        `json:"pack_seconds" doc:"Billed seconds the account's call packs would cover now"`
	CallPacks     []PackUse    `json:"call_packs" doc:"The seconds each call pack would cover, oldest pack first"`
	Levels        []RateLevel  `json:"levels" doc:"The account first, then each account above it below the operator"`
}

// PackUse is what one call pack covers of a call.
type PackUse struct {
	CallPackID ID    `json:"call_pack_id"`
	Seconds    int64 `json:"seconds"`
}

func rateResult(r tariff.Result, d int64, uses []callpack.Use) RateResult {
	out := RateResult{Destination: r.Destination, Prefix: r.Prefix, RateID: ID(r.RateID), Type: string(r.Type),
		Duration: d, BilledSeconds: r.BilledSeconds, Cost: r.Cost, PackSeconds: r.PackSeconds,
		CallPacks: make([]PackUse, len(uses)), Levels: make([]RateLevel, len(r.Levels))}
	for i, u := range uses {
		out.CallPacks[i] = PackUse{CallPackID: ID(u.PackID), Seconds: u.Seconds}
	}
	for i, l := range r.Levels {
		out.Levels[i] = RateLevel{AccountID: ID(l.AccountID), SubaccountID: ID(l.SubaccountID), TariffID: ID(l.TariffID), Found: l.Found, Prefix: l.Prefix,
			RateID: ID(l.RateID), BilledSeconds: l.BilledSeconds, Cost: l.Cost, Margin: l.Margin}
	}
	return out
}

func (a *API) registerRating() {
	const tag = "Rating"
	register(a, op{id: "rate-call", method: http.MethodPost, path: "/api/rate", summary: "Price a call at every level of the account tree", tag: tag},
		func(ctx context.Context, in *struct {
			Body struct {
				Destination  string  `json:"destination" minLength:"1" maxLength:"64" doc:"Any dialled form: +44..., 0044..., 011..., 10-digit NANP"`
				Duration     int64   `json:"duration" minimum:"0" maximum:"2147483648" doc:"Answered seconds"`
				AccountID    *string `json:"account_id,omitempty" doc:"An account of your tree; default: yours"`
				SubaccountID *string `json:"subaccount_id,omitempty" doc:"A subaccount of your tree: its own tariff prices the call first"`
			}
		}) (*struct{ Body RateResult }, error) {
			acc, err := decodeRef("account_id", in.Body.AccountID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			sub, err := decodeRef("subaccount_id", in.Body.SubaccountID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			var target tariff.Target
			if acc != nil {
				target.AccountID = *acc
			}
			if sub != nil {
				target.SubaccountID = *sub
			}
			r, err := a.cfg.Tariffs.RateFor(ctx, who(ctx), target, in.Body.Destination, in.Body.Duration)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			var uses []callpack.Use
			if a.cfg.CallPacks != nil {
				// A quote: what the packs would cover now, nothing taken.
				if uses, err = a.cfg.CallPacks.Coverage(ctx, r.Levels[0].AccountID, r.Destination, r.BilledSeconds, time.Now()); err != nil {
					return nil, a.fail(ctx, err)
				}
				var covered int64
				for _, u := range uses {
					covered += u.Seconds
				}
				if r, err = tariff.WithPacks(r, covered); err != nil {
					return nil, a.fail(ctx, err)
				}
			}
			return &struct{ Body RateResult }{Body: rateResult(r, in.Body.Duration, uses)}, nil
		})
	register(a, op{id: "rate-max-duration", method: http.MethodGet, path: "/api/rate/max_duration", summary: "The longest call a balance pays for", tag: tag},
		func(ctx context.Context, in *struct {
			Destination string `query:"destination" required:"true" minLength:"1" maxLength:"64"`
			Balance     string `query:"balance" required:"true" maxLength:"32" doc:"Money, at most five decimals"`
			AccountID   string `query:"account_id" maxLength:"64"`
		}) (*struct {
			Body struct {
				Destination string       `json:"destination"`
				Prefix      string       `json:"prefix"`
				RateID      ID           `json:"rate_id"`
				Balance     money.Amount `json:"balance"`
				MaxDuration int64        `json:"max_duration" doc:"Seconds"`
			}
		}, error) {
			bal, err := money.Parse(in.Balance)
			if err != nil {
				return nil, a.fail(ctx, problem.Field("balance", "%s", err.Error()))
			}
			var accountID int64
			if in.AccountID != "" {
				acc, err := decodeRef("account_id", &in.AccountID)
				if err != nil {
					return nil, a.fail(ctx, err)
				}
				accountID = *acc
			}
			r, d, err := a.cfg.Tariffs.MaxDuration(ctx, who(ctx), accountID, in.Destination, bal)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Destination string       `json:"destination"`
					Prefix      string       `json:"prefix"`
					RateID      ID           `json:"rate_id"`
					Balance     money.Amount `json:"balance"`
					MaxDuration int64        `json:"max_duration" doc:"Seconds"`
				}
			}{}
			out.Body.Destination, out.Body.Prefix, out.Body.RateID, out.Body.Balance, out.Body.MaxDuration = r.Destination, r.Prefix, ID(r.RateID), bal, d
			return out, nil
		})
}

package native

import (
	"context"
	"net/http"

	"switchboard/internal/command"
	"switchboard/internal/money"
)

// CommandPriceView is the price of running one API command.
type CommandPriceView struct {
	ID          ID           `json:"id"`
	Dialect     string       `json:"dialect" enum:"native,voicemeup,carrier,reseller"`
	Command     string       `json:"command" doc:"The route (\"POST /api/rate\", \"GET /voip/call-pack\"), the voicemeup request type (\"lookup_did\") or the carrier endpoint (\"searchdid\")"`
	Price       money.Amount `json:"price" doc:"Debited for every run, as a command_charge ledger entry, from the caller's account and each reseller above it; refunded when the command fails"`
	Description string       `json:"description"`
	CreatedAt   Time         `json:"created_at"`
	UpdatedAt   Time         `json:"updated_at"`
}

func commandPriceView(p command.Price) CommandPriceView {
	return CommandPriceView{ID: ID(p.ID), Dialect: p.Dialect, Command: p.Command, Price: p.Price,
		Description: p.Description, CreatedAt: Time(p.CreatedAt), UpdatedAt: Time(p.UpdatedAt)}
}

// CommandPriceFields are the writable fields of a command price.
type CommandPriceFields struct {
	Dialect     *string      `json:"dialect,omitempty" enum:"native,voicemeup,carrier,reseller" doc:"Required on create"`
	Command     *string      `json:"command,omitempty" minLength:"1" maxLength:"128" doc:"Required on create; a command the dialect has"`
	Price       *AmountInput `json:"price,omitempty" doc:"Required on create; >= 0 (0 makes the command free)"`
	Description *string      `json:"description,omitempty" maxLength:"255"`
}

func (f *CommandPriceFields) input() (command.Input, error) {
	price, err := f.Price.amount("price")
	if err != nil {
		return command.Input{}, err
	}
	return command.Input{Dialect: f.Dialect, Command: f.Command, Price: price, Description: f.Description}, nil
}

type commandPriceBody struct{ Body CommandPriceView }

func (a *API) registerCommandPrices() {
	const tag = "Money"
	register(a, op{id: "list-command-prices", method: http.MethodGet, path: "/api/command_prices", summary: "List the priced API commands", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[CommandPriceView] }, error) {
			items, n, err := a.cfg.Commands.List(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, commandPriceView), nil
		})
	register(a, op{id: "create-command-price", method: http.MethodPost, path: "/api/command_prices", summary: "Price an API command (operator admins)", tag: tag},
		func(ctx context.Context, in *struct{ Body CommandPriceFields }) (*Created, error) {
			f, err := in.Body.input()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := a.cfg.Commands.Create(ctx, who(ctx), f)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(p.ID), nil
		})
	register(a, op{id: "get-command-price", method: http.MethodGet, path: "/api/command_prices/{id}", summary: "Get a command price", tag: tag},
		func(ctx context.Context, in *IDPath) (*commandPriceBody, error) {
			n, err := decodeID(in.ID, "command_price")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := a.cfg.Commands.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &commandPriceBody{Body: commandPriceView(p)}, nil
		})
	register(a, op{id: "update-command-price", method: http.MethodPost, path: "/api/command_prices/{id}", summary: "Update the given fields of a command price (operator admins)", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body CommandPriceFields
		}) (*commandPriceBody, error) {
			n, err := decodeID(in.ID, "command_price")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			f, err := in.Body.input()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := a.cfg.Commands.Update(ctx, who(ctx), n, f)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &commandPriceBody{Body: commandPriceView(p)}, nil
		})
	destroyRoutes(a, tag, "command_prices", "command_price", a.cfg.Commands.Delete)
}

package native

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"switchboard/internal/auth"
	"switchboard/internal/money"
	"switchboard/internal/number"
	"switchboard/internal/problem"
)

// InventoryView is one number of inventory.
type InventoryView struct {
	ID           ID           `json:"id"`
	Number       string       `json:"number" doc:"E.164"`
	National     string       `json:"national" doc:"National significant digits"`
	Type         string       `json:"type" enum:"local,tollfree,international,inum"`
	Country      string       `json:"country" doc:"ISO 3166-1 alpha-2"`
	State        string       `json:"state"`
	NPA          string       `json:"npa"`
	NXX          string       `json:"nxx"`
	RateCenter   string       `json:"ratecenter"`
	City         string       `json:"city"`
	SMS          bool         `json:"sms"`
	MMS          bool         `json:"mms"`
	T38          bool         `json:"t38"`
	SetupPrice   money.Amount `json:"setup_price"`
	MonthlyPrice money.Amount `json:"monthly_price"`
	Patterns     []string     `json:"patterns" doc:"The digit patterns computed when the number entered inventory"`
	Status       string       `json:"status" enum:"available,reserved,owned,suspended,quarantined,retired"`
	CreatedAt    Time         `json:"created_at"`
}

func patternNames(p number.Patterns) []string {
	out := []string{}
	for _, x := range []struct {
		on   bool
		name string
	}{{p.Rare, number.PatternRare}, {p.Double, number.PatternDouble}, {p.Pair, number.PatternPair}, {p.Trio, number.PatternTrio},
		{p.Triple, number.PatternTriple}, {p.Quadruple, number.PatternQuadruple}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return out
}

func inventoryView(n number.Number) InventoryView {
	return InventoryView{ID: ID(n.ID), Number: n.E164, National: n.National, Type: string(n.Type), Country: n.Country, State: n.State,
		NPA: n.NPA, NXX: n.NXX, RateCenter: n.RateCenter, City: n.City, SMS: n.SMS, MMS: n.MMS, T38: n.T38,
		SetupPrice: n.Setup, MonthlyPrice: n.Monthly, Patterns: patternNames(n.Patterns), Status: string(n.Status), CreatedAt: Time(n.CreatedAt)}
}

// InventoryFields is one number to add to inventory.
type InventoryFields struct {
	Number       string       `json:"number" minLength:"3" maxLength:"32" doc:"E.164, or a national number of country"`
	Type         string       `json:"type,omitempty" enum:"local,tollfree,international,inum" doc:"Default: what the number is"`
	Country      string       `json:"country,omitempty" maxLength:"2" doc:"ISO 3166-1 alpha-2 for a national number; default US"`
	State        string       `json:"state,omitempty" maxLength:"2"`
	RateCenter   string       `json:"ratecenter,omitempty" maxLength:"64"`
	City         string       `json:"city,omitempty" maxLength:"64"`
	SMS          bool         `json:"sms,omitempty"`
	MMS          bool         `json:"mms,omitempty"`
	T38          bool         `json:"t38,omitempty"`
	SetupPrice   *AmountInput `json:"setup_price,omitempty"`
	MonthlyPrice *AmountInput `json:"monthly_price,omitempty"`
}

// InventoryImportResult answers an inventory import.
type InventoryImportResult struct {
	Imported int `json:"imported" doc:"Numbers added"`
}

// DIDView is one owned number.
type DIDView struct {
	ID           ID                `json:"id"`
	AccountID    ID                `json:"account_id"`
	Number       string            `json:"number" doc:"E.164"`
	National     string            `json:"national"`
	Type         string            `json:"type"`
	Country      string            `json:"country"`
	State        string            `json:"state"`
	City         string            `json:"city"`
	RateCenter   string            `json:"ratecenter"`
	Status       string            `json:"status" enum:"owned,suspended"`
	TrunkID      int64             `json:"trunk_id"`
	OrderID      ID                `json:"order_id"`
	MonthlyPrice money.Amount      `json:"monthly_price"`
	PaidUntil    Time              `json:"paid_until"`
	Settings     map[string]string `json:"settings" doc:"The routing settings of voicemeup update_did"`
	UpdatedAt    Time              `json:"updated_at"`
}

func didView(n number.Number) DIDView {
	st := map[string]string(n.Settings)
	if st == nil {
		st = map[string]string{}
	}
	return DIDView{ID: ID(n.ID), AccountID: ID(n.AccountID), Number: n.E164, National: n.National, Type: string(n.Type), Country: n.Country,
		State: n.State, City: n.City, RateCenter: n.RateCenter, Status: string(n.Status), TrunkID: n.TrunkID, OrderID: ID(n.OrderID),
		MonthlyPrice: n.Monthly, PaidUntil: Time(n.PaidUntil), Settings: st, UpdatedAt: Time(n.UpdatedAt)}
}

// DIDFields change an owned number.
type DIDFields struct {
	TrunkID             *int64            `json:"trunk_id,omitempty" minimum:"0"`
	Settings            map[string]string `json:"settings,omitempty" doc:"update_did parameters; an empty value clears one"`
	PreserveMissingData *bool             `json:"preserve_missing_data,omitempty" doc:"Keep the settings not given (default true here)"`
}

// NumberRequestView is a back-order of numbers not in stock.
type NumberRequestView struct {
	ID        ID                `json:"id"`
	AccountID ID                `json:"account_id"`
	Details   map[string]string `json:"details"`
	Status    string            `json:"status" enum:"open,fulfilled,cancelled"`
	CreatedAt Time              `json:"created_at"`
	UpdatedAt Time              `json:"updated_at"`
}

func numberRequestView(r number.Request) NumberRequestView {
	return NumberRequestView{ID: ID(r.ID), AccountID: ID(r.AccountID), Details: r.Details, Status: r.Status,
		CreatedAt: Time(r.CreatedAt), UpdatedAt: Time(r.UpdatedAt)}
}

// maxInventoryBytes bounds an uploaded inventory file.
const maxInventoryBytes = 256 << 20

func (a *API) registerNumbers() {
	svc := a.cfg.Numbers
	if svc == nil {
		return
	}
	const tag = "Numbers"
	register(a, op{id: "list-inventory", method: http.MethodGet, path: "/api/inventory", summary: "List inventory: every number to the operator, numbers in stock to others", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[InventoryView] }, error) {
			items, n, err := svc.Inventory(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, inventoryView), nil
		})
	register(a, op{id: "get-inventory-number", method: http.MethodGet, path: "/api/inventory/{id}", summary: "A number of inventory", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body InventoryView }, error) {
			id, err := decodeID(in.ID, "number")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			n, err := svc.InventoryNumber(ctx, who(ctx), id)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body InventoryView }{Body: inventoryView(n)}, nil
		})
	register(a, op{id: "create-inventory-number", method: http.MethodPost, path: "/api/inventory", summary: "Add one number to inventory (operator)", tag: tag},
		func(ctx context.Context, in *struct{ Body InventoryFields }) (*Created, error) {
			e := number.Entry{Number: in.Body.Number, Type: in.Body.Type, Country: in.Body.Country, State: in.Body.State,
				RateCenter: in.Body.RateCenter, City: in.Body.City, SMS: in.Body.SMS, MMS: in.Body.MMS, T38: in.Body.T38}
			for _, m := range []struct {
				field string
				in    *AmountInput
				out   *money.Amount
			}{{"setup_price", in.Body.SetupPrice, &e.Setup}, {"monthly_price", in.Body.MonthlyPrice, &e.Monthly}} {
				v, err := m.in.amount(m.field)
				if err != nil {
					return nil, a.fail(ctx, err)
				}
				if v != nil {
					*m.out = *v
				}
			}
			n, err := svc.Add(ctx, who(ctx), e)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(n.ID), nil
		})
	register(a, op{id: "import-inventory", method: http.MethodPost, path: "/api/inventory/import", summary: "Import a CSV of numbers into inventory, all or nothing (operator)", tag: tag, maxBody: maxInventoryBytes},
		func(ctx context.Context, in *struct {
			RawBody []byte `contentType:"text/csv"`
		}) (*struct{ Body InventoryImportResult }, error) {
			if p := who(ctx); !p.Operator || !p.CanWrite() {
				return nil, a.fail(ctx, problem.New(problem.Forbidden, "only the operator manages inventory"))
			}
			ns, err := svc.ParseCSV(bytes.NewReader(in.RawBody))
			if err != nil {
				return nil, a.importError(ctx, err)
			}
			if err := svc.Import(ctx, who(ctx), ns); err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body InventoryImportResult }{Body: InventoryImportResult{Imported: len(ns)}}, nil
		})
	destroyRoutes(a, tag, "inventory", "inventory number", func(ctx context.Context, p auth.Principal, id int64) error {
		return svc.Retire(ctx, p, id)
	})

	register(a, op{id: "list-dids", method: http.MethodGet, path: "/api/dids", summary: "List the numbers your tree owns", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[DIDView] }, error) {
			items, n, err := svc.Owned(ctx, who(ctx), number.OwnedFilter{}, in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, didView), nil
		})
	register(a, op{id: "get-did", method: http.MethodGet, path: "/api/dids/{id}", summary: "An owned number", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body DIDView }, error) {
			n, err := a.did(ctx, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body DIDView }{Body: didView(n)}, nil
		})
	register(a, op{id: "update-did", method: http.MethodPost, path: "/api/dids/{id}", summary: "Change an owned number's trunk and routing settings", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body DIDFields
		}) (*struct{ Body DIDView }, error) {
			n, err := a.did(ctx, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if in.Body.TrunkID != nil {
				n.TrunkID = *in.Body.TrunkID
			}
			if in.Body.Settings != nil {
				preserve := in.Body.PreserveMissingData == nil || *in.Body.PreserveMissingData
				if n.Settings, err = number.Merge(n.Settings, in.Body.Settings, preserve); err != nil {
					pe := problem.As(err)
					return nil, a.fail(ctx, &problem.Error{Code: pe.Code, Field: "settings." + pe.Field, Message: pe.Message})
				}
			}
			if err := svc.Update(ctx, who(ctx), n); err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body DIDView }{Body: didView(n)}, nil
		})
	destroyRoutes(a, tag, "dids", "did", func(ctx context.Context, p auth.Principal, id int64) error {
		n, err := svc.GetByID(ctx, p, id)
		if err != nil {
			return err
		}
		return svc.Release(ctx, p, n.E164)
	})

	register(a, op{id: "list-number-requests", method: http.MethodGet, path: "/api/number_requests", summary: "List back-orders of numbers not in stock (the operator's are everyone's)", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[NumberRequestView] }, error) {
			items, n, err := svc.Requests(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, numberRequestView), nil
		})
	register(a, op{id: "close-number-request", method: http.MethodPost, path: "/api/number_requests/{id}", summary: "Mark a back-order fulfilled or cancelled (operator)", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body struct {
				Status string `json:"status,omitempty" enum:"fulfilled,cancelled" doc:"Required"`
			}
		}) (*struct{}, error) {
			id, err := decodeID(in.ID, "number request")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if err := svc.CloseRequest(ctx, who(ctx), id, in.Body.Status); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})
}

// did resolves an owned number of the caller's tree by its id.
func (a *API) did(ctx context.Context, raw string) (number.Number, error) {
	id, err := decodeID(raw, "did")
	if err != nil {
		return number.Number{}, err
	}
	n, err := a.cfg.Numbers.GetByID(ctx, who(ctx), id)
	if problem.Is(err, problem.NotFound) {
		return n, problem.NotFoundf("no such did")
	}
	return n, err
}

// importError lists every bad line of a rejected inventory file.
func (a *API) importError(ctx context.Context, err error) error {
	var ie *number.ImportError
	if !errors.As(err, &ie) {
		return a.fail(ctx, err)
	}
	out := &Error{status: http.StatusBadRequest}
	for _, l := range ie.Lines {
		detail := fmt.Sprintf("line %d", l.Line)
		if l.Field != "" {
			detail += ": " + l.Field
		}
		out.Errors = append(out.Errors, ErrorItem{Code: "VALIDATE_FAILED", Message: l.Error(), Detail: detail})
	}
	return out
}

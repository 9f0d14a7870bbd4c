package native

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// AmountInput is a money amount in a request body, kept as sent until the
// handler parses it: encoding/json reports an Unmarshaler's error without
// the field it came from, and the native API names the field of every
// invalid value.
type AmountInput struct{ raw []byte }

// UnmarshalJSON keeps the value for amount.
func (a *AmountInput) UnmarshalJSON(b []byte) error {
	a.raw = slices.Clone(b)
	return nil
}

// Schema documents AmountInput as a money.Amount.
func (AmountInput) Schema(r huma.Registry) *huma.Schema { return money.Amount(0).Schema(r) }

// amount parses the value sent for field; nil stays nil.
func (a *AmountInput) amount(field string) (*money.Amount, error) {
	if a == nil {
		return nil, nil
	}
	var m money.Amount
	if err := json.Unmarshal(a.raw, &m); err != nil {
		return nil, problem.Field(field, "%s", strings.TrimPrefix(err.Error(), "money: "))
	}
	return &m, nil
}

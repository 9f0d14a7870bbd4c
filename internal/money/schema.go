package money

import "github.com/danielgtaylor/huma/v2"

// Schema documents Amount in OpenAPI as a number or a decimal string.
//
// Without it huma would describe Amount as a plain string (it treats every
// encoding.TextUnmarshaler so) and reject JSON numbers before
// UnmarshalJSON ever saw them. The string branch deliberately has no
// pattern: huma reports a failed oneOf only as "matched none", dropping the
// branch's own message, whereas leaving the format check to Parse during
// decoding yields an error that says what is wrong (e.g. too many decimals).
//
// A fresh schema is returned on every call because huma writes field tags
// (doc, nullable, ...) into the schema it is given.
func (Amount) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: "Decimal amount with at most 5 decimals, sent as a JSON " +
			"number or string; always returned as a string with exactly 5 decimals.",
		OneOf: []*huma.Schema{
			{Type: huma.TypeString, Format: "decimal", Examples: []any{"12.34500"}},
			{Type: huma.TypeNumber, Examples: []any{12.345}},
		},
		Examples: []any{"12.34500"},
	}
}

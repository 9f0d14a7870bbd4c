package native

import (
	"encoding/json"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"switchboard/internal/id"
	"switchboard/internal/problem"
)

// ID renders an entity id the native way: an opaque string (the base64 of
// the decimal id), as the native API documents.
type ID int64

// MarshalJSON writes the opaque string.
func (i ID) MarshalJSON() ([]byte, error) {
	if i == 0 {
		return []byte("null"), nil
	}
	return json.Marshal(id.EncodeNative(int64(i)))
}

// Schema documents ID as a string.
func (ID) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Description: "The unique ID of the resource.", Examples: []any{"NzAwNTUxOTA5NzczMTQ4MTYw"}, Nullable: true}
}

// decodeID turns a path id into an int64; an id that does not decode names
// nothing that exists, so it is NotFound.
func decodeID(s, what string) (int64, error) {
	n, err := id.DecodeNative(s)
	if err != nil || n <= 0 {
		return 0, problem.NotFoundf("no such %s", what)
	}
	return n, nil
}

// decodeRef decodes an optional id reference in a body, naming the field.
func decodeRef(field string, s *string) (*int64, error) {
	if s == nil {
		return nil, nil
	}
	if *s == "" {
		var zero int64
		return &zero, nil
	}
	n, err := id.DecodeNative(*s)
	if err != nil || n <= 0 {
		return nil, problem.Field(field, "is not a valid id")
	}
	return &n, nil
}

// Time renders times as RFC 3339 in UTC; the zero time as null.
type Time time.Time

// MarshalJSON writes RFC 3339 or null.
func (t Time) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(tt.UTC().Format(time.RFC3339Nano))
}

// Schema documents Time as a date-time string.
func (Time) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date-time", Nullable: true}
}

package carrier

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
)

// Pair is one key and value of a Fields object.
type Pair struct {
	Key   string
	Value any
}

// Fields is a JSON object that keeps its keys in the order they were added,
// so that answers list their keys as the document does ("status" first,
// then "success", "orderId", ...). encoding/json sorts map keys, which is
// why handlers answer Fields rather than maps when order matters.
//
// Keys are not deduplicated: the document's gen_order answer repeats
// "status" (the envelope's "200", then the order's "1"), and a handler that
// reproduces it may.
type Fields []Pair

// Field returns a Fields holding one key.
func Field(key string, value any) Fields { return Fields{{Key: key, Value: value}} }

// Add returns f with key appended.
func (f Fields) Add(key string, value any) Fields {
	return append(f, Pair{Key: key, Value: value})
}

// MarshalJSON renders f as an object in key order. A nil slice or map value
// renders as [] or {}: the document never answers null for a list.
func (f Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(emptyNotNull(p.Value))
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// emptyNotNull replaces a nil slice or map by an empty one.
func emptyNotNull(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice:
		if rv.IsNil() {
			return []struct{}{}
		}
	case reflect.Map:
		if rv.IsNil() {
			return struct{}{}
		}
	}
	return v
}

// errNotObject reports a handler result that does not render as an object.
var errNotObject = errors.New("carrier: handler result is not a JSON object")

// successBody renders the answer of a successful call: {"status":"200"}
// followed by the keys of result, in result's order. result may be nil,
// Fields, a map or a struct; anything that does not render as a JSON
// object is a programming error.
func successBody(result any) ([]byte, error) {
	const head = `{"status":"200"`
	if result == nil {
		return []byte(head + "}"), nil
	}
	raw, err := json.Marshal(emptyNotNull(result))
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" { // a typed nil pointer: nothing to add
		return []byte(head + "}"), nil
	}
	if len(raw) < 2 || raw[0] != '{' {
		return nil, errNotObject
	}
	inner := bytes.TrimSpace(raw[1 : len(raw)-1])
	out := make([]byte, 0, len(head)+len(inner)+2)
	out = append(out, head...)
	if len(inner) > 0 {
		out = append(out, ',')
		out = append(out, inner...)
	}
	return append(out, '}'), nil
}

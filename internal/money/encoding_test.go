package money_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"switchboard/internal/money"
)

type priced struct {
	Price money.Amount `json:"price"`
}

func TestMarshalJSON(t *testing.T) {
	tests := []struct {
		in   money.Amount
		want string
	}{
		{1234500, `{"price":"12.34500"}`},
		{-1, `{"price":"-0.00001"}`},
		{0, `{"price":"0.00000"}`},
		{math.MinInt64, `{"price":"-92233720368547.75808"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(priced{tt.in})
		if err != nil {
			t.Fatalf("Marshal(%d): %v", int64(tt.in), err)
		}
		if string(b) != tt.want {
			t.Errorf("Marshal(%d) = %s, want %s", int64(tt.in), b, tt.want)
		}
	}
}

func TestUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want money.Amount
	}{
		{`{"price":12.5}`, 1250000},
		{`{"price":"12.5"}`, 1250000},
		{`{"price":-0.00001}`, -1},
		{`{"price":"\u0031.5"}`, 150000}, // escapes are decoded before parsing
		// Exact beyond float64's 53-bit mantissa: a float round trip would
		// land on ...75808 or ...75806.
		{`{"price":92233720368547.75807}`, math.MaxInt64},
		{`{"price":"92233720368547.75807"}`, math.MaxInt64},
		{`{"price":0.1}`, 10000},
	}
	for _, tt := range tests {
		var p priced
		if err := json.Unmarshal([]byte(tt.in), &p); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if p.Price != tt.want {
			t.Errorf("Unmarshal(%s) = %d units, want %d", tt.in, p.Price, tt.want)
		}
	}
}

func TestUnmarshalJSONNullKeepsValue(t *testing.T) {
	p := priced{Price: 42}
	if err := json.Unmarshal([]byte(`{"price":null}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Price != 42 {
		t.Errorf("null changed the amount to %d", p.Price)
	}
}

func TestUnmarshalJSONRejects(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{`{"price":1e2}`, money.ErrInvalid},
		{`{"price":"1e2"}`, money.ErrInvalid},
		{`{"price":1.123456}`, money.ErrTooManyDecimals},
		{`{"price":"1.123456"}`, money.ErrTooManyDecimals},
		{`{"price":true}`, money.ErrInvalid},
		{`{"price":""}`, money.ErrInvalid},
		{`{"price":" 1"}`, money.ErrInvalid},
		{`{"price":[1]}`, money.ErrInvalid},
		{`{"price":{}}`, money.ErrInvalid},
		{`{"price":1e400}`, money.ErrInvalid},
		{`{"price":100000000000000000000}`, money.ErrOverflow},
	}
	for _, tt := range tests {
		p := priced{Price: 7}
		err := json.Unmarshal([]byte(tt.in), &p)
		if !errors.Is(err, tt.want) {
			t.Errorf("Unmarshal(%s) error = %v, want %v", tt.in, err, tt.want)
		}
		if p.Price != 7 {
			t.Errorf("Unmarshal(%s) overwrote the amount with %d despite failing", tt.in, p.Price)
		}
	}
}

func TestUnmarshalJSONDirectBadString(t *testing.T) {
	var a money.Amount
	if err := a.UnmarshalJSON([]byte(`"1.5`)); err == nil || !strings.HasPrefix(err.Error(), "money: ") {
		t.Errorf("unterminated string: got %v, want a money: error", err)
	}
}

func TestText(t *testing.T) {
	a := money.Amount(-123456789)
	b, err := a.MarshalText()
	if err != nil || string(b) != "-1234.56789" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var back money.Amount
	if err := back.UnmarshalText(b); err != nil || back != a {
		t.Fatalf("UnmarshalText(%q) = %d, %v", b, back, err)
	}
	if err := back.UnmarshalText([]byte("1.0000001")); !errors.Is(err, money.ErrTooManyDecimals) {
		t.Errorf("UnmarshalText accepted too many decimals: %v", err)
	}
	if back != a {
		t.Errorf("failed UnmarshalText changed the amount to %d", back)
	}
	// Map keys go through TextMarshaler, so they must stay exact too.
	m, err := json.Marshal(map[money.Amount]int{1: 1})
	if err != nil || string(m) != `{"0.00001":1}` {
		t.Errorf("map key marshal = %s, %v", m, err)
	}
}

func TestValue(t *testing.T) {
	v, err := money.Amount(150000).Value()
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := v.(int64); !ok || n != 150000 {
		t.Errorf("Value() = %#v, want int64(150000)", v)
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		src  any
		want money.Amount
	}{
		{int64(150000), 150000},
		{int64(math.MinInt64), math.MinInt64},
		{[]byte("-42"), -42},
		{"9223372036854775807", math.MaxInt64},
	}
	for _, tt := range tests {
		var a money.Amount
		if err := a.Scan(tt.src); err != nil {
			t.Errorf("Scan(%#v): %v", tt.src, err)
			continue
		}
		if a != tt.want {
			t.Errorf("Scan(%#v) = %d, want %d", tt.src, a, tt.want)
		}
	}
}

func TestScanRejects(t *testing.T) {
	tests := []struct {
		src  any
		want error
	}{
		{nil, money.ErrInvalid},
		{1.5, money.ErrInvalid},
		{"1.5", money.ErrInvalid},
		{[]byte(""), money.ErrInvalid},
		{"9223372036854775808", money.ErrOverflow},
		{true, money.ErrInvalid},
	}
	for _, tt := range tests {
		a := money.Amount(7)
		err := a.Scan(tt.src)
		if !errors.Is(err, tt.want) {
			t.Errorf("Scan(%#v) error = %v, want %v", tt.src, err, tt.want)
		}
		if a != 7 {
			t.Errorf("failed Scan(%#v) changed the amount to %d", tt.src, a)
		}
	}
}

// The interfaces the database layer relies on.
var (
	_ sql.Scanner    = (*money.Amount)(nil)
	_ json.Marshaler = money.Amount(0)
)

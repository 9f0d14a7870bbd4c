package money_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"

	"switchboard/internal/money"
)

type priceInput struct {
	Body struct {
		Price money.Amount `json:"price"`
	}
}

type priceOutput struct {
	Body struct {
		Units int64        `json:"units"`
		Price money.Amount `json:"price"`
	}
}

func newPriceAPI(t *testing.T) humatest.TestAPI {
	_, api := humatest.New(t)
	huma.Post(api, "/price", func(_ context.Context, in *priceInput) (*priceOutput, error) {
		out := &priceOutput{}
		out.Body.Units = in.Body.Price.Units()
		out.Body.Price = in.Body.Price
		return out, nil
	})
	return api
}

func TestHumaAcceptsNumberAndString(t *testing.T) {
	api := newPriceAPI(t)
	tests := []struct {
		body  string
		units int64
		price string
	}{
		{`{"price": 1.5}`, 150000, "1.50000"},
		{`{"price": "1.5"}`, 150000, "1.50000"},
		{`{"price": -0.00001}`, -1, "-0.00001"},
		{`{"price": "92233720368547.75807"}`, 9223372036854775807, "92233720368547.75807"},
	}
	for _, tt := range tests {
		resp := api.Post("/price", strings.NewReader(tt.body))
		if resp.Code != http.StatusOK {
			t.Errorf("POST %s: status %d: %s", tt.body, resp.Code, resp.Body)
			continue
		}
		var got struct {
			Units int64  `json:"units"`
			Price string `json:"price"`
		}
		if err := json.Unmarshal(resp.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Units != tt.units || got.Price != tt.price {
			t.Errorf("POST %s: got %+v, want %d units rendered %q", tt.body, got, tt.units, tt.price)
		}
	}
}

func TestHumaRejects(t *testing.T) {
	api := newPriceAPI(t)
	tests := []struct {
		body    string
		message string // fragment the error response must contain
	}{
		{`{"price": "1.123456"}`, "more than 5 decimals"},
		{`{"price": 1.123456}`, "more than 5 decimals"},
		{`{"price": true}`, "expected value to match exactly one schema"},
		{`{"price": "abc"}`, "not a valid amount"},
		{`{"price": 1e2}`, "exponents are not supported"},
		{`{"price": {}}`, "expected value to match exactly one schema"},
	}
	for _, tt := range tests {
		resp := api.Post("/price", strings.NewReader(tt.body))
		if resp.Code < 400 || resp.Code >= 500 {
			t.Errorf("POST %s: status %d, want 4xx", tt.body, resp.Code)
			continue
		}
		if !strings.Contains(resp.Body.String(), tt.message) {
			t.Errorf("POST %s: response %s does not mention %q", tt.body, resp.Body, tt.message)
		}
	}
}

func TestHumaDocumentsBothTypes(t *testing.T) {
	api := newPriceAPI(t)
	op := api.OpenAPI().Paths["/price"].Post
	schema := op.RequestBody.Content["application/json"].Schema
	if schema.Ref != "" {
		schema = api.OpenAPI().Components.Schemas.SchemaFromRef(schema.Ref)
	}
	price := schema.Properties["price"]
	if price == nil {
		t.Fatalf("no price property in %+v", schema)
	}
	var types []string
	for _, s := range price.OneOf {
		types = append(types, s.Type)
	}
	if strings.Join(types, ",") != "string,number" {
		t.Errorf("price oneOf types = %v, want string and number", types)
	}
}

package carrier_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/api/carrier"
)

type order struct {
	OrderID string `json:"orderId"`
	Date    string `json:"date"`
}

// TestSuccessShapes compares whole success answers with the document's
// shapes: "status" first, then the handler's keys in the handler's order.
func TestSuccessShapes(t *testing.T) {
	tests := []struct {
		name   string
		result any
		want   string
	}{
		{"nil", nil, `{"status":"200"}`},
		{"empty fields", carrier.Fields{}, `{"status":"200"}`},
		{
			"fields keep order", // process_order's answer
			carrier.Field("success", "Order Processed Successfully.").Add("orderId", "123456"),
			`{"status":"200","success":"Order Processed Successfully.","orderId":"123456"}`,
		},
		{
			"list of rows", // availabilitynpanxx's answer
			carrier.Field("data", []carrier.Fields{
				carrier.Field("NPANXX", "206219").Add("NPA", "206").Add("RateCenter", "SEATTLE"),
			}),
			`{"status":"200","data":[{"NPANXX":"206219","NPA":"206","RateCenter":"SEATTLE"}]}`,
		},
		{"nil list is empty", carrier.Field("data", []string(nil)), `{"status":"200","data":[]}`},
		{
			"repeated status key", // gen_order's answer repeats "status"
			carrier.Field("success", "Order Generated successfully.").Add("status", "1"),
			`{"status":"200","success":"Order Generated successfully.","status":"1"}`,
		},
		{"struct keeps field order", order{OrderID: "9", Date: "2015-01-26 11:58:02"}, `{"status":"200","orderId":"9","date":"2015-01-26 11:58:02"}`},
		{"typed nil pointer", (*order)(nil), `{"status":"200"}`},
		{"map sorts keys", map[string]string{"b": "2", "a": "1"}, `{"status":"200","a":"1","b":"2"}`},
		{"nil map", map[string]string(nil), `{"status":"200"}`},
		{"escaping", carrier.Field(`k"<`, "a&b"), `{"status":"200","k\"\u003c":"a\u0026b"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, carrier.Config{})
			e.d.Handle("get_invoices", func(context.Context, *carrier.Request) (any, error) { return tt.result, nil })
			e.get(t, "get_invoices", creds).check(t, http.StatusOK, tt.want)
		})
	}
}

// TestRouting covers what is answered before any handler runs.
func TestRouting(t *testing.T) {
	e := newEnv(t, carrier.Config{})
	e.d.Handle("gen_order", func(_ context.Context, req *carrier.Request) (any, error) {
		return carrier.Field("endpoint", req.Endpoint).Add("called", req.Called), nil
	})
	e.d.Handle("defineTrunk", func(_ context.Context, req *carrier.Request) (any, error) {
		return carrier.Field("endpoint", req.Endpoint), nil
	})
	form := creds + "&trunk_id=1&reserveId=2"
	tests := []struct {
		name         string
		method, path string
		body         string
		status       int
		want         string
	}{
		{"unknown endpoint", "POST", "/carrier/no_such_thing", form, 404, `{"status":"404","error":"Invalid endpoint"}`},
		{"no endpoint", "POST", "/carrier/", form, 404, `{"status":"404","error":"Invalid endpoint"}`},
		{"nested path", "POST", "/carrier/gen_order/x", form, 404, `{"status":"404","error":"Invalid endpoint"}`},
		{"escaped slash", "POST", "/carrier/gen_order%2Fx", form, 404, `{"status":"404","error":"Invalid endpoint"}`},
		{"known, not implemented", "POST", "/carrier/searchtfn", form, 501, `{"status":"501","error":"Not implemented: searchtfn"}`},
		{"legacy name, not implemented", "POST", "/carrier/generate_new_order", form, 501, `{"status":"501","error":"Not implemented: generate_new_order"}`},
		{"implemented", "POST", "/carrier/gen_order", form, 200, `{"status":"200","endpoint":"gen_order","called":"gen_order"}`},
		{"trailing slash", "POST", "/carrier/gen_order/", form, 200, `{"status":"200","endpoint":"gen_order","called":"gen_order"}`},
		{"alias of the document", "POST", "/carrier/gen_did_order", form, 200, `{"status":"200","endpoint":"gen_order","called":"gen_did_order"}`},
		{"other case", "POST", "/carrier/DEFINETRUNK", form + "&title=t&primaryTrunk=10.0.0.1&billingType=Metered", 200, `{"status":"200","endpoint":"defineTrunk"}`},
		{"GET works too", "GET", "/carrier/gen_order?" + form, "", 200, `{"status":"200","endpoint":"gen_order","called":"gen_order"}`},
		{"wrong method", "PUT", "/carrier/gen_order", form, 405, `{"status":"405","error":"Method not allowed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := ""
			if tt.body != "" {
				ct = "application/x-www-form-urlencoded"
			}
			r := e.do(t, tt.method, tt.path, ct, tt.body)
			r.check(t, tt.status, tt.want)
			if tt.status == 405 && r.header.Get("Allow") != "GET, HEAD, POST" {
				t.Fatalf("Allow %q", r.header.Get("Allow"))
			}
		})
	}
}

// TestRequired checks that the document's required parameters are enforced
// before the handler runs, first missing first.
func TestRequired(t *testing.T) {
	e := newEnv(t, carrier.Config{})
	called := 0
	h := func(context.Context, *carrier.Request) (any, error) { called++; return nil, nil }
	e.d.Handle("reserve", h)
	e.d.Handle("make_payment", h)
	e.d.Handle("generate_lnp_order", h)
	tests := []struct {
		name, endpoint, form string
		want                 string
	}{
		{"none", "reserve", "", `{"status":"404","error":"Invalid category"}`},
		{"second", "reserve", "&category=landline", `{"status":"404","error":"Invalid number"}`},
		{"blank counts as missing", "reserve", "&category=landline&number=+", `{"status":"404","error":"Invalid number"}`},
		{"other case", "reserve", "&Category=landline&NUMBER=2065550100", `{"status":"200"}`},
		{"payment", "make_payment", "&firstname=a&lastname=b&cardnumber=4111111111111111&expmonth=1&expyear=2030", `{"status":"404","error":"Invalid cvv"}`},
		{"files", "generate_lnp_order", "&numbers=12065550100&category=landline&subscriberType=business&loaAuthorizingPerson=A+B", `{"status":"404","error":"Invalid loa_doc"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := called
			r := e.postForm(t, tt.endpoint, creds+tt.form)
			status := http.StatusNotFound
			if strings.Contains(tt.want, `"200"`) {
				status = http.StatusOK
			}
			r.check(t, status, tt.want)
			if ran := called > before; ran != (status == http.StatusOK) {
				t.Fatalf("handler ran: %v", ran)
			}
		})
	}
}

// TestPanicRecovered checks that a panicking handler answers the dialect's
// 500, logs the panic and leaks nothing of it.
func TestPanicRecovered(t *testing.T) {
	e := newEnv(t, carrier.Config{})
	e.d.Handle("get_trunk", func(context.Context, *carrier.Request) (any, error) {
		panic("secret-detail-42")
	})
	e.get(t, "get_trunk", creds).check(t, http.StatusInternalServerError, `{"status":"500","error":"Internal error"}`)
	log := e.log.String()
	if !strings.Contains(log, "secret-detail-42") || !strings.Contains(log, "get_trunk") {
		t.Fatalf("panic not logged: %s", log)
	}
	if strings.Count(log, "secret-detail-42") != 1 {
		t.Fatalf("panic logged more than once: %s", log)
	}
}

// TestResultNotObject checks that a handler answering something that is no
// JSON object is a logged internal error, not a broken answer.
func TestResultNotObject(t *testing.T) {
	e := newEnv(t, carrier.Config{})
	e.d.Handle("get_trunk", func(context.Context, *carrier.Request) (any, error) { return []string{"x"}, nil })
	e.get(t, "get_trunk", creds).check(t, http.StatusInternalServerError, `{"status":"500","error":"Internal error"}`)
	if !strings.Contains(e.log.String(), "not a JSON object") {
		t.Fatalf("not logged: %s", e.log.String())
	}
}

func TestHandlePanics(t *testing.T) {
	h := func(context.Context, *carrier.Request) (any, error) { return nil, nil }
	tests := []struct {
		name string
		reg  func(d *carrier.Dialect)
	}{
		{"unknown", func(d *carrier.Dialect) { d.Handle("nope", h) }},
		{"alias", func(d *carrier.Dialect) { d.Handle("gen_did_order", h) }},
		{"nil", func(d *carrier.Dialect) { d.Handle("gen_order", nil) }},
		{"twice", func(d *carrier.Dialect) { d.Handle("gen_order", h); d.Handle("GEN_ORDER", h) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := carrier.New(carrier.Config{Auth: newAuth()})
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tt.reg(d)
		})
	}
}

func TestNewWithoutAuthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	carrier.New(carrier.Config{})
}

func TestImplemented(t *testing.T) {
	d := carrier.New(carrier.Config{Auth: newAuth()})
	h := func(context.Context, *carrier.Request) (any, error) { return nil, nil }
	d.Handle("make_payment", h)
	d.Handle("gen_order", h)
	got := strings.Join(d.Implemented(), ",")
	if want := "gen_order,make_payment,gen_did_order"; got != want {
		t.Fatalf("Implemented() = %s, want %s", got, want)
	}
}

package carrier_test

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/api/carrier"
	"switchboard/internal/problem"
)

func newRequest(q string) *carrier.Request {
	v, _ := url.ParseQuery(q)
	return &carrier.Request{Params: v}
}

// fieldOf returns the Field of err, which must be an Invalid *problem.Error.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Code != problem.Invalid {
		t.Fatalf("error %v is not an Invalid *problem.Error", err)
	}
	return pe.Field
}

func TestAccessors(t *testing.T) {
	type call func(r *carrier.Request) (any, error)
	tests := []struct {
		name    string
		query   string
		call    call
		want    any
		errWant string // the Field of the expected error, "" for none
	}{
		{"string", "title=+Main+", func(r *carrier.Request) (any, error) { return r.String("title") }, "Main", ""},
		{"string missing", "", func(r *carrier.Request) (any, error) { return r.String("title") }, "", "title"},
		{"string blank", "title=%20", func(r *carrier.Request) (any, error) { return r.String("title") }, "", "title"},
		{"string other case", "TrunkId=7", func(r *carrier.Request) (any, error) { return r.String("trunkid") }, "7", ""},
		{"string php list spelling", "number[]=5", func(r *carrier.Request) (any, error) { return r.String("number") }, "5", ""},
		{"optional string", "", func(r *carrier.Request) (any, error) { return r.OptionalString("city", "any"), nil }, "any", ""},
		{"int", "quantity=1000", func(r *carrier.Request) (any, error) { return r.Int("quantity") }, int64(1000), ""},
		{"int missing", "", func(r *carrier.Request) (any, error) { return r.Int("quantity") }, int64(0), "quantity"},
		{"int bad", "quantity=ten", func(r *carrier.Request) (any, error) { return r.Int("quantity") }, int64(0), "quantity"},
		{"int overflow", "quantity=99999999999999999999", func(r *carrier.Request) (any, error) { return r.Int("quantity") }, int64(0), "quantity"},
		{"optional int default", "", func(r *carrier.Request) (any, error) { return r.OptionalInt("month", 12) }, int64(12), ""},
		{"optional int bad", "month=x", func(r *carrier.Request) (any, error) { return r.OptionalInt("month", 12) }, int64(0), "month"},
		{"bool 1", "b=1", func(r *carrier.Request) (any, error) { return r.Bool("b", false) }, true, ""},
		{"bool TRUE", "b=TRUE", func(r *carrier.Request) (any, error) { return r.Bool("b", false) }, true, ""},
		{"bool no", "b=no", func(r *carrier.Request) (any, error) { return r.Bool("b", true) }, false, ""},
		{"bool default", "", func(r *carrier.Request) (any, error) { return r.Bool("b", true) }, true, ""},
		{"bool bad", "b=maybe", func(r *carrier.Request) (any, error) { return r.Bool("b", true) }, false, "b"},
		{"list", "number=2065550100+,+2065550101,,&number=2065550102", func(r *carrier.Request) (any, error) { return r.List("number"), nil }, []string{"2065550100", "2065550101", "2065550102"}, ""},
		{"list php spelling", "number[]=1&number[]=2", func(r *carrier.Request) (any, error) { return r.List("number"), nil }, []string{"1", "2"}, ""},
		{"list other case", "NUMBERS=1,2", func(r *carrier.Request) (any, error) { return r.List("numbers"), nil }, []string{"1", "2"}, ""},
		{"list absent", "", func(r *carrier.Request) (any, error) { return r.List("number"), nil }, []string(nil), ""},
		{"int list", "tg_id=3,4", func(r *carrier.Request) (any, error) { return r.IntList("tg_id") }, []int64{3, 4}, ""},
		{"int list bad", "tg_id=3,x", func(r *carrier.Request) (any, error) { return r.IntList("tg_id") }, []int64(nil), "tg_id"},
		{"has", "a=1", func(r *carrier.Request) (any, error) { return r.Has("a") && !r.Has("b"), nil }, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call(newRequest(tt.query))
			if tt.errWant != "" {
				if f := fieldOf(t, err); f != tt.errWant {
					t.Fatalf("error field %q, want %q", f, tt.errWant)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDates(t *testing.T) {
	day := time.Date(2015, 4, 29, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, query string
		dateTime    bool
		want        time.Time
		ok          bool
		bad         bool
	}{
		{"date", "from=2015-04-29", false, day, true, false},
		{"date absent", "", false, time.Time{}, false, false},
		{"date one-digit month", "from=2015-4-29", false, time.Time{}, false, true},
		{"date impossible", "from=2015-02-30", false, time.Time{}, false, true},
		{"date with time", "from=2015-04-29+00:00:00", false, time.Time{}, false, true},
		{"datetime", "from=2015-04-29+15:30:00", true, day.Add(15*time.Hour + 30*time.Minute), true, false},
		{"datetime iso zone", "from=2015-04-29T17:30:00%2B02:00", true, day.Add(15*time.Hour + 30*time.Minute), true, false},
		{"datetime bare date", "from=2015-04-29", true, day, true, false},
		{"datetime bad", "from=yesterday", true, time.Time{}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.query)
			var got time.Time
			var ok bool
			var err error
			if tt.dateTime {
				got, ok, err = r.DateTime("from")
			} else {
				got, ok, err = r.Date("from")
			}
			if tt.bad {
				if f := fieldOf(t, err); f != "from" {
					t.Fatalf("field %q", f)
				}
				return
			}
			if err != nil || ok != tt.ok || !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("got %v %v %v, want %v %v", got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

// TestAccessorErrorsRender checks an accessor's error, returned as is, is
// the document's answer: shown through the handler in errors_test, here
// through its message so a refactor cannot drop the field.
func TestAccessorErrorsRender(t *testing.T) {
	_, err := newRequest("").Int("orderId")
	if got := fmt.Sprint(err); got != "orderId: is required" {
		t.Fatalf("got %q", got)
	}
}

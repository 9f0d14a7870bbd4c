package voicemeup_test

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/api/voicemeup"
	"switchboard/internal/problem"
)

func reqOf(query string) *voicemeup.Request {
	v, err := url.ParseQuery(query)
	if err != nil {
		panic(err)
	}
	return &voicemeup.Request{Params: v}
}

// checkErr asserts err is nil (field == "") or a *problem.Error naming field.
func checkErr(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Code != problem.Invalid || pe.Field != field {
		t.Fatalf("error %#v, want Invalid on %q", err, field)
	}
}

func TestAccessors(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		call    func(r *voicemeup.Request) (any, error)
		want    any
		errOn   string
		missing bool // the error must read as a missing parameter
	}{
		{"string", "a=%20x%20", func(r *voicemeup.Request) (any, error) { return r.String("a") }, "x", "", false},
		{"string missing", "", func(r *voicemeup.Request) (any, error) { return r.String("a") }, "", "a", true},
		{"string blank is missing", "a=%20", func(r *voicemeup.Request) (any, error) { return r.String("a") }, "", "a", true},
		{"optional string default", "", func(r *voicemeup.Request) (any, error) { return r.OptionalString("a", "d"), nil }, "d", "", false},
		{"php array spelling", "a[]=v", func(r *voicemeup.Request) (any, error) { return r.OptionalString("a", ""), nil }, "v", "", false},

		{"int", "n=42", func(r *voicemeup.Request) (any, error) { return r.Int("n") }, int64(42), "", false},
		{"int negative", "n=-3", func(r *voicemeup.Request) (any, error) { return r.Int("n") }, int64(-3), "", false},
		{"int missing", "", func(r *voicemeup.Request) (any, error) { return r.Int("n") }, int64(0), "n", true},
		{"int garbage", "n=4x", func(r *voicemeup.Request) (any, error) { return r.Int("n") }, int64(0), "n", false},
		{"int overflow", "n=99999999999999999999", func(r *voicemeup.Request) (any, error) { return r.Int("n") }, int64(0), "n", false},
		{"optional int default", "", func(r *voicemeup.Request) (any, error) { return r.OptionalInt("n", 25) }, int64(25), "", false},
		{"range ok", "result_limit=1000", func(r *voicemeup.Request) (any, error) { return r.IntRange("result_limit", 25, 1, 1000) }, int64(1000), "", false},
		{"range low", "result_limit=0", func(r *voicemeup.Request) (any, error) { return r.IntRange("result_limit", 25, 1, 1000) }, int64(0), "result_limit", false},
		{"range high", "result_limit=1001", func(r *voicemeup.Request) (any, error) { return r.IntRange("result_limit", 25, 1, 1000) }, int64(0), "result_limit", false},
		{"range default", "", func(r *voicemeup.Request) (any, error) { return r.IntRange("result_limit", 25, 1, 1000) }, int64(25), "", false},

		{"bool 1", "b=1", func(r *voicemeup.Request) (any, error) { return r.Bool("b", false) }, true, "", false},
		{"bool 0", "b=0", func(r *voicemeup.Request) (any, error) { return r.Bool("b", true) }, false, "", false},
		{"bool yes", "b=YES", func(r *voicemeup.Request) (any, error) { return r.Bool("b", false) }, true, "", false},
		{"bool no", "b=no", func(r *voicemeup.Request) (any, error) { return r.Bool("b", true) }, false, "", false},
		{"bool TRUE", "b=TRUE", func(r *voicemeup.Request) (any, error) { return r.Bool("b", false) }, true, "", false},
		{"bool false", "b=false", func(r *voicemeup.Request) (any, error) { return r.Bool("b", true) }, false, "", false},
		{"bool default", "", func(r *voicemeup.Request) (any, error) { return r.Bool("b", true) }, true, "", false},
		{"bool garbage", "b=2", func(r *voicemeup.Request) (any, error) { return r.Bool("b", false) }, false, "b", false},

		{"one of", "mode=create", func(r *voicemeup.Request) (any, error) { return r.OneOf("mode", "update", "update", "create") }, "create", "", false},
		{"one of default", "", func(r *voicemeup.Request) (any, error) { return r.OneOf("mode", "update", "update", "create") }, "update", "", false},
		{"one of bad", "mode=destroy", func(r *voicemeup.Request) (any, error) { return r.OneOf("mode", "update", "update", "create") }, "", "mode", false},

		{"list", "ids=1,%202,,3&ids=4", func(r *voicemeup.Request) (any, error) { return r.List("ids"), nil }, []string{"1", "2", "3", "4"}, "", false},
		{"list php array", "options[]=a&options[]=b,c", func(r *voicemeup.Request) (any, error) { return r.List("options"), nil }, []string{"a", "b", "c"}, "", false},
		{"list absent", "", func(r *voicemeup.Request) (any, error) { return r.List("ids"), nil }, []string(nil), "", false},
		{"int list", "ids=1,2", func(r *voicemeup.Request) (any, error) { return r.IntList("ids") }, []int64{1, 2}, "", false},
		{"int list bad", "ids=1,two", func(r *voicemeup.Request) (any, error) { return r.IntList("ids") }, []int64(nil), "ids", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call(reqOf(tt.query))
			checkErr(t, err, tt.errOn)
			if tt.errOn != "" {
				var pe *problem.Error
				errors.As(err, &pe)
				missing := pe.Message == "is required"
				if missing != tt.missing {
					t.Errorf("missing=%v for %v", missing, err)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDates(t *testing.T) {
	tests := []struct {
		query  string
		want   time.Time
		ok     bool
		errOn  string
		isTime bool
	}{
		{query: "date_from=2024-02-29", want: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), ok: true},
		{query: "date_from=2023-02-29", errOn: "date_from"},
		{query: "date_from=2024-2-1", errOn: "date_from"},
		{query: "date_from=20240201", errOn: "date_from"},
		{query: "date_from=2024-02-01T00:00:00Z", errOn: "date_from"},
		{query: ""},
		{query: "date_from=2024-02-01%2013:14:15", want: time.Date(2024, 2, 1, 13, 14, 15, 0, time.UTC), ok: true, isTime: true},
		{query: "date_from=2024-02-01", errOn: "date_from", isTime: true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := reqOf(tt.query)
			get := r.Date
			if tt.isTime {
				get = r.DateTime
			}
			got, ok, err := get("date_from")
			checkErr(t, err, tt.errOn)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("got %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestGroup(t *testing.T) {
	r := reqOf("sources[1][type]=peer&sources[1][value]=alice&sources[0][type]=number&sources[0][value]=5145551234" +
		"&sources[x][type]=bad&sources[2]=flat&sources[3][a][b]=deep&destinations[0][type]=uri&sources=plain")
	got := r.Group("sources")
	want := []map[string]string{
		{"type": "number", "value": "5145551234"},
		{"type": "peer", "value": "alice"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if g := r.Group("action"); len(g) != 0 {
		t.Errorf("absent group %v", g)
	}
}

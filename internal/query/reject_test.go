package query_test

import (
	"errors"
	"strings"
	"testing"

	"switchboard/internal/query"
)

// rejectCases are compiled against rateSpec; FuzzFilter reuses them as seeds.
var rejectCases = []struct {
	name  string
	p     query.Params
	param string
	field string
	msg   string // substring of Msg
}{
	{"unknown field", query.Params{Filter: "foo eq 1"}, "filter", "foo", `unknown field "foo"`},
	{"field names are case-sensitive", query.Params{Filter: "Prefix eq '1'"}, "filter", "Prefix", `unknown field "Prefix"`},
	{"unknown field in function", query.Params{Filter: "contains(foo,'x')"}, "filter", "foo", `unknown field "foo"`},
	{"unknown field on the right", query.Params{Filter: "1 eq foo"}, "filter", "foo", `unknown field "foo"`},
	{"unknown field deep in the tree", query.Params{Filter: "prefix eq '1' and (not bar eq 2)"}, "filter", "bar", `unknown field "bar"`},
	{"enum value not allowed", query.Params{Filter: "type eq 'local'"}, "filter", "type", "LOCAL, NATIONAL, INTERNATIONAL, MOBILE"},
	{"string literal on int", query.Params{Filter: "interval_1 eq '5'"}, "filter", "interval_1", "takes integer values"},
	{"number on string", query.Params{Filter: "prefix eq 101"}, "filter", "prefix", "takes string values"},
	{"number on enum", query.Params{Filter: "type ne 1"}, "filter", "type", "takes enum values"},
	{"int on bool", query.Params{Filter: "enabled eq 1"}, "filter", "enabled", "takes boolean values"},
	{"bool ordering", query.Params{Filter: "enabled gt false"}, "filter", "enabled", "eq or ne"},
	{"bool on int", query.Params{Filter: "interval_1 eq true"}, "filter", "interval_1", "takes integer values"},
	{"decimal on int", query.Params{Filter: "interval_1 eq 1.5"}, "filter", "interval_1", "64-bit integer"},
	{"int overflow", query.Params{Filter: "interval_1 eq 99999999999999999999"}, "filter", "interval_1", "64-bit integer"},
	{"money six decimals", query.Params{Filter: "price_1 eq 0.000001"}, "filter", "price_1", "more than 5 decimal"},
	{"money exponent", query.Params{Filter: "price_1 eq 1e5"}, "filter", "price_1", "not a number"},
	{"money trailing dot", query.Params{Filter: "price_1 eq 1."}, "filter", "price_1", "not a number"},
	{"money quoted", query.Params{Filter: "price_1 eq '1.5'"}, "filter", "price_1", "decimal"},
	{"money overflow", query.Params{Filter: "price_1 eq 92233720368547.75808"}, "filter", "price_1", "out of range"},
	{"datetime words", query.Params{Filter: "created_at gt 'yesterday'"}, "filter", "created_at", "is not like 2024-05-01T00:00:00Z"},
	{"datetime nanoseconds", query.Params{Filter: "created_at gt 2024-05-01T00:00:00.0000001Z"}, "filter", "created_at", "microsecond"},
	{"datetime as integer", query.Params{Filter: "created_at gt 1714521600"}, "filter", "created_at", "is not like 2024-05-01T00:00:00Z"},
	{"datetime without zone", query.Params{Filter: "created_at gt '2024-05-01T00:00:00'"}, "filter", "created_at", "datetime"},
	{"function on int", query.Params{Filter: "contains(interval_1,'5')"}, "filter", "interval_1", "text fields"},
	{"function needs string", query.Params{Filter: "startswith(prefix, 5)"}, "filter", "prefix", "quoted string"},
	{"function field first", query.Params{Filter: "contains('x', prefix)"}, "filter", "", "field name"},
	{"undocumented function", query.Params{Filter: "substringof('1',prefix)"}, "filter", "", `unknown function "substringof"`},
	{"function unclosed", query.Params{Filter: "contains(prefix,'x'"}, "filter", "prefix", `")"`},
	{"null ordering", query.Params{Filter: "description gt null"}, "filter", "description", "null"},
	{"unterminated string", query.Params{Filter: "prefix eq 'abc"}, "filter", "", "unterminated string starting at offset 10"},
	{"unterminated after escaped quote", query.Params{Filter: "prefix eq 'abc''"}, "filter", "", "unterminated string"},
	{"nesting too deep", query.Params{Filter: strings.Repeat("(", query.MaxFilterDepth+1) + "prefix eq '1'" + strings.Repeat(")", query.MaxFilterDepth+1)}, "filter", "", "nesting deeper than 32"},
	{"not nesting too deep", query.Params{Filter: strings.Repeat("not ", query.MaxFilterDepth+1) + "prefix eq '1'"}, "filter", "", "nesting deeper than 32"},
	{"too long", query.Params{Filter: "prefix eq '" + strings.Repeat("x", query.MaxFilterBytes) + "'"}, "filter", "", "at most 2000 bytes"},
	{"too many comparisons", query.Params{Filter: strings.TrimSuffix(strings.Repeat("interval_1 eq 1 or ", query.MaxComparisons+1), " or ")}, "filter", "", "at most 100 comparisons"},
	{"trailing field", query.Params{Filter: "prefix eq '1' prefix"}, "filter", "", `unexpected "prefix" at offset 14`},
	{"trailing paren", query.Params{Filter: "prefix eq '1')"}, "filter", "", `unexpected ")"`},
	{"dangling and", query.Params{Filter: "prefix eq '1' and"}, "filter", "", "end of filter"},
	{"doubled connective", query.Params{Filter: "prefix eq '1' or or prefix eq '2'"}, "filter", "", `expected a comparison at offset 17, got "or"`},
	{"missing close paren", query.Params{Filter: "(prefix eq '1'"}, "filter", "", `expected ")"`},
	{"missing operator", query.Params{Filter: "prefix '1'"}, "filter", "prefix", "expected eq, ne"},
	{"missing value", query.Params{Filter: "prefix eq"}, "filter", "prefix", "expected a value"},
	{"symbolic operator", query.Params{Filter: "prefix = '1'"}, "filter", "", `unexpected character '='`},
	{"double quotes", query.Params{Filter: `prefix eq "1"`}, "filter", "", `unexpected character '"'`},
	{"literal compared with literal", query.Params{Filter: "1 eq 1"}, "filter", "", "field name"},
	{"NUL in literal", query.Params{Filter: "prefix eq 'a\x00b'"}, "filter", "prefix", "NUL"},
	{"invalid UTF-8 in literal", query.Params{Filter: "prefix eq '\xff'"}, "filter", "prefix", "UTF-8"},
	{"orderby unknown field", query.Params{OrderBy: "foo desc"}, "orderby", "foo", `unknown field "foo"`},
	{"orderby duplicate", query.Params{OrderBy: "prefix, interval_1, prefix desc"}, "orderby", "prefix", "more than once"},
	{"orderby not sortable", query.Params{OrderBy: "secret"}, "orderby", "secret", "not sortable"},
	{"orderby bad direction", query.Params{OrderBy: "prefix up"}, "orderby", "prefix", "asc or desc"},
	{"orderby extra words", query.Params{OrderBy: "prefix asc nulls"}, "orderby", "", "field [asc|desc]"},
	{"orderby empty key", query.Params{OrderBy: "prefix,"}, "orderby", "", "field [asc|desc]"},
	{"orderby too many keys", query.Params{OrderBy: "prefix,type,interval_1,enabled,created_at,price_1"}, "orderby", "", "at most 5 keys"},
	{"top zero", query.Params{Top: "0"}, "top", "", "from 1 to 100"},
	{"top too big", query.Params{Top: "101"}, "top", "", "from 1 to 100"},
	{"top not a number", query.Params{Top: "abc"}, "top", "", "not an integer"},
	{"top with sign", query.Params{Top: "+5"}, "top", "", "not an integer"},
	{"top huge", query.Params{Top: "99999999999999999999999"}, "top", "", "from 1 to 100"},
	{"skip negative", query.Params{Skip: "-1"}, "skip", "", "from 0 to 10000000"},
	{"skip decimal", query.Params{Skip: "1.5"}, "skip", "", "not an integer"},
	{"skip too big", query.Params{Skip: "10000001"}, "skip", "", "from 0 to 10000000"},
	{"search too long", query.Params{Search: strings.Repeat("é", query.MaxSearchRunes+1)}, "search", "", "at most 200 characters"},
	{"search invalid UTF-8", query.Params{Search: "a\xffb"}, "search", "", "UTF-8"},
}

func TestCompileRejects(t *testing.T) {
	for _, tt := range rejectCases {
		t.Run(tt.name, func(t *testing.T) {
			c, err := rateSpec().Compile(tt.p, 2)
			if err == nil {
				t.Fatalf("accepted: %#v", c)
			}
			var qe *query.Error
			if !errors.As(err, &qe) {
				t.Fatalf("error %v (%T) is not a *query.Error", err, err)
			}
			if !errors.Is(err, query.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) is false")
			}
			if qe.Param != tt.param || qe.Field != tt.field {
				t.Errorf("Param, Field = %q, %q; want %q, %q (msg %q)", qe.Param, qe.Field, tt.param, tt.field, qe.Msg)
			}
			if !strings.Contains(qe.Msg, tt.msg) {
				t.Errorf("Msg %q does not contain %q", qe.Msg, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "invalid "+tt.param+": ") {
				t.Errorf("Error() = %q does not name the parameter", err.Error())
			}
		})
	}
}

func TestSearchLimitIsInRunes(t *testing.T) {
	// 200 two-byte runes are 400 bytes; a byte count would reject them.
	c, err := rateSpec().Compile(query.Params{Search: strings.Repeat("é", query.MaxSearchRunes)}, 0)
	if err != nil {
		t.Fatalf("200-character search rejected: %v", err)
	}
	if len(c.Args) != 2 {
		t.Errorf("got %d args, want one per search field", len(c.Args))
	}
}

func TestSearchWithoutSearchFields(t *testing.T) {
	spec := &query.Spec{Fields: []query.Field{{Name: "n", Column: "n", Type: query.Int}}}
	_, err := spec.Compile(query.Params{Search: "x"}, 0)
	var qe *query.Error
	if !errors.As(err, &qe) || qe.Param != "search" {
		t.Fatalf("got %v, want a search error rather than an ignored search", err)
	}
	if c, err := spec.Compile(query.Params{Search: "   "}, 0); err != nil || c.Where != "" {
		t.Errorf("blank search: got %q, %v; want no condition", c.Where, err)
	}
}

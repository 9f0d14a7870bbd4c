package query_test

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/query"
)

var placeholderRE = regexp.MustCompile(`\$[0-9]+`)

// FuzzFilter feeds arbitrary text to every client-controlled parameter.
// Whatever the input, Compile must not panic, must fail only with *Error,
// and on success every client value must be a bind argument: placeholders
// are numbered argBase+1.. in order, one per argument, and the only quotes
// in the SQL are the ones in ESCAPE '\'.
func FuzzFilter(f *testing.F) {
	for _, tc := range filterCases {
		f.Add(tc.filter)
	}
	for _, tc := range rejectCases {
		f.Add(tc.p.Filter)
		f.Add(tc.p.OrderBy)
		f.Add(tc.p.Search)
	}
	for _, tc := range execCases {
		f.Add(tc.p.Filter)
	}
	f.Add("created_at ge 2024-05-01T00:00:00.123456-07:00 or not (price_1 lt -0.00001)")
	f.Add("contains(prefix,'''') and endswith(description,'%''_\\')")
	f.Add(strings.Repeat("not (", 20) + "enabled eq true" + strings.Repeat(")", 20))

	spec := rateSpec()
	const argBase = 3
	f.Fuzz(func(t *testing.T, in string) {
		for _, p := range []query.Params{{Filter: in}, {Search: in}, {OrderBy: in}, {Filter: in, Search: in, OrderBy: in}, {Skip: in, Top: in}} {
			c, err := spec.Compile(p, argBase)
			if err != nil {
				var qe *query.Error
				if !errors.As(err, &qe) {
					t.Fatalf("Compile(%#v): non-client error %v", p, err)
				}
				continue
			}
			checkPlaceholders(t, c, argBase)
			if strings.Contains(strings.ReplaceAll(c.Where, `ESCAPE '\'`, ""), "'") {
				t.Fatalf("Where has a quote outside ESCAPE: %s", c.Where)
			}
			checkOrderBy(t, spec, c.OrderBy)
			if c.Limit < 1 || c.Limit > query.MaxTop || c.Offset < 0 || c.Offset > query.MaxSkip {
				t.Fatalf("Limit %d, Offset %d out of range", c.Limit, c.Offset)
			}
		}
	})
}

func checkPlaceholders(t *testing.T, c query.Compiled, argBase int) {
	t.Helper()
	found := placeholderRE.FindAllString(c.Where, -1)
	if len(found) != len(c.Args) {
		t.Fatalf("%d placeholders, %d args: %s", len(found), len(c.Args), c.Where)
	}
	for i, ph := range found {
		if want := "$" + strconv.Itoa(argBase+1+i); ph != want {
			t.Fatalf("placeholder %d is %s, want %s: %s", i, ph, want, c.Where)
		}
	}
	for _, a := range c.Args {
		switch a.(type) {
		case string, int64, bool:
		default:
			t.Fatalf("argument %#v has type %T", a, a)
		}
	}
}

// checkOrderBy requires every key to be a Spec column with a direction, so
// nothing from the client reaches ORDER BY except through the allow list.
func checkOrderBy(t *testing.T, spec *query.Spec, orderBy string) {
	t.Helper()
	allowed := map[string]bool{spec.DefaultOrder: true, spec.TieBreak: true}
	for _, fld := range spec.Fields {
		if fld.Sort {
			allowed[fld.Column+" ASC"] = true
			allowed[fld.Column+" DESC"] = true
		}
	}
	keys := strings.Split(orderBy, ", ")
	for _, k := range keys {
		if !allowed[k] {
			t.Fatalf("ORDER BY key %q is not from the spec: %s", k, orderBy)
		}
	}
	if keys[len(keys)-1] != spec.TieBreak {
		t.Fatalf("ORDER BY %q does not end with the tie-break", orderBy)
	}
}

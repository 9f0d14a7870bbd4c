package query_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"switchboard/internal/query"
)

// rateSpec mirrors the call-rates resource plus one field of each other
// type, so every conversion path is reachable from the tables below.
func rateSpec() *query.Spec {
	return &query.Spec{
		Fields: []query.Field{
			{Name: "prefix", Column: "r.prefix", Type: query.String, Sort: true, Search: true},
			{Name: "description", Column: "r.description", Type: query.String, Search: true},
			{Name: "type", Column: "r.type", Type: query.Enum, Enum: []string{"LOCAL", "NATIONAL", "INTERNATIONAL", "MOBILE"}, Sort: true},
			{Name: "interval_1", Column: "r.interval_1", Type: query.Int, Sort: true},
			{Name: "enabled", Column: "r.enabled", Type: query.Bool, Sort: true},
			{Name: "created_at", Column: "r.created_at", Type: query.Time, Sort: true},
			{Name: "price_1", Column: "r.price_1", Type: query.Money, Sort: true},
			{Name: "secret", Column: "r.secret", Type: query.String},
		},
		DefaultOrder: "r.created_at DESC",
		TieBreak:     "r.id ASC",
	}
}

const likeSQL = ` ESCAPE '\'`

// filterCases are compiled with argBase 2; FuzzFilter reuses them as seeds.
var filterCases = []struct {
	name   string
	filter string
	where  string
	args   []any
}{
	{"string eq", "prefix eq '101'", "r.prefix = $3", []any{"101"}},
	{"all comparisons",
		"prefix ne 'a' and prefix gt 'b' and prefix ge 'c' and prefix lt 'd' and prefix le 'e'",
		"r.prefix <> $3 AND r.prefix > $4 AND r.prefix >= $5 AND r.prefix < $6 AND r.prefix <= $7",
		[]any{"a", "b", "c", "d", "e"}},
	{"and binds tighter than or, left",
		"prefix eq '1' and interval_1 gt 5 or type eq 'LOCAL'",
		"((r.prefix = $3 AND r.interval_1 > $4) OR r.type = $5)",
		[]any{"1", int64(5), "LOCAL"}},
	{"and binds tighter than or, right",
		"prefix eq '1' or interval_1 gt 5 and type eq 'LOCAL'",
		"(r.prefix = $3 OR (r.interval_1 > $4 AND r.type = $5))",
		[]any{"1", int64(5), "LOCAL"}},
	{"parentheses override precedence",
		"(prefix eq '1' or prefix eq '2') and interval_1 le 10",
		"(r.prefix = $3 OR r.prefix = $4) AND r.interval_1 <= $5",
		[]any{"1", "2", int64(10)}},
	{"nested same operator flattens",
		"(prefix eq '1' or (prefix eq '2')) or prefix eq '3'",
		"(r.prefix = $3 OR r.prefix = $4 OR r.prefix = $5)",
		[]any{"1", "2", "3"}},
	{"not binds tighter than and",
		"not prefix eq '1' and interval_1 lt 3",
		"NOT (r.prefix = $3) AND r.interval_1 < $4",
		[]any{"1", int64(3)}},
	{"not over parentheses",
		"not (type eq 'LOCAL' or type eq 'MOBILE')",
		"NOT (r.type = $3 OR r.type = $4)",
		[]any{"LOCAL", "MOBILE"}},
	{"double not", "not not enabled eq true", "NOT (NOT (r.enabled = $3))", []any{true}},
	{"keywords are case-insensitive",
		"prefix EQ '1' AND Not interval_1 Ge 2 oR enabled eq FALSE",
		"((r.prefix = $3 AND NOT (r.interval_1 >= $4)) OR r.enabled = $5)",
		[]any{"1", int64(2), false}},
	{"arbitrary whitespace", " \t( prefix   eq\n'1' )  ", "r.prefix = $3", []any{"1"}},
	{"startswith", "startswith(prefix,'44')", "LOWER(r.prefix) LIKE LOWER($3)" + likeSQL, []any{"44%"}},
	{"endswith", "endswith( prefix , '01' )", "LOWER(r.prefix) LIKE LOWER($3)" + likeSQL, []any{"%01"}},
	{"contains escapes like metacharacters",
		`contains(description,'50%_off\x')`,
		"LOWER(r.description) LIKE LOWER($3)" + likeSQL,
		[]any{`%50\%\_off\\x%`}},
	{"function name case-insensitive on enum", "StartsWith(type,'LOC')", "LOWER(r.type) LIKE LOWER($3)" + likeSQL, []any{"LOC%"}},
	{"eq null", "description eq null", "r.description IS NULL", nil},
	{"ne NULL", "description ne NULL and interval_1 eq 1", "r.description IS NOT NULL AND r.interval_1 = $3", []any{int64(1)}},
	{"null on the left", "null eq description", "r.description IS NULL", nil},
	{"quote escaping", "prefix eq 'O''Brien'''", "r.prefix = $3", []any{"O'Brien'"}},
	{"empty string", "prefix eq ''", "r.prefix = $3", []any{""}},
	{"negative int", "interval_1 gt -7", "r.interval_1 > $3", []any{int64(-7)}},
	{"money cents", "price_1 ge 0.01", "r.price_1 >= $3", []any{int64(1000)}},
	{"money five decimals", "price_1 lt 1.23456", "r.price_1 < $3", []any{int64(123456)}},
	{"money integer", "price_1 eq 12", "r.price_1 = $3", []any{int64(1200000)}},
	{"money negative", "price_1 gt -0.5", "r.price_1 > $3", []any{int64(-50000)}},
	{"money point one is exact", "price_1 eq 0.1", "r.price_1 = $3", []any{int64(10000)}},
	{"money max", "price_1 le 92233720368547.75807", "r.price_1 <= $3", []any{int64(9223372036854775807)}},
	{"datetime quoted as PortSIP documents", "created_at gt '2022-01-01T00:00:00Z'", "r.created_at > $3", []any{int64(1640995200000000)}},
	{"datetime bare with offset and fraction",
		"created_at le 2024-05-01T12:30:00.5+02:00",
		"r.created_at <= $3",
		[]any{int64(1714559400500000)}},
	{"date only is midnight UTC", "created_at ge 2024-05-01", "r.created_at >= $3", []any{int64(1714521600000000)}},
	{"datetime microseconds", "created_at eq '2024-05-01T00:00:00.000001Z'", "r.created_at = $3", []any{int64(1714521600000001)}},
	{"bool", "enabled eq true", "r.enabled = $3", []any{true}},
	{"literal on the left flips the operator", "5 lt interval_1", "r.interval_1 > $3", []any{int64(5)}},
	{"literal on the left ge", "'x' ge prefix", "r.prefix <= $3", []any{"x"}},
	{"literal on the left, other operators",
		"1 gt interval_1 and 2 le interval_1 and 3 ne interval_1 and 4 eq interval_1",
		"r.interval_1 < $3 AND r.interval_1 >= $4 AND r.interval_1 <> $5 AND r.interval_1 = $6",
		[]any{int64(1), int64(2), int64(3), int64(4)}},
	{"PortSIP example",
		"caller eq '101' or started_at lt '2022-01-01T00:00:00Z'",
		"(c.caller = $3 OR c.started_at < $4)",
		[]any{"101", int64(1640995200000000)}},
}

func TestCompileFilter(t *testing.T) {
	cdr := &query.Spec{Fields: []query.Field{
		{Name: "caller", Column: "c.caller"},
		{Name: "started_at", Column: "c.started_at", Type: query.Time},
	}}
	for _, tt := range filterCases {
		t.Run(tt.name, func(t *testing.T) {
			spec := rateSpec()
			if strings.Contains(tt.filter, "caller") {
				spec = cdr
			}
			c, err := spec.Compile(query.Params{Filter: tt.filter}, 2)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.filter, err)
			}
			if c.Where != tt.where {
				t.Errorf("Where\n got %s\nwant %s", c.Where, tt.where)
			}
			if !reflect.DeepEqual(c.Args, tt.args) {
				t.Errorf("Args\n got %#v\nwant %#v", c.Args, tt.args)
			}
		})
	}
}

func TestCompileSearchOrderPaging(t *testing.T) {
	like := func(col string, n string) string { return "LOWER(" + col + ") LIKE LOWER($" + n + ")" + likeSQL }
	tests := []struct {
		name    string
		spec    *query.Spec
		p       query.Params
		argBase int
		want    query.Compiled
	}{
		{"defaults", rateSpec(), query.Params{}, 0,
			query.Compiled{OrderBy: "r.created_at DESC, r.id ASC", Limit: 100}},
		{"search alone over two fields", rateSpec(), query.Params{Search: "  Mi_x% "}, 0,
			query.Compiled{
				Where:   "(" + like("r.prefix", "1") + " OR " + like("r.description", "2") + ")",
				Args:    []any{`%Mi\_x\%%`, `%Mi\_x\%%`},
				OrderBy: "r.created_at DESC, r.id ASC", Limit: 100}},
		{"or filter AND-ed with search", rateSpec(), query.Params{Filter: "interval_1 eq 1 or interval_1 eq 2", Search: "101"}, 1,
			query.Compiled{
				Where:   "(r.interval_1 = $2 OR r.interval_1 = $3) AND (" + like("r.prefix", "4") + " OR " + like("r.description", "5") + ")",
				Args:    []any{int64(1), int64(2), "%101%", "%101%"},
				OrderBy: "r.created_at DESC, r.id ASC", Limit: 100}},
		{"single search field needs no parentheses",
			&query.Spec{Fields: []query.Field{{Name: "name", Column: "name", Search: true}}},
			query.Params{Search: "x"}, 0,
			query.Compiled{Where: like("name", "1"), Args: []any{"%x%"}, Limit: 100}},
		{"orderby keys then tie-break", rateSpec(), query.Params{OrderBy: " interval_1 DESC ,prefix,  price_1   asc", Skip: "20", Top: "10"}, 0,
			query.Compiled{OrderBy: "r.interval_1 DESC, r.prefix ASC, r.price_1 ASC, r.id ASC", Limit: 10, Offset: 20}},
		{"default order equal to tie-break is not repeated",
			&query.Spec{Fields: []query.Field{{Name: "id", Column: "id", Type: query.Int, Sort: true}}, DefaultOrder: "id ASC", TieBreak: "id ASC"},
			query.Params{Top: " 1 ", Skip: "10000000"}, 0,
			query.Compiled{OrderBy: "id ASC", Limit: 1, Offset: 10000000}},
		{"no order configured", &query.Spec{}, query.Params{Top: "100", Skip: "0"}, 0,
			query.Compiled{Limit: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.spec.Compile(tt.p, tt.argBase)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestCompileNestingLimitIsInclusive(t *testing.T) {
	spec := rateSpec()
	deep := strings.Repeat("(", query.MaxFilterDepth) + "prefix eq '1'" + strings.Repeat(")", query.MaxFilterDepth)
	if _, err := spec.Compile(query.Params{Filter: deep}, 0); err != nil {
		t.Errorf("depth %d rejected: %v", query.MaxFilterDepth, err)
	}
	many := strings.TrimSuffix(strings.Repeat("interval_1 eq 1 or ", query.MaxComparisons), " or ")
	c, err := spec.Compile(query.Params{Filter: many}, 0)
	if err != nil {
		t.Fatalf("%d comparisons rejected: %v", query.MaxComparisons, err)
	}
	if len(c.Args) != query.MaxComparisons || !strings.HasSuffix(c.Where, "$100)") {
		t.Errorf("got %d args, Where ends %q", len(c.Args), c.Where[len(c.Where)-20:])
	}
}

func TestCompileRejectsBrokenSpec(t *testing.T) {
	tests := []struct {
		name string
		spec query.Spec
	}{
		{"duplicate", query.Spec{Fields: []query.Field{{Name: "a", Column: "a"}, {Name: "a", Column: "b"}}}},
		{"bad name", query.Spec{Fields: []query.Field{{Name: "a-b", Column: "a"}}}},
		{"no column", query.Spec{Fields: []query.Field{{Name: "a"}}}},
		{"enum without values", query.Spec{Fields: []query.Field{{Name: "a", Column: "a", Type: query.Enum}}}},
		{"search on int", query.Spec{Fields: []query.Field{{Name: "a", Column: "a", Type: query.Int, Search: true}}}},
		{"unknown type", query.Spec{Fields: []query.Field{{Name: "a", Column: "a", Type: query.FieldType(42)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.spec.Validate(); err == nil {
				t.Fatal("Validate accepted a broken spec")
			}
			_, err := tt.spec.Compile(query.Params{}, 0)
			if err == nil || errors.Is(err, query.ErrInvalid) {
				t.Fatalf("Compile error %v: want a non-client error", err)
			}
		})
	}
	if _, err := rateSpec().Compile(query.Params{}, -1); err == nil || errors.Is(err, query.ErrInvalid) {
		t.Errorf("negative argBase: got %v", err)
	}
	if err := rateSpec().Validate(); err != nil {
		t.Errorf("valid spec rejected: %v", err)
	}
}

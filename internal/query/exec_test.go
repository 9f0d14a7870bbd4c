package query_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"switchboard/internal/query"
)

// backend opens an empty database and returns the name the rates table
// should be created under. PostgreSQL adds itself from postgres_test.go
// when SWITCHBOARD_TEST_POSTGRES is set.
type backend struct {
	name string
	open func(t *testing.T) (*sql.DB, string)
}

var backends = []backend{{name: "sqlite", open: openSQLite}}

func openSQLite(t *testing.T) (*sql.DB, string) {
	dsn := "file:" + filepath.Join(t.TempDir(), "q.db")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, "rates"
}

type rate struct {
	id          int64
	prefix      string
	description *string
	typ         string
	interval1   int64
	enabled     bool
	createdAt   string // RFC 3339, stored as unix microseconds
	price1      int64  // units of 10^-5
}

func strp(s string) *string { return &s }

// rateRows holds text with LIKE metacharacters, mixed case and quotes, a
// NULL, negative money and timestamps one microsecond apart; rows 13-30
// are filler that most cases must not match.
func rateRows() []rate {
	rows := []rate{
		{1, "44", strp("UK fixed"), "LOCAL", 60, true, "2024-04-01T00:00:00Z", 1000},
		{2, "4420", strp("London 100% local"), "LOCAL", 30, true, "2024-04-15T12:00:00Z", 1500},
		{3, "447", strp("UK_mobile"), "MOBILE", 1, false, "2024-05-01T00:00:00Z", 12345},
		{4, "1", strp("USA"), "INTERNATIONAL", 6, true, "2024-05-01T00:00:00.000001Z", 500},
		{5, "1_800", strp("Toll free"), "NATIONAL", 60, false, "2024-05-02T00:00:00Z", 0},
		{6, "50%", strp("fifty percent"), "NATIONAL", 10, true, "2024-06-01T00:00:00Z", 100000},
		{7, `a\b`, strp("backslash"), "LOCAL", 10, false, "2023-12-31T23:59:59Z", 99999},
		{8, "O'Brien", strp("quote"), "INTERNATIONAL", 20, true, "2024-01-01T00:00:00Z", 250000},
		{9, "MiXeD", strp("Mixed Case"), "MOBILE", 30, true, "2024-03-03T00:00:00Z", 7},
		{10, "mixed", nil, "LOCAL", 45, false, "2024-03-04T00:00:00Z", 123456},
		{11, "1800", strp("Toll free no underscore"), "NATIONAL", 60, true, "2024-05-03T00:00:00Z", -50000},
		{12, "50x", strp("fifty x"), "NATIONAL", 10, false, "2024-06-02T00:00:00Z", 100001},
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := int64(13); i <= 30; i++ {
		rows = append(rows, rate{i, fmt.Sprintf("9%02d", i), strp("filler"), "INTERNATIONAL", 100 + i, i%2 == 0,
			base.AddDate(0, 0, int(i)).Format(time.RFC3339), 1_000_000 + i})
	}
	return rows
}

func createRates(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	ctx := context.Background()
	ddl := `CREATE TABLE ` + table + ` (
		id BIGINT PRIMARY KEY,
		prefix TEXT NOT NULL,
		description TEXT,
		type TEXT NOT NULL,
		interval_1 BIGINT NOT NULL,
		enabled BOOLEAN NOT NULL,
		created_at BIGINT NOT NULL,
		price_1 BIGINT NOT NULL,
		secret TEXT NOT NULL
	)`
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		t.Fatalf("create table: %v", err)
	}
	ins := `INSERT INTO ` + table + ` VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	for _, r := range rateRows() {
		ts, err := time.Parse(time.RFC3339Nano, r.createdAt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, ins, r.id, r.prefix, r.description, r.typ, r.interval1, r.enabled, ts.UnixMicro(), r.price1, "s"); err != nil {
			t.Fatalf("insert %d: %v", r.id, err)
		}
	}
}

var execCases = []struct {
	name    string
	p       query.Params
	want    []int64 // ascending, or in result order when ordered is set
	ordered bool
}{
	{"startswith escapes underscore", query.Params{Filter: "startswith(prefix,'1_')"}, []int64{5}, false},
	{"contains escapes percent", query.Params{Filter: "contains(prefix,'%')"}, []int64{6}, false},
	{"contains escapes backslash", query.Params{Filter: `contains(prefix,'\')`}, []int64{7}, false},
	{"endswith", query.Params{Filter: "endswith(prefix,'X')"}, []int64{12}, false},
	{"contains is case-insensitive", query.Params{Filter: "contains(prefix,'mIx')"}, []int64{9, 10}, false},
	{"eq is case-sensitive", query.Params{Filter: "prefix eq 'mixed'"}, []int64{10}, false},
	{"quoted quote", query.Params{Filter: "prefix eq 'O''Brien'"}, []int64{8}, false},
	{"precedence", query.Params{Filter: "type eq 'LOCAL' and interval_1 ge 30 or type eq 'MOBILE' and not enabled eq true"}, []int64{1, 2, 3, 10}, false},
	{"parentheses", query.Params{Filter: "(type eq 'LOCAL' or type eq 'MOBILE') and enabled eq false"}, []int64{3, 7, 10}, false},
	{"not over or", query.Params{Filter: "not (type eq 'INTERNATIONAL' or type eq 'NATIONAL')"}, []int64{1, 2, 3, 7, 9, 10}, false},
	{"eq null", query.Params{Filter: "description eq null"}, []int64{10}, false},
	{"ne null", query.Params{Filter: "description ne null and interval_1 lt 10"}, []int64{3, 4}, false},
	{"money range", query.Params{Filter: "price_1 ge 0.12345 and price_1 le 1"}, []int64{3, 6, 7}, false},
	{"money negative", query.Params{Filter: "price_1 lt 0"}, []int64{11}, false},
	{"money smallest unit", query.Params{Filter: "price_1 eq 0.00007"}, []int64{9}, false},
	{"datetime to the microsecond", query.Params{Filter: "created_at ge '2024-05-01T00:00:00Z' and created_at lt 2024-05-02"}, []int64{3, 4}, false},
	{"datetime bare", query.Params{Filter: "created_at gt 2024-05-01T00:00:00Z and created_at lt 2025-01-01"}, []int64{4, 5, 6, 11, 12}, false},
	{"bool", query.Params{Filter: "enabled eq true and interval_1 eq 60"}, []int64{1, 11}, false},
	{"literal on the left", query.Params{Filter: "5 lt interval_1 and interval_1 lt 20"}, []int64{4, 6, 7, 12}, false},
	{"search is case-insensitive over fields", query.Params{Search: "MIXED"}, []int64{9, 10}, false},
	{"search escapes underscore", query.Params{Search: "_"}, []int64{3, 5}, false},
	{"search and filter", query.Params{Filter: "type eq 'NATIONAL'", Search: "toll"}, []int64{5, 11}, false},
	{"or filter with search", query.Params{Filter: "type eq 'LOCAL' or type eq 'MOBILE'", Search: "uk"}, []int64{1, 3}, false},
	{"order and page", query.Params{Filter: "type eq 'INTERNATIONAL'", OrderBy: "interval_1 desc", Top: "3", Skip: "1"}, []int64{29, 28, 27}, true},
	{"bool order", query.Params{Filter: "type eq 'NATIONAL'", OrderBy: "enabled desc, interval_1 asc"}, []int64{6, 11, 12, 5}, true},
	{"tie-break", query.Params{Filter: "type eq 'NATIONAL'", OrderBy: "interval_1"}, []int64{6, 12, 5, 11}, true},
	{"default order", query.Params{Filter: "interval_1 eq 10"}, []int64{12, 6, 7}, true},
}

func TestExecute(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, table := be.open(t)
			createRates(t, db, table)
			t.Run("dollar placeholders bind by number", func(t *testing.T) {
				// Out of textual order on purpose: a driver binding by
				// position of appearance would return -9.
				var got int64
				if err := db.QueryRow("SELECT CAST($2 AS BIGINT) - CAST($1 AS BIGINT)", int64(1), int64(10)).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != 9 {
					t.Fatalf("SELECT $2 - $1 with (1, 10) = %d, want 9", got)
				}
			})
			for _, tc := range execCases {
				t.Run(tc.name, func(t *testing.T) {
					got := runRates(t, db, table, tc.p)
					if !tc.ordered {
						slices.Sort(got)
					}
					if !reflect.DeepEqual(got, tc.want) {
						t.Errorf("filter %q search %q: got ids %v, want %v", tc.p.Filter, tc.p.Search, got, tc.want)
					}
				})
			}
		})
	}
}

// runRates runs the compiled query behind two caller-owned placeholders,
// the way a store scopes a listing to its tenant.
func runRates(t *testing.T, db *sql.DB, table string, p query.Params) []int64 {
	t.Helper()
	c, err := rateSpec().Compile(p, 2)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	q := "SELECT r.id FROM " + table + " r WHERE r.id > $1 AND r.secret = $2"
	if c.Where != "" {
		q += " AND " + c.Where
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT %d OFFSET %d", c.OrderBy, c.Limit, c.Offset)
	rows, err := db.Query(q, append([]any{int64(0), "s"}, c.Args...)...)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

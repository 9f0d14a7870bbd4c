package deckcsv_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"switchboard/internal/deckcsv"
	"switchboard/internal/money"
	"switchboard/internal/rating"
)

const header = deckcsv.Header + "\n"

// mustRead reads a deck that the test expects to be valid.
func mustRead(tb testing.TB, s string) []rating.Rate {
	tb.Helper()
	rates, err := deckcsv.Read(strings.NewReader(s))
	if err != nil {
		tb.Fatalf("Read: %v", err)
	}
	return rates
}

// mustReject reads a deck that the test expects to be refused and returns
// the rows it was refused for.
func mustReject(tb testing.TB, s string) []deckcsv.RowError {
	tb.Helper()
	rates, err := deckcsv.Read(strings.NewReader(s))
	var de *deckcsv.DeckError
	if !errors.As(err, &de) {
		tb.Fatalf("Read = %d rates, %v; want a *DeckError", len(rates), err)
	}
	if rates != nil {
		tb.Errorf("Read returned %d rates along with an error", len(rates))
	}
	return de.Rows
}

func sampleRates() []rating.Rate {
	return []rating.Rate{
		{Prefix: "44", Type: "INTERNATIONAL", FreeSeconds: 0, GracePeriod: 3, Interval1: 60, IntervalN: 60,
			ConnectFee: 0, PostcallSurcharge: 0, Price1: 1200, PriceN: 1200, Description: "United Kingdom"},
		{Prefix: "447", Type: "MOBILE", FreeSeconds: 10, GracePeriod: 0, Interval1: 30, IntervalN: 6,
			ConnectFee: 1500, PostcallSurcharge: 10000, Price1: 5432, PriceN: 4321, Description: `UK mobile, "all networks"`},
		{Prefix: "1212", Type: "LOCAL", Interval1: 1, IntervalN: 1, Description: "line one\nline two"},
		{Prefix: "33", Type: "NATIONAL", FreeSeconds: math.MaxInt32, GracePeriod: math.MaxInt32,
			Interval1: math.MaxInt32, IntervalN: math.MaxInt32, ConnectFee: math.MaxInt64,
			PostcallSurcharge: math.MaxInt64, Price1: math.MaxInt64, PriceN: 1, Description: " leading space, ünïcode "},
		{Prefix: strings.Repeat("9", 64), Type: "LOCAL", Interval1: 6, IntervalN: 6, Description: ""},
	}
}

func TestWriteExactOutput(t *testing.T) {
	var buf bytes.Buffer
	if err := deckcsv.Write(&buf, sampleRates()[:3]); err != nil {
		t.Fatal(err)
	}
	want := header +
		"44,INTERNATIONAL,0,3,60,60,0.00000,0.00000,0.01200,0.01200,United Kingdom\n" +
		`447,MOBILE,10,0,30,6,0.01500,0.10000,0.05432,0.04321,"UK mobile, ""all networks"""` + "\n" +
		"1212,LOCAL,0,0,1,1,0.00000,0.00000,0.00000,0.00000,\"line one\nline two\"\n"
	if got := buf.String(); got != want {
		t.Errorf("Write:\n%s\nwant:\n%s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	in := sampleRates()
	var buf bytes.Buffer
	if err := deckcsv.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out := mustRead(t, buf.String())
	if !reflect.DeepEqual(out, in) {
		t.Errorf("Read(Write(x)) != x\n got %+v\nwant %+v", out, in)
	}
}

func TestRoundTripDropsIDs(t *testing.T) {
	in := sampleRates()[:1]
	in[0].ID = 42
	var buf bytes.Buffer
	if err := deckcsv.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, buf.String()); got[0].ID != 0 {
		t.Errorf("ID = %d, want 0: the file carries no IDs", got[0].ID)
	}
}

func TestEmptyDeckRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	if err := deckcsv.Write(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != header {
		t.Errorf("Write(nil) = %q, want just the header", buf.String())
	}
	if got := mustRead(t, buf.String()); got == nil || len(got) != 0 {
		t.Errorf("Read(header only) = %#v, want an empty, non-nil deck", got)
	}
}

func TestStreamingWriter(t *testing.T) {
	var buf bytes.Buffer
	w := deckcsv.NewWriter(&buf)
	in := sampleRates()
	for i := range in {
		if err := w.Write(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	if err := deckcsv.Write(&all, in); err != nil {
		t.Fatal(err)
	}
	if buf.String() != all.String() {
		t.Errorf("Writer and Write disagree:\n%s\n%s", buf.String(), all.String())
	}
}

func TestWriterRefusesCarriageReturn(t *testing.T) {
	r := sampleRates()[0]
	r.Description = "a\r\nb"
	if err := deckcsv.Write(&bytes.Buffer{}, []rating.Rate{r}); err == nil || !strings.Contains(err.Error(), "carriage return") {
		t.Errorf("Write = %v, want a carriage return error", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsWriteErrors(t *testing.T) {
	err := deckcsv.Write(failWriter{}, sampleRates())
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write = %v, want the writer's error", err)
	}
}

func TestReadDefaults(t *testing.T) {
	got := mustRead(t, header+"49,,1,2,3,4,0.1,0,0.2,0.3,\n")
	want := []rating.Rate{{Prefix: "49", Type: deckcsv.DefaultType, FreeSeconds: 1, GracePeriod: 2,
		Interval1: 3, IntervalN: 4, ConnectFee: 10000, Price1: 20000, PriceN: 30000}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read = %+v, want %+v", got, want)
	}
	if deckcsv.DefaultType != "LOCAL" {
		t.Errorf("DefaultType = %q, want LOCAL as the call-rates API has it", deckcsv.DefaultType)
	}
}

func TestReadAcceptsBOMAndCRLF(t *testing.T) {
	body := "\xef\xbb\xbf" + strings.ReplaceAll(header+
		"44,INTERNATIONAL,0,3,60,60,0,0,0.012,0.012,UK\n"+
		"\n"+ // blank lines are skipped but still counted
		"447,MOBILE,0,3,60,60,0,0,0.05,0.05,\"multi\nline\"\n", "\n", "\r\n")
	got := mustRead(t, body)
	if len(got) != 2 || got[0].Prefix != "44" || got[1].Prefix != "447" {
		t.Fatalf("Read = %+v", got)
	}
	if got[1].Description != "multi\nline" {
		t.Errorf("description = %q, want CRLF inside a quoted cell read as LF", got[1].Description)
	}
	rows := mustReject(t, body+"bad\r\n")
	if len(rows) != 1 || rows[0].Line != 6 {
		t.Errorf("rows = %+v, want line 6: blank lines and quoted line breaks count", rows)
	}
}

func TestReadRejectsEachCell(t *testing.T) {
	const good = "44,LOCAL,0,0,60,60,0,0,0.01,0.01,x"
	cells := strings.Split(good, ",")
	with := func(col int, v string) string {
		c := append([]string(nil), cells...)
		c[col] = v
		return strings.Join(c, ",")
	}
	mustRead(t, header+good+"\n") // the baseline is valid
	tests := []struct {
		row   string
		field string
		msg   string // fragment
	}{
		{with(0, ""), "prefix", "required"},
		{with(0, "4a"), "prefix", "only the digits"},
		{with(0, strings.Repeat("4", 65)), "prefix", "1 to 64 digits"},
		{with(1, "local"), "type", "not one of"},
		{with(1, "PREMIUM"), "type", "not one of"},
		{with(2, ""), "free_seconds", "required"},
		{with(2, "1.5"), "free_seconds", "not an integer"},
		{with(2, "-1"), "free_seconds", "must not be negative"},
		{with(3, "x"), "grace_period", "not an integer"},
		{with(3, "2147483648"), "grace_period", "out of range"},
		{with(4, "0"), "interval_1", "at least 1"},
		{with(4, ""), "interval_1", "required"},
		{with(5, "0"), "interval_n", "at least 1"},
		{with(5, " 6"), "interval_n", "not an integer"},
		{with(6, ""), "connect_fee", "required"},
		{with(6, "-0.01"), "connect_fee", "negative"},
		{with(7, "0.000001"), "postcall_surcharge", "more than 5 decimals"},
		{with(8, "1e-3"), "price_1", "exponents"},
		{with(8, "NaN"), "price_1", "not a valid amount"},
		{with(9, "1,5"), "", "12 columns, want 11"},
		{with(9, "92233720368548"), "price_n", "out of range"},
		{with(10, "a\rb"), "description", "carriage return"},
		{with(10, strings.Repeat("d", 1025)), "description", "at most 1024 bytes"},
		{"44,LOCAL,0,0,60,60,0,0,0.01", "", "9 columns, want 11"},
		{good + `,"unterminated`, "", `extraneous or missing " in quoted-field`},
		{`4"4` + good[2:], "", `bare " in non-quoted-field`},
	}
	for _, tt := range tests {
		rows := mustReject(t, header+tt.row+"\n")
		if len(rows) != 1 {
			t.Errorf("%q: %d errors %+v, want 1", tt.row, len(rows), rows)
			continue
		}
		r := rows[0]
		if r.Line != 2 || r.Field != tt.field || !strings.Contains(r.Msg, tt.msg) {
			t.Errorf("%q: got %+v, want line 2, field %q, message containing %q", tt.row, r, tt.field, tt.msg)
		}
	}
}

func TestReadReportsEveryBadRowTogether(t *testing.T) {
	body := header +
		"44,LOCAL,0,0,60,60,0,0,0.01,0.01,ok\n" + // 2
		"45,LOCAL,0,0,0,60,0,0,0.01,0.01,interval_1 zero\n" + // 3
		"46,LOCAL,0,0,60,60,0,0,0.01\n" + // 4: 9 columns
		"47,LOCAL,0,0,60,60,0,0,0.01,0.01,\"two\nlines\"\n" + // 5-6 ok
		"44,LOCAL,0,0,60,60,0,0,0.01,0.01,duplicate of line 2\n" + // 7
		"48,BOGUS,x,0,60,60,-1,0,0.01,0.01,three bad cells\n" + // 8
		"49,LOCAL,0,0,60,60,0,0,0.01,0.01,ok\n" // 9
	rows := mustReject(t, body)
	type lf struct {
		line  int
		field string
	}
	var got []lf
	for _, r := range rows {
		got = append(got, lf{r.Line, r.Field})
	}
	want := []lf{{3, "interval_1"}, {4, ""}, {7, "prefix"}, {8, "type"}, {8, "free_seconds"}, {8, "connect_fee"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("errors at %v, want %v\n%+v", got, want, rows)
	}
	if !strings.Contains(rows[2].Msg, "first defined on line 2") {
		t.Errorf("duplicate message %q does not name the earlier line", rows[2].Msg)
	}
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name, body string
		line       int
		msg        string
	}{
		{"empty", "", 1, "empty file"},
		{"only a BOM", "\xef\xbb\xbf", 1, "empty file"},
		{"only blank lines", "\n\r\n\n", 1, "empty file"},
		{"no header", "44,LOCAL,0,0,60,60,0,0,0.01,0.01,x\n", 1, "header is"},
		{"reordered", strings.Replace(header, "price_1,price_n", "price_n,price_1", 1), 1, "want " + deckcsv.Header},
		{"upper case", strings.ToUpper(header), 1, "header is"},
		{"missing column", strings.TrimSuffix(header, ",description\n") + "\n", 1, "header is"},
		{"after blank lines", "\n\nprefix\n", 3, "header is"},
		{"bad quoting", "\"prefix\n", 1, "header: "},
	}
	for _, tt := range tests {
		rows := mustReject(t, tt.body)
		if len(rows) != 1 || rows[0].Line != tt.line || !strings.Contains(rows[0].Msg, tt.msg) {
			t.Errorf("%s: %+v, want one error on line %d containing %q", tt.name, rows, tt.line, tt.msg)
		}
	}
}

func TestDeckErrorListsTheFirstHundred(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range 150 {
		fmt.Fprintf(&b, "%d,LOCAL,0,0,60,60,0,0,0.01,oops,\n", 100+i)
	}
	_, err := deckcsv.Read(strings.NewReader(b.String()))
	var de *deckcsv.DeckError
	if !errors.As(err, &de) || len(de.Rows) != 150 {
		t.Fatalf("Read = %v, want 150 row errors", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "deck file has 150 errors:\nline 2: price_n: ") {
		t.Errorf("message starts %q", msg[:60])
	}
	if !strings.Contains(msg, "line 101: ") || strings.Contains(msg, "line 102: ") {
		t.Errorf("message should list lines 2-101 only")
	}
	if !strings.HasSuffix(msg, "\n... and 50 more") {
		t.Errorf("message ends %q, want the count of the rest", msg[len(msg)-30:])
	}
}

type errReader struct{ data *strings.Reader }

func (r errReader) Read(p []byte) (int, error) {
	if r.data.Len() == 0 {
		return 0, errors.New("connection reset")
	}
	return r.data.Read(p)
}

func TestReadPassesOnReaderErrors(t *testing.T) {
	_, err := deckcsv.Read(errReader{strings.NewReader(header + "44,LOCAL,0,0,60,60,0,0,0.01,0.01,x\n")})
	var de *deckcsv.DeckError
	if err == nil || errors.As(err, &de) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("Read = %v, want the reader's error, not a DeckError", err)
	}
}

func TestReadKeepsAmountsExact(t *testing.T) {
	got := mustRead(t, header+"1,LOCAL,0,0,1,1,0.1,0.00001,92233720368547.75807,+3.14159,\n")
	r := got[0]
	if r.ConnectFee != 10000 || r.PostcallSurcharge != 1 || r.Price1 != money.Amount(math.MaxInt64) || r.PriceN != 314159 {
		t.Errorf("amounts = %d %d %d %d", r.ConnectFee, r.PostcallSurcharge, r.Price1, r.PriceN)
	}
}

package batchrate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"switchboard/internal/batchrate"
	"switchboard/internal/deckcsv"
	"switchboard/internal/rating"
)

// smallDeck is small enough to price by hand (see TestRunExactOutput).
const smallDeck = deckcsv.Header + `
44,INTERNATIONAL,0,0,60,60,0,0,0.12,0.12,United Kingdom
447,MOBILE,0,5,30,6,0.05,0.1,0.30,0.24,UK mobile
1,INTERNATIONAL,0,0,1,1,0,0,0.01,0.01,NANP
1212,LOCAL,10,0,60,60,0,0,0.006,0.006,New York
`

func mustDeck(tb testing.TB, csv string) *rating.Deck {
	tb.Helper()
	rates, err := deckcsv.Read(strings.NewReader(csv))
	if err != nil {
		tb.Fatal(err)
	}
	d, err := rating.NewDeck(rates)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// mustRun runs Run and fails the test on an error.
func mustRun(tb testing.TB, deck *rating.Deck, calls string, opt batchrate.Options) (out, errs string, st batchrate.Stats) {
	tb.Helper()
	var o, e bytes.Buffer
	st, err := batchrate.Run(context.Background(), deck, strings.NewReader(calls), &o, &e, opt)
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return o.String(), e.String(), st
}

// variedOptions run the same input through one worker and one batch, and
// through many workers on batches so small that records straddle reads.
var variedOptions = []batchrate.Options{
	{},
	{Workers: 1},
	{Workers: 4, BatchSize: 1},
	{Workers: 3, BatchSize: 2},
	{Workers: 2, BatchSize: 5},
}

func TestRunExactOutput(t *testing.T) {
	deck := mustDeck(t, smallDeck)
	calls := "id,destination,duration\n" +
		"1,442071234567,61\n" + // 2: 0.12 + 1 × 0.12
		"2,+447700900123,4\n" + // 3: inside the grace period
		"3,00447700900123,65\n" + // 4: (0.05 + 0.30·30/60 + 0.24·36/60) × 1.1 = 0.3784
		"4,2125551234,30\n" + // 5: NANP 10 digits → 1212, 10 free seconds
		"5,13105551234,7\n" + // 6: 0.01·7/60 = 0.0011666… → 0.00117
		"6,33123456789,60\n" + // 7
		"7,not-a-number,60\n" + // 8
		"8,442071234567,-5\n" + // 9
		"9,442071234567,1.5\n" + // 10
		"10,442071234567\n" + // 11
		"\"11, with comma\",442071234567,0\n" + // 12: no grace period, so the first interval is due
		"\n" + // 13: blank, skipped
		"12,\"4420 7123 4567\",120\n" + // 14
		"13,\"44\"\"\",5\n" + // 15
		"14,44\"1,5\n" + // 16
		"15,442071234567,59\r\n" + // 17
		"16,,60\n" + // 18
		"17,442071234567,99999999999999999999\n" + // 19
		"\"18\nb\",442071234567,1\n" + // 20-21
		"19,442071234567,60,extra\n" + // 22
		"20,442071234567,60" // 23, no line break
	wantOut := batchrate.OutputHeader + "\n" +
		"1,442071234567,61,44,120,0.24000\n" +
		"2,+447700900123,4,447,0,0.00000\n" +
		"3,00447700900123,65,447,66,0.37840\n" +
		"4,2125551234,30,1212,60,0.00600\n" +
		"5,13105551234,7,1,7,0.00117\n" +
		"\"11, with comma\",442071234567,0,44,60,0.12000\n" +
		"12,4420 7123 4567,120,44,120,0.24000\n" +
		"15,442071234567,59,44,60,0.12000\n" +
		"\"18\nb\",442071234567,1,44,60,0.12000\n" +
		"20,442071234567,60,44,60,0.12000\n"
	wantErrs := `line 7: rate_not_found: destination "33123456789"
line 8: phone_number_invalid: destination "not-a-number"
line 9: duration "-5" is negative
line 10: duration "1.5" is not a whole number of seconds
line 11: 2 fields, want 3 (id,destination,duration)
line 15: phone_number_invalid: destination "44\""
line 16: bare " in non-quoted-field
line 18: phone_number_invalid: destination ""
line 19: duration "99999999999999999999" is out of range
line 22: 4 fields, want 3 (id,destination,duration)
`
	for _, opt := range variedOptions {
		out, errs, st := mustRun(t, deck, calls, opt)
		if out != wantOut {
			t.Errorf("%+v: output\n%s\nwant\n%s", opt, out, wantOut)
		}
		if errs != wantErrs {
			t.Errorf("%+v: errors\n%s\nwant\n%s", opt, errs, wantErrs)
		}
		if st != (batchrate.Stats{Rated: 10, Failed: 10}) {
			t.Errorf("%+v: stats %+v, want 10 rated and 10 failed", opt, st)
		}
	}
}

func TestRunHeader(t *testing.T) {
	deck := mustDeck(t, smallDeck)
	const row = "1,442071234567,61\n"
	const rated = "1,442071234567,61,44,120,0.24000\n"
	accepted := []struct{ name, in string }{
		{"plain", "id,destination,duration\n" + row},
		{"BOM and CRLF", "\xef\xbb\xbfid,destination,duration\r\n" + strings.ReplaceAll(row, "\n", "\r\n")},
		{"blank lines first", "\n\r\nid,destination,duration\n" + row},
		{"quoted", "\"id\",\"destination\",\"duration\"\n" + row},
	}
	for _, tt := range accepted {
		out, errs, _ := mustRun(t, deck, tt.in, batchrate.Options{})
		if out != batchrate.OutputHeader+"\n"+rated || errs != "" {
			t.Errorf("%s: output %q, errors %q", tt.name, out, errs)
		}
	}
	refused := []struct{ name, in, msg string }{
		{"empty", "", "no header"},
		{"blank lines only", "\n\n\r\n", "no header"},
		{"no header", row, `line 1: header is "1,442071234567,61"`},
		{"reordered", "id,duration,destination\n" + row, "header is"},
		{"extra column", "id,destination,duration,cost\n" + row, "header is"},
		{"upper case", "ID,DESTINATION,DURATION\n" + row, "header is"},
		{"header after blank lines", "\n\nid,dest,duration\n", "line 3: header is"},
		{"malformed", "\"id,destination,duration\n", "header is"},
		{"BOM twice", "\xef\xbb\xbf\xef\xbb\xbfid,destination,duration\n", "header is"},
	}
	for _, tt := range refused {
		var out bytes.Buffer
		_, err := batchrate.Run(context.Background(), deck, strings.NewReader(tt.in), &out, io.Discard, batchrate.Options{})
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Run = %v, want an error containing %q", tt.name, err, tt.msg)
		}
		if out.Len() != 0 {
			t.Errorf("%s: wrote %q before refusing the input", tt.name, out.String())
		}
	}
}

func TestRunHeaderOnly(t *testing.T) {
	out, errs, st := mustRun(t, mustDeck(t, smallDeck), "id,destination,duration\n", batchrate.Options{})
	if out != batchrate.OutputHeader+"\n" || errs != "" || st != (batchrate.Stats{}) {
		t.Errorf("Run = %q, %q, %+v; want just the header", out, errs, st)
	}
}

// TestRunSkipsTooLongRecords checks that a record longer than the limit is
// one bad row, that the row after it is rated, and that line numbers stay
// right across it, for bare and quoted records alike.
func TestRunSkipsTooLongRecords(t *testing.T) {
	deck := mustDeck(t, smallDeck)
	long := strings.Repeat("9", 200)
	in := "id,destination,duration\n" +
		"1,442071234567,61\n" + // 2
		"2," + long + ",60\n" + // 3
		"3,442071234567,61\n" + // 4
		"\"4\n" + long + "\n" + long + "\",442071234567,1\n" + // 5-7
		"5,442071234567,61\n" + // 8
		"6,\"" + long // 9, unterminated to the end of the input
	for _, opt := range []batchrate.Options{{Workers: 1, BatchSize: 1}, {Workers: 3, BatchSize: 2}} {
		var out, errs bytes.Buffer
		st, err := batchrate.RunMaxRecord(context.Background(), deck, strings.NewReader(in), &out, &errs, opt, 100)
		if err != nil {
			t.Fatal(err)
		}
		wantOut := batchrate.OutputHeader + "\n" +
			"1,442071234567,61,44,120,0.24000\n" +
			"3,442071234567,61,44,120,0.24000\n" +
			"5,442071234567,61,44,120,0.24000\n"
		wantErrs := "line 3: record longer than 100 bytes\n" +
			"line 5: record longer than 100 bytes\n" +
			"line 9: record longer than 100 bytes\n"
		if out.String() != wantOut || errs.String() != wantErrs {
			t.Errorf("%+v: output\n%s\nerrors\n%s", opt, out.String(), errs.String())
		}
		if st != (batchrate.Stats{Rated: 3, Failed: 3}) {
			t.Errorf("%+v: stats %+v", opt, st)
		}
	}
}

// TestRunMatchesReferenceWithManyWorkers rates a generated file with more
// workers than cores and tiny batches, and checks every row and error line
// against rating.Deck.Rate applied to encoding/csv's reading of the file,
// one call after another.
func TestRunMatchesReferenceWithManyWorkers(t *testing.T) {
	const nDeck, nCalls = 5000, 100_000
	var deckFile, calls bytes.Buffer
	if err := batchrate.GenerateDeck(&deckFile, nDeck, 7); err != nil {
		t.Fatal(err)
	}
	deck := mustDeck(t, deckFile.String())
	if err := batchrate.GenerateCalls(&calls, nCalls, 7, batchrate.GeneratePrefixes(nDeck, 7)...); err != nil {
		t.Fatal(err)
	}
	ref, ok := reference(t, deck, calls.Bytes())
	if !ok {
		t.Fatal("encoding/csv cannot read the generated calls")
	}
	for _, opt := range []batchrate.Options{{Workers: 8, BatchSize: 64}, {Workers: 3, BatchSize: 1000}, {}} {
		out, errs, st := mustRun(t, deck, calls.String(), opt)
		ref.check(t, fmt.Sprintf("%+v", opt), out, errs, st)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestRunStopsOnWriteError(t *testing.T) {
	deck := mustDeck(t, smallDeck)
	var calls bytes.Buffer
	if err := batchrate.GenerateCalls(&calls, 50_000, 1); err != nil {
		t.Fatal(err)
	}
	for _, after := range []int{0, 1, 3} {
		_, err := batchrate.Run(context.Background(), deck, bytes.NewReader(calls.Bytes()), &failingWriter{after: after}, io.Discard, batchrate.Options{BatchSize: 100})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("after %d writes: Run = %v, want the write error", after, err)
		}
	}
	_, err := batchrate.Run(context.Background(), deck, strings.NewReader("id,destination,duration\nx\n"), io.Discard, &failingWriter{}, batchrate.Options{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failing errOut: Run = %v, want the write error", err)
	}
}

type failingReader struct {
	r    io.Reader
	left int
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, errors.New("connection reset")
	}
	p = p[:min(len(p), r.left)]
	n, err := r.r.Read(p)
	r.left -= n
	return n, err
}

func TestRunStopsOnReadError(t *testing.T) {
	deck := mustDeck(t, smallDeck)
	var calls bytes.Buffer
	if err := batchrate.GenerateCalls(&calls, 50_000, 1); err != nil {
		t.Fatal(err)
	}
	for _, left := range []int{0, 10, 100_000} {
		_, err := batchrate.Run(context.Background(), deck, &failingReader{r: bytes.NewReader(calls.Bytes()), left: left}, io.Discard, io.Discard, batchrate.Options{BatchSize: 100})
		if err == nil || !strings.Contains(err.Error(), "connection reset") {
			t.Errorf("after %d bytes: Run = %v, want the read error", left, err)
		}
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestRunGivesUpOnAReaderThatNeverAdvances(t *testing.T) {
	_, err := batchrate.Run(context.Background(), mustDeck(t, smallDeck), emptyReader{}, io.Discard, io.Discard, batchrate.Options{})
	if !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("Run = %v, want io.ErrNoProgress", err)
	}
}

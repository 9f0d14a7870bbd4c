package batchrate_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/batchrate"
	"switchboard/internal/rating"
)

// expected is what Run should produce for an input, worked out the plain
// way: encoding/csv reads the calls and rating.Deck.Rate prices them.
type expected struct {
	out      string
	rated    int64
	errLines []int
}

var wholeSeconds = regexp.MustCompile(`^-?[0-9]+$`)

// reference computes expected, or reports false if encoding/csv finds the
// input malformed (Run copes, but there is nothing to compare with).
func reference(tb testing.TB, deck *rating.Deck, input []byte) (expected, bool) {
	tb.Helper()
	cr := csv.NewReader(bytes.NewReader(input))
	cr.FieldsPerRecord = -1
	if h, err := cr.Read(); err != nil || strings.Join(h, ",") != batchrate.CallsHeader {
		tb.Fatalf("reference: the input must start with the header, got %q, %v", h, err)
	}
	var out strings.Builder
	out.WriteString(batchrate.OutputHeader + "\n")
	var e expected
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return expected{}, false
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 3 || !wholeSeconds.MatchString(rec[2]) {
			e.errLines = append(e.errLines, line)
			continue
		}
		d, err := strconv.ParseInt(rec[2], 10, 64)
		if err != nil || d < 0 {
			e.errLines = append(e.errLines, line)
			continue
		}
		res, err := deck.Rate(rec[1], d)
		if err != nil {
			e.errLines = append(e.errLines, line)
			continue
		}
		e.rated++
		out.WriteString(csvCell(rec[0]) + "," + csvCell(rec[1]) + "," + strconv.FormatInt(d, 10) + "," +
			res.Prefix + "," + strconv.FormatInt(res.BilledSeconds, 10) + "," + res.Cost.String() + "\n")
	}
	e.out = out.String()
	return e, true
}

// csvCell quotes a cell exactly when Run's output must: when it holds a
// comma, a quote or a line break.
func csvCell(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// errLines reads the line numbers of Run's error output, checking that
// every line has the "line N: reason" form.
func errLines(tb testing.TB, errs string) []int {
	tb.Helper()
	var lines []int
	for _, l := range strings.SplitAfter(errs, "\n") {
		if l == "" {
			continue
		}
		rest, ok := strings.CutPrefix(l, "line ")
		num, reason, ok2 := strings.Cut(rest, ": ")
		n, err := strconv.Atoi(num)
		if !ok || !ok2 || err != nil || reason == "\n" || !strings.HasSuffix(reason, "\n") {
			tb.Fatalf("error line %q is not \"line N: reason\"", l)
		}
		lines = append(lines, n)
	}
	return lines
}

func (e expected) check(tb testing.TB, name, out, errs string, st batchrate.Stats) {
	tb.Helper()
	if out != e.out {
		tb.Errorf("%s: output differs from the reference\n got %.2000q\nwant %.2000q", name, out, e.out)
	}
	got := errLines(tb, errs)
	if !slices.Equal(got, e.errLines) {
		tb.Errorf("%s: errors on lines %v, want %v\n%s", name, got, e.errLines, errs)
	}
	if st != (batchrate.Stats{Rated: e.rated, Failed: int64(len(e.errLines))}) {
		tb.Errorf("%s: stats %+v, want %d rated and %d failed", name, st, e.rated, len(e.errLines))
	}
}

package batchrate_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/batchrate"
)

// FuzzRun feeds random call lines after a valid header. Run must never
// panic or fail; its output must not depend on the number of workers or the
// batch size; every record must give exactly one output row or one error
// line, with line numbers rising; and wherever encoding/csv can read the
// input, each row must be what rating.Deck.Rate says for it.
func FuzzRun(f *testing.F) {
	deck := mustDeck(f, smallDeck)
	for _, s := range []string{
		"1,442071234567,61\n2,+447700900123,4\n",
		"3,00447700900123,65\r\n4,2125551234,30\n\n5,13105551234,7",
		"6,33123456789,60\n7,not-a-number,60\n8,442071234567,-5\n9,442071234567,1.5\n10,442071234567\n",
		"\"11, with comma\",442071234567,0\n12,\"4420 7123 4567\",120\n13,\"44\"\"\",5\n14,44\"1,5\n",
		"\"18\nb\",442071234567,1\n19,442071234567,60,extra\n\"unterminated,1,1\n2,44,1\n",
		"\"a\"x,44,1\n\r\n\r\r\n,,\n\"\",\"\",\"\"\n1,44,99999999999999999999\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		input := append([]byte(batchrate.CallsHeader+"\n"), data...)
		run := func(opt batchrate.Options, maxRecord int) (string, string, batchrate.Stats) {
			var out, errs bytes.Buffer
			st, err := batchrate.RunMaxRecord(context.Background(), deck, bytes.NewReader(input), &out, &errs, opt, maxRecord)
			if err != nil {
				t.Fatalf("Run(%+v): %v", opt, err)
			}
			return out.String(), errs.String(), st
		}
		out, errs, st := run(batchrate.Options{Workers: 1}, 1<<20)
		out2, errs2, st2 := run(batchrate.Options{Workers: 3, BatchSize: 1}, 1<<20)
		if out2 != out || errs2 != errs || st2 != st {
			t.Fatalf("tiny batches changed the result:\n%q\n%q\nvs\n%q\n%q", out, errs, out2, errs2)
		}
		lines := errLines(t, errs)
		if int64(len(lines)) != st.Failed || !slices.IsSorted(lines) {
			t.Fatalf("error lines %v for %d failures", lines, st.Failed)
		}
		if len(lines) > 0 && (lines[0] < 2 || lines[len(lines)-1] > bytes.Count(input, []byte{'\n'})+1) {
			t.Fatalf("error lines %v outside the input", lines)
		}
		if want, ok := reference(t, deck, input); ok {
			want.check(t, "reference", out, errs, st)
		}
		if !bytes.ContainsRune(data, '"') {
			// Without quotes every record is a line: count them.
			records := 0
			for _, l := range strings.Split(string(data), "\n") {
				if strings.TrimSuffix(l, "\r") != "" {
					records++
				}
			}
			if st.Rated+st.Failed != int64(records) {
				t.Fatalf("%d lines gave %d rows and %d errors", records, st.Rated, st.Failed)
			}
		}
		// A small record limit forces the skipping path; it must still
		// account for every record once, in order.
		_, errs3, st3 := run(batchrate.Options{Workers: 2, BatchSize: 1}, 16)
		if l3 := errLines(t, errs3); int64(len(l3)) != st3.Failed || !slices.IsSorted(l3) {
			t.Fatalf("with a 16-byte limit: error lines %v for %d failures", l3, st3.Failed)
		}
		if st3.Rated > st.Rated || st3.Rated+st3.Failed > st.Rated+st.Failed+int64(bytes.Count(input, []byte{'\n'})) {
			t.Fatalf("with a 16-byte limit: %+v, without: %+v", st3, st)
		}
	})
}

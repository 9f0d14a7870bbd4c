package batchrate_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"switchboard/internal/batchrate"
	"switchboard/internal/deckcsv"
	"switchboard/internal/rating"
)

func TestGeneratePrefixes(t *testing.T) {
	for _, n := range []int{0, 1, 5, 20_000} {
		p := batchrate.GeneratePrefixes(n, 3)
		if len(p) != n {
			t.Fatalf("GeneratePrefixes(%d) gave %d", n, len(p))
		}
		seen := make(map[string]bool, n)
		for _, s := range p {
			if len(s) < 1 || len(s) > 12 || strings.Trim(s, "0123456789") != "" || s[0] == '0' {
				t.Fatalf("prefix %q is not 1 to 12 digits without a leading 0", s)
			}
			if seen[s] {
				t.Fatalf("prefix %q twice", s)
			}
			seen[s] = true
		}
	}
	a, b, c := batchrate.GeneratePrefixes(1000, 3), batchrate.GeneratePrefixes(1000, 3), batchrate.GeneratePrefixes(1000, 4)
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Error("the same seed gave different prefixes")
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Error("different seeds gave the same prefixes")
	}
	if a[0] != "1" || a[1] != "7" {
		t.Errorf("prefixes start %v, want the country codes first", a[:2])
	}
}

func TestGenerateDeckReadsBack(t *testing.T) {
	const n = 20_000
	var a, b bytes.Buffer
	if err := batchrate.GenerateDeck(&a, n, 5); err != nil {
		t.Fatal(err)
	}
	if err := batchrate.GenerateDeck(&b, n, 5); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same seed gave different decks")
	}
	rates, err := deckcsv.Read(&a)
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != n {
		t.Fatalf("%d rates, want %d", len(rates), n)
	}
	prefixes := batchrate.GeneratePrefixes(n, 5)
	for i := range rates {
		if rates[i].Prefix != prefixes[i] {
			t.Fatalf("rate %d has prefix %s, want GeneratePrefixes' %s", i, rates[i].Prefix, prefixes[i])
		}
	}
	if _, err := rating.NewDeck(rates); err != nil {
		t.Fatal(err)
	}
}

// TestGenerateCallsMostlyMatch checks the shape the bench scripts rely on:
// about 95 % of the calls rate, and the destinations have 10 to 13 digits.
func TestGenerateCallsMostlyMatch(t *testing.T) {
	const nDeck, nCalls = 20_000, 50_000
	var deckFile, calls, again bytes.Buffer
	if err := batchrate.GenerateDeck(&deckFile, nDeck, 9); err != nil {
		t.Fatal(err)
	}
	deck := mustDeck(t, deckFile.String())
	prefixes := batchrate.GeneratePrefixes(nDeck, 9)
	if err := batchrate.GenerateCalls(&calls, nCalls, 9, prefixes...); err != nil {
		t.Fatal(err)
	}
	if err := batchrate.GenerateCalls(&again, nCalls, 9, prefixes...); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(calls.Bytes(), again.Bytes()) {
		t.Error("the same seed gave different calls")
	}

	var out bytes.Buffer
	st, err := batchrate.Run(context.Background(), deck, bytes.NewReader(calls.Bytes()), &out, io.Discard, batchrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rated+st.Failed != nCalls {
		t.Fatalf("stats %+v for %d calls", st, nCalls)
	}
	if share := float64(st.Rated) / nCalls; share < 0.93 || share > 0.97 {
		t.Errorf("%.1f %% of the calls rated, want about 95 %%", share*100)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		digits := strings.TrimPrefix(strings.TrimPrefix(row[1], "+"), "00")
		if len(digits) < 10 || len(digits) > 13 {
			t.Fatalf("destination %q has %d digits, want 10 to 13", row[1], len(digits))
		}
	}
}

func TestGenerateCallsWithoutPrefixes(t *testing.T) {
	var calls bytes.Buffer
	if err := batchrate.GenerateCalls(&calls, 1000, 1); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&calls).ReadAll()
	if err != nil || len(rows) != 1001 || strings.Join(rows[0], ",") != batchrate.CallsHeader {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}

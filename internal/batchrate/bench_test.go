package batchrate_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"switchboard/internal/batchrate"
	"switchboard/internal/deckcsv"
	"switchboard/internal/rating"
)

const (
	benchSeed  = 2026
	benchDeck  = 1_000_000
	benchCalls = 1_000_000
)

var bench struct {
	once  sync.Once
	deck  *rating.Deck
	calls []byte
}

// benchData builds, once, a deck of a million prefixes the way the command
// does (generated file, deckcsv.Read, rating.NewDeck) and a million calls
// against it.
func benchData(tb testing.TB) (*rating.Deck, []byte) {
	bench.once.Do(func() {
		var file bytes.Buffer
		if err := batchrate.GenerateDeck(&file, benchDeck, benchSeed); err != nil {
			tb.Fatal(err)
		}
		start := time.Now()
		rates, err := deckcsv.Read(&file)
		if err != nil {
			tb.Fatal(err)
		}
		read := time.Since(start)
		if bench.deck, err = rating.NewDeck(rates); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("deck of %d rates: deckcsv.Read %v, rating.NewDeck %v", len(rates), read, time.Since(start)-read)
		var calls bytes.Buffer
		if err := batchrate.GenerateCalls(&calls, benchCalls, benchSeed, batchrate.GeneratePrefixes(benchDeck, benchSeed)...); err != nil {
			tb.Fatal(err)
		}
		bench.calls = calls.Bytes()
	})
	if bench.deck == nil {
		tb.Fatal("bench data failed to build")
	}
	return bench.deck, bench.calls
}

// BenchmarkRun1MDeck rates a million generated calls against a
// million-prefix deck per iteration, end to end from bytes to io.Discard.
func BenchmarkRun1MDeck(b *testing.B) {
	deck, calls := benchData(b)
	b.SetBytes(int64(len(calls)))
	b.ReportAllocs()
	var st batchrate.Stats
	for b.Loop() {
		var err error
		st, err = batchrate.Run(context.Background(), deck, bytes.NewReader(calls), io.Discard, io.Discard, batchrate.Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	if st.Rated+st.Failed != benchCalls {
		b.Fatalf("stats %+v for %d calls", st, benchCalls)
	}
	b.ReportMetric(float64(b.N)*benchCalls/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(st.Failed)/benchCalls*100, "%failed")
}

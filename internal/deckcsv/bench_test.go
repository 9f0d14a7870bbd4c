package deckcsv_test

import (
	"bytes"
	"strconv"
	"sync"
	"testing"

	"switchboard/internal/deckcsv"
	"switchboard/internal/money"
	"switchboard/internal/rating"
)

var (
	deck1MOnce sync.Once
	deck1M     []byte
)

// deckOf1M returns a 1,000,000-row deck file, built once.
func deckOf1M(tb testing.TB) []byte {
	deck1MOnce.Do(func() {
		const n = 1_000_000
		var buf bytes.Buffer
		w := deckcsv.NewWriter(&buf)
		for i := range n {
			r := rating.Rate{
				// i·7919 mod 10^6 visits every i once, out of order, as
				// a deck not sorted by prefix would.
				Prefix: strconv.Itoa(1_000_000 + i*7919%n*7), Type: "INTERNATIONAL",
				GracePeriod: 3, Interval1: 60, IntervalN: 6,
				ConnectFee: 1000, Price1: 12345 + money.Amount(i%1000), PriceN: 12345,
				Description: "Destination " + strconv.Itoa(i%250),
			}
			if err := w.Write(&r); err != nil {
				tb.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		deck1M = buf.Bytes()
	})
	return deck1M
}

func BenchmarkRead1M(b *testing.B) {
	data := deckOf1M(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rates, err := deckcsv.Read(bytes.NewReader(data))
		if err != nil || len(rates) != 1_000_000 {
			b.Fatalf("Read = %d rates, %v", len(rates), err)
		}
	}
	b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWrite1M(b *testing.B) {
	rates, err := deckcsv.Read(bytes.NewReader(deckOf1M(b)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if err := deckcsv.Write(&buf, rates); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "rows/s")
}

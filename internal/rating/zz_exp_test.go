package rating_test

import (
	"fmt"
	"testing"

	"switchboard/internal/rating"
)

func BenchmarkExpK(b *testing.B) {
	s := loadBench(b, 1_000_000)
	for k := 5; k <= 6; k++ {
		d, _ := rating.NewDeckK(s.rates, k)
		b.Run(fmt.Sprint(k), func(b *testing.B) {
			i := 0
			for b.Loop() {
				sinkRate, _ = d.Match(s.dests[i&(1<<20-1)])
				i++
			}
		})
	}
}

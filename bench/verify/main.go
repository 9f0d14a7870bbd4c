// Command verify re-rates the output of `switchboard rate` independently:
// the longest prefix by probing a map with every prefix length of the
// destination, and the cost with rating.ReferenceCost (plain big.Rat
// arithmetic following the formula's text). It reports every row where the
// two disagree and exits non-zero if any does.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"switchboard/internal/deckcsv"
	"switchboard/internal/rating"
)

func main() {
	deckPath := flag.String("deck", "", "deck CSV")
	outPath := flag.String("rated", "", "output of switchboard rate")
	flag.Parse()
	if err := run(*deckPath, *outPath); err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		os.Exit(1)
	}
}

func run(deckPath, outPath string) error {
	f, err := os.Open(deckPath)
	if err != nil {
		return err
	}
	rates, err := deckcsv.Read(bufio.NewReaderSize(f, 1<<20))
	f.Close()
	if err != nil {
		return err
	}
	byPrefix := make(map[string]*rating.Rate, len(rates))
	for i := range rates {
		byPrefix[rates[i].Prefix] = &rates[i]
	}
	o, err := os.Open(outPath)
	if err != nil {
		return err
	}
	defer o.Close()
	r := csv.NewReader(bufio.NewReaderSize(o, 1<<20))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	var rows, bad int64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rows++
		if msg := check(byPrefix, rec); msg != "" {
			bad++
			if bad <= 20 {
				fmt.Fprintf(os.Stderr, "row %d %v: %s\n", rows, rec, msg)
			}
		}
	}
	fmt.Printf("verified %d rated calls against the big.Rat reference: %d disagree\n", rows, bad)
	if bad > 0 {
		return fmt.Errorf("%d rows disagree", bad)
	}
	return nil
}

// check recomputes one output row: id,destination,duration,prefix,billed_seconds,cost.
func check(byPrefix map[string]*rating.Rate, rec []string) string {
	digits, err := rating.Normalize(rec[1])
	if err != nil {
		return "destination does not normalise: " + err.Error()
	}
	var best *rating.Rate
	for n := len(digits); n > 0 && best == nil; n-- {
		best = byPrefix[digits[:n]]
	}
	if best == nil {
		return "no prefix matches"
	}
	d, err := strconv.ParseInt(rec[2], 10, 64)
	if err != nil {
		return "duration: " + err.Error()
	}
	cost, billed, err := rating.ReferenceCost(best, d)
	if err != nil {
		return "reference: " + err.Error()
	}
	if rec[3] != best.Prefix || rec[4] != strconv.FormatInt(billed, 10) || rec[5] != cost.String() {
		return fmt.Sprintf("reference says prefix %s billed %d cost %s", best.Prefix, billed, cost)
	}
	return ""
}

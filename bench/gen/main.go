// Command gen writes the benchmark inputs: a deck of N random prefixes in the
// import format and a calls file whose destinations mostly match it. Fixed
// seeds make every run rate the same data.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"switchboard/internal/batchrate"
)

func main() {
	deckPath := flag.String("deck", "deck.csv", "deck file to write")
	callsPath := flag.String("calls", "calls.csv", "calls file to write")
	prefixes := flag.Int("prefixes", 1_000_000, "rates in the deck")
	calls := flag.Int("n", 10_000_000, "calls to generate")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := write(*deckPath, func(w *bufio.Writer) error { return batchrate.GenerateDeck(w, *prefixes, *seed) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	deck := batchrate.GeneratePrefixes(*prefixes, *seed)
	if err := write(*callsPath, func(w *bufio.Writer) error { return batchrate.GenerateCalls(w, *calls, *seed+1, deck...) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(path string, fn func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fn(w); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

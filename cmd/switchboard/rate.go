package main

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"switchboard/internal/batchrate"
	"switchboard/internal/deckcsv"
	"switchboard/internal/rating"
)

// RateCmd rates a file of calls against a deck file, offline.
type RateCmd struct {
	Rates   string `name:"rates" required:"" type:"existingfile" help:"Deck CSV (the import format: prefix,type,free_seconds,...)."`
	Calls   string `name:"calls" required:"" help:"Calls CSV with header id,destination,duration; - for standard input."`
	Workers int    `name:"workers" help:"Rating workers (default: every core)."`
	Stats   bool   `name:"stats" help:"Print counts and throughput to standard error at the end."`
}

// Run streams the rated calls to standard output.
func (c *RateCmd) Run(env *Env) error {
	start := time.Now()
	f, err := os.Open(c.Rates)
	if err != nil {
		return fmt.Errorf("open deck: %w", err)
	}
	rates, err := deckcsv.Read(bufio.NewReaderSize(f, 1<<20))
	f.Close()
	if err != nil {
		return fmt.Errorf("deck %s: %w", c.Rates, err)
	}
	deck, err := rating.NewDeck(rates)
	if err != nil {
		return fmt.Errorf("deck %s: %w", c.Rates, err)
	}
	loaded := time.Since(start)
	in := os.Stdin
	if c.Calls != "-" {
		if in, err = os.Open(c.Calls); err != nil {
			return fmt.Errorf("open calls: %w", err)
		}
		defer in.Close()
	}
	out := bufio.NewWriterSize(env.Out, 1<<20)
	st, err := batchrate.Run(env.Ctx, deck, in, out, env.Err, batchrate.Options{Workers: c.Workers})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("rate %s: %w", c.Calls, err)
	}
	if c.Stats {
		el := time.Since(start) - loaded
		fmt.Fprintf(env.Err, "deck: %d rates loaded in %s\ncalls: %d rated, %d failed in %s (%.0f calls/s)\n",
			deck.Len(), loaded.Round(time.Millisecond), st.Rated, st.Failed, el.Round(time.Millisecond),
			float64(st.Rated+st.Failed)/el.Seconds())
	}
	return nil
}

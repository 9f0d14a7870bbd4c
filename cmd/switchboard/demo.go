package main

import (
	"fmt"

	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/server"
	"switchboard/internal/sip"
)

// DemoCmd loads a demo inventory.
type DemoCmd struct {
	StoreFlags
	Count int    `name:"count" default:"100000" help:"Numbers to load (at least 1)."`
	Seed  uint64 `name:"seed" default:"1" help:"The same seed loads the same numbers."`
}

// Run loads Count North American numbers into inventory, all or none,
// creating the operator (and showing its admin token) on an empty
// database. Loading the same seed twice is refused: the numbers exist.
func (c *DemoCmd) Run(env *Env) error {
	if c.Count < 1 {
		return fmt.Errorf("--count must be at least 1")
	}
	s, err := server.Open(env.Ctx, server.Config{DataDir: c.Data, DBURL: c.DB, SIP: sip.Config{Addr: "off"},
		Version: version, Log: env.Log, AdminTokenOut: env.Out})
	if err != nil {
		return err
	}
	defer s.Close()
	op, err := s.OperatorPrincipal(env.Ctx)
	if err != nil {
		return err
	}
	now := s.Numbers.Now()
	entries := number.DemoEntries(c.Count, c.Seed)
	ns := make([]number.Number, 0, len(entries))
	for _, e := range entries {
		n, err := s.Numbers.Build(e, now)
		if err != nil {
			return fmt.Errorf("demo number %s: %w", e.Number, err)
		}
		ns = append(ns, n)
	}
	if err := s.Numbers.Import(env.Ctx, op, ns); err != nil {
		if problem.Is(err, problem.Conflict) {
			return fmt.Errorf("demo inventory: numbers of this seed are already in inventory (try another --seed): %w", err)
		}
		return fmt.Errorf("demo inventory: %w", err)
	}
	_, err = fmt.Fprintf(env.Out, "demo inventory: %d numbers loaded\n", len(ns))
	return err
}

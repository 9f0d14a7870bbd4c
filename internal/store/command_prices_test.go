package store_test

import (
	"context"
	"testing"

	"switchboard/internal/command"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

func TestCommandPriceStore(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		s := store.NewCommandPrices(e.db)
		ts := stamp()
		a := command.Price{ID: e.ids.Next(), Dialect: command.Voicemeup, Command: "lookup_did", Price: 500, Description: "lookup", CreatedAt: ts, UpdatedAt: ts}
		b := command.Price{ID: e.ids.Next(), Dialect: command.Carrier, Command: "searchdid", Price: 100, CreatedAt: ts, UpdatedAt: ts}
		for _, p := range []command.Price{a, b} {
			if err := s.CreateCommandPrice(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		dup := a
		dup.ID = e.ids.Next()
		wantCode(t, s.CreateCommandPrice(ctx, dup), problem.Conflict, "command")
		// The same command name in another dialect is another command.
		other := a
		other.ID, other.Dialect = e.ids.Next(), command.Carrier
		if err := s.CreateCommandPrice(ctx, other); err != nil {
			t.Fatalf("same name, other dialect: %v", err)
		}
		got, err := s.GetCommandPrice(ctx, a.ID)
		if err != nil || got != a {
			t.Fatalf("Get = %+v, %v; want %+v", got, err, a)
		}
		a.Price, a.UpdatedAt = 700, stamp()
		if err := s.UpdateCommandPrice(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetCommandPrice(ctx, a.ID); got.Price != 700 {
			t.Fatalf("price after update = %s", got.Price)
		}
		items, n, err := s.ListCommandPrices(ctx, query.Params{Filter: "dialect eq 'carrier'", OrderBy: "command asc"})
		if err != nil || n != 2 || items[0].Command != "lookup_did" || items[1].Command != "searchdid" {
			t.Fatalf("List carrier = %+v, %d, %v", items, n, err)
		}
		if err := s.DeleteCommandPrice(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteCommandPrice(ctx, b.ID), problem.NotFound, "")
		_, err = s.GetCommandPrice(ctx, b.ID)
		wantCode(t, err, problem.NotFound, "")
		wantCode(t, s.UpdateCommandPrice(ctx, b), problem.NotFound, "")
		all, err := s.AllCommandPrices(ctx)
		if err != nil || len(all) != 2 {
			t.Fatalf("All = %d, %v; want 2", len(all), err)
		}
	})
}

package main

import (
	"fmt"

	"switchboard/internal/store"
)

// MigrateCmd applies migrations.
type MigrateCmd struct {
	StoreFlags
}

// Run applies every pending migration and reports the schema version.
func (c *MigrateCmd) Run(env *Env) error {
	db, err := store.Open(env.Ctx, c.DB, c.Data)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(env.Ctx, env.Log)
	if err != nil {
		return err
	}
	v, err := db.Version(env.Ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "applied %d migrations; schema version %d\n", n, v)
	return err
}

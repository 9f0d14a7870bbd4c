package store_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"switchboard/internal/account"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// migrationFiles returns the number of migrations and the latest version,
// read from the migration directory itself.
func migrationFiles(t *testing.T) (count int, latest int64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	for _, f := range files {
		v, err := strconv.ParseInt(strings.SplitN(filepath.Base(f), "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", f, err)
		}
		latest = max(latest, v)
	}
	return len(files), latest
}

// checkSchema proves the schema is usable: the tables exist and take rows.
func checkSchema(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	accts := store.NewAccounts(db)
	if _, ok, err := accts.OperatorAccount(ctx); err != nil || ok {
		t.Fatalf("OperatorAccount on a fresh schema = %v, %v; want false, nil", ok, err)
	}
	e := &env{db: db, accounts: accts, users: store.NewUsers(db), ids: newIDs(t)}
	op := e.mkAccount(t, nil, account.TypeOperator)
	e.mkUser(t, op.ID, "schema-check")
	if got, ok, err := accts.OperatorAccount(ctx); err != nil || !ok || got.ID != op.ID {
		t.Fatalf("OperatorAccount = %d, %v, %v; want %d", got.ID, ok, err, op.ID)
	}
}

func TestMigrate(t *testing.T) {
	count, latest := migrationFiles(t)
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		db := openDB(t, servertest.DBURL(t, kind))
		if db.Kind != store.Kind(kind) {
			t.Fatalf("Kind = %q; want %q", db.Kind, kind)
		}
		if v, err := db.Version(ctx); err != nil || v != 0 {
			t.Fatalf("Version before Migrate = %d, %v; want 0, nil", v, err)
		}
		n, err := db.Migrate(ctx, nil)
		if err != nil || n != count {
			t.Fatalf("first Migrate = %d, %v; want %d, nil", n, err, count)
		}
		n, err = db.Migrate(ctx, nil)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
		}
		if v, err := db.Version(ctx); err != nil || v != latest {
			t.Fatalf("Version = %d, %v; want %d", v, err, latest)
		}
		checkSchema(t, db)
	})
}

// TestMigrateConcurrent starts several nodes on one fresh PostgreSQL schema
// at once: the session lock must let exactly one apply each migration.
func TestMigrateConcurrent(t *testing.T) {
	count, latest := migrationFiles(t)
	servertest.EachStore(t, func(t *testing.T, kind string) {
		if kind != "postgres" {
			t.Skip("only PostgreSQL is shared by several nodes")
		}
		// Fresh: the nodes also race to create goose's version table.
		t.Run("fresh", func(t *testing.T) { migrateConcurrently(t, servertest.DBURL(t, kind), false, count, latest) })
		// Upgrade: the version table exists and migrations are pending, so
		// every node reaches the apply step at once.
		t.Run("pending", func(t *testing.T) { migrateConcurrently(t, servertest.DBURL(t, kind), true, count, latest) })
	})
}

func migrateConcurrently(t *testing.T, dbURL string, prime bool, count int, latest int64) {
	t.Helper()
	const nodes = 4
	dbs := make([]*store.DB, nodes)
	for i := range dbs {
		dbs[i] = openDB(t, dbURL)
	}
	if prime {
		if v, err := dbs[0].Version(context.Background()); err != nil || v != 0 {
			t.Fatalf("Version of the primed schema = %d, %v; want 0", v, err)
		}
	}
	applied := make([]int, nodes)
	errs := make([]error, nodes)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			applied[i], errs[i] = db.Migrate(context.Background(), nil)
		})
	}
	close(start)
	wg.Wait()
	total := 0
	for i := range dbs {
		if errs[i] != nil {
			t.Fatalf("node %d: Migrate: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != count {
		t.Fatalf("migrations applied across nodes = %d (%v); want %d, each exactly once", total, applied, count)
	}
	for i, db := range dbs {
		if v, err := db.Version(context.Background()); err != nil || v != latest {
			t.Fatalf("node %d: Version = %d, %v; want %d", i, v, err, latest)
		}
	}
	checkSchema(t, dbs[0])
}

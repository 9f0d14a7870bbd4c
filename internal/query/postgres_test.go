package query_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL run is opt-in: CI and developers without a server still
// get the SQLite run, and nobody's database is touched by accident.
func init() {
	if url := os.Getenv("SWITCHBOARD_TEST_POSTGRES"); url != "" {
		backends = append(backends, backend{name: "postgres", open: func(t *testing.T) (*sql.DB, string) {
			return openPostgres(t, url)
		}})
	}
}

// openPostgres creates a uniquely named schema so parallel runs do not
// collide, and drops it when the test ends.
func openPostgres(t *testing.T, url string) (*sql.DB, string) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "query_test_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	return db, schema + ".rates"
}

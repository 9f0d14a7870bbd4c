// Package store is Switchboard's persistence: one set of hand-written SQL that
// runs on embedded SQLite (the default) and on PostgreSQL (the scale-out
// path, several nodes sharing one database). Driver errors are translated to
// problem codes here, so no other package sees a driver.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Kind names the database engine behind a DB.
type Kind string

// The supported engines.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// DB is an open database. On SQLite all writes go through one connection
// (one writer path), so concurrent writers queue in Go instead of failing with
// "database is locked"; reads use a separate pool. On PostgreSQL both are the
// same pool.
type DB struct {
	Kind   Kind
	write  *sql.DB
	read   *sql.DB
	source string // redacted description for logs
}

// Open connects to dbURL: "" means the SQLite file switchboard.db in dataDir,
// "sqlite:PATH" or a plain path is a SQLite file, "postgres://..." or
// "postgresql://..." is PostgreSQL.
func Open(ctx context.Context, dbURL, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		return openPostgres(ctx, dbURL)
	case dbURL == "":
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("open store: create data dir: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "switchboard.db"))
	default:
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite://"), "sqlite:"))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// busy_timeout first so that even the pragmas wait rather than fail;
	// WAL lets readers run beside the single writer.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_time_format=sqlite"
	// The writer gets a 64 MiB page cache: large imports and index updates
	// otherwise thrash the 2 MiB default.
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(ON)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{Kind: SQLite, write: w, read: r, source: "sqlite:" + path}
	if err := db.ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(ctx context.Context, dbURL string) (*DB, error) {
	p, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(16)
	p.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{Kind: Postgres, write: p, read: p, source: redact(dbURL)}
	if err := db.ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// A search_path naming no existing schema leaves nowhere to create
	// tables; say so instead of failing later on a missing table.
	var schema sql.NullString
	if err := p.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil || !schema.Valid {
		db.Close()
		return nil, fmt.Errorf("connect %s: the search_path names no existing schema (create it first)", db.source)
	}
	return db, nil
}

func (db *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("connect %s: %w", db.source, err)
	}
	return nil
}

// redact hides the password of a database URL so it can be logged.
func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// String describes the database without secrets.
func (db *DB) String() string { return db.source }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Pools returns the writer and reader pools (the same on PostgreSQL), for
// pool metrics.
func (db *DB) Pools() (write, read *sql.DB) { return db.write, db.read }

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Reader returns the pool for queries that do not write.
func (db *DB) Reader() Querier { return db.read }

// Tx runs fn in a write transaction and commits it when fn returns nil.
// On SQLite the transaction begins IMMEDIATE on the single writer connection.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return translate(err)
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Exec runs one writing statement outside an explicit transaction.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.write.ExecContext(ctx, query, args...)
	return res, translate(err)
}

// now is the store's clock in unix microseconds, the unit of every time column.
func now() int64 { return time.Now().UnixMicro() }

// Micros converts a time to the unit of time columns.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros converts a time column back; 0 is the zero time.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

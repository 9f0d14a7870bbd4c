package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pressly/goose/v3"
)

// migrateLockWait bounds how long a node waits for another to finish
// migrating the same schema.
const migrateLockWait = 5 * time.Minute

// lockSchema takes a session advisory lock keyed by database and schema on
// a connection of its own and returns its release. It covers the whole of
// Migrate: goose's own session locker covers only the apply step (its
// HasPending check creates the version table unlocked, and a node that
// loses that race sleeps a second and retries), uses one fixed key for every
// schema of a server (unrelated deployments and parallel test runs queue
// behind each other) and polls it every 5 seconds, so nodes starting
// together each waited 5 s or more. pg_advisory_lock waits without polling.
func (db *DB) lockSchema(ctx context.Context) (unlock func() error, err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, migrateLockWait)
	defer cancel()
	var name string
	if err := conn.QueryRowContext(wctx, `SELECT current_database() || '.' || COALESCE(current_schema(), '')`).Scan(&name); err != nil {
		discard(conn)
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("switchboard migrations " + name))
	key := int64(h.Sum64())
	if _, err := conn.ExecContext(wctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		// The lock may have been granted just as the wait was cancelled:
		// end the session rather than pool a connection that may hold it.
		discard(conn)
		return nil, fmt.Errorf("migration lock on %s: %w", name, err)
	}
	return func() error {
		var ok bool
		err := conn.QueryRowContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key).Scan(&ok)
		if err == nil && !ok {
			err = errors.New("the lock was not held")
		}
		if err != nil {
			// Ending the session releases the lock whatever went wrong.
			discard(conn)
			return fmt.Errorf("migration unlock on %s: %w", name, err)
		}
		return conn.Close()
	}, nil
}

// discard ends conn's session instead of returning it to the pool: a Raw
// call that reports driver.ErrBadConn makes database/sql close it.
func discard(conn *sql.Conn) {
	if err := conn.Raw(func(any) error { return driver.ErrBadConn }); !errors.Is(err, driver.ErrBadConn) {
		_ = conn.Close()
	}
}

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies every pending migration. On PostgreSQL a session advisory
// lock on the schema makes nodes that start together apply them exactly once.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) (applied int, err error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	dialect := goose.DialectSQLite3
	if db.Kind == Postgres {
		dialect = goose.DialectPostgres
		unlock, lerr := db.lockSchema(ctx)
		if lerr != nil {
			return 0, fmt.Errorf("migrate: %w", lerr)
		}
		defer func() {
			if uerr := unlock(); uerr != nil && err == nil {
				err = fmt.Errorf("migrate: %w", uerr)
			}
		}()
	}
	p, err := goose.NewProvider(dialect, db.write, fsys)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	return len(results), nil
}

// Version reports the current schema version.
func (db *DB) Version(ctx context.Context) (int64, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	dialect := goose.DialectSQLite3
	if db.Kind == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, db.write, fsys)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return p.GetDBVersion(ctx)
}

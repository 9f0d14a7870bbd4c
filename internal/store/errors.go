package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"switchboard/internal/problem"
)

// translate turns driver errors into problem errors: unique violations become
// Conflict, missing rows NotFound, and anything else stays as it is (callers
// wrap it as Internal).
func translate(err error) error {
	if err == nil {
		return nil
	}
	var pe *problem.Error
	if errors.As(err, &pe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &problem.Error{Code: problem.NotFound, Message: "not found", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &problem.Error{Code: problem.Conflict, Message: "already exists", Field: uniqueField(pgErr.ConstraintName), Err: err}
		case "23503":
			return &problem.Error{Code: problem.Conflict, Message: "still referenced or referencing a missing row", Err: err}
		}
		return err
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &problem.Error{Code: problem.Conflict, Message: "already exists", Field: uniqueFieldSQLite(sqErr.Error()), Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &problem.Error{Code: problem.Conflict, Message: "still referenced or referencing a missing row", Err: err}
		}
	}
	return err
}

// uniqueField derives the API field from a PostgreSQL constraint name written
// as <table>_<column>_key or an index <table>_<column>_uniq.
func uniqueField(constraint string) string {
	c := strings.TrimSuffix(strings.TrimSuffix(constraint, "_key"), "_uniq")
	if i := strings.Index(c, "_"); i >= 0 {
		return c[i+1:]
	}
	return ""
}

// uniqueFieldSQLite reads the column from "UNIQUE constraint failed: t.col".
func uniqueFieldSQLite(msg string) string {
	i := strings.LastIndex(msg, ".")
	if i < 0 {
		return ""
	}
	f := msg[i+1:]
	if j := strings.IndexAny(f, " ,)"); j >= 0 {
		f = f[:j]
	}
	return f
}

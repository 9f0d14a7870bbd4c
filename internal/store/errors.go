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
			return &problem.Error{Code: problem.Conflict, Message: "already exists", Field: uniqueField(pgErr), Err: err}
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

// tables are the schema's table names, longest first, so that an index or
// constraint name <table>_<column>_<suffix> splits correctly even when the
// table name itself holds underscores.
var tables = []string{"peer_registrations", "extensions", "cdrs", "subaccount_addresses", "account_tax_rates", "invoice_sequences", "idempotency_keys", "account_balances", "request_counters", "ledger_entries", "account_tree", "subaccounts", "call_rates", "command_prices", "call_charges", "payments", "invoices", "accounts", "peers", "tariffs", "tokens", "users", "nodes"}

// fieldOfName derives the API field from an index or constraint name written
// <table>_<column>_key, <table>_<column>_uniq or <table>_pkey (the primary
// key, field "id"). table is the table when the driver reports it.
func fieldOfName(table, name string) string {
	if strings.HasSuffix(name, "_pkey") {
		return "id"
	}
	c := strings.TrimSuffix(strings.TrimSuffix(name, "_key"), "_uniq")
	if table != "" && strings.HasPrefix(c, table+"_") {
		return c[len(table)+1:]
	}
	for _, t := range tables {
		if strings.HasPrefix(c, t+"_") {
			return c[len(t)+1:]
		}
	}
	if i := strings.Index(c, "_"); i >= 0 {
		return c[i+1:]
	}
	return ""
}

// uniqueField derives the API field of a PostgreSQL unique violation.
func uniqueField(e *pgconn.PgError) string { return fieldOfName(e.TableName, e.ConstraintName) }

// uniqueFieldSQLite reads the field from SQLite's message, either
// "UNIQUE constraint failed: t.col" (a column constraint, "t.a, t.b" for
// several columns: the first is named) or "UNIQUE constraint failed: index
// 'name'" (an expression index, named like a PostgreSQL constraint).
func uniqueFieldSQLite(msg string) string {
	const marker = "constraint failed: "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(marker):]
	if name, ok := strings.CutPrefix(rest, "index '"); ok {
		if j := strings.IndexByte(name, '\''); j >= 0 {
			return fieldOfName("", name[:j])
		}
		return ""
	}
	if j := strings.IndexAny(rest, " ,)"); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.LastIndexByte(rest, '.'); j >= 0 {
		return rest[j+1:]
	}
	return ""
}

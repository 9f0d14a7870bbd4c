package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"switchboard/internal/extension"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Extensions stores extensions.
type Extensions struct{ db *DB }

// NewExtensions returns the extension store over db.
func NewExtensions(db *DB) *Extensions { return &Extensions{db: db} }

var _ extension.Store = (*Extensions)(nil)

// ExtensionSpec lists the fields of extensions a collection query may use.
var ExtensionSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "e.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "e.account_id", Type: query.ID, Sort: true},
		{Name: "subaccount_id", Column: "e.subaccount_id", Type: query.ID, Sort: true},
		{Name: "extension", Column: "e.extension", Type: query.Int, Sort: true},
		{Name: "friendly_name", Column: "e.friendly_name", Type: query.String, Sort: true, Search: true},
		{Name: "peer_timeout", Column: "e.peer_timeout", Type: query.Int, Sort: true},
		{Name: "forward_number", Column: "e.forward_number", Type: query.String, Search: true},
		{Name: "enable_forwarding", Column: "e.enable_forwarding", Type: query.Bool},
		{Name: "status", Column: "e.status", Type: query.Enum, Enum: extension.States, Sort: true},
		{Name: "comments", Column: "e.comments", Type: query.String, Search: true},
		{Name: "created_at", Column: "e.created_at", Type: query.Time, Sort: true},
		{Name: "updated_at", Column: "e.updated_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "e.id ASC",
	TieBreak:     "e.id ASC",
}

const extensionCols = `e.id, e.account_id, e.subaccount_id, e.extension, e.friendly_name, e.peer_ids, e.peer_timeout,
	e.forward_number, e.forward_timeout, e.enable_forwarding, e.status, e.comments, e.created_at, e.updated_at`

func scanExtension(r interface{ Scan(...any) error }) (extension.Extension, error) {
	var e extension.Extension
	var peers string
	var created, updated int64
	err := r.Scan(&e.ID, &e.AccountID, &e.SubaccountID, &e.Number, &e.FriendlyName, &peers, &e.PeerTimeout,
		&e.ForwardNumber, &e.ForwardTimeout, &e.EnableForwarding, &e.Status, &e.Comments, &created, &updated)
	if err != nil {
		return e, translate(err)
	}
	e.PeerIDs = []int64{}
	for _, s := range splitList(peers) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return e, fmt.Errorf("extension %d peers: %w", e.ID, err)
		}
		e.PeerIDs = append(e.PeerIDs, n)
	}
	e.CreatedAt, e.UpdatedAt = FromMicros(created), FromMicros(updated)
	return e, nil
}

func extensionArgs(e *extension.Extension) []any {
	ids := make([]string, len(e.PeerIDs))
	for i, n := range e.PeerIDs {
		ids[i] = strconv.FormatInt(n, 10)
	}
	return []any{e.ID, e.AccountID, e.SubaccountID, e.Number, e.FriendlyName, strings.Join(ids, ","), e.PeerTimeout,
		e.ForwardNumber, e.ForwardTimeout, e.EnableForwarding, e.Status, e.Comments, Micros(e.CreatedAt), Micros(e.UpdatedAt)}
}

// extensionConflict names the field of a duplicate number on both engines
// (SQLite reports the index's first column).
func extensionConflict(err error) error {
	if problem.Is(err, problem.Conflict) {
		return &problem.Error{Code: problem.Conflict, Message: "this account already has that extension", Field: "extension", Err: err}
	}
	return err
}

// CreateExtension inserts e.
func (s *Extensions) CreateExtension(ctx context.Context, e *extension.Extension) error {
	args := extensionArgs(e)
	_, err := s.db.Exec(ctx, `INSERT INTO extensions (`+strings.ReplaceAll(extensionCols, "e.", "")+`) VALUES (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert extension: %w", extensionConflict(translate(err)))
	}
	return nil
}

// GetExtension returns extension id if its account is in scope.
func (s *Extensions) GetExtension(ctx context.Context, scope, id int64) (extension.Extension, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+extensionCols+` FROM extensions e WHERE e.id = $1 AND `+inScope("e.account_id", 2), id, scope)
	e, err := scanExtension(row)
	if problem.Is(err, problem.NotFound) {
		return e, problem.NotFoundf("no such extension")
	}
	return e, err
}

// ExtensionByNumber returns an account's extension by its number.
func (s *Extensions) ExtensionByNumber(ctx context.Context, accountID int64, number int) (extension.Extension, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+extensionCols+` FROM extensions e WHERE e.account_id = $1 AND e.extension = $2`, accountID, number)
	e, err := scanExtension(row)
	if problem.Is(err, problem.NotFound) {
		return e, problem.NotFoundf("no such extension")
	}
	return e, err
}

// ListExtensions lists extensions in scope.
func (s *Extensions) ListExtensions(ctx context.Context, scope int64, f extension.Filter, p query.Params) ([]extension.Extension, int, error) {
	base := "FROM extensions e WHERE " + inScope("e.account_id", 1)
	args := []any{scope}
	if f.SubaccountID != 0 {
		args = append(args, f.SubaccountID)
		base += fmt.Sprintf(" AND e.subaccount_id = $%d", len(args))
	}
	return list(ctx, s.db.Reader(), extensionCols, base, args, &ExtensionSpec, p,
		func(r *sql.Rows) (extension.Extension, error) { return scanExtension(r) })
}

// UpdateExtension writes every mutable field of e.
func (s *Extensions) UpdateExtension(ctx context.Context, e *extension.Extension) error {
	a := extensionArgs(e)
	err := affected(s.db.Exec(ctx, `UPDATE extensions SET subaccount_id=$3, extension=$4, friendly_name=$5, peer_ids=$6,
		peer_timeout=$7, forward_number=$8, forward_timeout=$9, enable_forwarding=$10, status=$11, comments=$12, updated_at=$13
		WHERE id=$1 AND account_id=$2`, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[13]))
	return extensionConflict(err)
}

// DeleteExtension deletes an extension in scope.
func (s *Extensions) DeleteExtension(ctx context.Context, scope, id int64) error {
	err := affected(s.db.Exec(ctx, `DELETE FROM extensions WHERE id = $1 AND `+inScope("account_id", 2), id, scope))
	if problem.Is(err, problem.NotFound) {
		return problem.NotFoundf("no such extension")
	}
	return err
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Users is the auth.Store over a DB.
type Users struct{ db *DB }

// NewUsers returns the user and token store.
func NewUsers(db *DB) *Users { return &Users{db: db} }

var _ auth.Store = (*Users)(nil)

// UserSpec lists the fields of users a collection query may use.
var UserSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "u.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "u.account_id", Type: query.ID, Sort: true},
		{Name: "username", Column: "u.username", Type: query.String, Sort: true, Search: true},
		{Name: "role", Column: "u.role", Type: query.Enum, Enum: []string{"admin", "user", "readonly"}, Sort: true},
		{Name: "email", Column: "u.email", Type: query.String, Sort: true, Search: true},
		{Name: "status", Column: "u.status", Type: query.Enum, Enum: []string{"active", "disabled"}, Sort: true},
		{Name: "created_at", Column: "u.created_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "u.id ASC",
	TieBreak:     "u.id ASC",
}

// TokenSpec lists the fields of tokens a collection query may use.
var TokenSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "t.id", Type: query.ID, Sort: true},
		{Name: "user_id", Column: "t.user_id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "t.account_id", Type: query.ID, Sort: true},
		{Name: "kind", Column: "t.kind", Type: query.Enum, Enum: []string{"api", "access", "refresh"}, Sort: true},
		{Name: "name", Column: "t.name", Type: query.String, Sort: true, Search: true},
		{Name: "created_at", Column: "t.created_at", Type: query.Time, Sort: true},
		{Name: "last_used_at", Column: "t.last_used_at", Type: query.Time, Sort: true},
		{Name: "revoked_at", Column: "t.revoked_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "t.id ASC",
	TieBreak:     "t.id ASC",
}

const userCols = `u.id, u.account_id, u.username, u.role, u.email, u.status, u.created_at, u.updated_at`

func scanUser(r interface{ Scan(...any) error }, extra ...any) (auth.User, error) {
	var u auth.User
	var created, updated int64
	dest := append([]any{&u.ID, &u.AccountID, &u.Username, &u.Role, &u.Email, &u.Status, &created, &updated}, extra...)
	if err := r.Scan(dest...); err != nil {
		return u, translate(err)
	}
	u.CreatedAt, u.UpdatedAt = FromMicros(created), FromMicros(updated)
	return u, nil
}

// CreateUser inserts u with its password hash.
func (s *Users) CreateUser(ctx context.Context, u *auth.User, hash string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO users (id, account_id, username, password_hash, role, email, status, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, u.ID, u.AccountID, u.Username, hash, string(u.Role), u.Email, u.Status,
		Micros(u.CreatedAt), Micros(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// GetUser returns user id if its account is in scope.
func (s *Users) GetUser(ctx context.Context, scope, id int64) (auth.User, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1 AND `+inScope("u.account_id", 2), id, scope)
	u, err := scanUser(row)
	if problem.Is(err, problem.NotFound) {
		return u, problem.NotFoundf("no such user")
	}
	return u, err
}

// ListUsers lists users in scope.
func (s *Users) ListUsers(ctx context.Context, scope int64, p query.Params) ([]auth.User, int, error) {
	return list(ctx, s.db.Reader(), userCols, "FROM users u WHERE "+inScope("u.account_id", 1), []any{scope}, &UserSpec, p,
		func(r *sql.Rows) (auth.User, error) { return scanUser(r) })
}

// UpdateUser writes u, and the password hash when it is not empty.
func (s *Users) UpdateUser(ctx context.Context, u *auth.User, hash string) error {
	return affected(s.db.Exec(ctx, `UPDATE users SET username=$2, role=$3, email=$4, status=$5, updated_at=$6,
		password_hash = CASE WHEN $7 = '' THEN password_hash ELSE $7 END WHERE id=$1`,
		u.ID, u.Username, string(u.Role), u.Email, u.Status, Micros(u.UpdatedAt), hash))
}

// DeleteUser deletes a user in scope with its tokens.
func (s *Users) DeleteUser(ctx context.Context, scope, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = $1 AND `+inScope("account_id", 2), id, scope); err != nil {
			return fmt.Errorf("delete tokens: %w", err)
		}
		return affected(tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1 AND `+inScope("account_id", 2), id, scope))
	})
}

const identityCols = userCols + `, u.password_hash, a.path, a.number, a.status, (a.parent_id IS NULL)`

func scanIdentity(r interface{ Scan(...any) error }, tok ...any) (auth.Identity, error) {
	var id auth.Identity
	u, err := scanUser(r, append([]any{&id.PasswordHash, &id.AccountPath, &id.AccountNumber, &id.AccountStatus, &id.Operator}, tok...)...)
	id.User = u
	return id, err
}

// IdentityByUsername finds a user by name, case-insensitively.
func (s *Users) IdentityByUsername(ctx context.Context, username string) (auth.Identity, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+identityCols+` FROM users u JOIN accounts a ON a.id = u.account_id
		WHERE LOWER(u.username) = LOWER($1)`, username)
	return scanIdentity(row)
}

const tokenCols = `t.id, t.user_id, t.account_id, t.kind, t.hash, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

type tokenScan struct {
	t                                 auth.Token
	created, expires, used, revokedAt int64
}

func (ts *tokenScan) dest() []any {
	return []any{&ts.t.ID, &ts.t.UserID, &ts.t.AccountID, &ts.t.Kind, &ts.t.Hash, &ts.t.Name, &ts.created, &ts.expires, &ts.used, &ts.revokedAt}
}

func (ts *tokenScan) token() auth.Token {
	ts.t.CreatedAt, ts.t.ExpiresAt = FromMicros(ts.created), FromMicros(ts.expires)
	ts.t.LastUsedAt, ts.t.RevokedAt = FromMicros(ts.used), FromMicros(ts.revokedAt)
	return ts.t
}

// IdentityByTokenHash finds the user of a live token.
func (s *Users) IdentityByTokenHash(ctx context.Context, hash string, at time.Time) (auth.Identity, error) {
	var ts tokenScan
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+identityCols+`, `+tokenCols+` FROM tokens t
		JOIN users u ON u.id = t.user_id JOIN accounts a ON a.id = u.account_id
		WHERE t.hash = $1 AND t.revoked_at = 0 AND (t.expires_at = 0 OR t.expires_at > $2)`, hash, Micros(at))
	id, err := scanIdentity(row, ts.dest()...)
	id.Token = ts.token()
	return id, err
}

// CreateToken inserts t.
func (s *Users) CreateToken(ctx context.Context, t *auth.Token) error {
	_, err := s.db.Exec(ctx, `INSERT INTO tokens (id, user_id, account_id, kind, hash, name, created_at, expires_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, t.ID, t.UserID, t.AccountID, string(t.Kind), t.Hash, t.Name,
		Micros(t.CreatedAt), Micros(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// ListTokens lists tokens in scope.
func (s *Users) ListTokens(ctx context.Context, scope int64, p query.Params) ([]auth.Token, int, error) {
	return list(ctx, s.db.Reader(), tokenCols, "FROM tokens t WHERE "+inScope("t.account_id", 1), []any{scope}, &TokenSpec, p,
		func(r *sql.Rows) (auth.Token, error) {
			var ts tokenScan
			err := r.Scan(ts.dest()...)
			return ts.token(), err
		})
}

// GetToken returns token id in scope.
func (s *Users) GetToken(ctx context.Context, scope, id int64) (auth.Token, error) {
	var ts tokenScan
	err := s.db.Reader().QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens t WHERE t.id = $1 AND `+inScope("t.account_id", 2), id, scope).Scan(ts.dest()...)
	if err != nil {
		if problem.Is(translate(err), problem.NotFound) {
			return auth.Token{}, problem.NotFoundf("no such token")
		}
		return auth.Token{}, fmt.Errorf("get token: %w", err)
	}
	return ts.token(), nil
}

// RevokeToken marks token id revoked; revoking twice keeps the first time.
func (s *Users) RevokeToken(ctx context.Context, scope, id int64, at time.Time) error {
	return affected(s.db.Exec(ctx, `UPDATE tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN $3 ELSE revoked_at END
		WHERE id = $1 AND `+inScope("account_id", 2), id, scope, Micros(at)))
}

// TouchToken records that token id was used at.
func (s *Users) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE tokens SET last_used_at = $2 WHERE id = $1`, id, Micros(at))
	return err
}

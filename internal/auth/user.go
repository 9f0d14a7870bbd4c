package auth

import (
	"context"
	"time"

	"switchboard/internal/query"
)

// User is a person or system that logs in to one account.
type User struct {
	ID        int64
	AccountID int64
	Username  string
	Role      Role
	Email     string
	Status    string // active | disabled
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TokenKind distinguishes long-lived API tokens from login sessions.
type TokenKind string

// Token kinds.
const (
	KindAPI     TokenKind = "api"
	KindAccess  TokenKind = "access"
	KindRefresh TokenKind = "refresh"
)

// Token is the stored form of a credential: never the secret itself.
type Token struct {
	ID         int64
	UserID     int64
	AccountID  int64
	Kind       TokenKind
	Hash       string
	Name       string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time
	RevokedAt  time.Time // zero: live
}

// Identity is what a token or password resolves to before it becomes a
// Principal.
type Identity struct {
	User          User
	PasswordHash  string
	AccountPath   string
	AccountNumber string
	AccountStatus string
	Operator      bool
	Token         Token
}

// Store persists users and tokens. Scoped methods take the id of the
// account bounding the caller's view.
type Store interface {
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	GetUser(ctx context.Context, scope, id int64) (User, error)
	ListUsers(ctx context.Context, scope int64, q query.Params) ([]User, int, error)
	UpdateUser(ctx context.Context, u *User, passwordHash string) error
	DeleteUser(ctx context.Context, scope, id int64) error
	// IdentityByUsername finds a user by name (case-insensitive), unscoped.
	IdentityByUsername(ctx context.Context, username string) (Identity, error)

	CreateToken(ctx context.Context, t *Token) error
	// IdentityByTokenHash finds a live token (not revoked, not expired at now).
	IdentityByTokenHash(ctx context.Context, hash string, now time.Time) (Identity, error)
	ListTokens(ctx context.Context, scope int64, q query.Params) ([]Token, int, error)
	GetToken(ctx context.Context, scope, id int64) (Token, error)
	RevokeToken(ctx context.Context, scope, id int64, at time.Time) error
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// IDs issues new entity ids.
type IDs interface{ Next() int64 }

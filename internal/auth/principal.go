// Package auth resolves every credential form (API tokens, user passwords,
// and each dialect's way of presenting them) to one Principal: a user acting
// inside one account subtree.
package auth

import (
	"context"
	"strings"
)

// Role is what a user may do inside its account subtree.
type Role string

// Roles, from most to least powerful.
const (
	// RoleAdmin manages everything in its subtree: child accounts, users, tokens.
	RoleAdmin Role = "admin"
	// RoleUser manages the resources of its subtree but not users or tokens.
	RoleUser Role = "user"
	// RoleReadOnly may only read.
	RoleReadOnly Role = "readonly"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleUser || r == RoleReadOnly
}

// Principal is the authenticated caller of one request.
type Principal struct {
	UserID    int64
	Username  string
	Role      Role
	TokenID   int64 // 0 when authenticated by password
	AccountID int64
	// AccountNumber is the account's public number (carrier accountno,
	// voicemeup client_account_id, reseller X-Auth-Reseller).
	AccountNumber string
	// AccountPath is the materialised path of the user's account, e.g.
	// "/1/42/". Every account below it has a path starting with it.
	AccountPath string
	// Operator is true for users of the platform-owner (root) account.
	Operator bool
}

// Sees reports whether the principal may see the account with path.
func (p Principal) Sees(accountPath string) bool {
	return p.AccountPath != "" && strings.HasPrefix(accountPath, p.AccountPath)
}

// CanWrite reports whether the principal may change resources.
func (p Principal) CanWrite() bool { return p.Role == RoleAdmin || p.Role == RoleUser }

// IsAdmin reports whether the principal may manage accounts, users and tokens.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

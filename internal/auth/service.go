package auth

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Session lifetimes of POST /api/login.
const (
	AccessTTL  = time.Hour
	RefreshTTL = 30 * 24 * time.Hour
)

// AccountLookup answers what the auth service needs to know of accounts.
type AccountLookup interface {
	// AccountPath returns the path of an account in scope, or NotFound.
	AccountPath(ctx context.Context, scope, id int64) (string, error)
}

// Service manages users and tokens and authenticates credentials.
type Service struct {
	store    Store
	accounts AccountLookup
	ids      IDs
	now      func() time.Time
	tokens   tokenCache
}

// NewService returns a Service.
func NewService(store Store, accounts AccountLookup, ids IDs) *Service {
	// Times are kept at the store's precision (microseconds), so that what a
	// write answers is what a later read shows.
	now := func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	return &Service{store: store, accounts: accounts, ids: ids, now: now}
}

var unauthorized = problem.New(problem.Unauthorized, "invalid credentials")

func principal(id Identity) (Principal, error) {
	if id.User.Status != "active" || id.AccountStatus == "closed" {
		return Principal{}, unauthorized
	}
	return Principal{
		UserID: id.User.ID, Username: id.User.Username, Role: id.User.Role, TokenID: id.Token.ID,
		AccountID: id.User.AccountID, AccountNumber: id.AccountNumber, AccountPath: id.AccountPath,
		Operator: id.Operator,
	}, nil
}

// AuthenticateToken resolves an API or access token secret.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (Principal, error) {
	if !WellFormedSecret(secret) {
		return Principal{}, unauthorized
	}
	t := s.now()
	hash := HashSecret(secret)
	if id, ok := s.tokens.get(hash, t); ok {
		return principal(id)
	}
	id, err := s.store.IdentityByTokenHash(ctx, hash, t)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return Principal{}, unauthorized
		}
		return Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	if id.Token.Kind == KindRefresh {
		return Principal{}, unauthorized
	}
	s.tokens.put(hash, id, t)
	// Recording use at minute precision keeps a busy token from turning
	// every read into a write.
	if t.Sub(id.Token.LastUsedAt) > time.Minute {
		_ = s.store.TouchToken(ctx, id.Token.ID, t)
	}
	return principal(id)
}

// AuthenticatePassword resolves a username and password. An unknown user
// and a wrong password fail identically and take the same time.
func (s *Service) AuthenticatePassword(ctx context.Context, username, password string) (Principal, error) {
	if !plainText(username) {
		// No stored username holds one, and PostgreSQL refuses to compare
		// with a NUL: answer as for any unknown user.
		CheckPassword(dummyHash, password)
		return Principal{}, unauthorized
	}
	id, err := s.store.IdentityByUsername(ctx, username)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			CheckPassword(dummyHash, password)
			return Principal{}, unauthorized
		}
		return Principal{}, fmt.Errorf("authenticate password: %w", err)
	}
	if !CheckPassword(id.PasswordHash, password) {
		return Principal{}, unauthorized
	}
	return principal(id)
}

// AuthenticateSecret accepts either the user's password or one of the
// user's live tokens (the reseller dialect's X-Auth-Password allows both).
func (s *Service) AuthenticateSecret(ctx context.Context, username, secret string) (Principal, error) {
	if WellFormedSecret(secret) {
		if p, err := s.AuthenticateToken(ctx, secret); err == nil {
			if strings.EqualFold(p.Username, username) {
				return p, nil
			}
			return Principal{}, unauthorized
		}
	}
	return s.AuthenticatePassword(ctx, username, secret)
}

// Session is the answer of a login.
type Session struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int
}

// Login exchanges a username and password for an access and a refresh token.
func (s *Service) Login(ctx context.Context, username, password string) (Session, error) {
	p, err := s.AuthenticatePassword(ctx, username, password)
	if err != nil {
		return Session{}, err
	}
	return s.newSession(ctx, p.UserID, p.AccountID)
}

// Refresh exchanges a refresh token for a new session, revoking the old one.
func (s *Service) Refresh(ctx context.Context, refresh string) (Session, error) {
	if !WellFormedSecret(refresh) {
		return Session{}, unauthorized
	}
	id, err := s.store.IdentityByTokenHash(ctx, HashSecret(refresh), s.now())
	if err != nil || id.Token.Kind != KindRefresh {
		return Session{}, unauthorized
	}
	if _, err := principal(id); err != nil {
		return Session{}, err
	}
	if err := s.store.RevokeToken(ctx, id.User.AccountID, id.Token.ID, s.now()); err != nil {
		return Session{}, fmt.Errorf("refresh: %w", err)
	}
	return s.newSession(ctx, id.User.ID, id.User.AccountID)
}

func (s *Service) newSession(ctx context.Context, userID, accountID int64) (Session, error) {
	access, err := s.issue(ctx, userID, accountID, KindAccess, "login", AccessTTL)
	if err != nil {
		return Session{}, err
	}
	refresh, err := s.issue(ctx, userID, accountID, KindRefresh, "login", RefreshTTL)
	if err != nil {
		return Session{}, err
	}
	return Session{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(AccessTTL.Seconds())}, nil
}

func (s *Service) issue(ctx context.Context, userID, accountID int64, kind TokenKind, name string, ttl time.Duration) (string, error) {
	secret, err := NewSecret()
	if err != nil {
		return "", err
	}
	t := s.now()
	tok := Token{ID: s.ids.Next(), UserID: userID, AccountID: accountID, Kind: kind, Hash: HashSecret(secret), Name: name, CreatedAt: t}
	if ttl > 0 {
		tok.ExpiresAt = t.Add(ttl)
	}
	if err := s.store.CreateToken(ctx, &tok); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	return secret, nil
}

// CreateToken issues an API token to a user of the principal's subtree and
// returns its id and secret; the secret is never shown again.
func (s *Service) CreateToken(ctx context.Context, p Principal, userID int64, name string) (Token, string, error) {
	if !p.IsAdmin() && userID != p.UserID {
		return Token{}, "", problem.New(problem.Forbidden, "only an admin user may issue tokens to other users")
	}
	if len(name) > 64 || !plainText(name) {
		return Token{}, "", problem.Field("name", "must be at most 64 characters of text without NUL")
	}
	u, err := s.store.GetUser(ctx, p.AccountID, userID)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return Token{}, "", problem.Field("user_id", "no such user")
		}
		return Token{}, "", err
	}
	secret, err := s.issue(ctx, u.ID, u.AccountID, KindAPI, name, 0)
	if err != nil {
		return Token{}, "", err
	}
	tok, err := s.store.IdentityByTokenHash(ctx, HashSecret(secret), s.now())
	if err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return tok.Token, secret, nil
}

// ListTokens lists the tokens of the principal's subtree (never secrets).
func (s *Service) ListTokens(ctx context.Context, p Principal, q query.Params) ([]Token, int, error) {
	return s.store.ListTokens(ctx, p.AccountID, q)
}

// GetToken returns one token of the principal's subtree.
func (s *Service) GetToken(ctx context.Context, p Principal, id int64) (Token, error) {
	return s.store.GetToken(ctx, p.AccountID, id)
}

// RevokeToken revokes a token at once; a non-admin may revoke its own only.
func (s *Service) RevokeToken(ctx context.Context, p Principal, id int64) error {
	defer s.tokens.clear()
	tok, err := s.store.GetToken(ctx, p.AccountID, id)
	if err != nil {
		return err
	}
	if !p.IsAdmin() && tok.UserID != p.UserID {
		return problem.NotFoundf("no such token")
	}
	return s.store.RevokeToken(ctx, p.AccountID, id, s.now())
}

// UserPatch carries the fields of a user create or update.
type UserPatch struct {
	AccountID *int64
	Username  *string
	Password  *string
	Role      *Role
	Email     *string
	Status    *string
}

// plainText reports whether s is valid UTF-8 without NUL characters, which
// PostgreSQL refuses in text (and which no username or name needs).
func plainText(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

var (
	usernameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$`)
	emailRe    = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$`)
)

func (patch *UserPatch) apply(u *User) (hash string, err error) {
	if patch.Username != nil {
		u.Username = strings.TrimSpace(*patch.Username)
	}
	if patch.Role != nil {
		u.Role = *patch.Role
	}
	if patch.Email != nil {
		u.Email = strings.TrimSpace(*patch.Email)
	}
	if patch.Status != nil {
		u.Status = *patch.Status
	}
	switch {
	case !usernameRe.MatchString(u.Username):
		return "", problem.Field("username", "must be 3 to 64 letters, digits or . _ @ -, starting with a letter or digit")
	case !u.Role.Valid():
		return "", problem.Field("role", "must be admin, user or readonly")
	case u.Email != "" && (!emailRe.MatchString(u.Email) || !plainText(u.Email)):
		return "", problem.Field("email", "is not a valid email address")
	case u.Status != "active" && u.Status != "disabled":
		return "", problem.Field("status", "must be active or disabled")
	}
	if patch.Password != nil {
		pw := *patch.Password
		if len(pw) < 8 || len(pw) > 256 || !plainText(pw) {
			return "", problem.Field("password", "must be 8 to 256 characters of text without NUL")
		}
		return HashPassword(pw)
	}
	return "", nil
}

// CreateUser creates a user in patch.AccountID (default: the principal's).
func (s *Service) CreateUser(ctx context.Context, p Principal, patch UserPatch) (User, error) {
	if !p.IsAdmin() {
		return User{}, problem.New(problem.Forbidden, "only an admin user may manage users")
	}
	acc := p.AccountID
	if patch.AccountID != nil && *patch.AccountID != 0 {
		acc = *patch.AccountID
	}
	if _, err := s.accounts.AccountPath(ctx, p.AccountID, acc); err != nil {
		if problem.Is(err, problem.NotFound) {
			return User{}, problem.Field("account_id", "no such account")
		}
		return User{}, err
	}
	if patch.Username == nil {
		return User{}, problem.Field("username", "is required")
	}
	if patch.Password == nil {
		return User{}, problem.Field("password", "is required")
	}
	t := s.now()
	u := User{ID: s.ids.Next(), AccountID: acc, Role: RoleUser, Status: "active", CreatedAt: t, UpdatedAt: t}
	hash, err := patch.apply(&u)
	if err != nil {
		return User{}, err
	}
	if err := s.store.CreateUser(ctx, &u, hash); err != nil {
		if problem.Is(err, problem.Conflict) {
			return User{}, &problem.Error{Code: problem.Conflict, Field: "username", Message: "username is taken", Err: err}
		}
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// GetUser returns a user of the principal's subtree.
func (s *Service) GetUser(ctx context.Context, p Principal, id int64) (User, error) {
	return s.store.GetUser(ctx, p.AccountID, id)
}

// ListUsers lists users of the principal's subtree.
func (s *Service) ListUsers(ctx context.Context, p Principal, q query.Params) ([]User, int, error) {
	return s.store.ListUsers(ctx, p.AccountID, q)
}

// UpdateUser changes the given fields; users may change their own password
// and email, admins anything of users below them.
func (s *Service) UpdateUser(ctx context.Context, p Principal, id int64, patch UserPatch) (User, error) {
	defer s.tokens.clear()
	u, err := s.store.GetUser(ctx, p.AccountID, id)
	if err != nil {
		return User{}, err
	}
	self := u.ID == p.UserID
	if !p.IsAdmin() && (!self || patch.Role != nil || patch.Status != nil || patch.Username != nil) {
		return User{}, problem.New(problem.Forbidden, "only an admin user may change this")
	}
	if self && (patch.Role != nil && *patch.Role != u.Role || patch.Status != nil && *patch.Status != u.Status) {
		return User{}, problem.New(problem.Forbidden, "you cannot change your own role or status")
	}
	if patch.AccountID != nil && *patch.AccountID != u.AccountID {
		return User{}, problem.Field("account_id", "a user cannot move to another account")
	}
	hash, err := patch.apply(&u)
	if err != nil {
		return User{}, err
	}
	u.UpdatedAt = s.now()
	if err := s.store.UpdateUser(ctx, &u, hash); err != nil {
		if problem.Is(err, problem.Conflict) {
			return User{}, &problem.Error{Code: problem.Conflict, Field: "username", Message: "username is taken", Err: err}
		}
		return User{}, fmt.Errorf("update user: %w", err)
	}
	return u, nil
}

// DeleteUser removes a user and revokes its tokens; nobody deletes itself.
func (s *Service) DeleteUser(ctx context.Context, p Principal, id int64) error {
	defer s.tokens.clear()
	if !p.IsAdmin() {
		return problem.New(problem.Forbidden, "only an admin user may manage users")
	}
	if id == p.UserID {
		if _, err := s.store.GetUser(ctx, p.AccountID, id); err != nil {
			return err
		}
		return problem.New(problem.Forbidden, "you cannot delete yourself")
	}
	return s.store.DeleteUser(ctx, p.AccountID, id)
}

// Bootstrap creates the first admin user of the operator account and its
// first API token, returning the token secret.
func (s *Service) Bootstrap(ctx context.Context, operatorID int64, username string) (string, error) {
	pw, err := NewSecret()
	if err != nil {
		return "", err
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return "", err
	}
	t := s.now()
	u := User{ID: s.ids.Next(), AccountID: operatorID, Username: username, Role: RoleAdmin, Status: "active", CreatedAt: t, UpdatedAt: t}
	if err := s.store.CreateUser(ctx, &u, hash); err != nil {
		return "", fmt.Errorf("bootstrap admin: %w", err)
	}
	return s.issue(ctx, u.ID, operatorID, KindAPI, "bootstrap", 0)
}

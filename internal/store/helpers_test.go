package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/id"
	"switchboard/internal/problem"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// env is a migrated store of one kind with the stores built on it.
type env struct {
	kind     string
	db       *store.DB
	accounts *store.Accounts
	users    *store.Users
	ids      *id.Generator
}

// numbers makes account numbers unique across every test of the package.
var numbers atomic.Int64

// openDB opens a fresh, unmigrated database of kind; it is closed when the
// test ends.
func openDB(t *testing.T, dbURL string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL, t.TempDir())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newEnv opens and migrates a fresh database of kind.
func newEnv(t *testing.T, kind string) *env {
	t.Helper()
	db := openDB(t, servertest.DBURL(t, kind))
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return &env{kind: kind, db: db, accounts: store.NewAccounts(db), users: store.NewUsers(db), ids: newIDs(t)}
}

func newIDs(t *testing.T) *id.Generator {
	t.Helper()
	g, err := id.NewGenerator(1)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// stamp is a time that survives the microsecond columns unchanged.
func stamp() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// acct builds an account under parent (nil: the operator) without storing it.
func (e *env) acct(parent *account.Account, typ account.Type) account.Account {
	n := e.ids.Next()
	t := stamp()
	a := account.Account{
		ID: n, Path: fmt.Sprintf("/%d/", n), Number: strconv.FormatInt(10_000_000+numbers.Add(1), 10),
		Name: "acct " + strconv.FormatInt(n, 10), Type: typ, Currency: "CAD", BillingMode: account.Prepaid,
		Status: account.Active, Language: "en", Preferences: map[string]any{}, APILimits: map[string]int64{},
		CreatedAt: t, UpdatedAt: t,
	}
	if parent != nil {
		a.ParentID, a.Depth, a.Path = parent.ID, parent.Depth+1, fmt.Sprintf("%s%d/", parent.Path, n)
	}
	return a
}

// mkAccount stores a new account under parent (nil: the operator).
func (e *env) mkAccount(t *testing.T, parent *account.Account, typ account.Type) account.Account {
	t.Helper()
	a := e.acct(parent, typ)
	if err := e.accounts.CreateAccount(context.Background(), &a); err != nil {
		t.Fatalf("create account: %v", err)
	}
	return a
}

// tree is operator -> reseller -> sub-reseller -> customer, plus a sibling
// reseller under the operator.
type tree struct {
	op, res, sub, cust, sibling account.Account
}

func (e *env) mkTree(t *testing.T) tree {
	t.Helper()
	var tr tree
	tr.op = e.mkAccount(t, nil, account.TypeOperator)
	tr.res = e.mkAccount(t, &tr.op, account.TypeReseller)
	tr.sub = e.mkAccount(t, &tr.res, account.TypeReseller)
	tr.cust = e.mkAccount(t, &tr.sub, account.TypeCustomer)
	tr.sibling = e.mkAccount(t, &tr.op, account.TypeReseller)
	return tr
}

// mkUser stores a user named name in account acc.
func (e *env) mkUser(t *testing.T, acc int64, name string) auth.User {
	t.Helper()
	ts := stamp()
	u := auth.User{ID: e.ids.Next(), AccountID: acc, Username: name, Role: "admin", Email: name + "@example.com",
		Status: "active", CreatedAt: ts, UpdatedAt: ts}
	if err := e.users.CreateUser(context.Background(), &u, "hash-"+name); err != nil {
		t.Fatalf("create user %q: %v", name, err)
	}
	return u
}

// mkToken stores a token of u with hash and expiry (zero: never).
func (e *env) mkToken(t *testing.T, u auth.User, hash string, expires time.Time) auth.Token {
	t.Helper()
	tok := auth.Token{ID: e.ids.Next(), UserID: u.ID, AccountID: u.AccountID, Kind: auth.KindAPI, Hash: hash,
		Name: "tok " + hash, CreatedAt: stamp(), ExpiresAt: expires}
	if err := e.users.CreateToken(context.Background(), &tok); err != nil {
		t.Fatalf("create token: %v", err)
	}
	return tok
}

// wantCode fails unless err carries code (and field, when not empty).
func wantCode(t *testing.T, err error, code problem.Code, field string) {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T); want problem %s", err, err, code)
	}
	if pe.Code != code {
		t.Fatalf("error code = %s (%v); want %s", pe.Code, err, code)
	}
	if field != "" && pe.Field != field {
		t.Fatalf("error field = %q (%v); want %q", pe.Field, err, field)
	}
}

package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Service applies the rules of the account tree over a Store.
type Service struct {
	store Store
	ids   IDs
	geo   Geography
	now   func() time.Time
}

// NewService returns a Service.
func NewService(store Store, ids IDs, geo Geography) *Service {
	return &Service{store: store, ids: ids, geo: geo, now: storedNow}
}

// storedNow is the current time at the precision the store keeps
// (microseconds), so that what a write answers is what a later read shows.
func storedNow() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// AccountPatch carries the fields of an account create or update.
type AccountPatch struct {
	ParentID    *int64
	Name        *string
	Type        *Type
	Currency    *string
	BillingMode *BillingMode
	CreditLimit *money.Amount
	Status      *Status
	Language    *string
	Preferences *map[string]any
	APILimits   *map[string]int64
}

func requireWrite(p auth.Principal) error {
	if !p.CanWrite() {
		return problem.New(problem.Forbidden, "this credential is read-only")
	}
	return nil
}

func requireAdmin(p auth.Principal) error {
	if !p.IsAdmin() {
		return problem.New(problem.Forbidden, "only an admin user may do this")
	}
	return nil
}

// Bootstrap creates the operator account if the database has none. It is
// idempotent and reports whether it created it.
func (s *Service) Bootstrap(ctx context.Context, name, currency string) (Account, bool, error) {
	op, ok, err := s.store.OperatorAccount(ctx)
	if err != nil || ok {
		return op, false, err
	}
	id := s.ids.Next()
	t := s.now()
	a := Account{
		ID: id, Path: fmt.Sprintf("/%d/", id), Number: "", Name: name, Type: TypeOperator,
		Currency: currency, BillingMode: Postpaid, Status: Active, Language: "en",
		Preferences: map[string]any{}, APILimits: map[string]int64{}, CreatedAt: t, UpdatedAt: t,
	}
	if err := s.insertWithNumber(ctx, &a); err != nil {
		return Account{}, false, fmt.Errorf("bootstrap operator: %w", err)
	}
	return a, true, nil
}

// insertWithNumber gives a a fresh random account number, retrying on the
// rare collision.
func (s *Service) insertWithNumber(ctx context.Context, a *Account) error {
	for range 8 {
		n, err := rand.Int(rand.Reader, big.NewInt(90_000_000))
		if err != nil {
			return fmt.Errorf("account number: %w", err)
		}
		a.Number = fmt.Sprintf("%d", 10_000_000+n.Int64())
		err = s.store.CreateAccount(ctx, a)
		if problem.Is(err, problem.Conflict) && strings.Contains(err.Error(), "number") {
			continue
		}
		return err
	}
	return problem.New(problem.Conflict, "could not allocate an account number")
}

// CreateAccount creates a child account under patch.ParentID (default: the
// principal's own account), which must be a reseller or the operator.
func (s *Service) CreateAccount(ctx context.Context, p auth.Principal, patch AccountPatch) (Account, error) {
	if err := requireAdmin(p); err != nil {
		return Account{}, err
	}
	parentID := p.AccountID
	if patch.ParentID != nil && *patch.ParentID != 0 {
		parentID = *patch.ParentID
	}
	parent, err := s.store.GetAccount(ctx, p.AccountID, parentID)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return Account{}, problem.Field("parent_id", "no such account")
		}
		return Account{}, err
	}
	if parent.Type == TypeCustomer {
		return Account{}, problem.Field("parent_id", "a customer account cannot own accounts; make it a reseller first")
	}
	if parent.Status == Closed {
		return Account{}, problem.Field("parent_id", "the parent account is closed")
	}
	t := s.now()
	a := Account{
		ParentID: parent.ID, Depth: parent.Depth + 1, Type: TypeCustomer, Currency: parent.Currency,
		BillingMode: Prepaid, Status: Active, Language: parent.Language,
		Preferences: map[string]any{}, APILimits: map[string]int64{}, CreatedAt: t, UpdatedAt: t,
	}
	if patch.Name == nil {
		return Account{}, problem.Field("name", "is required")
	}
	if patch.APILimits != nil && !p.Operator {
		return Account{}, problem.New(problem.Forbidden, "only the operator sets api_limits")
	}
	if err := patch.apply(&a); err != nil {
		return Account{}, err
	}
	a.ID = s.ids.Next()
	a.Path = fmt.Sprintf("%s%d/", parent.Path, a.ID)
	if err := s.insertWithNumber(ctx, &a); err != nil {
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	return a, nil
}

func (patch *AccountPatch) apply(a *Account) error {
	if patch.Name != nil {
		a.Name = strings.TrimSpace(*patch.Name)
	}
	if patch.Type != nil {
		a.Type = *patch.Type
	}
	if patch.Currency != nil {
		a.Currency = strings.ToUpper(strings.TrimSpace(*patch.Currency))
	}
	if patch.BillingMode != nil {
		a.BillingMode = *patch.BillingMode
	}
	if patch.CreditLimit != nil {
		a.CreditLimit = *patch.CreditLimit
	}
	if patch.Status != nil {
		a.Status = *patch.Status
	}
	if patch.Language != nil {
		a.Language = *patch.Language
	}
	if patch.Preferences != nil {
		a.Preferences = *patch.Preferences
	}
	if patch.APILimits != nil {
		a.APILimits = *patch.APILimits
	}
	if err := checkText("name", a.Name, "currency", a.Currency, "language", a.Language); err != nil {
		return err
	}
	switch {
	case a.Name == "" || len(a.Name) > 128:
		return problem.Field("name", "must be 1 to 128 characters")
	case a.Type != TypeReseller && a.Type != TypeCustomer && a.Type != TypeOperator:
		return problem.Field("type", "must be reseller or customer")
	case !money.ValidCurrency(a.Currency):
		return problem.Field("currency", "must be an ISO 4217 currency code")
	case a.BillingMode != Prepaid && a.BillingMode != Postpaid:
		return problem.Field("billing_mode", "must be prepaid or postpaid")
	case a.CreditLimit < 0:
		return problem.Field("credit_limit", "must not be negative")
	case a.BillingMode == Prepaid && a.CreditLimit != 0:
		return problem.Field("credit_limit", "only postpaid accounts have a credit limit")
	case a.Status != Active && a.Status != Suspended && a.Status != Closed:
		return problem.Field("status", "must be active, suspended or closed")
	case !slices.Contains(Languages, a.Language):
		return problem.Field("language", "must be en or fr")
	case len(a.Preferences) > 64:
		return problem.Field("preferences", "at most 64 keys")
	}
	if v, ok := a.Preferences[RequireBundle]; ok {
		if _, isBool := v.(bool); !isBool {
			return problem.Field("preferences", "%s must be true or false", RequireBundle)
		}
	}
	for k, v := range a.APILimits {
		if v < 0 || v > 10_000_000 || k == "" || len(k) > 64 {
			return problem.Field("api_limits", "limit %q must be between 0 and 10000000", k)
		}
	}
	return nil
}

// GetAccount returns an account of the principal's subtree.
func (s *Service) GetAccount(ctx context.Context, p auth.Principal, id int64) (Account, error) {
	return s.store.GetAccount(ctx, p.AccountID, id)
}

// GetAccountByNumber finds an account by its public number, for credential
// checks; it is not scoped.
func (s *Service) GetAccountByNumber(ctx context.Context, number string) (Account, error) {
	return s.store.GetAccountByNumber(ctx, number)
}

// ListAccounts lists the principal's subtree.
func (s *Service) ListAccounts(ctx context.Context, p auth.Principal, q query.Params) ([]Account, int, error) {
	return s.store.ListAccounts(ctx, p.AccountID, q)
}

// UpdateAccount changes the given fields. A principal may not change its own
// account's type, status or limits (its parent does that), and an account
// with children cannot become a customer.
func (s *Service) UpdateAccount(ctx context.Context, p auth.Principal, id int64, patch AccountPatch) (Account, error) {
	if err := requireAdmin(p); err != nil {
		return Account{}, err
	}
	a, err := s.store.GetAccount(ctx, p.AccountID, id)
	if err != nil {
		return Account{}, err
	}
	if patch.ParentID != nil && *patch.ParentID != a.ParentID {
		return Account{}, problem.Field("parent_id", "an account cannot be moved")
	}
	if patch.APILimits != nil && !p.Operator {
		return Account{}, problem.New(problem.Forbidden, "only the operator sets api_limits")
	}
	if a.ID == p.AccountID && (patch.Type != nil || patch.Status != nil || patch.CreditLimit != nil || patch.BillingMode != nil) {
		return Account{}, problem.New(problem.Forbidden, "type, status, billing mode and credit limit of your own account are set by your provider")
	}
	if a.Type == TypeOperator && patch.Type != nil && *patch.Type != TypeOperator {
		return Account{}, problem.Field("type", "the operator account keeps its type")
	}
	if patch.Type != nil && *patch.Type == TypeOperator && a.Type != TypeOperator {
		return Account{}, problem.Field("type", "must be reseller or customer")
	}
	if patch.Currency != nil && !strings.EqualFold(*patch.Currency, a.Currency) {
		return Account{}, problem.Field("currency", "the currency of an existing account cannot change")
	}
	before := a.Type
	if err := patch.apply(&a); err != nil {
		return Account{}, err
	}
	if before == TypeReseller && a.Type == TypeCustomer {
		has, err := s.store.HasChildren(ctx, a.ID)
		if err != nil {
			return Account{}, err
		}
		if has {
			return Account{}, problem.Field("type", "an account with child accounts must stay a reseller")
		}
	}
	a.UpdatedAt = s.now()
	if err := s.store.UpdateAccount(ctx, &a); err != nil {
		return Account{}, fmt.Errorf("update account: %w", err)
	}
	return a, nil
}

// DeleteAccount removes an account that has no child accounts; its own rows
// go with it. A principal cannot delete its own account.
func (s *Service) DeleteAccount(ctx context.Context, p auth.Principal, id int64) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if id == p.AccountID {
		if _, err := s.store.GetAccount(ctx, p.AccountID, id); err != nil {
			return err
		}
		return problem.New(problem.Forbidden, "you cannot delete your own account")
	}
	return s.store.DeleteAccount(ctx, p.AccountID, id)
}

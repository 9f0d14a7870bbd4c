package tariff

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// freshness bounds how stale a node's deck may be after another node
// changed the tariff; changes made through this node apply at once.
const freshness = time.Second

// Service manages tariffs and rates calls.
type Service struct {
	store Store
	ids   IDs
	now   func() time.Time

	mu     sync.Mutex
	decks  map[int64]*deckEntry
	chains map[int64]chainEntry
}

// NewService returns a Service.
func NewService(store Store, ids IDs) *Service {
	return &Service{store: store, ids: ids, now: func() time.Time { return time.Now().UTC() }, decks: map[int64]*deckEntry{}, chains: map[int64]chainEntry{}}
}

// Patch carries the fields of a tariff create or update.
type Patch struct {
	AccountID   *int64
	Name        *string
	Currency    *string
	Description *string
}

func (p *Patch) apply(t *Tariff) error {
	if p.Name != nil {
		t.Name = strings.TrimSpace(*p.Name)
	}
	if p.Currency != nil {
		t.Currency = strings.ToUpper(strings.TrimSpace(*p.Currency))
	}
	if p.Description != nil {
		t.Description = *p.Description
	}
	switch {
	case t.Name == "" || len(t.Name) > 128 || strings.ContainsRune(t.Name, 0):
		return problem.Field("name", "must be 1 to 128 characters")
	case !money.ValidCurrency(t.Currency):
		return problem.Field("currency", "must be an ISO 4217 currency code")
	case len(t.Description) > 1024 || strings.ContainsRune(t.Description, 0):
		return problem.Field("description", "must be at most 1024 characters")
	}
	return nil
}

// Bootstrap creates the operator's default tariff if the operator has none
// and makes it the operator's tariff, the default its children inherit.
func (s *Service) Bootstrap(ctx context.Context, operatorID int64, currency string) error {
	cur, err := s.store.AccountTariff(ctx, operatorID)
	if err != nil {
		return fmt.Errorf("default tariff: %w", err)
	}
	if cur != 0 {
		return nil
	}
	t := s.now()
	tar := Tariff{ID: s.ids.Next(), AccountID: operatorID, Name: "Default", Currency: currency,
		Description: "The operator's default tariff", Version: 1, CreatedAt: t, UpdatedAt: t}
	if err := s.store.CreateTariff(ctx, &tar); err != nil {
		return fmt.Errorf("default tariff: %w", err)
	}
	return s.store.SetAccountTariff(ctx, operatorID, tar.ID)
}

// access reports how the principal may use tariff id: owners' subtrees may
// change it; an account may read the tariff it is sold at. Anything else is
// NotFound.
func (s *Service) access(ctx context.Context, p auth.Principal, id int64) (Tariff, bool, error) {
	t, err := s.store.GetTariff(ctx, id)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return Tariff{}, false, problem.NotFoundf("no such tariff")
		}
		return Tariff{}, false, err
	}
	in, err := s.store.InSubtree(ctx, p.AccountID, t.AccountID)
	if err != nil {
		return Tariff{}, false, err
	}
	if in {
		return t, p.CanWrite(), nil
	}
	own, err := s.store.AccountTariff(ctx, p.AccountID)
	if err != nil {
		return Tariff{}, false, err
	}
	if own == id {
		return t, false, nil
	}
	return Tariff{}, false, problem.NotFoundf("no such tariff")
}

// resolve picks the tariff a call-rate operation acts on: the given one, or
// the caller's own tariff.
func (s *Service) resolve(ctx context.Context, p auth.Principal, tariffID int64, write bool) (Tariff, error) {
	if tariffID == 0 {
		own, err := s.store.AccountTariff(ctx, p.AccountID)
		if err != nil {
			return Tariff{}, err
		}
		if own == 0 {
			return Tariff{}, problem.Field("tariff_id", "your account has no tariff; give tariff_id")
		}
		tariffID = own
	}
	t, writable, err := s.access(ctx, p, tariffID)
	if err != nil {
		return Tariff{}, err
	}
	if write && !writable {
		if !p.CanWrite() {
			return Tariff{}, problem.New(problem.Forbidden, "this credential is read-only")
		}
		return Tariff{}, problem.New(problem.Forbidden, "the tariff you are sold at belongs to your provider; create a tariff of your own")
	}
	return t, nil
}

// CreateTariff creates a tariff owned by patch.AccountID (default: the
// principal's account).
func (s *Service) CreateTariff(ctx context.Context, p auth.Principal, patch Patch) (Tariff, error) {
	if !p.CanWrite() {
		return Tariff{}, problem.New(problem.Forbidden, "this credential is read-only")
	}
	owner := p.AccountID
	if patch.AccountID != nil && *patch.AccountID != 0 {
		owner = *patch.AccountID
	}
	in, err := s.store.InSubtree(ctx, p.AccountID, owner)
	if err != nil {
		return Tariff{}, err
	}
	if !in {
		return Tariff{}, problem.Field("account_id", "no such account")
	}
	if patch.Name == nil {
		return Tariff{}, problem.Field("name", "is required")
	}
	t := s.now()
	tar := Tariff{ID: s.ids.Next(), AccountID: owner, Version: 1, CreatedAt: t, UpdatedAt: t}
	if patch.Currency == nil {
		if tar.Currency, err = s.store.AccountCurrency(ctx, owner); err != nil {
			return Tariff{}, err
		}
	}
	if err := patch.apply(&tar); err != nil {
		return Tariff{}, err
	}
	if err := s.store.CreateTariff(ctx, &tar); err != nil {
		if problem.Is(err, problem.Conflict) {
			return Tariff{}, &problem.Error{Code: problem.Conflict, Field: "name", Message: "the account already has a tariff of that name", Err: err}
		}
		return Tariff{}, fmt.Errorf("create tariff: %w", err)
	}
	return tar, nil
}

// GetTariff returns a tariff the principal may see.
func (s *Service) GetTariff(ctx context.Context, p auth.Principal, id int64) (Tariff, error) {
	t, _, err := s.access(ctx, p, id)
	return t, err
}

// ListTariffs lists the tariffs owned in the principal's subtree and the
// tariff the principal is sold at.
func (s *Service) ListTariffs(ctx context.Context, p auth.Principal, q query.Params) ([]Tariff, int, error) {
	own, err := s.store.AccountTariff(ctx, p.AccountID)
	if err != nil {
		return nil, 0, err
	}
	return s.store.ListTariffs(ctx, p.AccountID, own, q)
}

// UpdateTariff changes name, description or currency.
func (s *Service) UpdateTariff(ctx context.Context, p auth.Principal, id int64, patch Patch) (Tariff, error) {
	t, err := s.resolve(ctx, p, id, true)
	if err != nil {
		return Tariff{}, err
	}
	if patch.AccountID != nil && *patch.AccountID != t.AccountID {
		return Tariff{}, problem.Field("account_id", "a tariff cannot change owner")
	}
	if err := patch.apply(&t); err != nil {
		return Tariff{}, err
	}
	t.UpdatedAt = s.now()
	if err := s.store.UpdateTariff(ctx, &t); err != nil {
		return Tariff{}, fmt.Errorf("update tariff: %w", err)
	}
	return t, nil
}

// DeleteTariff deletes a tariff no account is sold at, with its rates.
func (s *Service) DeleteTariff(ctx context.Context, p auth.Principal, id int64) error {
	if _, err := s.resolve(ctx, p, id, true); err != nil {
		return err
	}
	used, err := s.store.TariffInUse(ctx, id)
	if err != nil {
		return err
	}
	if used {
		return problem.New(problem.Conflict, "accounts are still sold at this tariff")
	}
	if err := s.store.DeleteTariff(ctx, id); err != nil {
		return err
	}
	s.invalidate(id)
	return nil
}

// CheckAssignable reports whether the principal may sell at tariffID.
func (s *Service) CheckAssignable(ctx context.Context, p auth.Principal, tariffID int64) error {
	if !p.IsAdmin() {
		return problem.New(problem.Forbidden, "only an admin user may set tariffs")
	}
	if _, _, err := s.access(ctx, p, tariffID); err != nil {
		if problem.Is(err, problem.NotFound) {
			return problem.Field("tariff_id", "no such tariff")
		}
		return err
	}
	return nil
}

// AssignTariff sets the tariff account is sold at. The tariff must be owned
// in the principal's subtree (or be the principal's own tariff), and the
// principal must be above the account: nobody picks its own price.
func (s *Service) AssignTariff(ctx context.Context, p auth.Principal, accountID, tariffID int64) error {
	if !p.IsAdmin() {
		return problem.New(problem.Forbidden, "only an admin user may set tariffs")
	}
	if accountID == p.AccountID {
		return problem.New(problem.Forbidden, "the tariff of your own account is set by your provider")
	}
	in, err := s.store.InSubtree(ctx, p.AccountID, accountID)
	if err != nil {
		return err
	}
	if !in {
		return problem.NotFoundf("no such account")
	}
	if _, _, err := s.access(ctx, p, tariffID); err != nil {
		if problem.Is(err, problem.NotFound) {
			return problem.Field("tariff_id", "no such tariff")
		}
		return err
	}
	if err := s.store.SetAccountTariff(ctx, accountID, tariffID); err != nil {
		return err
	}
	// Every cached chain may run through this account.
	s.mu.Lock()
	s.chains = map[int64]chainEntry{}
	s.mu.Unlock()
	return nil
}

// AssignSubaccountTariff sets the tariff a subaccount's calls are sold at
// (0: its account's). The account owning the subaccount chooses, among the
// tariffs it may use.
func (s *Service) AssignSubaccountTariff(ctx context.Context, p auth.Principal, subaccountID, tariffID int64) error {
	if !p.CanWrite() {
		return problem.New(problem.Forbidden, "this credential is read-only")
	}
	acc, _, err := s.store.SubaccountTariff(ctx, subaccountID)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return problem.NotFoundf("no such subaccount")
		}
		return err
	}
	if in, err := s.store.InSubtree(ctx, p.AccountID, acc); err != nil {
		return err
	} else if !in {
		return problem.NotFoundf("no such subaccount")
	}
	if tariffID != 0 {
		if _, _, err := s.access(ctx, p, tariffID); err != nil {
			if problem.Is(err, problem.NotFound) {
				return problem.Field("tariff_id", "no such tariff")
			}
			return err
		}
	}
	return s.store.SetSubaccountTariff(ctx, subaccountID, tariffID)
}

// AccountTariff returns the tariff an account is sold at.
func (s *Service) AccountTariff(ctx context.Context, accountID int64) (int64, error) {
	return s.store.AccountTariff(ctx, accountID)
}

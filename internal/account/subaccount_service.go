package account

import (
	"context"
	"fmt"

	"switchboard/internal/auth"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// CreateSubaccount creates a subaccount in patch.AccountID (default: the
// principal's account). friendly_name, multi_tenancy_mode and status are
// required, as update_subaccount specifies.
func (s *Service) CreateSubaccount(ctx context.Context, p auth.Principal, patch SubaccountPatch) (Subaccount, error) {
	if err := requireWrite(p); err != nil {
		return Subaccount{}, err
	}
	owner := p.AccountID
	if patch.AccountID != nil && *patch.AccountID != 0 {
		owner = *patch.AccountID
	}
	acc, err := s.store.GetAccount(ctx, p.AccountID, owner)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return Subaccount{}, problem.Field("account_id", "no such account")
		}
		return Subaccount{}, err
	}
	switch {
	case patch.FriendlyName == nil:
		return Subaccount{}, problem.Field("friendly_name", "is required")
	case patch.MultiTenancyMode == nil:
		return Subaccount{}, problem.Field("multi_tenancy_mode", "is required")
	case patch.Status == nil:
		return Subaccount{}, problem.Field("status", "is required")
	}
	t := s.now()
	sub := Subaccount{
		ID: s.ids.Next(), AccountID: acc.ID, InternationalCallLimit: 1,
		ClientProfile: "undefined", CreatedAt: t, UpdatedAt: t,
	}
	if err := patch.apply(&sub); err != nil {
		return Subaccount{}, err
	}
	if err := s.checkShared(ctx, &sub); err != nil {
		return Subaccount{}, err
	}
	if err := s.store.CreateSubaccount(ctx, &sub); err != nil {
		return Subaccount{}, fmt.Errorf("create subaccount: %w", err)
	}
	return sub, nil
}

// checkShared verifies the subaccount a shared multi-tenancy points to
// belongs to the same account.
func (s *Service) checkShared(ctx context.Context, sub *Subaccount) error {
	if sub.MultiTenancyMode != "shared" {
		sub.MultiTenancySubaccountID = 0
		return nil
	}
	other, err := s.store.GetSubaccount(ctx, sub.AccountID, sub.MultiTenancySubaccountID)
	if err != nil || other.AccountID != sub.AccountID {
		return problem.Field("multi_tenancy_subaccount_id", "must be a subaccount of the same account")
	}
	return nil
}

// GetSubaccount returns a subaccount of the principal's subtree.
func (s *Service) GetSubaccount(ctx context.Context, p auth.Principal, id int64) (Subaccount, error) {
	return s.store.GetSubaccount(ctx, p.AccountID, id)
}

// ListSubaccounts lists subaccounts of the principal's subtree.
func (s *Service) ListSubaccounts(ctx context.Context, p auth.Principal, f SubaccountFilter, q query.Params) ([]Subaccount, int, error) {
	for _, st := range f.Statuses {
		if !contains(SubaccountStates, st) {
			return nil, 0, problem.Field("status", "must be enabled, disabled or deleted")
		}
	}
	return s.store.ListSubaccounts(ctx, p.AccountID, f, q)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Associations returns the ids of resources tied to a subaccount.
func (s *Service) Associations(ctx context.Context, p auth.Principal, id int64) (Associations, error) {
	if _, err := s.store.GetSubaccount(ctx, p.AccountID, id); err != nil {
		return Associations{}, err
	}
	return s.store.Associations(ctx, id)
}

// UpdateSubaccount changes the given fields.
func (s *Service) UpdateSubaccount(ctx context.Context, p auth.Principal, id int64, patch SubaccountPatch) (Subaccount, error) {
	if err := requireWrite(p); err != nil {
		return Subaccount{}, err
	}
	sub, err := s.store.GetSubaccount(ctx, p.AccountID, id)
	if err != nil {
		return Subaccount{}, err
	}
	if patch.AccountID != nil && *patch.AccountID != sub.AccountID {
		return Subaccount{}, problem.Field("account_id", "a subaccount cannot move to another account")
	}
	if err := patch.apply(&sub); err != nil {
		return Subaccount{}, err
	}
	if err := s.checkShared(ctx, &sub); err != nil {
		return Subaccount{}, err
	}
	sub.UpdatedAt = s.now()
	if err := s.store.UpdateSubaccount(ctx, &sub); err != nil {
		return Subaccount{}, fmt.Errorf("update subaccount: %w", err)
	}
	return sub, nil
}

// DeleteSubaccount removes a subaccount and its addresses.
func (s *Service) DeleteSubaccount(ctx context.Context, p auth.Principal, id int64) error {
	if err := requireWrite(p); err != nil {
		return err
	}
	return s.store.DeleteSubaccount(ctx, p.AccountID, id)
}

// CreateAddress adds an address to a subaccount; there is at most one
// address of each type per subaccount.
func (s *Service) CreateAddress(ctx context.Context, p auth.Principal, subaccountID int64, patch AddressPatch) (Address, error) {
	if err := requireWrite(p); err != nil {
		return Address{}, err
	}
	// The subaccount is the resource the caller addresses (a path segment
	// in the native API): one it cannot see is NotFound, as everywhere
	// else. Dialects that take it as a parameter rename it.
	sub, err := s.store.GetSubaccount(ctx, p.AccountID, subaccountID)
	if err != nil {
		return Address{}, err
	}
	t := s.now()
	a := Address{ID: s.ids.Next(), SubaccountID: sub.ID, AccountID: sub.AccountID, CreatedAt: t, UpdatedAt: t}
	if err := patch.apply(&a, s.geo); err != nil {
		return Address{}, err
	}
	existing, err := s.store.ListAddresses(ctx, p.AccountID, sub.ID)
	if err != nil {
		return Address{}, err
	}
	for _, e := range existing {
		if e.Type == a.Type {
			return Address{}, &problem.Error{Code: problem.Conflict, Field: "type", Message: "the subaccount already has a " + a.Type + " address"}
		}
	}
	if err := s.store.CreateAddress(ctx, &a); err != nil {
		return Address{}, fmt.Errorf("create address: %w", err)
	}
	return a, nil
}

// GetAddress returns one address of the principal's subtree.
func (s *Service) GetAddress(ctx context.Context, p auth.Principal, id int64) (Address, error) {
	return s.store.GetAddress(ctx, p.AccountID, id)
}

// ListAddresses lists a subaccount's addresses.
func (s *Service) ListAddresses(ctx context.Context, p auth.Principal, subaccountID int64) ([]Address, error) {
	if _, err := s.store.GetSubaccount(ctx, p.AccountID, subaccountID); err != nil {
		return nil, err
	}
	return s.store.ListAddresses(ctx, p.AccountID, subaccountID)
}

// UpdateAddress changes the given fields of an address.
func (s *Service) UpdateAddress(ctx context.Context, p auth.Principal, id int64, patch AddressPatch) (Address, error) {
	if err := requireWrite(p); err != nil {
		return Address{}, err
	}
	a, err := s.store.GetAddress(ctx, p.AccountID, id)
	if err != nil {
		return Address{}, err
	}
	if err := patch.apply(&a, s.geo); err != nil {
		return Address{}, err
	}
	a.UpdatedAt = s.now()
	if err := s.store.UpdateAddress(ctx, &a); err != nil {
		return Address{}, fmt.Errorf("update address: %w", err)
	}
	return a, nil
}

// DeleteAddress removes an address.
func (s *Service) DeleteAddress(ctx context.Context, p auth.Principal, id int64) error {
	if err := requireWrite(p); err != nil {
		return err
	}
	return s.store.DeleteAddress(ctx, p.AccountID, id)
}

package bundle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"switchboard/internal/catalog"
	"switchboard/internal/problem"
)

// Allows reports whether accountID has, now, an active bundle whose type
// allows f. An expired, suspended or deleted bundle allows nothing.
func (s *Service) Allows(ctx context.Context, accountID int64, f catalog.Feature) (bool, error) {
	bs, err := s.store.ActiveBundles(ctx, accountID, s.clock())
	if err != nil {
		return false, problem.Wrap(err, "reading bundles failed")
	}
	if len(bs) == 0 {
		return false, nil
	}
	types, err := s.catalog.BundleTypes(ctx)
	if err != nil {
		return false, err
	}
	for _, b := range bs {
		for _, t := range types {
			if t.ID == b.TypeID && t.Features.Has(f) {
				return true, nil
			}
		}
	}
	return false, nil
}

// ErrBundleRequired is the cause (errors.Is) of Require's refusal.
var ErrBundleRequired = errors.New("a bundle is required")

// Require refuses, when an account above accountID set the require_bundle
// policy, a feature no active bundle of accountID allows, with a Forbidden
// error naming the bundle types that would allow it (field
// "bundle_type"). Without the policy it allows everything. Creating SIP
// peers, extensions, trunks and numbers calls it first.
func (s *Service) Require(ctx context.Context, accountID int64, f catalog.Feature) error {
	if !f.Valid() {
		return problem.Field("feature", "unknown feature %q", string(f))
	}
	on, err := s.store.RequireBundle(ctx, accountID)
	if err != nil {
		return problem.Wrap(err, "reading the bundle policy failed")
	}
	if !on {
		return nil
	}
	ok, err := s.Allows(ctx, accountID, f)
	if err != nil || ok {
		return err
	}
	types, err := s.catalog.BundleTypes(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, t := range types {
		if t.Features.Has(f) {
			names = append(names, fmt.Sprintf("%s (%d)", t.Name, t.ID))
		}
	}
	return &problem.Error{Code: problem.Forbidden, Field: "bundle_type", Err: ErrBundleRequired,
		Message: fmt.Sprintf("%s need an active bundle first: create one of %s", strings.ReplaceAll(string(f), "_", " "), strings.Join(names, ", "))}
}

package tariff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"switchboard/internal/auth"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/rating"
)

// RatePatch carries the fields of a call-rate create or update.
type RatePatch struct {
	Prefix            *string
	Type              *rating.RateType
	FreeSeconds       *int32
	GracePeriod       *int32
	Interval1         *int32
	IntervalN         *int32
	ConnectFee        *money.Amount
	PostcallSurcharge *money.Amount
	Price1            *money.Amount
	PriceN            *money.Amount
	Description       *string
}

func (p *RatePatch) apply(r *rating.Rate) error {
	if p.Prefix != nil {
		r.Prefix = *p.Prefix
	}
	if p.Type != nil {
		r.Type = *p.Type
	}
	set32 := func(dst *int32, v *int32) {
		if v != nil {
			*dst = *v
		}
	}
	set32(&r.FreeSeconds, p.FreeSeconds)
	set32(&r.GracePeriod, p.GracePeriod)
	set32(&r.Interval1, p.Interval1)
	set32(&r.IntervalN, p.IntervalN)
	setA := func(dst *money.Amount, v *money.Amount) {
		if v != nil {
			*dst = *v
		}
	}
	setA(&r.ConnectFee, p.ConnectFee)
	setA(&r.PostcallSurcharge, p.PostcallSurcharge)
	setA(&r.Price1, p.Price1)
	setA(&r.PriceN, p.PriceN)
	if p.Description != nil {
		r.Description = *p.Description
	}
	return validate(r)
}

// validate turns the engine's field errors into problem errors. Text must
// be valid UTF-8 without NUL: PostgreSQL refuses NUL in text columns.
func validate(r *rating.Rate) error {
	if !utf8.ValidString(r.Description) || strings.ContainsRune(r.Description, 0) {
		return problem.Field("description", "must be text without NUL characters")
	}
	if err := r.Validate(); err != nil {
		var fe *rating.FieldError
		if errors.As(err, &fe) {
			return problem.Field(fe.Field, "%s", fe.Msg)
		}
		return problem.Field("", "%s", err.Error())
	}
	return nil
}

// CreateRate adds a rate to a tariff (0: the caller's own tariff). All
// fields but description are required, as the native API documents.
func (s *Service) CreateRate(ctx context.Context, p auth.Principal, tariffID int64, patch RatePatch) (CallRate, error) {
	t, err := s.resolve(ctx, p, tariffID, true)
	if err != nil {
		return CallRate{}, err
	}
	for name, missing := range map[string]bool{
		"prefix": patch.Prefix == nil, "free_seconds": patch.FreeSeconds == nil, "grace_period": patch.GracePeriod == nil,
		"interval_1": patch.Interval1 == nil, "interval_n": patch.IntervalN == nil, "connect_fee": patch.ConnectFee == nil,
		"postcall_surcharge": patch.PostcallSurcharge == nil, "price_1": patch.Price1 == nil, "price_n": patch.PriceN == nil,
	} {
		if missing {
			return CallRate{}, problem.Field(name, "is required")
		}
	}
	now := s.now()
	cr := CallRate{Rate: rating.Rate{ID: s.ids.Next(), Type: "LOCAL"}, TariffID: t.ID, CreatedAt: now, UpdatedAt: now}
	if err := patch.apply(&cr.Rate); err != nil {
		return CallRate{}, err
	}
	if err := s.store.CreateRate(ctx, &cr); err != nil {
		if problem.Is(err, problem.Conflict) {
			return CallRate{}, &problem.Error{Code: problem.Conflict, Field: "prefix", Message: "the tariff already has a rate for this prefix", Err: err}
		}
		return CallRate{}, fmt.Errorf("create rate: %w", err)
	}
	s.invalidate(t.ID)
	return cr, nil
}

// rateAccess loads a rate and checks the principal may use its tariff.
func (s *Service) rateAccess(ctx context.Context, p auth.Principal, id int64, write bool) (CallRate, error) {
	cr, err := s.store.GetRate(ctx, id)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return CallRate{}, problem.NotFoundf("no such call rate")
		}
		return CallRate{}, err
	}
	if _, err := s.resolve(ctx, p, cr.TariffID, write); err != nil {
		if problem.Is(err, problem.NotFound) {
			return CallRate{}, problem.NotFoundf("no such call rate")
		}
		return CallRate{}, err
	}
	return cr, nil
}

// GetRate returns one rate of a tariff the principal may see.
func (s *Service) GetRate(ctx context.Context, p auth.Principal, id int64) (CallRate, error) {
	return s.rateAccess(ctx, p, id, false)
}

// ListRates lists the rates of a tariff (0: the caller's own).
func (s *Service) ListRates(ctx context.Context, p auth.Principal, tariffID int64, q query.Params) ([]CallRate, int, error) {
	t, err := s.resolve(ctx, p, tariffID, false)
	if err != nil {
		return nil, 0, err
	}
	return s.store.ListRates(ctx, t.ID, q)
}

// UpdateRate changes the given fields of a rate.
func (s *Service) UpdateRate(ctx context.Context, p auth.Principal, id int64, patch RatePatch) (CallRate, error) {
	cr, err := s.rateAccess(ctx, p, id, true)
	if err != nil {
		return CallRate{}, err
	}
	if err := patch.apply(&cr.Rate); err != nil {
		return CallRate{}, err
	}
	cr.UpdatedAt = s.now()
	if err := s.store.UpdateRate(ctx, &cr); err != nil {
		if problem.Is(err, problem.Conflict) {
			return CallRate{}, &problem.Error{Code: problem.Conflict, Field: "prefix", Message: "the tariff already has a rate for this prefix", Err: err}
		}
		return CallRate{}, fmt.Errorf("update rate: %w", err)
	}
	s.invalidate(cr.TariffID)
	return cr, nil
}

// DeleteRate removes a rate.
func (s *Service) DeleteRate(ctx context.Context, p auth.Principal, id int64) error {
	cr, err := s.rateAccess(ctx, p, id, true)
	if err != nil {
		return err
	}
	if err := s.store.DeleteRate(ctx, cr.TariffID, id); err != nil {
		return err
	}
	s.invalidate(cr.TariffID)
	return nil
}

// Import writes a whole deck into a tariff, all or nothing. The deck has
// been parsed and validated by the caller (deckcsv); rates rating at the
// same time see the old deck until the new one is committed and loaded.
func (s *Service) Import(ctx context.Context, p auth.Principal, tariffID int64, mode ImportMode, rates []rating.Rate) (Tariff, error) {
	if mode != Replace && mode != Merge {
		return Tariff{}, problem.Field("mode", "must be replace or merge")
	}
	t, err := s.resolve(ctx, p, tariffID, true)
	if err != nil {
		return Tariff{}, err
	}
	seen := make(map[string]struct{}, len(rates))
	for i := range rates {
		if err := validate(&rates[i]); err != nil {
			return Tariff{}, err
		}
		if _, dup := seen[rates[i].Prefix]; dup {
			return Tariff{}, problem.Field("prefix", "%s appears twice in the deck", rates[i].Prefix)
		}
		seen[rates[i].Prefix] = struct{}{}
	}
	// Sorted by prefix, the rows reach the (tariff, prefix) index in order:
	// appending to a B-tree is several times faster than random inserts.
	slices.SortFunc(rates, func(a, b rating.Rate) int { return strings.Compare(a.Prefix, b.Prefix) })
	if err := s.store.ImportRates(ctx, t.ID, rates, mode, s.ids.Next); err != nil {
		return Tariff{}, fmt.Errorf("import deck: %w", err)
	}
	s.invalidate(t.ID)
	return s.store.GetTariff(ctx, t.ID)
}

// Export returns every rate of a tariff (0: the caller's own), by prefix.
func (s *Service) Export(ctx context.Context, p auth.Principal, tariffID int64) (Tariff, []rating.Rate, error) {
	t, err := s.resolve(ctx, p, tariffID, false)
	if err != nil {
		return Tariff{}, nil, err
	}
	rates, _, err := s.store.AllRates(ctx, t.ID)
	return t, rates, err
}

// RatesUnder lists the rates of the caller's own tariff whose prefix starts
// with any of prefixes (digits), by prefix, at most limit of them. For a
// single prefix it also includes, first, the shorter rate that would price
// calls to that prefix, so a caller asking for "4420" learns the "44" price.
func (s *Service) RatesUnder(ctx context.Context, p auth.Principal, prefixes []string, limit int) ([]rating.Rate, error) {
	out := []rating.Rate{}
	if len(prefixes) == 0 {
		return out, nil
	}
	conds := make([]string, len(prefixes))
	for i, pre := range prefixes {
		if strings.Trim(pre, "0123456789") != "" {
			return nil, problem.Field("prefix", "must be digits")
		}
		conds[i] = fmt.Sprintf("startswith(prefix,'%s')", pre)
	}
	seen := map[string]bool{}
	for skip := 0; len(out) < limit; skip += 100 {
		page, total, err := s.ListRates(ctx, p, 0, query.Params{
			Filter: strings.Join(conds, " or "), OrderBy: "prefix", Skip: strconv.Itoa(skip), Top: "100"})
		if err != nil {
			return nil, err
		}
		for _, cr := range page {
			seen[cr.Prefix] = true
			out = append(out, cr.Rate)
		}
		if skip+100 >= total || len(page) == 0 {
			break
		}
	}
	if len(prefixes) == 1 {
		if res, err := s.Rate(ctx, p, 0, prefixes[0], 0); err == nil && !seen[res.Prefix] {
			if cr, err := s.GetRate(ctx, p, res.RateID); err == nil {
				out = append([]rating.Rate{cr.Rate}, out...)
			}
		}
	}
	return out, nil
}

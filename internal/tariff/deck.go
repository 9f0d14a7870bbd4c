package tariff

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/rating"
)

// deckEntry is a tariff's deck in memory. Readers take the current deck
// without locking; a reload builds a new deck and swaps it in, so a call is
// rated against one whole version of the tariff, never a mix.
type deckEntry struct {
	mu      sync.Mutex // serialises reloads
	deck    *rating.Deck
	version int64
	checked time.Time
}

func (s *Service) entry(id int64) *deckEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.decks[id]
	if !ok {
		e = &deckEntry{}
		s.decks[id] = e
	}
	return e
}

// invalidate makes the next rating on this node re-read the tariff.
func (s *Service) invalidate(id int64) {
	e := s.entry(id)
	e.mu.Lock()
	e.checked = time.Time{}
	e.mu.Unlock()
}

// Deck returns the current deck of a tariff, reloading it when its version
// moved (checked at most once per freshness interval).
func (s *Service) Deck(ctx context.Context, id int64) (*rating.Deck, error) {
	e := s.entry(id)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if e.deck != nil && now.Sub(e.checked) < freshness {
		return e.deck, nil
	}
	v, err := s.store.TariffVersion(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("tariff version: %w", err)
	}
	if e.deck != nil && v == e.version {
		e.checked = now
		return e.deck, nil
	}
	rates, v, err := s.store.AllRates(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load deck: %w", err)
	}
	deck, err := rating.NewDeck(rates)
	if err != nil {
		return nil, fmt.Errorf("build deck: %w", err)
	}
	e.deck, e.version, e.checked = deck, v, now
	return deck, nil
}

// LevelResult is the price of a call at one level of the account tree.
type LevelResult struct {
	AccountID     int64
	SubaccountID  int64
	TariffID      int64
	Found         bool
	Prefix        string
	RateID        int64
	BilledSeconds int64
	Cost          money.Amount
	// Margin is what this account earns on the call: the price it sells
	// at (the level below's cost) minus its own cost. Zero for the first
	// level, which is the account that places the call.
	Margin money.Amount
	// Rate is the matched rate, shared with the deck: read it, never
	// change it. Nil when not Found.
	Rate *rating.Rate
}

// Result is the rating of one call.
type Result struct {
	rating.Result
	Destination string // normalised E.164 digits
	Levels      []LevelResult
	// PackSeconds of the billed seconds were covered by call packs (see
	// WithPacks); 0 when none were.
	PackSeconds int64
}

// WithPacks prices res again for a call of which call packs covered
// covered of the first level's billed seconds: covered seconds cost
// nothing at every level (each reseller bought the pack it sold at its own
// buy price), the seconds left over cost price_n per minute with no
// connect fee (rating.PackCost), and the margins follow.
func WithPacks(res Result, covered int64) (Result, error) {
	if covered <= 0 {
		return res, nil
	}
	levels := make([]LevelResult, len(res.Levels))
	copy(levels, res.Levels)
	for i := range levels {
		lv := &levels[i]
		if !lv.Found {
			continue
		}
		c, err := rating.PackCost(lv.Rate, lv.BilledSeconds, covered)
		if err != nil {
			return Result{}, rateError(err)
		}
		lv.Cost, lv.Margin = c, 0
		if i > 0 && levels[i-1].Found {
			lv.Margin = levels[i-1].Cost - c
		}
	}
	res.Levels = levels
	res.Cost = levels[0].Cost
	res.PackSeconds = min(covered, res.BilledSeconds)
	return res, nil
}

// Rate prices a call of duration seconds to dest for accountID (0: the
// principal's account) at every level of the tree above it.
func (s *Service) Rate(ctx context.Context, p auth.Principal, accountID int64, dest string, duration int64) (Result, error) {
	return s.RateFor(ctx, p, Target{AccountID: accountID}, dest, duration)
}

// Target names whose call is rated: an account (0: the principal's) or a
// subaccount, whose own tariff, when it has one, prices the call first.
type Target struct {
	AccountID    int64
	SubaccountID int64
}

// RateFor prices a call for target at every level of the tree above it.
func (s *Service) RateFor(ctx context.Context, p auth.Principal, target Target, dest string, duration int64) (Result, error) {
	accountID := target.AccountID
	var subLevel *Level
	if target.SubaccountID != 0 {
		acc, tar, err := s.store.SubaccountTariff(ctx, target.SubaccountID)
		if err != nil {
			if problem.Is(err, problem.NotFound) {
				return Result{}, problem.Field("subaccount_id", "no such subaccount")
			}
			return Result{}, err
		}
		if accountID != 0 && accountID != acc {
			return Result{}, problem.Field("subaccount_id", "is not a subaccount of account_id")
		}
		if in, err := s.store.InSubtree(ctx, p.AccountID, acc); err != nil {
			return Result{}, err
		} else if !in {
			return Result{}, problem.Field("subaccount_id", "no such subaccount")
		}
		accountID = acc
		if tar != 0 {
			subLevel = &Level{AccountID: acc, SubaccountID: target.SubaccountID, TariffID: tar}
		}
	}
	if accountID == 0 {
		accountID = p.AccountID
	}
	if accountID != p.AccountID {
		if in, err := s.store.InSubtree(ctx, p.AccountID, accountID); err != nil {
			return Result{}, err
		} else if !in {
			return Result{}, problem.Field("account_id", "no such account")
		}
	}
	if duration < 0 || duration > 1<<31 {
		return Result{}, problem.Field("duration", "must be between 0 and 2147483648 seconds")
	}
	digits, err := rating.Normalize(dest)
	if err != nil {
		return Result{}, &problem.Error{Code: problem.Invalid, Field: "destination", Message: "phone_number_invalid: not a phone number", Err: err}
	}
	chain, err := s.chain(ctx, accountID)
	if err != nil {
		return Result{}, err
	}
	if subLevel != nil {
		chain = append([]Level{*subLevel}, chain...)
	}
	res := Result{Destination: digits, Levels: make([]LevelResult, 0, len(chain))}
	for i, lv := range chain {
		lr := LevelResult{AccountID: lv.AccountID, SubaccountID: lv.SubaccountID, TariffID: lv.TariffID}
		if lv.TariffID != 0 {
			deck, err := s.Deck(ctx, lv.TariffID)
			if err != nil {
				return Result{}, err
			}
			// digits are normalised already: match, then price, as
			// deck.Rate would, keeping the rate for WithPacks.
			if rt, ok := deck.Match(digits); ok {
				cost, billed, err := rating.Cost(rt, duration)
				if err != nil {
					return Result{}, rateError(err)
				}
				lr.Found, lr.Prefix, lr.RateID, lr.BilledSeconds, lr.Cost, lr.Rate = true, rt.Prefix, rt.ID, billed, cost, rt
				if i == 0 {
					res.Result = rating.Result{Prefix: rt.Prefix, RateID: rt.ID, Type: rt.Type, BilledSeconds: billed, Cost: cost}
				}
			}
		}
		if i == 0 && !lr.Found {
			return Result{}, &problem.Error{Code: problem.NotFound, Field: "destination", Message: "rate_not_found: no rate of the tariff matches " + digits}
		}
		if i > 0 && lr.Found && res.Levels[i-1].Found {
			lr.Margin = res.Levels[i-1].Cost - lr.Cost
		}
		res.Levels = append(res.Levels, lr)
	}
	return res, nil
}

func rateError(err error) error {
	if errors.Is(err, rating.ErrPhoneNumberInvalid) {
		return &problem.Error{Code: problem.Invalid, Field: "destination", Message: "phone_number_invalid: not a phone number", Err: err}
	}
	return &problem.Error{Code: problem.Invalid, Field: "duration", Message: err.Error(), Err: err}
}

// MaxDuration answers the longest call to dest that balance pays for at the
// principal's (or accountID's) tariff.
func (s *Service) MaxDuration(ctx context.Context, p auth.Principal, accountID int64, dest string, balance money.Amount) (Result, int64, error) {
	res, err := s.Rate(ctx, p, accountID, dest, 0)
	if err != nil {
		return Result{}, 0, err
	}
	if balance < 0 {
		return res, 0, nil
	}
	deck, err := s.Deck(ctx, res.Levels[0].TariffID)
	if err != nil {
		return Result{}, 0, err
	}
	r, ok := deck.Match(res.Destination)
	if !ok {
		return Result{}, 0, problem.NotFoundf("rate_not_found")
	}
	d, err := rating.MaxDuration(r, balance)
	if err != nil {
		return Result{}, 0, rateError(err)
	}
	return res, d, nil
}

// chainEntry is an account's rating chain as last read.
type chainEntry struct {
	levels []Level
	read   time.Time
}

// chain returns the account's rating chain, read at most once per
// freshness interval: tariff assignments change rarely, calls constantly.
func (s *Service) chain(ctx context.Context, accountID int64) ([]Level, error) {
	s.mu.Lock()
	e, ok := s.chains[accountID]
	s.mu.Unlock()
	if ok && time.Since(e.read) < freshness {
		return e.levels, nil
	}
	levels, err := s.store.Chain(ctx, accountID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.chains) > 100_000 {
		s.chains = map[int64]chainEntry{}
	}
	s.chains[accountID] = chainEntry{levels: levels, read: time.Now()}
	s.mu.Unlock()
	return levels, nil
}

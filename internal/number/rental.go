package number

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/ledger"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// RentalReference is the ledger reference of a number's rental period.
func RentalReference(id int64, from time.Time) string {
	return "number_rental:" + strconv.FormatInt(id, 10) + ":" + from.UTC().Format(time.DateOnly)
}

// ChargeRentals charges every owned number whose paid month ended: one
// "number_rental" chain per number and month. A period is charged once
// however many nodes run the pass; a number that cannot be paid is
// suspended, and released to quarantine after the grace period by Sweep.
func (s *Service) ChargeRentals(ctx context.Context) (charged, suspended int, err error) {
	now := s.Now()
	for {
		due, err := s.cfg.Store.DueRentals(ctx, now, 200)
		if err != nil || len(due) == 0 {
			return charged, suspended, err
		}
		progress := false
		for _, n := range due {
			next := n.PaidUntil.AddDate(0, 1, 0)
			var charge ledger.ApplyRequest
			if n.Monthly > 0 {
				levels, err := s.cfg.Levels.Levels(ctx, n.AccountID, kindNumber, 0, n.Monthly)
				if err != nil {
					return charged, suspended, err
				}
				base := ledger.Posting{Activity: ledger.NumberRental, Reference: RentalReference(n.ID, n.PaidUntil),
					Description: fmt.Sprintf("Number %s until %s", n.E164, next.Format(time.DateOnly))}
				if charge, err = s.cfg.Ledger.Prepare(ledger.ChainDebits(base, levels), ledger.Options{}); err != nil {
					return charged, suspended, err
				}
			}
			ok, err := s.cfg.Store.ChargeRental(ctx, n.ID, n.PaidUntil, next, charge, now)
			switch {
			case problem.Is(err, problem.PaymentRequired):
				if err := s.cfg.Store.Suspend(ctx, n.ID, n.PaidUntil, now, now.Add(s.cfg.Grace)); err != nil {
					return charged, suspended, err
				}
				suspended++
				progress = true
			case err != nil:
				return charged, suspended, err
			case ok:
				charged++
				progress = true
			}
		}
		if !progress {
			return charged, suspended, nil
		}
	}
}

// Sweep ends expired holds and moves released and quarantined numbers on.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	return s.cfg.Store.Sweep(ctx, s.Now(), s.cfg.Quarantine)
}

// BackOrder records a request for numbers not in stock.
func (s *Service) BackOrder(ctx context.Context, p auth.Principal, details map[string]string) (Request, error) {
	if err := s.mayHave(ctx, p); err != nil {
		return Request{}, err
	}
	now := s.Now()
	r := Request{ID: s.cfg.IDs.Next(), AccountID: p.AccountID, Details: details, Status: "open", CreatedAt: now, UpdatedAt: now}
	return r, s.cfg.Store.CreateRequest(ctx, r)
}

// Requests lists back-orders: the operator's are everyone's.
func (s *Service) Requests(ctx context.Context, p auth.Principal, q query.Params) ([]Request, int, error) {
	return s.cfg.Store.ListRequests(ctx, p.AccountID, q)
}

// CloseRequest marks a back-order fulfilled or cancelled (operator only).
func (s *Service) CloseRequest(ctx context.Context, p auth.Principal, id int64, status string) error {
	if err := operatorOnly(p); err != nil {
		// Others cannot learn which back-orders exist.
		return problem.NotFoundf("no open request with this id")
	}
	if status != "fulfilled" && status != "cancelled" {
		return problem.Field("status", "must be fulfilled or cancelled")
	}
	return s.cfg.Store.FulfilRequest(ctx, id, status, s.Now())
}

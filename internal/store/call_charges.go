package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"switchboard/internal/callcharge"
	"switchboard/internal/callpack"
	"switchboard/internal/problem"
)

// CallCharges is the callcharge.Store over a DB.
type CallCharges struct{ db *DB }

// NewCallCharges returns the call-charge store.
func NewCallCharges(db *DB) *CallCharges { return &CallCharges{db: db} }

var _ callcharge.Store = (*CallCharges)(nil)

const callChargeCols = `id, account_id, caller_account_id, call_hash, started_at, destination, prefix, rate_id, rate_type,
	rate_description, duration, billed_seconds, pack_seconds, cost, ledger_entry_id, created_at`

func scanCallCharge(r interface{ Scan(...any) error }) (callcharge.Charge, error) {
	var c callcharge.Charge
	var started, created int64
	if err := r.Scan(&c.ID, &c.AccountID, &c.CallerAccountID, &c.CallHash, &started, &c.Destination, &c.Prefix, &c.RateID,
		&c.RateType, &c.RateDescription, &c.Duration, &c.BilledSeconds, &c.PackSeconds, &c.Cost, &c.LedgerEntryID, &created); err != nil {
		return c, translate(err)
	}
	c.StartedAt, c.CreatedAt = FromMicros(started), FromMicros(created)
	return c, nil
}

// callRows reads the rows of a call placed by callerID, caller first.
func callRows(ctx context.Context, q Querier, callerID int64, hash string) ([]callcharge.Charge, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+callChargeCols+` FROM call_charges
		WHERE caller_account_id = $1 AND call_hash = $2 ORDER BY id`, callerID, hash)
	if err != nil {
		return nil, fmt.Errorf("read call charges: %w", err)
	}
	defer rows.Close()
	var out []callcharge.Charge
	for rows.Next() {
		c, err := scanCallCharge(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// ChargeCall charges one call in one transaction: packs, money and rows
// commit together or not at all.
func (s *CallCharges) ChargeCall(ctx context.Context, callerID int64, hash, digits string, seconds int64, at time.Time,
	plan callcharge.Plan) ([]callcharge.Charge, []callpack.Use, bool, error) {
	var out []callcharge.Charge
	var uses []callpack.Use
	var replayed bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		out, uses, replayed = nil, nil, false
		prev, err := callRows(ctx, tx, callerID, hash)
		if err != nil {
			return err
		}
		if len(prev) > 0 {
			out, replayed = prev, true
			return nil
		}
		if uses, err = consumeCallPacks(ctx, tx, s.db.Kind, callerID, digits, seconds, at); err != nil {
			return err
		}
		charge, rows, err := plan(uses)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return problem.New(problem.Internal, "a charged call has no paying level")
		}
		if charge != nil {
			entries, again, err := applyTx(ctx, s.db.Kind, tx, *charge)
			if err != nil {
				return err
			}
			if again {
				return problem.New(problem.Internal, "a call charge was replayed by the ledger")
			}
			next := 0
			for i := range rows {
				if rows[i].Cost == 0 {
					continue
				}
				if next >= len(entries) || entries[next].AccountID != rows[i].AccountID {
					return problem.New(problem.Internal, "call charge entries do not follow its rows")
				}
				rows[i].LedgerEntryID = entries[next].ID
				next++
			}
		}
		for _, c := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO call_charges (`+callChargeCols+`)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
				c.ID, c.AccountID, c.CallerAccountID, c.CallHash, Micros(c.StartedAt), c.Destination, c.Prefix, c.RateID,
				c.RateType, c.RateDescription, c.Duration, c.BilledSeconds, c.PackSeconds, int64(c.Cost), c.LedgerEntryID,
				Micros(c.CreatedAt)); err != nil {
				return fmt.Errorf("insert call charge: %w", err)
			}
		}
		out = rows
		return nil
	})
	if err != nil {
		return nil, nil, false, err
	}
	return out, uses, replayed, nil
}

// CallCharges returns the rows of a call placed by callerID. It reads the
// writer, so a charge just committed is seen.
func (s *CallCharges) CallCharges(ctx context.Context, callerID int64, hash string) ([]callcharge.Charge, error) {
	return callRows(ctx, s.db.write, callerID, hash)
}

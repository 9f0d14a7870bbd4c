package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// A number's months: rental charged once per period across nodes,
// suspension, the sweep through grace and quarantine, and back-orders.

// DueRentals returns owned numbers whose paid period ended.
func (s *Numbers) DueRentals(ctx context.Context, now time.Time, limit int) ([]number.Number, error) {
	return scanNumbers(s.db.Reader().QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM numbers n WHERE n.status = 'owned' AND n.paid_until > 0 AND n.paid_until <= $1
		ORDER BY n.paid_until, n.id LIMIT %d`, numberCols, limit), Micros(now)))
}

// ChargeRental charges one period, only while the number is still owned
// and paid until paidUntil: a period is charged once across nodes.
func (s *Numbers) ChargeRental(ctx context.Context, id int64, paidUntil, next time.Time, charge ledger.ApplyRequest, now time.Time) (bool, error) {
	ok := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE numbers SET paid_until = $3, updated_at = $4 WHERE id = $1 AND status = 'owned' AND paid_until = $2`,
			id, Micros(paidUntil), Micros(next), Micros(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		ok = true
		if len(charge.Accounts) > 0 {
			_, _, err = applyTx(ctx, s.db.Kind, tx, charge)
		}
		return err
	})
	if err != nil {
		ok = false
	}
	return ok, err
}

// Suspend marks an unpaid number suspended until until.
func (s *Numbers) Suspend(ctx context.Context, id int64, paidUntil, now, until time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE numbers SET status = 'suspended', status_until = $3, updated_at = $4 WHERE id = $1 AND status = 'owned' AND paid_until = $2`,
		id, Micros(paidUntil), Micros(until), Micros(now))
	return err
}

// Sweep ends expired holds, quarantines suspended numbers past their
// grace and returns aged quarantined numbers to stock.
func (s *Numbers) Sweep(ctx context.Context, now time.Time, quarantine time.Duration) (int, error) {
	total := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE numbers SET status = 'available', account_id = 0, reservation_id = 0, order_id = 0, trunk_id = 0, held_until = 0, updated_at = $1
				WHERE status = 'reserved' AND held_until <= $1`, []any{Micros(now)}},
			{`UPDATE numbers SET status = 'quarantined', account_id = 0, trunk_id = 0, paid_until = 0, settings = '{}', status_until = $2, updated_at = $1
				WHERE status = 'suspended' AND status_until <= $1`, []any{Micros(now), Micros(now.Add(quarantine))}},
			{`UPDATE numbers SET status = 'available', status_until = 0, updated_at = $1 WHERE status = 'quarantined' AND status_until <= $1`, []any{Micros(now)}},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.args...)
			if err != nil {
				return fmt.Errorf("sweep numbers: %w", err)
			}
			n, _ := res.RowsAffected()
			total += int(n)
		}
		return nil
	})
	return total, err
}

// CreateRequest records a back-order.
func (s *Numbers) CreateRequest(ctx context.Context, r number.Request) error {
	raw, err := json.Marshal(r.Details)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO number_requests (id, account_id, details, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$5)`,
		r.ID, r.AccountID, string(raw), r.Status, Micros(r.CreatedAt))
	return err
}

// NumberRequestSpec lists the fields of back-orders a collection query may use.
var NumberRequestSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "r.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "r.account_id", Type: query.ID, Sort: true},
		{Name: "status", Column: "r.status", Type: query.Enum, Enum: []string{"open", "fulfilled", "cancelled"}, Sort: true},
		{Name: "details", Column: "r.details", Type: query.String, Search: true},
		{Name: "created_at", Column: "r.created_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "r.id DESC",
	TieBreak:     "r.id DESC",
}

// ListRequests lists the back-orders of scope's subtree, newest first.
func (s *Numbers) ListRequests(ctx context.Context, scope int64, q query.Params) ([]number.Request, int, error) {
	return list(ctx, s.db.Reader(), "r.id, r.account_id, r.details, r.status, r.created_at, r.updated_at",
		"FROM number_requests r WHERE "+inScope("r.account_id", 1), []any{scope}, &NumberRequestSpec, q,
		func(rows *sql.Rows) (number.Request, error) {
			var r number.Request
			var raw string
			var c, u int64
			if err := rows.Scan(&r.ID, &r.AccountID, &raw, &r.Status, &c, &u); err != nil {
				return r, translate(err)
			}
			if err := json.Unmarshal([]byte(raw), &r.Details); err != nil {
				return r, fmt.Errorf("request details: %w", err)
			}
			r.CreatedAt, r.UpdatedAt = FromMicros(c), FromMicros(u)
			return r, nil
		})
}

// FulfilRequest closes an open back-order.
func (s *Numbers) FulfilRequest(ctx context.Context, id int64, status string, at time.Time) error {
	err := affected(s.db.Exec(ctx, `UPDATE number_requests SET status = $2, updated_at = $3 WHERE id = $1 AND status = 'open'`, id, status, Micros(at)))
	if problem.Is(err, problem.NotFound) {
		return problem.NotFoundf("no open request with this id")
	}
	return err
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// The life of a number after inventory: reservations, orders and owned
// numbers.

// openCart returns accountID's open reservation, creating it with newID.
func openCart(ctx context.Context, tx *sql.Tx, accountID, newID int64, now time.Time) (int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO number_reservations (id, account_id, status, created_at, updated_at)
		VALUES ($1, $2, 'open', $3, $3) ON CONFLICT (account_id) WHERE status = 'open' DO NOTHING`, newID, accountID, Micros(now)); err != nil {
		return 0, fmt.Errorf("open reservation: %w", err)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM number_reservations WHERE account_id = $1 AND status = 'open'`, accountID).Scan(&id); err != nil {
		return 0, fmt.Errorf("read reservation: %w", err)
	}
	return id, nil
}

func (s *Numbers) cartNumbers(ctx context.Context, tx *sql.Tx, accountID, resID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT national FROM numbers WHERE reservation_id = $1 AND account_id = $2 AND status = 'reserved' ORDER BY national`, resID, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Reserve holds numbers for accountID, all or none.
func (s *Numbers) Reserve(ctx context.Context, accountID, newID int64, e164s []string, now, until time.Time, direct bool) (int64, []string, error) {
	var resID int64
	var held []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if direct {
			resID = newID
			_, err = tx.ExecContext(ctx, `INSERT INTO number_reservations (id, account_id, status, created_at, updated_at) VALUES ($1, $2, 'direct', $3, $3)`,
				newID, accountID, Micros(now))
		} else {
			resID, err = openCart(ctx, tx, accountID, newID, now)
		}
		if err != nil {
			return err
		}
		// Ascending, so that two holds of overlapping numbers lock rows in
		// one order and never deadlock.
		for _, e := range slices.Sorted(slices.Values(e164s)) {
			res, err := tx.ExecContext(ctx, `UPDATE numbers SET status = 'reserved', account_id = $1, reservation_id = $2, held_until = $4, updated_at = $3
				WHERE e164 = $5 AND (status = 'available' OR (status = 'reserved' AND order_id = 0 AND (held_until <= $3 OR (account_id = $1 AND NOT $6))))`,
				accountID, resID, Micros(now), Micros(until), e, direct)
			if err != nil {
				return fmt.Errorf("reserve: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return &problem.Error{Code: problem.Conflict, Field: "number", Message: "number " + e + " is not available"}
			}
		}
		held, err = s.cartNumbers(ctx, tx, accountID, resID)
		return err
	})
	return resID, held, err
}

// ReserveMatching holds the first quantity matching numbers, all or none.
func (s *Numbers) ReserveMatching(ctx context.Context, accountID, newID int64, q number.Search, quantity int, now, until time.Time) (int64, []string, error) {
	var resID int64
	var held []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if resID, err = openCart(ctx, tx, accountID, newID, now); err != nil {
			return err
		}
		where, args := searchWhere(q, 5)
		lock := ""
		if s.db.Kind == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		// The picked rows are materialised once: PostgreSQL may otherwise
		// run a LIMIT subquery of an UPDATE more than once.
		res, err := tx.ExecContext(ctx, fmt.Sprintf(`WITH picked AS MATERIALIZED (SELECT n.id FROM numbers n WHERE %s ORDER BY n.national LIMIT %d%s)
			UPDATE numbers SET status = 'reserved', account_id = $1, reservation_id = $2, held_until = $4, updated_at = $3
			WHERE status = 'available' AND id IN (SELECT id FROM picked)`, where, quantity, lock),
			append([]any{accountID, resID, Micros(now), Micros(until)}, args...)...)
		if err != nil {
			return fmt.Errorf("bulk reserve: %w", err)
		}
		if n, _ := res.RowsAffected(); int(n) != quantity {
			return &problem.Error{Code: problem.Conflict, Field: "quantity", Message: fmt.Sprintf("only %d matching numbers are available", n)}
		}
		held, err = s.cartNumbers(ctx, tx, accountID, resID)
		return err
	})
	return resID, held, err
}

// Unreserve returns held numbers of a reservation to stock.
func (s *Numbers) Unreserve(ctx context.Context, accountID, resID int64, nationals []string, now time.Time) ([]string, error) {
	var out []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM number_reservations WHERE id = $1 AND account_id = $2`, resID, accountID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return &problem.Error{Code: problem.NotFound, Field: "reserveId", Message: "no such reservation"}
		}
		if err != nil {
			return err
		}
		held, err := s.cartNumbers(ctx, tx, accountID, resID)
		if err != nil {
			return err
		}
		want := map[string]bool{}
		for _, n := range nationals {
			want[n] = true
		}
		for _, n := range held {
			if len(want) > 0 && !want[n] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE numbers SET status = 'available', account_id = 0, reservation_id = 0, held_until = 0, order_id = 0, updated_at = $3
				WHERE national = $1 AND reservation_id = $2 AND status = 'reserved'`, n, resID, Micros(now)); err != nil {
				return fmt.Errorf("unreserve: %w", err)
			}
			out = append(out, n)
		}
		if len(want) == 0 && (status == "open" || status == "direct") {
			_, err = tx.ExecContext(ctx, `UPDATE number_reservations SET status = 'removed', updated_at = $2 WHERE id = $1`, resID, Micros(now))
		}
		return err
	})
	if out == nil {
		out = []string{}
	}
	return out, err
}

// CreateOrder closes an open reservation into an order.
func (s *Numbers) CreateOrder(ctx context.Context, o number.Order, now, until time.Time) (number.Order, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := affected(tx.ExecContext(ctx, `UPDATE number_reservations SET status = 'ordered', updated_at = $3
			WHERE id = $1 AND account_id = $2 AND status IN ('open', 'direct')`, o.ReservationID, o.AccountID, Micros(now))); err != nil {
			if problem.Is(err, problem.NotFound) {
				return &problem.Error{Code: problem.NotFound, Field: "reserveId", Message: "no open reservation with this id"}
			}
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT national, type, setup_price, monthly_price FROM numbers
			WHERE reservation_id = $1 AND account_id = $2 AND status = 'reserved' ORDER BY national`, o.ReservationID, o.AccountID)
		if err != nil {
			return err
		}
		defer rows.Close()
		o.Category = ""
		for rows.Next() {
			var nat, typ string
			var setup, monthly int64
			if err := rows.Scan(&nat, &typ, &setup, &monthly); err != nil {
				return err
			}
			cat := "Landline"
			if typ == string(number.TollFree) {
				cat = "TollFree"
			}
			if o.Category == "" {
				o.Category = cat
			} else if o.Category != cat {
				o.Category = "Mixed"
			}
			o.Numbers = append(o.Numbers, nat)
			o.Setup += money.Amount(setup)
			o.Monthly += money.Amount(monthly)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(o.Numbers) == 0 {
			return &problem.Error{Code: problem.NotFound, Field: "reserveId", Message: "the reservation holds no numbers"}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE numbers SET order_id = $1, held_until = $3, trunk_id = $4, updated_at = $5
			WHERE reservation_id = $2 AND status = 'reserved'`, o.ID, o.ReservationID, Micros(until), o.TrunkID, Micros(now)); err != nil {
			return err
		}
		list, _ := json.Marshal(o.Numbers)
		_, err = tx.ExecContext(ctx, `INSERT INTO number_orders (id, account_id, reservation_id, trunk_id, category, status, setup_total, monthly_total, numbers, created_at)
			VALUES ($1,$2,$3,$4,$5,'unpaid',$6,$7,$8,$9)`, o.ID, o.AccountID, o.ReservationID, o.TrunkID, o.Category, int64(o.Setup), int64(o.Monthly), string(list), Micros(now))
		return err
	})
	return o, err
}

const orderCols = `id, account_id, reservation_id, trunk_id, category, status, setup_total, monthly_total, numbers, created_at, paid_at`

func scanOrder(r interface{ Scan(...any) error }) (number.Order, error) {
	var o number.Order
	var status, list string
	var setup, monthly, created, paid int64
	if err := r.Scan(&o.ID, &o.AccountID, &o.ReservationID, &o.TrunkID, &o.Category, &status, &setup, &monthly, &list, &created, &paid); err != nil {
		return o, translate(err)
	}
	o.Paid, o.Setup, o.Monthly = status == "paid", money.Amount(setup), money.Amount(monthly)
	o.CreatedAt, o.PaidAt = FromMicros(created), FromMicros(paid)
	if err := json.Unmarshal([]byte(list), &o.Numbers); err != nil {
		return o, fmt.Errorf("order numbers: %w", err)
	}
	return o, nil
}

// GetOrder returns an order of scope's subtree.
func (s *Numbers) GetOrder(ctx context.Context, scope, id int64) (number.Order, error) {
	o, err := scanOrder(s.db.write.QueryRowContext(ctx, `SELECT `+orderCols+` FROM number_orders WHERE id = $1 AND `+inScope("account_id", 2), id, scope))
	if problem.Is(err, problem.NotFound) {
		return o, &problem.Error{Code: problem.NotFound, Field: "orderId", Message: "no such order"}
	}
	return o, err
}

// ListOrders lists accountID's orders, newest first.
func (s *Numbers) ListOrders(ctx context.Context, accountID int64) ([]number.Order, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+orderCols+` FROM number_orders WHERE account_id = $1 ORDER BY id DESC LIMIT 1000`, accountID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []number.Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, translate(rows.Err())
}

// ProcessOrder charges an order and gives its numbers to its account in
// one transaction.
func (s *Numbers) ProcessOrder(ctx context.Context, o number.Order, charge ledger.ApplyRequest, now, paidUntil time.Time) ([]ledger.Entry, bool, error) {
	write := func(tx *sql.Tx) error {
		if err := affected(tx.ExecContext(ctx, `UPDATE number_orders SET status = 'paid', paid_at = $2 WHERE id = $1 AND status = 'unpaid'`, o.ID, Micros(now))); err != nil {
			if problem.Is(err, problem.NotFound) {
				return problem.New(problem.Conflict, "the order is already processed")
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE numbers SET status = 'owned', held_until = 0, paid_until = $3, settings = '{"usage_type":"default"}', updated_at = $4
			WHERE order_id = $1 AND account_id = $2 AND status = 'reserved'`, o.ID, o.AccountID, Micros(paidUntil), Micros(now))
		if err != nil {
			return fmt.Errorf("own numbers: %w", err)
		}
		if n, _ := res.RowsAffected(); int(n) != len(o.Numbers) {
			return &problem.Error{Code: problem.Conflict, Field: "orderId", Message: "a number of the order is no longer held for it"}
		}
		return nil
	}
	if len(charge.Accounts) == 0 {
		return nil, false, s.db.Tx(ctx, write)
	}
	return withCharge(ctx, s.db, charge, write)
}

// ownedWhere is the condition of owned numbers of scope ($1).
var ownedWhere = "n.status IN ('owned', 'suspended') AND " + inScope("n.account_id", 1)

// ListOwned lists the owned numbers of scope's subtree.
func (s *Numbers) ListOwned(ctx context.Context, scope int64, f number.OwnedFilter, q query.Params) ([]number.Number, int, error) {
	base := "FROM numbers n WHERE " + ownedWhere
	args := []any{scope}
	add := func(cond string, v any) {
		args = append(args, v)
		base += " AND " + strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args)))
	}
	if f.National != "" {
		add("n.national = $?", f.National)
	}
	if f.Type != "" {
		add("n.type = $?", string(f.Type))
	}
	if f.Status != "" {
		add("n.status = $?", string(f.Status))
	}
	if f.TrunkID != 0 {
		add("n.trunk_id = $?", f.TrunkID)
	}
	if f.OrderID != 0 {
		add("n.order_id = $?", f.OrderID)
	}
	if f.NPA != "" {
		add("n.npa = $?", f.NPA)
	}
	if f.NXX != "" {
		add("n.nxx = $?", f.NXX)
	}
	if f.StateID != 0 {
		add("n.state_id = $?", f.StateID)
	}
	return list(ctx, s.db.Reader(), numberCols, base, args, &DIDSpec, q, func(r *sql.Rows) (number.Number, error) { return scanNumber(r) })
}

// GetOwned returns an owned number of scope's subtree, read on the
// writer: by E.164, or by id when e164 is empty.
func (s *Numbers) GetOwned(ctx context.Context, scope int64, e164 string, id int64) (number.Number, error) {
	n, err := scanNumber(s.db.write.QueryRowContext(ctx, `SELECT `+numberCols+` FROM numbers n WHERE (n.e164 = $2 OR ($2 = '' AND n.id = $3)) AND `+ownedWhere, scope, e164, id))
	if problem.Is(err, problem.NotFound) {
		return n, &problem.Error{Code: problem.NotFound, Field: "number", Message: "no such number"}
	}
	return n, err
}

// UpdateOwned writes a number's trunk and settings.
func (s *Numbers) UpdateOwned(ctx context.Context, scope int64, n number.Number, at time.Time) error {
	raw, err := json.Marshal(n.Settings)
	if err != nil {
		return fmt.Errorf("number settings: %w", err)
	}
	err = affected(s.db.Exec(ctx, `UPDATE numbers SET trunk_id = $3, settings = $4, updated_at = $5 WHERE e164 = $2 AND status IN ('owned', 'suspended') AND `+
		inScope("account_id", 1), scope, n.E164, n.TrunkID, string(raw), Micros(at)))
	if problem.Is(err, problem.NotFound) {
		return &problem.Error{Code: problem.NotFound, Field: "number", Message: "no such number"}
	}
	return err
}

// Release moves an owned number to quarantine.
func (s *Numbers) Release(ctx context.Context, scope int64, e164 string, now, until time.Time) error {
	err := affected(s.db.Exec(ctx, `UPDATE numbers SET status = 'quarantined', account_id = 0, reservation_id = 0, order_id = 0, trunk_id = 0,
		paid_until = 0, status_until = $3, settings = '{}', updated_at = $4
		WHERE e164 = $2 AND status IN ('owned', 'suspended') AND `+inScope("account_id", 1), scope, e164, Micros(until), Micros(now)))
	if problem.Is(err, problem.NotFound) {
		return &problem.Error{Code: problem.NotFound, Field: "number", Message: "no such number"}
	}
	return err
}

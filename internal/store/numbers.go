package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Numbers is the number.Store over a DB.
type Numbers struct{ db *DB }

// NewNumbers returns the number store.
func NewNumbers(db *DB) *Numbers { return &Numbers{db: db} }

var _ number.Store = (*Numbers)(nil)

const numberCols = `n.id, n.e164, n.national, n.type, n.country, n.country_id, n.state, n.state_id, n.npa, n.nxx, n.ratecenter, n.city,
	n.sms, n.mms, n.t38, n.setup_price, n.monthly_price, n.pat_double, n.pat_pair, n.pat_trio, n.pat_triple, n.pat_quadruple, n.pat_rare,
	n.shuffle, n.status, n.account_id, n.reservation_id, n.held_until, n.order_id, n.trunk_id, n.paid_until, n.status_until, n.settings,
	n.created_at, n.updated_at`

// numberInsertCols are the columns an inventory insert writes, in order.
const numberInsertCols = `id, e164, national, type, country, country_id, state, state_id, npa, nxx, ratecenter, city,
	sms, mms, t38, setup_price, monthly_price, pat_double, pat_pair, pat_trio, pat_triple, pat_quadruple, pat_rare, pat_any,
	shuffle, status, settings, created_at, updated_at`

const numberInsertN = 29

// InventorySpec lists the fields of inventory a collection query may use.
var InventorySpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "n.id", Type: query.ID, Sort: true},
		{Name: "number", Column: "n.e164", Type: query.String, Sort: true, Search: true},
		{Name: "national", Column: "n.national", Type: query.String, Sort: true, Search: true},
		{Name: "type", Column: "n.type", Type: query.Enum, Enum: []string{"local", "tollfree", "international", "inum"}, Sort: true},
		{Name: "country", Column: "n.country", Type: query.String, Sort: true},
		{Name: "state", Column: "n.state", Type: query.String, Sort: true},
		{Name: "npa", Column: "n.npa", Type: query.String, Sort: true},
		{Name: "nxx", Column: "n.nxx", Type: query.String, Sort: true},
		{Name: "ratecenter", Column: "n.ratecenter", Type: query.String, Sort: true, Search: true},
		{Name: "city", Column: "n.city", Type: query.String, Sort: true, Search: true},
		{Name: "sms", Column: "n.sms", Type: query.Bool},
		{Name: "mms", Column: "n.mms", Type: query.Bool},
		{Name: "t38", Column: "n.t38", Type: query.Bool},
		{Name: "setup_price", Column: "n.setup_price", Type: query.Money, Sort: true},
		{Name: "monthly_price", Column: "n.monthly_price", Type: query.Money, Sort: true},
		{Name: "status", Column: "n.status", Type: query.Enum, Enum: []string{"available", "reserved", "owned", "suspended", "quarantined", "retired"}, Sort: true},
		{Name: "created_at", Column: "n.created_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "n.national",
	TieBreak:     "n.id",
}

// DIDSpec lists the fields of owned numbers a collection query may use.
var DIDSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "n.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "n.account_id", Type: query.ID, Sort: true},
		{Name: "number", Column: "n.e164", Type: query.String, Sort: true, Search: true},
		{Name: "type", Column: "n.type", Type: query.Enum, Enum: []string{"local", "tollfree", "international", "inum"}, Sort: true},
		{Name: "state", Column: "n.state", Type: query.String, Sort: true},
		{Name: "city", Column: "n.city", Type: query.String, Sort: true, Search: true},
		{Name: "status", Column: "n.status", Type: query.Enum, Enum: []string{"owned", "suspended"}, Sort: true},
		{Name: "paid_until", Column: "n.paid_until", Type: query.Time, Sort: true},
		{Name: "monthly_price", Column: "n.monthly_price", Type: query.Money, Sort: true},
	},
	DefaultOrder: "n.national",
	TieBreak:     "n.id",
}

func scanNumber(r interface{ Scan(...any) error }) (number.Number, error) {
	var n number.Number
	var typ, status, settings string
	var setup, monthly int64
	var shuffle int32
	var held, paid, until, created, updated int64
	p := &n.Patterns
	if err := r.Scan(&n.ID, &n.E164, &n.National, &typ, &n.Country, &n.CountryID, &n.State, &n.StateID, &n.NPA, &n.NXX, &n.RateCenter, &n.City,
		&n.SMS, &n.MMS, &n.T38, &setup, &monthly, &p.Double, &p.Pair, &p.Trio, &p.Triple, &p.Quadruple, &p.Rare,
		&shuffle, &status, &n.AccountID, &n.Reservation, &held, &n.OrderID, &n.TrunkID, &paid, &until, &settings,
		&created, &updated); err != nil {
		return n, translate(err)
	}
	n.Type, n.Status, n.Setup, n.Monthly = number.Type(typ), number.Status(status), money.Amount(setup), money.Amount(monthly)
	n.SetShuffleKey(shuffle)
	n.HeldUntil, n.PaidUntil, n.Until, n.CreatedAt, n.UpdatedAt = FromMicros(held), FromMicros(paid), FromMicros(until), FromMicros(created), FromMicros(updated)
	if settings != "" && settings != "{}" {
		if err := json.Unmarshal([]byte(settings), &n.Settings); err != nil {
			return n, fmt.Errorf("number settings: %w", err)
		}
	}
	return n, nil
}

func scanNumbers(rows *sql.Rows, err error) ([]number.Number, error) {
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []number.Number{}
	for rows.Next() {
		n, err := scanNumber(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, translate(rows.Err())
}

// InsertNumbers adds numbers to inventory in one transaction: prepared
// single-row inserts on SQLite (which bind fastest there), multi-row
// inserts on PostgreSQL.
func (s *Numbers) InsertNumbers(ctx context.Context, ns []number.Number) error {
	batch := 500
	if s.db.Kind == SQLite {
		batch = 1
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var single *sql.Stmt
		for start := 0; start < len(ns); start += batch {
			end := min(start+batch, len(ns))
			args := make([]any, 0, (end-start)*numberInsertN)
			for _, n := range ns[start:end] {
				p := n.Patterns
				args = append(args, n.ID, n.E164, n.National, string(n.Type), n.Country, n.CountryID, n.State, n.StateID, n.NPA, n.NXX,
					n.RateCenter, n.City, n.SMS, n.MMS, n.T38, int64(n.Setup), int64(n.Monthly), p.Double, p.Pair, p.Trio, p.Triple,
					p.Quadruple, p.Rare, p.Any(), n.ShuffleKey(), string(number.Available), "{}", Micros(n.CreatedAt), Micros(n.UpdatedAt))
			}
			var err error
			if batch == 1 {
				if single == nil {
					if single, err = tx.PrepareContext(ctx, insertNumbersSQL(1)); err != nil {
						return fmt.Errorf("prepare numbers: %w", err)
					}
					defer single.Close()
				}
				_, err = single.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insertNumbersSQL(end-start), args...)
			}
			if err != nil {
				return fmt.Errorf("insert numbers: %w", err)
			}
		}
		return nil
	})
	if problem.Is(err, problem.Conflict) {
		return &problem.Error{Code: problem.Conflict, Field: "number", Message: "a number is already in inventory", Err: err}
	}
	return err
}

// insertNumbersSQL is an insert of rows numbers.
func insertNumbersSQL(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO numbers (" + numberInsertCols + ") VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < numberInsertN; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", i*numberInsertN+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// RetireNumber takes a number in stock or quarantine out of inventory.
func (s *Numbers) RetireNumber(ctx context.Context, id int64, at time.Time) error {
	err := affected(s.db.Exec(ctx, `UPDATE numbers SET status = 'retired', account_id = 0, reservation_id = 0, updated_at = $2
		WHERE id = $1 AND (status IN ('available', 'quarantined') OR (status = 'reserved' AND held_until <= $2 AND order_id = 0))`, id, Micros(at)))
	if problem.Is(err, problem.NotFound) {
		return problem.NotFoundf("no such number in stock")
	}
	return err
}

// GetNumber returns a number of inventory in any status.
func (s *Numbers) GetNumber(ctx context.Context, id int64) (number.Number, error) {
	n, err := scanNumber(s.db.write.QueryRowContext(ctx, `SELECT `+numberCols+` FROM numbers n WHERE n.id = $1`, id))
	if problem.Is(err, problem.NotFound) {
		return n, problem.NotFoundf("no such number")
	}
	return n, err
}

// ListNumbers is the inventory collection.
func (s *Numbers) ListNumbers(ctx context.Context, onlyAvailable bool, q query.Params) ([]number.Number, int, error) {
	base, arg := "FROM numbers n WHERE n.status <> $1", ""
	if onlyAvailable {
		base, arg = "FROM numbers n WHERE n.status = $1", string(number.Available)
	}
	return list(ctx, s.db.Reader(), numberCols, base, []any{arg}, &InventorySpec, q,
		func(r *sql.Rows) (number.Number, error) { return scanNumber(r) })
}

// patternColumn maps a pattern name to its column.
var patternColumn = map[string]string{
	number.PatternRare: "n.pat_rare", number.PatternDouble: "n.pat_double", number.PatternPair: "n.pat_pair",
	number.PatternTrio: "n.pat_trio", number.PatternTriple: "n.pat_triple", number.PatternQuadruple: "n.pat_quadruple",
}

// searchWhere compiles a search into a condition on available numbers
// and its arguments, numbered from $first.
func searchWhere(q number.Search, first int) (string, []any) {
	conds := []string{"n.status = 'available'"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", first+len(args)-1)))
	}
	if q.Type != "" {
		add("n.type = $?", string(q.Type))
	}
	if q.State != "" {
		add("n.state = $?", strings.ToUpper(q.State))
	}
	if q.StateID != 0 {
		add("n.state_id = $?", q.StateID)
	}
	if q.CountryID != 0 {
		add("n.country_id = $?", q.CountryID)
	}
	if q.NPA != "" {
		add("n.npa = $?", q.NPA)
	}
	if q.NXX != "" {
		add("n.nxx = $?", q.NXX)
	}
	if q.National != "" {
		add("n.national = $?", q.National)
	}
	if q.RateCenter != "" {
		add("n.ratecenter = $?", strings.ToUpper(q.RateCenter))
	}
	if q.District != "" {
		add("LOWER(n.city) LIKE $?", "%"+escapeLike(strings.ToLower(q.District))+"%")
		conds[len(conds)-1] += ` ESCAPE '\'`
	}
	if q.T38 {
		conds = append(conds, "n.t38")
	}
	if q.SMS {
		conds = append(conds, "n.sms")
	}
	if q.NoPatterns {
		conds = append(conds, "NOT n.pat_any")
	}
	if len(q.Patterns) > 0 {
		var ors []string
		for _, p := range q.Patterns {
			if c, ok := patternColumn[p]; ok {
				ors = append(ors, c)
			}
		}
		conds = append(conds, "n.pat_any", "("+strings.Join(ors, " OR ")+")")
	}
	return strings.Join(conds, " AND "), args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SearchNumbers returns available numbers matching q: ascending, complete
// district matches first, or from a random point of the shuffle order.
func (s *Numbers) SearchNumbers(ctx context.Context, q number.Search) ([]number.Number, error) {
	where, args := searchWhere(q, 1)
	order := "n.national"
	if q.District != "" {
		args = append(args, strings.ToLower(q.District))
		order = fmt.Sprintf("CASE WHEN LOWER(n.city) = $%d THEN 0 ELSE 1 END, n.national", len(args))
	}
	if q.Random {
		start := rand.Int32N(1 << 30)
		args = append(args, start)
		out, err := scanNumbers(s.db.Reader().QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM numbers n WHERE %s AND n.shuffle >= $%d ORDER BY n.shuffle LIMIT %d`,
			numberCols, where, len(args), q.Limit), args...))
		if err != nil || len(out) >= q.Limit {
			return out, err
		}
		args[len(args)-1] = int32(0)
		more, err := scanNumbers(s.db.Reader().QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM numbers n WHERE %s AND n.shuffle < $%d ORDER BY n.shuffle LIMIT %d`,
			numberCols, where, len(args), q.Limit-len(out)), append(args[:len(args)-1:len(args)-1], start)...))
		return append(out, more...), err
	}
	return scanNumbers(s.db.Reader().QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM numbers n WHERE %s ORDER BY %s LIMIT %d`,
		numberCols, where, order, q.Limit), args...))
}

// States lists the states with available numbers.
func (s *Numbers) States(ctx context.Context) ([]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT DISTINCT state FROM numbers WHERE status = 'available' AND state <> '' ORDER BY state`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return nil, translate(err)
		}
		out = append(out, st)
	}
	return out, translate(rows.Err())
}

// Exchanges lists the NPA-NXX of inventory with their place.
func (s *Numbers) Exchanges(ctx context.Context, f number.RefFilter, available bool) ([]number.Exchange, error) {
	conds := []string{"n.npa <> ''", "n.status <> 'retired'"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if available {
		conds = append(conds, "n.status = 'available'")
	}
	if f.NPA != "" {
		add("n.npa = $?", f.NPA)
	}
	if f.NXX != "" {
		add("n.nxx = $?", f.NXX)
	}
	if f.RateCenter != "" {
		add("n.ratecenter = $?", strings.ToUpper(f.RateCenter))
	}
	if f.State != "" {
		add("n.state = $?", strings.ToUpper(f.State))
	}
	if f.StateID != 0 {
		add("n.state_id = $?", f.StateID)
	}
	if f.CountryID != 0 {
		add("n.country_id = $?", f.CountryID)
	}
	having := ""
	if !f.UpdatedSince.IsZero() {
		args = append(args, Micros(f.UpdatedSince))
		having = fmt.Sprintf(" HAVING MAX(n.updated_at) >= $%d", len(args))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.Reader().QueryContext(ctx, fmt.Sprintf(`SELECT n.npa, n.nxx, n.ratecenter, MAX(n.city), MAX(n.state), MAX(n.state_id), MAX(n.country_id),
		SUM(CASE WHEN n.status = 'available' THEN 1 ELSE 0 END), MAX(n.updated_at)
		FROM numbers n WHERE %s GROUP BY n.npa, n.nxx, n.ratecenter%s ORDER BY n.npa, n.nxx, n.ratecenter LIMIT %d OFFSET %d`,
		strings.Join(conds, " AND "), having, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []number.Exchange{}
	for rows.Next() {
		var e number.Exchange
		var upd int64
		if err := rows.Scan(&e.NPA, &e.NXX, &e.RateCenter, &e.City, &e.State, &e.StateID, &e.CountryID, &e.Available, &upd); err != nil {
			return nil, translate(err)
		}
		e.UpdatedAt = FromMicros(upd)
		out = append(out, e)
	}
	return out, translate(rows.Err())
}

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

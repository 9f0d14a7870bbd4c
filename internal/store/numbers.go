package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

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
	if q.NPA != "" && q.State == "" && q.StateID == 0 {
		// The same order (a North American national number begins with
		// its NPA and NXX), spelled so that the NPA-NXX index serves it.
		order = "n.npa, n.nxx, n.national"
	}
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

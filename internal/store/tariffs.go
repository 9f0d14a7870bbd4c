package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/rating"
	"switchboard/internal/tariff"
)

// Tariffs is the tariff.Store over a DB.
type Tariffs struct{ db *DB }

// NewTariffs returns the tariff store.
func NewTariffs(db *DB) *Tariffs { return &Tariffs{db: db} }

var _ tariff.Store = (*Tariffs)(nil)

// TariffSpec lists the fields of tariffs a collection query may use.
var TariffSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "t.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "t.account_id", Type: query.ID, Sort: true},
		{Name: "name", Column: "t.name", Type: query.String, Sort: true, Search: true},
		{Name: "currency", Column: "t.currency", Type: query.String, Sort: true},
		{Name: "description", Column: "t.description", Type: query.String, Search: true},
		{Name: "created_at", Column: "t.created_at", Type: query.Time, Sort: true},
		{Name: "updated_at", Column: "t.updated_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "t.id ASC",
	TieBreak:     "t.id ASC",
}

// CallRateSpec lists the fields of call rates a collection query may use.
var CallRateSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "r.id", Type: query.ID, Sort: true},
		{Name: "prefix", Column: "r.prefix", Type: query.String, Sort: true, Search: true},
		{Name: "type", Column: "r.type", Type: query.Enum, Enum: []string{"LOCAL", "NATIONAL", "INTERNATIONAL", "MOBILE"}, Sort: true},
		{Name: "free_seconds", Column: "r.free_seconds", Type: query.Int, Sort: true},
		{Name: "grace_period", Column: "r.grace_period", Type: query.Int, Sort: true},
		{Name: "interval_1", Column: "r.interval_1", Type: query.Int, Sort: true},
		{Name: "interval_n", Column: "r.interval_n", Type: query.Int, Sort: true},
		{Name: "connect_fee", Column: "r.connect_fee", Type: query.Money, Sort: true},
		{Name: "postcall_surcharge", Column: "r.postcall_surcharge", Type: query.Money, Sort: true},
		{Name: "price_1", Column: "r.price_1", Type: query.Money, Sort: true},
		{Name: "price_n", Column: "r.price_n", Type: query.Money, Sort: true},
		{Name: "description", Column: "r.description", Type: query.String, Sort: true, Search: true},
		{Name: "created_at", Column: "r.created_at", Type: query.Time, Sort: true},
		{Name: "updated_at", Column: "r.updated_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "r.prefix ASC",
	TieBreak:     "r.id ASC",
}

const tariffCols = `t.id, t.account_id, t.name, t.currency, t.description, t.version, t.created_at, t.updated_at`

func scanTariff(r interface{ Scan(...any) error }) (tariff.Tariff, error) {
	var t tariff.Tariff
	var c, u int64
	if err := r.Scan(&t.ID, &t.AccountID, &t.Name, &t.Currency, &t.Description, &t.Version, &c, &u); err != nil {
		return t, translate(err)
	}
	t.CreatedAt, t.UpdatedAt = FromMicros(c), FromMicros(u)
	return t, nil
}

// CreateTariff inserts t.
func (s *Tariffs) CreateTariff(ctx context.Context, t *tariff.Tariff) error {
	_, err := s.db.Exec(ctx, `INSERT INTO tariffs (id, account_id, name, currency, description, version, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, t.ID, t.AccountID, t.Name, t.Currency, t.Description, t.Version,
		Micros(t.CreatedAt), Micros(t.UpdatedAt))
	return err
}

// GetTariff returns tariff id (unscoped: the service decides visibility).
func (s *Tariffs) GetTariff(ctx context.Context, id int64) (tariff.Tariff, error) {
	return scanTariff(s.db.Reader().QueryRowContext(ctx, `SELECT `+tariffCols+` FROM tariffs t WHERE t.id = $1`, id))
}

// ListTariffs lists tariffs owned in scope plus ownTariff.
func (s *Tariffs) ListTariffs(ctx context.Context, scope, ownTariff int64, p query.Params) ([]tariff.Tariff, int, error) {
	return list(ctx, s.db.Reader(), tariffCols, "FROM tariffs t WHERE ("+inScope("t.account_id", 1)+" OR t.id = $2)",
		[]any{scope, ownTariff}, &TariffSpec, p, func(r *sql.Rows) (tariff.Tariff, error) { return scanTariff(r) })
}

// UpdateTariff writes name, currency and description.
func (s *Tariffs) UpdateTariff(ctx context.Context, t *tariff.Tariff) error {
	return affected(s.db.Exec(ctx, `UPDATE tariffs SET name=$2, currency=$3, description=$4, updated_at=$5 WHERE id=$1`,
		t.ID, t.Name, t.Currency, t.Description, Micros(t.UpdatedAt)))
}

// DeleteTariff deletes a tariff and its rates.
func (s *Tariffs) DeleteTariff(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM call_rates WHERE tariff_id = $1`, id); err != nil {
			return fmt.Errorf("delete rates: %w", err)
		}
		return affected(tx.ExecContext(ctx, `DELETE FROM tariffs WHERE id = $1`, id))
	})
}

// TariffInUse reports whether an account or subaccount is sold at id.
func (s *Tariffs) TariffInUse(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM accounts WHERE tariff_id = $1)
		+ (SELECT COUNT(*) FROM subaccounts WHERE tariff_id = $1)`, id).Scan(&n)
	return n > 0, translate(err)
}

// TariffVersion returns the version of a tariff's rates.
func (s *Tariffs) TariffVersion(ctx context.Context, id int64) (int64, error) {
	var v int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT version FROM tariffs WHERE id = $1`, id).Scan(&v)
	return v, translate(err)
}

const rateCols = `r.id, r.tariff_id, r.prefix, r.type, r.free_seconds, r.grace_period, r.interval_1, r.interval_n,
	r.connect_fee, r.postcall_surcharge, r.price_1, r.price_n, r.description, r.created_at, r.updated_at`

func scanRate(row interface{ Scan(...any) error }) (tariff.CallRate, error) {
	var cr tariff.CallRate
	var c, u int64
	var cf, ps, p1, pn int64
	err := row.Scan(&cr.ID, &cr.TariffID, &cr.Prefix, &cr.Type, &cr.FreeSeconds, &cr.GracePeriod, &cr.Interval1,
		&cr.IntervalN, &cf, &ps, &p1, &pn, &cr.Description, &c, &u)
	if err != nil {
		return cr, translate(err)
	}
	cr.ConnectFee, cr.PostcallSurcharge, cr.Price1, cr.PriceN = money.Amount(cf), money.Amount(ps), money.Amount(p1), money.Amount(pn)
	cr.CreatedAt, cr.UpdatedAt = FromMicros(c), FromMicros(u)
	return cr, nil
}

func bumpVersion(ctx context.Context, tx *sql.Tx, tariffID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE tariffs SET version = version + 1, updated_at = $2 WHERE id = $1`, tariffID, now())
	return err
}

// CreateRate inserts a rate and bumps the tariff's version.
func (s *Tariffs) CreateRate(ctx context.Context, r *tariff.CallRate) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO call_rates (id, tariff_id, prefix, type, free_seconds, grace_period,
			interval_1, interval_n, connect_fee, postcall_surcharge, price_1, price_n, description, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
			r.ID, r.TariffID, r.Prefix, string(r.Type), r.FreeSeconds, r.GracePeriod, r.Interval1, r.IntervalN,
			int64(r.ConnectFee), int64(r.PostcallSurcharge), int64(r.Price1), int64(r.PriceN), r.Description,
			Micros(r.CreatedAt), Micros(r.UpdatedAt))
		if err != nil {
			return translate(err)
		}
		return bumpVersion(ctx, tx, r.TariffID)
	})
}

// GetRate returns rate id (unscoped).
func (s *Tariffs) GetRate(ctx context.Context, id int64) (tariff.CallRate, error) {
	return scanRate(s.db.Reader().QueryRowContext(ctx, `SELECT `+rateCols+` FROM call_rates r WHERE r.id = $1`, id))
}

// ListRates lists the rates of a tariff.
func (s *Tariffs) ListRates(ctx context.Context, tariffID int64, p query.Params) ([]tariff.CallRate, int, error) {
	return list(ctx, s.db.Reader(), rateCols, "FROM call_rates r WHERE r.tariff_id = $1", []any{tariffID}, &CallRateSpec, p,
		func(r *sql.Rows) (tariff.CallRate, error) { return scanRate(r) })
}

// UpdateRate writes every field of r and bumps the version.
func (s *Tariffs) UpdateRate(ctx context.Context, r *tariff.CallRate) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := affected(tx.ExecContext(ctx, `UPDATE call_rates SET prefix=$3, type=$4, free_seconds=$5, grace_period=$6,
			interval_1=$7, interval_n=$8, connect_fee=$9, postcall_surcharge=$10, price_1=$11, price_n=$12,
			description=$13, updated_at=$14 WHERE id=$1 AND tariff_id=$2`,
			r.ID, r.TariffID, r.Prefix, string(r.Type), r.FreeSeconds, r.GracePeriod, r.Interval1, r.IntervalN,
			int64(r.ConnectFee), int64(r.PostcallSurcharge), int64(r.Price1), int64(r.PriceN), r.Description, Micros(r.UpdatedAt)))
		if err != nil {
			return err
		}
		return bumpVersion(ctx, tx, r.TariffID)
	})
}

// DeleteRate deletes a rate and bumps the version.
func (s *Tariffs) DeleteRate(ctx context.Context, tariffID, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := affected(tx.ExecContext(ctx, `DELETE FROM call_rates WHERE id = $1 AND tariff_id = $2`, id, tariffID)); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, tariffID)
	})
}

// AllRates reads a whole deck and its version in one transaction, so the
// deck matches the version.
func (s *Tariffs) AllRates(ctx context.Context, tariffID int64) ([]rating.Rate, int64, error) {
	tx, err := s.db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: isolationFor(s.db)})
	if err != nil {
		return nil, 0, fmt.Errorf("load deck: %w", err)
	}
	defer tx.Rollback()
	var version int64
	if err := tx.QueryRowContext(ctx, `SELECT version FROM tariffs WHERE id = $1`, tariffID).Scan(&version); err != nil {
		return nil, 0, translate(err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, prefix, type, free_seconds, grace_period, interval_1, interval_n,
		connect_fee, postcall_surcharge, price_1, price_n, description FROM call_rates WHERE tariff_id = $1 ORDER BY prefix`, tariffID)
	if err != nil {
		return nil, 0, fmt.Errorf("load deck: %w", err)
	}
	defer rows.Close()
	out := []rating.Rate{}
	for rows.Next() {
		var r rating.Rate
		var cf, ps, p1, pn int64
		if err := rows.Scan(&r.ID, &r.Prefix, &r.Type, &r.FreeSeconds, &r.GracePeriod, &r.Interval1, &r.IntervalN,
			&cf, &ps, &p1, &pn, &r.Description); err != nil {
			return nil, 0, fmt.Errorf("load deck: %w", err)
		}
		r.ConnectFee, r.PostcallSurcharge, r.Price1, r.PriceN = money.Amount(cf), money.Amount(ps), money.Amount(p1), money.Amount(pn)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("load deck: %w", err)
	}
	return out, version, nil
}

// isolationFor picks an isolation level giving one snapshot for several
// statements: REPEATABLE READ on PostgreSQL; SQLite's read transactions are
// snapshots already.
func isolationFor(db *DB) sql.IsolationLevel {
	if db.Kind == Postgres {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault
}

// importBatch is the number of rows per prepared INSERT on SQLite. The
// statement uses "?" placeholders: the driver binds "$N" by searching the
// parameter names, which grows with the square of a batch, while "?" binds in
// order (measured on a 1M-row deck: "$N" one row a statement 12.4 s, "?" 64
// rows 9.5 s). PostgreSQL imports with COPY instead (copyRates).
const importBatch = 64

// ImportRates writes a deck in one transaction: replace deletes the old
// rates first; merge overwrites rates of the same prefix and keeps their
// ids. The version is bumped once.
func (s *Tariffs) ImportRates(ctx context.Context, tariffID int64, rates []rating.Rate, mode tariff.ImportMode, ids func() int64) error {
	if s.db.Kind == Postgres {
		return s.copyRates(ctx, tariffID, rates, mode, ids)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if mode == tariff.Replace {
			if _, err := tx.ExecContext(ctx, `DELETE FROM call_rates WHERE tariff_id = $1`, tariffID); err != nil {
				return fmt.Errorf("clear deck: %w", err)
			}
		}
		t := now()
		prepared := map[int]*sql.Stmt{}
		defer func() {
			for _, st := range prepared {
				st.Close()
			}
		}()
		batch := importBatch
		args := make([]any, 0, batch*15)
		for start := 0; start < len(rates); start += batch {
			end := min(start+batch, len(rates))
			st, ok := prepared[end-start]
			if !ok {
				var err error
				if st, err = tx.PrepareContext(ctx, insertRatesSQL(end-start, mode)); err != nil {
					return fmt.Errorf("prepare import: %w", err)
				}
				prepared[end-start] = st
			}
			args = args[:0]
			for _, r := range rates[start:end] {
				args = append(args, ids(), tariffID, r.Prefix, string(r.Type), r.FreeSeconds, r.GracePeriod, r.Interval1,
					r.IntervalN, int64(r.ConnectFee), int64(r.PostcallSurcharge), int64(r.Price1), int64(r.PriceN),
					r.Description, t, t)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("insert rates %d-%d: %w", start+1, end, translate(err))
			}
		}
		return affected(tx.ExecContext(ctx, `UPDATE tariffs SET version = version + 1, updated_at = $2 WHERE id = $1`, tariffID, t))
	})
}

// insertRatesSQL is SQLite's INSERT of n rate rows; merge upserts by prefix.
func insertRatesSQL(n int, mode tariff.ImportMode) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO call_rates (id, tariff_id, prefix, type, free_seconds, grace_period, interval_1,
		interval_n, connect_fee, postcall_surcharge, price_1, price_n, description, created_at, updated_at) VALUES `)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
	}
	if mode == tariff.Merge {
		sb.WriteString(` ON CONFLICT (tariff_id, prefix) DO UPDATE SET type = excluded.type,
			free_seconds = excluded.free_seconds, grace_period = excluded.grace_period,
			interval_1 = excluded.interval_1, interval_n = excluded.interval_n, connect_fee = excluded.connect_fee,
			postcall_surcharge = excluded.postcall_surcharge, price_1 = excluded.price_1, price_n = excluded.price_n,
			description = excluded.description, updated_at = excluded.updated_at`)
	}
	return sb.String()
}

// Chain returns the account and its ancestors below the operator, nearest
// first; for the operator itself, the operator alone.
func (s *Tariffs) Chain(ctx context.Context, accountID int64) ([]tariff.Level, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT a.id, a.tariff_id, t.depth, (a.parent_id IS NULL)
		FROM account_tree t JOIN accounts a ON a.id = t.ancestor_id
		WHERE t.descendant_id = $1 ORDER BY t.depth`, accountID)
	if err != nil {
		return nil, fmt.Errorf("rating chain: %w", err)
	}
	defer rows.Close()
	var out []tariff.Level
	for rows.Next() {
		var lv tariff.Level
		var root bool
		if err := rows.Scan(&lv.AccountID, &lv.TariffID, &lv.Depth, &root); err != nil {
			return nil, fmt.Errorf("rating chain: %w", err)
		}
		if root && len(out) > 0 {
			break
		}
		out = append(out, lv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rating chain: %w", err)
	}
	if len(out) == 0 {
		return nil, problem.NotFoundf("no such account")
	}
	return out, nil
}

// AccountTariff returns the tariff an account is sold at (0: none).
func (s *Tariffs) AccountTariff(ctx context.Context, accountID int64) (int64, error) {
	var id int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT tariff_id FROM accounts WHERE id = $1`, accountID).Scan(&id)
	return id, translate(err)
}

// AccountCurrency returns an account's currency.
func (s *Tariffs) AccountCurrency(ctx context.Context, accountID int64) (string, error) {
	var c string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT currency FROM accounts WHERE id = $1`, accountID).Scan(&c)
	return c, translate(err)
}

// SetAccountTariff sets the tariff an account is sold at.
func (s *Tariffs) SetAccountTariff(ctx context.Context, accountID, tariffID int64) error {
	return affected(s.db.Exec(ctx, `UPDATE accounts SET tariff_id = $2 WHERE id = $1`, accountID, tariffID))
}

// InSubtree reports whether account lies in ancestor's subtree.
func (s *Tariffs) InSubtree(ctx context.Context, ancestor, account int64) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM account_tree WHERE ancestor_id = $1 AND descendant_id = $2`,
		ancestor, account).Scan(&n)
	return n > 0, translate(err)
}

// SubaccountTariff returns a subaccount's account and tariff.
func (s *Tariffs) SubaccountTariff(ctx context.Context, subaccountID int64) (int64, int64, error) {
	var acc, tar int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT account_id, tariff_id FROM subaccounts WHERE id = $1`, subaccountID).Scan(&acc, &tar)
	return acc, tar, translate(err)
}

// SetSubaccountTariff sets the tariff a subaccount is sold at (0: its account's).
func (s *Tariffs) SetSubaccountTariff(ctx context.Context, subaccountID, tariffID int64) error {
	return affected(s.db.Exec(ctx, `UPDATE subaccounts SET tariff_id = $2 WHERE id = $1`, subaccountID, tariffID))
}

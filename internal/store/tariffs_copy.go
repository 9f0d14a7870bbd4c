package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"switchboard/internal/rating"
	"switchboard/internal/tariff"
)

// copyRates is PostgreSQL's import path: COPY streams the deck in one round
// trip into a temporary table, and one INSERT ... SELECT moves it into
// call_rates (upserting for merge), all in one transaction.
func (s *Tariffs) copyRates(ctx context.Context, tariffID int64, rates []rating.Rate, mode tariff.ImportMode, ids func() int64) error {
	conn, err := s.db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("import deck: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return fmt.Errorf("import deck: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_rates (LIKE call_rates INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("import deck: temp table: %w", err)
		}
		t := Micros(time.Now())
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(rates) {
				return nil, nil
			}
			r := &rates[i]
			i++
			return []any{ids(), tariffID, r.Prefix, string(r.Type), r.FreeSeconds, r.GracePeriod, r.Interval1,
				r.IntervalN, int64(r.ConnectFee), int64(r.PostcallSurcharge), int64(r.Price1), int64(r.PriceN),
				r.Description, t, t}, nil
		})
		cols := []string{"id", "tariff_id", "prefix", "type", "free_seconds", "grace_period", "interval_1", "interval_n",
			"connect_fee", "postcall_surcharge", "price_1", "price_n", "description", "created_at", "updated_at"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rates"}, cols, src); err != nil {
			return fmt.Errorf("import deck: copy: %w", translate(err))
		}
		if mode == tariff.Replace {
			if _, err := tx.Exec(ctx, `DELETE FROM call_rates WHERE tariff_id = $1`, tariffID); err != nil {
				return fmt.Errorf("clear deck: %w", err)
			}
		}
		move := `INSERT INTO call_rates SELECT * FROM import_rates`
		if mode == tariff.Merge {
			move += ` ON CONFLICT (tariff_id, prefix) DO UPDATE SET type = excluded.type,
				free_seconds = excluded.free_seconds, grace_period = excluded.grace_period,
				interval_1 = excluded.interval_1, interval_n = excluded.interval_n, connect_fee = excluded.connect_fee,
				postcall_surcharge = excluded.postcall_surcharge, price_1 = excluded.price_1, price_n = excluded.price_n,
				description = excluded.description, updated_at = excluded.updated_at`
		}
		if _, err := tx.Exec(ctx, move); err != nil {
			return fmt.Errorf("import deck: %w", translate(err))
		}
		tag, err := tx.Exec(ctx, `UPDATE tariffs SET version = version + 1, updated_at = $2 WHERE id = $1`, tariffID, t)
		if err != nil {
			return fmt.Errorf("import deck: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return translate(sql.ErrNoRows)
		}
		return tx.Commit(ctx)
	})
}

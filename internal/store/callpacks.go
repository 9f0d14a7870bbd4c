package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/callpack"
	"switchboard/internal/ledger"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// CallPacks is the callpack.Store over a DB.
type CallPacks struct{ db *DB }

// NewCallPacks returns the call-pack store.
func NewCallPacks(db *DB) *CallPacks { return &CallPacks{db: db} }

var _ callpack.Store = (*CallPacks)(nil)

const packCols = `c.id, c.account_id, c.type_id, c.status, c.seconds_total, c.seconds_used, c.price, c.starts_at, c.expires_at, c.created_at, c.updated_at`

// CallPackSpec lists the fields of call packs a collection query may use.
var CallPackSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "c.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "c.account_id", Type: query.ID, Sort: true},
		{Name: "pack_id", Column: "c.type_id", Type: query.Int, Sort: true},
		{Name: "name", Column: "t.name", Type: query.String, Sort: true, Search: true},
		{Name: "seconds_total", Column: "c.seconds_total", Type: query.Int, Sort: true},
		{Name: "seconds_used", Column: "c.seconds_used", Type: query.Int, Sort: true},
		{Name: "price", Column: "c.price", Type: query.Money, Sort: true},
		{Name: "starts_at", Column: "c.starts_at", Type: query.Time, Sort: true},
		{Name: "expires_at", Column: "c.expires_at", Type: query.Time, Sort: true},
		{Name: "created_at", Column: "c.created_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "c.id DESC",
	TieBreak:     "c.id DESC",
}

func scanPack(r interface{ Scan(...any) error }) (callpack.Pack, error) {
	var p callpack.Pack
	var status string
	var starts, expires, created, updated int64
	if err := r.Scan(&p.ID, &p.AccountID, &p.TypeID, &status, &p.SecondsTotal, &p.SecondsUsed, &p.Price,
		&starts, &expires, &created, &updated); err != nil {
		return p, translate(err)
	}
	p.Status = callpack.Status(status)
	p.StartsAt, p.ExpiresAt, p.CreatedAt, p.UpdatedAt = FromMicros(starts), FromMicros(expires), FromMicros(created), FromMicros(updated)
	return p, nil
}

// CreatePack applies charge and inserts p in one transaction.
func (s *CallPacks) CreatePack(ctx context.Context, p callpack.Pack, charge ledger.ApplyRequest) ([]ledger.Entry, bool, error) {
	return withCharge(ctx, s.db, charge, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO call_packs (id, account_id, type_id, status, seconds_total, seconds_used, price,
			starts_at, expires_at, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
			p.ID, p.AccountID, p.TypeID, string(p.Status), p.SecondsTotal, p.SecondsUsed, int64(p.Price),
			Micros(p.StartsAt), Micros(p.ExpiresAt), Micros(p.CreatedAt), Micros(p.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert call pack: %w", err)
		}
		return nil
	})
}

// RenewPack applies charge and restores the pack for its new period in one
// transaction.
func (s *CallPacks) RenewPack(ctx context.Context, r callpack.Renewal, charge ledger.ApplyRequest) ([]ledger.Entry, bool, error) {
	return withCharge(ctx, s.db, charge, func(tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, `UPDATE call_packs SET seconds_used = 0, price = $2, starts_at = $3, expires_at = $4, updated_at = $5
			WHERE id = $1 AND status = 'active'`, r.ID, int64(r.Price), Micros(r.StartsAt), Micros(r.ExpiresAt), Micros(r.At)))
	})
}

// GetPack returns a pack of scope's subtree; scope 0 is unscoped and reads
// the writer, so a pack just bought is seen.
func (s *CallPacks) GetPack(ctx context.Context, scope, id int64) (callpack.Pack, error) {
	var row *sql.Row
	if scope == 0 {
		row = s.db.write.QueryRowContext(ctx, `SELECT `+packCols+` FROM call_packs c WHERE c.id = $1 AND c.status <> 'deleted'`, id)
	} else {
		row = s.db.Reader().QueryRowContext(ctx, `SELECT `+packCols+` FROM call_packs c WHERE c.id = $1 AND c.status <> 'deleted' AND `+
			inScope("c.account_id", 2), id, scope)
	}
	p, err := scanPack(row)
	if problem.Is(err, problem.NotFound) {
		return p, problem.NotFoundf("no such call pack")
	}
	return p, err
}

// ListPacks lists the packs of scope's subtree that are neither deleted
// nor expired at now.
func (s *CallPacks) ListPacks(ctx context.Context, scope int64, now time.Time, p query.Params) ([]callpack.Pack, int, error) {
	return list(ctx, s.db.Reader(), packCols, "FROM call_packs c JOIN call_pack_types t ON t.id = c.type_id WHERE c.status = 'active' AND c.expires_at > $2 AND "+inScope("c.account_id", 1),
		[]any{scope, Micros(now)}, &CallPackSpec, p, func(r *sql.Rows) (callpack.Pack, error) { return scanPack(r) })
}

// DeletePack marks a pack deleted; its row stays for its ledger entries.
func (s *CallPacks) DeletePack(ctx context.Context, scope, id int64, at time.Time) error {
	return affected(s.db.Exec(ctx, `UPDATE call_packs SET status = 'deleted', updated_at = $3
		WHERE id = $1 AND status <> 'deleted' AND `+inScope("account_id", 2), id, scope, Micros(at)))
}

// CoverCallPacks answers what consumeCallPacks would take, reading
// without locks or writes.
func (s *CallPacks) CoverCallPacks(ctx context.Context, accountID int64, digits string, seconds int64, at time.Time) ([]callpack.Use, error) {
	packs, err := coveringPacks(ctx, s.db.Reader(), "", accountID, digits, at)
	if err != nil {
		return nil, err
	}
	return take(packs, seconds), nil
}

// HasUsablePacks reports whether accountID has a pack usable at at.
func (s *CallPacks) HasUsablePacks(ctx context.Context, accountID int64, at time.Time) (bool, error) {
	var one int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT 1 FROM call_packs WHERE account_id = $1 AND status = 'active'
		AND starts_at <= $2 AND expires_at > $2 AND seconds_used < seconds_total LIMIT 1`, accountID, Micros(at)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("usable call packs: %w", err)
	}
	return true, nil
}

// consumeCallPacks takes up to seconds of a call to digits (E.164 digits)
// at at from accountID's active, unexpired packs whose type covers digits,
// oldest first, inside the caller's transaction tx: the packs are locked
// (FOR UPDATE on PostgreSQL; SQLite's single writer serialises), their
// seconds_used raised, and the seconds taken from each returned. Fewer
// seconds than asked come back when the packs run out; none when no pack
// covers the call. The call-charging code calls it in the transaction that
// writes the call's charge, so the seconds and the money commit together.
func consumeCallPacks(ctx context.Context, tx *sql.Tx, kind Kind, accountID int64, digits string, seconds int64, at time.Time) ([]callpack.Use, error) {
	if seconds <= 0 || digits == "" {
		return nil, nil
	}
	lock := ""
	if kind == Postgres {
		lock = " FOR UPDATE"
	}
	packs, err := coveringPacks(ctx, tx, lock, accountID, digits, at)
	if err != nil {
		return nil, err
	}
	uses := take(packs, seconds)
	for _, u := range uses {
		if _, err := tx.ExecContext(ctx, `UPDATE call_packs SET seconds_used = seconds_used + $2, updated_at = $3 WHERE id = $1`,
			u.PackID, u.Seconds, Micros(at)); err != nil {
			return nil, fmt.Errorf("consume call pack %d: %w", u.PackID, err)
		}
	}
	return uses, nil
}

// coveringPacks returns accountID's packs usable at at whose type covers
// digits, oldest first, with lock appended to the query.
func coveringPacks(ctx context.Context, q Querier, lock string, accountID int64, digits string, at time.Time) ([]callpack.Pack, error) {
	types, err := packTypes(ctx, q)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, t := range types {
		if t.Covers(digits) {
			ids = append(ids, fmt.Sprint(t.ID))
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// The type ids are integers of the catalog, not caller input.
	rows, err := q.QueryContext(ctx, `SELECT `+packCols+` FROM call_packs c
		WHERE c.account_id = $1 AND c.status = 'active' AND c.starts_at <= $2 AND c.expires_at > $2
			AND c.seconds_used < c.seconds_total AND c.type_id IN (`+strings.Join(ids, ",")+`)
		ORDER BY c.starts_at, c.id`+lock, accountID, Micros(at))
	if err != nil {
		return nil, translate(fmt.Errorf("covering call packs: %w", err))
	}
	defer rows.Close()
	var out []callpack.Pack
	for rows.Next() {
		p, err := scanPack(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// take spreads seconds over packs in order.
func take(packs []callpack.Pack, seconds int64) []callpack.Use {
	var out []callpack.Use
	for _, p := range packs {
		if seconds <= 0 {
			break
		}
		n := min(seconds, p.SecondsTotal-p.SecondsUsed)
		if n <= 0 {
			continue
		}
		out = append(out, callpack.Use{PackID: p.ID, Seconds: n})
		seconds -= n
	}
	return out
}

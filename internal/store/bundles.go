package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"switchboard/internal/bundle"
	"switchboard/internal/ledger"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Bundles is the bundle.Store over a DB.
type Bundles struct{ db *DB }

// NewBundles returns the bundle store.
func NewBundles(db *DB) *Bundles { return &Bundles{db: db} }

var _ bundle.Store = (*Bundles)(nil)

const bundleCols = `b.id, b.account_id, b.type_id, b.auto_renew, b.status, b.price, b.starts_at, b.expires_on, b.created_at, b.updated_at`

// BundleSpec lists the fields of bundles a collection query may use.
var BundleSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "b.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "b.account_id", Type: query.ID, Sort: true},
		{Name: "bundle_type", Column: "b.type_id", Type: query.Int, Sort: true},
		{Name: "name", Column: "t.name", Type: query.String, Sort: true, Search: true},
		{Name: "auto_renew", Column: "b.auto_renew", Type: query.Bool, Sort: true},
		{Name: "status", Column: "b.status", Type: query.Enum, Enum: []string{"active", "suspended"}, Sort: true},
		{Name: "price", Column: "b.price", Type: query.Money, Sort: true},
		{Name: "expires_on", Column: "b.expires_on", Type: query.Time, Sort: true},
		{Name: "created_at", Column: "b.created_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "b.id DESC",
	TieBreak:     "b.id DESC",
}

func scanBundle(r interface{ Scan(...any) error }) (bundle.Bundle, error) {
	var b bundle.Bundle
	var status string
	var starts, expires, created, updated int64
	if err := r.Scan(&b.ID, &b.AccountID, &b.TypeID, &b.AutoRenew, &status, &b.Price, &starts, &expires, &created, &updated); err != nil {
		return b, translate(err)
	}
	b.Status = bundle.Status(status)
	b.StartsAt, b.ExpiresOn, b.CreatedAt, b.UpdatedAt = FromMicros(starts), FromMicros(expires), FromMicros(created), FromMicros(updated)
	return b, nil
}

// CreateBundle applies charge and inserts b in one transaction.
func (s *Bundles) CreateBundle(ctx context.Context, b bundle.Bundle, charge ledger.ApplyRequest) ([]ledger.Entry, bool, error) {
	return withCharge(ctx, s.db, charge, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO bundles (id, account_id, type_id, auto_renew, status, price, starts_at, expires_on, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
			b.ID, b.AccountID, b.TypeID, b.AutoRenew, string(b.Status), int64(b.Price), Micros(b.StartsAt), Micros(b.ExpiresOn),
			Micros(b.CreatedAt), Micros(b.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert bundle: %w", err)
		}
		return nil
	})
}

// ChargeBundle applies charge, then c while the bundle still has c's
// expected type and expiry: the balance rows are locked first, as in
// every charge, so a second renewal of the same period waits for the
// first, finds the expiry moved and rolls back its charge.
func (s *Bundles) ChargeBundle(ctx context.Context, c bundle.Change, charge ledger.ApplyRequest) ([]ledger.Entry, bool, error) {
	return withCharge(ctx, s.db, charge, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bundles SET type_id = $2, price = $3, starts_at = $4, expires_on = $5, status = 'active', updated_at = $6
			WHERE id = $1 AND type_id = $7 AND expires_on = $8 AND status <> 'deleted'`,
			c.ID, c.TypeID, int64(c.Price), Micros(c.StartsAt), Micros(c.ExpiresOn), Micros(c.At), c.WantTypeID, Micros(c.WantExpiresOn))
		if err != nil {
			return fmt.Errorf("charge bundle: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return problem.New(problem.Conflict, "the bundle changed meanwhile")
		}
		return nil
	})
}

// withCharge runs charge with the ledger's applyTx and then write in one
// transaction, so the rows write adds commit exactly when the money moved;
// for a repeated idempotency key write is skipped and the first entries
// come back with replayed set.
func withCharge(ctx context.Context, db *DB, charge ledger.ApplyRequest, write func(tx *sql.Tx) error) ([]ledger.Entry, bool, error) {
	var es []ledger.Entry
	var replayed bool
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		es, replayed, err = applyTx(ctx, db.Kind, tx, charge)
		if err != nil || replayed {
			return err
		}
		return write(tx)
	})
	if err != nil {
		return nil, false, err
	}
	return es, replayed, nil
}

// GetBundle returns a bundle of scope's subtree; scope 0 is unscoped and
// reads the writer, so a bundle just bought is seen.
func (s *Bundles) GetBundle(ctx context.Context, scope, id int64) (bundle.Bundle, error) {
	var row *sql.Row
	if scope == 0 {
		row = s.db.write.QueryRowContext(ctx, `SELECT `+bundleCols+` FROM bundles b WHERE b.id = $1 AND b.status <> 'deleted'`, id)
	} else {
		row = s.db.Reader().QueryRowContext(ctx, `SELECT `+bundleCols+` FROM bundles b WHERE b.id = $1 AND b.status <> 'deleted' AND `+
			inScope("b.account_id", 2), id, scope)
	}
	b, err := scanBundle(row)
	if problem.Is(err, problem.NotFound) {
		return b, problem.NotFoundf("no such bundle")
	}
	return b, err
}

// ListBundles lists the bundles of scope's subtree, newest first unless
// ordered otherwise.
func (s *Bundles) ListBundles(ctx context.Context, scope int64, p query.Params) ([]bundle.Bundle, int, error) {
	return list(ctx, s.db.Reader(), bundleCols, "FROM bundles b JOIN bundle_types t ON t.id = b.type_id WHERE b.status <> 'deleted' AND "+inScope("b.account_id", 1), []any{scope},
		&BundleSpec, p, func(r *sql.Rows) (bundle.Bundle, error) { return scanBundle(r) })
}

// SetAutoRenew changes a bundle's auto_renew.
func (s *Bundles) SetAutoRenew(ctx context.Context, scope, id int64, autoRenew bool, at time.Time) error {
	return affected(s.db.Exec(ctx, `UPDATE bundles SET auto_renew = $3, updated_at = $4 WHERE id = $1 AND status <> 'deleted' AND `+
		inScope("account_id", 2), id, scope, autoRenew, Micros(at)))
}

// DeleteBundle marks a bundle deleted; its row stays for its ledger entries.
func (s *Bundles) DeleteBundle(ctx context.Context, scope, id int64, at time.Time) error {
	return affected(s.db.Exec(ctx, `UPDATE bundles SET status = 'deleted', auto_renew = FALSE, updated_at = $3
		WHERE id = $1 AND status <> 'deleted' AND `+inScope("account_id", 2), id, scope, Micros(at)))
}

// DueBundles returns active auto-renewing bundles expiring between from
// and to, oldest expiry first.
func (s *Bundles) DueBundles(ctx context.Context, from, to time.Time, limit int) ([]bundle.Bundle, error) {
	rows, err := s.db.write.QueryContext(ctx, `SELECT `+bundleCols+` FROM bundles b
		WHERE b.status = 'active' AND b.auto_renew AND b.expires_on >= $1 AND b.expires_on <= $2
		ORDER BY b.expires_on, b.id LIMIT $3`, Micros(from), Micros(to), limit)
	if err != nil {
		return nil, translate(fmt.Errorf("due bundles: %w", err))
	}
	return collectBundles(rows)
}

func collectBundles(rows *sql.Rows) ([]bundle.Bundle, error) {
	defer rows.Close()
	var out []bundle.Bundle
	for rows.Next() {
		b, err := scanBundle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, translate(rows.Err())
}

// Suspend suspends an active bundle still expiring on expiresOn.
func (s *Bundles) Suspend(ctx context.Context, id int64, expiresOn, at time.Time) (bool, error) {
	res, err := s.db.Exec(ctx, `UPDATE bundles SET status = 'suspended', updated_at = $3 WHERE id = $1 AND expires_on = $2 AND status = 'active'`,
		id, Micros(expiresOn), Micros(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ActiveBundles returns the account's active bundles whose expiry date is
// today or later (a bundle is valid through the end of its expiry date).
func (s *Bundles) ActiveBundles(ctx context.Context, accountID int64, now time.Time) ([]bundle.Bundle, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+bundleCols+` FROM bundles b
		WHERE b.account_id = $1 AND b.status = 'active' AND b.expires_on >= $2 ORDER BY b.id`, accountID, Micros(bundle.Day(now)))
	if err != nil {
		return nil, translate(fmt.Errorf("active bundles: %w", err))
	}
	return collectBundles(rows)
}

// RequireBundle reports whether an account strictly above accountID has
// require_bundle true in its preferences.
func (s *Bundles) RequireBundle(ctx context.Context, accountID int64) (bool, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT a.preferences FROM account_tree t JOIN accounts a ON a.id = t.ancestor_id
		WHERE t.descendant_id = $1 AND t.depth > 0`, accountID)
	if err != nil {
		return false, translate(fmt.Errorf("bundle policy: %w", err))
	}
	defer rows.Close()
	on := false
	for rows.Next() {
		var prefs string
		if err := rows.Scan(&prefs); err != nil {
			return false, translate(err)
		}
		var p struct {
			RequireBundle bool `json:"require_bundle"`
		}
		if json.Unmarshal([]byte(prefs), &p) == nil && p.RequireBundle {
			on = true
		}
	}
	return on, translate(rows.Err())
}

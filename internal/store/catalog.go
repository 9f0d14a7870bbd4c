package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/catalog"
	"switchboard/internal/money"
)

// Catalog is the catalog.Store over a DB.
type Catalog struct{ db *DB }

// NewCatalog returns the catalog store.
func NewCatalog(db *DB) *Catalog { return &Catalog{db: db} }

var _ catalog.Store = (*Catalog)(nil)

// BundleTypes lists the bundle types by id.
func (s *Catalog) BundleTypes(ctx context.Context) ([]catalog.BundleType, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, name, price, period_months, features FROM bundle_types ORDER BY id`)
	if err != nil {
		return nil, translate(fmt.Errorf("bundle types: %w", err))
	}
	defer rows.Close()
	var out []catalog.BundleType
	for rows.Next() {
		var t catalog.BundleType
		var fs string
		if err := rows.Scan(&t.ID, &t.Name, &t.Price, &t.PeriodMonths, &fs); err != nil {
			return nil, translate(err)
		}
		t.Features = catalog.ParseFeatures(fs)
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// PackTypes lists the call-pack types by id.
func (s *Catalog) PackTypes(ctx context.Context) ([]catalog.PackType, error) {
	return packTypes(ctx, s.db.Reader())
}

func packTypes(ctx context.Context, q Querier) ([]catalog.PackType, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, minutes, prefixes, price, validity_months FROM call_pack_types ORDER BY id`)
	if err != nil {
		return nil, translate(fmt.Errorf("call pack types: %w", err))
	}
	defer rows.Close()
	var out []catalog.PackType
	for rows.Next() {
		var t catalog.PackType
		var ps string
		if err := rows.Scan(&t.ID, &t.Name, &t.Minutes, &ps, &t.Price, &t.ValidityMonths); err != nil {
			return nil, translate(err)
		}
		t.Prefixes = strings.Split(ps, ",")
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// SellPrices returns the prices owner set for kind.
func (s *Catalog) SellPrices(ctx context.Context, owner int64, kind catalog.Kind) (map[int]money.Amount, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT type_id, price FROM catalog_prices WHERE owner_account_id = $1 AND kind = $2`,
		owner, string(kind))
	if err != nil {
		return nil, translate(fmt.Errorf("sell prices: %w", err))
	}
	defer rows.Close()
	out := map[int]money.Amount{}
	for rows.Next() {
		var id int
		var p money.Amount
		if err := rows.Scan(&id, &p); err != nil {
			return nil, translate(err)
		}
		out[id] = p
	}
	return out, translate(rows.Err())
}

// SetSellPrice inserts or replaces owner's price of one item.
func (s *Catalog) SetSellPrice(ctx context.Context, owner int64, kind catalog.Kind, typeID int, price money.Amount, at time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO catalog_prices (owner_account_id, kind, type_id, price, updated_at) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (owner_account_id, kind, type_id) DO UPDATE SET price = excluded.price, updated_at = excluded.updated_at`,
		owner, string(kind), typeID, int64(price), Micros(at))
	return err
}

// PriceChain returns accountID and its ancestors below the operator,
// lowest first, each with the price its parent set. The operator (the
// account without a parent) buys nothing and is left out.
func (s *Catalog) PriceChain(ctx context.Context, accountID int64, kind catalog.Kind, typeID int) ([]catalog.ChainLevel, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT t.ancestor_id, p.price
		FROM account_tree t
		JOIN accounts a ON a.id = t.ancestor_id
		LEFT JOIN catalog_prices p ON p.owner_account_id = a.parent_id AND p.kind = $2 AND p.type_id = $3
		WHERE t.descendant_id = $1 AND a.parent_id IS NOT NULL
		ORDER BY t.depth`, accountID, string(kind), typeID)
	if err != nil {
		return nil, translate(fmt.Errorf("price chain: %w", err))
	}
	defer rows.Close()
	var out []catalog.ChainLevel
	for rows.Next() {
		var l catalog.ChainLevel
		var p sql.NullInt64
		if err := rows.Scan(&l.AccountID, &p); err != nil {
			return nil, translate(err)
		}
		l.Price, l.Set = money.Amount(p.Int64), p.Valid
		out = append(out, l)
	}
	return out, translate(rows.Err())
}

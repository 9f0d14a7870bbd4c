package store

import (
	"context"
	"database/sql"
	"fmt"

	"switchboard/internal/command"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// CommandPrices is the command.Store over a DB.
type CommandPrices struct{ db *DB }

// NewCommandPrices returns the command-price store.
func NewCommandPrices(db *DB) *CommandPrices { return &CommandPrices{db: db} }

var _ command.Store = (*CommandPrices)(nil)

const commandPriceCols = `c.id, c.dialect, c.command, c.price, c.description, c.created_at, c.updated_at`

// CommandPriceSpec lists the fields of command prices a collection query may use.
var CommandPriceSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "c.id", Type: query.ID, Sort: true},
		{Name: "dialect", Column: "c.dialect", Type: query.Enum, Enum: command.Dialects, Sort: true},
		{Name: "command", Column: "c.command", Type: query.String, Sort: true, Search: true},
		{Name: "price", Column: "c.price", Type: query.Money, Sort: true},
		{Name: "description", Column: "c.description", Type: query.String, Search: true},
		{Name: "created_at", Column: "c.created_at", Type: query.Time, Sort: true},
		{Name: "updated_at", Column: "c.updated_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "c.dialect ASC, c.command ASC",
	TieBreak:     "c.id ASC",
}

func scanCommandPrice(r interface{ Scan(...any) error }) (command.Price, error) {
	var p command.Price
	var c, u int64
	if err := r.Scan(&p.ID, &p.Dialect, &p.Command, &p.Price, &p.Description, &c, &u); err != nil {
		return p, translate(err)
	}
	p.CreatedAt, p.UpdatedAt = FromMicros(c), FromMicros(u)
	return p, nil
}

// CreateCommandPrice inserts a price; Conflict on "command" when the
// command already has one.
func (s *CommandPrices) CreateCommandPrice(ctx context.Context, p command.Price) error {
	_, err := s.db.Exec(ctx, `INSERT INTO command_prices (id, dialect, command, price, description, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, p.ID, p.Dialect, p.Command, int64(p.Price), p.Description, Micros(p.CreatedAt), Micros(p.UpdatedAt))
	return commandConflict(err)
}

// commandConflict names "command" in a unique violation, whichever column
// of the (dialect, command) key the driver reported.
func commandConflict(err error) error {
	if problem.Is(err, problem.Conflict) {
		return &problem.Error{Code: problem.Conflict, Field: "command", Message: "this command already has a price", Err: err}
	}
	return err
}

// UpdateCommandPrice rewrites a price.
func (s *CommandPrices) UpdateCommandPrice(ctx context.Context, p command.Price) error {
	res, err := s.db.Exec(ctx, `UPDATE command_prices SET dialect=$2, command=$3, price=$4, description=$5, updated_at=$6 WHERE id=$1`,
		p.ID, p.Dialect, p.Command, int64(p.Price), p.Description, Micros(p.UpdatedAt))
	if err != nil {
		return commandConflict(err)
	}
	return affected(res, nil)
}

// DeleteCommandPrice removes a price.
func (s *CommandPrices) DeleteCommandPrice(ctx context.Context, id int64) error {
	return affected(s.db.Exec(ctx, `DELETE FROM command_prices WHERE id=$1`, id))
}

// GetCommandPrice returns a price.
func (s *CommandPrices) GetCommandPrice(ctx context.Context, id int64) (command.Price, error) {
	p, err := scanCommandPrice(s.db.write.QueryRowContext(ctx, `SELECT `+commandPriceCols+` FROM command_prices c WHERE c.id=$1`, id))
	if problem.Is(err, problem.NotFound) {
		return p, problem.NotFoundf("no such command price")
	}
	return p, err
}

// ListCommandPrices lists prices.
func (s *CommandPrices) ListCommandPrices(ctx context.Context, q query.Params) ([]command.Price, int, error) {
	return list(ctx, s.db.Reader(), commandPriceCols, "FROM command_prices c WHERE 1=1", nil, &CommandPriceSpec, q,
		func(r *sql.Rows) (command.Price, error) { return scanCommandPrice(r) })
}

// AllCommandPrices returns every price.
func (s *CommandPrices) AllCommandPrices(ctx context.Context) ([]command.Price, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+commandPriceCols+` FROM command_prices c`)
	if err != nil {
		return nil, fmt.Errorf("read command prices: %w", err)
	}
	defer rows.Close()
	var out []command.Price
	for rows.Next() {
		p, err := scanCommandPrice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

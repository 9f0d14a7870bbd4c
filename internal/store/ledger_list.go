package store

import (
	"context"
	"database/sql"

	"switchboard/internal/ledger"
	"switchboard/internal/query"
)

// LedgerEntrySpec lists the fields of ledger entries a collection query may
// use.
var LedgerEntrySpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "e.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "e.account_id", Type: query.ID, Sort: true},
		{Name: "created_at", Column: "e.created_at", Type: query.Time, Sort: true},
		{Name: "activity", Column: "e.activity", Type: query.String, Sort: true, Search: true},
		{Name: "debit", Column: "e.debit", Type: query.Money, Sort: true},
		{Name: "credit", Column: "e.credit", Type: query.Money, Sort: true},
		{Name: "balance_after", Column: "e.balance_after", Type: query.Money, Sort: true},
		{Name: "reference", Column: "e.reference", Type: query.String, Sort: true, Search: true},
		{Name: "description", Column: "e.description", Type: query.String, Search: true},
		{Name: "actor_user_id", Column: "e.actor_user_id", Type: query.ID},
	},
	DefaultOrder: "e.id DESC",
	TieBreak:     "e.id DESC",
}

// List lists the ledger entries of the accounts in scope's subtree, newest
// first unless ordered otherwise.
func (s *Ledger) List(ctx context.Context, scope int64, p query.Params) ([]ledger.Entry, int, error) {
	return list(ctx, s.db.Reader(), entryCols, "FROM ledger_entries e WHERE "+inScope("e.account_id", 1), []any{scope},
		&LedgerEntrySpec, p, func(r *sql.Rows) (ledger.Entry, error) { return scanEntry(r) })
}

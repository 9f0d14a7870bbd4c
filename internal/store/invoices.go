package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"switchboard/internal/invoice"
	"switchboard/internal/ledger"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Invoices is the invoice.Store over a DB.
type Invoices struct{ db *DB }

// NewInvoices returns the invoice store.
func NewInvoices(db *DB) *Invoices { return &Invoices{db: db} }

var _ invoice.Store = (*Invoices)(nil)

const invoiceCols = `i.id, i.account_id, i.issuer_id, i.number, i.kind, i.period_start, i.period_end, i.currency, i.opening,
	i.charges, i.credits, i.tax_rate, i.tax, i.total, i.closing, i.status, i.pdf_key, i.web_key, i.content, i.created_at`

// InvoiceSpec lists the fields of invoices a collection query may use.
var InvoiceSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "i.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "i.account_id", Type: query.ID, Sort: true},
		{Name: "issuer_id", Column: "i.issuer_id", Type: query.ID, Sort: true},
		{Name: "number", Column: "i.number", Type: query.String, Sort: true, Search: true},
		{Name: "kind", Column: "i.kind", Type: query.Enum, Enum: []string{invoice.Monthly, invoice.Range}, Sort: true},
		{Name: "period_start", Column: "i.period_start", Type: query.Time, Sort: true},
		{Name: "period_end", Column: "i.period_end", Type: query.Time, Sort: true},
		{Name: "currency", Column: "i.currency", Type: query.String, Sort: true},
		{Name: "charges", Column: "i.charges", Type: query.Money, Sort: true},
		{Name: "total", Column: "i.total", Type: query.Money, Sort: true},
		{Name: "closing", Column: "i.closing", Type: query.Money, Sort: true},
		{Name: "status", Column: "i.status", Type: query.Enum, Enum: []string{invoice.StatusIssued}, Sort: true},
		{Name: "web_key", Column: "i.web_key", Type: query.String},
		{Name: "created_at", Column: "i.created_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "i.id DESC",
	TieBreak:     "i.id DESC",
}

func scanInvoice(r interface{ Scan(...any) error }) (invoice.Invoice, error) {
	var inv invoice.Invoice
	var start, end, created, rate int64
	var content string
	if err := r.Scan(&inv.ID, &inv.AccountID, &inv.IssuerID, &inv.Number, &inv.Kind, &start, &end, &inv.Currency, &inv.Opening,
		&inv.Charges, &inv.Credits, &rate, &inv.Tax, &inv.Total, &inv.Closing, &inv.Status, &inv.PDFKey, &inv.WebKey,
		&content, &created); err != nil {
		return inv, translate(err)
	}
	inv.PeriodStart, inv.PeriodEnd, inv.CreatedAt, inv.TaxRate = FromMicros(start), FromMicros(end), FromMicros(created), invoice.TaxRate(rate)
	if err := json.Unmarshal([]byte(content), &inv.Content); err != nil {
		return inv, fmt.Errorf("invoice %d content: %w", inv.ID, err)
	}
	return inv, nil
}

// Party reads an account's name, number, parent and currency.
func (s *Invoices) Party(ctx context.Context, accountID int64) (invoice.Party, error) {
	p := invoice.Party{ID: accountID}
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COALESCE(parent_id, 0), number, name, currency FROM accounts WHERE id = $1`, accountID).
		Scan(&p.ParentID, &p.Number, &p.Name, &p.Currency)
	if errors.Is(err, sql.ErrNoRows) {
		return p, problem.NotFoundf("no such account")
	}
	return p, translate(err)
}

// ReadPeriod reads the opening balance (the sum of the entries before
// from), the period's entries except calls, the call entries' totals and
// the rated calls those entries paid for, grouped by rate type and
// destination. Calls wholly covered by call packs moved no money and name
// no entry; they are counted by the time they started.
func (s *Invoices) ReadPeriod(ctx context.Context, accountID int64, from, to time.Time) (invoice.Period, error) {
	var p invoice.Period
	q := s.db.Reader()
	f, t := Micros(from), Micros(to)
	if err := q.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(credit - debit), 0) AS BIGINT) FROM ledger_entries
		WHERE account_id = $1 AND created_at < $2`, accountID, f).Scan(&p.Opening); err != nil {
		return p, fmt.Errorf("opening balance: %w", translate(err))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+entryCols+` FROM ledger_entries
		WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 AND activity <> $4 ORDER BY seq`,
		accountID, f, t, string(ledger.CallCharges))
	if err != nil {
		return p, fmt.Errorf("period entries: %w", translate(err))
	}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return p, fmt.Errorf("period entries: %w", err)
		}
		p.Entries = append(p.Entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("period entries: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(debit), 0) AS BIGINT), CAST(COALESCE(SUM(credit), 0) AS BIGINT)
		FROM ledger_entries WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 AND activity = $4`,
		accountID, f, t, string(ledger.CallCharges)).Scan(&p.Calls.Entries, &p.Calls.Debit, &p.Calls.Credit); err != nil {
		return p, fmt.Errorf("call totals: %w", translate(err))
	}
	rows, err = q.QueryContext(ctx, `SELECT c.rate_type, c.prefix, c.rate_description, COUNT(*),
		CAST(SUM(c.billed_seconds) AS BIGINT), CAST(SUM(c.pack_seconds) AS BIGINT), CAST(SUM(c.cost) AS BIGINT)
		FROM call_charges c WHERE c.account_id = $1 AND (
			(c.ledger_entry_id <> 0 AND c.ledger_entry_id IN (SELECT e.id FROM ledger_entries e
				WHERE e.account_id = $1 AND e.created_at >= $2 AND e.created_at < $3 AND e.activity = $4))
			OR (c.ledger_entry_id = 0 AND c.started_at >= $2 AND c.started_at < $3))
		GROUP BY c.rate_type, c.prefix, c.rate_description
		ORDER BY c.rate_type, c.prefix, c.rate_description`, accountID, f, t, string(ledger.CallCharges))
	if err != nil {
		return p, fmt.Errorf("call groups: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var g invoice.CallGroup
		if err := rows.Scan(&g.RateType, &g.Prefix, &g.Description, &g.Calls, &g.Seconds, &g.PackSeconds, &g.Cost); err != nil {
			return p, fmt.Errorf("call groups: %w", translate(err))
		}
		p.Groups = append(p.Groups, g)
	}
	return p, rows.Err()
}

// errExisted rolls back an insert that found its period already invoiced.
var errExisted = errors.New("invoice exists")

// Insert takes the issuer's next number for year and inserts inv in one
// transaction. On PostgreSQL the sequence row serialises the issuer's
// invoices and a concurrent insert of the same period waits for the first
// and then inserts nothing; the transaction is then rolled back, so the
// number it took is given again and numbers stay without gaps.
func (s *Invoices) Insert(ctx context.Context, inv invoice.Invoice, year int) (invoice.Invoice, bool, error) {
	content, err := json.Marshal(inv.Content)
	if err != nil {
		return inv, false, fmt.Errorf("invoice content: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO invoice_sequences (issuer_id, year, last) VALUES ($1, $2, 1)
			ON CONFLICT (issuer_id, year) DO UPDATE SET last = invoice_sequences.last + 1 RETURNING last`,
			inv.IssuerID, year).Scan(&n); err != nil {
			return fmt.Errorf("invoice number: %w", err)
		}
		inv.Number = fmt.Sprintf("INV-%04d-%06d", year, n)
		res, err := tx.ExecContext(ctx, `INSERT INTO invoices (id, account_id, issuer_id, number, kind, period_start, period_end,
			currency, opening, charges, credits, tax_rate, tax, total, closing, status, pdf_key, web_key, content, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)
			ON CONFLICT (account_id, kind, period_start, period_end) DO NOTHING`,
			inv.ID, inv.AccountID, inv.IssuerID, inv.Number, inv.Kind, Micros(inv.PeriodStart), Micros(inv.PeriodEnd),
			inv.Currency, int64(inv.Opening), int64(inv.Charges), int64(inv.Credits), int64(inv.TaxRate), int64(inv.Tax),
			int64(inv.Total), int64(inv.Closing), inv.Status, inv.PDFKey, inv.WebKey, string(content), Micros(inv.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert invoice: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil || k == 0 {
			return errExisted
		}
		return nil
	})
	if errors.Is(err, errExisted) {
		prev, found, ferr := s.find(ctx, s.db.write, inv.AccountID, inv.Kind, inv.PeriodStart, inv.PeriodEnd)
		if ferr == nil && !found {
			ferr = fmt.Errorf("invoice of account %d vanished", inv.AccountID)
		}
		return prev, ferr == nil, ferr
	}
	if err != nil {
		return inv, false, err
	}
	return inv, false, nil
}

// Find returns the account's invoice of kind for [from, to).
func (s *Invoices) Find(ctx context.Context, accountID int64, kind string, from, to time.Time) (invoice.Invoice, bool, error) {
	return s.find(ctx, s.db.Reader(), accountID, kind, from, to)
}

func (s *Invoices) find(ctx context.Context, q Querier, accountID int64, kind string, from, to time.Time) (invoice.Invoice, bool, error) {
	inv, err := scanInvoice(q.QueryRowContext(ctx, `SELECT `+invoiceCols+` FROM invoices i
		WHERE i.account_id = $1 AND i.kind = $2 AND i.period_start = $3 AND i.period_end = $4`,
		accountID, kind, Micros(from), Micros(to)))
	if problem.Is(err, problem.NotFound) {
		return invoice.Invoice{}, false, nil
	}
	return inv, err == nil, err
}

// Get returns an invoice of scope's subtree; scope 0 is unscoped.
func (s *Invoices) Get(ctx context.Context, scope, id int64) (invoice.Invoice, error) {
	var row *sql.Row
	if scope == 0 {
		row = s.db.Reader().QueryRowContext(ctx, `SELECT `+invoiceCols+` FROM invoices i WHERE i.id = $1`, id)
	} else {
		row = s.db.Reader().QueryRowContext(ctx, `SELECT `+invoiceCols+` FROM invoices i WHERE i.id = $1 AND `+inScope("i.account_id", 2), id, scope)
	}
	inv, err := scanInvoice(row)
	if problem.Is(err, problem.NotFound) {
		return inv, problem.NotFoundf("no such invoice")
	}
	return inv, err
}

// List lists the invoices of scope's subtree, newest first unless ordered
// otherwise.
func (s *Invoices) List(ctx context.Context, scope int64, p query.Params) ([]invoice.Invoice, int, error) {
	return list(ctx, s.db.Reader(), invoiceCols, "FROM invoices i WHERE "+inScope("i.account_id", 1), []any{scope},
		&InvoiceSpec, p, func(r *sql.Rows) (invoice.Invoice, error) { return scanInvoice(r) })
}

// Uninvoiced returns accounts above after with a parent that have entries
// in [from, to) and no invoice of kind for that period.
func (s *Invoices) Uninvoiced(ctx context.Context, kind string, from, to time.Time, after int64, limit int) ([]int64, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT a.id FROM accounts a
		WHERE a.id > $5 AND a.parent_id IS NOT NULL AND a.parent_id <> 0
		AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = a.id AND e.created_at >= $1 AND e.created_at < $2)
		AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.kind = $3 AND i.period_start = $1 AND i.period_end = $2)
		ORDER BY a.id LIMIT $4`, Micros(from), Micros(to), kind, limit, after)
	if err != nil {
		return nil, fmt.Errorf("uninvoiced accounts: %w", translate(err))
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("uninvoiced accounts: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetTaxRate sets the account's own tax rate.
func (s *Invoices) SetTaxRate(ctx context.Context, accountID int64, rate invoice.TaxRate, by int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO account_tax_rates (account_id, rate, set_by, updated_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (account_id) DO UPDATE SET rate = excluded.rate, set_by = excluded.set_by, updated_at = excluded.updated_at`,
		accountID, int64(rate), by, Micros(at))
	return err
}

// TaxRate returns the rate set on the account or its nearest ancestor.
func (s *Invoices) TaxRate(ctx context.Context, accountID int64) (invoice.TaxRate, int64, error) {
	var rate, from int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT r.rate, r.account_id FROM account_tree t
		JOIN account_tax_rates r ON r.account_id = t.ancestor_id
		WHERE t.descendant_id = $1 ORDER BY t.depth ASC LIMIT 1`, accountID).Scan(&rate, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("tax rate: %w", translate(err))
	}
	return invoice.TaxRate(rate), from, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"switchboard/internal/ledger"
	"switchboard/internal/payment"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Payments is the payment.Store over a DB.
type Payments struct{ db *DB }

// NewPayments returns the payment store.
func NewPayments(db *DB) *Payments { return &Payments{db: db} }

var _ payment.Store = (*Payments)(nil)

const paymentCols = `p.id, p.account_id, p.method, p.status, p.amount, p.fee, p.currency, p.brand, p.last4, p.reference,
	p.ledger_entry_id, p.decline_code, p.actor_user_id, p.idempotency_key, p.request_hash, p.created_at`

// PaymentSpec lists the fields of payments a collection query may use.
var PaymentSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "p.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "p.account_id", Type: query.ID, Sort: true},
		{Name: "created_at", Column: "p.created_at", Type: query.Time, Sort: true},
		{Name: "method", Column: "p.method", Type: query.Enum, Enum: []string{"card", "bank_transfer", "cheque"}, Sort: true},
		{Name: "status", Column: "p.status", Type: query.Enum, Enum: []string{"approved", "declined"}, Sort: true},
		{Name: "amount", Column: "p.amount", Type: query.Money, Sort: true},
		{Name: "fee", Column: "p.fee", Type: query.Money, Sort: true},
		{Name: "currency", Column: "p.currency", Type: query.String, Sort: true},
		{Name: "brand", Column: "p.brand", Type: query.String, Sort: true},
		{Name: "last4", Column: "p.last4", Type: query.String, Search: true},
		{Name: "reference", Column: "p.reference", Type: query.String, Sort: true, Search: true},
		{Name: "decline_code", Column: "p.decline_code", Type: query.String, Sort: true},
	},
	DefaultOrder: "p.id DESC",
	TieBreak:     "p.id DESC",
}

func scanPayment(r interface{ Scan(...any) error }) (payment.Payment, error) {
	var p payment.Payment
	var c int64
	if err := r.Scan(&p.ID, &p.AccountID, &p.Method, &p.Status, &p.Amount, &p.Fee, &p.Currency, &p.Brand, &p.Last4,
		&p.Reference, &p.LedgerEntryID, &p.DeclineCode, &p.ActorUserID, &p.IdempotencyKey, &p.RequestHash, &c); err != nil {
		return p, translate(err)
	}
	p.CreatedAt = FromMicros(c)
	return p, nil
}

// CreatePayment inserts a payment.
func (s *Payments) CreatePayment(ctx context.Context, p payment.Payment) error {
	return insertPayment(ctx, s.db.write, p)
}

// CreateApproved applies charge and inserts p, naming the charge's first
// entry, in one transaction: the money and the payment commit together or
// not at all. For a repeated idempotency key it inserts nothing and returns
// the entries first applied with replayed set.
func (s *Payments) CreateApproved(ctx context.Context, p payment.Payment, charge ledger.ApplyRequest) ([]ledger.Entry, bool, error) {
	var es []ledger.Entry
	var replayed bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		es, replayed, err = applyTx(ctx, s.db.Kind, tx, charge)
		if err != nil || replayed {
			return err
		}
		p.LedgerEntryID = es[0].ID
		return insertPayment(ctx, tx, p)
	})
	if err != nil {
		return nil, false, err
	}
	return es, replayed, nil
}

func insertPayment(ctx context.Context, q Querier, p payment.Payment) error {
	_, err := q.ExecContext(ctx, `INSERT INTO payments (id, account_id, method, status, amount, fee, currency, brand, last4,
		reference, ledger_entry_id, decline_code, actor_user_id, idempotency_key, request_hash, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
		p.ID, p.AccountID, p.Method, p.Status, int64(p.Amount), int64(p.Fee), p.Currency, p.Brand, p.Last4,
		p.Reference, p.LedgerEntryID, p.DeclineCode, p.ActorUserID, p.IdempotencyKey, p.RequestHash, Micros(p.CreatedAt))
	if err != nil {
		return translate(fmt.Errorf("insert payment: %w", err))
	}
	return nil
}

// GetPayment returns a payment of scope's subtree; scope 0 is unscoped.
func (s *Payments) GetPayment(ctx context.Context, scope, id int64) (payment.Payment, error) {
	var row *sql.Row
	if scope == 0 {
		row = s.db.write.QueryRowContext(ctx, `SELECT `+paymentCols+` FROM payments p WHERE p.id = $1`, id)
	} else {
		row = s.db.Reader().QueryRowContext(ctx, `SELECT `+paymentCols+` FROM payments p WHERE p.id = $1 AND `+inScope("p.account_id", 2), id, scope)
	}
	p, err := scanPayment(row)
	if problem.Is(err, problem.NotFound) {
		return p, problem.NotFoundf("no such payment")
	}
	return p, err
}

// ListPayments lists the payments of scope's subtree, newest first unless
// ordered otherwise.
func (s *Payments) ListPayments(ctx context.Context, scope int64, p query.Params) ([]payment.Payment, int, error) {
	return list(ctx, s.db.Reader(), paymentCols, "FROM payments p WHERE "+inScope("p.account_id", 1), []any{scope},
		&PaymentSpec, p, func(r *sql.Rows) (payment.Payment, error) { return scanPayment(r) })
}

// PaymentByKey returns the newest payment of account made with key since
// since. It reads the writer, so a payment just made is seen.
func (s *Payments) PaymentByKey(ctx context.Context, accountID int64, key string, since time.Time) (payment.Payment, bool, error) {
	row := s.db.write.QueryRowContext(ctx, `SELECT `+paymentCols+` FROM payments p
		WHERE p.account_id = $1 AND p.idempotency_key = $2 AND p.created_at >= $3 ORDER BY p.created_at DESC, p.id DESC LIMIT 1`,
		accountID, key, Micros(since))
	p, err := scanPayment(row)
	if problem.Is(err, problem.NotFound) {
		return payment.Payment{}, false, nil
	}
	return p, err == nil, err
}

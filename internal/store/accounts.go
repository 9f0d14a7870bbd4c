package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"switchboard/internal/account"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Accounts is the account.Store over a DB.
type Accounts struct{ db *DB }

// NewAccounts returns the account store.
func NewAccounts(db *DB) *Accounts { return &Accounts{db: db} }

var _ account.Store = (*Accounts)(nil)

// AccountSpec lists the fields of accounts a collection query may use.
var AccountSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "a.id", Type: query.ID, Sort: true},
		{Name: "parent_id", Column: "a.parent_id", Type: query.ID, Sort: true},
		{Name: "number", Column: "a.number", Type: query.String, Sort: true, Search: true},
		{Name: "name", Column: "a.name", Type: query.String, Sort: true, Search: true},
		{Name: "type", Column: "a.type", Type: query.Enum, Enum: []string{"operator", "reseller", "customer"}, Sort: true},
		{Name: "currency", Column: "a.currency", Type: query.String, Sort: true},
		{Name: "billing_mode", Column: "a.billing_mode", Type: query.Enum, Enum: []string{"prepaid", "postpaid"}, Sort: true},
		{Name: "credit_limit", Column: "a.credit_limit", Type: query.Money, Sort: true},
		{Name: "status", Column: "a.status", Type: query.Enum, Enum: []string{"active", "suspended", "closed"}, Sort: true},
		{Name: "language", Column: "a.language", Type: query.Enum, Enum: []string{"en", "fr"}, Sort: true},
		{Name: "depth", Column: "a.depth", Type: query.Int, Sort: true},
		{Name: "created_at", Column: "a.created_at", Type: query.Time, Sort: true},
		{Name: "updated_at", Column: "a.updated_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "a.id ASC",
	TieBreak:     "a.id ASC",
}

const accountCols = `a.id, COALESCE(a.parent_id, 0), a.path, a.depth, a.number, a.name, a.type, a.currency,
	a.billing_mode, a.credit_limit, a.status, a.language, a.preferences, a.api_limits, a.created_at, a.updated_at, a.tariff_id`

func scanAccount(r interface{ Scan(...any) error }) (account.Account, error) {
	var a account.Account
	var prefs, limits string
	var created, updated int64
	var credit int64
	err := r.Scan(&a.ID, &a.ParentID, &a.Path, &a.Depth, &a.Number, &a.Name, &a.Type, &a.Currency,
		&a.BillingMode, &credit, &a.Status, &a.Language, &prefs, &limits, &created, &updated, &a.TariffID)
	if err != nil {
		return a, translate(err)
	}
	a.CreditLimit = money.Amount(credit)
	a.CreatedAt, a.UpdatedAt = FromMicros(created), FromMicros(updated)
	if err := json.Unmarshal([]byte(prefs), &a.Preferences); err != nil {
		return a, fmt.Errorf("account %d preferences: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(limits), &a.APILimits); err != nil {
		return a, fmt.Errorf("account %d api_limits: %w", a.ID, err)
	}
	return a, nil
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json column: %w", err)
	}
	return string(b), nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateAccount inserts a and its closure rows in one transaction.
func (s *Accounts) CreateAccount(ctx context.Context, a *account.Account) error {
	prefs, err := jsonText(a.Preferences)
	if err != nil {
		return err
	}
	limits, err := jsonText(a.APILimits)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, parent_id, path, depth, number, name, type, currency,
			billing_mode, credit_limit, status, language, preferences, api_limits, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
			a.ID, nullID(a.ParentID), a.Path, a.Depth, a.Number, a.Name, string(a.Type), a.Currency,
			string(a.BillingMode), int64(a.CreditLimit), string(a.Status), a.Language, prefs, limits,
			Micros(a.CreatedAt), Micros(a.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert account: %w", translate(err))
		}
		// A new account is sold at its parent's tariff until the parent
		// chooses another: the parent resells at cost by default.
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET tariff_id =
			COALESCE((SELECT p.tariff_id FROM accounts p WHERE p.id = $2), 0) WHERE id = $1`, a.ID, a.ParentID); err != nil {
			return fmt.Errorf("inherit tariff: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO account_tree (ancestor_id, descendant_id, depth)
			SELECT ancestor_id, CAST($1 AS BIGINT), depth + 1 FROM account_tree WHERE descendant_id = $2
			UNION ALL SELECT CAST($1 AS BIGINT), CAST($1 AS BIGINT), 0`, a.ID, a.ParentID); err != nil {
			return fmt.Errorf("insert account closure: %w", err)
		}
		return nil
	})
}

// GetAccount returns account id if it is in the subtree of scope.
func (s *Accounts) GetAccount(ctx context.Context, scope, id int64) (account.Account, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.id = $1 AND `+inScope("a.id", 2), id, scope)
	a, err := scanAccount(row)
	if problem.Is(err, problem.NotFound) {
		return a, problem.NotFoundf("no such account")
	}
	return a, err
}

// AccountPath returns the path of account id if it is in scope.
func (s *Accounts) AccountPath(ctx context.Context, scope, id int64) (string, error) {
	a, err := s.GetAccount(ctx, scope, id)
	return a.Path, err
}

// GetAccountByNumber returns the account with the public number.
func (s *Accounts) GetAccountByNumber(ctx context.Context, number string) (account.Account, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.number = $1`, number)
	a, err := scanAccount(row)
	if problem.Is(err, problem.NotFound) {
		return a, problem.NotFoundf("no such account")
	}
	return a, err
}

// OperatorAccount returns the root account, if it exists.
func (s *Accounts) OperatorAccount(ctx context.Context) (account.Account, bool, error) {
	row := s.db.write.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.parent_id IS NULL`)
	a, err := scanAccount(row)
	if problem.Is(err, problem.NotFound) {
		return account.Account{}, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("operator account: %w", err)
	}
	return a, true, nil
}

// ListAccounts lists the subtree of scope.
func (s *Accounts) ListAccounts(ctx context.Context, scope int64, p query.Params) ([]account.Account, int, error) {
	return list(ctx, s.db.Reader(), accountCols, "FROM accounts a WHERE "+inScope("a.id", 1), []any{scope}, &AccountSpec, p,
		func(r *sql.Rows) (account.Account, error) { return scanAccount(r) })
}

// HasChildren reports whether account id owns other accounts.
func (s *Accounts) HasChildren(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE parent_id = $1`, id).Scan(&n)
	return n > 0, translate(err)
}

// UpdateAccount writes the mutable fields of a.
func (s *Accounts) UpdateAccount(ctx context.Context, a *account.Account) error {
	prefs, err := jsonText(a.Preferences)
	if err != nil {
		return err
	}
	limits, err := jsonText(a.APILimits)
	if err != nil {
		return err
	}
	return affected(s.db.Exec(ctx, `UPDATE accounts SET name=$2, type=$3, billing_mode=$4, credit_limit=$5,
		status=$6, language=$7, preferences=$8, api_limits=$9, updated_at=$10 WHERE id=$1`,
		a.ID, a.Name, string(a.Type), string(a.BillingMode), int64(a.CreditLimit), string(a.Status),
		a.Language, prefs, limits, Micros(a.UpdatedAt)))
}

// DeleteAccount deletes a childless account in scope with its users, tokens
// and subaccounts.
func (s *Accounts) DeleteAccount(ctx context.Context, scope, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts a WHERE a.id = $1 AND `+inScope("a.id", 2), id, scope).Scan(&n); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		if n == 0 {
			return problem.NotFoundf("no such account")
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE parent_id = $1`, id).Scan(&n); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		if n > 0 {
			return problem.New(problem.Conflict, "the account still has child accounts")
		}
		for _, stmt := range []string{
			`DELETE FROM tokens WHERE account_id = $1`,
			`DELETE FROM users WHERE account_id = $1`,
			`DELETE FROM peer_registrations WHERE account_id = $1`,
			`DELETE FROM peers WHERE account_id = $1`,
			`DELETE FROM extensions WHERE account_id = $1`,
			`DELETE FROM subaccount_addresses WHERE account_id = $1`,
			`DELETE FROM subaccounts WHERE account_id = $1`,
			`DELETE FROM request_counters WHERE account_id = $1`,
			`DELETE FROM account_tax_rates WHERE account_id = $1`,
			`DELETE FROM account_tree WHERE descendant_id = $1`,
			`DELETE FROM accounts WHERE id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, stmt, id); err != nil {
				return fmt.Errorf("delete account: %w", err)
			}
		}
		return nil
	})
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// Ledger is the ledger.Store over a DB.
type Ledger struct{ db *DB }

// NewLedger returns the ledger store.
func NewLedger(db *DB) *Ledger { return &Ledger{db: db} }

var _ ledger.Store = (*Ledger)(nil)

const entryCols = `id, account_id, seq, created_at, activity, debit, credit, balance_after, reference, actor_user_id, description, idempotency_key`

func scanEntry(r interface{ Scan(...any) error }) (ledger.Entry, error) {
	var e ledger.Entry
	var c int64
	var act string
	if err := r.Scan(&e.ID, &e.AccountID, &e.Seq, &c, &act, &e.Debit, &e.Credit, &e.BalanceAfter,
		&e.Reference, &e.ActorUserID, &e.Description, &e.IdempotencyKey); err != nil {
		return e, translate(err)
	}
	e.CreatedAt, e.Activity = FromMicros(c), ledger.Activity(act)
	return e, nil
}

// keyResponse is what idempotency_keys.response holds for a ledger post.
type keyResponse struct {
	EntryIDs []int64 `json:"entry_ids"`
}

// Apply runs req in one transaction. On PostgreSQL each account's balance
// row is locked with SELECT ... FOR UPDATE in the order given (ascending
// ids, so chains never deadlock); on SQLite the single writer connection
// already serialises every write transaction.
func (s *Ledger) Apply(ctx context.Context, req ledger.ApplyRequest) ([]ledger.Entry, bool, error) {
	var out []ledger.Entry
	var replayed bool
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, replayed, err = applyTx(ctx, s.db.Kind, tx, req)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, replayed, nil
}

// applyTx applies req inside tx. Stores whose rows must commit with the
// money that pays for them (a call pack and its charge, a payment and its
// credit) call it inside their own transaction, so the two commit or roll
// back together.
func applyTx(ctx context.Context, kind Kind, tx *sql.Tx, req ledger.ApplyRequest) ([]ledger.Entry, bool, error) {
	// Lock in ascending id order whatever the caller passed, so that no two
	// transactions ever wait on each other in a cycle.
	accounts := slices.Compact(slices.Sorted(slices.Values(req.Accounts)))
	if req.Key.Key != "" {
		claimed, err := claimKey(ctx, tx, req.Key, req.Now)
		if err != nil {
			return nil, false, err
		}
		if !claimed {
			out, err := replay(ctx, tx, req.Key)
			if err != nil {
				return nil, false, err
			}
			return out, true, nil
		}
	}
	states := make(map[int64]ledger.AccountState, len(accounts))
	for _, id := range accounts {
		st, err := lockBalance(ctx, kind, tx, id, req.Now)
		if err != nil {
			return nil, false, err
		}
		states[id] = st
	}
	entries, err := req.Plan(states)
	if err != nil {
		return nil, false, err
	}
	if len(entries) == 0 {
		return nil, false, problem.New(problem.Internal, "ledger plan produced no entries")
	}
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		st, ok := states[e.AccountID]
		if !ok {
			return nil, false, fmt.Errorf("ledger: entry for unlocked account %d", e.AccountID)
		}
		// The store keeps its invariant whatever the planner computed:
		// entries are numbered without gaps and each balance is the
		// previous one plus the movement.
		want, err := st.Balance.Add(e.Credit)
		if err == nil {
			want, err = want.Sub(e.Debit)
		}
		if err != nil || e.BalanceAfter != want || e.Seq != st.LastSeq+1 {
			return nil, false, fmt.Errorf("ledger: entry %d of account %d breaks the running balance", e.ID, e.AccountID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_entries (`+entryCols+`)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
			e.ID, e.AccountID, e.Seq, Micros(e.CreatedAt), string(e.Activity), int64(e.Debit), int64(e.Credit),
			int64(e.BalanceAfter), e.Reference, e.ActorUserID, e.Description, e.IdempotencyKey); err != nil {
			return nil, false, fmt.Errorf("insert ledger entry: %w", err)
		}
		st.Balance, st.LastSeq, st.LastEntryID = e.BalanceAfter, e.Seq, e.ID
		states[e.AccountID] = st
		ids = append(ids, e.ID)
	}
	for _, id := range accounts {
		st := states[id]
		if _, err := tx.ExecContext(ctx, `UPDATE account_balances SET balance=$2, last_entry_id=$3, last_seq=$4, updated_at=$5
			WHERE account_id=$1`, id, int64(st.Balance), st.LastEntryID, st.LastSeq, Micros(req.Now)); err != nil {
			return nil, false, fmt.Errorf("update balance: %w", err)
		}
	}
	if req.Key.Key != "" {
		resp, err := json.Marshal(keyResponse{EntryIDs: ids})
		if err != nil {
			return nil, false, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET response=$3, status=$4 WHERE account_id=$1 AND key=$2`,
			req.Key.AccountID, req.Key.Key, string(resp), 200); err != nil {
			return nil, false, fmt.Errorf("record idempotency key: %w", err)
		}
	}
	return entries, false, nil
}

// claimKey inserts the key, or takes over an expired row of it. It reports
// false when an unexpired row exists. On PostgreSQL a concurrent claim of
// the same key waits here until the first transaction ends.
func claimKey(ctx context.Context, tx *sql.Tx, k ledger.Key, now time.Time) (bool, error) {
	rows, err := tx.QueryContext(ctx, `INSERT INTO idempotency_keys (account_id, key, request_hash, response, status, created_at)
		VALUES ($1,$2,$3,'',0,$4)
		ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash, response = '', status = 0,
			created_at = excluded.created_at
		WHERE idempotency_keys.created_at < $5
		RETURNING account_id`, k.AccountID, k.Key, k.Hash, Micros(now), Micros(k.Since))
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	defer rows.Close()
	claimed := rows.Next()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	return claimed, rows.Close()
}

// replay returns the entries recorded under an unexpired key, or
// ErrIdempotencyMismatch when it was used with another request.
func replay(ctx context.Context, tx *sql.Tx, k ledger.Key) ([]ledger.Entry, error) {
	var hash, resp string
	if err := tx.QueryRowContext(ctx, `SELECT request_hash, response FROM idempotency_keys WHERE account_id=$1 AND key=$2`,
		k.AccountID, k.Key).Scan(&hash, &resp); err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	if hash != k.Hash {
		return nil, ledger.ErrIdempotencyMismatch
	}
	var r keyResponse
	if err := json.Unmarshal([]byte(resp), &r); err != nil || len(r.EntryIDs) == 0 {
		// A key claimed by another use than a ledger post.
		return nil, ledger.ErrIdempotencyMismatch
	}
	out := make([]ledger.Entry, 0, len(r.EntryIDs))
	for _, id := range r.EntryIDs {
		e, err := scanEntry(tx.QueryRowContext(ctx, `SELECT `+entryCols+` FROM ledger_entries WHERE id=$1`, id))
		if err != nil {
			return nil, fmt.Errorf("replay entry %d: %w", id, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// lockBalance reads an account's billing terms and locks its balance row,
// creating the row on the account's first entry.
func lockBalance(ctx context.Context, kind Kind, tx *sql.Tx, id int64, now time.Time) (ledger.AccountState, error) {
	st := ledger.AccountState{AccountID: id}
	var mode string
	var limit int64
	if err := tx.QueryRowContext(ctx, `SELECT billing_mode, credit_limit FROM accounts WHERE id=$1`, id).Scan(&mode, &limit); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return st, problem.NotFoundf("no such account %d", id)
		}
		return st, fmt.Errorf("read account: %w", err)
	}
	st.BillingMode, st.CreditLimit = account.BillingMode(mode), money.Amount(limit)
	q := `SELECT balance, last_entry_id, last_seq FROM account_balances WHERE account_id=$1`
	if kind == Postgres {
		q += ` FOR UPDATE`
	}
	for range 2 {
		err := tx.QueryRowContext(ctx, q, id).Scan(&st.Balance, &st.LastEntryID, &st.LastSeq)
		if err == nil {
			return st, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return st, fmt.Errorf("lock balance: %w", err)
		}
		// First entry of the account: create its row. A concurrent creator
		// makes this wait on PostgreSQL, then do nothing.
		if _, err := tx.ExecContext(ctx, `INSERT INTO account_balances (account_id, balance, last_entry_id, last_seq, updated_at)
			VALUES ($1,0,0,0,$2) ON CONFLICT (account_id) DO NOTHING`, id, Micros(now)); err != nil {
			return st, fmt.Errorf("create balance: %w", err)
		}
	}
	return st, fmt.Errorf("lock balance of account %d: row missing", id)
}

// Balance returns the cached balance of an account.
func (s *Ledger) Balance(ctx context.Context, accountID int64) (money.Amount, error) {
	var b int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COALESCE((SELECT balance FROM account_balances WHERE account_id = a.id), 0)
		FROM accounts a WHERE a.id=$1`, accountID).Scan(&b)
	if err != nil {
		return 0, translate(err)
	}
	return money.Amount(b), nil
}

// Sum returns the sum of an account's entries.
func (s *Ledger) Sum(ctx context.Context, accountID int64) (money.Amount, error) {
	var b int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(credit - debit), 0) AS BIGINT)
		FROM ledger_entries WHERE account_id=$1`, accountID).Scan(&b)
	if err != nil {
		return 0, translate(err)
	}
	return money.Amount(b), nil
}

// Entries returns an account's entries in the order they were applied.
func (s *Ledger) Entries(ctx context.Context, accountID int64) ([]ledger.Entry, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+entryCols+` FROM ledger_entries WHERE account_id=$1 ORDER BY seq`, accountID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []ledger.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, translate(rows.Err())
}

// Check compares, for every account, the cached balance, the sum of its
// entries and the balance after its last entry, the cached last entry with
// the real one, and each entry's balance with the running sum.
func (s *Ledger) Check(ctx context.Context) ([]ledger.Mismatch, error) {
	broken := map[int64]int64{}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT account_id, COUNT(*) FROM (
			SELECT account_id, seq, balance_after,
				SUM(credit - debit) OVER (PARTITION BY account_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
				ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY seq) AS rn
			FROM ledger_entries) x
		WHERE running <> balance_after OR rn <> seq
		GROUP BY account_id`)
	if err != nil {
		return nil, translate(fmt.Errorf("check running balances: %w", err))
	}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, translate(err)
		}
		broken[id] = n
	}
	if err := rows.Close(); err != nil {
		return nil, translate(err)
	}

	rows, err = s.db.Reader().QueryContext(ctx, `SELECT a.id, a.number,
			COALESCE(b.balance, 0), COALESCE(b.last_seq, 0), COALESCE(b.last_entry_id, 0),
			CAST(COALESCE(e.total, 0) AS BIGINT), COALESCE(e.n, 0), COALESCE(e.max_seq, 0),
			COALESCE(l.balance_after, 0), COALESCE(l.id, 0)
		FROM accounts a
		LEFT JOIN account_balances b ON b.account_id = a.id
		LEFT JOIN (SELECT account_id, SUM(credit - debit) AS total, COUNT(*) AS n, MAX(seq) AS max_seq
			FROM ledger_entries GROUP BY account_id) e ON e.account_id = a.id
		LEFT JOIN ledger_entries l ON l.account_id = a.id AND l.seq = e.max_seq
		ORDER BY a.id`)
	if err != nil {
		return nil, translate(fmt.Errorf("check balances: %w", err))
	}
	defer rows.Close()
	var out []ledger.Mismatch
	for rows.Next() {
		var m ledger.Mismatch
		var cachedLastID, maxSeq, lastID int64
		if err := rows.Scan(&m.AccountID, &m.AccountNumber, &m.Cached, &m.CachedLastSeq, &cachedLastID,
			&m.Sum, &m.Entries, &maxSeq, &m.LastBalanceAfter, &lastID); err != nil {
			return nil, translate(err)
		}
		m.BrokenEntries = broken[m.AccountID]
		if m.Cached != m.Sum || m.Sum != m.LastBalanceAfter || m.CachedLastSeq != m.Entries ||
			maxSeq != m.Entries || cachedLastID != lastID || m.BrokenEntries != 0 {
			out = append(out, m)
		}
	}
	return out, translate(rows.Err())
}

// PurgeIdempotencyKeys deletes keys created before before.
func (s *Ledger) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, Micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

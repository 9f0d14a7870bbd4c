-- +goose Up
-- The ledger: every movement of money is one append-only row of
-- ledger_entries; an account's balance is the sum of its rows (credit minus
-- debit). account_balances caches that sum, with the last entry applied, and
-- is written in the same transaction as the entries; `switchboard check`
-- verifies cache, sum and the entries' running balance agree.
CREATE TABLE ledger_entries (
    id              BIGINT PRIMARY KEY,
    account_id      BIGINT NOT NULL REFERENCES accounts(id),
    -- seq numbers an account's entries 1, 2, 3... in the order they were
    -- applied; unique per account, so two writers that computed a balance
    -- from the same previous entry cannot both commit.
    seq             BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    activity        TEXT   NOT NULL,
    debit           BIGINT NOT NULL DEFAULT 0,
    credit          BIGINT NOT NULL DEFAULT 0,
    balance_after   BIGINT NOT NULL,
    reference       TEXT   NOT NULL DEFAULT '',
    actor_user_id   BIGINT NOT NULL DEFAULT 0,
    description     TEXT   NOT NULL DEFAULT '',
    idempotency_key TEXT   NOT NULL DEFAULT '',
    CHECK (debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0))
);
CREATE UNIQUE INDEX ledger_entries_seq_uniq ON ledger_entries(account_id, seq);
CREATE INDEX ledger_entries_account_idx ON ledger_entries(account_id, id);
CREATE INDEX ledger_entries_created_idx ON ledger_entries(account_id, created_at);

-- The cached balance of each account that has entries. Writers lock its row
-- (SELECT ... FOR UPDATE on PostgreSQL; SQLite has a single writer).
CREATE TABLE account_balances (
    account_id    BIGINT PRIMARY KEY REFERENCES accounts(id),
    balance       BIGINT NOT NULL DEFAULT 0,
    last_entry_id BIGINT NOT NULL DEFAULT 0,
    last_seq      BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);

-- Idempotency keys of requests that moved money, per account, kept 24 hours:
-- a repeat with the same request_hash replays response; a different hash is
-- refused.
CREATE TABLE idempotency_keys (
    account_id   BIGINT  NOT NULL REFERENCES accounts(id),
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    response     TEXT    NOT NULL DEFAULT '',
    status       INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys(created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE account_balances;
DROP TABLE ledger_entries;

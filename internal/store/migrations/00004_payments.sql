-- +goose Up
-- Payments: card payments, bank transfers and cheques. An approved payment
-- names the ledger entry that credited it (its card fee is the next entry of
-- the same chain); a declined card attempt is kept and moved no money. A card
-- number or CVV is never stored: brand and last4 only.
CREATE TABLE payments (
    id              BIGINT PRIMARY KEY,
    account_id      BIGINT NOT NULL REFERENCES accounts(id),
    method          TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    amount          BIGINT NOT NULL,
    fee             BIGINT NOT NULL DEFAULT 0,
    currency        TEXT   NOT NULL,
    brand           TEXT   NOT NULL DEFAULT '',
    last4           TEXT   NOT NULL DEFAULT '',
    reference       TEXT   NOT NULL DEFAULT '',
    ledger_entry_id BIGINT NOT NULL DEFAULT 0,
    decline_code    TEXT   NOT NULL DEFAULT '',
    actor_user_id   BIGINT NOT NULL DEFAULT 0,
    idempotency_key TEXT   NOT NULL DEFAULT '',
    request_hash    TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    CHECK (method IN ('card', 'bank_transfer', 'cheque')),
    CHECK (status IN ('approved', 'declined')),
    CHECK (amount > 0 AND fee >= 0),
    CHECK ((status = 'approved') = (ledger_entry_id <> 0))
);
CREATE INDEX payments_account_idx ON payments(account_id, id);
CREATE INDEX payments_key_idx ON payments(account_id, idempotency_key, created_at);

-- +goose Down
DROP TABLE payments;

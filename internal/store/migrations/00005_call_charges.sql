-- +goose Up
-- Rated calls: what each finished call cost each account that paid for it.
-- A call of a customer under resellers has one row per paying level (the
-- customer at its sell price, each reseller above at its buy price), each
-- naming the ledger entry that debited it; invoices summarise calls from
-- here by rate type and destination. The call is known by its 32-character
-- CDR hash, so a call is charged once per account however often its
-- charge is retried.
CREATE TABLE call_charges (
    id                BIGINT PRIMARY KEY,
    account_id        BIGINT NOT NULL REFERENCES accounts(id),
    -- caller_account_id is the account whose call it was (the lowest level).
    caller_account_id BIGINT NOT NULL REFERENCES accounts(id),
    call_hash         TEXT   NOT NULL,
    started_at        BIGINT NOT NULL,
    destination       TEXT   NOT NULL,
    prefix            TEXT   NOT NULL,
    rate_id           BIGINT NOT NULL,
    rate_type         TEXT   NOT NULL,
    rate_description  TEXT   NOT NULL DEFAULT '',
    duration          BIGINT NOT NULL,
    billed_seconds    BIGINT NOT NULL,
    -- pack_seconds of billed_seconds were covered by call packs (cost 0).
    pack_seconds      BIGINT NOT NULL DEFAULT 0,
    cost              BIGINT NOT NULL,
    ledger_entry_id   BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    CHECK (cost >= 0 AND duration >= 0 AND billed_seconds >= 0 AND pack_seconds >= 0 AND pack_seconds <= billed_seconds)
);
CREATE UNIQUE INDEX call_charges_call_uniq ON call_charges(account_id, call_hash);
CREATE INDEX call_charges_time_idx ON call_charges(account_id, started_at);
CREATE INDEX call_charges_hash_idx ON call_charges(call_hash, caller_account_id);

-- +goose Down
DROP TABLE call_charges;

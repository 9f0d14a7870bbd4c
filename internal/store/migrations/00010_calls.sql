-- +goose Up
-- Extensions: short numbers of an account that ring its peers in order.
CREATE TABLE extensions (
    id                BIGINT  PRIMARY KEY,
    account_id        BIGINT  NOT NULL REFERENCES accounts(id),
    subaccount_id     BIGINT  NOT NULL DEFAULT 0,
    extension         INTEGER NOT NULL,
    friendly_name     TEXT    NOT NULL,
    peer_ids          TEXT    NOT NULL DEFAULT '',
    peer_timeout      INTEGER NOT NULL DEFAULT 0,
    forward_number    TEXT    NOT NULL DEFAULT '',
    forward_timeout   INTEGER NOT NULL DEFAULT 0,
    enable_forwarding BOOLEAN NOT NULL DEFAULT FALSE,
    status            TEXT    NOT NULL,
    comments          TEXT    NOT NULL DEFAULT '',
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX extensions_extension_uniq ON extensions(account_id, extension);

-- Call detail records: one per call, written when it ends. Rows are
-- never changed; id order is the order they were logged in.
CREATE TABLE cdrs (
    id              BIGINT  PRIMARY KEY,
    call_hash       TEXT    NOT NULL,
    account_id      BIGINT  NOT NULL,
    subaccount_id   BIGINT  NOT NULL DEFAULT 0,
    direction       TEXT    NOT NULL,
    routing_type    TEXT    NOT NULL,
    src_number      TEXT    NOT NULL DEFAULT '',
    src_peer_id     BIGINT  NOT NULL DEFAULT 0,
    dst_number      TEXT    NOT NULL DEFAULT '',
    dst_peer_id     BIGINT  NOT NULL DEFAULT 0,
    callerid_name   TEXT    NOT NULL DEFAULT '',
    callerid_number TEXT    NOT NULL DEFAULT '',
    started_at      BIGINT  NOT NULL,
    answered_at     BIGINT  NOT NULL DEFAULT 0,
    ended_at        BIGINT  NOT NULL,
    duration        INTEGER NOT NULL DEFAULT 0,
    billsec         INTEGER NOT NULL DEFAULT 0,
    disposition     TEXT    NOT NULL,
    sip_code        INTEGER NOT NULL DEFAULT 0,
    failure_reason  TEXT    NOT NULL DEFAULT '',
    src_user_agent  TEXT    NOT NULL DEFAULT '',
    dst_user_agent  TEXT    NOT NULL DEFAULT '',
    sip_call_id     TEXT    NOT NULL DEFAULT '',
    node            INTEGER NOT NULL
);
CREATE UNIQUE INDEX cdrs_call_hash_uniq ON cdrs(call_hash);
CREATE INDEX cdrs_account_idx ON cdrs(account_id, started_at);

-- +goose Down
DROP TABLE cdrs;
DROP TABLE extensions;

-- +goose Up
-- Times are BIGINT unix microseconds (UTC) and money is BIGINT units of
-- 10^-5, so the same SQL runs on SQLite and PostgreSQL and nothing is a float.

-- Node ids for cluster-unique id generation, leased by running nodes.
CREATE TABLE nodes (
    node       INTEGER PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);

CREATE TABLE accounts (
    id           BIGINT  PRIMARY KEY,
    parent_id    BIGINT  REFERENCES accounts(id),
    path         TEXT    NOT NULL UNIQUE,
    depth        INTEGER NOT NULL,
    number       TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    billing_mode TEXT    NOT NULL,
    credit_limit BIGINT  NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL,
    language     TEXT    NOT NULL,
    preferences  TEXT    NOT NULL DEFAULT '{}',
    api_limits   TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX accounts_parent_idx ON accounts(parent_id);
CREATE INDEX accounts_created_idx ON accounts(created_at);

-- The closure of the account tree: one row per (ancestor, descendant),
-- including each account with itself at depth 0. Tenant scoping joins it.
CREATE TABLE account_tree (
    ancestor_id   BIGINT  NOT NULL REFERENCES accounts(id),
    descendant_id BIGINT  NOT NULL REFERENCES accounts(id),
    depth         INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX account_tree_descendant_idx ON account_tree(descendant_id);

CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts(id),
    username      TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL,
    email         TEXT   NOT NULL DEFAULT '',
    status        TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- Usernames are unique platform-wide, case-insensitively.
CREATE UNIQUE INDEX users_username_uniq ON users(LOWER(username));
CREATE INDEX users_account_idx ON users(account_id);

CREATE TABLE tokens (
    id           BIGINT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    account_id   BIGINT NOT NULL REFERENCES accounts(id),
    kind         TEXT   NOT NULL,
    hash         TEXT   NOT NULL UNIQUE,
    name         TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user_idx ON tokens(user_id);
CREATE INDEX tokens_account_idx ON tokens(account_id);

CREATE TABLE subaccounts (
    id                              BIGINT  PRIMARY KEY,
    account_id                      BIGINT  NOT NULL REFERENCES accounts(id),
    custom_id                       TEXT    NOT NULL DEFAULT '',
    friendly_name                   TEXT    NOT NULL,
    call_limit                      INTEGER NOT NULL DEFAULT 0,
    allow_international_call        BOOLEAN NOT NULL DEFAULT FALSE,
    international_call_limit        INTEGER NOT NULL DEFAULT 1,
    require_international_nip       BOOLEAN NOT NULL DEFAULT FALSE,
    international_nip               TEXT    NOT NULL DEFAULT '',
    multi_tenancy_mode              TEXT    NOT NULL,
    multi_tenancy_subaccount_id     BIGINT  NOT NULL DEFAULT 0,
    organization                    TEXT    NOT NULL DEFAULT '',
    organization_type               TEXT    NOT NULL DEFAULT '',
    client_profile                  TEXT    NOT NULL DEFAULT 'undefined',
    voice_language                  TEXT    NOT NULL DEFAULT '',
    notification_language           TEXT    NOT NULL DEFAULT '',
    callerid_name                   TEXT    NOT NULL DEFAULT '',
    callerid_number                 TEXT    NOT NULL DEFAULT '',
    client_moh_profile_id           TEXT    NOT NULL DEFAULT '',
    default_provisioned_endpoint_id TEXT    NOT NULL DEFAULT '',
    options                         TEXT    NOT NULL DEFAULT '',
    status                          TEXT    NOT NULL,
    comments                        TEXT    NOT NULL DEFAULT '',
    created_at                      BIGINT  NOT NULL,
    updated_at                      BIGINT  NOT NULL
);
CREATE INDEX subaccounts_account_idx ON subaccounts(account_id);

CREATE TABLE subaccount_addresses (
    id             BIGINT  PRIMARY KEY,
    subaccount_id  BIGINT  NOT NULL REFERENCES subaccounts(id) ON DELETE CASCADE,
    account_id     BIGINT  NOT NULL REFERENCES accounts(id),
    type           TEXT    NOT NULL,
    box_number     TEXT    NOT NULL DEFAULT '',
    civic_number   BIGINT  NOT NULL,
    street         TEXT    NOT NULL,
    unit_number    BIGINT  NOT NULL,
    city           TEXT    NOT NULL,
    country_id     INTEGER NOT NULL,
    state_id       INTEGER NOT NULL DEFAULT 0,
    state_other    TEXT    NOT NULL DEFAULT '',
    postal_code    TEXT    NOT NULL,
    precision_note TEXT    NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX subaccount_addresses_sub_idx ON subaccount_addresses(subaccount_id);

-- Request counters for hourly and per-minute API limits, shared by nodes.
CREATE TABLE request_counters (
    account_id   BIGINT NOT NULL,
    bucket       TEXT   NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (account_id, bucket, window_start)
);

-- +goose Down
DROP TABLE request_counters;
DROP TABLE subaccount_addresses;
DROP TABLE subaccounts;
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE account_tree;
DROP TABLE accounts;
DROP TABLE nodes;

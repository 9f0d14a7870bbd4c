-- +goose Up
-- SIP accounts. A peer's password is never stored: ha1_md5 and ha1_sha256
-- are the digest HA1 hashes H(auth username:realm:password) for the realm
-- in ha1_realm, which is all digest authentication needs.
CREATE TABLE peers (
    id                       BIGINT  PRIMARY KEY,
    account_id               BIGINT  NOT NULL REFERENCES accounts(id),
    subaccount_id            BIGINT  NOT NULL DEFAULT 0,
    friendly_name            TEXT    NOT NULL,
    username                 TEXT    NOT NULL,
    host_type                TEXT    NOT NULL,
    host                     TEXT    NOT NULL DEFAULT '',
    port                     INTEGER NOT NULL DEFAULT 5060,
    transport                TEXT    NOT NULL DEFAULT 'udp',
    ha1_realm                TEXT    NOT NULL DEFAULT '',
    ha1_md5                  TEXT    NOT NULL DEFAULT '',
    ha1_sha256               TEXT    NOT NULL DEFAULT '',
    callerid_name            TEXT    NOT NULL DEFAULT '',
    callerid_number          TEXT    NOT NULL DEFAULT '',
    callerid_mode            TEXT    NOT NULL,
    callerid_type            TEXT    NOT NULL,
    callerid_format          TEXT    NOT NULL,
    codecs                   TEXT    NOT NULL,
    dtmf_mode                TEXT    NOT NULL,
    dnis_mode                TEXT    NOT NULL,
    dnis_format              TEXT    NOT NULL,
    enable_nat               BOOLEAN NOT NULL DEFAULT FALSE,
    enable_qualify           BOOLEAN NOT NULL DEFAULT FALSE,
    qualify                  INTEGER NOT NULL DEFAULT 0,
    simultaneous_calls_limit INTEGER NOT NULL DEFAULT 0,
    enable_auth              BOOLEAN NOT NULL DEFAULT FALSE,
    auth_username            TEXT    NOT NULL DEFAULT '',
    default_ip               TEXT    NOT NULL DEFAULT '',
    register_timeout         INTEGER NOT NULL,
    progress_timeout         INTEGER NOT NULL,
    status                   TEXT    NOT NULL,
    comments                 TEXT    NOT NULL DEFAULT '',
    metadata                 TEXT    NOT NULL DEFAULT '{}',
    created_at               BIGINT  NOT NULL,
    updated_at               BIGINT  NOT NULL
);
-- SIP usernames are unique platform-wide, case-insensitively.
CREATE UNIQUE INDEX peers_username_uniq ON peers(LOWER(username));
CREATE INDEX peers_account_idx ON peers(account_id);
CREATE INDEX peers_subaccount_idx ON peers(subaccount_id);
CREATE INDEX peers_host_idx ON peers(host, port);

-- Registrar bindings: where a peer is reachable, shared by every node.
CREATE TABLE peer_registrations (
    id             BIGINT  PRIMARY KEY,
    peer_id        BIGINT  NOT NULL REFERENCES peers(id),
    account_id     BIGINT  NOT NULL,
    contact        TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    transport      TEXT    NOT NULL,
    user_agent     TEXT    NOT NULL DEFAULT '',
    call_id        TEXT    NOT NULL DEFAULT '',
    cseq           BIGINT  NOT NULL DEFAULT 0,
    node           INTEGER NOT NULL,
    registered_at  BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    reachable      BOOLEAN NOT NULL DEFAULT TRUE,
    qualified_at   BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX peer_registrations_contact_uniq ON peer_registrations(peer_id, contact);
CREATE INDEX peer_registrations_expires_idx ON peer_registrations(expires_at);

-- +goose Down
DROP TABLE peer_registrations;
DROP TABLE peers;

-- +goose Up
-- The catalog (seeds 000 and 001): VoIP bundle types 1-5 and call-pack
-- types 13-20 with their default prices, the sell prices the operator and
-- resellers set for the accounts directly below them, and the bundles and
-- call packs accounts hold. Money is BIGINT units of 10^-5, times BIGINT
-- unix microseconds; a bundle's expires_on is the midnight (UTC) starting
-- its expiry date.
CREATE TABLE bundle_types (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    price         BIGINT  NOT NULL,
    period_months INTEGER NOT NULL DEFAULT 1,
    -- features is a comma-separated list of catalog features.
    features      TEXT    NOT NULL,
    CHECK (price > 0 AND period_months > 0)
);
INSERT INTO bundle_types (id, name, price, period_months, features) VALUES
    (1, 'Business',     2999000, 1, 'sip_peers,extensions,numbers,voicemail,forwarding,fax,sms'),
    (2, 'Residential',  1499000, 1, 'sip_peers,extensions,numbers,voicemail,forwarding'),
    (3, 'Fax Only',      999000, 1, 'numbers,fax'),
    (4, 'Trunk Only',   1999000, 1, 'trunks,numbers'),
    (5, 'Forward Only',  499000, 1, 'numbers,forwarding');

CREATE TABLE call_pack_types (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    minutes         BIGINT  NOT NULL,
    -- prefixes is a comma-separated list of E.164 digit prefixes covered.
    prefixes        TEXT    NOT NULL,
    price           BIGINT  NOT NULL,
    validity_months INTEGER NOT NULL DEFAULT 1,
    CHECK (price > 0 AND minutes > 0 AND validity_months > 0)
);
-- UK: geographic (01, 02, 03) and mobile (07) numbers, not freephone,
-- premium or personal numbers. EU: the 27 member states' country codes.
INSERT INTO call_pack_types (id, name, minutes, prefixes, price) VALUES
    (13, 'UK Landline & Mobile 1000',        1000, '441,442,443,447',  900000),
    (14, 'UK Landline & Mobile 2000',        2000, '441,442,443,447', 1600000),
    (15, 'UK Landline & Mobile 5000',        5000, '441,442,443,447', 3500000),
    (16, 'UK Landline & Mobile 10000',      10000, '441,442,443,447', 6000000),
    (17, 'UK + EU Landline & Mobile 1000',   1000, '441,442,443,447,30,31,32,33,34,351,352,353,356,357,358,359,36,370,371,372,385,386,39,40,420,421,43,45,46,48,49', 1500000),
    (18, 'UK + EU Landline & Mobile 2000',   2000, '441,442,443,447,30,31,32,33,34,351,352,353,356,357,358,359,36,370,371,372,385,386,39,40,420,421,43,45,46,48,49', 2700000),
    (19, 'UK + EU Landline & Mobile 5000',   5000, '441,442,443,447,30,31,32,33,34,351,352,353,356,357,358,359,36,370,371,372,385,386,39,40,420,421,43,45,46,48,49', 6000000),
    (20, 'UK + EU Landline & Mobile 10000', 10000, '441,442,443,447,30,31,32,33,34,351,352,353,356,357,358,359,36,370,371,372,385,386,39,40,420,421,43,45,46,48,49', 10000000);

-- What an owner (the operator or a reseller) charges the accounts directly
-- below it for one catalog item; without a row they pay the default price.
CREATE TABLE catalog_prices (
    owner_account_id BIGINT  NOT NULL REFERENCES accounts(id),
    kind             TEXT    NOT NULL,
    type_id          INTEGER NOT NULL,
    price            BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    PRIMARY KEY (owner_account_id, kind, type_id),
    CHECK (kind IN ('bundle', 'call_pack')),
    CHECK (price > 0)
);

-- A bundle exists exactly when its first charge moved: it is inserted in
-- the ledger's transaction. A destroyed bundle keeps its row (its ledger
-- entries name it) with status 'deleted'.
CREATE TABLE bundles (
    id          BIGINT  PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts(id),
    type_id     INTEGER NOT NULL REFERENCES bundle_types(id),
    auto_renew  BOOLEAN NOT NULL DEFAULT FALSE,
    status      TEXT    NOT NULL,
    price       BIGINT  NOT NULL,
    starts_at   BIGINT  NOT NULL,
    expires_on  BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    CHECK (status IN ('active', 'suspended', 'deleted'))
);
CREATE INDEX bundles_account_idx ON bundles(account_id, id);
CREATE INDEX bundles_due_idx ON bundles(status, auto_renew, expires_on);

-- A call pack: seconds_total whole seconds of calls to the type's prefixes
-- between starts_at and expires_at, seconds_used of them taken by calls.
CREATE TABLE call_packs (
    id            BIGINT  PRIMARY KEY,
    account_id    BIGINT  NOT NULL REFERENCES accounts(id),
    type_id       INTEGER NOT NULL REFERENCES call_pack_types(id),
    status        TEXT    NOT NULL,
    seconds_total BIGINT  NOT NULL,
    seconds_used  BIGINT  NOT NULL DEFAULT 0,
    price         BIGINT  NOT NULL,
    starts_at     BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    CHECK (status IN ('active', 'deleted')),
    CHECK (seconds_used >= 0 AND seconds_used <= seconds_total)
);
CREATE INDEX call_packs_account_idx ON call_packs(account_id, status, expires_at);

-- +goose Down
DROP TABLE call_packs;
DROP TABLE bundles;
DROP TABLE catalog_prices;
DROP TABLE call_pack_types;
DROP TABLE bundle_types;

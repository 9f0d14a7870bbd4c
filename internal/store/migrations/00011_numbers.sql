-- +goose Up
-- Phone numbers: the inventory and every number's life in one row (stock,
-- held by a reservation, owned, suspended, quarantined, retired). The
-- pat_* columns are the digit patterns computed when the number entered
-- inventory; searches select on them.
CREATE TABLE numbers (
    id               BIGINT  PRIMARY KEY,
    e164             TEXT    NOT NULL UNIQUE,
    national         TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    country          TEXT    NOT NULL,
    country_id       INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL DEFAULT '',
    state_id         INTEGER NOT NULL DEFAULT 0,
    npa              TEXT    NOT NULL DEFAULT '',
    nxx              TEXT    NOT NULL DEFAULT '',
    ratecenter       TEXT    NOT NULL DEFAULT '',
    city             TEXT    NOT NULL DEFAULT '',
    sms              BOOLEAN NOT NULL DEFAULT FALSE,
    mms              BOOLEAN NOT NULL DEFAULT FALSE,
    t38              BOOLEAN NOT NULL DEFAULT FALSE,
    setup_price      BIGINT  NOT NULL DEFAULT 0,
    monthly_price    BIGINT  NOT NULL DEFAULT 0,
    pat_double       BOOLEAN NOT NULL DEFAULT FALSE,
    pat_pair         BOOLEAN NOT NULL DEFAULT FALSE,
    pat_trio         BOOLEAN NOT NULL DEFAULT FALSE,
    pat_triple       BOOLEAN NOT NULL DEFAULT FALSE,
    pat_quadruple    BOOLEAN NOT NULL DEFAULT FALSE,
    pat_rare         BOOLEAN NOT NULL DEFAULT FALSE,
    pat_any          BOOLEAN NOT NULL DEFAULT FALSE,
    shuffle          INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL,
    account_id       BIGINT  NOT NULL DEFAULT 0,
    reservation_id   BIGINT  NOT NULL DEFAULT 0,
    held_until       BIGINT  NOT NULL DEFAULT 0,
    order_id         BIGINT  NOT NULL DEFAULT 0,
    trunk_id         BIGINT  NOT NULL DEFAULT 0,
    paid_until       BIGINT  NOT NULL DEFAULT 0,
    status_until     BIGINT  NOT NULL DEFAULT 0,
    settings         TEXT    NOT NULL DEFAULT '{}',
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    CHECK (type IN ('local', 'tollfree', 'international', 'inum')),
    CHECK (status IN ('available', 'reserved', 'owned', 'suspended', 'quarantined', 'retired')),
    CHECK (setup_price >= 0 AND monthly_price >= 0)
);
CREATE INDEX numbers_state ON numbers (status, state, national);
CREATE INDEX numbers_npa ON numbers (status, npa, nxx, national);
CREATE INDEX numbers_state_id ON numbers (status, state_id, national);
CREATE INDEX numbers_national ON numbers (national);
CREATE INDEX numbers_type ON numbers (status, type, national);
CREATE INDEX numbers_ratecenter ON numbers (status, ratecenter, national);
CREATE INDEX numbers_city ON numbers (status, city, national);
CREATE INDEX numbers_shuffle ON numbers (status, shuffle);
CREATE INDEX numbers_state_shuffle ON numbers (status, state_id, shuffle);
CREATE INDEX numbers_pattern ON numbers (status, pat_any, state, national);
CREATE INDEX numbers_account ON numbers (account_id, status);
CREATE INDEX numbers_reservation ON numbers (reservation_id);
CREATE INDEX numbers_order ON numbers (order_id);
CREATE INDEX numbers_due ON numbers (status, paid_until);
CREATE INDEX numbers_status_until ON numbers (status, status_until);

-- A reservation is an account's order cart: numbers held for it until
-- held_until. At most one cart per account is open; generating an order
-- closes it. A direct reservation holds the numbers of a one-step purchase
-- (voicemeup activate_new_did) outside the cart.
CREATE TABLE number_reservations (
    id          BIGINT  PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts(id),
    status      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    CHECK (status IN ('open', 'direct', 'ordered', 'removed'))
);
CREATE UNIQUE INDEX number_reservations_open ON number_reservations (account_id) WHERE status = 'open';

-- An order of the numbers of one reservation; paid when processed.
CREATE TABLE number_orders (
    id             BIGINT  PRIMARY KEY,
    account_id     BIGINT  NOT NULL REFERENCES accounts(id),
    reservation_id BIGINT  NOT NULL UNIQUE,
    trunk_id       BIGINT  NOT NULL DEFAULT 0,
    category       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    setup_total    BIGINT  NOT NULL,
    monthly_total  BIGINT  NOT NULL,
    numbers        TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    paid_at        BIGINT  NOT NULL DEFAULT 0,
    CHECK (status IN ('unpaid', 'paid'))
);
CREATE INDEX number_orders_account ON number_orders (account_id, id);

-- Back-orders of numbers not in stock (voicemeup order_new_dids), which the
-- operator fulfils.
CREATE TABLE number_requests (
    id          BIGINT  PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts(id),
    details     TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    CHECK (status IN ('open', 'fulfilled', 'cancelled'))
);
CREATE INDEX number_requests_account ON number_requests (account_id, id);

-- +goose Down
DROP TABLE number_requests;
DROP TABLE number_orders;
DROP TABLE number_reservations;
DROP TABLE numbers;

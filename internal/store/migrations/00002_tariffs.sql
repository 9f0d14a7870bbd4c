-- +goose Up
-- Tariffs are named decks of call rates owned by an account. Every account
-- is sold at a tariff (accounts.tariff_id): its parent's price list for it.
CREATE TABLE tariffs (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    name        TEXT   NOT NULL,
    currency    TEXT   NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    -- version grows with every change of the tariff's rates; nodes compare
    -- it to know when their in-memory deck is stale.
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX tariffs_name_uniq ON tariffs(account_id, name);

CREATE TABLE call_rates (
    id                 BIGINT  PRIMARY KEY,
    tariff_id          BIGINT  NOT NULL REFERENCES tariffs(id),
    prefix             TEXT    NOT NULL,
    type               TEXT    NOT NULL,
    free_seconds       INTEGER NOT NULL,
    grace_period       INTEGER NOT NULL,
    interval_1         INTEGER NOT NULL,
    interval_n         INTEGER NOT NULL,
    connect_fee        BIGINT  NOT NULL,
    postcall_surcharge BIGINT  NOT NULL,
    price_1            BIGINT  NOT NULL,
    price_n            BIGINT  NOT NULL,
    description        TEXT    NOT NULL DEFAULT '',
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX call_rates_prefix_uniq ON call_rates(tariff_id, prefix);

ALTER TABLE accounts ADD COLUMN tariff_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE subaccounts ADD COLUMN tariff_id BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE subaccounts DROP COLUMN tariff_id;
ALTER TABLE accounts DROP COLUMN tariff_id;
DROP TABLE call_rates;
DROP TABLE tariffs;

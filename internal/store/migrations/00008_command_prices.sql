-- +goose Up
-- The operator's price for running an API command of a dialect: every run
-- of a priced command is one chain of command_charge ledger rows.
CREATE TABLE command_prices (
    id          BIGINT PRIMARY KEY,
    dialect     TEXT   NOT NULL,
    command     TEXT   NOT NULL,
    price       BIGINT NOT NULL,
    description TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CHECK (price >= 0)
);
CREATE UNIQUE INDEX command_prices_command_uniq ON command_prices(dialect, command);

-- +goose Down
DROP TABLE command_prices;

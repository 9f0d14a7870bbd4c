-- +goose Up
-- Invoices: one statement of an account's ledger for a period, issued by the
-- account's parent. A monthly invoice covers a calendar month (UTC) and is
-- unique per account and month, which is what lets several nodes run the
-- monthly worker: the second insert of the same month conflicts and the
-- generator returns the first. An on-demand invoice covers closed days and
-- is unique per account and range. Periods are [period_start, period_end).
-- content is the computed statement (sections and lines) as JSON, from
-- which the PDF is rendered byte for byte; pdf_key names the rendered file
-- in the blob store, a cache that any node can rebuild from content.
CREATE TABLE invoices (
    id           BIGINT PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts(id),
    issuer_id    BIGINT NOT NULL REFERENCES accounts(id),
    number       TEXT   NOT NULL,
    kind         TEXT   NOT NULL,
    period_start BIGINT NOT NULL,
    period_end   BIGINT NOT NULL,
    currency     TEXT   NOT NULL,
    opening      BIGINT NOT NULL,
    charges      BIGINT NOT NULL,
    credits      BIGINT NOT NULL,
    -- tax_rate is in millionths (130000 = 13 %); tax is on charges.
    tax_rate     BIGINT NOT NULL DEFAULT 0,
    tax          BIGINT NOT NULL,
    total        BIGINT NOT NULL,
    closing      BIGINT NOT NULL,
    status       TEXT   NOT NULL,
    pdf_key      TEXT   NOT NULL,
    web_key      TEXT   NOT NULL,
    content      TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    CHECK (kind IN ('monthly', 'range')),
    CHECK (period_end > period_start),
    CHECK (tax_rate >= 0 AND tax_rate <= 1000000)
);
CREATE UNIQUE INDEX invoices_period_uniq ON invoices(account_id, kind, period_start, period_end);
CREATE UNIQUE INDEX invoices_number_uniq ON invoices(issuer_id, number);
CREATE UNIQUE INDEX invoices_web_key_uniq ON invoices(web_key);
CREATE INDEX invoices_created_idx ON invoices(period_start, account_id);

-- The last invoice number each issuer gave in a year; incremented in the
-- transaction that inserts the invoice, so numbers have no gaps.
CREATE TABLE invoice_sequences (
    issuer_id BIGINT  NOT NULL REFERENCES accounts(id),
    year      INTEGER NOT NULL,
    last      BIGINT  NOT NULL,
    PRIMARY KEY (issuer_id, year)
);

-- Tax rates set on accounts by an ancestor, in millionths; an account
-- without a row takes its nearest ancestor's, else 0.
CREATE TABLE account_tax_rates (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
    rate       BIGINT NOT NULL,
    set_by     BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    CHECK (rate >= 0 AND rate <= 1000000)
);

-- +goose Down
DROP TABLE account_tax_rates;
DROP TABLE invoice_sequences;
DROP TABLE invoices;

// Package invoicetest reads back the text of invoice PDFs for tests, with
// an independent PDF reader, so that a test checks what a PDF viewer
// would show rather than what the renderer meant to draw.
package invoicetest

import (
	"bytes"
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"switchboard/internal/money"
)

// Text returns the text of every page, one line per text row, failing the
// test when b is not a PDF the reader can open.
func Text(tb testing.TB, b []byte) string {
	tb.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatalf("open pdf: %v", err)
	}
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		rows, err := p.GetTextByRow()
		if err != nil {
			tb.Fatalf("pdf page %d: %v", i, err)
		}
		for _, row := range rows {
			for j, w := range row.Content {
				if j > 0 {
					out.WriteByte(' ')
				}
				out.WriteString(w.S)
			}
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// Value returns the amount (5 decimals) that follows the first
// occurrence of label in text, "" when there is none.
func Value(text, label string) string {
	m := regexp.MustCompile(regexp.QuoteMeta(label) + ` (-?[0-9]+\.[0-9]{5})\b`).FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return m[1]
}

// Execer runs one writing statement (*store.DB does).
type Execer interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Call is a rated call to record for an account.
type Call struct {
	ID, AccountID   int64
	Hash            string
	StartedAt       time.Time
	Prefix          string
	RateType        string
	Description     string
	Seconds         int64
	PackSeconds     int64
	Cost            money.Amount
	LedgerEntryID   int64
	CallerAccountID int64 // default AccountID
}

// InsertCall records c as a call_charges row, the way the rating of a
// finished call does next to its "Call Charges" ledger entry.
func InsertCall(tb testing.TB, db Execer, c Call) {
	tb.Helper()
	if c.CallerAccountID == 0 {
		c.CallerAccountID = c.AccountID
	}
	_, err := db.Exec(context.Background(), `INSERT INTO call_charges (id, account_id, caller_account_id, call_hash, started_at,
		destination, prefix, rate_id, rate_type, rate_description, duration, billed_seconds, pack_seconds, cost, ledger_entry_id, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
		c.ID, c.AccountID, c.CallerAccountID, c.Hash, c.StartedAt.UnixMicro(), c.Prefix+"5550000", c.Prefix, 1, c.RateType,
		c.Description, c.Seconds, c.Seconds, c.PackSeconds, int64(c.Cost), c.LedgerEntryID, c.StartedAt.UnixMicro())
	if err != nil {
		tb.Fatalf("insert call charge: %v", err)
	}
}

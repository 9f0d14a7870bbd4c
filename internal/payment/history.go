package payment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/money"
	"switchboard/internal/query"
)

// HistoryFilter narrows History.
type HistoryFilter struct {
	From, To time.Time // inclusive From, exclusive To; zero: open
	// Methods keeps payments of these methods only; empty keeps all.
	Methods []string
	// Reference keeps the payment whose reference, or whose id in decimal,
	// is exactly this; empty keeps all.
	Reference string
}

// MaxHistory bounds one History answer.
const MaxHistory = 10_000

// History returns the principal's own account's payments (declined card
// attempts included) oldest first.
func (s *Service) History(ctx context.Context, p auth.Principal, f HistoryFilter) ([]Payment, error) {
	parts := []string{fmt.Sprintf("account_id eq %d", p.AccountID)}
	if !f.From.IsZero() {
		parts = append(parts, "created_at ge "+f.From.UTC().Format(time.RFC3339Nano))
	}
	if !f.To.IsZero() {
		parts = append(parts, "created_at lt "+f.To.UTC().Format(time.RFC3339Nano))
	}
	if len(f.Methods) > 0 {
		var ms []string
		for _, m := range f.Methods {
			ms = append(ms, "method eq '"+quote(m)+"'")
		}
		parts = append(parts, "("+strings.Join(ms, " or ")+")")
	}
	if f.Reference != "" {
		ref := "reference eq '" + quote(f.Reference) + "'"
		if n, err := strconv.ParseInt(f.Reference, 10, 64); err == nil && n > 0 {
			ref = fmt.Sprintf("(%s or id eq %d)", ref, n)
		}
		parts = append(parts, ref)
	}
	var out []Payment
	for skip := 0; len(out) < MaxHistory; skip += 100 {
		page, total, err := s.store.ListPayments(ctx, p.AccountID, query.Params{
			Filter: strings.Join(parts, " and "), OrderBy: "id asc", Skip: strconv.Itoa(skip), Top: "100"})
		if err != nil {
			return nil, fmt.Errorf("payment history: %w", err)
		}
		out = append(out, page...)
		if skip+100 >= total || len(page) == 0 {
			break
		}
	}
	return out, nil
}

func quote(s string) string { return strings.ReplaceAll(s, "'", "''") }

// AmountDue is what the principal's own account owes: its negative
// balance, or 0 when it owes nothing. A payment for "what is due" pays it.
func (s *Service) AmountDue(ctx context.Context, p auth.Principal) (money.Amount, error) {
	b, err := s.ledger.Balance(ctx, p.AccountID)
	if err != nil {
		return 0, err
	}
	if b >= 0 {
		return 0, nil
	}
	return -b, nil
}

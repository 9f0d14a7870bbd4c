package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"switchboard/internal/server/servertest"
)

// A Stripe-style test Visa whose middle digits are distinctive enough to
// search the database for.
const (
	payCard   = "4000056655665556"
	payMiddle = "0566556655"
	payCVV    = "731"
)

func postPayment(t *testing.T, n *servertest.Node, token, key string, body map[string]any) servertest.Response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodPost, n.URL+"/api/payments", bytes.NewReader(raw))
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	return n.Send(t, r)
}

type paymentJSON struct {
	ID, AccountID, Method, Status, Amount, Fee, Currency, Brand, Last4, Reference, DeclineCode, TransactionID string
}

func decodePayment(t *testing.T, r servertest.Response) paymentJSON {
	t.Helper()
	var p struct {
		ID            string `json:"id"`
		AccountID     string `json:"account_id"`
		Method        string `json:"method"`
		Status        string `json:"status"`
		Amount        string `json:"amount"`
		Fee           string `json:"fee"`
		Currency      string `json:"currency"`
		Brand         string `json:"brand"`
		Last4         string `json:"last4"`
		Reference     string `json:"reference"`
		DeclineCode   string `json:"decline_code"`
		TransactionID string `json:"transaction_id"`
	}
	r.JSON(t, &p)
	return paymentJSON{p.ID, p.AccountID, p.Method, p.Status, p.Amount, p.Fee, p.Currency, p.Brand, p.Last4, p.Reference, p.DeclineCode, p.TransactionID}
}

func cardBody(accountID, amount, number string) map[string]any {
	return map[string]any{"account_id": accountID, "method": "card", "amount": amount,
		"card_number": number, "expiry": "12/40", "cvv": payCVV}
}

// dumpRows renders every row of table as text, to search it for what must
// never be stored.
func dumpRows(t *testing.T, n *servertest.Node, table string) string {
	t.Helper()
	db, _ := n.Server.DB.Pools()
	rows, err := db.QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&out, "%s=%v|", cols[i], v)
		}
		out.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// ledgerOf lists an account's entries oldest first.
func ledgerOf(t *testing.T, n *servertest.Node, token, accountID string) []struct {
	Activity, Debit, Credit, BalanceAfter, Reference string
} {
	t.Helper()
	q := url.Values{"filter": {"account_id eq '" + accountID + "'"}, "orderby": {"id asc"}}
	r := n.Do(t, http.MethodGet, "/api/transactions?"+q.Encode(), token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("transactions: %d %s", r.Status, r.Body)
	}
	var l struct {
		Items []struct {
			Activity     string `json:"activity"`
			Debit        string `json:"debit"`
			Credit       string `json:"credit"`
			BalanceAfter string `json:"balance_after"`
			Reference    string `json:"reference"`
		} `json:"items"`
	}
	r.JSON(t, &l)
	out := make([]struct{ Activity, Debit, Credit, BalanceAfter, Reference string }, len(l.Items))
	for i, e := range l.Items {
		out[i] = struct{ Activity, Debit, Credit, BalanceAfter, Reference string }{e.Activity, e.Debit, e.Credit, e.BalanceAfter, e.Reference}
	}
	return out
}

// TestPayments covers card payments (the fee as its own ledger row, exact),
// declines (stored, no money), idempotent replays (money once, 422 for
// another body, concurrent repeats), that no card number or CVV is ever
// stored or shown, who may record manual payments, and tenant isolation.
func TestPayments(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		res := n.MustTenant(t, n.AdminToken, "", "Pay Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Pay Customer", "customer")
		other := n.MustTenant(t, n.AdminToken, "", "Other Reseller", "reseller")
		var responses [][]byte
		keep := func(r servertest.Response) servertest.Response { responses = append(responses, r.Body); return r }

		// An approved card: +10.00 credit, -0.59 fee (2.9 % + 0.30), one chain.
		card := cardBody(cust.AccountID, "10", "4000 0566 5566 5556")
		r := keep(postPayment(t, n, cust.Token, "card-1", card))
		if r.Status != http.StatusOK {
			t.Fatalf("card payment: %d %s", r.Status, r.Body)
		}
		p := decodePayment(t, r)
		if p.Status != "approved" || p.Method != "card" || p.Amount != "10.00000" || p.Fee != "0.59000" || p.Brand != "visa" ||
			p.Last4 != "5556" || p.Currency != "USD" || p.TransactionID == "" || p.AccountID != cust.AccountID {
			t.Fatalf("card payment: %+v", p)
		}
		if b := getBalance(t, n, cust.Token, cust.AccountID); b.Balance != "9.41000" {
			t.Fatalf("balance after 10.00 paid by card: %+v, want 9.41000", b)
		}
		es := ledgerOf(t, n, cust.Token, cust.AccountID)
		if len(es) != 2 || es[0].Activity != "Credit Card" || es[0].Credit != "10.00000" || es[0].BalanceAfter != "10.00000" ||
			es[1].Activity != "Credit Card Fee" || es[1].Debit != "0.59000" || es[1].BalanceAfter != "9.41000" ||
			es[0].Reference != es[1].Reference || es[0].Reference == "" {
			t.Fatalf("ledger after a card payment: %+v", es)
		}

		// Replays: the same answer, money once; another body is a 422.
		again := keep(postPayment(t, n, cust.Token, "card-1", card))
		if again.Status != http.StatusOK || again.Header.Get("Idempotent-Replayed") != "true" || decodePayment(t, again) != p {
			t.Errorf("replay: %d %q %s, want the first payment", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
		}
		r = keep(postPayment(t, n, cust.Token, "card-1", cardBody(cust.AccountID, "11", payCard)))
		expectError(t, "same key, other amount", r, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := postPayment(t, n, cust.Token, "card-2", cardBody(cust.AccountID, "5", payCard))
				if r.Status != http.StatusOK {
					t.Errorf("concurrent repeat: %d %s", r.Status, r.Body)
					return
				}
				ids[i] = decodePayment(t, r).ID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Errorf("concurrent repeats of one key made payments %v, want one", ids)
				break
			}
		}
		// 9.41 + 5 - (0.145 + 0.30 = 0.445)
		if b := getBalance(t, n, cust.Token, cust.AccountID); b.Balance != "13.96500" {
			t.Errorf("balance after 8 repeats of a 5.00 payment: %+v, want 13.96500", b)
		}

		// Declines: 402 with the code, stored, no money.
		for num, code := range map[string]string{"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"} {
			r := keep(postPayment(t, n, cust.Token, "", cardBody(cust.AccountID, "10", num)))
			expectError(t, "card "+num, r, http.StatusPaymentRequired, "PAYMENT_REQUIRED", code)
		}
		r = keep(postPayment(t, n, cust.Token, "decl-1", cardBody(cust.AccountID, "10", "4000000000000002")))
		expectError(t, "declined with a key", r, http.StatusPaymentRequired, "PAYMENT_REQUIRED", "card_declined")
		r = keep(postPayment(t, n, cust.Token, "decl-1", cardBody(cust.AccountID, "10", "4000000000000002")))
		expectError(t, "declined replay", r, http.StatusPaymentRequired, "PAYMENT_REQUIRED", "card_declined")
		if b := getBalance(t, n, cust.Token, cust.AccountID); b.Balance != "13.96500" {
			t.Errorf("balance after declines: %+v", b)
		}
		declined := keep(n.Do(t, http.MethodGet, "/api/payments?filter="+url.QueryEscape("status eq 'declined'"), cust.Token, nil))
		if declined.Status != http.StatusOK || !strings.Contains(string(declined.Body), `"count":3`) ||
			!strings.Contains(string(declined.Body), `"decline_code":"insufficient_funds"`) {
			t.Errorf("declined list: %d %s", declined.Status, declined.Body)
		}

		// Invalid cards are refused by field before anything is stored.
		for field, body := range map[string]map[string]any{
			"card_number": cardBody(cust.AccountID, "10", "4000056655665557"),
			"expiry":      bodyWith(cardBody(cust.AccountID, "10", payCard), "expiry", "01/20"),
			"cvv":         bodyWith(cardBody(cust.AccountID, "10", payCard), "cvv", "12a"),
			"amount":      cardBody(cust.AccountID, "0.30", payCard),
		} {
			expectError(t, "invalid "+field, keep(postPayment(t, n, cust.Token, "", body)), http.StatusBadRequest, "VALIDATE_FAILED", field)
		}

		// Manual payments: an admin above the account only.
		manual := map[string]any{"account_id": cust.AccountID, "method": "bank_transfer", "amount": "25.5", "reference": "WIRE-778"}
		expectError(t, "customer records its own transfer", keep(postPayment(t, n, cust.Token, "", manual)), http.StatusForbidden, "FORBIDDEN", "")
		expectError(t, "reseller records on its own account", keep(postPayment(t, n, res.Token, "",
			bodyWith(manual, "account_id", res.AccountID))), http.StatusForbidden, "FORBIDDEN", "")
		expectError(t, "reseller pays a customer by card", keep(postPayment(t, n, res.Token, "", card)), http.StatusForbidden, "FORBIDDEN", "")
		expectError(t, "cheque with a card", keep(postPayment(t, n, res.Token, "",
			bodyWith(manual, "method", "cheque", "card_number", payCard))), http.StatusBadRequest, "VALIDATE_FAILED", "card_number")
		r = keep(postPayment(t, n, res.Token, "wire-1", manual))
		if r.Status != http.StatusOK {
			t.Fatalf("bank transfer: %d %s", r.Status, r.Body)
		}
		m := decodePayment(t, r)
		if m.Status != "approved" || m.Method != "bank_transfer" || m.Fee != "0.00000" || m.Brand != "" || m.Last4 != "" || m.Reference != "WIRE-778" {
			t.Errorf("bank transfer: %+v", m)
		}
		r = keep(postPayment(t, n, res.Token, "chq-1", bodyWith(manual, "method", "cheque", "reference", "CHQ 0042", "amount", "1")))
		if r.Status != http.StatusOK {
			t.Fatalf("cheque: %d %s", r.Status, r.Body)
		}
		if b := getBalance(t, n, cust.Token, cust.AccountID); b.Balance != "40.46500" {
			t.Errorf("balance after a transfer and a cheque: %+v, want 40.46500", b)
		}
		es = ledgerOf(t, n, cust.Token, cust.AccountID)
		sum := 0.0
		for _, e := range es {
			var c, d float64
			fmt.Sscan(e.Credit, &c)
			fmt.Sscan(e.Debit, &d)
			sum += c - d
		}
		if len(es) != 6 || es[4].Activity != "Bank Transfer" || es[5].Activity != "Bank Transfer" || fmt.Sprintf("%.5f", sum) != "40.46500" {
			t.Errorf("ledger: %d entries summing to %.5f: %+v", len(es), sum, es)
		}
		if mm, err := n.Server.Ledger.Check(context.Background()); err != nil || len(mm) != 0 {
			t.Errorf("ledger check: %v %+v", err, mm)
		}

		// The reseller sees its customer's payments; others see nothing.
		mustOK(t, n, http.MethodGet, "/api/payments/"+p.ID, res.Token, nil)
		keep(n.Do(t, http.MethodGet, "/api/payments/"+p.ID, cust.Token, nil))
		for _, id := range []string{p.ID, m.ID} {
			r := n.Do(t, http.MethodGet, "/api/payments/"+id, other.Token, nil)
			expectError(t, "another tenant's payment", r, http.StatusNotFound, "NOT_FOUND", "")
			if absent := n.Do(t, http.MethodGet, "/api/payments/"+missingID, other.Token, nil); absent.Status != r.Status || !bytes.Equal(absent.Body, r.Body) {
				t.Errorf("a foreign payment answers %s, an absent one %s", r.Body, absent.Body)
			}
		}
		if r := n.Do(t, http.MethodGet, "/api/payments", other.Token, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"count":0`) {
			t.Errorf("another tenant's list: %d %s", r.Status, r.Body)
		}
		if r := n.Do(t, http.MethodGet, "/api/payments", res.Token, nil); !strings.Contains(string(r.Body), `"count":7`) {
			t.Errorf("the reseller's list: %s", r.Body)
		}
		expectError(t, "card payment on another tenant's account", postPayment(t, n, other.Token, "", cardBody(cust.AccountID, "10", payCard)),
			http.StatusBadRequest, "VALIDATE_FAILED", "account_id")

		// Never a card number or CVV, in an answer or in the database.
		for _, b := range responses {
			if bytes.Contains(b, []byte(payMiddle)) || bytes.Contains(b, []byte("0566 5566")) || bytes.Contains(b, []byte(`"cvv":`)) || bytes.Contains(b, []byte(`"`+payCVV+`"`)) {
				t.Errorf("an answer shows the card: %s", b)
			}
		}
		for _, table := range []string{"payments", "ledger_entries", "idempotency_keys"} {
			rows := dumpRows(t, n, table)
			if table == "payments" && strings.Count(rows, "\n") != 7 {
				t.Errorf("payments holds %d rows, want 7:\n%s", strings.Count(rows, "\n"), rows)
			}
			for _, secret := range []string{payMiddle, "0566 5566", "4000000000000002", "4000000000009995", "=" + payCVV + "|"} {
				if strings.Contains(rows, secret) {
					t.Errorf("%s stores %q:\n%s", table, secret, rows)
				}
			}
		}

		// The longest key the header takes works (the ledger's key is
		// derived from it).
		long := strings.Repeat("k", 255)
		first := postPayment(t, n, res.Token, long, manual)
		if second := postPayment(t, n, res.Token, long, manual); first.Status != http.StatusOK || second.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("a 255-byte key: %d %s, then %d %s", first.Status, first.Body, second.Status, second.Body)
		}
	})
}

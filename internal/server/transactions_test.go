package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"switchboard/internal/server/servertest"
)

func postTx(t *testing.T, n *servertest.Node, token, key string, body map[string]any) servertest.Response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodPost, n.URL+"/api/transactions", strings.NewReader(string(raw)))
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	return n.Send(t, r)
}

type balance struct {
	Balance, Currency, CreditLimit, Available string
}

func getBalance(t *testing.T, n *servertest.Node, token, accountID string) balance {
	t.Helper()
	r := n.Do(t, http.MethodGet, "/api/accounts/"+accountID+"/balance", token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("balance: %d %s", r.Status, r.Body)
	}
	var b struct {
		Balance     string `json:"balance"`
		Currency    string `json:"currency"`
		CreditLimit string `json:"credit_limit"`
		Available   string `json:"available"`
	}
	r.JSON(t, &b)
	return balance{b.Balance, b.Currency, b.CreditLimit, b.Available}
}

// TestTransactions covers manual credits and debits, the prepaid floor,
// idempotent replays and the 422 for a reused key, and that money only
// moves downwards.
func TestTransactions(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{PerMinute: 1 << 30})
		res := n.MustTenant(t, n.AdminToken, "", "Money Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Money Customer", "customer")

		credit := map[string]any{"account_id": cust.AccountID, "activity": "Bank Transfer", "credit": "10", "description": "wire"}
		r := postTx(t, n, res.Token, "pay-1", credit)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"balance_after":"10.00000"`) {
			t.Fatalf("credit: %d %s", r.Status, r.Body)
		}
		again := postTx(t, n, res.Token, "pay-1", credit)
		if again.Status != http.StatusOK || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(r.Body) {
			t.Errorf("replay: %d %q %s, want the first answer", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
		}
		other := map[string]any{"account_id": cust.AccountID, "activity": "Bank Transfer", "credit": "11"}
		if r := postTx(t, n, res.Token, "pay-1", other); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "IDEMPOTENCY_KEY_REUSED") {
			t.Errorf("same key, other body: %d %s", r.Status, r.Body)
		}
		if b := getBalance(t, n, cust.Token, cust.AccountID); b.Balance != "10.00000" || b.Available != "10.00000" || b.Currency != "USD" {
			t.Fatalf("balance after one credit and a replay: %+v", b)
		}

		// 30 concurrent debits of 1.00 against 10.00 prepaid: exactly 10 pass.
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := postTx(t, n, res.Token, "", map[string]any{"account_id": cust.AccountID, "activity": "manual_debit", "debit": "1"})
				switch r.Status {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusPaymentRequired:
					refused.Add(1)
				default:
					t.Errorf("debit: %d %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 10 || refused.Load() != 20 {
			t.Errorf("%d debits passed and %d were refused, want 10 and 20", ok.Load(), refused.Load())
		}
		if b := getBalance(t, n, res.Token, cust.AccountID); b.Balance != "0.00000" {
			t.Errorf("balance after the debits: %+v", b)
		}
		list := n.Do(t, http.MethodGet, "/api/transactions?filter=activity%20eq%20'manual_debit'&top=100", res.Token, nil)
		if list.Status != http.StatusOK || !strings.Contains(string(list.Body), `"count":10`) {
			t.Errorf("list: %d %s", list.Status, list.Body)
		}

		// Money moves downwards only, never on one's own account.
		if r := postTx(t, n, cust.Token, "", map[string]any{"account_id": cust.AccountID, "activity": "manual_credit", "credit": "100"}); r.Status != http.StatusForbidden {
			t.Errorf("self-credit: %d %s", r.Status, r.Body)
		}
		if r := postTx(t, n, cust.Token, "", map[string]any{"account_id": res.AccountID, "activity": "manual_credit", "credit": "100"}); r.Status != http.StatusBadRequest {
			t.Errorf("crediting the parent: %d %s", r.Status, r.Body)
		}
		for name, body := range map[string]map[string]any{
			"both":             {"account_id": cust.AccountID, "activity": "manual_credit", "credit": "1", "debit": "1"},
			"neither":          {"account_id": cust.AccountID, "activity": "manual_credit"},
			"six decimals":     {"account_id": cust.AccountID, "activity": "manual_credit", "credit": "0.000001"},
			"unknown activity": {"account_id": cust.AccountID, "activity": "free money", "credit": "1"},
			"negative":         {"account_id": cust.AccountID, "activity": "manual_credit", "credit": "-1"},
		} {
			if r := postTx(t, n, res.Token, "", body); r.Status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
	})
}

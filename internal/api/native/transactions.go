package native

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// TransactionView is one ledger entry.
type TransactionView struct {
	ID           ID           `json:"id"`
	AccountID    ID           `json:"account_id"`
	CreatedAt    Time         `json:"created_at"`
	Activity     string       `json:"activity"`
	Debit        money.Amount `json:"debit"`
	Credit       money.Amount `json:"credit"`
	BalanceAfter money.Amount `json:"balance_after"`
	Reference    string       `json:"reference"`
	Description  string       `json:"description"`
	ActorUserID  ID           `json:"actor_user_id" doc:"The user who caused it; null for the system"`
}

func transactionView(e ledger.Entry) TransactionView {
	return TransactionView{ID: ID(e.ID), AccountID: ID(e.AccountID), CreatedAt: Time(e.CreatedAt), Activity: string(e.Activity),
		Debit: e.Debit, Credit: e.Credit, BalanceAfter: e.BalanceAfter, Reference: e.Reference, Description: e.Description,
		ActorUserID: ID(e.ActorUserID)}
}

// TransactionFields is a manual credit or debit.
type TransactionFields struct {
	AccountID   string       `json:"account_id" maxLength:"64" doc:"An account below yours"`
	Activity    string       `json:"activity" minLength:"1" maxLength:"64" doc:"A ledger activity, e.g. manual_credit, Bank Transfer, Payment Refund"`
	Credit      *AmountInput `json:"credit,omitempty" doc:"Exactly one of credit and debit, > 0"`
	Debit       *AmountInput `json:"debit,omitempty"`
	Description string       `json:"description,omitempty" maxLength:"1000"`
	Reference   string       `json:"reference,omitempty" maxLength:"255"`
}

// BalanceView is an account's balance.
type BalanceView struct {
	Balance     money.Amount `json:"balance"`
	Currency    string       `json:"currency"`
	CreditLimit money.Amount `json:"credit_limit"`
	Available   money.Amount `json:"available" doc:"What the account may still spend: the balance plus the credit limit of a postpaid account"`
}

func (a *API) registerTransactions() {
	const tag = "Money"
	register(a, op{id: "list-transactions", method: http.MethodGet, path: "/api/transactions", summary: "List ledger entries of your tree, newest first", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[TransactionView] }, error) {
			items, n, err := a.cfg.Ledger.List(ctx, who(ctx).AccountID, in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, transactionView), nil
		})
	register(a, op{id: "create-transaction", method: http.MethodPost, path: "/api/transactions", summary: "Post a manual credit or debit to an account below yours", tag: tag},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"A repeat within 24 h replays the first answer without moving money again"`
			Body           TransactionFields
		}) (*Replayable[TransactionView], error) {
			e, err := a.postTransaction(ctx, in.IdempotencyKey, &in.Body)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return replayable(transactionView(e), e.Replayed), nil
		})
	register(a, op{id: "get-account-balance", method: http.MethodGet, path: "/api/accounts/{id}/balance", summary: "An account's balance", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body BalanceView }, error) {
			n, err := decodeID(in.ID, "account")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			acc, err := a.cfg.Accounts.GetAccount(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			bal, err := a.cfg.Ledger.Balance(ctx, acc.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			v := BalanceView{Balance: bal, Currency: acc.Currency, CreditLimit: acc.CreditLimit,
				Available: ledger.Available(ledger.AccountState{BillingMode: acc.BillingMode, CreditLimit: acc.CreditLimit, Balance: bal})}
			return &struct{ Body BalanceView }{Body: v}, nil
		})
}

// postTransaction checks who may move money where, then posts. Money moves
// only downwards: an admin credits or debits accounts below its own.
func (a *API) postTransaction(ctx context.Context, key string, f *TransactionFields) (ledger.Entry, error) {
	p := who(ctx)
	if !p.IsAdmin() {
		return ledger.Entry{}, problem.New(problem.Forbidden, "only an admin user may post transactions")
	}
	accID, err := decodeRef("account_id", &f.AccountID)
	if err != nil {
		return ledger.Entry{}, err
	}
	acc, err := a.cfg.Accounts.GetAccount(ctx, p, *accID)
	if err != nil {
		return ledger.Entry{}, problem.Field("account_id", "no such account")
	}
	if acc.ID == p.AccountID {
		return ledger.Entry{}, problem.New(problem.Forbidden, "your own account's balance is managed by your provider")
	}
	act := ledger.Activity(f.Activity)
	if !act.Valid() {
		return ledger.Entry{}, problem.Field("activity", "is not a ledger activity")
	}
	credit, err := f.Credit.amount("credit")
	if err != nil {
		return ledger.Entry{}, err
	}
	debit, err := f.Debit.amount("debit")
	if err != nil {
		return ledger.Entry{}, err
	}
	if (credit == nil) == (debit == nil) {
		return ledger.Entry{}, problem.Field("credit", "give exactly one of credit and debit")
	}
	post := ledger.Posting{AccountID: acc.ID, Activity: act, Reference: f.Reference, Description: f.Description, ActorUserID: p.UserID}
	if credit != nil {
		post.Credit = *credit
	} else {
		post.Debit = *debit
	}
	var opts ledger.Options
	if key != "" {
		// The hash covers the request as understood, so formatting
		// differences of the same request do not count as a new one.
		raw, _ := json.Marshal(struct {
			AccountID int64
			Posting   ledger.Posting
		}{acc.ID, post})
		sum := sha256.Sum256(raw)
		opts = ledger.Options{IdempotencyKey: key, RequestHash: hex.EncodeToString(sum[:]), KeyAccountID: acc.ID}
	}
	return a.cfg.Ledger.Post(ctx, post, opts)
}

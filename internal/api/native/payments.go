package native

import (
	"context"
	"net/http"

	"switchboard/internal/money"
	"switchboard/internal/payment"
	"switchboard/internal/problem"
)

// PaymentView is one payment or declined card attempt. It never holds a
// card number or CVV.
type PaymentView struct {
	ID            ID           `json:"id"`
	AccountID     ID           `json:"account_id"`
	Method        string       `json:"method" enum:"card,bank_transfer,cheque"`
	Status        string       `json:"status" enum:"approved,declined"`
	Amount        money.Amount `json:"amount"`
	Fee           money.Amount `json:"fee" doc:"The card fee, debited as a separate Credit Card Fee ledger entry"`
	Currency      string       `json:"currency"`
	Brand         string       `json:"brand" doc:"visa, mastercard, amex, discover or card; empty for a manual payment"`
	Last4         string       `json:"last4" doc:"The card's last 4 digits; empty for a manual payment"`
	Reference     string       `json:"reference"`
	DeclineCode   string       `json:"decline_code" doc:"Why a card was declined, e.g. card_declined, insufficient_funds"`
	TransactionID ID           `json:"transaction_id" doc:"The ledger entry that credited the payment; null when declined"`
	ActorUserID   ID           `json:"actor_user_id"`
	CreatedAt     Time         `json:"created_at"`
}

func paymentView(p payment.Payment) PaymentView {
	return PaymentView{ID: ID(p.ID), AccountID: ID(p.AccountID), Method: p.Method, Status: p.Status, Amount: p.Amount,
		Fee: p.Fee, Currency: p.Currency, Brand: p.Brand, Last4: p.Last4, Reference: p.Reference, DeclineCode: p.DeclineCode,
		TransactionID: ID(p.LedgerEntryID), ActorUserID: ID(p.ActorUserID), CreatedAt: Time(p.CreatedAt)}
}

// PaymentFields is a payment to make.
type PaymentFields struct {
	AccountID  string      `json:"account_id" maxLength:"64" doc:"Your own account for a card payment; an account below yours for a bank transfer or cheque"`
	Method     string      `json:"method" enum:"card,bank_transfer,cheque" doc:"card (the account holder pays its own account), or bank_transfer / cheque (recorded by an admin above the account)"`
	Amount     AmountInput `json:"amount" doc:"> 0; a card payment must be more than its fee"`
	Reference  string      `json:"reference,omitempty" maxLength:"255" doc:"The payer's reference: a bank transfer's reference, a cheque number"`
	CardNumber string      `json:"card_number,omitempty" minLength:"12" maxLength:"40" doc:"Card payments: 12 to 19 digits (spaces and dashes ignored). Never stored. Test cards: 4000000000000002 is declined card_declined, 4000000000009995 insufficient_funds, 4000000000000069 expired_card, 4000000000000127 incorrect_cvc, 4000000000000119 processing_error; every other valid number is approved"`
	Expiry     string      `json:"expiry,omitempty" minLength:"5" maxLength:"7" doc:"Card payments: MM/YY or MM/YYYY, not in the past"`
	CVV        string      `json:"cvv,omitempty" minLength:"3" maxLength:"4" doc:"Card payments: 3 or 4 digits. Never stored"`
}

func (a *API) registerPayments() {
	const tag = "Money"
	register(a, op{id: "list-payments", method: http.MethodGet, path: "/api/payments", summary: "List payments of your tree, newest first", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[PaymentView] }, error) {
			items, n, err := a.cfg.Payments.List(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, paymentView), nil
		})
	register(a, op{id: "create-payment", method: http.MethodPost, path: "/api/payments", summary: "Pay by card, or record a bank transfer or cheque", tag: tag},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"A repeat within 24 h replays the first answer without moving money again"`
			Body           PaymentFields
		}) (*Replayable[PaymentView], error) {
			p, err := a.makePayment(ctx, in.IdempotencyKey, &in.Body)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return replayable(paymentView(p), p.Replayed), nil
		})
	register(a, op{id: "get-payment", method: http.MethodGet, path: "/api/payments/{id}", summary: "A payment", tag: tag},
		func(ctx context.Context, in *IDPath) (*struct{ Body PaymentView }, error) {
			n, err := decodeID(in.ID, "payment")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := a.cfg.Payments.Get(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body PaymentView }{Body: paymentView(p)}, nil
		})
}

// makePayment parses the body and pays. A declined card is a 402
// PAYMENT_REQUIRED whose detail is the decline code.
func (a *API) makePayment(ctx context.Context, key string, f *PaymentFields) (payment.Payment, error) {
	accID, err := decodeRef("account_id", &f.AccountID)
	if err != nil {
		return payment.Payment{}, err
	}
	amount, err := f.Amount.amount("amount")
	if err != nil {
		return payment.Payment{}, err
	}
	if amount == nil {
		return payment.Payment{}, problem.Field("amount", "is required")
	}
	req := payment.PayRequest{AccountID: *accID, Method: f.Method, Amount: *amount, Reference: f.Reference}
	if f.CardNumber != "" || f.Expiry != "" || f.CVV != "" {
		req.Card = &payment.Card{Number: f.CardNumber, Expiry: f.Expiry, CVV: f.CVV}
	}
	return a.cfg.Payments.Pay(ctx, who(ctx), req, key)
}

package carrier

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/payment"
	"switchboard/internal/problem"
)

// Payments is what the payment endpoints need of the core.
type Payments interface {
	Pay(ctx context.Context, p auth.Principal, req payment.PayRequest, key string) (payment.Payment, error)
	History(ctx context.Context, p auth.Principal, f payment.HistoryFilter) ([]payment.Payment, error)
	AmountDue(ctx context.Context, p auth.Principal) (money.Amount, error)
}

// methodNames renders payment methods as the document's get_payments
// examples spell them ("paypal", "bank"); card payments are "credit card",
// the filter's "Credit Card" in lower case like the others.
var methodNames = map[string]string{
	payment.MethodCard:         "credit card",
	payment.MethodBankTransfer: "bank",
	payment.MethodCheque:       "cheque",
}

// methodFilters maps the document's method filter values (Paypal, Bank,
// Credit Card) to payment methods. Switchboard takes no PayPal payments, so
// that filter selects nothing; a cheque is paid through the bank.
var methodFilters = map[string][]string{
	"paypal":      {"paypal"},
	"bank":        {payment.MethodBankTransfer, payment.MethodCheque},
	"credit card": {payment.MethodCard},
	"creditcard":  {payment.MethodCard},
	"card":        {payment.MethodCard},
	"cheque":      {payment.MethodCheque},
}

// RegisterPaymentOps adds make_payment and get_payments.
//
// make_payment charges the caller's card for its own account. The document
// names no amount parameter; Switchboard takes an optional "amount" and,
// without one, charges what the account owes (its negative balance), which
// is what "push the payments" pays. An Idempotency-Key header makes a retry
// safe exactly as on the native API.
func RegisterPaymentOps(d *Dialect, pays Payments) {
	d.Handle("make_payment", func(ctx context.Context, r *Request) (any, error) {
		card, err := cardOf(r)
		if err != nil {
			return nil, err
		}
		amount, err := amountOf(ctx, r, pays)
		if err != nil {
			return nil, err
		}
		pay, err := pays.Pay(ctx, r.Principal, payment.PayRequest{AccountID: r.Principal.AccountID,
			Method: payment.MethodCard, Amount: amount, Card: &card}, r.HTTP.Header.Get("Idempotency-Key"))
		if err != nil {
			if ledger.IsMismatch(err) {
				return nil, problem.Field("Idempotency-Key", "was used with a different payment")
			}
			return nil, renameCardField(err)
		}
		return Field("success", "Payment added successfully.").
			Add("referenceno", referenceNo(pay)).
			Add("amount", Amount(pay.Amount)), nil
	})
	d.Handle("get_payments", func(ctx context.Context, r *Request) (any, error) {
		var f payment.HistoryFilter
		var err error
		if f.From, _, err = r.DateTime("from"); err != nil {
			return nil, err
		}
		if f.To, _, err = r.DateTime("to"); err != nil {
			return nil, err
		}
		if !f.To.IsZero() && len(r.value("to")) == len(time.DateOnly) {
			// A bare "to" date includes the whole day.
			f.To = f.To.AddDate(0, 0, 1)
		}
		if m := strings.ToLower(strings.TrimSpace(r.OptionalString("method", ""))); m != "" {
			ms, ok := methodFilters[m]
			if !ok {
				return nil, problem.Field("method", "must be Paypal, Bank or Credit Card")
			}
			f.Methods = ms
		}
		f.Reference = r.OptionalString("referenceno", "")
		list, err := pays.History(ctx, r.Principal, f)
		if err != nil {
			return nil, err
		}
		data := make([]Fields, 0, len(list))
		for _, p := range list {
			status := "1"
			if p.Status != payment.StatusApproved {
				status = "0"
			}
			net, err := p.Amount.Sub(p.Fee)
			if err != nil {
				return nil, err
			}
			data = append(data, Field("accountno", r.Principal.AccountNumber).
				Add("date", p.CreatedAt.UTC().Format(time.DateTime)).
				Add("referenceno", referenceNo(p)).
				Add("funded_amount", Amount(p.Amount)).
				Add("charges", Amount(p.Fee)).
				Add("amount", Amount(net)).
				Add("method", methodNames[p.Method]).
				Add("status", status))
		}
		return Field("data", data), nil
	})
}

// referenceNo is the payer's reference when there is one, else the
// payment's id.
func referenceNo(p payment.Payment) string {
	if p.Reference != "" {
		return p.Reference
	}
	return strconv.FormatInt(p.ID, 10)
}

// cardOf reads the card parameters. The document types cardnumber, cvv,
// expmonth and expyear as integers; they are read as text so that a card
// number's leading digits and a CVV's leading zero survive.
func cardOf(r *Request) (payment.Card, error) {
	for _, name := range []string{"firstname", "lastname"} {
		v, err := r.String(name)
		if err != nil {
			return payment.Card{}, err
		}
		if len(v) > 100 {
			return payment.Card{}, problem.Field(name, "must be at most 100 characters")
		}
	}
	number, err := r.String("cardnumber")
	if err != nil {
		return payment.Card{}, err
	}
	month, err := r.Int("expmonth")
	if err != nil {
		return payment.Card{}, err
	}
	if month < 1 || month > 12 {
		return payment.Card{}, problem.Field("expmonth", "must be 1 to 12")
	}
	year, err := r.Int("expyear")
	if err != nil {
		return payment.Card{}, err
	}
	switch {
	case year >= 0 && year < 100:
		year += 2000
	case year < 2000 || year > 9999:
		return payment.Card{}, problem.Field("expyear", "must be a year")
	}
	cvv, err := r.String("cvv")
	if err != nil {
		return payment.Card{}, err
	}
	return payment.Card{Number: number, Expiry: fmt.Sprintf("%02d/%04d", month, year), CVV: cvv}, nil
}

// cardFields maps the payment core's field names to this document's.
var cardFields = map[string]string{"card_number": "cardnumber", "expiry": "expyear", "cvv": "cvv"}

// renameCardField names a card error's field as the client sent it.
func renameCardField(err error) error {
	pe := problem.As(err)
	if name, ok := cardFields[pe.Field]; ok && pe.Code == problem.Invalid {
		return &problem.Error{Code: pe.Code, Field: name, Message: pe.Message, Err: pe.Err}
	}
	return err
}

// amountOf is the amount parameter, or what the account owes.
func amountOf(ctx context.Context, r *Request, pays Payments) (money.Amount, error) {
	if v := r.OptionalString("amount", ""); v != "" {
		a, err := money.Parse(v)
		if err != nil || a <= 0 {
			return 0, problem.Field("amount", "must be an amount above 0 with at most 5 decimals")
		}
		return a, nil
	}
	due, err := pays.AmountDue(ctx, r.Principal)
	if err != nil {
		return 0, err
	}
	if due == 0 {
		return 0, problem.Field("amount", "is required: nothing is owed")
	}
	return due, nil
}

package money

// Money is an amount in a given currency.
type Money struct {
	Amount   Amount `json:"amount"`
	Currency string `json:"currency" doc:"ISO 4217 currency code" pattern:"^[A-Z]{3}$" example:"USD"`
}

// String renders m as "12.34500 USD".
func (m Money) String() string {
	return m.Amount.String() + " " + m.Currency
}

// ValidCurrency reports whether code is one of the ISO 4217 codes that
// Switchboard bills in. It is case-sensitive: codes are stored uppercase,
// and accepting "usd" here would let two spellings of one currency into
// the database.
func ValidCurrency(code string) bool {
	_, ok := currencies[code]
	return ok
}

// currencies lists the ISO 4217 codes accepted for billing. The list is
// deliberately finite rather than a pattern, so that a typo such as "USS"
// is caught at the edge instead of creating an orphan ledger.
var currencies = map[string]struct{}{
	"AED": {}, "ARS": {}, "AUD": {}, "BGN": {}, "BRL": {}, "CAD": {},
	"CHF": {}, "CLP": {}, "CNY": {}, "COP": {}, "CZK": {}, "DKK": {},
	"EGP": {}, "EUR": {}, "GBP": {}, "HKD": {}, "HUF": {}, "IDR": {},
	"ILS": {}, "INR": {}, "ISK": {}, "JPY": {}, "KES": {}, "KRW": {},
	"MAD": {}, "MXN": {}, "MYR": {}, "NGN": {}, "NOK": {}, "NZD": {},
	"PEN": {}, "PHP": {}, "PKR": {}, "PLN": {}, "QAR": {}, "RON": {},
	"SAR": {}, "SEK": {}, "SGD": {}, "THB": {}, "TRY": {}, "TWD": {},
	"UAH": {}, "USD": {}, "VND": {}, "ZAR": {},
}

package carrier

import "strings"

// Sections of the carrier API, as the document groups its endpoints.
const (
	Origination = "origination"
	Termination = "termination"
	Billing     = "billing"
)

// Endpoint describes one endpoint of the carrier API: the name that follows
// /carrier/ in the URL and what the document says about its parameters.
type Endpoint struct {
	// Name is the endpoint as written in the document, e.g. "searchdid".
	Name string
	// Section is Origination, Termination or Billing.
	Section string
	// Write is true for endpoints that change state; read-only principals
	// are refused them before the handler runs.
	Write bool
	// Required lists the parameters the document marks "(required)",
	// besides token and accountno, in document order. The dialect answers
	// "Invalid <parameter>" for the first one missing, so a handler never
	// runs without them. Conditional requirements ("required if
	// billingType = Unmetered") are the handler's to check.
	Required []string
	// RequiredFiles lists the file parameters the document marks required;
	// they arrive as multipart/form-data parts.
	RequiredFiles []string
	// AliasOf names the endpoint this one is another spelling of; aliases
	// share the handler of their target and are never registered
	// themselves.
	AliasOf string
	// Legacy is true for endpoints that are not in the document but that
	// older clients of the API still call.
	Legacy bool
	// Extension is true for Switchboard's own endpoints that the
	// document's answers point at (the file URL of get_invoices).
	Extension bool
}

// endpoints is every endpoint of the document, in document order, then the
// names older clients use.
var endpoints = []Endpoint{
	// Origination.
	{Name: "availabilitystate", Section: Origination},
	{Name: "availabilitynpanxx", Section: Origination, Required: []string{"state"}},
	{Name: "searchdid", Section: Origination, Required: []string{"state"}},
	{Name: "searchtfn", Section: Origination, Required: []string{"tfn_prefix"}},
	{Name: "defineTrunk", Section: Origination, Write: true, Required: []string{"title", "primaryTrunk", "billingType"}},
	{Name: "get_trunk", Section: Origination},
	{Name: "update_trunk", Section: Origination, Write: true, Required: []string{"trunkid"}},
	{Name: "reserve", Section: Origination, Write: true, Required: []string{"category", "number"}},
	{Name: "bulkreserve", Section: Origination, Write: true, Required: []string{"category", "quantity"}},
	{Name: "remove_reserved", Section: Origination, Write: true, Required: []string{"reserveId"}},
	{Name: "getnumbers", Section: Origination},
	{Name: "updatenumber", Section: Origination, Write: true, Required: []string{"number"}},
	{Name: "gen_order", Section: Origination, Write: true, Required: []string{"trunk_id", "reserveId"}},
	{Name: "process_order", Section: Origination, Write: true, Required: []string{"orderId"}},
	{Name: "check_lnp", Section: Origination, Required: []string{"numbers"}},
	{
		Name: "generate_lnp_order", Section: Origination, Write: true,
		Required:      []string{"numbers", "category", "subscriberType", "loaAuthorizingPerson"},
		RequiredFiles: []string{"loa_doc", "carrier_doc"},
	},
	{Name: "get_new_orders", Section: Origination},
	{Name: "get_lnp_orders", Section: Origination},
	{Name: "did_stats", Section: Origination, Required: []string{"number"}},
	{Name: "daily_cdrs", Section: Origination},
	{Name: "tg_stats", Section: Origination, Required: []string{"tg_id"}},
	{Name: "monthly_summary", Section: Origination, Required: []string{"year"}},

	// Termination.
	{Name: "defineTrunk_termination", Section: Termination, Write: true, Required: []string{"title", "ipaddress", "ports"}},
	{Name: "get_trunk_termination", Section: Termination},
	{Name: "disable_trunk_termination", Section: Termination, Write: true, Required: []string{"tg_id"}},
	{Name: "daily_cdrs_termination", Section: Termination},
	{Name: "tg_stats_termination", Section: Termination, Required: []string{"tg_id"}},
	{Name: "monthly_summary_termination", Section: Termination, Required: []string{"year"}},

	// Billing.
	{Name: "get_invoices", Section: Billing},
	{Name: "financial_summary", Section: Billing},
	{Name: "get_payments", Section: Billing},
	{Name: "make_payment", Section: Billing, Write: true, Required: []string{"firstname", "lastname", "cardnumber", "expmonth", "expyear", "cvv"}},

	// The document itself calls gen_order "gen_did_order" where
	// process_order says where its orderId comes from.
	{Name: "gen_did_order", Section: Origination, AliasOf: "gen_order", Legacy: true},
	// Older clients reserve and order in one call: number, category and
	// trunk_id in, "Order NO" out. Its parameters and answer differ from
	// gen_order's, so it is an endpoint of its own rather than an alias.
	{Name: "generate_new_order", Section: Origination, Write: true, Legacy: true, Required: []string{"number", "category", "trunk_id"}},

	// The file behind get_invoices' "file" URL: the invoice's PDF,
	// authenticated like every call (the URL carries accountno; the client
	// adds its token).
	{Name: "invoice_pdf", Section: Billing, Extension: true, Required: []string{"invoice_id"}},
}

// byName indexes endpoints by lowercased name: clients that change the case
// of camelCase names (defineTrunk) still reach the endpoint.
var byName = func() map[string]*Endpoint {
	m := make(map[string]*Endpoint, len(endpoints))
	for i := range endpoints {
		m[strings.ToLower(endpoints[i].Name)] = &endpoints[i]
	}
	return m
}()

// Endpoints returns every endpoint of the carrier API, document order first,
// legacy names last. The slices inside are shared: do not modify them.
func Endpoints() []Endpoint {
	out := make([]Endpoint, len(endpoints))
	copy(out, endpoints)
	return out
}

// Lookup returns the endpoint named name, matched without regard to case.
func Lookup(name string) (Endpoint, bool) {
	e, ok := byName[strings.ToLower(name)]
	if !ok {
		return Endpoint{}, false
	}
	return *e, true
}

// target returns the endpoint whose handler serves e.
func target(e *Endpoint) *Endpoint {
	if e.AliasOf != "" {
		return byName[strings.ToLower(e.AliasOf)]
	}
	return e
}

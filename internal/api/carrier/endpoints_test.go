package carrier_test

import (
	"slices"
	"testing"

	"switchboard/internal/api/carrier"
)

// documentEndpoints is every "/endpoint" heading of the carrier document,
// in document order.
var documentEndpoints = []string{
	"availabilitystate", "availabilitynpanxx", "searchdid", "searchtfn", "defineTrunk", "get_trunk",
	"update_trunk", "reserve", "bulkreserve", "remove_reserved", "getnumbers", "updatenumber",
	"gen_order", "process_order", "check_lnp", "generate_lnp_order", "get_new_orders", "get_lnp_orders",
	"did_stats", "daily_cdrs", "tg_stats", "monthly_summary",
	"defineTrunk_termination", "get_trunk_termination", "disable_trunk_termination",
	"daily_cdrs_termination", "tg_stats_termination", "monthly_summary_termination",
	"get_invoices", "financial_summary", "get_payments", "make_payment",
}

func TestEndpointTable(t *testing.T) {
	var doc, legacy, ext []string
	for _, e := range carrier.Endpoints() {
		if e.Extension {
			ext = append(ext, e.Name)
			continue
		}
		if e.Legacy {
			legacy = append(legacy, e.Name)
			continue
		}
		doc = append(doc, e.Name)
		if e.Section != carrier.Origination && e.Section != carrier.Termination && e.Section != carrier.Billing {
			t.Errorf("%s: section %q", e.Name, e.Section)
		}
	}
	if !slices.Equal(doc, documentEndpoints) {
		t.Fatalf("document endpoints\n got %v\nwant %v", doc, documentEndpoints)
	}
	if want := []string{"gen_did_order", "generate_new_order"}; !slices.Equal(legacy, want) {
		t.Fatalf("legacy endpoints %v, want %v", legacy, want)
	}
	if want := []string{"invoice_pdf"}; !slices.Equal(ext, want) {
		t.Fatalf("extension endpoints %v, want %v", ext, want)
	}
	for _, e := range carrier.Endpoints() {
		if e.AliasOf == "" {
			continue
		}
		if target, ok := carrier.Lookup(e.AliasOf); !ok || target.AliasOf != "" {
			t.Errorf("%s: alias of %q, which is no endpoint", e.Name, e.AliasOf)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name, want string
		write      bool
		required   []string
	}{
		{"definetrunk", "defineTrunk", true, []string{"title", "primaryTrunk", "billingType"}},
		{"SEARCHDID", "searchdid", false, []string{"state"}},
		{"generate_new_order", "generate_new_order", true, []string{"number", "category", "trunk_id"}},
		{"make_payment", "make_payment", true, []string{"firstname", "lastname", "cardnumber", "expmonth", "expyear", "cvv"}},
	}
	for _, tt := range tests {
		e, ok := carrier.Lookup(tt.name)
		if !ok || e.Name != tt.want || e.Write != tt.write || !slices.Equal(e.Required, tt.required) {
			t.Errorf("Lookup(%q) = %+v, %v", tt.name, e, ok)
		}
	}
	if _, ok := carrier.Lookup("nope"); ok {
		t.Error("Lookup(nope) found something")
	}
}

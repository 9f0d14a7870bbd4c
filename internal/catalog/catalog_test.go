package catalog_test

import (
	"slices"
	"testing"

	"switchboard/internal/catalog"
)

func TestFeatures(t *testing.T) {
	fs := catalog.ParseFeatures("fax,numbers,bogus,,sip_peers")
	if want := (catalog.Features{catalog.SIPPeers, catalog.Numbers, catalog.Fax}); !slices.Equal(fs, want) {
		t.Fatalf("ParseFeatures = %v; want %v (known names only, in canonical order)", fs, want)
	}
	if fs.String() != "sip_peers,numbers,fax" || !fs.Has(catalog.Fax) || fs.Has(catalog.Trunks) {
		t.Fatalf("features %v", fs)
	}
	if catalog.Feature("teleport").Valid() || !catalog.SMS.Valid() {
		t.Fatal("Valid is wrong")
	}
}

func TestCovers(t *testing.T) {
	pt := catalog.PackType{Prefixes: []string{"441", "447", ""}}
	for digits, want := range map[string]bool{"447700900123": true, "441": true, "44": false, "448000000000": false, "": false, "1441": false} {
		if pt.Covers(digits) != want {
			t.Errorf("Covers(%q) = %v; want %v", digits, !want, want)
		}
	}
	if (catalog.PackType{Minutes: 1000}).Seconds() != 60_000 {
		t.Error("Seconds")
	}
}

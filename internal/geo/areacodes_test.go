package geo

import (
	"regexp"
	"slices"
	"testing"
)

// npaFormat is the shape of a geographic NPA: N(0-8)X. A 9 in the middle is
// reserved for expansion of the plan.
var npaFormat = regexp.MustCompile(`^[2-9][0-8][0-9]$`)

// sharedNPAs pins the NPAs that serve more than one state, with the states'
// codes; any other NPA listed under two states is a mistake.
var sharedNPAs = map[string][]string{
	"782": {"NS", "PE"},
	"902": {"NS", "PE"},
	"867": {"NT", "NU", "YT"},
}

func stateByCodeT(t *testing.T, countryID int, code string) State {
	t.Helper()
	s, ok := StateByCode(countryID, code)
	if !ok {
		t.Fatalf("StateByCode(%d, %q) not found", countryID, code)
	}
	return s
}

// nanpStates returns every state that has NANP area codes: the 50 states,
// DC, the five inhabited territories, and Canada's provinces and territories.
func nanpStates(t *testing.T) []State {
	t.Helper()
	notNANP := map[string]bool{
		"AA": true, "AE": true, "AP": true, // armed forces
		"FM": true, "MH": true, "PW": true, // country codes 691, 692, 680
	}
	var out []State
	for _, s := range States(UnitedStatesID) {
		if !notNANP[s.Code] {
			out = append(out, s)
		}
	}
	out = append(out, States(CanadaID)...)
	if len(out) != 50+1+5+13 {
		t.Fatalf("got %d NANP states, want 69", len(out))
	}
	return out
}

func TestAreaCodesWellFormed(t *testing.T) {
	owners := map[string][]string{}
	total := 0
	for _, s := range nanpStates(t) {
		codes := AreaCodes(s.ID)
		if len(codes) == 0 {
			t.Errorf("%s (%s): no area codes", s.Code, s.Name)
		}
		if !slices.IsSorted(codes) {
			t.Errorf("%s: area codes not sorted: %v", s.Code, codes)
		}
		if len(slices.Compact(slices.Clone(codes))) != len(codes) {
			t.Errorf("%s: duplicate area codes: %v", s.Code, codes)
		}
		for _, npa := range codes {
			total++
			if !npaFormat.MatchString(npa) {
				t.Errorf("%s: %q is not an NPA of the form N(0-8)X", s.Code, npa)
			}
			if npa[1:] == "11" {
				t.Errorf("%s: %q is an N11 service code", s.Code, npa)
			}
			owners[npa] = append(owners[npa], s.Code)
		}
	}
	for npa, codes := range owners {
		slices.Sort(codes)
		want, shared := sharedNPAs[npa]
		switch {
		case shared && !slices.Equal(codes, want):
			t.Errorf("shared NPA %s: states %v, want %v", npa, codes, want)
		case !shared && len(codes) != 1:
			t.Errorf("NPA %s listed in several states: %v", npa, codes)
		}
	}
	for npa := range sharedNPAs {
		if _, ok := owners[npa]; !ok {
			t.Errorf("shared NPA %s not listed", npa)
		}
	}
	t.Logf("%d distinct NPAs, %d state listings", len(owners), total)
}

func TestAreaCodesRoundTrip(t *testing.T) {
	for _, s := range nanpStates(t) {
		for _, npa := range AreaCodes(s.ID) {
			got, ok := StateOfAreaCode(npa)
			if _, shared := sharedNPAs[npa]; shared {
				if ok {
					t.Errorf("StateOfAreaCode(%s) = %s, want not found for a shared NPA", npa, got.Code)
				}
				continue
			}
			if !ok || got != s {
				t.Errorf("StateOfAreaCode(%s) = %+v, %v; want %s", npa, got, ok, s.Code)
			}
		}
	}
}

func TestStateOfAreaCode(t *testing.T) {
	tests := []struct {
		npa       string
		countryID int
		code      string
	}{
		{"212", UnitedStatesID, "NY"},
		{"315", UnitedStatesID, "NY"},
		{"929", UnitedStatesID, "NY"},
		{"415", UnitedStatesID, "CA"},
		{"213", UnitedStatesID, "CA"},
		{"907", UnitedStatesID, "AK"},
		{"808", UnitedStatesID, "HI"},
		{"787", UnitedStatesID, "PR"},
		{"939", UnitedStatesID, "PR"},
		{"340", UnitedStatesID, "VI"},
		{"671", UnitedStatesID, "GU"},
		{"684", UnitedStatesID, "AS"},
		{"670", UnitedStatesID, "MP"},
		{"202", UnitedStatesID, "DC"},
		{"305", UnitedStatesID, "FL"},
		{"512", UnitedStatesID, "TX"},
		{"312", UnitedStatesID, "IL"},
		{"201", UnitedStatesID, "NJ"},
		{"514", CanadaID, "QC"},
		{"438", CanadaID, "QC"},
		{"416", CanadaID, "ON"},
		{"613", CanadaID, "ON"},
		{"604", CanadaID, "BC"},
		{"403", CanadaID, "AB"},
		{"306", CanadaID, "SK"},
		{"204", CanadaID, "MB"},
		{"506", CanadaID, "NB"},
		{"709", CanadaID, "NL"},
		{" 212 ", UnitedStatesID, "NY"}, // surrounding spaces ignored
	}
	for _, tt := range tests {
		want := stateByCodeT(t, tt.countryID, tt.code)
		got, ok := StateOfAreaCode(tt.npa)
		if !ok || got != want {
			t.Errorf("StateOfAreaCode(%q) = %+v, %v; want %s", tt.npa, got, ok, tt.code)
		}
	}
}

func TestStateOfAreaCodeMisses(t *testing.T) {
	misses := []string{
		// Toll-free, premium, personal communications, and other
		// non-geographic codes.
		"800", "833", "844", "855", "866", "877", "888",
		"900", "500", "521", "533", "544", "566", "577", "588",
		"600", "622", "700", "710", "456",
		// N11 service codes and reserved shapes.
		"211", "411", "911", "290", "999",
		// Other NANP countries (Caribbean).
		"242", "246", "345", "441", "809", "829", "849", "876", "868",
		// Shared by several provinces or territories.
		"782", "867", "902",
		// Not NPAs at all.
		"", "21", "2120", "abc", "+1212", "012", "112",
	}
	for _, npa := range misses {
		if s, ok := StateOfAreaCode(npa); ok {
			t.Errorf("StateOfAreaCode(%q) = %s, want not found", npa, s.Code)
		}
	}
}

func TestAreaCodesOfState(t *testing.T) {
	ny := []string{"212", "315", "329", "332", "347", "363", "516", "518", "585", "607", "624", "631", "646", "680", "716", "718", "838", "845", "914", "917", "929", "934"}
	on := []string{"226", "249", "289", "343", "365", "382", "416", "437", "519", "548", "613", "647", "683", "705", "742", "753", "807", "905", "942"}
	qc := []string{"263", "354", "367", "418", "438", "450", "468", "514", "579", "581", "819", "873"}
	for _, tt := range []struct {
		countryID int
		code      string
		want      []string
	}{
		{UnitedStatesID, "NY", ny},
		{CanadaID, "ON", on},
		{CanadaID, "QC", qc},
		{UnitedStatesID, "AK", []string{"907"}},
		{UnitedStatesID, "PR", []string{"787", "939"}},
		{CanadaID, "PE", []string{"782", "902"}},
		{CanadaID, "YT", []string{"867"}},
	} {
		s := stateByCodeT(t, tt.countryID, tt.code)
		if got := AreaCodes(s.ID); !slices.Equal(got, tt.want) {
			t.Errorf("AreaCodes(%s) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestAreaCodesNone(t *testing.T) {
	for _, code := range []string{"AA", "AE", "AP", "FM", "MH", "PW"} {
		s := stateByCodeT(t, UnitedStatesID, code)
		if got := AreaCodes(s.ID); got != nil {
			t.Errorf("AreaCodes(%s) = %v, want nil", code, got)
		}
	}
	for _, id := range []int{0, -1, 6, 8, 10, 79, 1000} {
		if got := AreaCodes(id); got != nil {
			t.Errorf("AreaCodes(%d) = %v, want nil", id, got)
		}
	}
}

func TestAreaCodesIsACopy(t *testing.T) {
	ny := stateByCodeT(t, UnitedStatesID, "NY")
	codes := AreaCodes(ny.ID)
	codes[0] = "000"
	if AreaCodes(ny.ID)[0] != "212" {
		t.Fatal("AreaCodes returned the package's own slice")
	}
}

// TestAreaCodesTableKeys checks the table itself: every key is a canonical
// code of its country (not an alias such as PQ), so the table cannot drift
// from the states list.
func TestAreaCodesTableKeys(t *testing.T) {
	for countryID, byCode := range areaCodesByState {
		for code := range byCode {
			s, ok := StateByCode(countryID, code)
			if !ok || s.Code != code {
				t.Errorf("table key %d/%s is not a state code", countryID, code)
			}
		}
	}
}

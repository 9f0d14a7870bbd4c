// Package geo holds the reference data of countries and of the states and
// provinces of the United States and Canada, as numbered by the API dialects
// (voicemeup get_countries, get_states, country_id, state_id).
//
// # Stable ids
//
// Clients store country_id and state_id values, so an id, once published,
// must never be renumbered, reused for another country or state, or removed
// in a way that gives it a new meaning. Names and codes may be corrected
// (a country renamed by ISO keeps its id); a country or state that ceases to
// exist keeps its id retired forever. New countries get new ids after the
// highest id ever used (see countries_added.go); new states likewise after
// the highest state id (see states.go).
//
// Country ids follow the long-standing osCommerce/Zen Cart numbering, which is
// where the API's 38 = Canada and 223 = United States come from: ids 1 to 239
// are the English names in alphabetical order as of about 2003, and later ISO
// 3166-1 additions were appended from 240. Renamed entities keep their ids
// (61 Timor-Leste, formerly East Timor; 236 Serbia, continuing Yugoslavia;
// 237 Democratic Republic of the Congo, formerly Zaire; 151 was the
// Netherlands Antilles and is Bonaire, Sint Eustatius and Saba, as in Zen
// Cart). Id 74 (France, Metropolitan, "FX") is retired and never reused.
//
// State ids follow the matching zones numbering: 1 to 65 for the United
// States (USPS codes, territories and armed forces included) and 66 to 78
// for Canada. State ids 6, 8 and 10 (the withdrawn USPS codes AF, AC and AM)
// are retired and never reused.
package geo

import (
	"cmp"
	"slices"
	"strings"
)

// Country is a country or territory of ISO 3166-1.
type Country struct {
	ID       int    // stable country_id
	Alpha2   string // ISO 3166-1 alpha-2, upper case
	Alpha3   string // ISO 3166-1 alpha-3, upper case
	Name     string // English short name
	NameFR   string // French short name (English when unknown)
	DialCode string // E.164 country calling code, digits only ("1", "44")
}

// State is a state, district, territory or province with a stable state_id.
type State struct {
	ID        int    // stable state_id, unique across countries
	CountryID int    // the country_id it belongs to
	Code      string // USPS or Canada Post two-letter code
	Name      string // English name
	NameFR    string // French name (English when unknown)
}

// The country_ids of the two countries whose addresses use a state_id.
const (
	CanadaID       = 38
	UnitedStatesID = 223
)

var (
	countries      []Country // sorted by ID
	countryByID    = map[int]int{}
	countryByCode  = map[string]int{}
	states         []State // sorted by ID
	stateByID      = map[int]int{}
	statesOf       = map[int][]State{} // sorted by name
	stateByCode    = map[int]map[string]int{}
	stateAliasesOf = map[int]map[string]string{
		// Former codes still seen in address books.
		CanadaID: {"NF": "NL", "PQ": "QC", "YK": "YT"},
	}
)

func init() {
	countries = slices.Concat(countriesAL, countriesMZ, countriesAdded)
	slices.SortFunc(countries, func(a, b Country) int { return cmp.Compare(a.ID, b.ID) })
	for i := range countries {
		c := &countries[i]
		if c.NameFR == "" {
			c.NameFR = c.Name
		}
		countryByID[c.ID] = i
		countryByCode[c.Alpha2] = i
	}

	states = slices.Clone(stateData)
	slices.SortFunc(states, func(a, b State) int { return cmp.Compare(a.ID, b.ID) })
	for i := range states {
		s := &states[i]
		if s.NameFR == "" {
			s.NameFR = s.Name
		}
		stateByID[s.ID] = i
		if stateByCode[s.CountryID] == nil {
			stateByCode[s.CountryID] = map[string]int{}
		}
		stateByCode[s.CountryID][s.Code] = i
		statesOf[s.CountryID] = append(statesOf[s.CountryID], *s)
	}
	for _, list := range statesOf {
		slices.SortFunc(list, func(a, b State) int { return cmp.Compare(a.Name, b.Name) })
	}
}

// Countries returns every country, sorted by ID. The slice is a copy.
func Countries() []Country {
	return slices.Clone(countries)
}

// CountryByID returns the country with the given country_id.
func CountryByID(id int) (Country, bool) {
	i, ok := countryByID[id]
	if !ok {
		return Country{}, false
	}
	return countries[i], true
}

// CountryByAlpha2 returns the country with the ISO 3166-1 alpha-2 code,
// compared case-insensitively and ignoring surrounding spaces.
func CountryByAlpha2(code string) (Country, bool) {
	i, ok := countryByCode[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return Country{}, false
	}
	return countries[i], true
}

// HasStates reports whether addresses in the country use a state_id rather
// than free text: true for the United States and Canada only.
func HasStates(countryID int) bool {
	return countryID == UnitedStatesID || countryID == CanadaID
}

// States returns the states of a country sorted by English name; it is empty
// for a country without states. The slice is a copy.
func States(countryID int) []State {
	return slices.Clone(statesOf[countryID])
}

// StateByID returns the state with the given state_id.
func StateByID(id int) (State, bool) {
	i, ok := stateByID[id]
	if !ok {
		return State{}, false
	}
	return states[i], true
}

// StateByCode returns the state of the country with the two-letter code,
// compared case-insensitively. Former Canadian codes (NF, PQ, YK) resolve to
// the current province or territory.
func StateByCode(countryID int, code string) (State, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if alias, ok := stateAliasesOf[countryID][code]; ok {
		code = alias
	}
	i, ok := stateByCode[countryID][code]
	if !ok {
		return State{}, false
	}
	return states[i], true
}

// Reference answers the reference questions of address validation
// (account.Geography). Its zero value is ready to use.
type Reference struct{}

// CountryExists reports whether id is a valid country_id.
func (Reference) CountryExists(id int) bool {
	_, ok := countryByID[id]
	return ok
}

// HasStates reports whether addresses in the country use a state_id.
func (Reference) HasStates(countryID int) bool { return HasStates(countryID) }

// StateInCountry reports whether stateID is a valid state_id of the country.
func (Reference) StateInCountry(stateID, countryID int) bool {
	s, ok := StateByID(stateID)
	return ok && s.CountryID == countryID
}

// ValidPostalCode checks a postal code's format for the country.
func (Reference) ValidPostalCode(countryID int, code string) bool {
	return ValidPostalCode(countryID, code)
}

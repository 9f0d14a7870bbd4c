package geo

import (
	"regexp"
	"strings"
)

var (
	// ZIP or ZIP+4.
	usZIP = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)

	// A1A 1A1. Canada Post never uses D F I O Q U, nor W or Z as the
	// first letter. The space is optional.
	caPostal = regexp.MustCompile(`^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$`)

	// United Kingdom (and Crown Dependencies) postcodes: outward code
	// A9, A99, AA9, AA99, A9A or AA9A, then inward code 9AA; or GIR 0AA.
	ukPostal = regexp.MustCompile(`^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})$`)

	// Anywhere else: 2 to 10 letters, digits, spaces or hyphens, starting
	// and ending with a letter or digit.
	otherPostal = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 -]{0,8}[A-Z0-9]$`)
)

// Countries whose postcodes follow the United Kingdom's format: the United
// Kingdom, Guernsey, Isle of Man and Jersey.
var ukFormat = map[int]bool{222: true, 243: true, 244: true, 245: true}

// ValidPostalCode checks a postal code's format for the country: US ZIP
// (12345 or 12345-6789), Canadian A1A 1A1 (space optional), UK-style
// postcodes, and for every other country 2 to 10 letters, digits, spaces
// or hyphens. Case and surrounding spaces are ignored. It is false for an
// unknown country.
func ValidPostalCode(countryID int, code string) bool {
	_, ok := NormalizePostalCode(countryID, code)
	return ok
}

// NormalizePostalCode validates a postal code like ValidPostalCode and
// returns it in canonical form: upper case, surrounding spaces removed, and
// for Canada and UK-style postcodes a single space before the last three
// characters ("h2x1y4" becomes "H2X 1Y4").
func NormalizePostalCode(countryID int, code string) (string, bool) {
	if _, ok := countryByID[countryID]; !ok {
		return "", false
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	switch {
	case countryID == UnitedStatesID && usZIP.MatchString(code):
		return code, true
	case countryID == CanadaID && caPostal.MatchString(code):
		return spaceInward(code), true
	case ukFormat[countryID] && ukPostal.MatchString(code):
		return spaceInward(code), true
	case countryID != UnitedStatesID && countryID != CanadaID && !ukFormat[countryID] &&
		otherPostal.MatchString(code):
		return code, true
	}
	return "", false
}

// spaceInward puts a single space before the last three characters.
func spaceInward(code string) string {
	code = strings.ReplaceAll(code, " ", "")
	return code[:len(code)-3] + " " + code[len(code)-3:]
}

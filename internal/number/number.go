// Package number holds phone numbers through their whole life: the
// operator's inventory, searches, reservations that hold numbers for one
// account, orders paid through the ledger, owned numbers (DIDs) with their
// routing settings, monthly rental, release and quarantine.
//
// Parsing, validation, E.164 formatting, number type and geography come
// from github.com/nyaruka/phonenumbers; this package writes no numbering
// rules of its own. A number's patterns (repeated digits, "rare" line
// numbers) are computed once when it enters inventory and stored.
package number

import (
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"switchboard/internal/geo"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// Type is a number's kind as inventory sells it.
type Type string

// The inventory types of the import file.
const (
	Local         Type = "local"
	TollFree      Type = "tollfree"
	International Type = "international"
	INum          Type = "inum"
)

// Valid reports whether t is one of the inventory types.
func (t Type) Valid() bool {
	switch t {
	case Local, TollFree, International, INum:
		return true
	}
	return false
}

// Status is where a number is in its life.
type Status string

// Number statuses. Available numbers can be searched and reserved; a
// reserved number is held for one account until its hold expires; owned
// and suspended numbers belong to an account; quarantined numbers age
// after release before becoming available again; retired numbers left
// inventory.
const (
	Available   Status = "available"
	Reserved    Status = "reserved"
	Owned       Status = "owned"
	Suspended   Status = "suspended"
	Quarantined Status = "quarantined"
	Retired     Status = "retired"
)

// Patterns are the digit patterns of a number's last seven digits (its
// subscriber part in North America), computed by PatternsOf.
type Patterns struct {
	Double    bool // a digit repeated at least twice in a row ("55")
	Pair      bool // two such runs ("5577")
	Trio      bool // three such runs ("115577")
	Triple    bool // a digit three times in a row ("555")
	Quadruple bool // a digit four times in a row ("5555")
	// Rare is a memorable line number (last four digits): all one digit,
	// a round number (X000, XX00), an alternation (ABAB) or a straight run
	// up or down (1234, 9876).
	Rare bool
}

// Any reports whether any pattern is set.
func (p Patterns) Any() bool {
	return p.Double || p.Pair || p.Trio || p.Triple || p.Quadruple || p.Rare
}

// PatternsOf computes the patterns of a number's national digits.
func PatternsOf(digits string) Patterns {
	tail := digits
	if len(tail) > 7 {
		tail = tail[len(tail)-7:]
	}
	var p Patterns
	runs := 0
	for i := 0; i < len(tail); {
		j := i
		for j < len(tail) && tail[j] == tail[i] {
			j++
		}
		n := j - i
		if n >= 2 {
			runs++
		}
		if n >= 3 {
			p.Triple = true
		}
		if n >= 4 {
			p.Quadruple = true
		}
		i = j
	}
	p.Double, p.Pair, p.Trio = runs >= 1, runs >= 2, runs >= 3
	if len(digits) >= 4 {
		l := digits[len(digits)-4:]
		up, down := true, true
		for i := 1; i < 4; i++ {
			up = up && l[i] == l[i-1]+1
			down = down && l[i] == l[i-1]-1
		}
		p.Rare = (l[0] == l[1] && l[1] == l[2] && l[2] == l[3]) ||
			l[1:] == "000" || l[2:] == "00" && l[0] != '0' ||
			(l[0] == l[2] && l[1] == l[3] && l[0] != l[1]) || up || down
	}
	return p
}

// Number is one number of inventory, available or not.
type Number struct {
	ID          int64
	E164        string // "+12065550123"
	National    string // national significant digits: "2065550123"
	Type        Type
	Country     string // ISO 3166-1 alpha-2
	CountryID   int
	State       string // two-letter code, North America only
	StateID     int
	NPA, NXX    string
	RateCenter  string
	City        string
	SMS, MMS    bool
	T38         bool
	Setup       money.Amount
	Monthly     money.Amount
	Patterns    Patterns
	Status      Status
	AccountID   int64 // owner, or holder while reserved; 0 in stock
	Reservation int64
	HeldUntil   time.Time
	OrderID     int64
	TrunkID     int64
	PaidUntil   time.Time
	// Until is when a suspended number is released or a quarantined one
	// returns to inventory.
	Until     time.Time
	Settings  Settings
	CreatedAt time.Time
	UpdatedAt time.Time

	shuffle int32
}

// Parse reads a number as written in an import file, a search or a
// dialect call: E.164 with or without "+", or a national number of
// country (ISO alpha-2; "US" when empty). It must be a valid number.
func Parse(s, country string) (*phonenumbers.PhoneNumber, error) {
	s = strings.TrimSpace(s)
	if country == "" {
		country = "US"
	}
	if !strings.HasPrefix(s, "+") && country == "US" && len(s) > 10 && strings.Trim(s, "0123456789") == "" {
		// Bare international digits ("12065550123", "442071838750").
		s = "+" + s
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(country))
	if err != nil {
		return nil, problem.Field("number", "is not a phone number")
	}
	if !phonenumbers.IsValidNumber(n) {
		return nil, problem.Field("number", "is not a valid number")
	}
	return n, nil
}

// E164 formats n in E.164.
func E164(n *phonenumbers.PhoneNumber) string { return phonenumbers.Format(n, phonenumbers.E164) }

// NationalDigits is n's national significant number.
func NationalDigits(n *phonenumbers.PhoneNumber) string {
	return phonenumbers.GetNationalSignificantNumber(n)
}

// Classify returns the inventory type the library gives n: toll free,
// local when it is a fixed line or mobile of North America, international
// otherwise; universal (inum, +883) numbers are inum.
func Classify(n *phonenumbers.PhoneNumber) Type {
	switch {
	case phonenumbers.GetNumberType(n) == phonenumbers.TOLL_FREE:
		return TollFree
	case n.GetCountryCode() == 883:
		return INum
	case n.GetCountryCode() == 1:
		return Local
	}
	return International
}

// Describe fills a number's identity from the library: E.164, national
// digits, country, NPA/NXX and state for North America, and the patterns.
// City and state given by the caller win over the library's geography.
func Describe(n *phonenumbers.PhoneNumber, into *Number) error {
	into.E164 = E164(n)
	into.National = NationalDigits(n)
	region := phonenumbers.GetRegionCodeForNumber(n)
	if region == "001" || region == "" {
		region = "ZZ"
	}
	into.Country = region
	if c, ok := geo.CountryByAlpha2(region); ok {
		into.CountryID = c.ID
	}
	if n.GetCountryCode() == 1 && len(into.National) == 10 {
		into.NPA, into.NXX = into.National[:3], into.National[3:6]
		if st, ok := geo.StateOfAreaCode(into.NPA); ok {
			if into.State != "" && !strings.EqualFold(into.State, st.Code) {
				return problem.Field("state", "is not the state of area code %s (%s)", into.NPA, st.Code)
			}
			into.State = st.Code
		}
		if into.City == "" {
			if g, _ := phonenumbers.GetGeocodingForNumber(n, "en"); g != "" {
				if city, st, ok := strings.Cut(g, ", "); ok && len(st) == 2 {
					into.City = city
				}
			}
		}
	}
	if into.State != "" {
		into.StateID = 0
		for _, cid := range []int{geo.UnitedStatesID, geo.CanadaID} {
			for _, st := range geo.States(cid) {
				if strings.EqualFold(st.Code, into.State) {
					into.State, into.StateID = st.Code, st.ID
					if into.CountryID == 0 {
						into.CountryID = cid
					}
				}
			}
		}
		if into.StateID == 0 {
			return problem.Field("state", "is not a state or province code")
		}
	}
	into.Patterns = PatternsOf(into.National)
	return nil
}

package account

import (
	"regexp"
	"strings"
	"time"

	"switchboard/internal/problem"
)

// Address is a postal address of a subaccount (voicemeup
// update_subaccount_address). A subaccount has at most one of each type.
type Address struct {
	ID           int64
	SubaccountID int64
	AccountID    int64
	Type         string
	BoxNumber    string
	CivicNumber  int64
	Street       string
	UnitNumber   int64
	City         string
	CountryID    int
	StateID      int
	StateOther   string
	PostalCode   string
	Precision    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AddressPatch carries the fields of a create or update; nil keeps a field.
type AddressPatch struct {
	Type        *string
	BoxNumber   *string
	CivicNumber *int64
	Street      *string
	UnitNumber  *int64
	City        *string
	CountryID   *int
	StateID     *int
	StateOther  *string
	PostalCode  *string
	Precision   *string
}

// Geography answers the reference questions address validation needs.
type Geography interface {
	CountryExists(id int) bool
	// HasStates reports whether addresses in the country use a state_id.
	HasStates(countryID int) bool
	StateInCountry(stateID, countryID int) bool
	// ValidPostalCode checks a postal code's format for the country.
	ValidPostalCode(countryID int, code string) bool
}

var textRe = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} .,'#/-]{0,127}$`)

func (p *AddressPatch) apply(a *Address, geo Geography) error {
	str := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	str(&a.Type, p.Type)
	str(&a.BoxNumber, p.BoxNumber)
	if p.CivicNumber != nil {
		a.CivicNumber = *p.CivicNumber
	}
	str(&a.Street, p.Street)
	if p.UnitNumber != nil {
		a.UnitNumber = *p.UnitNumber
	}
	str(&a.City, p.City)
	if p.CountryID != nil {
		a.CountryID = *p.CountryID
	}
	if p.StateID != nil {
		a.StateID = *p.StateID
	}
	str(&a.StateOther, p.StateOther)
	str(&a.PostalCode, p.PostalCode)
	str(&a.Precision, p.Precision)
	if a.Type == "" {
		a.Type = "billing"
	}
	if err := checkText("box_number", a.BoxNumber, "precision", a.Precision, "postal_code", a.PostalCode,
		"state_other", a.StateOther); err != nil {
		return err
	}
	switch {
	case a.Type != "billing":
		return problem.Field("type", "must be billing")
	case len(a.BoxNumber) > 32:
		return problem.Field("box_number", "must be at most 32 characters")
	case a.CivicNumber <= 0 || a.CivicNumber > 999999:
		return problem.Field("civic_number", "must be a number between 1 and 999999")
	case !textRe.MatchString(a.Street):
		return problem.Field("street", "is required and must be alphanumeric")
	case a.UnitNumber < 0 || a.UnitNumber > 999999:
		return problem.Field("unit_number", "must be a number between 0 and 999999")
	case !textRe.MatchString(a.City):
		return problem.Field("city", "is required and must be alphanumeric")
	case !geo.CountryExists(a.CountryID):
		return problem.Field("country_id", "must be a valid country_id")
	case len(a.Precision) > 255:
		return problem.Field("precision", "must be at most 255 characters")
	}
	if geo.HasStates(a.CountryID) {
		if !geo.StateInCountry(a.StateID, a.CountryID) {
			return problem.Field("state_id", "must be a valid state_id of the country")
		}
		a.StateOther = ""
	} else {
		if !textRe.MatchString(a.StateOther) {
			return problem.Field("state_other", "is required and must be alphanumeric outside the United States and Canada")
		}
		a.StateID = 0
	}
	if !geo.ValidPostalCode(a.CountryID, a.PostalCode) {
		return problem.Field("postal_code", "must be a valid postal code")
	}
	return nil
}

package account

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"switchboard/internal/problem"
)

// Subaccount is a customer's division of its service (a department, an end
// client of a PBX host): peers, DIDs, extensions and mailboxes are associated
// with it. Its fields are those of the voicemeup update_subaccount request.
type Subaccount struct {
	ID                           int64
	AccountID                    int64
	CustomID                     string
	FriendlyName                 string
	CallLimit                    int
	AllowInternationalCall       bool
	InternationalCallLimit       int
	RequireInternationalNIP      bool
	InternationalNIP             []string
	MultiTenancyMode             string
	MultiTenancySubaccountID     int64
	Organization                 string
	OrganizationType             string
	ClientProfile                string
	VoiceLanguage                string
	NotificationLanguage         string
	CallerIDName                 string
	CallerIDNumber               string
	ClientMOHProfileID           string
	DefaultProvisionedEndpointID string
	Options                      []string
	Status                       string
	Comments                     string
	// TariffID is the tariff the subaccount's calls are sold at; 0 means
	// its account's. The tariff service sets it.
	TariffID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Associations lists the ids of the resources tied to a subaccount. The
// resources themselves arrive with later features; the lists are empty until
// then.
type Associations struct {
	Peers, DIDs, Extensions, Mailboxes []int64
}

// SubaccountFilter narrows ListSubaccounts beyond the generic query.
type SubaccountFilter struct {
	AccountID int64    // 0: the whole scope
	Statuses  []string // empty: all except none
}

// Allowed values, from the update_subaccount specification.
var (
	MultiTenancyModes = []string{"disabled", "global", "self", "shared"}
	OrganizationTypes = []string{"personal", "business"}
	ClientProfiles    = []string{"undefined", "residential_client", "commercial_client", "callcenter_client", "internal"}
	Languages         = []string{"en", "fr"}
	SubaccountOptions = []string{"subaccount_override_enabled", "enable_billing_module", "enable_billing_notification", "disable_411_access", "disable_public_service_access"}
	SubaccountStates  = []string{"enabled", "disabled", "deleted"}
)

// SubaccountPatch carries the fields of a create or an update; nil leaves a
// field as it is (or at its default on create).
type SubaccountPatch struct {
	AccountID                    *int64
	CustomID                     *string
	FriendlyName                 *string
	CallLimit                    *int
	AllowInternationalCall       *bool
	InternationalCallLimit       *int
	RequireInternationalNIP      *bool
	InternationalNIP             *[]string
	MultiTenancyMode             *string
	MultiTenancySubaccountID     *int64
	Organization                 *string
	OrganizationType             *string
	ClientProfile                *string
	VoiceLanguage                *string
	NotificationLanguage         *string
	CallerIDName                 *string
	CallerIDNumber               *string
	ClientMOHProfileID           *string
	DefaultProvisionedEndpointID *string
	Options                      *[]string
	Status                       *string
	Comments                     *string
}

var (
	friendlyNameRe = regexp.MustCompile(`^[\p{L}\p{N} _.'-]{2,32}$`)
	callerIDNameRe = regexp.MustCompile(`^[\p{L}\p{N} ]{3,15}$`)
	tenDigitsRe    = regexp.MustCompile(`^[0-9]{10}$`)
	nipRe          = regexp.MustCompile(`^[0-9]{6,8}$`)
)

// apply copies the patch onto s and validates the result. It returns the
// first invalid field as a problem error naming it.
func (p *SubaccountPatch) apply(s *Subaccount) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&s.CustomID, p.CustomID)
	set(&s.FriendlyName, p.FriendlyName)
	if p.CallLimit != nil {
		s.CallLimit = *p.CallLimit
	}
	if p.AllowInternationalCall != nil {
		s.AllowInternationalCall = *p.AllowInternationalCall
	}
	if p.InternationalCallLimit != nil {
		s.InternationalCallLimit = *p.InternationalCallLimit
	}
	if p.RequireInternationalNIP != nil {
		s.RequireInternationalNIP = *p.RequireInternationalNIP
	}
	if p.InternationalNIP != nil {
		s.InternationalNIP = trimAll(*p.InternationalNIP)
	}
	set(&s.MultiTenancyMode, p.MultiTenancyMode)
	if p.MultiTenancySubaccountID != nil {
		s.MultiTenancySubaccountID = *p.MultiTenancySubaccountID
	}
	set(&s.Organization, p.Organization)
	set(&s.OrganizationType, p.OrganizationType)
	set(&s.ClientProfile, p.ClientProfile)
	set(&s.VoiceLanguage, p.VoiceLanguage)
	set(&s.NotificationLanguage, p.NotificationLanguage)
	set(&s.CallerIDName, p.CallerIDName)
	set(&s.CallerIDNumber, p.CallerIDNumber)
	set(&s.ClientMOHProfileID, p.ClientMOHProfileID)
	set(&s.DefaultProvisionedEndpointID, p.DefaultProvisionedEndpointID)
	if p.Options != nil {
		s.Options = trimAll(*p.Options)
	}
	set(&s.Status, p.Status)
	if p.Comments != nil {
		s.Comments = *p.Comments
	}
	return s.validate()
}

func trimAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (s *Subaccount) validate() error {
	if err := checkText("custom_id", s.CustomID, "friendly_name", s.FriendlyName, "organization", s.Organization,
		"callerid_name", s.CallerIDName, "comments", s.Comments, "client_moh_profile_id", s.ClientMOHProfileID,
		"default_provisioned_endpoint_id", s.DefaultProvisionedEndpointID); err != nil {
		return err
	}
	switch {
	case !friendlyNameRe.MatchString(s.FriendlyName):
		return problem.Field("friendly_name", "must be 2 to 32 letters, digits, spaces or . _ ' -")
	case s.CallLimit < 0 || s.CallLimit > 999:
		return problem.Field("call_limit", "must be between 0 and 999")
	case s.InternationalCallLimit < 0 || s.InternationalCallLimit > 999:
		return problem.Field("international_call_limit", "must be between 0 and 999")
	case len(s.CustomID) > 64:
		return problem.Field("custom_id", "must be at most 64 characters")
	case !slices.Contains(MultiTenancyModes, s.MultiTenancyMode):
		return problem.Field("multi_tenancy_mode", "must be one of %s", strings.Join(MultiTenancyModes, ", "))
	case s.MultiTenancyMode == "shared" && s.MultiTenancySubaccountID == 0:
		return problem.Field("multi_tenancy_subaccount_id", "is required when multi_tenancy_mode is shared")
	case s.MultiTenancyMode == "shared" && s.MultiTenancySubaccountID == s.ID:
		return problem.Field("multi_tenancy_subaccount_id", "must be another subaccount")
	case s.OrganizationType != "" && !slices.Contains(OrganizationTypes, s.OrganizationType):
		return problem.Field("organization_type", "must be personal or business")
	case len(s.Organization) > 128:
		return problem.Field("organization", "must be at most 128 characters")
	case !slices.Contains(ClientProfiles, s.ClientProfile):
		return problem.Field("client_profile", "must be one of %s", strings.Join(ClientProfiles, ", "))
	case s.VoiceLanguage != "" && !slices.Contains(Languages, s.VoiceLanguage):
		return problem.Field("voice_language", "must be en or fr")
	case s.NotificationLanguage != "" && !slices.Contains(Languages, s.NotificationLanguage):
		return problem.Field("notification_language", "must be en or fr")
	case s.CallerIDName != "" && !callerIDNameRe.MatchString(s.CallerIDName):
		return problem.Field("callerid_name", "must be 3 to 15 letters, digits or spaces")
	case s.CallerIDNumber != "" && !tenDigitsRe.MatchString(s.CallerIDNumber):
		return problem.Field("callerid_number", "must be a phone number of 10 digits")
	case !slices.Contains(SubaccountStates, s.Status):
		return problem.Field("status", "must be enabled, disabled or deleted")
	case len(s.Comments) > 1024:
		return problem.Field("comments", "must be at most 1024 characters")
	case len(s.ClientMOHProfileID) > 64:
		return problem.Field("client_moh_profile_id", "must be at most 64 characters")
	case len(s.DefaultProvisionedEndpointID) > 64:
		return problem.Field("default_provisioned_endpoint_id", "must be at most 64 characters")
	}
	if s.RequireInternationalNIP && len(s.InternationalNIP) == 0 {
		return problem.Field("international_nip", "is required when require_international_nip is yes")
	}
	if len(s.InternationalNIP) > 10 {
		return problem.Field("international_nip", "at most 10 values")
	}
	for _, nip := range s.InternationalNIP {
		if !nipRe.MatchString(nip) {
			return problem.Field("international_nip", "each value must be a number of 6 to 8 digits")
		}
	}
	seen := map[string]bool{}
	for _, o := range s.Options {
		if !slices.Contains(SubaccountOptions, o) {
			return problem.Field("options", "%q is not one of %s", o, strings.Join(SubaccountOptions, ", "))
		}
		if seen[o] {
			return problem.Field("options", "%q is given twice", o)
		}
		seen[o] = true
	}
	return nil
}

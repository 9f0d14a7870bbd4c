package voicemeup

import "strings"

// The error types of the VoiceMeUp document's "Error types" section, kept as
// data: one "code description" line each, grouped as the document groups
// them. The English texts are the document's own, so a client that shows
// them to its users sees what it saw before; the only edit is
// client_extension_id_invalid, whose document text names the wrong ID.
//
// Several sections repeat a code with a different text (type_invalid means
// a peer protocol in one place and a DID type in another), so a lookup
// prefers the section of the request type being answered.
var catalogSections = []struct {
	title        string
	requestTypes []string
	lines        string
}{
	{"Global", nil, `
auth_username_invalid Auth username is invalid.
auth_username_required Auth username is required.
authentication_failed Authentication failed. Please verify 'client_account_id' and 'auth_token'.
authentication_token_required Auth token is required.
requests_soft_limit_reached The limit of requests has been reached. Further requests may be denied
requests_hard_limit_exceeded The limit of requests allowed has been exceeded. Request is denied.
callerid_name_invalid Caller ID name is invalid.
callerid_name_required Caller ID name is required.
callerid_number_invalid Caller ID number is invalid.
callerid_number_required Caller ID number is required.
callerid_rejection_notice Some providers might reject toll free Caller ID.
client_account_id_invalid Client account ID is invalid.
client_account_id_required Client account ID is required.
client_did_id_invalid Client DID ID is invalid.
client_extension_id_invalid Client extension ID is invalid.
client_mailbox_id_invalid Client mailbox ID is invalid.
client_peer_id_invalid Client peer ID is invalid.
country_id_invalid Country ID is invalid.
country_id_required Country ID is required.
date_from_invalid Date from is invalid.
date_to_invalid Date to is invalid.
email_invalid Email address is invalid.
email_required Email address is required.
forward_number_invalid Forward number is invalid.
forward_number_required Forward number is required.
forward_timeout_invalid Call forward ring timeout is invalid.
forward_timeout_required Call forward ring timeout is required.
friendly_name_invalid Friendly name is invalid.
friendly_name_required Friendly name is required.
internal_error-database_error There was an internal error with our database.
internal_error-invalid_argument Invalid argument.
language_invalid Language is invalid.
mailbox_invalid Mailbox is invalid.
mode_invalid Mode is invalid.
npa_invalid NPA is invalid.
nxx_invalid NXX is invalid.
npa_required NPA is required.
nxx_required NXX is required.
options_invalid Options are invalid.
password_invalid Password is invalid.
password_mismatch The password verification did not match.
password_required Password is required.
peer_required Peer is required.
peer_timeout_invalid Peer ring timeout is invalid.
peer_timeout_required Peer ring timeout is required.
peers_to_ring_limit_reached Please choose a maximum of 5 peers.
phone_number_invalid Phone number is invalid.
request_type_invalid Request type is invalid.
request_type_not_implemented Request type is not implemented.
request_type_required Request type is required.
required_parameter_not_found Required parameters missing.
result_limit_invalid Result limit is invalid.
result_offset_invalid Result offset is invalid.
state_id_invalid State ID is invalid.
status_invalid Status is invalid.
status_required Status is required.
username_invalid Username is invalid.
username_required Username is required.
`},
	// Not in the document's table, but the error types real clients of the
	// API are written to expect (a rejected duplicate, a refused right).
	{"Client-observed", nil, `
duplicate_entry Duplicate entry.
permission_refused Permission refused.
`},
	{"Dispatch Call", []string{"dispatch_call"}, `
destination_invalid Destination is invalid.
destination_required Destination is required.
destination_type_invalid Destination type is invalid.
destination_type_required Destination type is required.
enable_recording_invalid Enable recording value is invalid.
global_callerid_name_undefined Global caller ID name is not defined.
max_retries_invalid Maximum retries is invalid.
retry_delay_invalid Retry delay is invalid.
socket_error A socket error occured.
source_invalid Source is invalid.
source_required Source is required.
source_type_invalid Source type is invalid.
source_type_required Source type is required.
wait_time_invalid Wait time is invalid.
`},
	{"Get Calls", []string{"get_calls"}, `
direction_invalid Direction is invalid.
call_hash_invalid Call Hash is invalid.
`},
	{"Get Rates", []string{"get_rates"}, `
code_invalid Code is invalid.
search_parameters_required Search parameters are required.
`},
	{"Report Call Issue", []string{"report_call_issue", "get_call_issues"}, `
call_hash_invalid Call Hash is invalid.
call_issue_id_invalid Call Issue ID is invalid.
`},
	{"Get Recordings", []string{"get_recordings", "delete_recordings"}, `
call_hash_invalid Call hash is invalid.
call_recording_id_invalid Call recording id is invalid.
recording_hash_invalid Recording hash is invalid.
`},
	{"Process Payment", nil, `
amount_invalid Amount is invalid.
amount_required Amount is required.
bank_account_number_invalid Bank account number is invalid.
bank_account_number_required Bank account number is required.
bank_account_type_invalid Bank account type is invalid.
bank_account_type_required Bank account type is required.
bank_name_invalid Bank name is invalid.
bank_name_required Bank name is required.
bank_routing_number_invalid Bank routing number is invalid.
bank_routing_number_required Bank routing number is required.
billing_contact_not_found Account's billing contact could not be found.
credit_card_cvd_invalid The credit card CVD number is invalid.
credit_card_cvd_required The credit card CVD number is required.
credit_card_expiration_month_invalid The credit card expiration month is invalid.
credit_card_expiration_month_required The credit card expiration month is required.
credit_card_type_invalid The credit card type is invalid.
credit_card_type_required The credit card type is required.
credit_card_expiration_year_invalid The credit card expiration year is invalid.
credit_card_expiration_year_required The credit card expiration year is required.
credit_card_number_invalid The credit card number is invalid.
credit_card_number_required The credit card number is required.
currency_invalid Currency is invalid.
currency_not_supported Currency is not supported for given type of payment.
currency_required Currency is required.
minimum_amount_required The minimum amount is not met.
payment_attempt_failed Payment attempt has failed.
payment_denied Payment denied.
payment_method_invalid Payment method is invalid.
payment_method_required Payment method is required.
`},
	{"Update DID", []string{"update_did"}, `
forward_number_used_by_did Forward number already in use.
`},
	{"Update Extension", []string{"update_extension"}, `
extension_already_in_use Extension is already in use.
extension_invalid Extension is invalid.
extension_required Extension is required.
`},
	{"Update Mailbox", []string{"update_mailbox"}, `
default_mailbox_dependency You cannot disable this mailbox because it is set as default.
mailbox_did_dependency You cannot disable this mailbox because it is associated to a DID number.
passcode_invalid Passcode is invalid.
passcode_required Passcode is required.
voice_mailboxes_limit_reached Voice mailboxes limit is reached.
`},
	{"Update Peer", []string{"update_peer"}, `
callerid_mode_invalid Caller ID mode is invalid.
callerid_mode_required Caller ID mode is required.
codecs_invalid Codecs are invalid.
codecs_required Codecs are required.
default_ip_invalid Default IP is invalid.
dtmf_invalid The dtmf mode is invalid.
global_callerid_infos_undefined Global caller ID settings are not defined.
host_type_invalid Host type is invalid.
host_type_required Host type is required.
peer_did_dependency You cannot disable this peer because it is associated to a DID number.
peer_excluded_from_sync This peer is currently excluded from synchronization and changes will not affect live configuration.
peer_exist The username is already in use.
peers_limit_reached Peers limit is reached.
qualify_invalid Qualify milliseconds are invalid.
qualify_required Qualify milliseconds are required.
type_invalid The peer protocol is invalid.
`},
	{"e911 Errors", []string{"get_e911", "check_e911", "associate_e911", "disassociate_e911", "update_e911", "delete_e911"}, `
alternate_address_provided Alternate Address is Provided.
client_endpoint_id_not_found Client Endpoint ID Not Found.
client_peer_id_not_found Client Peer ID Not Found.
client_did_id_not_found Client DID ID Not Found.
phone_number_not_found Phone Number Not Foudn.
no_e911_endpoint_found Number is not provisioned.
civic_number_not_found Civic number not found.
street_not_found Street not found.
city_not_found City not found.
state_not_found State not found.
country_not_found Country not found.
first_name_not_found First name not found.
last_name_not_found Last name not found.
postal_code_not_found Postal Code not found.
last_endpoint_was_deleted The last endpoint was deleted. Any calls to 911 after this notice and before another DID is provisionned will be billed an E911 unprovision fee in your account.
entry_is_default_endpoint The endpoint is currently the default endpoint for the account. Set the default to another one before deleting this one.
`},
	{"Order new dids", []string{"order_new_dids"}, `
prefix_required No prefix nor ratecenter id was given.
prefix_invalid Prefix is not valid.
ratecenter_id_invalid Ratecenter id is not valid.
type_invalid Type must be either "local" or "international".
quantity_required Quantity is required.
quantity_invalid Quantity must be a number above 0 and under 1000.
prefix_preference_invalid Preference must be either "in_ratecenter" or "prefix_only".
sequential_invalid Preference must be either "random" or "sequential".
t38_support_invalid Preference must be either "optional" or "required".
capacity_invalid Preference must be either "1-5", "5-25" or "25+".
prefix_not_found Could not find the prefix in our database.
ratecenter_id_not_found Could not find the ratecenter id in our database.
could_not_send An error occurred while trying to send the request, please contact us.
`},
}

var (
	// catalog maps a code to its first description in document order.
	catalog = map[string]string{}
	// sectionText maps request type → code → that section's description.
	sectionText = map[string]map[string]string{}
	// catalogOrder lists every distinct code in document order.
	catalogOrder []string
	// ambiguous holds the codes that sections describe differently
	// (type_invalid: a peer protocol, a DID type): answered for a request
	// type of none of those sections, they get a neutral text instead of
	// the first section's ("The peer protocol is invalid." for the type of
	// an address).
	ambiguous = map[string]bool{}
)

func init() {
	for _, s := range catalogSections {
		for line := range strings.SplitSeq(strings.TrimSpace(s.lines), "\n") {
			code, text, _ := strings.Cut(line, " ")
			if first, dup := catalog[code]; !dup {
				catalog[code] = text
				catalogOrder = append(catalogOrder, code)
			} else if !strings.EqualFold(first, text) {
				ambiguous[code] = true
			}
			for _, rt := range s.requestTypes {
				if sectionText[rt] == nil {
					sectionText[rt] = map[string]string{}
				}
				sectionText[rt][code] = text
			}
		}
	}
}

// ErrorTypes returns every error type Switchboard may answer with, in the
// document's order.
func ErrorTypes() []string { return append([]string(nil), catalogOrder...) }

// Describe returns the description of an error type in lang ("en" or "fr"),
// as answered for requestType (which may be empty). French falls back to
// English where no translation exists. ok is false for an unknown code.
func Describe(code, lang, requestType string) (text string, ok bool) {
	if lang == "fr" {
		if t, found := french[code]; found {
			return t, true
		}
	}
	if t, found := sectionText[requestType][code]; found {
		return t, true
	}
	if requestType != "" && ambiguous[code] {
		if t, found := neutralText(code); found {
			return t, true
		}
	}
	t, ok := catalog[code]
	return t, ok
}

// neutralText describes a <parameter>_invalid or <parameter>_required code
// from its parameter name alone: "Type is invalid.".
func neutralText(code string) (string, bool) {
	for suffix, verb := range map[string]string{"_invalid": " is invalid.", "_required": " is required."} {
		if field, ok := strings.CutSuffix(code, suffix); ok && field != "" {
			words := strings.ReplaceAll(field, "_", " ")
			return strings.ToUpper(words[:1]) + words[1:] + verb, true
		}
	}
	return "", false
}

func inCatalog(code string) bool {
	_, ok := catalog[code]
	return ok
}

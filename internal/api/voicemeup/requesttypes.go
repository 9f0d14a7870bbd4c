package voicemeup

import "slices"

// requestTypes is every request type the VoiceMeUp XML Engine document
// defines, in the document's order. A name outside this table is answered
// with request_type_invalid; a name inside it without a registered handler
// with request_type_not_implemented, so a client can tell a typo from a
// feature Switchboard does not offer yet.
var requestTypes = []string{
	// Meta.
	"get_request_types",
	// Calls, recordings, voicemail, fax.
	"get_calls", "get_calls_stats",
	"get_recordings", "delete_recordings",
	"get_voicemails", "delete_voicemails",
	"get_faxes", "delete_faxes",
	"get_fax_profiles", "update_fax_profile", "delete_fax_profile", "queue_fax",
	// DIDs, inventory, porting.
	"get_dids", "update_did", "delete_did",
	"get_new_dids", "activate_new_did", "order_new_dids",
	"get_port_requests", "update_port_request",
	"lookup_did", "get_did_areacodes", "get_did_exchanges", "get_ratecenters",
	// SMS.
	"get_sms", "delete_sms", "get_sms_stats", "queue_sms",
	"get_sms_profiles", "update_sms_profile", "delete_sms_profile",
	// Peers, mailboxes, extensions.
	"get_peers", "update_peer", "delete_peer",
	"get_mailboxes", "update_mailbox", "delete_mailbox",
	"get_tts_voice_name", "update_mailbox_greeting",
	"get_extensions", "update_extension",
	// Account, subaccounts, billing.
	"get_account_details", "get_account_preferences",
	"get_subaccounts", "update_subaccount", "update_subaccount_associations",
	"update_subaccount_address",
	"get_funding_details", "get_billing_activity",
	// Call director.
	"get_call_director_profiles", "update_call_director_profile",
	"delete_call_director_profile",
	// Reference data.
	"get_countries", "get_states", "get_issues_types", "get_rates", "get_plans",
	"get_proxies",
	// E911 and 411.
	"get_e911", "check_e911", "associate_e911", "disassociate_e911",
	"update_e911", "delete_e911",
	"get_whitepages", "update_whitepages", "delete_whitepages",
	// Call issues and network.
	"report_call_issue", "get_call_issues", "get_network_status",
	// Channels and click-to-call.
	"get_channels", "update_channel", "delete_channel",
	"dispatch_call", "voicemail_broadcast",
	// Reseller billing.
	"get_resellers_transactions", "get_resellers_invoices",
	// Queues, caller-ID profiles, IVR, schedules.
	"get_queues", "update_queue", "get_queue_agents", "update_queue_agent",
	"get_callerid_profiles", "update_callerid_profile",
	"get_ivr_profiles", "update_ivr_profile",
	"get_schedules", "update_schedule",
	// Storage, media, devices, 3CX servers.
	"get_storage_stats", "get_media_files",
	"get_devices", "get_device_endpoints", "update_device_endpoint",
	"delete_device_endpoint",
	"get_3cx_servers", "update_3cx_server", "delete_3cx_server",
}

var knownTypes = func() map[string]bool {
	m := make(map[string]bool, len(requestTypes))
	for _, t := range requestTypes {
		m[t] = true
	}
	return m
}()

// RequestTypes returns every request type the document defines, in the
// document's order, whether or not a handler is registered for it.
func RequestTypes() []string { return slices.Clone(requestTypes) }

// IsRequestType reports whether name is a request type the document defines.
func IsRequestType(name string) bool { return knownTypes[name] }

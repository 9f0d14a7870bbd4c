package number

import (
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"switchboard/internal/problem"
)

// Settings are an owned number's routing settings as voicemeup's
// update_did names them, validated and stored; the SIP engine executes
// them.
type Settings map[string]string

// Options are the values of update_did's options parameter.
var Options = []string{"enable_forwarding", "enable_voicemail", "enable_peer", "ondemand_recording", "announce_monitor",
	"enable_recording", "enable_ivr", "enable_fax", "announce_caller", "enable_sms", "enable_sms_email_notify",
	"enable_sms_forwarding", "enable_sms_callback", "enable_sms_callback_retry", "enable_sms_autoreply", "enable_uri",
	"enable_georedundancy", "force_ring_signal", "discard_redirect", "confirm_required", "enable_filtering",
	"enable_director", "enable_notify_callback"}

var (
	timeouts  = []string{"disabled", "2", "5", "10", "15", "20", "25", "30", "35", "40", "45", "50", "55"}
	dtmf      = regexp.MustCompile(`^[0-9abcdwABCDW#*]{1,64}$`)
	digits    = regexp.MustCompile(`^[0-9]+$`)
	alnumName = regexp.MustCompile(`^[\p{L}\p{N} _.\-']{2,32}$`)
	idList    = regexp.MustCompile(`^[0-9]+(,[0-9]+)*$`)
)

type rule func(v string) string

func oneOf(vals ...string) rule {
	return func(v string) string {
		if slices.Contains(vals, v) {
			return ""
		}
		return "must be one of " + strings.Join(vals, ", ")
	}
}

func maxLen(n int) rule {
	return func(v string) string {
		if len([]rune(v)) > n {
			return "must be at most " + strconv.Itoa(n) + " characters"
		}
		return ""
	}
}

func match(re *regexp.Regexp, msg string) rule {
	return func(v string) string {
		if re.MatchString(v) {
			return ""
		}
		return msg
	}
}

func intRange(lo, hi int) rule {
	return func(v string) string {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return "must be a number between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi)
		}
		return ""
	}
}

func phone(v string) string {
	if _, err := Parse(v, ""); err != nil {
		return "must be a valid phone number"
	}
	return ""
}

func webURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(v) > 1024 {
		return "must be an http or https URL"
	}
	return ""
}

func sipURI(v string) string {
	if len(v) > 240 || !(strings.HasPrefix(v, "sip:") || strings.HasPrefix(v, "sips:")) || len(v) < 6 {
		return "must be a SIP URI of 240 or less characters"
	}
	return ""
}

func email(v string) string {
	if _, err := mail.ParseAddress(v); err != nil || len(v) > 255 {
		return "must be an email address"
	}
	return ""
}

func optionList(v string) string {
	for _, o := range strings.Split(v, ",") {
		if !slices.Contains(Options, strings.TrimSpace(o)) {
			return "has an unknown option " + strconv.Quote(o)
		}
	}
	return ""
}

func triggers(v string) string {
	for _, t := range strings.Split(v, ",") {
		if !slices.Contains([]string{"on_create", "on_ring", "on_answer", "on_hangup", "on_test", "on_record"}, strings.TrimSpace(t)) {
			return "has an unknown trigger " + strconv.Quote(t)
		}
	}
	return ""
}

var id = match(digits, "must be a valid id")

// settingRules are update_did's parameters and their rules.
var settingRules = map[string]rule{
	"friendly_name":                    match(alnumName, "must be 2 to 32 letters, digits or spaces"),
	"forward_number":                   phone,
	"forward_timeout":                  oneOf(timeouts...),
	"send_dtmf":                        match(dtmf, "must be DTMF tones (0-9, a-d, w, W)"),
	"voice_language":                   oneOf("en", "fr"),
	"client_mailbox_id":                id,
	"client_ivr_profile_id":            id,
	"client_fax_profile_id":            id,
	"client_director_profile_id":       id,
	"client_sms_profile_id":            id,
	"client_peer_ids":                  match(idList, "must be client_peer_ids, comma separated"),
	"peer_timeout":                     oneOf(timeouts...),
	"peer_contact_mode":                oneOf("sequential", "simultaneous", "round_robin"),
	"client_queue_ids":                 match(idList, "must be client_queue_ids, comma separated"),
	"bridge_uri":                       sipURI,
	"client_conference_profile_id":     id,
	"ondemand_recording":               oneOf("0", "1"),
	"dnis_rewrite":                     match(regexp.MustCompile(`^[0-9]{10}$`), "must be a 10-digit number"),
	"client_filter_ids":                match(idList, "must be client_filter_ids, comma separated"),
	"announce_media_file_id":           id,
	"monitor_media_file_id":            id,
	"confirm_media_file_id":            id,
	"callerid_name_rewrite":            match(regexp.MustCompile(`^[\p{L}\p{N} ]{3,15}$`), "must be 3 to 15 letters or digits"),
	"callerid_number_rewrite":          match(regexp.MustCompile(`^\+?[0-9]{1,20}$`), "must be 1 to 20 digits, optionally with +"),
	"sms_notify_email":                 email,
	"sms_forward_number":               phone,
	"sms_callback_url":                 webURL,
	"sms_autoreply_message":            maxLen(160),
	"client_channel_id":                id,
	"client_subaccount_id":             id,
	"notify_callback_triggers":         triggers,
	"notify_callback_url":              webURL,
	"simultaneous_calls_limit":         intRange(0, 255),
	"usage_type":                       oneOf("default", "paging", "parking", "conference", "disa", "uri"),
	"recording_notify_recipient_name":  maxLen(255),
	"recording_notify_recipient_email": maxLen(255),
	"peer_failover_causes":             maxLen(240),
	"pickup_group_ids":                 maxLen(64),
	"sms_dnis_rewrite":                 maxLen(30),
	"exclude_e411_list":                oneOf("0", "1"),
	"exclude_e911_list":                oneOf("0", "1"),
	"options":                          optionList,
	"comments":                         maxLen(1000),
	"status":                           oneOf("enabled", "disabled"),
}

// SettingNames lists every setting update_did takes.
func SettingNames() []string {
	out := make([]string, 0, len(settingRules))
	for k := range settingRules {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// requiredWith names the option that makes a setting required.
var requiredWith = map[string]string{
	"announce_caller":         "announce_media_file_id",
	"enable_sms_email_notify": "sms_notify_email",
	"enable_sms_forwarding":   "sms_forward_number",
	"enable_sms_callback":     "sms_callback_url",
	"enable_sms_autoreply":    "sms_autoreply_message",
	"enable_notify_callback":  "notify_callback_url",
	"enable_forwarding":       "forward_number",
}

// Merge validates changes and applies them to old: with preserve, the
// settings not given keep their values; without it, they are cleared, as
// update_did documents. usage_type is required unless preserved.
func Merge(old Settings, changes Settings, preserve bool) (Settings, error) {
	out := Settings{}
	if preserve {
		for k, v := range old {
			out[k] = v
		}
	}
	for k, v := range changes {
		r, ok := settingRules[k]
		if !ok {
			return nil, problem.Field(k, "is not a DID setting")
		}
		v = strings.TrimSpace(v)
		if v == "" {
			delete(out, k)
			continue
		}
		if msg := r(v); msg != "" {
			return nil, problem.Field(k, "%s", msg)
		}
		out[k] = v
	}
	if out["usage_type"] == "" {
		return nil, problem.Field("usage_type", "is required")
	}
	for _, o := range strings.Split(out["options"], ",") {
		if need, ok := requiredWith[strings.TrimSpace(o)]; ok && out[need] == "" {
			return nil, problem.Field(need, "is required with the %s option", o)
		}
	}
	return out, nil
}

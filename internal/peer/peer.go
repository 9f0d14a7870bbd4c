// Package peer owns SIP accounts (peers) and their registrar bindings: the
// fields of the voicemeup update_peer request with their rules, the digest
// secrets kept for them, and the Service every API and the SIP engine use.
package peer

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/internal/problem"
)

// Peer is a SIP account of an account (and optionally of one of its
// subaccounts). Its password is never kept: HA1MD5 and HA1SHA256 are the
// digest hashes of (digest username, Realm, password).
type Peer struct {
	ID                     int64
	AccountID              int64
	SubaccountID           int64 // 0: none
	FriendlyName           string
	Username               string
	HostType               string // dynamic (registers) or static (Host:Port)
	Host                   string
	Port                   int
	Transport              string
	Realm                  string
	HA1MD5                 string
	HA1SHA256              string
	CallerIDName           string
	CallerIDNumber         string
	CallerIDMode           string
	CallerIDType           string
	CallerIDFormat         string
	Codecs                 []string
	DTMFMode               string
	DNISMode               string
	DNISFormat             string
	EnableNAT              bool
	EnableQualify          bool
	Qualify                int // milliseconds
	SimultaneousCallsLimit int // 0: no limit of its own
	EnableAuth             bool
	AuthUsername           string
	DefaultIP              string
	RegisterTimeout        int // seconds: the longest registration accepted
	ProgressTimeout        int // seconds
	Status                 string
	Comments               string
	Metadata               map[string]string
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// DigestUsername is the username the peer authenticates with: its
// auth_username when authentication is enabled with one, else its username.
func (p *Peer) DigestUsername() string {
	if p.EnableAuth && p.AuthUsername != "" {
		return p.AuthUsername
	}
	return p.Username
}

// HasSecret reports whether a password was set, so digest can succeed.
func (p *Peer) HasSecret() bool { return p.HA1MD5 != "" }

// Allowed values, from the update_peer specification.
var (
	HostTypes       = []string{"dynamic", "static"}
	CallerIDModes   = []string{"global", "privacy", "custom", "device", "smart"}
	CallerIDTypes   = []string{"rpid", "pid", "none"}
	CallerIDFormats = []string{"e164", "unaltered", "national"}
	Transports      = []string{"udp", "tcp", "tls"}
	Codecs          = []string{"g729", "ulaw", "alaw", "g726", "gsm", "ilbc"}
	DTMFModes       = []string{"rfc2833", "inband", "info", "auto"}
	DNISModes       = []string{"auto", "forced", "disabled"}
	DNISFormats     = []string{"national", "e164"}
	States          = []string{"enabled", "disabled"}
)

// Bounds of the numeric fields.
const (
	MinQualify, MaxQualify                 = 2000, 60000
	MinRegisterTimeout, MaxRegisterTimeout = 120, 7200
	MinProgressTimeout, MaxProgressTimeout = 1, 10
	MaxCallsLimit                          = 255
	MaxMetadataBytes                       = 4096
)

// Patch carries the fields of a create or an update; nil leaves a field as
// it is (or at its default on create). Password is the clear secret, turned
// into digest hashes and dropped.
type Patch struct {
	AccountID              *int64
	SubaccountID           *int64
	FriendlyName           *string
	Username               *string
	HostType               *string
	Host                   *string
	Port                   *int
	Password               *string
	CallerIDName           *string
	CallerIDNumber         *string
	CallerIDMode           *string
	CallerIDType           *string
	CallerIDFormat         *string
	Transport              *string
	Codecs                 *[]string
	DTMFMode               *string
	DNISMode               *string
	DNISFormat             *string
	EnableNAT              *bool
	EnableQualify          *bool
	Qualify                *int
	SimultaneousCallsLimit *int
	EnableAuth             *bool
	AuthUsername           *string
	DefaultIP              *string
	RegisterTimeout        *int
	ProgressTimeout        *int
	Status                 *string
	Comments               *string
	Metadata               *map[string]string
}

var (
	friendlyNameRe = regexp.MustCompile(`^[\p{L}\p{N} _.'-]{2,32}$`)
	usernameRe     = regexp.MustCompile(`^[A-Za-z0-9]{6,32}$`)
	passwordRe     = regexp.MustCompile(`^[A-Za-z0-9]{6,32}$`)
	authUserRe     = regexp.MustCompile(`^[A-Za-z0-9]{3,32}$`)
	callerIDNameRe = regexp.MustCompile(`^[\p{L}\p{N} ]{3,15}$`)
	tenDigitsRe    = regexp.MustCompile(`^[0-9]{10}$`)
	metaKeyRe      = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// ValidUsername reports whether s has the shape of a peer username, so the
// registrar can refuse junk before it reaches the store.
func ValidUsername(s string) bool { return usernameRe.MatchString(s) }

// apply copies the patch onto p and validates the result. Password is
// applied separately (it needs the realm).
func (pt *Patch) apply(p *Peer) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setBool := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.FriendlyName, pt.FriendlyName)
	set(&p.HostType, pt.HostType)
	set(&p.Host, pt.Host)
	setInt(&p.Port, pt.Port)
	set(&p.CallerIDName, pt.CallerIDName)
	set(&p.CallerIDNumber, pt.CallerIDNumber)
	set(&p.CallerIDMode, pt.CallerIDMode)
	set(&p.CallerIDType, pt.CallerIDType)
	set(&p.CallerIDFormat, pt.CallerIDFormat)
	set(&p.Transport, pt.Transport)
	if pt.Codecs != nil {
		p.Codecs = nil
		for _, c := range *pt.Codecs {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
				p.Codecs = append(p.Codecs, c)
			}
		}
	}
	set(&p.DTMFMode, pt.DTMFMode)
	set(&p.DNISMode, pt.DNISMode)
	set(&p.DNISFormat, pt.DNISFormat)
	setBool(&p.EnableNAT, pt.EnableNAT)
	setBool(&p.EnableQualify, pt.EnableQualify)
	setInt(&p.Qualify, pt.Qualify)
	setInt(&p.SimultaneousCallsLimit, pt.SimultaneousCallsLimit)
	setBool(&p.EnableAuth, pt.EnableAuth)
	set(&p.AuthUsername, pt.AuthUsername)
	set(&p.DefaultIP, pt.DefaultIP)
	setInt(&p.RegisterTimeout, pt.RegisterTimeout)
	setInt(&p.ProgressTimeout, pt.ProgressTimeout)
	set(&p.Status, pt.Status)
	if pt.Comments != nil {
		p.Comments = *pt.Comments
	}
	if pt.Metadata != nil {
		p.Metadata = *pt.Metadata
	}
	return p.validate()
}

func validIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

func checkText(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if v := fields[i+1]; strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			return problem.Field(fields[i], "must be valid UTF-8 text without NUL characters")
		}
	}
	return nil
}

func oneOf(field, v string, allowed []string) error {
	if !slices.Contains(allowed, v) {
		return problem.Field(field, "must be one of %s", strings.Join(allowed, ", "))
	}
	return nil
}

func (p *Peer) validate() error {
	if err := checkText("friendly_name", p.FriendlyName, "host", p.Host, "callerid_name", p.CallerIDName,
		"callerid_number", p.CallerIDNumber, "auth_username", p.AuthUsername, "default_ip", p.DefaultIP,
		"comments", p.Comments); err != nil {
		return err
	}
	switch {
	case !friendlyNameRe.MatchString(p.FriendlyName):
		return problem.Field("friendly_name", "must be 2 to 32 letters, digits, spaces or . _ ' -")
	case !slices.Contains(HostTypes, p.HostType):
		return problem.Field("host_type", "must be dynamic or static")
	case p.Host != "" && !validIP(p.Host):
		return problem.Field("host", "must be a valid IP address")
	case p.HostType == "static" && p.Host == "":
		return problem.Field("host", "is required for a static peer")
	case p.Port < 1 || p.Port > 65535:
		return problem.Field("port", "must be a port between 1 and 65535")
	case p.CallerIDName != "" && !callerIDNameRe.MatchString(p.CallerIDName):
		return problem.Field("callerid_name", "must be 3 to 15 letters, digits or spaces")
	case p.CallerIDNumber != "" && !tenDigitsRe.MatchString(p.CallerIDNumber):
		return problem.Field("callerid_number", "must be a phone number of 10 digits")
	}
	for _, c := range []struct {
		field, v string
		allowed  []string
	}{
		{"callerid_mode", p.CallerIDMode, CallerIDModes}, {"callerid_type", p.CallerIDType, CallerIDTypes},
		{"callerid_format", p.CallerIDFormat, CallerIDFormats}, {"transport", p.Transport, Transports},
		{"dtmf_mode", p.DTMFMode, DTMFModes}, {"dnis_mode", p.DNISMode, DNISModes},
		{"dnis_format", p.DNISFormat, DNISFormats}, {"status", p.Status, States},
	} {
		if err := oneOf(c.field, c.v, c.allowed); err != nil {
			return err
		}
	}
	if p.CallerIDMode == "custom" && p.CallerIDNumber == "" {
		return problem.Field("callerid_number", "is required when callerid_mode is custom")
	}
	if p.CallerIDMode == "smart" {
		// Caller-ID profiles do not exist yet, so none can be named.
		return problem.Field("client_callerid_profile_id", "must be a valid client_callerid_profile_id for callerid_mode smart")
	}
	if len(p.Codecs) == 0 {
		return problem.Field("codecs", "at least one of %s", strings.Join(Codecs, ", "))
	}
	seen := map[string]bool{}
	for _, c := range p.Codecs {
		if !slices.Contains(Codecs, c) {
			return problem.Field("codecs", "%q is not one of %s", c, strings.Join(Codecs, ", "))
		}
		if seen[c] {
			return problem.Field("codecs", "%q is given twice", c)
		}
		seen[c] = true
	}
	switch {
	case p.EnableQualify && p.Qualify == 0:
		return problem.Field("qualify", "is required when enable_qualify is set")
	case p.Qualify != 0 && (p.Qualify < MinQualify || p.Qualify > MaxQualify):
		return problem.Field("qualify", "must be between %d and %d milliseconds", MinQualify, MaxQualify)
	case p.SimultaneousCallsLimit < 0 || p.SimultaneousCallsLimit > MaxCallsLimit:
		return problem.Field("simultaneous_calls_limit", "must be between 0 and %d", MaxCallsLimit)
	case p.AuthUsername != "" && !authUserRe.MatchString(p.AuthUsername):
		return problem.Field("auth_username", "must be 3 to 32 letters or digits")
	case p.EnableAuth && p.AuthUsername == "" && p.HostType == "static":
		return problem.Field("auth_username", "is required when enable_auth is set on a static peer")
	case p.DefaultIP != "" && !validIP(p.DefaultIP):
		return problem.Field("default_ip", "must be a valid IP address")
	case p.RegisterTimeout < MinRegisterTimeout || p.RegisterTimeout > MaxRegisterTimeout:
		return problem.Field("register_timeout", "must be between %d and %d seconds", MinRegisterTimeout, MaxRegisterTimeout)
	case p.ProgressTimeout < MinProgressTimeout || p.ProgressTimeout > MaxProgressTimeout:
		return problem.Field("progress_timeout", "must be between %d and %d seconds", MinProgressTimeout, MaxProgressTimeout)
	case len(p.Comments) > 1024:
		return problem.Field("comments", "must be at most 1024 characters")
	}
	return checkMetadata(p.Metadata)
}

func checkMetadata(m map[string]string) error {
	if len(m) > 32 {
		return problem.Field("metadata", "at most 32 keys")
	}
	for k, v := range m {
		if !metaKeyRe.MatchString(k) {
			return problem.Field("metadata", "keys must be 1 to 64 letters, digits or _ . -")
		}
		if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			return problem.Field("metadata", "values must be valid UTF-8 text without NUL characters")
		}
	}
	b, _ := json.Marshal(m)
	if len(b) > MaxMetadataBytes {
		return problem.Field("metadata", "must be at most %d bytes as JSON", MaxMetadataBytes)
	}
	return nil
}

// setSecret replaces the digest hashes for password in realm.
func (p *Peer) setSecret(realm, password string) error {
	if !passwordRe.MatchString(password) {
		return problem.Field("password", "must be 6 to 32 letters or digits")
	}
	p.Realm = realm
	p.HA1MD5 = HA1("MD5", p.DigestUsername(), realm, password)
	p.HA1SHA256 = HA1("SHA-256", p.DigestUsername(), realm, password)
	return nil
}

// HA1 is the digest hash H(username:realm:password) of algorithm (MD5 or
// SHA-256), in lowercase hex.
func HA1(algorithm, username, realm, password string) string {
	s := username + ":" + realm + ":" + password
	if strings.EqualFold(algorithm, "SHA-256") {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// HA1For returns the stored hash for algorithm, "" when there is none.
func (p *Peer) HA1For(algorithm string) string {
	switch strings.ToUpper(algorithm) {
	case "", "MD5":
		return p.HA1MD5
	case "SHA-256":
		return p.HA1SHA256
	}
	return ""
}

package main

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"switchboard/internal/server"
	"switchboard/internal/sip"
)

// ServeCmd runs a node.
type ServeCmd struct {
	StoreFlags
	HTTP         string        `name:"http" default:":8080" env:"SWITCHBOARD_HTTP" help:"HTTP listen address."`
	SIP          string        `name:"sip" default:":5060" env:"SWITCHBOARD_SIP" help:"SIP listen address (UDP and TCP), or off."`
	SIPAdvertise string        `name:"sip-advertise" env:"SWITCHBOARD_SIP_ADVERTISE" help:"HOST[:PORT] put in Via and Contact when behind NAT (default: the listen address)."`
	SIPTLSAddr   string        `name:"sip-tls" env:"SWITCHBOARD_SIP_TLS" help:"SIP over TLS listen address (default: the SIP port + 1) when a certificate is given."`
	SIPTLSCert   string        `name:"sip-tls-cert" env:"SWITCHBOARD_SIP_TLS_CERT" type:"path" help:"PEM certificate for SIP over TLS."`
	SIPTLSKey    string        `name:"sip-tls-key" env:"SWITCHBOARD_SIP_TLS_KEY" type:"path" help:"PEM private key for SIP over TLS."`
	SIPRealm     string        `name:"sip-realm" default:"switchboard" env:"SWITCHBOARD_SIP_REALM" help:"Digest realm. Peer passwords are hashed for it: changing it needs every password set again."`
	SIPDigest    []string      `name:"sip-digest" default:"MD5,SHA-256" env:"SWITCHBOARD_SIP_DIGEST" help:"Digest algorithms challenged, in order (MD5, SHA-256)."`
	SIPRing      time.Duration `name:"sip-ring-timeout" default:"60s" env:"SWITCHBOARD_SIP_RING_TIMEOUT" help:"How long a called peer rings when its extension sets no peer_timeout."`
	SIPMaxCall   time.Duration `name:"sip-max-call-duration" default:"4h" env:"SWITCHBOARD_SIP_MAX_CALL_DURATION" help:"Longest call: ends calls whose other side vanished."`
	SIPMaxFail   int           `name:"sip-max-failures" default:"10" env:"SWITCHBOARD_SIP_MAX_FAILURES" help:"Authentication failures from one address or for one username that block it."`
	SIPBlockFor  time.Duration `name:"sip-block-for" default:"5m" env:"SWITCHBOARD_SIP_BLOCK_FOR" help:"How long such a block lasts."`
	RTPPorts     string        `name:"rtp-ports" default:"10000-20000" env:"SWITCHBOARD_RTP_PORTS" help:"RTP port range LOW-HIGH."`
	PerMinute    int64         `name:"api-per-minute" default:"1200" env:"SWITCHBOARD_API_PER_MINUTE" help:"Native API requests per account and minute (the operator overrides per account)."`
	NumberHold   time.Duration `name:"number-hold" default:"15m" env:"SWITCHBOARD_NUMBER_HOLD" help:"How long a reservation holds numbers for its account."`
	Quarantine   time.Duration `name:"number-quarantine" default:"720h" env:"SWITCHBOARD_NUMBER_QUARANTINE" help:"How long a released number ages before it is in stock again."`
	Pprof        string        `name:"pprof" env:"SWITCHBOARD_PPROF" help:"Serve Go profiles (/debug/pprof) on this address, e.g. 127.0.0.1:6060; off when empty."`
}

var portRange = regexp.MustCompile(`^(\d{1,5})-(\d{1,5})$`)

// Validate checks the SIP and the reserved RTP flags now, so that a bad
// value fails at start rather than when the engines bind.
func (c *ServeCmd) Validate() error {
	m := portRange.FindStringSubmatch(c.RTPPorts)
	if m == nil {
		return fmt.Errorf("--rtp-ports must be LOW-HIGH, got %q", c.RTPPorts)
	}
	lo, _ := strconv.Atoi(m[1])
	hi, _ := strconv.Atoi(m[2])
	if lo < 1024 || hi > 65535 || lo >= hi || lo%2 != 0 {
		return fmt.Errorf("--rtp-ports %q: need an even LOW >= 1024 below HIGH <= 65535", c.RTPPorts)
	}
	if (c.SIPTLSCert == "") != (c.SIPTLSKey == "") {
		return fmt.Errorf("--sip-tls-cert and --sip-tls-key go together")
	}
	for _, a := range c.SIPDigest {
		if a != "MD5" && a != "SHA-256" {
			return fmt.Errorf("--sip-digest: %q is not MD5 or SHA-256", a)
		}
	}
	if c.PerMinute < 1 {
		return fmt.Errorf("--api-per-minute must be at least 1")
	}
	if c.NumberHold < time.Minute || c.Quarantine < 0 {
		return fmt.Errorf("--number-hold must be at least 1m and --number-quarantine not negative")
	}
	return nil
}

// Run serves until SIGINT or SIGTERM.
func (c *ServeCmd) Run(env *Env) error {
	s, err := server.Open(env.Ctx, server.Config{
		DataDir: c.Data, DBURL: c.DB, HTTPAddr: c.HTTP, RTPPorts: c.RTPPorts,
		SIP: sip.Config{
			Addr: c.SIP, Advertise: c.SIPAdvertise, TLSAddr: c.SIPTLSAddr, TLSCert: c.SIPTLSCert, TLSKey: c.SIPTLSKey,
			Realm: c.SIPRealm, Algorithms: c.SIPDigest, RingTimeout: c.SIPRing, MaxCallDuration: c.SIPMaxCall, Guard: sip.GuardConfig{MaxFailures: c.SIPMaxFail, BlockFor: c.SIPBlockFor},
		},
		Version: version, Log: env.Log, PerMinute: c.PerMinute, AdminTokenOut: env.Out,
		NumberHold: c.NumberHold, NumberQuarantine: c.Quarantine,
	})
	if err != nil {
		return err
	}
	defer s.Close()
	if c.Pprof != "" {
		stop, err := servePprof(c.Pprof, env)
		if err != nil {
			return err
		}
		defer stop()
	}
	return s.Run(env.Ctx)
}

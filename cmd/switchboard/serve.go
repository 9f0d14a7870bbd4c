package main

import (
	"fmt"
	"regexp"
	"strconv"

	"switchboard/internal/server"
)

// ServeCmd runs a node.
type ServeCmd struct {
	StoreFlags
	HTTP      string `name:"http" default:":8080" env:"SWITCHBOARD_HTTP" help:"HTTP listen address."`
	SIP       string `name:"sip" default:":5060" env:"SWITCHBOARD_SIP" help:"SIP listen address (UDP and TCP), or off."`
	RTPPorts  string `name:"rtp-ports" default:"10000-20000" env:"SWITCHBOARD_RTP_PORTS" help:"RTP port range LOW-HIGH."`
	PerMinute int64  `name:"api-per-minute" default:"1200" env:"SWITCHBOARD_API_PER_MINUTE" help:"Native API requests per account and minute (the operator overrides per account)."`
	Pprof     string `name:"pprof" env:"SWITCHBOARD_PPROF" help:"Serve Go profiles (/debug/pprof) on this address, e.g. 127.0.0.1:6060; off when empty."`
}

var portRange = regexp.MustCompile(`^(\d{1,5})-(\d{1,5})$`)

// Validate checks the reserved SIP and RTP flags now, so that a bad value
// fails at start rather than when those engines arrive.
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
	if c.PerMinute < 1 {
		return fmt.Errorf("--api-per-minute must be at least 1")
	}
	return nil
}

// Run serves until SIGINT or SIGTERM.
func (c *ServeCmd) Run(env *Env) error {
	s, err := server.Open(env.Ctx, server.Config{
		DataDir: c.Data, DBURL: c.DB, HTTPAddr: c.HTTP, SIPAddr: c.SIP, RTPPorts: c.RTPPorts,
		Version: version, Log: env.Log, PerMinute: c.PerMinute, AdminTokenOut: env.Out,
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

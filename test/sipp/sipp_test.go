// Package sipp runs SIPp scenarios against a real Switchboard node and
// checks their outcome through the API. The tests skip when sipp (Debian
// package sip-tester) is not installed.
package sipp_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
)

// runSIPp runs one call of scenario as user with password over transport
// (u1 or t1) against addr and reports whether every call succeeded.
func runSIPp(t *testing.T, bin, scenario, transport, addr, user, password string) bool {
	t.Helper()
	return runScenario(t, bin, scenario, servertest.FreePort(t), addr, "-t", transport, "-s", user, "-au", user, "-ap", password)
}

// runScenario runs one call of scenario from 127.0.0.1:port (a UAS
// scenario when addr is "") and reports whether it succeeded.
func runScenario(t *testing.T, bin, scenario string, port int, addr string, args ...string) bool {
	t.Helper()
	dir := t.TempDir()
	sf, err := filepath.Abs(scenario)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var all []string
	if addr != "" {
		all = append(all, addr)
	}
	all = append(all, "-sf", sf, "-m", "1", "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-timeout", "20", "-timeout_error",
		"-nostdin", "-trace_err")
	cmd := exec.CommandContext(ctx, bin, append(all, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(dir, "*errors.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", l, b)
		}
		t.Logf("sipp %s: %v\n%s", scenario, err, out)
		return false
	}
	return true
}

type registrations struct {
	Count int
	Items []struct {
		Contact   string `json:"contact"`
		Transport string `json:"transport"`
		UserAgent string `json:"user_agent"`
	}
}

func TestSIPpRegistrar(t *testing.T) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp is not installed (Debian package sip-tester)")
	}
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0"})
		ten := n.MustTenant(t, n.AdminToken, "", "SIPp Co", "reseller")
		for _, c := range []struct{ name, transport, want string }{{"udp", "u1", "udp"}, {"tcp", "t1", "tcp"}} {
			t.Run(c.name, func(t *testing.T) {
				user := "sipp" + c.name + "01"
				r := n.Do(t, http.MethodPost, "/api/peers", ten.Token, map[string]any{"friendly_name": "SIPp " + c.name,
					"host_type": "dynamic", "username": user, "password": "Secret123", "callerid_mode": "device"})
				if r.Status != http.StatusOK {
					t.Fatalf("create peer: %d %s", r.Status, r.Body)
				}
				var created struct{ ID string }
				r.JSON(t, &created)
				regs := func() registrations {
					t.Helper()
					r := n.Do(t, http.MethodGet, "/api/peers/"+created.ID+"/registrations", ten.Token, nil)
					var l registrations
					r.JSON(t, &l)
					return l
				}
				if !runSIPp(t, bin, "register.xml", c.transport, n.SIPAddr, user, "Secret123") {
					t.Fatal("register.xml failed")
				}
				if l := regs(); l.Count != 1 || l.Items[0].UserAgent != "SIPp" || l.Items[0].Transport != c.want {
					t.Fatalf("after register.xml: %+v", l)
				}
				if !runSIPp(t, bin, "wrong_password.xml", c.transport, n.SIPAddr, user, "Wrong1234") {
					t.Error("wrong_password.xml failed")
				}
				if !runSIPp(t, bin, "wrong_password.xml", c.transport, n.SIPAddr, "nobody"+c.name+"99", "Wrong1234") {
					t.Error("wrong_password.xml for an unknown user failed: it must be answered like a wrong password")
				}
				if l := regs(); l.Count != 1 {
					t.Errorf("after wrong passwords: %+v", l)
				}
				if !runSIPp(t, bin, "unregister.xml", c.transport, n.SIPAddr, user, "Secret123") {
					t.Error("unregister.xml failed")
				}
				if l := regs(); l.Count != 0 {
					t.Errorf("after unregister.xml: %+v", l)
				}
			})
		}
	})
}

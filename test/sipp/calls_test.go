package sipp_test

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
)

type cdr struct {
	Disposition string `json:"disposition"`
	SIPCode     int    `json:"sip_code"`
	DstNumber   string `json:"dst_number"`
	SrcNumber   string `json:"src_number"`
	Billsec     int    `json:"billsec"`
	DstUA       string `json:"dst_user_agent"`
	SrcUA       string `json:"src_user_agent"`
}

// TestSIPpCalls: a SIPp callee registers, then answers (hanging up itself
// or letting the caller hang up), is busy or rings until cancelled, a call a SIPp caller places by extension; each
// call leaves its CDR in the API.
func TestSIPpCalls(t *testing.T) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp is not installed (Debian package sip-tester)")
	}
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind, servertest.Options{SIP: "127.0.0.1:0"})
		ten := n.MustTenant(t, n.AdminToken, "", "SIPp Calls", "reseller")
		peer := func(user string) string {
			t.Helper()
			return n.MustCreate(t, "/api/peers", ten.Token, map[string]any{"friendly_name": "SIPp " + user,
				"host_type": "dynamic", "username": user, "password": "Secret123", "callerid_mode": "device"})
		}
		peer("sippcaller1")
		callee := peer("sippcallee1")
		n.MustCreate(t, "/api/extensions", ten.Token, map[string]any{"extension": 2500, "friendly_name": "SIPp desk", "peer_ids": []string{callee}})

		// The callee registers from the port its UAS scenarios listen on.
		port := servertest.FreePort(t)
		if !runScenario(t, bin, "register.xml", port, n.SIPAddr, "-t", "u1", "-s", "sippcallee1", "-au", "sippcallee1", "-ap", "Secret123") {
			t.Fatal("the callee's register.xml failed")
		}
		calls := 0
		for _, c := range []struct {
			name, uas, uac, disposition string
			code                        int
		}{
			{"answered", "uas_answer.xml", "uac_call.xml", "answered", 200},
			{"callee_hangs_up", "uas_answer_hangup.xml", "uac_call_callee_hangs_up.xml", "answered", 200},
			{"busy", "uas_busy.xml", "uac_busy.xml", "busy", 486},
			{"cancelled", "uas_ring.xml", "uac_cancel.xml", "cancelled", 487},
		} {
			t.Run(c.name, func(t *testing.T) {
				uas := make(chan bool, 1)
				go func() { uas <- runScenario(t, bin, c.uas, port, "", "-t", "u1") }()
				time.Sleep(300 * time.Millisecond) // the UAS binds its port
				if !runScenario(t, bin, c.uac, servertest.FreePort(t), n.SIPAddr, "-t", "u1", "-s", "2500", "-key", "caller", "sippcaller1",
					"-au", "sippcaller1", "-ap", "Secret123") {
					t.Errorf("caller %s failed", c.uac)
				}
				if !<-uas {
					t.Errorf("callee %s failed", c.uas)
				}
				calls++
				got := lastCDR(t, n, ten.Token, calls)
				if got.Disposition != c.disposition || got.SIPCode != c.code || got.DstNumber != "2500" || got.SrcNumber != "sippcaller1" {
					t.Errorf("cdr %+v, want %s %d", got, c.disposition, c.code)
				}
				if c.disposition == "answered" && (got.Billsec < 1 || got.DstUA != "SIPp callee" || got.SrcUA != "SIPp caller") {
					t.Errorf("answered cdr %+v", got)
				}
			})
		}
	})
}

// lastCDR waits for the count-th CDR and returns the newest.
func lastCDR(t *testing.T, n *servertest.Node, token string, count int) cdr {
	t.Helper()
	for deadline := time.Now().Add(8 * time.Second); ; {
		r := n.Do(t, http.MethodGet, "/api/cdrs?top=1", token, nil)
		var l struct {
			Count int   `json:"count"`
			Items []cdr `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &l); err != nil {
			t.Fatalf("cdrs: %s", r.Body)
		}
		if l.Count >= count {
			return l.Items[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d cdrs, want %d", l.Count, count)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

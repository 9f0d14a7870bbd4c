package server_test

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"switchboard/internal/server/servertest"
)

// sipPhone is a minimal SIP user agent over a real socket: it writes
// requests by hand, so a test can replay, corrupt or omit anything.
type sipPhone struct {
	t         *testing.T
	transport string
	conn      net.Conn
	rd        *bufio.Reader
	server    string
	callID    string
	cseq      int
	ua        string
}

func dialPhone(t *testing.T, transport, addr string) *sipPhone {
	t.Helper()
	c, err := net.Dial(strings.ToLower(transport), addr)
	if err != nil {
		t.Fatalf("dial %s %s: %v", transport, addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &sipPhone{t: t, transport: strings.ToUpper(transport), conn: c, rd: bufio.NewReader(c), server: addr,
		callID: randHex(8) + "@test", ua: "TestPhone/1.0"}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// registerText builds a REGISTER for user with the given Contact header
// values (each sent as its own header) and extra headers.
func (p *sipPhone) registerText(user string, contacts []string, extra ...string) string {
	p.cseq++
	local := p.conn.LocalAddr().String()
	var b strings.Builder
	fmt.Fprintf(&b, "REGISTER sip:%s SIP/2.0\r\n", p.server)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s %s;branch=z9hG4bK%s;rport\r\n", p.transport, local, randHex(6))
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: <sip:%s@%s>;tag=%s\r\n", user, p.server, randHex(4))
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", user, p.server)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d REGISTER\r\n", p.callID, p.cseq)
	for _, c := range contacts {
		fmt.Fprintf(&b, "Contact: %s\r\n", c)
	}
	if p.ua != "" {
		fmt.Fprintf(&b, "User-Agent: %s\r\n", p.ua)
	}
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// send writes raw and returns the answer, nil when none came in wait.
func (p *sipPhone) send(raw string, wait time.Duration) *sip.Response {
	p.t.Helper()
	if _, err := io.WriteString(p.conn, raw); err != nil {
		p.t.Fatalf("write: %v", err)
	}
	_ = p.conn.SetReadDeadline(time.Now().Add(wait))
	var data []byte
	if p.transport == "UDP" {
		buf := make([]byte, 65535)
		n, err := p.conn.Read(buf)
		if err != nil {
			return nil
		}
		data = buf[:n]
	} else {
		var sb strings.Builder
		length := 0
		for {
			line, err := p.rd.ReadString('\n')
			if err != nil {
				return nil
			}
			sb.WriteString(line)
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
			if line == "\r\n" {
				break
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(p.rd, body); err != nil {
			return nil
		}
		data = append([]byte(sb.String()), body...)
	}
	m, err := sip.ParseMessage(data)
	if err != nil {
		p.t.Fatalf("parse answer %q: %v", data, err)
	}
	res, ok := m.(*sip.Response)
	if !ok {
		p.t.Fatalf("not a response: %q", data)
	}
	return res
}

func (p *sipPhone) mustSend(raw string) *sip.Response {
	p.t.Helper()
	res := p.send(raw, 3*time.Second)
	if res == nil {
		p.t.Fatalf("no answer to %q", raw)
	}
	return res
}

// authorization answers the challenge of algorithm in res.
func (p *sipPhone) authorization(res *sip.Response, algorithm, user, password string) string {
	p.t.Helper()
	for _, h := range res.GetHeaders("WWW-Authenticate") {
		chal, err := digest.ParseChallenge(h.Value())
		if err != nil {
			p.t.Fatalf("challenge %q: %v", h.Value(), err)
		}
		if strings.EqualFold(chal.Algorithm, algorithm) {
			cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:" + p.server, Username: user, Password: password, Count: 1})
			if err != nil {
				p.t.Fatal(err)
			}
			return "Authorization: " + cred.String()
		}
	}
	p.t.Fatalf("no %s challenge in %s", algorithm, res)
	return ""
}

// register runs REGISTER, 401, REGISTER with credentials; it returns the
// final answer.
func (p *sipPhone) register(algorithm, user, password string, contacts []string, extra ...string) *sip.Response {
	p.t.Helper()
	res := p.mustSend(p.registerText(user, contacts, extra...))
	if res.StatusCode != 401 {
		p.t.Fatalf("first REGISTER: %d %s, want 401", res.StatusCode, res.Reason)
	}
	return p.mustSend(p.registerText(user, contacts, append(extra, p.authorization(res, algorithm, user, password))...))
}

func contactsOf(res *sip.Response) map[string]int {
	out := map[string]int{}
	for _, h := range res.GetHeaders("Contact") {
		c := h.(*sip.ContactHeader)
		e, _ := strconv.Atoi(c.Params.GetOr("expires", "-1"))
		out[c.Address.String()] = e
	}
	return out
}

// sipPeer creates a dynamic peer through the native API.
func sipPeer(t *testing.T, n *servertest.Node, token, username, password string, kv ...any) string {
	t.Helper()
	body := bodyWith(map[string]any{"friendly_name": "Desk " + username, "host_type": "dynamic", "username": username,
		"password": password, "callerid_mode": "device"}, kv...)
	return n.MustCreate(t, "/api/peers", token, body)
}

type registrationList struct {
	Count int
	Items []struct {
		RawContact   string    `json:"contact"`
		RawSource    string    `json:"source"`
		RawTransport string    `json:"transport"`
		RawUA        string    `json:"user_agent"`
		ExpiresAt    time.Time `json:"expires_at"`
		Reachable    bool      `json:"reachable"`
	}
}

func registrations(t *testing.T, n *servertest.Node, token, peerID string) registrationList {
	t.Helper()
	r := n.Do(t, http.MethodGet, "/api/peers/"+peerID+"/registrations", token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("registrations: %d %s", r.Status, r.Body)
	}
	var l registrationList
	r.JSON(t, &l)
	return l
}

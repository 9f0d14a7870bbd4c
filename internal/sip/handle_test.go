package sip_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"switchboard/internal/peer"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	sipengine "switchboard/internal/sip"
)

// memStore is an in-memory peer.Store holding one peer, enough for the
// registrar's message handling.
type memStore struct {
	mu    sync.Mutex
	peer  peer.Peer
	regs  map[string]peer.Registration
	calls atomic.Int64
}

var _ peer.Store = (*memStore)(nil)

func newMemStore() *memStore {
	p := peer.Peer{ID: 7, AccountID: 1, Username: "alice1001", HostType: "dynamic", Status: "enabled", Realm: "switchboard",
		HA1MD5: peer.HA1("MD5", "alice1001", "switchboard", "Secret123"), HA1SHA256: peer.HA1("SHA-256", "alice1001", "switchboard", "Secret123"),
		RegisterTimeout: 3600}
	return &memStore{peer: p, regs: map[string]peer.Registration{}}
}

func (m *memStore) PeerByUsername(_ context.Context, u string) (peer.Peer, error) {
	m.calls.Add(1)
	if u == m.peer.Username {
		return m.peer, nil
	}
	return peer.Peer{}, problem.NotFoundf("no such peer")
}
func (m *memStore) ApplyBindings(_ context.Context, id int64, c peer.BindingChange) ([]peer.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.RemoveAll {
		m.regs = map[string]peer.Registration{}
	}
	for _, r := range c.Remove {
		delete(m.regs, r)
	}
	for _, r := range c.Upsert {
		m.regs[r.Contact] = r
	}
	return m.list(), nil
}
func (m *memStore) list() []peer.Registration {
	out := []peer.Registration{}
	for _, r := range m.regs {
		out = append(out, r)
	}
	return out
}
func (m *memStore) Registrations(context.Context, int64, time.Time) ([]peer.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.list(), nil
}
func (m *memStore) CreatePeer(context.Context, *peer.Peer) error             { return nil }
func (m *memStore) GetPeer(context.Context, int64, int64) (peer.Peer, error) { return m.peer, nil }
func (m *memStore) ListPeers(context.Context, int64, peer.Filter, query.Params) ([]peer.Peer, int, error) {
	return nil, 0, nil
}
func (m *memStore) UpdatePeer(context.Context, *peer.Peer) error                  { return nil }
func (m *memStore) DeletePeer(context.Context, int64, int64) error                { return nil }
func (m *memStore) PeerByID(context.Context, int64) (peer.Peer, error)            { return m.peer, nil }
func (m *memStore) StaticPeers(context.Context, string, int) ([]peer.Peer, error) { return nil, nil }
func (m *memStore) DueQualify(context.Context, int64, time.Time, int) ([]peer.QualifyTarget, error) {
	return nil, nil
}
func (m *memStore) MarkQualified(context.Context, int64, bool, time.Time) error  { return nil }
func (m *memStore) PruneRegistrations(context.Context, time.Time) (int64, error) { return 0, nil }

type seqIDs struct{ n atomic.Int64 }

func (s *seqIDs) Next() int64 { return s.n.Add(1) }

func newEngine(t testing.TB, cfg sipengine.Config) (*sipengine.Engine, *memStore) {
	t.Helper()
	st := newMemStore()
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := sipengine.New(cfg, st, &seqIDs{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return e, st
}

func parseRequest(t testing.TB, raw string) *sip.Request {
	t.Helper()
	m, err := sip.ParseMessage([]byte(raw))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	req := m.(*sip.Request)
	req.SetSource("192.0.2.9:5062")
	req.SetTransport("UDP")
	return req
}

func registerMsg(cseq int, extra ...string) string {
	return "REGISTER sip:192.0.2.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK" + fmt.Sprint(cseq) + "\r\n" +
		"From: <sip:alice1001@192.0.2.1>;tag=1\r\nTo: <sip:alice1001@192.0.2.1>\r\n" +
		"Call-ID: c1\r\nCSeq: " + fmt.Sprint(cseq) + " REGISTER\r\nMax-Forwards: 70\r\n" +
		"Contact: <sip:alice1001@10.0.0.5:5062>\r\n" + strings.Join(extra, "") + "Content-Length: 0\r\n\r\n"
}

func answer(t *testing.T, res *sip.Response, alg, pw string) string {
	t.Helper()
	for _, h := range res.GetHeaders("WWW-Authenticate") {
		c, _ := digest.ParseChallenge(h.Value())
		if c.Algorithm == alg {
			cred, err := digest.Digest(c, digest.Options{Method: "REGISTER", URI: "sip:192.0.2.1", Username: "alice1001", Password: pw, Count: 1})
			if err != nil {
				t.Fatal(err)
			}
			return "Authorization: " + cred.String() + "\r\n"
		}
	}
	t.Fatalf("no %s challenge", alg)
	return ""
}

func TestHandleRegister(t *testing.T) {
	e, st := newEngine(t, sipengine.Config{Algorithms: []string{"SHA-256", "MD5"}})
	ctx := context.Background()
	res := e.Handle(ctx, parseRequest(t, registerMsg(1)))
	chals := res.GetHeaders("WWW-Authenticate")
	if res.StatusCode != 401 || len(chals) != 2 || !strings.Contains(chals[0].Value(), "SHA-256") {
		t.Fatalf("challenge in the configured order: %s", res)
	}
	if chals[0].Value() == chals[1].Value() || !strings.Contains(chals[0].Value(), `qop="auth"`) {
		t.Errorf("each challenge has its own nonce and qop auth: %v", chals)
	}
	if v := res.Via(); v.Params.GetOr("received", "") != "192.0.2.9" {
		t.Errorf("received not added for a Via host that is not the source: %v", v)
	}
	ok := e.Handle(ctx, parseRequest(t, registerMsg(2, answer(t, res, "SHA-256", "Secret123"))))
	if ok.StatusCode != 200 || len(st.regs) != 1 {
		t.Fatalf("SHA-256: %s", ok)
	}
	reg := st.regs["sip:alice1001@10.0.0.5:5062"]
	if reg.Source != "192.0.2.9:5062" || reg.Transport != "udp" || reg.Node != 1 {
		t.Errorf("binding %+v", reg)
	}
	// A cross-algorithm answer (the MD5 nonce answered with SHA-256) fails.
	res = e.Handle(ctx, parseRequest(t, registerMsg(3)))
	a := answer(t, res, "MD5", "Secret123")
	a = strings.Replace(a, "algorithm=MD5", "algorithm=SHA-256", 1)
	if r := e.Handle(ctx, parseRequest(t, registerMsg(4, a))); r.StatusCode == 200 {
		t.Errorf("an MD5 digest presented as SHA-256 passed")
	}
	// Contact: * needs Expires: 0.
	if r := e.Handle(ctx, parseRequest(t, strings.Replace(registerMsg(5), "Contact: <sip:alice1001@10.0.0.5:5062>", "Contact: *", 1))); r.StatusCode != 401 {
		t.Errorf("unauthenticated Contact: * %d", r.StatusCode)
	}
	if r := e.Handle(ctx, parseRequest(t, "OPTIONS sip:192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKo\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")); r.StatusCode != 200 {
		t.Errorf("OPTIONS: %d", r.StatusCode)
	}
	if r := e.Handle(ctx, parseRequest(t, "INVITE sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKi\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: i\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")); r.StatusCode != 405 {
		t.Errorf("INVITE before calls exist: %d", r.StatusCode)
	}
}

// FuzzHandle feeds arbitrary bytes through the parser and the whole
// request handler: nothing may panic, and any answer must serialise.
func FuzzHandle(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.sip")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(registerMsg(1)))
	f.Add([]byte(registerMsg(2, `Authorization: Digest username="alice1001", realm="switchboard", nonce="x", uri="sip:a", response="00", nc=zz, qop=auth`+"\r\n")))
	f.Add([]byte(inviteMsg(1)))
	f.Add([]byte(inviteMsg(2, `Proxy-Authorization: Digest username="alice1001", realm="switchboard", nonce="x", uri="sip:2000@192.0.2.1", response="00"`+"\r\n")))
	e := routedEngine(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := sip.ParseMessage(data)
		if err != nil {
			return
		}
		req, ok := m.(*sip.Request)
		if !ok {
			return
		}
		req.SetSource("192.0.2.9:5062")
		if res := e.Handle(ctx, req); res != nil {
			_ = res.String()
		}
	})
}

package sip_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"switchboard/internal/account"
	"switchboard/internal/cdr"
	"switchboard/internal/extension"
	"switchboard/internal/problem"
	sipengine "switchboard/internal/sip"
)

type noExtensions struct{}

func (noExtensions) ExtensionByNumber(context.Context, int64, int) (extension.Extension, error) {
	return extension.Extension{}, problem.NotFoundf("no such extension")
}

type noSubaccounts struct{}

func (noSubaccounts) GetSubaccount(context.Context, int64, int64) (account.Subaccount, error) {
	return account.Subaccount{}, problem.NotFoundf("no such subaccount")
}

type cdrLog struct {
	mu   sync.Mutex
	cdrs []cdr.CDR
}

func (l *cdrLog) Record(_ context.Context, c cdr.CDR) {
	l.mu.Lock()
	l.cdrs = append(l.cdrs, c)
	l.mu.Unlock()
}

func routedEngine(t testing.TB) *sipengine.Engine {
	e, _ := newEngine(t, sipengine.Config{})
	e.Route(sipengine.Routing{Extensions: noExtensions{}, Subaccounts: noSubaccounts{}, CDRs: &cdrLog{}})
	return e
}

func inviteMsg(cseq int, extra ...string) string {
	return "INVITE sip:2000@192.0.2.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKinv" + strings.Repeat("x", cseq) + "\r\n" +
		"From: <sip:alice1001@192.0.2.1>;tag=1\r\nTo: <sip:2000@192.0.2.1>\r\n" +
		"Call-ID: inv1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" +
		"Contact: <sip:alice1001@10.0.0.5:5062>\r\n" + strings.Join(extra, "") + "Content-Length: 0\r\n\r\n"
}

// TestHandleInvite: with routing on, an INVITE is challenged with 407 and
// Proxy-Authenticate, a wrong password gets the registrar's 403, a right
// answer passes to routing (nil: the call is placed on the transaction),
// and a replay of that answer is challenged again as stale.
func TestHandleInvite(t *testing.T) {
	e := routedEngine(t)
	ctx := context.Background()
	res := e.Handle(ctx, parseRequest(t, inviteMsg(1)))
	if res == nil || res.StatusCode != 407 || res.GetHeader("Proxy-Authenticate") == nil || res.GetHeader("WWW-Authenticate") != nil {
		t.Fatalf("challenge: %v", res)
	}
	answer := func(res *sip.Response, pw string) string {
		c, err := digest.ParseChallenge(res.GetHeader("Proxy-Authenticate").Value())
		if err != nil {
			t.Fatal(err)
		}
		cred, err := digest.Digest(c, digest.Options{Method: "INVITE", URI: "sip:2000@192.0.2.1", Username: "alice1001", Password: pw, Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		return "Proxy-Authorization: " + cred.String() + "\r\n"
	}
	if r := e.Handle(ctx, parseRequest(t, inviteMsg(2, answer(res, "Wrong999")))); r == nil || r.StatusCode != 403 {
		t.Errorf("wrong password: %v, want 403", r)
	}
	res = e.Handle(ctx, parseRequest(t, inviteMsg(3)))
	good := answer(res, "Secret123")
	if r := e.Handle(ctx, parseRequest(t, inviteMsg(4, good))); r != nil {
		t.Fatalf("authenticated INVITE: %v, want nil (routable)", r)
	}
	if r := e.Handle(ctx, parseRequest(t, inviteMsg(5, good))); r == nil || r.StatusCode != 407 || !strings.Contains(r.GetHeader("Proxy-Authenticate").Value(), "stale=true") {
		t.Errorf("replayed answer: %v, want 407 stale", r)
	}
	noContact := strings.Replace(inviteMsg(6), "Contact: <sip:alice1001@10.0.0.5:5062>\r\n", "", 1)
	if r := e.Handle(ctx, parseRequest(t, noContact)); r == nil || r.StatusCode != 400 {
		t.Errorf("INVITE without Contact: %v, want 400", r)
	}
	inDialog := strings.Replace(inviteMsg(7), "To: <sip:2000@192.0.2.1>", "To: <sip:2000@192.0.2.1>;tag=zz", 1)
	if r := e.Handle(ctx, parseRequest(t, inDialog)); r == nil || r.StatusCode != 481 {
		t.Errorf("re-INVITE of no call: %v, want 481", r)
	}
	opt := e.Handle(ctx, parseRequest(t, "OPTIONS sip:192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKo\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"))
	if opt == nil || !strings.Contains(opt.GetHeader("Allow").Value(), "INVITE") {
		t.Errorf("OPTIONS Allow with calls on: %v", opt)
	}
}

package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// goUA is a SIP phone built on sipgo over a real socket: it registers,
// calls with digest, and answers INVITEs the way a test tells it to.
type goUA struct {
	t         *testing.T
	user      string
	password  string
	server    string // the node's SIP address
	transport string
	ua        *sipgo.UserAgent
	cli       *sipgo.Client
	srv       *sipgo.Server
	dialogs   *sipgo.DialogServerCache

	mu sync.Mutex
	// answer decides an incoming call: the final code (200 answers with
	// SDP, 0 rings until cancelled) after ringing for delay.
	answer  func() (code int, delay time.Duration)
	invites chan *sip.Request
	inbound *sipgo.DialogServerSession
	out     *sipgo.DialogClientSession
	byes    chan struct{}
	// reinvites receives the SDP of every re-INVITE the phone is sent.
	reinvites chan string
}

const testSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

func newGoUA(t *testing.T, server, transport, user, password string) *goUA {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("GoUA-"+user), sipgo.WithUserAgentHostname("127.0.0.1"),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	u := &goUA{t: t, user: user, password: password, server: server, transport: transport, ua: ua, cli: cli, srv: srv,
		invites: make(chan *sip.Request, 8), byes: make(chan struct{}, 8), reinvites: make(chan string, 8),
		answer: func() (int, time.Duration) { return 200, 0 }}
	u.dialogs = sipgo.NewDialogServerCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1"}})
	srv.OnInvite(u.onInvite)
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = u.dialogs.ReadAck(req, tx) })
	srv.OnBye(u.onBye)
	t.Cleanup(func() { ua.Close() })
	return u
}

func (u *goUA) uri(user string) sip.Uri {
	host, port, _ := sip.ParseAddr(u.server)
	uri := sip.Uri{Scheme: "sip", User: user, Host: host, Port: port}
	if u.transport == "tcp" {
		uri.UriParams = sip.NewParams()
		uri.UriParams.Add("transport", "tcp")
	}
	return uri
}

// register binds the phone's connection to its peer.
func (u *goUA) register() {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := sip.NewRequest(sip.REGISTER, u.uri(""))
	req.AppendHeader(&sip.ToHeader{Address: u.uri(u.user)})
	from := &sip.FromHeader{Address: u.uri(u.user), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: u.user, Host: "127.0.0.1", Port: 5999}})
	req.AppendHeader(sip.NewHeader("Expires", "600"))
	req.SetTransport(u.transport)
	res, err := u.cli.Do(ctx, req)
	if err == nil && res.StatusCode == 401 {
		res, err = u.cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: u.user, Password: u.password})
	}
	if err != nil || res.StatusCode != 200 {
		u.t.Fatalf("%s register: %v %v", u.user, res, err)
	}
}

func (u *goUA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if _, ok := req.To().Params.Get("tag"); ok {
		// A re-INVITE: accept the offer, answer with it.
		u.reinvites <- string(req.Body())
		res := sip.NewSDPResponseFromRequest(req, req.Body())
		_ = tx.Respond(res)
		return
	}
	dlg, err := u.dialogs.ReadInvite(req, tx)
	if err != nil {
		return
	}
	u.mu.Lock()
	u.inbound = dlg
	code, delay := u.answer()
	u.mu.Unlock()
	u.invites <- req
	_ = dlg.Respond(sip.StatusRinging, "Ringing", nil)
	select {
	case <-time.After(delay):
	case <-dlg.Context().Done():
		return
	}
	switch code {
	case 0:
		<-dlg.Context().Done()
	case 200:
		res := sip.NewSDPResponseFromRequest(dlg.InviteRequest, []byte(testSDP))
		res.AppendHeader(sip.NewHeader("User-Agent", "GoUA-"+u.user))
		_ = dlg.WriteResponse(res)
	default:
		_ = dlg.Respond(code, "Test", nil)
	}
}

func (u *goUA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	u.mu.Lock()
	out := u.out
	u.mu.Unlock()
	if out != nil && out.InviteRequest.CallID().Value() == req.CallID().Value() {
		_ = out.ReadBye(req, tx)
	} else if err := u.dialogs.ReadBye(req, tx); err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "No Such Call", nil))
		return
	}
	u.byes <- struct{}{}
}

// call dials dst and waits for the answer (or the failure, whose code it
// returns). cancelAfter > 0 cancels the call that long after it rang.
func (u *goUA) call(dst string, cancelAfter time.Duration) (int, error) {
	u.t.Helper()
	dua := sipgo.DialogUA{Client: u.cli, ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: u.user, Host: "127.0.0.1"}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := sip.NewRequest(sip.INVITE, u.uri(dst))
	from := &sip.FromHeader{DisplayName: u.user, Address: u.uri(u.user), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody([]byte(testSDP))
	req.AppendHeader(sip.NewHeader("User-Agent", "GoUA-"+u.user))
	req.SetTransport(u.transport)
	sess, err := dua.WriteInvite(ctx, req)
	if err != nil {
		return 0, err
	}
	waitCtx := ctx
	if cancelAfter > 0 {
		var stop context.CancelFunc
		waitCtx, stop = context.WithCancel(ctx)
		defer stop()
		go func() {
			time.Sleep(cancelAfter)
			stop()
		}()
	}
	err = sess.WaitAnswer(waitCtx, sipgo.AnswerOptions{Username: u.user, Password: u.password})
	var dr *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &dr):
		return dr.Res.StatusCode, nil
	case err != nil:
		return 0, err
	}
	if sess.InviteResponse.Body() == nil || string(sess.InviteResponse.Body()) != testSDP {
		u.t.Errorf("answer SDP %q: want the callee's passed through unchanged", sess.InviteResponse.Body())
	}
	if err := sess.Ack(ctx); err != nil {
		return 0, err
	}
	u.mu.Lock()
	u.out = sess
	u.mu.Unlock()
	return 200, nil
}

// hangup sends BYE on the phone's call, whichever side it is.
func (u *goUA) hangup() {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u.mu.Lock()
	out, in := u.out, u.inbound
	u.mu.Unlock()
	var err error
	if out != nil {
		err = out.Bye(ctx)
	} else if in != nil {
		err = in.Bye(ctx)
	}
	if err != nil {
		u.t.Fatalf("%s bye: %v", u.user, err)
	}
}

// waitBye waits for the other side's BYE to reach this phone.
func (u *goUA) waitBye() {
	u.t.Helper()
	select {
	case <-u.byes:
	case <-time.After(5 * time.Second):
		u.t.Fatalf("%s: no BYE arrived", u.user)
	}
}

// setAnswer changes how the phone answers the next calls.
func (u *goUA) setAnswer(code int) {
	u.mu.Lock()
	u.answer = func() (int, time.Duration) { return code, 0 }
	u.mu.Unlock()
}

// forget drops the phone's current call, keeping out as its outgoing one.
func (u *goUA) forget(out *sipgo.DialogClientSession) {
	u.mu.Lock()
	u.out, u.inbound = out, nil
	u.mu.Unlock()
}

func (u *goUA) current() (*sipgo.DialogClientSession, *sipgo.DialogServerSession) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.out, u.inbound
}

// reinvite sends a re-INVITE with sdp on the phone's outgoing call and
// returns the SDP of the answer.
func (u *goUA) reinvite(sdp string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, _ := u.current()
	req := sip.NewRequest(sip.INVITE, out.InviteResponse.Contact().Address)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody([]byte(sdp))
	res, err := out.Do(ctx, req)
	if err != nil || res.StatusCode != 200 {
		u.t.Fatalf("re-INVITE: %v %v", res, err)
	}
	ack := sip.NewRequest(sip.ACK, req.Recipient)
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: req.CSeq().SeqNo, MethodName: sip.ACK})
	if err := out.WriteRequest(ack); err != nil {
		u.t.Fatalf("ACK of the re-INVITE: %v", err)
	}
	return string(res.Body())
}

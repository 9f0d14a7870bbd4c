package sip

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"switchboard/internal/account"
	"switchboard/internal/cdr"
	"switchboard/internal/extension"
	"switchboard/internal/peer"
	"switchboard/internal/problem"
)

// Routing is what the engine needs to place calls between peers. Without
// it INVITEs are refused with 405.
type Routing struct {
	Extensions interface {
		ExtensionByNumber(ctx context.Context, accountID int64, number int) (extension.Extension, error)
	}
	Subaccounts interface {
		GetSubaccount(ctx context.Context, scope, id int64) (account.Subaccount, error)
	}
	CDRs interface {
		Record(ctx context.Context, c cdr.CDR)
	}
}

// Route turns calls on; call it before Listen.
func (e *Engine) Route(r Routing) { e.routing = &r }

// call is one B2BUA call: the caller's leg (we are its UAS) and, once
// answered, one callee leg (we are its UAC). Its CDR is written once, by
// end.
type call struct {
	e        *Engine
	caller   peer.Peer
	in       *sipgo.DialogServerSession
	inSource string // where the caller's requests come from
	inTrans  string
	inCSeq   uint32 // our CSeq towards the caller
	mu       sync.Mutex
	out      *leg // the answered leg
	record   cdr.CDR
	ended    sync.Once
	hangup   context.CancelFunc // stops the maximum-duration timer
	counted  []int64            // peers and subaccounts whose counters this call holds
}

// leg is one INVITE we sent to a callee contact.
type leg struct {
	peer    peer.Peer
	target  Target
	sess    *sipgo.DialogClientSession
	callID  string
	ua      string
	cancel  context.CancelFunc
	success bool
}

// outcome is how ringing ended without an answer.
type outcome struct {
	code   int
	reason string
}

// counters keys: peer ids are positive, subaccount ids negated.
func (e *Engine) acquire(keys []int64, limits []int) bool {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	for i, k := range keys {
		if limits[i] > 0 && e.active[k] >= limits[i] {
			return false
		}
	}
	for _, k := range keys {
		e.active[k]++
	}
	return true
}

func (e *Engine) release(keys []int64) {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	for _, k := range keys {
		if e.active[k]--; e.active[k] <= 0 {
			delete(e.active, k)
		}
	}
}

// ActiveCalls reports how many calls the node is bridging or ringing.
func (e *Engine) ActiveCalls() int {
	n := 0
	e.dialogs.Range(func(_, v any) bool {
		if v.(side).caller {
			n++
		}
		return true
	})
	return n
}

// side is what a Call-ID names: the caller's leg or a callee's.
type side struct {
	c      *call
	caller bool
}

func (e *Engine) proxyChallenge(req *sip.Request, stale bool) *sip.Response {
	res := e.respond(req, sip.StatusProxyAuthRequired, "Proxy Authentication Required")
	for _, h := range e.challenge(req, stale).GetHeaders("WWW-Authenticate") {
		res.AppendHeader(sip.NewHeader("Proxy-Authenticate", h.Value()))
	}
	return res
}

// authorizeInvite authenticates an INVITE's Proxy-Authorization like the
// registrar does a REGISTER: the answer is nil and the calling peer, or
// the response to send.
func (e *Engine) authorizeInvite(ctx context.Context, req *sip.Request) (peer.Peer, *sip.Response) {
	h := req.GetHeader("Proxy-Authorization")
	if h == nil {
		return peer.Peer{}, e.proxyChallenge(req, false)
	}
	cred, err := parseCredentials(h.Value())
	if err != nil {
		return peer.Peer{}, e.respond(req, sip.StatusBadRequest, "Bad Request")
	}
	username := req.From().Address.User
	ipKey, userKey := "ip:"+sourceIP(req), "user:"+username
	if !e.guard.attempt(ipKey) || !e.guard.attempt(userKey) {
		return peer.Peer{}, e.forbidden(req)
	}
	p, ok := e.authenticate(ctx, req, username, cred)
	switch ok {
	case authOK:
	case authStale:
		return p, e.proxyChallenge(req, true)
	case authUnavailable:
		res := e.respond(req, sip.StatusServiceUnavailable, "Service Unavailable")
		res.AppendHeader(sip.NewHeader("Retry-After", "5"))
		return p, res
	default:
		e.guard.fail(ipKey)
		e.guard.fail(userKey)
		return p, e.forbidden(req)
	}
	e.guard.succeed(ipKey)
	e.guard.succeed(userKey)
	return p, nil
}

// plan is where an authenticated INVITE goes: groups of peers rung one
// after the other, each for its timeout (0: until the ring timeout).
type plan struct {
	dst     string
	groups  [][]peer.Peer
	timeout time.Duration
}

// planCall resolves the request URI's user within the caller's account:
// an extension, else a peer username. Anything else, including another
// account's peer, is not found.
func (e *Engine) planCall(ctx context.Context, caller peer.Peer, dst string) (plan, error) {
	pl := plan{dst: dst, timeout: e.cfg.RingTimeout}
	if n, err := strconv.Atoi(dst); err == nil && n >= extension.MinNumber && n <= extension.MaxNumber && len(dst) == 4 {
		ext, err := e.routing.Extensions.ExtensionByNumber(ctx, caller.AccountID, n)
		if err == nil {
			if ext.Status != "enabled" {
				return pl, problem.NotFoundf("extension disabled")
			}
			for _, id := range ext.PeerIDs {
				p, err := e.store.PeerByID(ctx, id)
				if err != nil || p.AccountID != caller.AccountID || p.Status != "enabled" {
					continue
				}
				pl.groups = append(pl.groups, []peer.Peer{p})
			}
			if ext.PeerTimeout > 0 {
				pl.timeout = time.Duration(ext.PeerTimeout) * time.Second
			}
			return pl, nil
		}
		if !problem.Is(err, problem.NotFound) {
			return pl, err
		}
	}
	p, err := e.store.PeerByUsername(ctx, dst)
	if err != nil {
		return pl, err
	}
	if p.AccountID != caller.AccountID || p.Status != "enabled" {
		return pl, problem.NotFoundf("no such peer")
	}
	pl.groups = [][]peer.Peer{{p}}
	return pl, nil
}

// newRecord starts the CDR of a call from the caller's INVITE.
func (e *Engine) newRecord(req *sip.Request, caller peer.Peer, dst string, start time.Time) cdr.CDR {
	ua := ""
	if h := req.GetHeader("User-Agent"); h != nil {
		ua = truncate(h.Value(), 256)
	}
	from := req.From()
	name := caller.CallerIDName
	if name == "" && from != nil {
		name = truncate(from.DisplayName, 64)
	}
	num := caller.CallerIDNumber
	if num == "" {
		num = caller.Username
	}
	return cdr.CDR{CallHash: cdr.NewHash(), AccountID: caller.AccountID, SubaccountID: caller.SubaccountID,
		Direction: "outbound", RoutingType: "internal", SrcNumber: caller.Username, SrcPeerID: caller.ID,
		DstNumber: truncate(dst, 64), CallerIDName: name, CallerIDNumber: num, StartedAt: start, SrcUserAgent: ua,
		SIPCallID: truncate(req.CallID().Value(), 256), Node: e.node}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// finish completes a CDR and hands it to the recorder.
func (e *Engine) finish(ctx context.Context, r cdr.CDR, disposition string, code int, reason string) {
	// The id is taken as the call ends: id order is the order CDRs are
	// logged in, which get_calls' call_hash polling relies on.
	r.ID = e.ids.Next()
	r.EndedAt = e.now().UTC().Truncate(time.Microsecond)
	r.Disposition, r.SIPCode, r.FailureReason = disposition, code, reason
	r.Duration = int(r.EndedAt.Sub(r.StartedAt).Round(time.Second) / time.Second)
	if !r.AnsweredAt.IsZero() {
		r.Billsec = int(r.EndedAt.Sub(r.AnsweredAt).Round(time.Second) / time.Second)
	}
	e.routing.CDRs.Record(ctx, r)
}

// onInvite is the handler of INVITE requests: a new call, or a re-INVITE
// inside one. It blocks until the caller's INVITE transaction is over,
// as sipgo ends the transaction when the handler returns.
func (e *Engine) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	defer e.recoverHandler()
	if e.routing == nil || req.To() == nil || req.CallID() == nil {
		e.serve(req, tx)
		return
	}
	if _, ok := req.To().Params.Get("tag"); ok {
		e.inDialog(req, tx)
		return
	}
	ctx := e.context()
	if e.dropped(req) {
		return
	}
	caller, res := e.inviteCheck(ctx, req)
	if res != nil {
		_ = tx.Respond(res)
		return
	}
	if !e.track() {
		_ = tx.Respond(e.respond(req, sip.StatusServiceUnavailable, "Service Unavailable"))
		return
	}
	defer e.calls.Done()
	e.placeCall(ctx, req, tx, caller)
}

// track counts a call goroutine Close waits for; false once Close began.
func (e *Engine) track() bool {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	if e.closing {
		return false
	}
	e.calls.Add(1)
	return true
}

func (e *Engine) context() context.Context {
	if e.ctx != nil {
		return e.ctx
	}
	return context.Background()
}

func (e *Engine) recoverHandler() {
	if r := recover(); r != nil {
		e.log.Error("sip handler panic", "panic", r)
	}
}

// inviteCheck is the message path of a new INVITE up to routing (so the
// fuzz target covers it): the calling peer, or the final answer.
func (e *Engine) inviteCheck(ctx context.Context, req *sip.Request) (peer.Peer, *sip.Response) {
	if e.routing == nil {
		res := e.respond(req, sip.StatusMethodNotAllowed, "Method Not Allowed")
		res.AppendHeader(sip.NewHeader("Allow", "REGISTER, OPTIONS"))
		return peer.Peer{}, res
	}
	if _, ok := req.To().Params.Get("tag"); ok {
		return peer.Peer{}, e.respond(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
	}
	if req.Contact() == nil || req.Recipient.User == "" {
		return peer.Peer{}, e.respond(req, sip.StatusBadRequest, "Bad Request")
	}
	return e.authorizeInvite(ctx, req)
}

func (e *Engine) placeCall(ctx context.Context, req *sip.Request, tx sip.ServerTransaction, caller peer.Peer) {
	start := e.now().UTC().Truncate(time.Microsecond)
	dst := req.Recipient.User
	rec := e.newRecord(req, caller, dst, start)
	fail := func(code int, reason, disposition, why string) {
		r := e.respond(req, code, reason)
		if why != "" {
			r.AppendHeader(sip.NewHeader("Reason", `SIP;cause=`+strconv.Itoa(code)+`;text="`+why+`"`))
		}
		_ = tx.Respond(r)
		e.finish(ctx, rec, disposition, code, why)
	}
	pl, err := e.planCall(ctx, caller, dst)
	if problem.Is(err, problem.NotFound) {
		fail(sip.StatusNotFound, "Not Found", "invalid", "no_such_destination")
		return
	}
	if err != nil {
		e.log.Error("sip call routing", "err", err)
		fail(sip.StatusServiceUnavailable, "Service Unavailable", "failed", "routing_unavailable")
		return
	}
	keys, limits := []int64{caller.ID}, []int{caller.SimultaneousCallsLimit}
	if caller.SubaccountID != 0 {
		if sub, err := e.routing.Subaccounts.GetSubaccount(ctx, caller.AccountID, caller.SubaccountID); err == nil {
			keys, limits = append(keys, -sub.ID), append(limits, sub.CallLimit)
		}
	}
	if !e.acquire(keys, limits) {
		fail(sip.StatusBusyHere, "Busy Here", "denied", "call_limit_exceeded")
		return
	}
	ua := e.dialogUA(req)
	in, err := ua.ReadInvite(req, tx)
	if err != nil {
		e.release(keys)
		fail(sip.StatusBadRequest, "Bad Request", "failed", "bad_invite")
		return
	}
	c := &call{e: e, caller: caller, in: in, inSource: req.Source(),
		inTrans: req.Transport(), inCSeq: 1, record: rec, counted: keys}
	callID := req.CallID().Value()
	e.dialogs.Store(callID, side{c: c, caller: true})
	_ = in.Respond(sip.StatusTrying, "Trying", nil)
	ringCtx, stopRing := context.WithCancel(in.Context())
	stopOnClose := context.AfterFunc(e.context(), stopRing)
	out, why := c.ring(ringCtx, req, pl)
	stopOnClose()
	stopRing()
	if out == nil {
		e.dialogs.Delete(callID)
		e.release(keys)
		if e.context().Err() != nil {
			_ = in.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
			e.finish(ctx, rec, "failed", sip.StatusServiceUnavailable, "node_shutdown")
			return
		}
		if in.Context().Err() != nil || errors.Is(tx.Err(), sip.ErrTransactionCanceled) {
			// sipgo answered the CANCEL and the INVITE's 487.
			e.finish(ctx, rec, "cancelled", sip.StatusRequestTerminated, "caller_cancelled")
			return
		}
		code, reason, disposition := mapFailure(why.code)
		r := sip.NewResponseFromRequest(in.InviteRequest, code, reason, nil)
		if why.reason != "" {
			r.AppendHeader(sip.NewHeader("Reason", `SIP;cause=`+strconv.Itoa(why.code)+`;text="`+why.reason+`"`))
		}
		_ = in.WriteResponse(r)
		e.finish(ctx, rec, disposition, code, why.reason)
		return
	}
	c.bridge(ctx, out)
}

// mapFailure turns the best callee answer into the caller's answer and the
// CDR's disposition.
func mapFailure(code int) (int, string, string) {
	switch code {
	case sip.StatusBusyHere, 600:
		return sip.StatusBusyHere, "Busy Here", "busy"
	case 603:
		return 603, "Decline", "busy"
	case sip.StatusNotFound, 604:
		return sip.StatusNotFound, "Not Found", "invalid"
	case 0, sip.StatusRequestTimeout, sip.StatusTemporarilyUnavailable:
		return sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", "no_answer"
	case sip.StatusRequestTerminated:
		return sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", "no_answer"
	default:
		if code >= 500 {
			return sip.StatusServiceUnavailable, "Service Unavailable", "failed"
		}
		return code, "Call Failed", "failed"
	}
}

// rank orders callee answers for the one to pass on (RFC 3261 §16.7
// in spirit): a decline or busy beats not found, which beats no answer.
func rank(code int) int {
	switch {
	case code >= 600:
		return 5
	case code == sip.StatusBusyHere:
		return 4
	case code == sip.StatusNotFound:
		return 2
	case code == 0, code == sip.StatusRequestTimeout, code == sip.StatusRequestTerminated, code == sip.StatusTemporarilyUnavailable:
		return 1
	default:
		return 3
	}
}

func (e *Engine) dialogUA(req *sip.Request) *sipgo.DialogUA {
	return &sipgo.DialogUA{Client: e.client, RewriteContact: true, ContactHDR: sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", Host: e.advHost, Port: e.advPort}}}
}

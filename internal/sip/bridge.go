package sip

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"switchboard/internal/peer"
)

// ring rings the plan's groups in order and returns the first leg that
// answered, or how ringing ended. callerCtx ends when the caller cancels.
func (c *call) ring(callerCtx context.Context, req *sip.Request, pl plan) (*leg, outcome) {
	best := outcome{code: sip.StatusTemporarilyUnavailable, reason: "no_contacts"}
	for _, group := range pl.groups {
		if callerCtx.Err() != nil {
			return nil, best
		}
		out, why := c.ringGroup(callerCtx, req, group, pl.timeout)
		if out != nil {
			return out, why
		}
		if rank(why.code) > rank(best.code) || best.reason == "no_contacts" {
			best = why
		}
	}
	return nil, best
}

// ringGroup rings every contact of the group's peers in parallel for at
// most timeout; the first 2xx wins and the others are cancelled.
func (c *call) ringGroup(callerCtx context.Context, req *sip.Request, group []peer.Peer, timeout time.Duration) (*leg, outcome) {
	e := c.e
	ctx, cancel := context.WithTimeout(callerCtx, timeout)
	defer cancel()
	var legs []*leg
	best := outcome{code: sip.StatusTemporarilyUnavailable, reason: "no_contacts"}
	for _, p := range group {
		if !e.acquire([]int64{p.ID}, []int{p.SimultaneousCallsLimit}) {
			best = outcome{code: sip.StatusBusyHere, reason: "callee_call_limit"}
			continue
		}
		targets, err := e.Locator.Targets(ctx, p)
		if err != nil {
			e.log.Error("sip locate", "peer", p.ID, "err", err)
		}
		n := 0
		for _, t := range targets {
			if t.Reachable {
				legs = append(legs, &leg{peer: p, target: t})
				n++
			}
		}
		if n == 0 {
			e.release([]int64{p.ID})
		}
	}
	if len(legs) == 0 {
		return nil, best
	}
	type result struct {
		l   *leg
		err error
	}
	results := make(chan result, len(legs))
	var mu sync.Mutex
	var winner *leg
	for _, l := range legs {
		lctx, lcancel := context.WithCancel(ctx)
		l.cancel = lcancel
		if !e.track() {
			lcancel()
			results <- result{l, errors.New("engine closing")}
			continue
		}
		go func() {
			defer c.e.calls.Done()
			defer lcancel()
			err := c.dial(lctx, req, l, func() bool {
				mu.Lock()
				defer mu.Unlock()
				if winner != nil {
					return false
				}
				winner = l
				return true
			})
			results <- result{l, err}
		}()
	}
	var answered *leg
	for range legs {
		r := <-results
		var dr *sipgo.ErrDialogResponse
		switch {
		case r.err == nil && r.l == winner:
			answered = r.l
		case r.err == nil:
		case errors.As(r.err, &dr):
			if rank(dr.Res.StatusCode) > rank(best.code) || best.reason == "no_contacts" || best.reason == "no_answer" {
				best = outcome{code: dr.Res.StatusCode, reason: failureText(dr.Res.StatusCode)}
			}
		default:
			if best.reason == "no_contacts" {
				best = outcome{code: sip.StatusRequestTimeout, reason: "no_answer"}
			}
		}
		if answered != nil {
			// The other legs are cancelled and end on their own; their
			// results land in the buffered channel.
			for _, o := range legs {
				if o != answered {
					o.cancel()
				}
			}
			break
		}
	}
	// Release the peers rung but not bridged: the bridged peer keeps its
	// one count until the call ends.
	released := map[int64]bool{}
	for _, l := range legs {
		if (answered != nil && l.peer.ID == answered.peer.ID) || released[l.peer.ID] {
			continue
		}
		released[l.peer.ID] = true
		e.release([]int64{l.peer.ID})
	}
	if answered != nil {
		return answered, outcome{code: 200}
	}
	return nil, best
}

func failureText(code int) string {
	switch code {
	case sip.StatusBusyHere, 600:
		return "callee_busy"
	case 603:
		return "callee_declined"
	case sip.StatusNotFound:
		return "callee_not_found"
	case sip.StatusRequestTerminated, sip.StatusRequestTimeout, sip.StatusTemporarilyUnavailable:
		return "no_answer"
	default:
		return "callee_failed"
	}
}

// dial sends the INVITE of one leg and waits for its answer, relaying
// provisional answers with their SDP to the caller. win is asked on a 2xx:
// a leg that answers after another is acknowledged and hung up.
func (c *call) dial(ctx context.Context, in *sip.Request, l *leg, win func() bool) error {
	e := c.e
	var uri sip.Uri
	if err := sip.ParseUri(l.target.Contact, &uri); err != nil {
		return err
	}
	out := sip.NewRequest(sip.INVITE, uri)
	fromName := c.record.CallerIDName
	from := &sip.FromHeader{DisplayName: fromName, Address: sip.Uri{Scheme: "sip", User: c.record.CallerIDNumber, Host: e.advHost},
		Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	out.AppendHeader(from)
	out.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: l.peer.Username, Host: e.advHost}, Params: sip.NewParams()})
	l.callID = sip.GenerateTagN(24) + "@" + e.advHost
	cid := sip.CallIDHeader(l.callID)
	out.AppendHeader(&cid)
	out.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	if ct := in.ContentType(); ct != nil {
		out.AppendHeader(sip.HeaderClone(ct))
	}
	out.SetBody(in.Body())
	out.SetDestination(l.target.Address)
	tr := l.target.Transport
	if tr == "" {
		tr = "udp"
	}
	out.SetTransport(sip.NetworkToLower(tr))
	ua := e.dialogUA(in)
	sess, err := ua.WriteInvite(ctx, out)
	if err != nil {
		return err
	}
	l.sess = sess
	e.dialogs.Store(l.callID, side{c: c})
	defer func() {
		if !l.success {
			e.dialogs.Delete(l.callID)
			sess.Close()
		}
	}()
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		if res.StatusCode == sip.StatusRinging || res.StatusCode == sip.StatusSessionInProgress {
			var hdrs []sip.Header
			if ct := res.ContentType(); ct != nil {
				hdrs = append(hdrs, sip.HeaderClone(ct))
			}
			if err := c.in.Respond(res.StatusCode, res.Reason, res.Body(), hdrs...); err != nil {
				e.log.Debug("sip relay provisional", "err", err)
			}
		}
		return nil
	}})
	if err != nil {
		return err
	}
	if h := sess.InviteResponse.GetHeader("User-Agent"); h != nil {
		l.ua = truncate(h.Value(), 256)
	} else if h := sess.InviteResponse.GetHeader("Server"); h != nil {
		l.ua = truncate(h.Value(), 256)
	}
	if err := sess.Ack(context.WithoutCancel(ctx)); err != nil {
		e.log.Debug("sip ack", "err", err)
	}
	if !win() {
		bctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sess.Bye(bctx)
		return errors.New("answered after another leg")
	}
	l.success = true
	return nil
}

// bridge answers the caller with the callee's SDP and holds the call
// until a BYE from either side or the maximum duration.
func (c *call) bridge(ctx context.Context, l *leg) {
	e := c.e
	hctx, hangup := context.WithTimeout(e.context(), e.cfg.MaxCallDuration)
	c.mu.Lock()
	c.out, c.hangup = l, hangup
	c.record.DstPeerID, c.record.DstUserAgent = l.peer.ID, l.ua
	c.counted = append(c.counted, l.peer.ID)
	c.mu.Unlock()
	ans := l.sess.InviteResponse
	res := sip.NewResponseFromRequest(c.in.InviteRequest, sip.StatusOK, "OK", ans.Body())
	if ct := ans.ContentType(); ct != nil {
		res.AppendHeader(sip.HeaderClone(ct))
	}
	res.AppendHeader(sip.NewHeader("Server", e.cfg.UserAgent))
	c.mu.Lock()
	c.record.AnsweredAt = e.now().UTC().Truncate(time.Microsecond)
	c.mu.Unlock()
	if err := c.in.WriteResponse(res); err != nil {
		// No ACK from the caller: RFC 3261 §13.3.1.4, end the call.
		e.log.Debug("sip answer", "err", err)
		reason := "caller_no_ack"
		if e.context().Err() != nil {
			reason = "node_shutdown"
		}
		c.end(200, reason, true, true)
		hangup()
		return
	}
	if !e.track() {
		c.end(200, "node_shutdown", true, true)
		return
	}
	go func() {
		defer e.calls.Done()
		select {
		case <-hctx.Done():
			reason := "max_duration"
			if e.context().Err() != nil {
				reason = "node_shutdown"
			}
			c.end(200, reason, true, true)
		case <-c.in.Context().Done():
		case <-l.sess.Context().Done():
		}
	}()
}

// end tears the call down once: BYE to the sides asked, counters
// released, dialogs forgotten, the CDR written.
func (c *call) end(code int, reason string, byeCaller, byeCallee bool) {
	c.ended.Do(func() {
		e := c.e
		c.mu.Lock()
		out, hangup, counted := c.out, c.hangup, c.counted
		c.mu.Unlock()
		if hangup != nil {
			hangup()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if byeCallee && out != nil {
			if err := out.sess.Bye(ctx); err != nil {
				e.log.Debug("sip bye callee", "err", err)
			}
		}
		if byeCaller {
			if err := c.byeCaller(ctx); err != nil {
				e.log.Debug("sip bye caller", "err", err)
			}
		}
		e.dialogs.Delete(c.in.InviteRequest.CallID().Value())
		if out != nil {
			e.dialogs.Delete(out.callID)
			out.sess.Close()
		}
		c.in.Close()
		e.release(counted)
		c.mu.Lock()
		rec := c.record
		c.mu.Unlock()
		e.finish(ctx, rec, "answered", code, reason)
	})
}

// byeCaller sends BYE to the caller at the address its INVITE came from.
func (c *call) byeCaller(ctx context.Context) error {
	bye := sip.NewRequest(sip.BYE, c.in.InviteRequest.Contact().Address)
	c.stampCaller(bye)
	return c.in.WriteBye(ctx, bye)
}

// stampCaller addresses a request we send to the caller: its source
// address, and the next CSeq of our side of the dialog.
func (c *call) stampCaller(r *sip.Request) {
	c.mu.Lock()
	c.inCSeq++
	n := c.inCSeq
	c.mu.Unlock()
	if r.Method == sip.ACK {
		n--
	}
	r.AppendHeader(&sip.CSeqHeader{SeqNo: n, MethodName: r.Method})
	r.SetDestination(c.inSource)
	r.SetTransport(c.inTrans)
}

// onAck takes the caller's ACK for its 2xx; ACKs of re-INVITEs we answered
// end here too.
func (e *Engine) onAck(req *sip.Request, tx sip.ServerTransaction) {
	defer e.recoverHandler()
	if req.CallID() == nil {
		return
	}
	v, ok := e.dialogs.Load(req.CallID().Value())
	if !ok {
		return
	}
	s := v.(side)
	if s.caller {
		_ = s.c.in.ReadAck(req, tx)
	}
}

// inDialog handles BYE, re-INVITE, UPDATE and INFO inside a call: a BYE
// ends it, the others pass through to the other side and its answer comes
// back.
func (e *Engine) inDialog(req *sip.Request, tx sip.ServerTransaction) {
	defer e.recoverHandler()
	if e.dropped(req) {
		return
	}
	var s side
	if v, ok := e.dialogs.Load(req.CallID().Value()); ok {
		s = v.(side)
	}
	var out *leg
	if s.c != nil {
		out = s.c.answered()
	}
	if s.c == nil || (req.Method != sip.BYE && out == nil) {
		if req.Method == sip.BYE || req.Method == sip.INVITE || req.Method == sip.UPDATE || req.Method == sip.INFO {
			_ = tx.Respond(e.respond(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist"))
			return
		}
		e.serve(req, tx)
		return
	}
	c := s.c
	if req.Method == sip.BYE {
		if out == nil {
			_ = tx.Respond(e.respond(req, sip.StatusOK, "OK"))
			return // a BYE on an early dialog: the INVITE's end decides
		}
		var err error
		if s.caller {
			err = c.in.ReadBye(req, tx)
		} else {
			err = out.sess.ReadBye(req, tx)
		}
		if err != nil {
			_ = tx.Respond(e.respond(req, sip.StatusOK, "OK"))
		}
		c.end(200, map[bool]string{true: "caller_hangup", false: "callee_hangup"}[s.caller], !s.caller, s.caller)
		return
	}
	fwd := sip.NewRequest(req.Method, sip.Uri{})
	if ct := req.ContentType(); ct != nil {
		fwd.AppendHeader(sip.HeaderClone(ct))
	}
	fwd.SetBody(req.Body())
	ctx, cancel := context.WithTimeout(e.context(), 32*time.Second)
	defer cancel()
	var res *sip.Response
	var err error
	if s.caller {
		fwd.Recipient = out.sess.InviteResponse.Contact().Address
		res, err = out.sess.Do(ctx, fwd)
		if err == nil && req.Method == sip.INVITE && res.IsSuccess() {
			ack := sip.NewRequest(sip.ACK, fwd.Recipient)
			ack.AppendHeader(&sip.CSeqHeader{SeqNo: fwd.CSeq().SeqNo, MethodName: sip.ACK})
			_ = out.sess.WriteRequest(ack)
		}
	} else {
		fwd.Recipient = c.in.InviteRequest.Contact().Address
		c.stampCaller(fwd)
		res, err = c.in.Do(ctx, fwd)
		if err == nil && req.Method == sip.INVITE && res.IsSuccess() {
			ack := sip.NewRequest(sip.ACK, fwd.Recipient)
			ack.AppendHeader(&sip.CSeqHeader{SeqNo: fwd.CSeq().SeqNo, MethodName: sip.ACK})
			ack.SetDestination(c.inSource)
			_ = c.in.WriteRequest(ack)
		}
	}
	if err != nil {
		_ = tx.Respond(e.respond(req, sip.StatusRequestTimeout, "Request Timeout"))
		return
	}
	back := e.respond(req, res.StatusCode, res.Reason)
	if ct := res.ContentType(); ct != nil {
		back.AppendHeader(sip.HeaderClone(ct))
	}
	back.SetBody(res.Body())
	if res.IsSuccess() {
		back.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", Host: e.advHost, Port: e.advPort}})
	}
	_ = tx.Respond(back)
}

// answered is the bridged callee leg, nil while the call rings.
func (c *call) answered() *leg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out
}

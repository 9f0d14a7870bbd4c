package sip

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"switchboard/internal/peer"
	"switchboard/internal/problem"
)

// Handle answers one request; nil means drop it without an answer (a
// scanner, a blocked address, an ACK). It is the whole message-handling
// path after parsing, so tests and the fuzz target call it directly.
func (e *Engine) Handle(ctx context.Context, req *sip.Request) *sip.Response {
	if req == nil || req.IsAck() || e.dropped(req) {
		return nil
	}
	switch req.Method {
	case sip.REGISTER:
		return e.register(ctx, req)
	case sip.INVITE:
		// nil: authenticated and routable; onInvite places the call on
		// its transaction.
		_, res := e.inviteCheck(ctx, req)
		return res
	case sip.OPTIONS:
		res := e.respond(req, sip.StatusOK, "OK")
		res.AppendHeader(sip.NewHeader("Allow", e.allow()))
		res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
		return res
	case sip.CANCEL:
		return e.respond(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
	default:
		res := e.respond(req, sip.StatusMethodNotAllowed, "Method Not Allowed")
		res.AppendHeader(sip.NewHeader("Allow", e.allow()))
		return res
	}
}

// dropped reports whether a request gets no answer at all: a scanner, a
// blocked address, or one that cannot be answered (no route back or no
// transaction).
func (e *Engine) dropped(req *sip.Request) bool {
	if h := req.GetHeader("User-Agent"); h != nil && isScanner(h.Value()) {
		return true
	}
	if ip := sourceIP(req); ip != "" && e.guard.blocked("ip:"+ip) {
		return true
	}
	return req.Via() == nil || req.From() == nil || req.To() == nil || req.CallID() == nil || req.CSeq() == nil
}

// allow is the Allow header: calls add their methods when routing is on.
func (e *Engine) allow() string {
	if e.routing == nil {
		return "REGISTER, OPTIONS"
	}
	return "INVITE, ACK, BYE, CANCEL, UPDATE, INFO, REGISTER, OPTIONS"
}

// parseCredentials reads a digest Authorization or Proxy-Authorization.
func parseCredentials(v string) (*digest.Credentials, error) {
	cred, err := digest.ParseCredentials(v)
	if err != nil {
		return nil, err
	}
	if cred.Nonce == "" || cred.Response == "" || cred.Username == "" {
		return nil, fmt.Errorf("incomplete credentials")
	}
	return cred, nil
}

func sourceIP(req *sip.Request) string {
	host, _, err := net.SplitHostPort(req.Source())
	if err != nil {
		return ""
	}
	return host
}

// respond builds a response with RFC 3261 §18.2.1 received (sipgo adds
// received and rport only when the client asked for rport).
func (e *Engine) respond(req *sip.Request, code int, reason string) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if via := res.Via(); via != nil && !via.Params.Has("received") {
		if ip := sourceIP(req); ip != "" && via.Host != ip {
			via.Params.Add("received", ip)
		}
	}
	res.AppendHeader(sip.NewHeader("Server", e.cfg.UserAgent))
	return res
}

// forbidden is the one answer to every authentication failure: unknown
// user, wrong password, blocked or throttled, disabled peer.
func (e *Engine) forbidden(req *sip.Request) *sip.Response {
	return e.respond(req, sip.StatusForbidden, "Forbidden")
}

// challenge answers 401 with one WWW-Authenticate per configured
// algorithm, each with its own nonce.
func (e *Engine) challenge(req *sip.Request, stale bool) *sip.Response {
	res := e.respond(req, sip.StatusUnauthorized, "Unauthorized")
	for _, alg := range e.cfg.Algorithms {
		c := digest.Challenge{Realm: e.cfg.Realm, Nonce: e.nonces.issue(alg), Algorithm: alg, QOP: []string{"auth"}, Stale: stale}
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", c.String()))
	}
	return res
}

func (e *Engine) register(ctx context.Context, req *sip.Request) *sip.Response {
	aor := req.To().Address
	username := aor.User
	if username == "" {
		return e.respond(req, sip.StatusBadRequest, "Bad Request")
	}
	h := req.GetHeader("Authorization")
	if h == nil {
		return e.challenge(req, false)
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil || cred.Nonce == "" || cred.Response == "" {
		return e.respond(req, sip.StatusBadRequest, "Bad Request")
	}
	ipKey, userKey := "ip:"+sourceIP(req), "user:"+username
	if !e.guard.attempt(ipKey) || !e.guard.attempt(userKey) {
		return e.forbidden(req)
	}
	p, ok := e.authenticate(ctx, req, username, cred)
	switch ok {
	case authOK:
	case authStale:
		return e.challenge(req, true)
	case authUnavailable:
		res := e.respond(req, sip.StatusServiceUnavailable, "Service Unavailable")
		res.AppendHeader(sip.NewHeader("Retry-After", "5"))
		return res
	default:
		if e.guard.fail(ipKey) {
			e.log.Warn("sip source blocked after repeated authentication failures", "source", sourceIP(req))
		}
		if e.guard.fail(userKey) {
			e.log.Warn("sip username blocked after repeated authentication failures", "username", username)
		}
		return e.forbidden(req)
	}
	e.guard.succeed(ipKey)
	e.guard.succeed(userKey)
	return e.bind(ctx, req, p)
}

type authResult int

const (
	authFailed authResult = iota
	authOK
	authStale
	authUnavailable
)

// authenticate checks a REGISTER's digest for the peer username. An
// unknown or unusable peer runs the same computation against a dummy
// secret, so it fails the same way a wrong password does.
func (e *Engine) authenticate(ctx context.Context, req *sip.Request, username string, cred *digest.Credentials) (peer.Peer, authResult) {
	p, err := e.store.PeerByUsername(ctx, username)
	usable := err == nil && p.Status == "enabled" && p.HostType == "dynamic" && p.HasSecret() && p.Realm == e.cfg.Realm
	if err != nil && !problem.Is(err, problem.NotFound) {
		e.log.Error("sip peer lookup", "err", err)
		return p, authUnavailable
	}
	alg := strings.ToUpper(cred.Algorithm)
	if alg == "" {
		alg = "MD5"
	}
	offered := false
	for _, a := range e.cfg.Algorithms {
		offered = offered || a == alg
	}
	ha1 := e.dummyMD5
	if usable && cred.Username == p.DigestUsername() {
		ha1 = p.HA1For(alg)
	} else {
		usable = false
	}
	if !offered || cred.Realm != e.cfg.Realm {
		return p, authFailed
	}
	if ha1 == "" {
		ha1, usable = e.dummyMD5, false
	}
	chal := &digest.Challenge{Realm: cred.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		if cred.QOP != "auth" {
			return p, authFailed
		}
		chal.QOP = []string{"auth"}
	}
	want, err := digest.Digest(chal, digest.Options{Method: string(req.Method), URI: cred.URI, Cnonce: cred.Cnonce, Count: cred.Nc, A1: ha1})
	if err != nil {
		return p, authFailed
	}
	match := subtle.ConstantTimeCompare([]byte(strings.ToLower(want.Response)), []byte(strings.ToLower(cred.Response))) == 1
	if !match || !usable {
		return p, authFailed
	}
	// A right answer to a challenge that is not ours, expired or already
	// used is a replay or a stale nonce: challenge again.
	if !e.nonces.use(cred.Nonce, alg, cred.Nc, cred.QOP != "") {
		return p, authStale
	}
	return p, authOK
}

// expiresOf returns the expiry a contact asks for: its expires parameter,
// else the Expires header, else 3600.
func expiresOf(c *sip.ContactHeader, req *sip.Request) (int, bool) {
	if v, ok := c.Params.Get("expires"); ok {
		n, err := strconv.Atoi(v)
		return n, err == nil && n >= 0
	}
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
		return n, err == nil && n >= 0
	}
	return 3600, true
}

// bind applies the REGISTER's contacts to the peer's bindings and answers
// with the bindings that remain.
func (e *Engine) bind(ctx context.Context, req *sip.Request, p peer.Peer) *sip.Response {
	now := e.now().UTC().Truncate(time.Microsecond)
	change := peer.BindingChange{Now: now, Max: e.cfg.MaxContacts}
	ua := ""
	if h := req.GetHeader("User-Agent"); h != nil {
		ua = h.Value()
		if len(ua) > 256 {
			ua = ua[:256]
		}
	}
	contacts := req.GetHeaders("Contact")
	for _, h := range contacts {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			return e.respond(req, sip.StatusBadRequest, "Bad Request")
		}
		exp, ok := expiresOf(c, req)
		if !ok {
			return e.respond(req, sip.StatusBadRequest, "Bad Request")
		}
		if c.Address.Wildcard {
			// RFC 3261 §10.2.2: "*" only alone and with Expires: 0.
			if len(contacts) != 1 || exp != 0 {
				return e.respond(req, sip.StatusBadRequest, "Bad Request")
			}
			change.RemoveAll = true
			continue
		}
		uri := c.Address.String()
		if len(uri) > 512 || c.Address.Host == "" {
			return e.respond(req, sip.StatusBadRequest, "Bad Request")
		}
		if exp == 0 {
			change.Remove = append(change.Remove, uri)
			continue
		}
		if exp < e.cfg.MinExpires {
			res := e.respond(req, sip.StatusIntervalToBrief, "Interval Too Brief")
			res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(e.cfg.MinExpires)))
			return res
		}
		exp = min(exp, p.RegisterTimeout)
		change.Upsert = append(change.Upsert, peer.Registration{
			ID: e.ids.Next(), PeerID: p.ID, AccountID: p.AccountID, Contact: uri, Source: req.Source(),
			Transport: strings.ToLower(req.Transport()), UserAgent: ua, CallID: req.CallID().Value(),
			CSeq: int64(req.CSeq().SeqNo), Node: e.node, RegisteredAt: now,
			ExpiresAt: now.Add(time.Duration(exp) * time.Second), Reachable: true,
		})
	}
	var regs []peer.Registration
	var err error
	if len(contacts) == 0 {
		regs, err = e.store.Registrations(ctx, p.ID, now)
	} else {
		regs, err = e.store.ApplyBindings(ctx, p.ID, change)
		e.Locator.forget(p.ID)
	}
	if problem.Is(err, problem.Conflict) {
		return e.respond(req, sip.StatusForbidden, fmt.Sprintf("Too Many Contacts (at most %d)", e.cfg.MaxContacts))
	}
	if err != nil {
		e.log.Error("sip bindings", "peer", p.ID, "err", err)
		res := e.respond(req, sip.StatusServiceUnavailable, "Service Unavailable")
		res.AppendHeader(sip.NewHeader("Retry-After", "5"))
		return res
	}
	res := e.respond(req, sip.StatusOK, "OK")
	for _, r := range regs {
		left := int(r.ExpiresAt.Sub(now).Seconds())
		if left <= 0 {
			continue
		}
		res.AppendHeader(sip.NewHeader("Contact", "<"+r.Contact+">;expires="+strconv.Itoa(left)))
	}
	res.AppendHeader(sip.NewHeader("Date", now.Format(time.RFC1123)))
	return res
}

package sip

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"switchboard/internal/peer"
)

// maintain pings due bindings with OPTIONS and prunes expired ones until
// ctx ends. Each node pings the bindings it took: the NAT pinhole or TCP
// connection they came through is this node's.
func (e *Engine) maintain(ctx context.Context) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var inflight sync.WaitGroup
	defer inflight.Wait()
	busy := map[int64]bool{}
	var mu sync.Mutex
	lastPrune := e.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := e.now()
		if now.Sub(lastPrune) > time.Minute {
			lastPrune = now
			if _, err := e.store.PruneRegistrations(ctx, now); err != nil && ctx.Err() == nil {
				e.log.Warn("prune registrations", "err", err)
			}
		}
		due, err := e.store.DueQualify(ctx, e.node, now, 64)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Warn("qualify", "err", err)
			}
			continue
		}
		for _, t := range due {
			mu.Lock()
			if busy[t.ID] {
				mu.Unlock()
				continue
			}
			busy[t.ID] = true
			mu.Unlock()
			inflight.Add(1)
			go func(t peer.QualifyTarget) {
				defer inflight.Done()
				ok := e.ping(ctx, t)
				if ctx.Err() == nil {
					if err := e.store.MarkQualified(ctx, t.ID, ok, e.now()); err != nil {
						e.log.Warn("qualify mark", "err", err)
					}
					if ok != t.Reachable {
						e.Locator.forget(t.PeerID)
						e.log.Info("sip contact reachability changed", "peer", t.PeerID, "contact", t.Contact, "reachable", ok)
					}
				}
				mu.Lock()
				delete(busy, t.ID)
				mu.Unlock()
			}(t)
		}
	}
}

// ping sends OPTIONS to a binding and reports whether any final answer
// came back within the qualify time (capped at 5 s).
func (e *Engine) ping(ctx context.Context, t peer.QualifyTarget) bool {
	var uri sip.Uri
	if err := sip.ParseUri(t.Contact, &uri); err != nil {
		return false
	}
	req := sip.NewRequest(sip.OPTIONS, uri)
	transport := strings.ToUpper(t.Transport)
	if transport == "" {
		transport = "UDP"
	}
	req.SetTransport(transport)
	req.SetDestination(t.Source)
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: transport, Host: e.advHost, Port: e.advPort, Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "qualify", Host: e.advHost, Port: e.advPort}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: uri, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("User-Agent", e.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Content-Length", "0"))
	timeout := min(t.Qualify, 5*time.Second)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := e.client.Do(cctx, req)
	if err != nil {
		e.log.Debug("qualify", "contact", t.Contact, "source", t.Source, "err", err, "timeout", strconv.Itoa(int(timeout.Milliseconds())))
		return false
	}
	return res.StatusCode >= 200
}

package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/peer"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// peerOf builds a peer of acc with every field set.
func (e *env) peerOf(acc int64, username string) peer.Peer {
	t := stamp()
	return peer.Peer{
		ID: e.ids.Next(), AccountID: acc, FriendlyName: "Desk phone", Username: username, HostType: "dynamic",
		Host: "192.0.2.10", Port: 5062, Transport: "tcp", Realm: "switchboard", HA1MD5: "aa", HA1SHA256: "bb",
		CallerIDName: "Front Desk", CallerIDNumber: "5145550100", CallerIDMode: "custom", CallerIDType: "rpid",
		CallerIDFormat: "e164", Codecs: []string{"ulaw", "g729"}, DTMFMode: "info", DNISMode: "forced",
		DNISFormat: "national", EnableNAT: true, EnableQualify: true, Qualify: 2500, SimultaneousCallsLimit: 4,
		EnableAuth: true, AuthUsername: "deskauth", DefaultIP: "198.51.100.7", RegisterTimeout: 600,
		ProgressTimeout: 7, Status: "enabled", Comments: "lobby", Metadata: map[string]string{"floor": "2"},
		CreatedAt: t, UpdatedAt: t,
	}
}

func TestPeerStore(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		peers := store.NewPeers(e.db)
		tr := e.mkTree(t)
		p := e.peerOf(tr.cust.ID, "deskphone01")
		if err := peers.CreatePeer(ctx, &p); err != nil {
			t.Fatalf("create: %v", err)
		}
		got, err := peers.GetPeer(ctx, tr.res.ID, p.ID)
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Fatalf("get by an ancestor = %+v, %v; want %+v", got, err, p)
		}
		if _, err := peers.GetPeer(ctx, tr.sibling.ID, p.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("get by the sibling: %v, want NotFound", err)
		}
		dup := e.peerOf(tr.sibling.ID, "DESKPHONE01")
		err = peers.CreatePeer(ctx, &dup)
		wantCode(t, err, problem.Conflict, "username")
		if got, err := peers.PeerByUsername(ctx, "deskphone01"); err != nil || got.ID != p.ID {
			t.Errorf("by username: %v %v", got.ID, err)
		}
		if _, err := peers.PeerByUsername(ctx, "DeskPhone01"); !problem.Is(err, problem.NotFound) {
			t.Errorf("by a username of another case: %v, want NotFound (digest usernames are exact)", err)
		}
		items, n, err := peers.ListPeers(ctx, tr.sibling.ID, peer.Filter{}, query.Params{})
		if err != nil || n != 0 || len(items) != 0 {
			t.Errorf("sibling list: %d %v", n, err)
		}
		items, n, err = peers.ListPeers(ctx, tr.op.ID, peer.Filter{}, query.Params{Filter: "username eq 'deskphone01'"})
		if err != nil || n != 1 || items[0].ID != p.ID {
			t.Errorf("operator filtered list: %d %v", n, err)
		}
		p.FriendlyName, p.Codecs, p.Metadata = "Renamed", []string{"alaw"}, map[string]string{}
		if err := peers.UpdatePeer(ctx, &p); err != nil {
			t.Fatalf("update: %v", err)
		}
		if got, _ := peers.GetPeer(ctx, tr.cust.ID, p.ID); !reflect.DeepEqual(got, p) {
			t.Errorf("after update %+v, want %+v", got, p)
		}

		now := stamp()
		reg := func(contact string, ttl time.Duration) peer.Registration {
			return peer.Registration{ID: e.ids.Next(), AccountID: p.AccountID, Contact: contact, Source: "192.0.2.1:5060",
				Transport: "udp", UserAgent: "test", CallID: "c1", CSeq: 1, Node: 3, RegisteredAt: now, ExpiresAt: now.Add(ttl), Reachable: true}
		}
		regs, err := peers.ApplyBindings(ctx, p.ID, peer.BindingChange{Now: now, Max: 2,
			Upsert: []peer.Registration{reg("sip:a@192.0.2.1", time.Hour), reg("sip:b@192.0.2.2", time.Hour)}})
		if err != nil || len(regs) != 2 {
			t.Fatalf("two bindings: %v %v", regs, err)
		}
		_, err = peers.ApplyBindings(ctx, p.ID, peer.BindingChange{Now: now, Max: 2, Upsert: []peer.Registration{reg("sip:c@192.0.2.3", time.Hour)}})
		wantCode(t, err, problem.Conflict, "contact")
		if regs, _ := peers.Registrations(ctx, p.ID, now); len(regs) != 2 {
			t.Errorf("a refused change must leave the bindings: %d", len(regs))
		}
		// A REGISTER of the same Call-ID that is not newer changes nothing.
		stale := reg("sip:a@192.0.2.1", time.Minute)
		if _, err := peers.ApplyBindings(ctx, p.ID, peer.BindingChange{Now: now, Max: 2, Upsert: []peer.Registration{stale}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := peers.Registrations(ctx, p.ID, now.Add(2*time.Minute)); len(got) != 2 {
			t.Errorf("an out-of-order REGISTER shortened a binding: %d left", len(got))
		}
		// A refresh of a contact replaces it rather than adding one.
		fresh := reg("sip:a@192.0.2.1", time.Minute)
		fresh.CSeq = 2
		regs, err = peers.ApplyBindings(ctx, p.ID, peer.BindingChange{Now: now, Max: 2, Upsert: []peer.Registration{fresh}})
		if err != nil || len(regs) != 2 {
			t.Fatalf("refresh: %v %v", len(regs), err)
		}
		if got, _ := peers.Registrations(ctx, p.ID, now.Add(2*time.Minute)); len(got) != 1 || got[0].Contact != "sip:b@192.0.2.2" {
			t.Errorf("after the refreshed binding expired: %+v", got)
		}
		due, err := peers.DueQualify(ctx, 3, now, 10)
		if err != nil || len(due) != 2 || due[0].Qualify != 2500*time.Millisecond {
			t.Fatalf("due qualify: %+v %v", due, err)
		}
		if err := peers.MarkQualified(ctx, due[0].ID, false, now); err != nil {
			t.Fatal(err)
		}
		if due, _ := peers.DueQualify(ctx, 3, now.Add(time.Second), 10); len(due) != 1 {
			t.Errorf("a binding pinged a second ago is not due at 2.5 s: %d due", len(due))
		}
		if due, _ := peers.DueQualify(ctx, 4, now, 10); len(due) != 0 {
			t.Errorf("another node's bindings are not its to ping: %d", len(due))
		}
		regs, err = peers.ApplyBindings(ctx, p.ID, peer.BindingChange{Now: now, RemoveAll: true})
		if err != nil || len(regs) != 0 {
			t.Errorf("remove all: %v %v", regs, err)
		}
		if err := peers.DeletePeer(ctx, tr.sibling.ID, p.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("delete by the sibling: %v", err)
		}
		if _, err := peers.ApplyBindings(ctx, p.ID, peer.BindingChange{Now: now, Upsert: []peer.Registration{reg("sip:a@192.0.2.1", time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if err := peers.DeletePeer(ctx, tr.cust.ID, p.ID); err != nil {
			t.Fatalf("delete with a binding: %v", err)
		}
		if _, err := peers.PeerByID(ctx, p.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("after delete: %v", err)
		}
		// Deleting an account takes its peers and their bindings along.
		q := e.peerOf(tr.cust.ID, "lastpeer01")
		if err := peers.CreatePeer(ctx, &q); err != nil {
			t.Fatal(err)
		}
		if _, err := peers.ApplyBindings(ctx, q.ID, peer.BindingChange{Now: now, Upsert: []peer.Registration{reg("sip:q@192.0.2.9", time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if err := e.accounts.DeleteAccount(ctx, tr.sub.ID, tr.cust.ID); err != nil {
			t.Fatalf("delete an account with a peer: %v", err)
		}
		if _, err := peers.PeerByID(ctx, q.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("the peer outlived its account: %v", err)
		}
	})
}

package peer

import (
	"context"
	"time"

	"switchboard/internal/query"
)

// Registration is one registrar binding: a contact where a peer is
// reachable until ExpiresAt.
type Registration struct {
	ID        int64
	PeerID    int64
	AccountID int64
	// Contact is the Contact URI the peer registered.
	Contact string
	// Source is where the REGISTER came from (ip:port): with NAT, the
	// address to send requests to instead of the contact's.
	Source       string
	Transport    string // udp, tcp or tls
	UserAgent    string
	CallID       string
	CSeq         int64
	Node         int64 // the node that took the registration
	RegisteredAt time.Time
	ExpiresAt    time.Time
	Reachable    bool
	QualifiedAt  time.Time // zero: never pinged
}

// BindingChange is what one REGISTER does to a peer's bindings, applied in
// one transaction: expired bindings go, then RemoveAll or Remove, then
// Upsert; more than Max bindings afterwards refuses the whole change.
type BindingChange struct {
	Now       time.Time
	Upsert    []Registration
	Remove    []string // contacts
	RemoveAll bool
	Max       int
}

// QualifyTarget is a binding due for an OPTIONS ping.
type QualifyTarget struct {
	Registration
	Qualify time.Duration
}

// Filter narrows ListPeers beyond the generic query.
type Filter struct {
	SubaccountID int64 // 0: any
}

// Store keeps peers and their bindings.
type Store interface {
	CreatePeer(ctx context.Context, p *Peer) error
	GetPeer(ctx context.Context, scope, id int64) (Peer, error)
	ListPeers(ctx context.Context, scope int64, f Filter, q query.Params) ([]Peer, int, error)
	UpdatePeer(ctx context.Context, p *Peer) error
	DeletePeer(ctx context.Context, scope, id int64) error
	// PeerByUsername finds a peer platform-wide, for the registrar.
	PeerByUsername(ctx context.Context, username string) (Peer, error)
	// PeerByID finds a peer platform-wide, for the SIP engine.
	PeerByID(ctx context.Context, id int64) (Peer, error)
	// StaticPeers lists the static peers at host (any port when port is 0).
	StaticPeers(ctx context.Context, host string, port int) ([]Peer, error)
	ApplyBindings(ctx context.Context, peerID int64, c BindingChange) ([]Registration, error)
	Registrations(ctx context.Context, peerID int64, now time.Time) ([]Registration, error)
	DueQualify(ctx context.Context, node int64, now time.Time, limit int) ([]QualifyTarget, error)
	MarkQualified(ctx context.Context, registrationID int64, reachable bool, at time.Time) error
	PruneRegistrations(ctx context.Context, now time.Time) (int64, error)
}

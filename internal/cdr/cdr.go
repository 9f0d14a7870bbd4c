// Package cdr owns call detail records: the one row every call writes when
// it ends, the Recorder that never loses one (a file queue in the data dir
// takes what the database refuses, and drains when it is back) and charges
// answered calls, and the Service the APIs read them through.
package cdr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/query"
)

// CDR is one call's record.
type CDR struct {
	ID             int64
	CallHash       string // 32 hexadecimal characters
	AccountID      int64
	SubaccountID   int64
	Direction      string // inbound or outbound, as the account sees it
	RoutingType    string // internal for calls between peers
	SrcNumber      string
	SrcPeerID      int64
	DstNumber      string
	DstPeerID      int64
	CallerIDName   string
	CallerIDNumber string
	StartedAt      time.Time
	AnsweredAt     time.Time // zero: never answered
	EndedAt        time.Time
	Duration       int // seconds from start to end
	Billsec        int // seconds from answer to end
	Disposition    string
	SIPCode        int
	FailureReason  string
	SrcUserAgent   string
	DstUserAgent   string
	SIPCallID      string
	Node           int64
}

// Dispositions, directions and routing types a CDR may carry.
var (
	Dispositions = []string{"answered", "busy", "failed", "no_answer", "cancelled", "denied", "invalid", "unknown"}
	Directions   = []string{"inbound", "outbound"}
	RoutingTypes = []string{"undefined", "internal", "emergency_call", "directory_assistance", "international_termination",
		"international_origination", "local_termination", "local_origination", "tollfree_origination", "tollfree_termination"}
)

// NewHash returns a fresh call hash: 128 random bits as 32 hex digits.
func NewHash() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Filter narrows a list beyond the generic query.
type Filter struct {
	SubaccountID int64
	From, To     time.Time // started_at in [From, To); zero: unbounded
	AfterID      int64     // only CDRs logged after this one
	Directions   []string
	RoutingTypes []string
	Dispositions []string
}

// Store keeps CDRs.
type Store interface {
	// InsertCDR writes c; a CDR whose hash is already written is not an
	// error (a queued CDR may be retried after it landed).
	InsertCDR(ctx context.Context, c *CDR) error
	GetCDR(ctx context.Context, scope, id int64) (CDR, error)
	CDRByHash(ctx context.Context, scope int64, hash string) (CDR, error)
	ListCDRs(ctx context.Context, scope int64, f Filter, q query.Params) ([]CDR, int, error)
}

// Service reads CDRs for the APIs.
type Service struct{ store Store }

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// Get returns a CDR of the principal's subtree.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (CDR, error) {
	return s.store.GetCDR(ctx, p.AccountID, id)
}

// ByHash returns the CDR with hash in the principal's subtree.
func (s *Service) ByHash(ctx context.Context, p auth.Principal, hash string) (CDR, error) {
	return s.store.CDRByHash(ctx, p.AccountID, hash)
}

// List lists CDRs of the principal's subtree.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter, q query.Params) ([]CDR, int, error) {
	return s.store.ListCDRs(ctx, p.AccountID, f, q)
}

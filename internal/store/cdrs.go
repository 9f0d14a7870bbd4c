package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"switchboard/internal/cdr"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// CDRs stores call detail records.
type CDRs struct{ db *DB }

// NewCDRs returns the CDR store over db.
func NewCDRs(db *DB) *CDRs { return &CDRs{db: db} }

var _ cdr.Store = (*CDRs)(nil)

// CDRSpec lists the fields of CDRs a collection query may use.
var CDRSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "c.id", Type: query.ID, Sort: true},
		{Name: "call_hash", Column: "c.call_hash", Type: query.String},
		{Name: "account_id", Column: "c.account_id", Type: query.ID, Sort: true},
		{Name: "subaccount_id", Column: "c.subaccount_id", Type: query.ID, Sort: true},
		{Name: "direction", Column: "c.direction", Type: query.Enum, Enum: cdr.Directions, Sort: true},
		{Name: "routing_type", Column: "c.routing_type", Type: query.Enum, Enum: cdr.RoutingTypes, Sort: true},
		{Name: "src_number", Column: "c.src_number", Type: query.String, Sort: true, Search: true},
		{Name: "dst_number", Column: "c.dst_number", Type: query.String, Sort: true, Search: true},
		{Name: "src_peer_id", Column: "c.src_peer_id", Type: query.ID},
		{Name: "dst_peer_id", Column: "c.dst_peer_id", Type: query.ID},
		{Name: "callerid_number", Column: "c.callerid_number", Type: query.String, Search: true},
		{Name: "started_at", Column: "c.started_at", Type: query.Time, Sort: true},
		{Name: "ended_at", Column: "c.ended_at", Type: query.Time, Sort: true},
		{Name: "duration", Column: "c.duration", Type: query.Int, Sort: true},
		{Name: "billsec", Column: "c.billsec", Type: query.Int, Sort: true},
		{Name: "disposition", Column: "c.disposition", Type: query.Enum, Enum: cdr.Dispositions, Sort: true},
		{Name: "sip_code", Column: "c.sip_code", Type: query.Int, Sort: true},
	},
	DefaultOrder: "c.id DESC",
	TieBreak:     "c.id DESC",
}

const cdrCols = `c.id, c.call_hash, c.account_id, c.subaccount_id, c.direction, c.routing_type, c.src_number, c.src_peer_id,
	c.dst_number, c.dst_peer_id, c.callerid_name, c.callerid_number, c.started_at, c.answered_at, c.ended_at,
	c.duration, c.billsec, c.disposition, c.sip_code, c.failure_reason, c.src_user_agent, c.dst_user_agent,
	c.sip_call_id, c.node`

func scanCDR(r interface{ Scan(...any) error }) (cdr.CDR, error) {
	var c cdr.CDR
	var started, answered, ended int64
	err := r.Scan(&c.ID, &c.CallHash, &c.AccountID, &c.SubaccountID, &c.Direction, &c.RoutingType, &c.SrcNumber, &c.SrcPeerID,
		&c.DstNumber, &c.DstPeerID, &c.CallerIDName, &c.CallerIDNumber, &started, &answered, &ended,
		&c.Duration, &c.Billsec, &c.Disposition, &c.SIPCode, &c.FailureReason, &c.SrcUserAgent, &c.DstUserAgent,
		&c.SIPCallID, &c.Node)
	if err != nil {
		return c, translate(err)
	}
	c.StartedAt, c.EndedAt = FromMicros(started), FromMicros(ended)
	if answered != 0 {
		c.AnsweredAt = FromMicros(answered)
	}
	return c, nil
}

// InsertCDR writes c once: a second write of the same hash does nothing.
func (s *CDRs) InsertCDR(ctx context.Context, c *cdr.CDR) error {
	var answered int64
	if !c.AnsweredAt.IsZero() {
		answered = Micros(c.AnsweredAt)
	}
	args := []any{c.ID, c.CallHash, c.AccountID, c.SubaccountID, c.Direction, c.RoutingType, c.SrcNumber, c.SrcPeerID,
		c.DstNumber, c.DstPeerID, c.CallerIDName, c.CallerIDNumber, Micros(c.StartedAt), answered, Micros(c.EndedAt),
		c.Duration, c.Billsec, c.Disposition, c.SIPCode, c.FailureReason, c.SrcUserAgent, c.DstUserAgent,
		c.SIPCallID, c.Node}
	_, err := s.db.Exec(ctx, `INSERT INTO cdrs (`+strings.ReplaceAll(cdrCols, "c.", "")+`) VALUES (`+placeholders(1, len(args))+`)
		ON CONFLICT (call_hash) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("insert cdr: %w", translate(err))
	}
	return nil
}

// GetCDR returns CDR id if its account is in scope.
func (s *CDRs) GetCDR(ctx context.Context, scope, id int64) (cdr.CDR, error) {
	c, err := scanCDR(s.db.Reader().QueryRowContext(ctx, `SELECT `+cdrCols+` FROM cdrs c WHERE c.id = $1 AND `+inScope("c.account_id", 2), id, scope))
	if problem.Is(err, problem.NotFound) {
		return c, problem.NotFoundf("no such cdr")
	}
	return c, err
}

// CDRByHash returns the CDR with hash if its account is in scope.
func (s *CDRs) CDRByHash(ctx context.Context, scope int64, hash string) (cdr.CDR, error) {
	c, err := scanCDR(s.db.Reader().QueryRowContext(ctx, `SELECT `+cdrCols+` FROM cdrs c WHERE c.call_hash = $1 AND `+inScope("c.account_id", 2), hash, scope))
	if problem.Is(err, problem.NotFound) {
		return c, problem.NotFoundf("no such call")
	}
	return c, err
}

// ListCDRs lists CDRs in scope.
func (s *CDRs) ListCDRs(ctx context.Context, scope int64, f cdr.Filter, p query.Params) ([]cdr.CDR, int, error) {
	base := "FROM cdrs c WHERE " + inScope("c.account_id", 1)
	args := []any{scope}
	add := func(cond string, v any) {
		args = append(args, v)
		base += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.SubaccountID != 0 {
		add("c.subaccount_id = $%d", f.SubaccountID)
	}
	if !f.From.IsZero() {
		add("c.started_at >= $%d", Micros(f.From))
	}
	if !f.To.IsZero() {
		add("c.started_at < $%d", Micros(f.To))
	}
	if f.AfterID != 0 {
		add("c.id > $%d", f.AfterID)
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		marks := make([]string, len(vals))
		for i, v := range vals {
			args = append(args, v)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		base += " AND " + col + " IN (" + strings.Join(marks, ",") + ")"
	}
	in("c.direction", f.Directions)
	in("c.routing_type", f.RoutingTypes)
	in("c.disposition", f.Dispositions)
	return list(ctx, s.db.Reader(), cdrCols, base, args, &CDRSpec, p,
		func(r *sql.Rows) (cdr.CDR, error) { return scanCDR(r) })
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/peer"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Peers stores SIP accounts and their registrar bindings.
type Peers struct{ db *DB }

// NewPeers returns the peer store over db.
func NewPeers(db *DB) *Peers { return &Peers{db: db} }

var _ peer.Store = (*Peers)(nil)

// PeerSpec lists the fields of peers a collection query may use.
var PeerSpec = query.Spec{
	Fields: []query.Field{
		{Name: "id", Column: "p.id", Type: query.ID, Sort: true},
		{Name: "account_id", Column: "p.account_id", Type: query.ID, Sort: true},
		{Name: "subaccount_id", Column: "p.subaccount_id", Type: query.ID, Sort: true},
		{Name: "friendly_name", Column: "p.friendly_name", Type: query.String, Sort: true, Search: true},
		{Name: "username", Column: "p.username", Type: query.String, Sort: true, Search: true},
		{Name: "host_type", Column: "p.host_type", Type: query.Enum, Enum: peer.HostTypes, Sort: true},
		{Name: "host", Column: "p.host", Type: query.String, Sort: true, Search: true},
		{Name: "port", Column: "p.port", Type: query.Int, Sort: true},
		{Name: "transport", Column: "p.transport", Type: query.Enum, Enum: peer.Transports, Sort: true},
		{Name: "callerid_number", Column: "p.callerid_number", Type: query.String, Search: true},
		{Name: "callerid_mode", Column: "p.callerid_mode", Type: query.Enum, Enum: peer.CallerIDModes},
		{Name: "enable_qualify", Column: "p.enable_qualify", Type: query.Bool},
		{Name: "enable_nat", Column: "p.enable_nat", Type: query.Bool},
		{Name: "simultaneous_calls_limit", Column: "p.simultaneous_calls_limit", Type: query.Int, Sort: true},
		{Name: "status", Column: "p.status", Type: query.Enum, Enum: peer.States, Sort: true},
		{Name: "comments", Column: "p.comments", Type: query.String, Search: true},
		{Name: "created_at", Column: "p.created_at", Type: query.Time, Sort: true},
		{Name: "updated_at", Column: "p.updated_at", Type: query.Time, Sort: true},
	},
	DefaultOrder: "p.id ASC",
	TieBreak:     "p.id ASC",
}

const peerCols = `p.id, p.account_id, p.subaccount_id, p.friendly_name, p.username, p.host_type, p.host, p.port,
	p.transport, p.ha1_realm, p.ha1_md5, p.ha1_sha256, p.callerid_name, p.callerid_number, p.callerid_mode,
	p.callerid_type, p.callerid_format, p.codecs, p.dtmf_mode, p.dnis_mode, p.dnis_format, p.enable_nat,
	p.enable_qualify, p.qualify, p.simultaneous_calls_limit, p.enable_auth, p.auth_username, p.default_ip,
	p.register_timeout, p.progress_timeout, p.status, p.comments, p.metadata, p.created_at, p.updated_at`

func scanPeer(r interface{ Scan(...any) error }) (peer.Peer, error) {
	var p peer.Peer
	var codecs, meta string
	var created, updated int64
	err := r.Scan(&p.ID, &p.AccountID, &p.SubaccountID, &p.FriendlyName, &p.Username, &p.HostType, &p.Host, &p.Port,
		&p.Transport, &p.Realm, &p.HA1MD5, &p.HA1SHA256, &p.CallerIDName, &p.CallerIDNumber, &p.CallerIDMode,
		&p.CallerIDType, &p.CallerIDFormat, &codecs, &p.DTMFMode, &p.DNISMode, &p.DNISFormat, &p.EnableNAT,
		&p.EnableQualify, &p.Qualify, &p.SimultaneousCallsLimit, &p.EnableAuth, &p.AuthUsername, &p.DefaultIP,
		&p.RegisterTimeout, &p.ProgressTimeout, &p.Status, &p.Comments, &meta, &created, &updated)
	if err != nil {
		return p, translate(err)
	}
	p.Codecs = splitList(codecs)
	p.Metadata = map[string]string{}
	if err := json.Unmarshal([]byte(meta), &p.Metadata); err != nil {
		return p, fmt.Errorf("peer %d metadata: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = FromMicros(created), FromMicros(updated)
	return p, nil
}

func peerArgs(p *peer.Peer) ([]any, error) {
	meta, err := jsonText(p.Metadata)
	if err != nil {
		return nil, err
	}
	return []any{p.ID, p.AccountID, p.SubaccountID, p.FriendlyName, p.Username, p.HostType, p.Host, p.Port,
		p.Transport, p.Realm, p.HA1MD5, p.HA1SHA256, p.CallerIDName, p.CallerIDNumber, p.CallerIDMode,
		p.CallerIDType, p.CallerIDFormat, strings.Join(p.Codecs, ","), p.DTMFMode, p.DNISMode, p.DNISFormat, p.EnableNAT,
		p.EnableQualify, p.Qualify, p.SimultaneousCallsLimit, p.EnableAuth, p.AuthUsername, p.DefaultIP,
		p.RegisterTimeout, p.ProgressTimeout, p.Status, p.Comments, meta, Micros(p.CreatedAt), Micros(p.UpdatedAt)}, nil
}

func placeholders(from, n int) string {
	marks := make([]string, n)
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(marks, ",")
}

// CreatePeer inserts p.
func (s *Peers) CreatePeer(ctx context.Context, p *peer.Peer) error {
	args, err := peerArgs(p)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO peers (`+strings.ReplaceAll(peerCols, "p.", "")+`) VALUES (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert peer: %w", translate(err))
	}
	return nil
}

// GetPeer returns peer id if its account is in scope.
func (s *Peers) GetPeer(ctx context.Context, scope, id int64) (peer.Peer, error) {
	row := s.db.Reader().QueryRowContext(ctx, `SELECT `+peerCols+` FROM peers p WHERE p.id = $1 AND `+inScope("p.account_id", 2), id, scope)
	p, err := scanPeer(row)
	if problem.Is(err, problem.NotFound) {
		return p, problem.NotFoundf("no such peer")
	}
	return p, err
}

// PeerByID returns peer id wherever it is.
func (s *Peers) PeerByID(ctx context.Context, id int64) (peer.Peer, error) {
	p, err := scanPeer(s.db.Reader().QueryRowContext(ctx, `SELECT `+peerCols+` FROM peers p WHERE p.id = $1`, id))
	if problem.Is(err, problem.NotFound) {
		return p, problem.NotFoundf("no such peer")
	}
	return p, err
}

// PeerByUsername returns the peer whose username is exactly username.
func (s *Peers) PeerByUsername(ctx context.Context, username string) (peer.Peer, error) {
	p, err := scanPeer(s.db.Reader().QueryRowContext(ctx, `SELECT `+peerCols+` FROM peers p WHERE LOWER(p.username) = LOWER($1)`, username))
	if err == nil && p.Username != username {
		err = problem.NotFoundf("no such peer")
	}
	if problem.Is(err, problem.NotFound) {
		return peer.Peer{}, problem.NotFoundf("no such peer")
	}
	return p, err
}

// StaticPeers lists the static peers at host, at port unless it is 0.
func (s *Peers) StaticPeers(ctx context.Context, host string, port int) ([]peer.Peer, error) {
	q := `SELECT ` + peerCols + ` FROM peers p WHERE p.host_type = 'static' AND p.host = $1`
	args := []any{host}
	if port != 0 {
		q += ` AND p.port = $2`
		args = append(args, port)
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("static peers: %w", err)
	}
	defer rows.Close()
	var out []peer.Peer
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ListPeers lists peers in scope.
func (s *Peers) ListPeers(ctx context.Context, scope int64, f peer.Filter, p query.Params) ([]peer.Peer, int, error) {
	base := "FROM peers p WHERE " + inScope("p.account_id", 1)
	args := []any{scope}
	if f.SubaccountID != 0 {
		args = append(args, f.SubaccountID)
		base += fmt.Sprintf(" AND p.subaccount_id = $%d", len(args))
	}
	return list(ctx, s.db.Reader(), peerCols, base, args, &PeerSpec, p,
		func(r *sql.Rows) (peer.Peer, error) { return scanPeer(r) })
}

// UpdatePeer writes every mutable field of p.
func (s *Peers) UpdatePeer(ctx context.Context, p *peer.Peer) error {
	cols := strings.Split(strings.ReplaceAll(peerCols, "p.", ""), ",")
	all, err := peerArgs(p)
	if err != nil {
		return err
	}
	args := []any{p.ID, p.AccountID}
	sets := make([]string, 0, len(cols))
	for i, c := range cols {
		c = strings.TrimSpace(c)
		if c == "id" || c == "account_id" || c == "created_at" || c == "username" {
			continue
		}
		args = append(args, all[i])
		sets = append(sets, fmt.Sprintf("%s=$%d", c, len(args)))
	}
	return affected(s.db.Exec(ctx, `UPDATE peers SET `+strings.Join(sets, ", ")+` WHERE id=$1 AND account_id=$2`, args...))
}

// DeletePeer deletes a peer in scope and its bindings.
func (s *Peers) DeletePeer(ctx context.Context, scope, id int64) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM peers WHERE id = $1 AND `+inScope("account_id", 2), id, scope).Scan(&n); err != nil {
			return fmt.Errorf("delete peer: %w", err)
		}
		if n == 0 {
			return problem.NotFoundf("no such peer")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM peer_registrations WHERE peer_id = $1`, id); err != nil {
			return fmt.Errorf("delete registrations: %w", err)
		}
		return affected(tx.ExecContext(ctx, `DELETE FROM peers WHERE id = $1`, id))
	})
	if problem.Is(err, problem.NotFound) {
		return problem.NotFoundf("no such peer")
	}
	return err
}

const registrationCols = `id, peer_id, account_id, contact, source, transport, user_agent, call_id, cseq, node,
	registered_at, expires_at, reachable, qualified_at`

func scanRegistration(r interface{ Scan(...any) error }) (peer.Registration, error) {
	var g peer.Registration
	var reg, exp, q int64
	err := r.Scan(&g.ID, &g.PeerID, &g.AccountID, &g.Contact, &g.Source, &g.Transport, &g.UserAgent, &g.CallID,
		&g.CSeq, &g.Node, &reg, &exp, &g.Reachable, &q)
	if err != nil {
		return g, translate(err)
	}
	g.RegisteredAt, g.ExpiresAt = FromMicros(reg), FromMicros(exp)
	if q != 0 {
		g.QualifiedAt = FromMicros(q)
	}
	return g, nil
}

func queryRegistrations(ctx context.Context, q Querier, where string, args ...any) ([]peer.Registration, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+registrationCols+` FROM peer_registrations WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("registrations: %w", err)
	}
	defer rows.Close()
	out := []peer.Registration{}
	for rows.Next() {
		g, err := scanRegistration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Registrations lists the bindings of a peer that have not expired at now.
func (s *Peers) Registrations(ctx context.Context, peerID int64, now time.Time) ([]peer.Registration, error) {
	return queryRegistrations(ctx, s.db.Reader(), `peer_id = $1 AND expires_at > $2 ORDER BY registered_at, id`, peerID, Micros(now))
}

// ApplyBindings applies one REGISTER's change to a peer's bindings in one
// transaction and returns the bindings that remain. A binding refreshed
// with the Call-ID it was made with and no higher CSeq is a REGISTER that
// arrived out of order (RFC 3261 §10.3): the newer binding stays.
func (s *Peers) ApplyBindings(ctx context.Context, peerID int64, c peer.BindingChange) ([]peer.Registration, error) {
	var out []peer.Registration
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := Micros(c.Now)
		if s.db.Kind == Postgres {
			// Serialises REGISTERs of one peer across nodes, so the
			// contact limit holds.
			if _, err := tx.ExecContext(ctx, `SELECT id FROM peers WHERE id = $1 FOR UPDATE`, peerID); err != nil {
				return fmt.Errorf("lock peer: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM peer_registrations WHERE peer_id = $1 AND expires_at <= $2`, peerID, now); err != nil {
			return fmt.Errorf("expire bindings: %w", err)
		}
		if c.RemoveAll {
			if _, err := tx.ExecContext(ctx, `DELETE FROM peer_registrations WHERE peer_id = $1`, peerID); err != nil {
				return fmt.Errorf("remove bindings: %w", err)
			}
		}
		for _, contact := range c.Remove {
			if _, err := tx.ExecContext(ctx, `DELETE FROM peer_registrations WHERE peer_id = $1 AND contact = $2`, peerID, contact); err != nil {
				return fmt.Errorf("remove binding: %w", err)
			}
		}
		for _, g := range c.Upsert {
			_, err := tx.ExecContext(ctx, `INSERT INTO peer_registrations (`+registrationCols+`)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
				ON CONFLICT (peer_id, contact) DO UPDATE SET source = excluded.source, transport = excluded.transport,
					user_agent = excluded.user_agent, call_id = excluded.call_id, cseq = excluded.cseq, node = excluded.node,
					registered_at = excluded.registered_at, expires_at = excluded.expires_at, reachable = excluded.reachable
				WHERE peer_registrations.call_id <> excluded.call_id OR peer_registrations.cseq < excluded.cseq`,
				g.ID, peerID, g.AccountID, g.Contact, g.Source, g.Transport, g.UserAgent, g.CallID, g.CSeq, g.Node,
				Micros(g.RegisteredAt), Micros(g.ExpiresAt), g.Reachable, int64(0))
			if err != nil {
				return fmt.Errorf("save binding: %w", translate(err))
			}
		}
		var err error
		out, err = queryRegistrations(ctx, tx, `peer_id = $1 ORDER BY registered_at, id`, peerID)
		if err != nil {
			return err
		}
		if c.Max > 0 && len(out) > c.Max {
			return &problem.Error{Code: problem.Conflict, Field: "contact", Message: fmt.Sprintf("at most %d contacts per peer", c.Max)}
		}
		return nil
	})
	return out, err
}

// DueQualify lists up to limit unexpired bindings taken by node of peers
// with qualify enabled whose last ping is older than their interval.
func (s *Peers) DueQualify(ctx context.Context, node int64, now time.Time, limit int) ([]peer.QualifyTarget, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT r.id, r.peer_id, r.account_id, r.contact, r.source, r.transport,
		r.user_agent, r.call_id, r.cseq, r.node, r.registered_at, r.expires_at, r.reachable, r.qualified_at, p.qualify
		FROM peer_registrations r JOIN peers p ON p.id = r.peer_id
		WHERE r.node = $1 AND r.expires_at > $2 AND p.enable_qualify AND p.qualify > 0
		AND r.qualified_at + p.qualify * 1000 <= $2 ORDER BY r.qualified_at, r.id LIMIT $3`, node, Micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due qualify: %w", err)
	}
	defer rows.Close()
	var out []peer.QualifyTarget
	for rows.Next() {
		var t peer.QualifyTarget
		var reg, exp, q int64
		var ms int
		if err := rows.Scan(&t.ID, &t.PeerID, &t.AccountID, &t.Contact, &t.Source, &t.Transport, &t.UserAgent, &t.CallID,
			&t.CSeq, &t.Node, &reg, &exp, &t.Reachable, &q, &ms); err != nil {
			return nil, fmt.Errorf("due qualify: %w", err)
		}
		t.RegisteredAt, t.ExpiresAt, t.Qualify = FromMicros(reg), FromMicros(exp), time.Duration(ms)*time.Millisecond
		if q != 0 {
			t.QualifiedAt = FromMicros(q)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// MarkQualified records the outcome of a ping.
func (s *Peers) MarkQualified(ctx context.Context, registrationID int64, reachable bool, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE peer_registrations SET reachable = $2, qualified_at = $3 WHERE id = $1`, registrationID, reachable, Micros(at))
	return translate(err)
}

// PruneRegistrations deletes bindings expired at now.
func (s *Peers) PruneRegistrations(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM peer_registrations WHERE expires_at <= $1`, Micros(now))
	if err != nil {
		return 0, fmt.Errorf("prune registrations: %w", err)
	}
	return res.RowsAffected()
}

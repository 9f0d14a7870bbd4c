package peer

import (
	"context"
	"fmt"
	"time"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/catalog"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Accounts is what the Service needs of the account tree.
type Accounts interface {
	GetAccount(ctx context.Context, p auth.Principal, id int64) (account.Account, error)
	GetSubaccount(ctx context.Context, p auth.Principal, id int64) (account.Subaccount, error)
}

// IDs hands out new ids.
type IDs interface{ Next() int64 }

// Service applies the peer rules over a Store.
type Service struct {
	store    Store
	accounts Accounts
	ids      IDs
	realm    string
	now      func() time.Time
	policy   Policy
}

// Policy refuses a feature to an account that needs a bundle allowing it
// (the require_bundle policy of an account above it).
type Policy interface {
	Require(ctx context.Context, accountID int64, f catalog.Feature) error
}

// RequireBundles makes Create ask policy whether the account may have
// SIP peers. Call it before the service is used.
func (s *Service) RequireBundles(policy Policy) { s.policy = policy }

// DefaultRealm is the digest realm when none is configured.
const DefaultRealm = "switchboard"

// NewService returns a Service whose passwords are hashed for realm.
func NewService(store Store, accounts Accounts, ids IDs, realm string) *Service {
	if realm == "" {
		realm = DefaultRealm
	}
	return &Service{store: store, accounts: accounts, ids: ids, realm: realm,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// Realm is the digest realm peers' secrets are hashed for.
func (s *Service) Realm() string { return s.realm }

// Store is the underlying store, for the SIP engine.
func (s *Service) Store() Store { return s.store }

func requireWrite(p auth.Principal) error {
	if !p.CanWrite() {
		return problem.New(problem.Forbidden, "this credential is read-only")
	}
	return nil
}

// Create creates a peer in patch.AccountID (default: the principal's
// account). friendly_name, host_type, username and callerid_mode are
// required; a dynamic peer also needs a password, or it could never
// register.
func (s *Service) Create(ctx context.Context, p auth.Principal, patch Patch) (Peer, error) {
	if err := requireWrite(p); err != nil {
		return Peer{}, err
	}
	owner := p.AccountID
	if patch.AccountID != nil && *patch.AccountID != 0 {
		owner = *patch.AccountID
	}
	acc, err := s.accounts.GetAccount(ctx, p, owner)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return Peer{}, problem.Field("account_id", "no such account")
		}
		return Peer{}, err
	}
	if s.policy != nil {
		if err := s.policy.Require(ctx, acc.ID, catalog.SIPPeers); err != nil {
			return Peer{}, err
		}
	}
	switch {
	case patch.FriendlyName == nil:
		return Peer{}, problem.Field("friendly_name", "is required")
	case patch.HostType == nil:
		return Peer{}, problem.Field("host_type", "is required")
	case patch.Username == nil:
		return Peer{}, problem.Field("username", "is required")
	case patch.CallerIDMode == nil:
		return Peer{}, problem.Field("callerid_mode", "is required")
	}
	if err := checkText("username", *patch.Username); err != nil {
		return Peer{}, err
	}
	if !usernameRe.MatchString(*patch.Username) {
		return Peer{}, problem.Field("username", "must be 6 to 32 letters or digits")
	}
	t := s.now()
	peer := Peer{
		ID: s.ids.Next(), AccountID: acc.ID, Username: *patch.Username, Port: 5060, Transport: "udp",
		CallerIDType: "none", CallerIDFormat: "unaltered", Codecs: []string{"ulaw", "alaw"}, DTMFMode: "rfc2833",
		DNISMode: "auto", DNISFormat: "e164", RegisterTimeout: 3600, ProgressTimeout: 10, Status: "enabled",
		Metadata: map[string]string{}, CreatedAt: t, UpdatedAt: t,
	}
	if err := patch.apply(&peer); err != nil {
		return Peer{}, err
	}
	if err := s.checkSubaccount(ctx, p, &peer, patch.SubaccountID); err != nil {
		return Peer{}, err
	}
	if patch.Password != nil {
		if err := peer.setSecret(s.realm, *patch.Password); err != nil {
			return Peer{}, err
		}
	} else if peer.HostType == "dynamic" || peer.EnableAuth {
		return Peer{}, problem.Field("password", "is required for a peer that authenticates")
	}
	if err := s.store.CreatePeer(ctx, &peer); err != nil {
		return Peer{}, fmt.Errorf("create peer: %w", err)
	}
	return peer, nil
}

// checkSubaccount applies a subaccount change: it must belong to the
// peer's account.
func (s *Service) checkSubaccount(ctx context.Context, p auth.Principal, peer *Peer, sid *int64) error {
	if sid == nil {
		return nil
	}
	if *sid == 0 {
		peer.SubaccountID = 0
		return nil
	}
	sub, err := s.accounts.GetSubaccount(ctx, p, *sid)
	if err != nil || sub.AccountID != peer.AccountID {
		return problem.Field("subaccount_id", "must be a subaccount of the peer's account")
	}
	peer.SubaccountID = sub.ID
	return nil
}

// Get returns a peer of the principal's subtree.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Peer, error) {
	return s.store.GetPeer(ctx, p.AccountID, id)
}

// List lists peers of the principal's subtree.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter, q query.Params) ([]Peer, int, error) {
	return s.store.ListPeers(ctx, p.AccountID, f, q)
}

// Update changes the given fields. The username and the account are fixed
// at creation. A change of the digest username needs the password again,
// since only hashes of it are kept.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, patch Patch) (Peer, error) {
	if err := requireWrite(p); err != nil {
		return Peer{}, err
	}
	peer, err := s.store.GetPeer(ctx, p.AccountID, id)
	if err != nil {
		return Peer{}, err
	}
	if patch.AccountID != nil && *patch.AccountID != peer.AccountID {
		return Peer{}, problem.Field("account_id", "a peer cannot move to another account")
	}
	if patch.Username != nil && *patch.Username != peer.Username {
		return Peer{}, problem.Field("username", "is set at creation and cannot change")
	}
	if patch.RegisterTimeout != nil || patch.ProgressTimeout != nil {
		// The document allows them on create only; an update that sends
		// the same value is accepted so a client may send back what it read.
		if patch.RegisterTimeout != nil && *patch.RegisterTimeout != peer.RegisterTimeout {
			return Peer{}, problem.Field("register_timeout", "can only be set at creation")
		}
		if patch.ProgressTimeout != nil && *patch.ProgressTimeout != peer.ProgressTimeout {
			return Peer{}, problem.Field("progress_timeout", "can only be set at creation")
		}
	}
	digestUser := peer.DigestUsername()
	if err := patch.apply(&peer); err != nil {
		return Peer{}, err
	}
	if err := s.checkSubaccount(ctx, p, &peer, patch.SubaccountID); err != nil {
		return Peer{}, err
	}
	switch {
	case patch.Password != nil:
		if err := peer.setSecret(s.realm, *patch.Password); err != nil {
			return Peer{}, err
		}
	case peer.DigestUsername() != digestUser && peer.HasSecret():
		return Peer{}, problem.Field("password", "is required when the authentication username changes")
	case !peer.HasSecret() && (peer.HostType == "dynamic" || peer.EnableAuth):
		return Peer{}, problem.Field("password", "is required for a peer that authenticates")
	}
	peer.UpdatedAt = s.now()
	if err := s.store.UpdatePeer(ctx, &peer); err != nil {
		return Peer{}, fmt.Errorf("update peer: %w", err)
	}
	return peer, nil
}

// Delete removes a peer and its bindings.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	if err := requireWrite(p); err != nil {
		return err
	}
	return s.store.DeletePeer(ctx, p.AccountID, id)
}

// Registrations lists the current bindings of a peer of the principal's
// subtree.
func (s *Service) Registrations(ctx context.Context, p auth.Principal, id int64) ([]Registration, error) {
	if _, err := s.store.GetPeer(ctx, p.AccountID, id); err != nil {
		return nil, err
	}
	return s.store.Registrations(ctx, id, time.Now())
}

// Package extension owns extensions: short numbers (1000-9999, unique per
// account) that ring a list of the account's peers in order, with the
// fields of the voicemeup update_extension request and their rules.
package extension

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/catalog"
	"switchboard/internal/peer"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Extension is a number inside an account that rings its peers.
type Extension struct {
	ID           int64
	AccountID    int64
	SubaccountID int64 // 0: none
	Number       int   // 1000-9999
	FriendlyName string
	// PeerIDs are the peers rung, in order; each rings for PeerTimeout.
	PeerIDs []int64
	// PeerTimeout is the seconds each peer rings before the next (0:
	// disabled, the last peer rings until the caller gives up).
	PeerTimeout      int
	ForwardNumber    string // stored; executed with PSTN calls
	ForwardTimeout   int
	EnableForwarding bool
	Status           string
	Comments         string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Allowed values and bounds.
var (
	// Timeouts are the values peer_timeout and forward_timeout accept
	// (0 is "disabled").
	Timeouts = []int{0, 2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55}
	States   = []string{"enabled", "disabled"}
)

// Bounds of an extension number, and the most peers one rings.
const (
	MinNumber, MaxNumber = 1000, 9999
	MaxPeers             = 32
)

// Patch carries the fields of a create or an update; nil leaves a field.
type Patch struct {
	AccountID        *int64
	SubaccountID     *int64
	Number           *int
	FriendlyName     *string
	PeerIDs          *[]int64
	PeerTimeout      *int
	ForwardNumber    *string
	ForwardTimeout   *int
	EnableForwarding *bool
	Status           *string
	Comments         *string
}

var (
	nameRe    = regexp.MustCompile(`^[\p{L}\p{N} _.'-]{2,32}$`)
	forwardRe = regexp.MustCompile(`^[0-9]{10}$`)
)

func (pt *Patch) apply(e *Extension) error {
	if pt.Number != nil {
		if *pt.Number < MinNumber || *pt.Number > MaxNumber {
			return problem.Field("extension", "must be a number between 1000 and 9999")
		}
		e.Number = *pt.Number
	}
	if pt.FriendlyName != nil {
		if !utf8.ValidString(*pt.FriendlyName) || !nameRe.MatchString(*pt.FriendlyName) {
			return problem.Field("friendly_name", "must be 2 to 32 letters, digits or spaces")
		}
		e.FriendlyName = *pt.FriendlyName
	}
	if pt.PeerIDs != nil {
		if len(*pt.PeerIDs) > MaxPeers {
			return problem.Field("peer_ids", "at most %d peers", MaxPeers)
		}
		ids := []int64{}
		for _, id := range *pt.PeerIDs {
			if slices.Contains(ids, id) {
				return problem.Field("peer_ids", "names a peer twice")
			}
			ids = append(ids, id)
		}
		e.PeerIDs = ids
	}
	if pt.PeerTimeout != nil {
		if !slices.Contains(Timeouts, *pt.PeerTimeout) {
			return problem.Field("peer_timeout", "must be disabled or one of 2, 5, 10, ... 55")
		}
		e.PeerTimeout = *pt.PeerTimeout
	}
	if pt.ForwardNumber != nil {
		if *pt.ForwardNumber != "" && !forwardRe.MatchString(*pt.ForwardNumber) {
			return problem.Field("forward_number", "must be a phone number of 10 digits")
		}
		e.ForwardNumber = *pt.ForwardNumber
	}
	if pt.ForwardTimeout != nil {
		if !slices.Contains(Timeouts, *pt.ForwardTimeout) {
			return problem.Field("forward_timeout", "must be disabled or one of 2, 5, 10, ... 55")
		}
		e.ForwardTimeout = *pt.ForwardTimeout
	}
	if pt.EnableForwarding != nil {
		e.EnableForwarding = *pt.EnableForwarding
	}
	if pt.Status != nil {
		if !slices.Contains(States, *pt.Status) {
			return problem.Field("status", "must be enabled or disabled")
		}
		e.Status = *pt.Status
	}
	if pt.Comments != nil {
		if !utf8.ValidString(*pt.Comments) || strings.ContainsRune(*pt.Comments, 0) || len(*pt.Comments) > 1024 {
			return problem.Field("comments", "must be text of at most 1024 bytes")
		}
		e.Comments = *pt.Comments
	}
	if e.EnableForwarding && e.ForwardNumber == "" {
		return problem.Field("forward_number", "is required when forwarding is enabled")
	}
	return nil
}

// Filter narrows a list beyond the generic query.
type Filter struct {
	SubaccountID int64 // 0: any
}

// Store keeps extensions.
type Store interface {
	CreateExtension(ctx context.Context, e *Extension) error
	GetExtension(ctx context.Context, scope, id int64) (Extension, error)
	ListExtensions(ctx context.Context, scope int64, f Filter, q query.Params) ([]Extension, int, error)
	UpdateExtension(ctx context.Context, e *Extension) error
	DeleteExtension(ctx context.Context, scope, id int64) error
	// ExtensionByNumber finds an account's extension, for call routing.
	ExtensionByNumber(ctx context.Context, accountID int64, number int) (Extension, error)
}

// Accounts is what the Service needs of the account tree.
type Accounts interface {
	GetAccount(ctx context.Context, p auth.Principal, id int64) (account.Account, error)
	GetSubaccount(ctx context.Context, p auth.Principal, id int64) (account.Subaccount, error)
}

// Peers finds the peers an extension names.
type Peers interface {
	GetPeer(ctx context.Context, scope, id int64) (peer.Peer, error)
}

// Policy refuses a feature to an account that needs a bundle allowing it.
type Policy interface {
	Require(ctx context.Context, accountID int64, f catalog.Feature) error
}

// IDs hands out new ids.
type IDs interface{ Next() int64 }

// Service applies the extension rules over a Store.
type Service struct {
	store    Store
	accounts Accounts
	peers    Peers
	ids      IDs
	policy   Policy
	now      func() time.Time
}

// NewService returns a Service.
func NewService(store Store, accounts Accounts, peers Peers, ids IDs) *Service {
	return &Service{store: store, accounts: accounts, peers: peers, ids: ids,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// RequireBundles makes Create ask policy whether the account may have
// extensions. Call it before the service is used.
func (s *Service) RequireBundles(policy Policy) { s.policy = policy }

// Store is the underlying store, for call routing.
func (s *Service) Store() Store { return s.store }

func requireWrite(p auth.Principal) error {
	if !p.CanWrite() {
		return problem.New(problem.Forbidden, "this credential is read-only")
	}
	return nil
}

// Create creates an extension in patch.AccountID (default: the
// principal's account); extension and friendly_name are required.
func (s *Service) Create(ctx context.Context, p auth.Principal, patch Patch) (Extension, error) {
	if err := requireWrite(p); err != nil {
		return Extension{}, err
	}
	owner := p.AccountID
	if patch.AccountID != nil && *patch.AccountID != 0 {
		owner = *patch.AccountID
	}
	acc, err := s.accounts.GetAccount(ctx, p, owner)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return Extension{}, problem.Field("account_id", "no such account")
		}
		return Extension{}, err
	}
	if s.policy != nil {
		if err := s.policy.Require(ctx, acc.ID, catalog.Extensions); err != nil {
			return Extension{}, err
		}
	}
	switch {
	case patch.Number == nil:
		return Extension{}, problem.Field("extension", "is required")
	case patch.FriendlyName == nil:
		return Extension{}, problem.Field("friendly_name", "is required")
	}
	t := s.now()
	e := Extension{ID: s.ids.Next(), AccountID: acc.ID, PeerIDs: []int64{}, Status: "enabled", CreatedAt: t, UpdatedAt: t}
	if err := s.check(ctx, p, &e, patch); err != nil {
		return Extension{}, err
	}
	if err := s.store.CreateExtension(ctx, &e); err != nil {
		return Extension{}, fmt.Errorf("create extension: %w", err)
	}
	return e, nil
}

// check applies patch to e and verifies the subaccount and peers belong
// to e's account.
func (s *Service) check(ctx context.Context, p auth.Principal, e *Extension, patch Patch) error {
	if err := patch.apply(e); err != nil {
		return err
	}
	if sid := patch.SubaccountID; sid != nil {
		if *sid == 0 {
			e.SubaccountID = 0
		} else {
			sub, err := s.accounts.GetSubaccount(ctx, p, *sid)
			if err != nil || sub.AccountID != e.AccountID {
				return problem.Field("subaccount_id", "must be a subaccount of the extension's account")
			}
			e.SubaccountID = sub.ID
		}
	}
	if patch.PeerIDs != nil {
		for _, id := range e.PeerIDs {
			pr, err := s.peers.GetPeer(ctx, p.AccountID, id)
			if err != nil || pr.AccountID != e.AccountID {
				return problem.Field("peer_ids", "must be peers of the extension's account")
			}
		}
	}
	return nil
}

// Get returns an extension of the principal's subtree.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Extension, error) {
	return s.store.GetExtension(ctx, p.AccountID, id)
}

// List lists extensions of the principal's subtree.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter, q query.Params) ([]Extension, int, error) {
	return s.store.ListExtensions(ctx, p.AccountID, f, q)
}

// Update changes the given fields; the account is fixed at creation.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, patch Patch) (Extension, error) {
	if err := requireWrite(p); err != nil {
		return Extension{}, err
	}
	e, err := s.store.GetExtension(ctx, p.AccountID, id)
	if err != nil {
		return Extension{}, err
	}
	if patch.AccountID != nil && *patch.AccountID != e.AccountID {
		return Extension{}, problem.Field("account_id", "an extension cannot move to another account")
	}
	if err := s.check(ctx, p, &e, patch); err != nil {
		return Extension{}, err
	}
	e.UpdatedAt = s.now()
	if err := s.store.UpdateExtension(ctx, &e); err != nil {
		return Extension{}, fmt.Errorf("update extension: %w", err)
	}
	return e, nil
}

// Delete removes an extension.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id int64) error {
	if err := requireWrite(p); err != nil {
		return err
	}
	return s.store.DeleteExtension(ctx, p.AccountID, id)
}

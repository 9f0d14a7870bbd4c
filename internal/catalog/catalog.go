// Package catalog is what Switchboard sells by subscription: the VoIP
// bundle types of seed 001 (1 Business, 2 Residential, 3 Fax Only, 4 Trunk
// Only, 5 Forward Only) with the features each allows, and the call-pack
// types of seed 000 (13-20: UK and UK + EU landline and mobile minutes),
// with their default prices, and the prices the operator and resellers set
// for the accounts directly below them.
//
// An account pays the price its parent set for an item, or the item's
// default price when its parent set none; a purchase debits the buyer at
// that price and each reseller above it (below the operator) at its own buy
// price, in one ledger chain, so a reseller cannot sell what it cannot pay
// for.
package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/internal/auth"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// Kind is a kind of catalog item.
type Kind string

// Catalog kinds.
const (
	KindBundle   Kind = "bundle"
	KindCallPack Kind = "call_pack"
)

// Feature is something a bundle allows an account to have or use.
type Feature string

// The features bundles allow.
const (
	SIPPeers   Feature = "sip_peers"
	Extensions Feature = "extensions"
	Numbers    Feature = "numbers"
	Trunks     Feature = "trunks"
	Fax        Feature = "fax"
	Forwarding Feature = "forwarding"
	Voicemail  Feature = "voicemail"
	SMS        Feature = "sms"
)

var features = []Feature{SIPPeers, Extensions, Numbers, Trunks, Fax, Forwarding, Voicemail, SMS}

// Valid reports whether f is a known feature.
func (f Feature) Valid() bool { return slices.Contains(features, f) }

// Features is a set of features, in the order of the list above.
type Features []Feature

// Has reports whether the set holds f.
func (fs Features) Has(f Feature) bool { return slices.Contains(fs, f) }

// ParseFeatures reads the comma-separated form the store keeps, dropping
// unknown names.
func ParseFeatures(s string) Features {
	var out Features
	for _, f := range features {
		if slices.Contains(strings.Split(s, ","), string(f)) {
			out = append(out, f)
		}
	}
	return out
}

// String is the comma-separated form.
func (fs Features) String() string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = string(f)
	}
	return strings.Join(parts, ",")
}

// BundleType is one kind of VoIP bundle.
type BundleType struct {
	ID           int
	Name         string
	Price        money.Amount // the default price of one period
	PeriodMonths int
	Features     Features
}

// PackType is one kind of call pack.
type PackType struct {
	ID             int
	Name           string
	Minutes        int64
	Prefixes       []string // E.164 digit prefixes of the destinations covered
	Price          money.Amount
	ValidityMonths int
}

// Seconds is the pack's allowance in seconds.
func (t PackType) Seconds() int64 { return t.Minutes * 60 }

// Covers reports whether a call to digits (E.164 digits) is covered.
func (t PackType) Covers(digits string) bool {
	for _, p := range t.Prefixes {
		if p != "" && strings.HasPrefix(digits, p) {
			return true
		}
	}
	return false
}

// ChainLevel is one account of a purchase chain with the price its parent
// set for the item (Set false: none, the default applies).
type ChainLevel struct {
	AccountID int64
	Price     money.Amount
	Set       bool
}

// Store persists the catalog and its prices.
type Store interface {
	BundleTypes(ctx context.Context) ([]BundleType, error)
	PackTypes(ctx context.Context) ([]PackType, error)
	// SellPrices returns the prices owner set for kind, by type id.
	SellPrices(ctx context.Context, owner int64, kind Kind) (map[int]money.Amount, error)
	SetSellPrice(ctx context.Context, owner int64, kind Kind, typeID int, price money.Amount, at time.Time) error
	// PriceChain returns accountID and each ancestor below the operator,
	// lowest first, each with the price its parent set for the item.
	PriceChain(ctx context.Context, accountID int64, kind Kind, typeID int) ([]ChainLevel, error)
}

// Service reads the catalog and applies its prices.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the catalog service; now nil is time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// BundleType returns bundle type id; Invalid naming field when there is none.
func (s *Service) BundleType(ctx context.Context, id int, field string) (BundleType, error) {
	ts, err := s.store.BundleTypes(ctx)
	if err != nil {
		return BundleType{}, problem.Wrap(err, "reading the catalog failed")
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return BundleType{}, problem.Field(field, "must be one of %s", bundleIDs(ts))
}

// PackType returns call-pack type id; Invalid naming field when there is none.
func (s *Service) PackType(ctx context.Context, id int, field string) (PackType, error) {
	ts, err := s.store.PackTypes(ctx)
	if err != nil {
		return PackType{}, problem.Wrap(err, "reading the catalog failed")
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return PackType{}, problem.Field(field, "must be one of %d to %d", ts[0].ID, ts[len(ts)-1].ID)
}

// BundleTypes lists the bundle types.
func (s *Service) BundleTypes(ctx context.Context) ([]BundleType, error) {
	ts, err := s.store.BundleTypes(ctx)
	return ts, problem.Wrap(err, "reading the catalog failed")
}

// PackTypes lists the call-pack types.
func (s *Service) PackTypes(ctx context.Context) ([]PackType, error) {
	ts, err := s.store.PackTypes(ctx)
	return ts, problem.Wrap(err, "reading the catalog failed")
}

func bundleIDs(ts []BundleType) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.Name)
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(t.ID))
		b.WriteString(")")
	}
	return b.String()
}

// Offer is a catalog item as one account sees it.
type Offer struct {
	TypeID int
	// Price is what the account pays: its parent's sell price, else the
	// default; nil for the operator, which buys nothing.
	Price *money.Amount
	// SellPrice is what the accounts directly below pay: the account's own
	// price, else the default; nil unless the viewer is an admin of an
	// account that may own accounts.
	SellPrice *money.Amount
}

// Offers returns the price p pays and sells at for each type of kind,
// given the types' default prices.
func (s *Service) Offers(ctx context.Context, p auth.Principal, kind Kind, defaults map[int]money.Amount) (map[int]Offer, error) {
	out := make(map[int]Offer, len(defaults))
	var sells map[int]money.Amount
	if p.IsAdmin() {
		var err error
		if sells, err = s.store.SellPrices(ctx, p.AccountID, kind); err != nil {
			return nil, problem.Wrap(err, "reading prices failed")
		}
	}
	for id, def := range defaults {
		o := Offer{TypeID: id}
		if !p.Operator {
			levels, err := s.store.PriceChain(ctx, p.AccountID, kind, id)
			if err != nil {
				return nil, problem.Wrap(err, "reading prices failed")
			}
			price := def
			if len(levels) > 0 && levels[0].Set {
				price = levels[0].Price
			}
			o.Price = &price
		}
		if p.IsAdmin() {
			sell := def
			if v, ok := sells[id]; ok {
				sell = v
			}
			o.SellPrice = &sell
		}
		out[id] = o
	}
	return out, nil
}

// SetSellPrice sets what the accounts directly below p's account pay for
// a type of kind. Only an admin may; a customer account owns no accounts,
// but may set prices ahead of becoming a reseller.
func (s *Service) SetSellPrice(ctx context.Context, p auth.Principal, kind Kind, typeID int, price money.Amount) error {
	if !p.IsAdmin() {
		return problem.New(problem.Forbidden, "only an admin user may set prices")
	}
	if price <= 0 {
		return problem.Field("price", "must be more than 0")
	}
	if err := s.store.SetSellPrice(ctx, p.AccountID, kind, typeID, price, s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return problem.Wrap(err, "setting the price failed")
	}
	return nil
}

// Levels returns the purchase chain of one item bought by accountID: the
// buyer first at its price, then each reseller above it below the
// operator at its own buy price, for ledger.ChainDebits. The operator's
// own account buys nothing: Invalid.
func (s *Service) Levels(ctx context.Context, accountID int64, kind Kind, typeID int, def money.Amount) ([]ledger.Level, error) {
	chain, err := s.store.PriceChain(ctx, accountID, kind, typeID)
	if err != nil {
		return nil, problem.Wrap(err, "reading prices failed")
	}
	if len(chain) == 0 {
		return nil, problem.Field("account_id", "the operator's own account does not buy from the catalog")
	}
	out := make([]ledger.Level, len(chain))
	for i, c := range chain {
		out[i] = ledger.Level{AccountID: c.AccountID, Price: def}
		if c.Set {
			out[i].Price = c.Price
		}
	}
	return out, nil
}

// KeyOptions returns the ledger options of a purchase made with an
// Idempotency-Key: the key is namespaced and hashed to fit the ledger, and
// the hash covers the request as understood (an operation name and its
// arguments), so the same key with another request, or for another
// operation, is ledger.ErrIdempotencyMismatch. No key, no options.
func KeyOptions(key string, accountID int64, request ...any) (ledger.Options, error) {
	if key == "" {
		return ledger.Options{}, nil
	}
	if len(key) > ledger.MaxKeyLen || strings.IndexByte(key, 0) >= 0 || !utf8.ValidString(key) {
		return ledger.Options{}, problem.Field("Idempotency-Key", "must be text of at most %d bytes", ledger.MaxKeyLen)
	}
	k := sha256.Sum256([]byte(key))
	raw, err := json.Marshal(request)
	if err != nil {
		return ledger.Options{}, problem.Wrap(err, "hashing the request failed")
	}
	h := sha256.Sum256(raw)
	return ledger.Options{IdempotencyKey: "catalog:" + hex.EncodeToString(k[:]), RequestHash: hex.EncodeToString(h[:]),
		KeyAccountID: accountID}, nil
}

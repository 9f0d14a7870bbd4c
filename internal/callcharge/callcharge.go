// Package callcharge turns a finished call into money: the call is rated
// along its account's chain (tariff.Service), the seconds its call packs
// cover are taken from them, and each paying level is debited its price
// ("Call Charges") in one transaction with the packs' seconds and one
// call_charges row per level, the breakdown invoices summarise. A call is
// known by its CDR hash: charging it again, concurrently or after a
// crash, returns the first charge and moves nothing.
package callcharge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/callpack"
	"switchboard/internal/ledger"
	"switchboard/internal/money"
	"switchboard/internal/problem"
	"switchboard/internal/tariff"
)

// Call is a finished call to charge.
type Call struct {
	// Hash is the CDR's call hash (1 to 64 letters and digits; CDRs use 32
	// hexadecimal characters).
	Hash string
	// AccountID placed the call; SubaccountID, when set, is its subaccount,
	// whose own tariff prices the call first.
	AccountID    int64
	SubaccountID int64
	Destination  string
	// Answered is false for a call that never connected: it costs nothing
	// and is not charged.
	Answered bool
	// Duration is the answered seconds.
	Duration  int64
	StartedAt time.Time
}

// Charge is what one account paid for a call.
type Charge struct {
	ID              int64
	AccountID       int64
	CallerAccountID int64
	CallHash        string
	StartedAt       time.Time
	Destination     string
	Prefix          string
	RateID          int64
	RateType        string
	RateDescription string
	Duration        int64
	BilledSeconds   int64
	PackSeconds     int64
	Cost            money.Amount
	LedgerEntryID   int64
	CreatedAt       time.Time
}

// Outcome is a charged call.
type Outcome struct {
	// Charges has one row per paying level, the caller first.
	Charges []Charge
	// Packs are the seconds each call pack covered (on a replay: empty,
	// the first charge's PackSeconds tell the total).
	Packs []callpack.Use
	// Replayed is true when the call had been charged before.
	Replayed bool
}

// Plan computes, from the seconds the packs covered, the ledger request
// and the rows to write; the store calls it inside its transaction.
type Plan func(uses []callpack.Use) (charge *ledger.ApplyRequest, rows []Charge, err error)

// Store persists call charges.
type Store interface {
	// ChargeCall, in one transaction: returns the call's existing rows with
	// replayed true if callerID was charged for hash already; else takes up
	// to seconds of a call to digits at at from callerID's covering packs,
	// calls plan with what they covered, applies its ledger request (when
	// not nil), and inserts its rows with LedgerEntryID set from the
	// entries, in order, for the rows whose Cost is not 0.
	ChargeCall(ctx context.Context, callerID int64, hash, digits string, seconds int64, at time.Time, plan Plan) (rows []Charge, uses []callpack.Use, replayed bool, err error)
	// CallCharges returns the rows of a call charged to accountID.
	CallCharges(ctx context.Context, callerID int64, hash string) ([]Charge, error)
}

// IDs issues ids.
type IDs interface{ Next() int64 }

// Service charges calls.
type Service struct {
	tariffs *tariff.Service
	ledger  *ledger.Service
	store   Store
	ids     IDs
	now     func() time.Time
}

// NewService returns the call-charging service; now nil is time.Now.
func NewService(store Store, tariffs *tariff.Service, l *ledger.Service, ids IDs, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{tariffs: tariffs, ledger: l, store: store, ids: ids, now: now}
}

func validHash(h string) bool {
	if h == "" || len(h) > 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// Charge rates and debits a finished call. An unanswered call costs
// nothing: no row, no entry. The levels whose tariff has no rate for the
// destination pay nothing (routing refuses such calls before they
// happen); a subaccount's call is paid by its account at the subaccount's
// tariff. PaymentRequired when a level cannot pay: prepaid calls are
// authorised for no longer than their balance pays, so a charge fits.
func (s *Service) Charge(ctx context.Context, c Call) (Outcome, error) {
	if !validHash(c.Hash) {
		return Outcome{}, problem.Field("call_hash", "must be 1 to 64 letters and digits")
	}
	if c.AccountID <= 0 {
		return Outcome{}, problem.Field("account_id", "is required")
	}
	if !c.Answered {
		return Outcome{}, nil
	}
	// The call's own account rates it: no scope to check beyond the
	// subaccount's belonging to it.
	p := auth.Principal{AccountID: c.AccountID}
	res, err := s.tariffs.RateFor(ctx, p, tariff.Target{SubaccountID: c.SubaccountID}, c.Destination, c.Duration)
	if err != nil {
		return Outcome{}, err
	}
	at := c.StartedAt.UTC().Truncate(time.Microsecond)
	if at.IsZero() {
		at = s.now().UTC().Truncate(time.Microsecond)
	}
	plan := func(uses []callpack.Use) (*ledger.ApplyRequest, []Charge, error) {
		var covered int64
		for _, u := range uses {
			covered += u.Seconds
		}
		priced, err := tariff.WithPacks(res, covered)
		if err != nil {
			return nil, nil, err
		}
		return s.plan(c, at, priced)
	}
	rows, uses, replayed, err := s.store.ChargeCall(ctx, c.AccountID, c.Hash, res.Destination, res.BilledSeconds, at, plan)
	if err != nil {
		if problem.Is(err, problem.Conflict) {
			// A concurrent charge of the same call committed first.
			rows, err = s.store.CallCharges(ctx, c.AccountID, c.Hash)
			if err == nil && len(rows) > 0 {
				return Outcome{Charges: rows, Replayed: true}, nil
			}
		}
		return Outcome{}, problem.Wrap(err, "charging the call failed")
	}
	return Outcome{Charges: rows, Packs: uses, Replayed: replayed}, nil
}

// plan builds the rows and postings of a priced call.
func (s *Service) plan(c Call, at time.Time, res tariff.Result) (*ledger.ApplyRequest, []Charge, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	ref := "call:" + c.Hash
	var rows []Charge
	var postings []ledger.Posting
	seen := map[int64]bool{}
	for _, lv := range res.Levels {
		if !lv.Found || seen[lv.AccountID] {
			continue
		}
		seen[lv.AccountID] = true
		row := Charge{ID: s.ids.Next(), AccountID: lv.AccountID, CallerAccountID: c.AccountID, CallHash: c.Hash,
			StartedAt: at, Destination: res.Destination, Prefix: lv.Prefix, RateID: lv.RateID,
			RateType: string(lv.Rate.Type), RateDescription: lv.Rate.Description, Duration: c.Duration,
			BilledSeconds: lv.BilledSeconds, PackSeconds: min(res.PackSeconds, lv.BilledSeconds), Cost: lv.Cost, CreatedAt: now}
		rows = append(rows, row)
		if lv.Cost > 0 {
			postings = append(postings, ledger.Posting{AccountID: lv.AccountID, Activity: ledger.CallCharges, Debit: lv.Cost,
				Reference: ref, Description: describe(row)})
		}
	}
	if len(postings) == 0 {
		return nil, rows, nil
	}
	req, err := s.ledger.Prepare(postings, ledger.Options{})
	if err != nil {
		return nil, nil, err
	}
	return &req, rows, nil
}

func describe(r Charge) string {
	d := fmt.Sprintf("Call to +%s, %d s billed", r.Destination, r.BilledSeconds)
	if r.PackSeconds > 0 {
		d += fmt.Sprintf(", %d s from call packs", r.PackSeconds)
	}
	if desc := strings.TrimSpace(r.RateDescription); desc != "" {
		d += " (" + desc + ")"
	}
	if len(d) > ledger.MaxDescriptionLen {
		d = strings.ToValidUTF8(d[:ledger.MaxDescriptionLen], "")
	}
	return d
}

package voicemeup

import (
	"context"
	"strconv"
	"strings"

	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// The owned-DID request types: get_dids, update_did and delete_did.

// didStatus is a DID's status as get_dids names it.
func didStatus(n number.Number) string {
	if n.Status == number.Suspended || n.Settings["status"] == "disabled" {
		return "disabled"
	}
	return "enabled"
}

func didNode(n number.Number) *Node {
	status := didStatus(n)
	node := Elem("did").Attr("client_did_id", itoa(n.ID)).
		Set("phone_number", n.National).Set("type", string(n.Type)).Set("npa", n.NPA).Set("nxx", n.NXX).
		Set("ratecenter", n.RateCenter).Set("ratecenter_id", n.NPA+n.NXX).Set("district", n.City).
		SetInt("state_id", int64(n.StateID)).SetInt("country_id", int64(n.CountryID)).
		Set("t38_support", flag(n.T38)).Set("sms_support", flag(n.SMS)).Set("mms_support", flag(n.MMS)).
		Set("monthly_price", n.Monthly.String()).Set("paid_until", n.PaidUntil.UTC().Format("2006-01-02")).
		Set("status", status)
	for _, k := range number.SettingNames() {
		if k == "status" {
			continue
		}
		node.Set(k, n.Settings[k])
	}
	return node
}

func (o *numberOps) getDIDs(ctx context.Context, r *Request) (*Result, error) {
	var f number.OwnedFilter
	var err error
	for _, name := range []string{"client_peer_id", "client_mailbox_id", "client_channel_id", "client_subaccount_id",
		"client_fax_profile_id", "client_conference_profile_id", "announce_media_file_id", "confirm_media_file_id", "playback_media_file_id"} {
		if _, err := r.OptionalInt(name, 0); err != nil {
			return nil, err
		}
	}
	if f.NPA, err = digitsParam(r, "npa", threeDigits); err != nil {
		return nil, err
	}
	if f.NXX, err = digitsParam(r, "nxx", threeDigits); err != nil {
		return nil, err
	}
	if _, err := digitsParam(r, "sip_response", threeDigits); err != nil {
		return nil, err
	}
	typ, err := r.OneOf("type", "", "local", "tollfree", "paypercall", "international", "inum", "shadow", "interexchange")
	if err != nil {
		return nil, err
	}
	f.Type = number.Type(typ)
	status, err := r.OneOf("status", "", "enabled", "deleted", "disabled")
	if err != nil {
		return nil, err
	}
	if r.Has("state_id") {
		sid, err := r.Int("state_id")
		if err != nil {
			return nil, err
		}
		f.StateID = int(sid)
	}
	opts := r.List("options")
	for _, op := range opts {
		if !slicesContains(number.Options, op) && op != "enable_disa" && op != "enable_conference" && op != "enable_queue" {
			return nil, problem.Field("options", "is not valid")
		}
	}
	var out []number.Number
	switch {
	case r.Has("client_did_id"):
		id, err := r.Int("client_did_id")
		if err != nil {
			return nil, err
		}
		n, err := o.nums.GetByID(ctx, r.Principal, id)
		if err != nil {
			return nil, notFoundAs(err, "client_did_id")
		}
		out = []number.Number{n}
	case r.Has("phone_number"):
		p, err := digitsParam(r, "phone_number", phoneDigits)
		if err != nil {
			return nil, err
		}
		n, err := o.nums.Get(ctx, r.Principal, p)
		if err != nil {
			return nil, notFoundAs(err, "phone_number")
		}
		out = []number.Number{n}
	default:
		for skip := 0; skip < 10_000; skip += query.MaxTop {
			page, total, err := o.nums.Owned(ctx, r.Principal, f, query.Params{Skip: strconv.Itoa(skip), Top: strconv.Itoa(query.MaxTop)})
			if err != nil {
				return nil, err
			}
			out = append(out, page...)
			if len(out) >= total || len(page) == 0 {
				break
			}
		}
	}
	list := List("dids", "did")
	for _, n := range out {
		if status == "deleted" {
			break
		}
		if (status != "" && didStatus(n) != status) || !hasOptions(n, opts) {
			continue
		}
		list.Add(didNode(n))
	}
	return OK(list), nil
}

func hasOptions(n number.Number, want []string) bool {
	have := strings.Split(n.Settings["options"], ",")
	for _, w := range want {
		if !slicesContains(have, w) {
			return false
		}
	}
	return true
}

// listSettings are update_did's array parameters, stored comma separated.
var listSettings = map[string]bool{"options": true, "client_peer_ids": true, "client_queue_ids": true,
	"client_filter_ids": true, "notify_callback_triggers": true}

func (o *numberOps) ownedDID(ctx context.Context, r *Request) (number.Number, error) {
	if r.Has("client_did_id") {
		id, err := r.Int("client_did_id")
		if err != nil {
			return number.Number{}, err
		}
		n, err := o.nums.GetByID(ctx, r.Principal, id)
		return n, notFoundAs(err, "client_did_id")
	}
	p, err := digitsParam(r, "phone_number", phoneDigits)
	if err != nil {
		return number.Number{}, err
	}
	if p == "" {
		return number.Number{}, Missing("client_did_id")
	}
	n, err := o.nums.Get(ctx, r.Principal, p)
	return n, notFoundAs(err, "phone_number")
}

func (o *numberOps) updateDID(ctx context.Context, r *Request) (*Result, error) {
	preserve, err := r.Bool("preserve_missing_data", false)
	if err != nil {
		return nil, err
	}
	n, err := o.ownedDID(ctx, r)
	if err != nil {
		return nil, err
	}
	if _, err := r.OneOf("type", "", "local", "tollfree", "paypercall", "international", "inum", "shadow", "interexchange"); err != nil {
		return nil, err
	}
	changes := number.Settings{}
	for _, k := range number.SettingNames() {
		if listSettings[k] {
			if r.SentList(k) {
				changes[k] = strings.Join(r.List(k), ",")
			}
			continue
		}
		if _, ok := r.Params[k]; ok {
			changes[k] = r.OptionalString(k, "")
		}
	}
	merged, err := number.Merge(n.Settings, changes, preserve)
	if err != nil {
		return nil, err
	}
	n.Settings = merged
	if err := o.nums.Update(ctx, r.Principal, n); err != nil {
		return nil, err
	}
	return OK(didNode(n)).AddMessage("client_did_id", itoa(n.ID)), nil
}

func (o *numberOps) deleteDID(ctx context.Context, r *Request) (*Result, error) {
	n, err := o.ownedDID(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := o.nums.Release(ctx, r.Principal, n.E164); err != nil {
		return nil, err
	}
	return OK().AddMessage("client_did_id", itoa(n.ID)), nil
}

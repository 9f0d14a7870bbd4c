package voicemeup

import (
	"context"

	"regexp"
	"slices"
	"strconv"
	"switchboard/internal/account"
	"time"

	"switchboard/internal/cdr"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// RegisterCallOps adds get_calls.
func RegisterCallOps(d *Dialect, cdrs *cdr.Service, accounts *account.Service) {
	o := &callOps{cdrs: cdrs, accounts: accounts, now: time.Now}
	d.Handle("get_calls", o.getCalls)
}

type callOps struct {
	cdrs     *cdr.Service
	accounts *account.Service
	now      func() time.Time
}

var callHashRe = regexp.MustCompile(`^[0-9A-Za-z]{32}$`)

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateTime)
}

func callNode(c cdr.CDR, extras, details bool) *Node {
	n := Elem("call").Attr("call_hash", c.CallHash).
		Set("date_start", stamp(c.StartedAt)).
		Set("date_answer", stamp(c.AnsweredAt)).
		Set("date_end", stamp(c.EndedAt)).
		SetInt("duration", int64(c.Duration)).
		SetInt("billsec", int64(c.Billsec)).
		Set("direction", c.Direction).
		Set("routing_type", c.RoutingType).
		Set("source_number", c.SrcNumber).
		Set("destination_number", c.DstNumber).
		Set("callerid_name", c.CallerIDName).
		Set("callerid_number", c.CallerIDNumber).
		Set("disposition", c.Disposition).
		SetInt("client_subaccount_id", c.SubaccountID)
	if extras {
		n.Set("failure_code", c.FailureReason).SetInt("sip_response_code", int64(c.SIPCode))
	}
	if details {
		n.SetInt("source_client_peer_id", c.SrcPeerID).
			SetInt("destination_client_peer_id", c.DstPeerID).
			Set("source_user_agent", c.SrcUserAgent).
			Set("destination_user_agent", c.DstUserAgent).
			SetInt("node", c.Node)
	}
	return n
}

// enumList reads a comma list whose every value must be one of allowed.
func enumList(r *Request, name string, allowed []string) ([]string, error) {
	vals := r.List(name)
	for _, v := range vals {
		if !slices.Contains(allowed, v) {
			return nil, problem.Field(name, "is not valid")
		}
	}
	return vals, nil
}

func (o *callOps) getCalls(ctx context.Context, r *Request) (*Result, error) {
	var f cdr.Filter
	from, hasFrom, err := r.Date("date_from")
	if err != nil {
		return nil, err
	}
	to, hasTo, err := r.Date("date_to")
	if err != nil {
		return nil, err
	}
	switch {
	case hasFrom && !hasTo:
		return nil, Missing("date_to")
	case hasTo && !hasFrom:
		return nil, Missing("date_from")
	case hasFrom && to.Before(from):
		return nil, problem.Field("date_to", "is not valid")
	case hasFrom:
		f.From, f.To = from, to.AddDate(0, 0, 1)
	}
	if r.Has("latest_hours") {
		h, err := r.Int("latest_hours")
		if err != nil {
			return nil, err
		}
		if h <= 0 || h > 24*366*10 {
			return nil, problem.Field("latest_hours", "is not valid")
		}
		f.From = o.now().Add(-time.Duration(h) * time.Hour)
	}
	hash := r.OptionalString("call_hash", r.OptionalString("unique_id", ""))
	if hash != "" {
		if !callHashRe.MatchString(hash) {
			return nil, problem.Field("call_hash", "is not valid")
		}
		last, err := o.cdrs.ByHash(ctx, r.Principal, hash)
		if err != nil {
			return nil, notFoundAs(err, "call_hash")
		}
		f.AfterID = last.ID
	}
	if !hasFrom && !r.Has("latest_hours") && hash == "" {
		return nil, Missing("date_from")
	}
	if d := r.OptionalString("direction", ""); d != "" {
		if !slices.Contains(cdr.Directions, d) {
			return nil, problem.Field("direction", "is not valid")
		}
		f.Directions = []string{d}
	}
	if f.RoutingTypes, err = enumList(r, "routing_type", cdr.RoutingTypes); err != nil {
		return nil, err
	}
	if f.Dispositions, err = enumList(r, "disposition", cdr.Dispositions); err != nil {
		return nil, err
	}
	if r.Has("client_subaccount_id") {
		if f.SubaccountID, err = r.Int("client_subaccount_id"); err != nil {
			return nil, err
		}
		if _, err := o.accounts.GetSubaccount(ctx, r.Principal, f.SubaccountID); err != nil {
			return nil, notFoundAs(err, "client_subaccount_id")
		}
	}
	if cid, err := r.OptionalInt("client_channel_id", 0); err != nil {
		return nil, err
	} else if cid != 0 {
		return nil, problem.Field("client_channel_id", "is not valid")
	}
	def := int64(25)
	if hash != "" && !hasFrom {
		def = 1
	}
	limit, err := r.IntRange("result_limit", def, 1, 1000)
	if err != nil {
		return nil, err
	}
	offset, err := r.OptionalInt("result_offset", 0)
	if err != nil {
		return nil, err
	}
	if offset < 0 || offset > 10_000_000 {
		return nil, problem.Field("result_offset", "is not valid")
	}
	extras, err := r.OneOf("extras", "no", "yes", "no")
	if err != nil {
		return nil, err
	}
	details, err := r.OneOf("routing_details", "no", "yes", "no")
	if err != nil {
		return nil, err
	}
	if _, err := r.OneOf("metadata", "no", "yes", "only", "all", "no"); err != nil {
		return nil, err
	}
	list := List("calls", "call")
	for got := int64(0); got < limit; {
		top := min(limit-got, query.MaxTop)
		page, _, err := o.cdrs.List(ctx, r.Principal, f, query.Params{OrderBy: "id asc",
			Skip: strconv.FormatInt(offset+got, 10), Top: strconv.FormatInt(top, 10)})
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			list.Add(callNode(c, extras == "yes", details == "yes"))
		}
		got += int64(len(page))
		if int64(len(page)) < top {
			break
		}
	}
	return OK(list), nil
}

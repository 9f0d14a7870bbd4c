package voicemeup

import (
	"context"
	"regexp"
	"strconv"

	"switchboard/internal/auth"
	"switchboard/internal/geo"
	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Numbers is what the DID request types need of the core.
type Numbers interface {
	Search(ctx context.Context, q number.Search) ([]number.Number, error)
	Exchanges(ctx context.Context, f number.RefFilter, available bool) ([]number.Exchange, error)
	Activate(ctx context.Context, p auth.Principal, number string) (number.Number, error)
	InventoryNumber(ctx context.Context, p auth.Principal, id int64) (number.Number, error)
	BackOrder(ctx context.Context, p auth.Principal, details map[string]string) (number.Request, error)
	Owned(ctx context.Context, p auth.Principal, f number.OwnedFilter, q query.Params) ([]number.Number, int, error)
	Get(ctx context.Context, p auth.Principal, number string) (number.Number, error)
	GetByID(ctx context.Context, p auth.Principal, id int64) (number.Number, error)
	Update(ctx context.Context, p auth.Principal, n number.Number) error
	Release(ctx context.Context, p auth.Principal, number string) error
}

// RegisterNumberOps adds the DID request types: reference data from
// inventory (get_did_areacodes, get_did_exchanges, get_ratecenters), the
// search and purchase of new DIDs (get_new_dids, activate_new_did,
// order_new_dids) and owned DIDs (get_dids, update_did, delete_did).
//
// A ratecenter_id is the six-digit NPA-NXX of one of its exchanges; a
// district is a city.
func RegisterNumberOps(d *Dialect, nums Numbers) {
	o := &numberOps{nums: nums}
	d.Handle("get_did_areacodes", o.areaCodes)
	d.Handle("get_did_exchanges", o.exchanges)
	d.Handle("get_ratecenters", o.rateCenters)
	d.Handle("get_new_dids", o.newDIDs)
	d.Handle("activate_new_did", o.activate, RequireWrite())
	d.Handle("order_new_dids", o.orderNew, RequireWrite())
	d.Handle("get_dids", o.getDIDs)
	d.Handle("update_did", o.updateDID, RequireWrite())
	d.Handle("delete_did", o.deleteDID, RequireWrite())
}

type numberOps struct{ nums Numbers }

var (
	threeDigits = regexp.MustCompile(`^[0-9]{3}$`)
	sixDigits   = regexp.MustCompile(`^[0-9]{6}$`)
	phoneDigits = regexp.MustCompile(`^\+?[0-9]{10,15}$`)
)

func digitsParam(r *Request, name string, re *regexp.Regexp) (string, error) {
	v := r.OptionalString(name, "")
	if v != "" && !re.MatchString(v) {
		return "", problem.Field(name, "is not valid")
	}
	return v, nil
}

// refFilter reads the filters the reference request types share.
func (o *numberOps) refFilter(ctx context.Context, r *Request) (number.RefFilter, error) {
	var f number.RefFilter
	var err error
	if f.NPA, err = digitsParam(r, "npa", threeDigits); err != nil {
		return f, err
	}
	if f.NXX, err = digitsParam(r, "nxx", threeDigits); err != nil {
		return f, err
	}
	rc, err := digitsParam(r, "ratecenter_id", sixDigits)
	if err != nil {
		return f, err
	}
	if rc != "" {
		if f.RateCenter, err = o.rateCenterOf(ctx, rc); err != nil {
			return f, err
		}
	}
	if r.Has("state_id") {
		sid, err := r.Int("state_id")
		if err != nil {
			return f, err
		}
		if _, ok := geo.StateByID(int(sid)); !ok {
			return f, problem.Field("state_id", "is not valid")
		}
		f.StateID = int(sid)
	}
	if r.Has("country_id") {
		cid, err := r.Int("country_id")
		if err != nil {
			return f, err
		}
		if _, ok := geo.CountryByID(int(cid)); !ok {
			return f, problem.Field("country_id", "is not valid")
		}
		f.CountryID = int(cid)
	}
	if t, ok, err := r.Date("updated_since"); err != nil {
		return f, err
	} else if ok {
		f.UpdatedSince = t
	}
	lim, err := r.IntRange("result_limit", 25, 1, 1000)
	if err != nil {
		return f, err
	}
	off, err := r.IntRange("result_offset", 0, 0, 1<<31)
	if err != nil {
		return f, err
	}
	f.Limit, f.Offset = int(lim), int(off)
	return f, nil
}

// rateCenterOf resolves a ratecenter_id (an NPA-NXX) to its rate center.
func (o *numberOps) rateCenterOf(ctx context.Context, id string) (string, error) {
	ex, err := o.nums.Exchanges(ctx, number.RefFilter{NPA: id[:3], NXX: id[3:], Limit: 1}, false)
	if err != nil {
		return "", err
	}
	if len(ex) == 0 || ex[0].RateCenter == "" {
		return "", problem.Field("ratecenter_id", "is not valid")
	}
	return ex[0].RateCenter, nil
}

func exchangeNode(name string, e number.Exchange) *Node {
	return Elem(name).Attr("ratecenter_id", e.NPA+e.NXX).
		Set("npa", e.NPA).Set("nxx", e.NXX).Set("ratecenter", e.RateCenter).Set("district", e.City).
		Set("state_code", e.State).SetInt("state_id", int64(e.StateID)).SetInt("country_id", int64(e.CountryID)).
		Set("availability", flag(e.Available > 0)).Set("portability", "1").SetInt("available_numbers", int64(e.Available)).
		Set("updated_date", e.UpdatedAt.UTC().Format("2006-01-02 15:04:05"))
}

func (o *numberOps) areaCodes(ctx context.Context, r *Request) (*Result, error) {
	f, err := o.refFilter(ctx, r)
	if err != nil {
		return nil, err
	}
	f.Limit, f.Offset = 100_000, 0
	ex, err := o.nums.Exchanges(ctx, f, false)
	if err != nil {
		return nil, err
	}
	list := List("areacodes", "areacode")
	seen := map[string]bool{}
	for _, e := range ex {
		if seen[e.NPA] {
			continue
		}
		seen[e.NPA] = true
		list.Add(Elem("areacode").Set("npa", e.NPA).Set("state_code", e.State).SetInt("state_id", int64(e.StateID)).SetInt("country_id", int64(e.CountryID)))
	}
	return OK(list), nil
}

func (o *numberOps) exchanges(ctx context.Context, r *Request) (*Result, error) {
	f, err := o.refFilter(ctx, r)
	if err != nil {
		return nil, err
	}
	if _, err := r.OneOf("portability", "", "0", "1"); err != nil {
		return nil, err
	}
	avail, err := r.OneOf("availability", "", "0", "1")
	if err != nil {
		return nil, err
	}
	ex, err := o.nums.Exchanges(ctx, f, avail == "1")
	if err != nil {
		return nil, err
	}
	list := List("exchanges", "exchange")
	for _, e := range ex {
		if avail == "0" && e.Available > 0 {
			continue
		}
		list.Add(exchangeNode("exchange", e))
	}
	return OK(list), nil
}

func (o *numberOps) rateCenters(ctx context.Context, r *Request) (*Result, error) {
	f, err := o.refFilter(ctx, r)
	if err != nil {
		return nil, err
	}
	ex, err := o.nums.Exchanges(ctx, f, false)
	if err != nil {
		return nil, err
	}
	list := List("ratecenters", "ratecenter")
	for _, e := range ex {
		list.Add(exchangeNode("ratecenter", e))
	}
	return OK(list), nil
}

func newDIDNode(n number.Number) *Node {
	return Elem("did").Attr("did_id", itoa(n.ID)).
		Set("phone_number", n.National).Set("type", string(n.Type)).Set("npa", n.NPA).Set("nxx", n.NXX).
		Set("ratecenter", n.RateCenter).Set("ratecenter_id", n.NPA+n.NXX).Set("district", n.City).
		Set("state_code", n.State).SetInt("state_id", int64(n.StateID)).SetInt("country_id", int64(n.CountryID)).
		Set("setup_price", n.Setup.String()).Set("monthly_price", n.Monthly.String()).
		Set("t38_support", flag(n.T38)).Set("sms_support", flag(n.SMS)).Set("mms_support", flag(n.MMS))
}

func (o *numberOps) newDIDs(ctx context.Context, r *Request) (*Result, error) {
	var q number.Search
	t, err := r.OneOf("type", "", "local", "tollfree", "inum", "international")
	if err != nil {
		return nil, err
	}
	q.Type = number.Type(t)
	if q.NPA, err = digitsParam(r, "npa", threeDigits); err != nil {
		return nil, err
	}
	if q.NXX, err = digitsParam(r, "nxx", threeDigits); err != nil {
		return nil, err
	}
	rc, err := digitsParam(r, "ratecenter_id", sixDigits)
	if err != nil {
		return nil, err
	}
	if rc != "" {
		if q.RateCenter, err = o.rateCenterOf(ctx, rc); err != nil {
			return nil, err
		}
	}
	if d := r.OptionalString("district", ""); d != "" {
		if len(d) > 64 {
			return nil, problem.Field("district", "is not valid")
		}
		q.District = d
	}
	if r.Has("state_id") {
		sid, err := r.Int("state_id")
		if err != nil {
			return nil, err
		}
		if _, ok := geo.StateByID(int(sid)); !ok {
			return nil, problem.Field("state_id", "is not valid")
		}
		q.StateID = int(sid)
	}
	for _, p := range r.List("included_patterns") {
		switch p {
		case "all_numbers":
		case "no_patterns":
			q.NoPatterns = true
		default:
			if !slicesContains(number.PatternNames, p) {
				return nil, problem.Field("included_patterns", "is not valid")
			}
			q.Patterns = append(q.Patterns, p)
		}
	}
	if q.NoPatterns && len(q.Patterns) > 0 {
		return nil, problem.Field("included_patterns", "is not valid")
	}
	order, err := r.OneOf("order", "default", "default", "random")
	if err != nil {
		return nil, err
	}
	q.Random = order == "random"
	if q.T38, err = r.Bool("t38_support", false); err != nil {
		return nil, err
	}
	if q.SMS, err = r.Bool("sms_support", false); err != nil {
		return nil, err
	}
	q.Limit = 100
	list, err := o.nums.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := List("dids", "did")
	for _, n := range list {
		out.Add(newDIDNode(n))
	}
	return OK(out), nil
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (o *numberOps) activate(ctx context.Context, r *Request) (*Result, error) {
	if _, err := r.Bool("skip_notification", false); err != nil {
		return nil, err
	}
	phone, err := digitsParam(r, "phone_number", phoneDigits)
	if err != nil {
		return nil, err
	}
	if phone == "" {
		if !r.Has("did_id") {
			return nil, Missing("phone_number")
		}
		id, err := r.Int("did_id")
		if err != nil {
			return nil, err
		}
		n, err := o.nums.InventoryNumber(ctx, r.Principal, id)
		if err != nil {
			return nil, notFoundAs(err, "did_id")
		}
		phone = n.E164
	}
	n, err := o.nums.Activate(ctx, r.Principal, phone)
	if problem.Is(err, problem.Conflict) {
		return nil, problem.Field("phone_number", "is not available")
	}
	if err != nil {
		return nil, err
	}
	return OK(didNode(n)).AddMessage("client_did_id", itoa(n.ID)), nil
}

func (o *numberOps) orderNew(ctx context.Context, r *Request) (*Result, error) {
	details := map[string]string{}
	typ, err := r.OneOf("type", "local", "local", "international")
	if err != nil {
		return nil, err
	}
	details["type"] = typ
	prefix := r.OptionalString("prefix", "")
	if prefix != "" {
		if (typ == "local" && !sixDigits.MatchString(prefix)) || (typ == "international" && !regexp.MustCompile(`^[1-9][0-9]{0,14}$`).MatchString(prefix)) {
			return nil, problem.Field("prefix", "is not valid")
		}
		details["prefix"] = prefix
	}
	rc, err := digitsParam(r, "ratecenter_id", sixDigits)
	if err != nil {
		return nil, err
	}
	if rc != "" {
		details["ratecenter_id"] = rc
	}
	if prefix == "" && rc == "" {
		return nil, Missing("prefix")
	}
	qty, err := r.Int("quantity")
	if err != nil {
		return nil, err
	}
	if qty < 1 || qty > 1000 {
		return nil, problem.Field("quantity", "is not valid")
	}
	details["quantity"] = strconv.FormatInt(qty, 10)
	pref, err := r.OneOf("prefix_preference", "in_ratecenter", "in_ratecenter", "prefix_only")
	if err != nil {
		return nil, err
	}
	if pref == "prefix_only" && (prefix == "" || typ == "international") {
		return nil, problem.Field("prefix_preference", "is not valid")
	}
	details["prefix_preference"] = pref
	seq, err := r.OneOf("sequential", "random", "random", "sequential")
	if err != nil {
		return nil, err
	}
	details["sequential"] = seq
	for _, f := range []string{"t38_support", "sms_support", "mms_support"} {
		b, err := r.Bool(f, false)
		if err != nil {
			return nil, err
		}
		details[f] = flag(b)
	}
	capacity, err := r.OneOf("capacity", "1-2", "0", "1-2", "2-5", "5-10", "10-15", "15-25", "25-50", "50+")
	if err != nil {
		return nil, err
	}
	details["capacity"] = capacity
	if c := r.OptionalString("comments", ""); c != "" {
		if len(c) > 1000 {
			return nil, problem.Field("comments", "is not valid")
		}
		details["comments"] = c
	}
	req, err := o.nums.BackOrder(ctx, r.Principal, details)
	if err != nil {
		return nil, err
	}
	return OK().AddMessage("did_order_id", itoa(req.ID)), nil
}

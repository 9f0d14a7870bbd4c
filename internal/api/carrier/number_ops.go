package carrier

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/number"
	"switchboard/internal/problem"
	"switchboard/internal/query"
)

// Numbers is what the origination endpoints need of the core.
type Numbers interface {
	Search(ctx context.Context, q number.Search) ([]number.Number, error)
	States(ctx context.Context) ([]string, error)
	Exchanges(ctx context.Context, f number.RefFilter, available bool) ([]number.Exchange, error)
	Reserve(ctx context.Context, p auth.Principal, numbers []string) (int64, []string, error)
	BulkReserve(ctx context.Context, p auth.Principal, q number.Search, quantity int) (int64, []string, error)
	RemoveReserved(ctx context.Context, p auth.Principal, reservationID int64, nationals []string) ([]string, error)
	GenOrder(ctx context.Context, p auth.Principal, reservationID, trunkID int64) (number.Order, error)
	ProcessOrder(ctx context.Context, p auth.Principal, orderID int64) (number.Order, error)
	Orders(ctx context.Context, p auth.Principal, orderID int64) ([]number.Order, error)
	Owned(ctx context.Context, p auth.Principal, f number.OwnedFilter, q query.Params) ([]number.Number, int, error)
	Get(ctx context.Context, p auth.Principal, number string) (number.Number, error)
	Update(ctx context.Context, p auth.Principal, n number.Number) error
	Release(ctx context.Context, p auth.Principal, number string) error
}

var (
	npanxxRe = regexp.MustCompile(`^[2-9][0-9]{2}[2-9][0-9]{2}$`)
	tenRe    = regexp.MustCompile(`^1?[2-9][0-9]{2}[2-9][0-9]{6}$`)
	stateRe  = regexp.MustCompile(`^[A-Za-z]{2}$`)
	tfnRe    = regexp.MustCompile(`^8[0-9]{2}$`)
)

// maxListed is how many numbers a search answers.
const maxListed = 500

// RegisterNumberOps adds the Origination section's number endpoints:
// availability, searches, reservations, orders and owned numbers.
//
// Numbers are answered as their national digits (ten for North America).
// A reservation is the account's order cart: reserve and bulkreserve add
// to it and answer its reserveId, gen_order closes it into an order, and
// process_order pays the order and gives the numbers to the account.
func RegisterNumberOps(d *Dialect, nums Numbers) {
	d.Handle("availabilitystate", func(ctx context.Context, r *Request) (any, error) {
		states, err := nums.States(ctx)
		if err != nil {
			return nil, err
		}
		return Field("data", states), nil
	})
	d.Handle("availabilitynpanxx", func(ctx context.Context, r *Request) (any, error) {
		st, err := stateOf(r, true)
		if err != nil {
			return nil, err
		}
		ex, err := nums.Exchanges(ctx, number.RefFilter{State: st, Limit: 1000}, true)
		if err != nil {
			return nil, err
		}
		data := make([]Fields, len(ex))
		for i, e := range ex {
			data[i] = Field("NPANXX", e.NPA+e.NXX).Add("NPA", e.NPA).Add("RateCenter", e.RateCenter)
		}
		return Field("data", data), nil
	})
	d.Handle("searchdid", func(ctx context.Context, r *Request) (any, error) {
		q, err := searchOf(r, true)
		if err != nil {
			return nil, err
		}
		if v := r.OptionalString("NPANXXYYYY", ""); v != "" {
			if !tenRe.MatchString(v) {
				return nil, problem.Field("NPANXXYYYY", "must be a 10-digit number")
			}
			q.National = v[len(v)-10:]
		}
		// A state holds only local numbers (toll-free ones have none), so
		// the state's index alone answers in order.
		list, err := nums.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		return Field("DIDs", tns(list)), nil
	})
	d.Handle("searchtfn", func(ctx context.Context, r *Request) (any, error) {
		p, err := r.String("tfn_prefix")
		if err != nil {
			return nil, err
		}
		if !tfnRe.MatchString(p) {
			return nil, problem.Field("tfn_prefix", "must be a toll-free prefix such as 800")
		}
		list, err := nums.Search(ctx, number.Search{Type: number.TollFree, NPA: p, Limit: maxListed})
		if err != nil {
			return nil, err
		}
		return Field("TFNs", tns(list)), nil
	})
	d.Handle("reserve", func(ctx context.Context, r *Request) (any, error) {
		if _, err := categoryOf(r); err != nil {
			return nil, err
		}
		list := r.List("number")
		if len(list) == 0 {
			return nil, missing("number")
		}
		for _, n := range list {
			if !tenRe.MatchString(n) {
				return nil, problem.Field("number", "must be a 10-digit number")
			}
		}
		id, held, err := nums.Reserve(ctx, r.Principal, list)
		if err != nil {
			return nil, err
		}
		return Field("reserveId", strconv.FormatInt(id, 10)).Add("TNs", held), nil
	})
	d.Handle("bulkreserve", func(ctx context.Context, r *Request) (any, error) {
		cat, err := categoryOf(r)
		if err != nil {
			return nil, err
		}
		qty, err := r.Int("quantity")
		if err != nil {
			return nil, err
		}
		if qty < 1 || qty > 1000 {
			return nil, problem.Field("quantity", "must be 1 to 1000")
		}
		q := number.Search{Type: cat}
		if cat == number.TollFree {
			p, err := r.String("tfn_prefix")
			if err != nil {
				return nil, err
			}
			if !tfnRe.MatchString(p) {
				return nil, problem.Field("tfn_prefix", "must be a toll-free prefix such as 800")
			}
			q.NPA = p
		} else if q, err = searchOf(r, false); err != nil {
			return nil, err
		}
		q.Type = cat
		q.District = r.OptionalString("city", "")
		id, held, err := nums.BulkReserve(ctx, r.Principal, q, int(qty))
		if err != nil {
			return nil, err
		}
		return Field("reserveId", strconv.FormatInt(id, 10)).Add("TNs", held), nil
	})
	d.Handle("remove_reserved", func(ctx context.Context, r *Request) (any, error) {
		id, err := r.Int("reserveId")
		if err != nil {
			return nil, err
		}
		asked := r.List("number")
		for i, n := range asked {
			if !tenRe.MatchString(n) {
				return nil, problem.Field("number", "must be a 10-digit number")
			}
			asked[i] = n[len(n)-10:]
		}
		removed, err := nums.RemoveReserved(ctx, r.Principal, id, asked)
		if err != nil {
			return nil, err
		}
		gone := map[string]bool{}
		for _, n := range removed {
			gone[n] = true
		}
		missingTNs := []string{}
		for _, n := range asked {
			if !gone[n] {
				missingTNs = append(missingTNs, n)
			}
		}
		return Field("Removed TNs", removed).Add("TNs not available", missingTNs), nil
	})
	d.Handle("gen_order", func(ctx context.Context, r *Request) (any, error) {
		trunk, err := r.Int("trunk_id")
		if err != nil {
			return nil, err
		}
		if trunk < 0 {
			return nil, problem.Field("trunk_id", "must be a trunk group id")
		}
		res, err := r.Int("reserveId")
		if err != nil {
			return nil, err
		}
		o, err := nums.GenOrder(ctx, r.Principal, res, trunk)
		if err != nil {
			return nil, err
		}
		// The document's answer repeats "status" for the order's own; a
		// JSON object keeps one value per key, and the envelope's "200"
		// is the one clients test, so the order's status is left to
		// get_new_orders.
		return orderFields(Field("success", "Order Generated successfully.").Add("orderId", strconv.FormatInt(o.ID, 10)), o, false), nil
	})
	d.Handle("process_order", func(ctx context.Context, r *Request) (any, error) {
		id, err := r.Int("orderId")
		if err != nil {
			return nil, err
		}
		o, err := nums.ProcessOrder(ctx, r.Principal, id)
		if err != nil {
			return nil, err
		}
		return Field("success", "Order Processed Successfully.").Add("orderId", strconv.FormatInt(o.ID, 10)), nil
	})
	d.Handle("get_new_orders", func(ctx context.Context, r *Request) (any, error) {
		id, err := r.OptionalInt("orderId", 0)
		if err != nil {
			return nil, err
		}
		list, err := nums.Orders(ctx, r.Principal, id)
		if err != nil {
			return nil, err
		}
		out := make([]Fields, len(list))
		for i, o := range list {
			out[i] = orderFields(Field("orderno", strconv.FormatInt(o.ID, 10)).Add("accountno", r.Principal.AccountNumber), o, true)
		}
		return Field("Orders", out), nil
	})
	d.Handle("getnumbers", func(ctx context.Context, r *Request) (any, error) {
		var f number.OwnedFilter
		if r.Has("category") {
			cat, err := categoryOf(r)
			if err != nil {
				return nil, err
			}
			f.Type = cat
		}
		if r.Has("status") {
			st, err := r.Int("status")
			if err != nil {
				return nil, err
			}
			switch st {
			case 1:
				f.Status = number.Owned
			case 0:
				f.Status = number.Suspended
			case 2:
				// Cancelled numbers are no longer the account's.
				return Field("data", []Fields{}), nil
			default:
				return nil, problem.Field("status", "must be 1, 0 or 2")
			}
		}
		var err error
		if f.TrunkID, err = r.OptionalInt("trunkId", 0); err != nil {
			return nil, err
		}
		if f.OrderID, err = r.OptionalInt("orderno", 0); err != nil {
			return nil, err
		}
		list, err := allOwned(ctx, nums, r.Principal, f)
		if err != nil {
			return nil, err
		}
		data := make([]Fields, len(list))
		for i, n := range list {
			status := "1"
			if n.Status != number.Owned {
				status = "0"
			}
			data[i] = Field("didnumber", n.National).Add("trunkGroup", trunkName(n.TrunkID)).Add("prefix1", "").
				Add("trunkGroup2", "").Add("prefix2", "").Add("didRate", Amount(n.Monthly)).Add("didType", "Unmetered").
				Add("orderType", "New").Add("status", status).Add("cnam", n.Settings["callerid_name_rewrite"])
		}
		return Field("data", data), nil
	})
	d.Handle("updatenumber", func(ctx context.Context, r *Request) (any, error) {
		list := r.List("number")
		if len(list) == 0 {
			return nil, missing("number")
		}
		var owned []number.Number
		for _, v := range list {
			if !tenRe.MatchString(v) {
				return nil, problem.Field("number", "must be a 10-digit number")
			}
			n, err := nums.Get(ctx, r.Principal, v)
			if err != nil {
				return nil, err
			}
			owned = append(owned, n)
		}
		trunk, err := r.OptionalInt("trunkId", -1)
		if err != nil {
			return nil, err
		}
		status, err := r.OptionalInt("status", -1)
		if err != nil {
			return nil, err
		}
		if status < -1 || status > 2 {
			return nil, problem.Field("status", "must be 1, 0 or 2")
		}
		for _, n := range owned {
			if status == 2 {
				if err := nums.Release(ctx, r.Principal, n.E164); err != nil {
					return nil, err
				}
				continue
			}
			if trunk >= 0 {
				n.TrunkID = trunk
			}
			if n.Settings == nil {
				n.Settings = number.Settings{}
			}
			switch status {
			case 1:
				n.Settings["status"] = "enabled"
			case 0:
				n.Settings["status"] = "disabled"
			}
			if err := nums.Update(ctx, r.Principal, n); err != nil {
				return nil, err
			}
		}
		return Field("success", "Trunk successfully Updated."), nil
	})
}

// trunkName renders a trunk group id; 0 is none.
func trunkName(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// orderFields adds an order's document fields after head, with its
// status ("1" paid, "0" not yet) when withStatus.
func orderFields(head Fields, o number.Order, withStatus bool) Fields {
	f := head.Add("date", o.CreatedAt.UTC().Format(time.DateTime)).Add("amount", Amount(o.Amount())).
		Add("per_order_cost", Amount(o.Setup)).Add("taxes", "0.00").Add("other_charges", "0.00").Add("discount", "0.00").
		Add("tg_id", trunkName(o.TrunkID)).Add("orderType", "New").Add("didCategory", o.Category).Add("didType", "Unmetered").
		Add("sessions", "0")
	if withStatus {
		status := "0"
		if o.Paid {
			status = "1"
		}
		f = f.Add("status", status)
	}
	return f.Add("numbers", o.Numbers)
}

// tns renders search results.
func tns(list []number.Number) []Fields {
	out := make([]Fields, len(list))
	for i, n := range list {
		out[i] = Field("TN", n.National).Add("statusid", "0")
	}
	return out
}

// categoryOf reads category: "landline" or "tollfree".
func categoryOf(r *Request) (number.Type, error) {
	c, err := r.String("category")
	if err != nil {
		return "", err
	}
	switch strings.ToLower(c) {
	case "landline", "local", "did":
		return number.Local, nil
	case "tollfree", "toll-free", "tfn":
		return number.TollFree, nil
	}
	return "", problem.Field("category", `must be "landline" or "tollfree"`)
}

// stateOf reads state, a two-letter code.
func stateOf(r *Request, required bool) (string, error) {
	st := r.OptionalString("state", "")
	if st == "" {
		if required {
			return "", missing("state")
		}
		return "", nil
	}
	if !stateRe.MatchString(st) {
		return "", problem.Field("state", "must be a two-letter state code")
	}
	return strings.ToUpper(st), nil
}

// searchOf reads state and NPANXX (npanxx in reservations).
func searchOf(r *Request, required bool) (number.Search, error) {
	st, err := stateOf(r, required)
	if err != nil {
		return number.Search{}, err
	}
	q := number.Search{State: st, Limit: maxListed}
	name := "NPANXX"
	if !r.Has(name) {
		name = "npanxx"
	}
	if v := r.OptionalString(name, ""); v != "" {
		if !npanxxRe.MatchString(v) {
			return number.Search{}, problem.Field(name, "must be a 6-digit NPA-NXX")
		}
		q.NPA, q.NXX = v[:3], v[3:]
	}
	return q, nil
}

// allOwned reads every page of the principal's numbers matching f, up to
// ten thousand.
func allOwned(ctx context.Context, nums Numbers, p auth.Principal, f number.OwnedFilter) ([]number.Number, error) {
	var out []number.Number
	for skip := 0; skip < 10_000; skip += query.MaxTop {
		page, total, err := nums.Owned(ctx, p, f, query.Params{Skip: strconv.Itoa(skip), Top: strconv.Itoa(query.MaxTop)})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(out) >= total || len(page) == 0 {
			break
		}
	}
	return out, nil
}

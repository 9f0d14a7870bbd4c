package voicemeup

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"switchboard/internal/geo"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/rating"
	"switchboard/internal/tariff"
)

// RegisterRateOps adds get_rates: the caller's tariff, by dialling code or
// by country (and state, for the United States and Canada).
func RegisterRateOps(d *Dialect, tariffs *tariff.Service) {
	o := &rateOps{tariffs: tariffs}
	d.Handle("get_rates", o.getRates)
}

type rateOps struct{ tariffs *tariff.Service }

// maxRates bounds one get_rates answer.
const maxRates = 5000

func (o *rateOps) getRates(ctx context.Context, r *Request) (*Result, error) {
	var prefixes []string
	switch {
	case r.Has("code"):
		code := r.OptionalString("code", "")
		if len(code) > 15 || strings.Trim(code, "0123456789") != "" {
			return nil, problem.Field("code", "must be a dialling prefix of digits")
		}
		prefixes = []string{code}
	case r.Has("country_id"):
		cid, err := r.Int("country_id")
		if err != nil {
			return nil, err
		}
		c, ok := geo.CountryByID(int(cid))
		if !ok || c.DialCode == "" {
			return nil, problem.Field("country_id", "is not valid")
		}
		if r.Has("state_id") {
			sid, err := r.Int("state_id")
			if err != nil {
				return nil, err
			}
			st, ok := geo.StateByID(int(sid))
			if !ok || st.CountryID != c.ID {
				return nil, problem.Field("state_id", "is not valid")
			}
			for _, npa := range geo.AreaCodes(st.ID) {
				prefixes = append(prefixes, "1"+npa)
			}
		} else {
			prefixes = []string{strings.ReplaceAll(c.DialCode, "-", "")}
		}
	default:
		return nil, Missing("code")
	}
	rates, err := o.collect(ctx, r, prefixes)
	if err != nil {
		return nil, err
	}
	list := List("rates", "rate")
	for _, cr := range rates {
		list.Add(Elem("rate").Attr("code", cr.Prefix).
			Set("description", cr.Description).
			Set("type", strings.ToLower(string(cr.Type))).
			Set("rate_per_minute", cr.PriceN.String()).
			Set("first_interval_rate_per_minute", cr.Price1.String()).
			Set("connect_fee", cr.ConnectFee.String()).
			Set("postcall_surcharge", cr.PostcallSurcharge.String()).
			SetInt("first_interval", int64(cr.Interval1)).
			SetInt("next_interval", int64(cr.IntervalN)).
			SetInt("free_seconds", int64(cr.FreeSeconds)).
			SetInt("grace_period", int64(cr.GracePeriod)))
	}
	return OK(list), nil
}

// collect lists the rates of the caller's tariff under any of prefixes,
// plus for a single code the rate that would price calls to it.
func (o *rateOps) collect(ctx context.Context, r *Request, prefixes []string) ([]rating.Rate, error) {
	if len(prefixes) == 0 {
		return []rating.Rate{}, nil
	}
	conds := make([]string, len(prefixes))
	for i, p := range prefixes {
		conds[i] = fmt.Sprintf("startswith(prefix,'%s')", p)
	}
	var out []rating.Rate
	seen := map[string]bool{}
	for skip := 0; len(out) < maxRates; skip += 100 {
		page, total, err := o.tariffs.ListRates(ctx, r.Principal, 0, query.Params{
			Filter: strings.Join(conds, " or "), OrderBy: "prefix", Skip: strconv.Itoa(skip), Top: "100"})
		if err != nil {
			return nil, err
		}
		for _, cr := range page {
			seen[cr.Prefix] = true
			out = append(out, cr.Rate)
		}
		if skip+100 >= total || len(page) == 0 {
			break
		}
	}
	if len(prefixes) == 1 {
		if res, err := o.tariffs.Rate(ctx, r.Principal, 0, prefixes[0], 0); err == nil && !seen[res.Prefix] {
			if cr, err := o.tariffs.GetRate(ctx, r.Principal, res.RateID); err == nil {
				out = append([]rating.Rate{cr.Rate}, out...)
			}
		}
	}
	return out, nil
}

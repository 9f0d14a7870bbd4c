package voicemeup

import (
	"context"
	"strings"

	"switchboard/internal/geo"
	"switchboard/internal/problem"
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
	rates, err := o.tariffs.RatesUnder(ctx, r.Principal, prefixes, maxRates)
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

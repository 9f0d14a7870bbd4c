package rating_test

import (
	"errors"
	"strings"
	"testing"

	"switchboard/internal/rating"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		mut   func(*rating.Rate)
		field string // "" means valid
	}{
		{"plain", func(*rating.Rate) {}, ""},
		{"all types", func(r *rating.Rate) { r.Type = rating.Mobile }, ""},
		{"local", func(r *rating.Rate) { r.Type = rating.Local }, ""},
		{"national", func(r *rating.Rate) { r.Type = rating.National }, ""},
		{"zero money and seconds", func(r *rating.Rate) {
			r.ConnectFee, r.Price1, r.PriceN, r.PostcallSurcharge, r.FreeSeconds, r.GracePeriod = 0, 0, 0, 0, 0, 0
		}, ""},
		{"intervals of one", func(r *rating.Rate) { r.Interval1, r.IntervalN = 1, 1 }, ""},
		{"one-digit prefix", func(r *rating.Rate) { r.Prefix = "0" }, ""},
		{"64-digit prefix", func(r *rating.Rate) { r.Prefix = strings.Repeat("1", 64) }, ""},
		{"1024-byte description", func(r *rating.Rate) { r.Description = strings.Repeat("d", 1024) }, ""},

		{"empty prefix", func(r *rating.Rate) { r.Prefix = "" }, "prefix"},
		{"65-digit prefix", func(r *rating.Rate) { r.Prefix = strings.Repeat("1", 65) }, "prefix"},
		{"plus in prefix", func(r *rating.Rate) { r.Prefix = "+44" }, "prefix"},
		{"space in prefix", func(r *rating.Rate) { r.Prefix = "4 4" }, "prefix"},
		{"non-ASCII digit", func(r *rating.Rate) { r.Prefix = "٤" }, "prefix"},
		{"no type", func(r *rating.Rate) { r.Type = "" }, "type"},
		{"lowercase type", func(r *rating.Rate) { r.Type = "local" }, "type"},
		{"negative free", func(r *rating.Rate) { r.FreeSeconds = -1 }, "free_seconds"},
		{"negative grace", func(r *rating.Rate) { r.GracePeriod = -1 }, "grace_period"},
		{"zero interval_1", func(r *rating.Rate) { r.Interval1 = 0 }, "interval_1"},
		{"zero interval_n", func(r *rating.Rate) { r.IntervalN = 0 }, "interval_n"},
		{"negative connect fee", func(r *rating.Rate) { r.ConnectFee = -1 }, "connect_fee"},
		{"negative surcharge", func(r *rating.Rate) { r.PostcallSurcharge = -1 }, "postcall_surcharge"},
		{"negative price_1", func(r *rating.Rate) { r.Price1 = -1 }, "price_1"},
		{"negative price_n", func(r *rating.Rate) { r.PriceN = -1 }, "price_n"},
		{"1025-byte description", func(r *rating.Rate) { r.Description = strings.Repeat("d", 1025) }, "description"},
	}
	for _, tt := range tests {
		r := with(tt.mut)
		err := r.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var fe *rating.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || fe.Msg == "" {
			t.Errorf("%s: error %v, want a FieldError for %s", tt.name, err, tt.field)
		} else if !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: message %q does not name %s", tt.name, err, tt.field)
		}
	}
	var nilRate *rating.Rate
	if nilRate.Validate() == nil {
		t.Error("nil rate is valid")
	}
}

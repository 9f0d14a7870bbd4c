package bundle_test

import (
	"testing"
	"time"

	"switchboard/internal/bundle"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddMonths(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-15", 1, "2026-02-15"},
		{"2026-01-31", 1, "2026-02-28"}, // clamped, not 2026-03-03
		{"2028-01-31", 1, "2028-02-29"}, // leap year
		{"2026-12-31", 1, "2027-01-31"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-08-31", 12, "2027-08-31"},
	} {
		if got := bundle.AddMonths(day(c.from), c.n); !got.Equal(day(c.want)) {
			t.Errorf("AddMonths(%s, %d) = %s; want %s", c.from, c.n, got.Format(time.DateOnly), c.want)
		}
	}
}

func TestInWindow(t *testing.T) {
	exp := day("2026-06-10")
	for at, want := range map[string]bool{
		"2026-06-06T23:59:59Z": false, // 4 days before
		"2026-06-07T00:00:00Z": true,  // 3 days before
		"2026-06-10T12:00:00Z": true,
		"2026-06-15T23:59:59Z": true,  // 5 days after
		"2026-06-16T00:00:00Z": false, // 6 days after
	} {
		ts, _ := time.Parse(time.RFC3339, at)
		if got := bundle.InWindow(exp, ts); got != want {
			t.Errorf("InWindow(%s, %s) = %v; want %v", exp.Format(time.DateOnly), at, got, want)
		}
	}
}

func TestState(t *testing.T) {
	b := bundle.Bundle{Status: bundle.Active, ExpiresOn: day("2026-06-10")}
	for at, want := range map[string]bundle.Status{
		"2026-06-10T23:59:59Z": bundle.Active, // valid through the end of its expiry date
		"2026-06-11T00:00:00Z": bundle.Expired,
	} {
		ts, _ := time.Parse(time.RFC3339, at)
		if got := b.State(ts); got != want {
			t.Errorf("State(%s) = %s; want %s", at, got, want)
		}
	}
	b.Status = bundle.Suspended
	if got := b.State(day("2026-06-01")); got != bundle.Suspended {
		t.Errorf("a suspended bundle reads %s", got)
	}
}

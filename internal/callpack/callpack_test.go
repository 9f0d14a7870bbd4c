package callpack_test

import (
	"testing"
	"time"

	"switchboard/internal/callpack"
)

func TestState(t *testing.T) {
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	p := callpack.Pack{Status: callpack.Active, SecondsTotal: 60, StartsAt: start, ExpiresAt: start.AddDate(0, 1, 0)}
	if got := p.State(start); got != callpack.Active {
		t.Errorf("new pack reads %s", got)
	}
	if got := p.State(p.ExpiresAt); got != callpack.Expired {
		t.Errorf("at expires_at the pack reads %s", got)
	}
	p.SecondsUsed = 60
	if got := p.State(start); got != callpack.Exhausted {
		t.Errorf("a used-up pack reads %s", got)
	}
	p.Status = callpack.Deleted
	if got := p.State(start); got != callpack.Deleted {
		t.Errorf("a deleted pack reads %s", got)
	}
}

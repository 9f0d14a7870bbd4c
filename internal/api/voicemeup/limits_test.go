package voicemeup_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/internal/api/voicemeup"
)

func TestBucketTable(t *testing.T) {
	tests := []struct {
		requestType, bucket string
		limit               int64
	}{
		{"delete_faxes", "delete_faxes", 1500},
		{"delete_recordings", "delete_recordings", 1500},
		{"delete_voicemails", "delete_voicemails", 1500},
		{"dispatch_call", "dispatch_call", 900},
		{"voicemail_broadcast", "voicemail_broadcast", 900},
		{"queue_fax", "queue_fax", 600},
		{"queue_sms", "queue_sms", 600},
		{"get_dids", voicemeup.SharedPool, 1200},
		{"delete_sms", voicemeup.SharedPool, 1200},
		{voicemeup.SharedPool, voicemeup.SharedPool, 1200},
	}
	for _, tt := range tests {
		if got := voicemeup.Bucket(tt.requestType); got != tt.bucket {
			t.Errorf("Bucket(%s) = %s, want %s", tt.requestType, got, tt.bucket)
		}
		if got := voicemeup.DefaultLimits[tt.bucket]; got != tt.limit {
			t.Errorf("DefaultLimits[%s] = %d, want %d", tt.bucket, got, tt.limit)
		}
	}
	if len(voicemeup.DefaultLimits) != 8 {
		t.Errorf("DefaultLimits has %d buckets, want 8", len(voicemeup.DefaultLimits))
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func limitFixture(t *testing.T, store *memLimits, hourly map[string]int64) (*fixture, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2024, 5, 1, 10, 15, 0, 0, time.UTC)}
	f := newFixture(t, voicemeup.Config{Limits: store, HourlyLimits: hourly, Now: c.now})
	for _, rt := range []string{"queue_sms", "queue_fax", "get_dids", "get_peers", "delete_faxes"} {
		f.handle(rt, echo)
	}
	return f, c
}

// outcome sends one request and summarises its answer: "ok", "soft" or
// the single error code.
func outcome(t *testing.T, f *fixture, rt string) string {
	t.Helper()
	e := decode(t, f.get("/api/v1.1/json/"+rt+"?"+creds))
	switch {
	case e.Details.Status == "success" && len(e.codes()) == 0:
		return "ok"
	case e.Details.Status == "success" && slices.Equal(e.codes(), []string{"requests_soft_limit_reached"}):
		return "soft"
	case e.Details.Status == "error" && len(e.codes()) == 1:
		return e.codes()[0]
	}
	t.Fatalf("unexpected answer %s %v", e.Details.Status, e.codes())
	return ""
}

func TestLimits(t *testing.T) {
	small := map[string]int64{"queue_sms": 10, "queue_fax": 20, "delete_faxes": 0, voicemeup.SharedPool: 10}

	t.Run("soft warning from 90 percent, refusal past the limit", func(t *testing.T) {
		f, _ := limitFixture(t, newMemLimits(), small)
		var got []string
		for range 12 {
			got = append(got, outcome(t, f, "queue_sms"))
		}
		want := []string{"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "soft", "soft",
			"requests_hard_limit_exceeded", "requests_hard_limit_exceeded"}
		if !slices.Equal(got, want) {
			t.Errorf("got  %v\nwant %v", got, want)
		}
		if n := f.called("queue_sms"); n != 10 {
			t.Errorf("handler ran %d times, want 10", n)
		}
	})
	t.Run("document limits by default", func(t *testing.T) {
		f, _ := limitFixture(t, newMemLimits(), nil)
		var got []string
		for range 601 {
			got = append(got, outcome(t, f, "queue_sms"))
		}
		if got[538] != "ok" || got[539] != "soft" || got[599] != "soft" || got[600] != "requests_hard_limit_exceeded" {
			t.Errorf("540th %s, 600th %s, 601st %s", got[539], got[599], got[600])
		}
	})
	t.Run("buckets are separate", func(t *testing.T) {
		f, _ := limitFixture(t, newMemLimits(), small)
		for range 11 {
			outcome(t, f, "queue_sms")
		}
		if got := outcome(t, f, "queue_fax"); got != "ok" {
			t.Errorf("queue_fax after queue_sms exhausted: %s", got)
		}
		if got := outcome(t, f, "get_dids"); got != "ok" {
			t.Errorf("shared pool after queue_sms exhausted: %s", got)
		}
	})
	t.Run("other request types share one pool", func(t *testing.T) {
		f, _ := limitFixture(t, newMemLimits(), small)
		for range 5 {
			outcome(t, f, "get_dids")
			outcome(t, f, "get_peers")
		}
		if got := outcome(t, f, "get_request_types"); got != "requests_hard_limit_exceeded" {
			t.Errorf("11th shared request: %s", got)
		}
	})
	t.Run("per-account override", func(t *testing.T) {
		store := newMemLimits()
		store.overrides[alice.AccountID] = map[string]int64{"queue_sms": 2}
		f, _ := limitFixture(t, store, small)
		got := []string{outcome(t, f, "queue_sms"), outcome(t, f, "queue_sms"), outcome(t, f, "queue_sms")}
		if want := []string{"ok", "soft", "requests_hard_limit_exceeded"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if got := outcome(t, f, "get_dids"); got != "ok" {
			t.Errorf("override leaked into the shared pool: %s", got)
		}
	})
	t.Run("override of zero lifts the limit", func(t *testing.T) {
		store := newMemLimits()
		store.overrides[alice.AccountID] = map[string]int64{"queue_sms": 0}
		f, _ := limitFixture(t, store, small)
		for i := range 15 {
			if got := outcome(t, f, "queue_sms"); got != "ok" {
				t.Fatalf("request %d: %s", i+1, got)
			}
		}
	})
	t.Run("a new hour starts a new count", func(t *testing.T) {
		f, c := limitFixture(t, newMemLimits(), small)
		for range 11 {
			outcome(t, f, "queue_sms")
		}
		c.set(c.now().Add(45 * time.Minute)) // 11:00
		if got := outcome(t, f, "queue_sms"); got != "ok" {
			t.Errorf("next hour: %s", got)
		}
	})
	t.Run("failed authentication is not counted", func(t *testing.T) {
		store := newMemLimits()
		f, _ := limitFixture(t, store, small)
		for range 20 {
			f.get("/api/v1.1/json/queue_sms?username=alice&auth_token=" + tokReadOnly)
		}
		if got := outcome(t, f, "queue_sms"); got != "ok" {
			t.Errorf("after failed logins: %s", got)
		}
	})
	t.Run("store failure answers an internal error", func(t *testing.T) {
		store := newMemLimits()
		store.err = errors.New("database is locked")
		f, _ := limitFixture(t, store, small)
		if got := outcome(t, f, "queue_sms"); got != "internal_error-database_error" {
			t.Errorf("got %s", got)
		}
		if f.called("queue_sms") != 0 {
			t.Error("handler ran without a count")
		}
	})
	t.Run("warning follows the handler's messages", func(t *testing.T) {
		store := newMemLimits()
		store.overrides[alice.AccountID] = map[string]int64{"queue_sms": 1}
		g := newFixture(t, voicemeup.Config{Limits: store})
		g.handle("queue_sms", queueSMSResult)
		e := decode(t, g.get("/api/v1.1/json/queue_sms?"+creds))
		if want := []string{"queued_sms_hash", "requests_soft_limit_reached"}; e.Details.Status != "success" || !slices.Equal(e.codes(), want) {
			t.Errorf("codes %v, want %v", e.codes(), want)
		}
	})
}

// TestLimitsConcurrent checks that concurrent requests never let more than
// the limit through.
func TestLimitsConcurrent(t *testing.T) {
	f, _ := limitFixture(t, newMemLimits(), map[string]int64{"queue_sms": 50, voicemeup.SharedPool: 10})
	var wg sync.WaitGroup
	for range 80 {
		wg.Go(func() { f.get("/api/v1.1/json/queue_sms?" + creds) })
	}
	wg.Wait()
	if n := f.called("queue_sms"); n != 50 {
		t.Errorf("handler ran %d times, want 50", n)
	}
}

var _ voicemeup.LimitStore = (*memLimits)(nil)

func TestPartialHourlyLimits(t *testing.T) {
	// Naming one bucket must leave the document's limits on the others.
	f, _ := limitFixture(t, newMemLimits(), map[string]int64{"queue_sms": 5})
	for range 1200 {
		if got := outcome(t, f, "get_dids"); got == "requests_hard_limit_exceeded" {
			t.Fatal("shared pool refused before 1200")
		}
	}
	if got := outcome(t, f, "get_dids"); got != "requests_hard_limit_exceeded" {
		t.Errorf("1201st shared request: %s", got)
	}
}

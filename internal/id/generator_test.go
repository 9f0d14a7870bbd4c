package id_test

import (
	"sync"
	"testing"
	"time"

	"switchboard/internal/id"
)

// fakeClock is a settable clock for driving a Generator deterministically.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	reads int
	// tickEvery, when positive, advances the clock 1ms every tickEvery
	// reads so that a generator waiting out an exhausted millisecond
	// eventually sees the next one.
	tickEvery int
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.tickEvery > 0 && c.reads%c.tickEvery == 0 {
		c.t = c.t.Add(time.Millisecond)
	}
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func newGen(t *testing.T, node int64, clock *fakeClock) *id.Generator {
	t.Helper()
	g, err := id.NewGenerator(node, id.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestNewGeneratorNodeRange(t *testing.T) {
	tests := []struct {
		node int64
		ok   bool
	}{
		{-1, false},
		{0, true},
		{1, true},
		{id.MaxNode, true},
		{id.MaxNode + 1, false},
		{1 << 40, false},
	}
	for _, tt := range tests {
		g, err := id.NewGenerator(tt.node)
		if (err == nil) != tt.ok {
			t.Errorf("NewGenerator(%d) error = %v, want ok=%v", tt.node, err, tt.ok)
		}
		if tt.ok {
			if got := id.Node(g.Next()); got != tt.node {
				t.Errorf("node %d generator issued an id of node %d", tt.node, got)
			}
		}
	}
	if id.MaxNode != 1023 {
		t.Errorf("MaxNode = %d, want 1023", id.MaxNode)
	}
}

func TestLayout(t *testing.T) {
	at := epoch.Add(1234567 * time.Millisecond)
	clock := &fakeClock{t: at}
	g := newGen(t, 517, clock)
	first, second := g.Next(), g.Next()
	if want := int64(1234567)<<22 | 517<<12; first != want {
		t.Errorf("first id = %d, want %d", first, want)
	}
	if second != first+1 {
		t.Errorf("second id in the same ms = %d, want %d", second, first+1)
	}
	if got := id.Time(first); !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("Time = %v, want %v", got, at)
	}
	if got := id.Node(second); got != 517 {
		t.Errorf("Node = %d, want 517", got)
	}
}

func TestTimeOfRealIDIsNow(t *testing.T) {
	g, err := id.NewGenerator(3)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Truncate(time.Millisecond)
	got := id.Time(g.Next())
	after := time.Now()
	if got.Before(before) || got.After(after) {
		t.Errorf("Time(Next()) = %v, want between %v and %v", got, before, after)
	}
}

func TestTwoNodesSameMillisecondDiffer(t *testing.T) {
	// A shared clock that ticks only every 3000 reads makes both generators
	// hand out the same sequence numbers in the same milliseconds, so only
	// the node keeps their ids apart.
	clock := &fakeClock{t: epoch.Add(time.Hour), tickEvery: 3000}
	a, b := newGen(t, 1, clock), newGen(t, 2, clock)
	seen := map[int64]bool{}
	for i := range 5000 {
		va, vb := a.Next(), b.Next()
		if i == 0 && va^vb != (1^2)<<12 {
			t.Fatalf("first ids %x and %x should differ only in the node bits", va, vb)
		}
		for _, v := range []int64{va, vb} {
			if seen[v] {
				t.Fatalf("duplicate id %d across nodes", v)
			}
			seen[v] = true
		}
	}
}

func TestSequenceExhaustionWaitsForNextMillisecond(t *testing.T) {
	start := epoch.Add(time.Minute)
	clock := &fakeClock{t: start}
	g := newGen(t, 9, clock)
	var last int64
	for i := range 4096 {
		last = g.Next()
		if id.Time(last) != start {
			t.Fatalf("id %d moved to %v before the sequence ran out", i, id.Time(last))
		}
	}
	clock.mu.Lock()
	clock.tickEvery = 3 // the clock moves on only after a few reads
	clock.mu.Unlock()
	next := g.Next()
	if next <= last {
		t.Fatalf("id after exhaustion %d is not above %d", next, last)
	}
	if got := id.Time(next); got != start.Add(time.Millisecond) {
		t.Errorf("id after exhaustion is at %v, want %v", got, start.Add(time.Millisecond))
	}
}

func TestClockGoingBackwards(t *testing.T) {
	start := epoch.Add(24 * time.Hour)
	clock := &fakeClock{t: start}
	g := newGen(t, 5, clock)
	prev := g.Next()
	seen := map[int64]bool{prev: true}
	check := func(step string, v int64) {
		t.Helper()
		if v <= prev || seen[v] {
			t.Fatalf("%s: id %d after %d", step, v, prev)
		}
		seen[v] = true
		prev = v
	}

	clock.set(start.Add(-time.Hour))
	// Far more than one millisecond's worth, while the clock stays an hour
	// behind: Next must neither stall for the hour nor repeat itself.
	behind := make(chan []int64, 1)
	go func() {
		ids := make([]int64, 3*4096)
		for i := range ids {
			ids[i] = g.Next()
		}
		behind <- ids
	}()
	select {
	case ids := <-behind:
		for _, v := range ids {
			check("behind", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next stalled while the clock was behind")
	}
	if got := id.Time(prev); got.Before(start) {
		t.Errorf("ids went back in time to %v", got)
	}

	clock.set(epoch.Add(-time.Hour)) // before the epoch altogether
	check("before epoch", g.Next())
	clock.set(start.Add(time.Hour))
	check("forward again", g.Next())
	if got := id.Time(prev); got != start.Add(time.Hour) {
		t.Errorf("after the clock recovered, ids are at %v, want %v", got, start.Add(time.Hour))
	}
}

func TestConcurrentUniqueAndIncreasing(t *testing.T) {
	const (
		workers = 8
		total   = 1_000_000
		each    = total / workers
	)
	g, err := id.NewGenerator(42)
	if err != nil {
		t.Fatal(err)
	}
	results := make([][]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ids := make([]int64, each)
			for i := range ids {
				ids[i] = g.Next()
			}
			results[w] = ids
		})
	}
	wg.Wait()

	seen := make(map[int64]struct{}, total)
	for w, ids := range results {
		for i, v := range ids {
			if i > 0 && v <= ids[i-1] {
				t.Fatalf("worker %d: id %d not above previous %d", w, v, ids[i-1])
			}
			if _, dup := seen[v]; dup {
				t.Fatalf("duplicate id %d", v)
			}
			seen[v] = struct{}{}
			if id.Node(v) != 42 {
				t.Fatalf("id %d has node %d", v, id.Node(v))
			}
		}
	}
	if len(seen) != total {
		t.Fatalf("got %d unique ids, want %d", len(seen), total)
	}
}

func TestPanicsPastTimestampRange(t *testing.T) {
	clock := &fakeClock{t: epoch.Add((1 << 41) * time.Millisecond)}
	g := newGen(t, 0, clock)
	defer func() {
		if recover() == nil {
			t.Error("Next did not panic with a clock past the 41-bit range")
		}
	}()
	v := g.Next()
	t.Errorf("Next returned %d", v)
}

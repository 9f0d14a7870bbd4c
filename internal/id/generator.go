// Package id issues Switchboard's identifiers and renders them for the API
// dialects.
//
// An id is a positive int64 laid out like a snowflake: 41 bits of
// milliseconds since 2024-01-01T00:00:00Z, 10 bits of node and 12 bits of
// sequence, so ids sort by creation time and no coordination is needed
// between processes beyond holding distinct node numbers.
package id

import (
	"fmt"
	"sync"
	"time"
)

const (
	nodeBits = 10
	seqBits  = 12
	timeBits = 41

	// MaxNode is the largest node number a Generator accepts.
	MaxNode = 1<<nodeBits - 1

	maxSeq  = 1<<seqBits - 1
	maxTime = 1<<timeBits - 1 // reached in 2093

	nodeShift = seqBits
	timeShift = seqBits + nodeBits

	// epochMillis is 2024-01-01T00:00:00Z in Unix milliseconds. A recent
	// epoch leaves the 41-bit timestamp most of its 69 years of range.
	epochMillis = 1704067200000

	// exhaustedPoll is how long Next sleeps between clock reads while it
	// waits out a millisecond whose 4096 sequence numbers are used up.
	exhaustedPoll = 50 * time.Microsecond
)

// Generator issues ids for one node. It is safe for concurrent use, and
// every id it returns is greater than the one before.
//
// Two generators with different node numbers never issue the same id,
// whatever their clocks say, because the node is part of every id. Two
// generators with the same node number can collide, so each process must
// hold its own node for as long as it issues ids; the store layer leases
// node numbers from the database for exactly that reason.
type Generator struct {
	node int64
	now  func() time.Time

	mu   sync.Mutex
	last int64 // milliseconds since the epoch of the last id issued
	seq  int64 // sequence of the last id issued within last
}

// Option configures a Generator.
type Option func(*Generator)

// WithClock makes the generator read the time from now instead of
// time.Now, so tests can stop, advance or rewind the clock.
func WithClock(now func() time.Time) Option {
	return func(g *Generator) { g.now = now }
}

// NewGenerator returns a generator for node, which must be in 0..MaxNode.
func NewGenerator(node int64, opts ...Option) (*Generator, error) {
	if node < 0 || node > MaxNode {
		return nil, fmt.Errorf("id: node %d is outside 0..%d", node, MaxNode)
	}
	g := &Generator{node: node, now: time.Now, last: -1}
	for _, opt := range opts {
		opt(g)
	}
	return g, nil
}

// Next returns a new id.
//
// If the clock goes backwards, Next keeps counting from the last
// millisecond it used rather than reuse or reorder ids. If the 4096
// sequence numbers of a millisecond run out, it waits for the clock to
// reach the next one; but if the clock is behind, it moves on to the next
// millisecond at once, because waiting could take as long as the clock's
// jump. Next panics once the clock passes the 41-bit range, in 2093:
// issuing ids that wrap around would be worse than stopping.
func (g *Generator) Next() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()

	ms := g.millis()
	switch {
	case ms > g.last:
		g.last, g.seq = ms, 0
	case g.seq < maxSeq:
		g.seq++
	default:
		for ms == g.last {
			time.Sleep(exhaustedPoll)
			ms = g.millis()
		}
		if ms > g.last {
			g.last = ms
		} else {
			g.last++
		}
		g.seq = 0
	}
	if g.last > maxTime {
		panic(fmt.Sprintf("id: clock %v is past the 41-bit timestamp range", g.now()))
	}
	return g.last<<timeShift | g.node<<nodeShift | g.seq
}

// millis reads the clock as milliseconds since the epoch. A clock before
// the epoch reads as the epoch itself and so behaves like a clock that went
// backwards.
func (g *Generator) millis() int64 {
	return max(g.now().UnixMilli()-epochMillis, 0)
}

// Time returns the millisecond at which id was issued, in UTC.
func Time(id int64) time.Time {
	return time.UnixMilli(epochMillis + id>>timeShift).UTC()
}

// Node returns the node number that issued id.
func Node(id int64) int64 {
	return id >> nodeShift & MaxNode
}

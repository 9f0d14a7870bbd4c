package batchrate_test

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/internal/batchrate"
)

// callGen is an endless-looking calls file made up on the fly: n calls to
// London, never all in memory at once.
type callGen struct {
	n, next int
	pending []byte
}

func newCallGen(n int) *callGen {
	return &callGen{n: n, next: 1, pending: []byte(batchrate.CallsHeader + "\n")}
}

func (g *callGen) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		if len(g.pending) == 0 {
			if g.next > g.n {
				break
			}
			line := strconv.AppendInt(g.pending[:0], int64(g.next), 10)
			line = append(line, ",44207"...)
			line = strconv.AppendInt(line, int64(1_000_000+g.next%9_000_000), 10)
			line = append(line, ",61\n"...)
			g.pending = line
			g.next++
		}
		n := copy(p, g.pending)
		g.pending, p, total = g.pending[n:], p[n:], total+n
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}

// heapSampler passes reads through and records the largest HeapInuse seen
// every few megabytes.
type heapSampler struct {
	r         io.Reader
	sinceLast int
	max       uint64
}

func (s *heapSampler) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.sinceLast += n; s.sinceLast >= 4<<20 {
		s.sinceLast = 0
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		s.max = max(s.max, m.HeapInuse)
	}
	return n, err
}

func TestRunMemoryDoesNotGrowWithInput(t *testing.T) {
	const calls = 2_000_000 // about 50 MB in, 80 MB out
	deck := mustDeck(t, smallDeck)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	s := &heapSampler{r: newCallGen(calls)}
	st, err := batchrate.Run(context.Background(), deck, s, io.Discard, io.Discard, batchrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st != (batchrate.Stats{Rated: calls}) {
		t.Fatalf("stats %+v, want %d rated", st, calls)
	}
	if grew := int64(s.max) - int64(base); grew > 32<<20 {
		t.Errorf("heap in use grew by %d MiB while rating %d calls", grew>>20, calls)
	} else {
		t.Logf("heap in use grew by at most %.1f MiB", float64(grew)/(1<<20))
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// gateWriter lets its first write through and holds every later one until
// open is closed.
type gateWriter struct {
	open   chan struct{}
	writes atomic.Int64
}

func (w *gateWriter) Write(p []byte) (int, error) {
	if w.writes.Add(1) > 1 {
		<-w.open
	}
	return len(p), nil
}

// TestRunReaderWaitsForTheWriter checks the bounded-queue design
// deterministically: while the output is stuck, the reader stops after the
// batches it is allowed, however long the input.
func TestRunReaderWaitsForTheWriter(t *testing.T) {
	const calls, workers, batchSize = 1_000_000, 2, 1024
	deck := mustDeck(t, smallDeck)
	in := &countingReader{r: newCallGen(calls)}
	out := &gateWriter{open: make(chan struct{})}
	var st batchrate.Stats
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		st, err = batchrate.Run(context.Background(), deck, in, out, io.Discard, batchrate.Options{Workers: workers, BatchSize: batchSize})
	}()

	// Wait for the reader to stall: no progress for 100 ms.
	last, still := int64(-1), 0
	for deadline := time.Now().Add(10 * time.Second); still < 5 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		if n := in.n.Load(); n == last {
			still++
		} else {
			last, still = n, 0
		}
	}
	// 2·workers+2 batches of batchSize×32 bytes, and one batch's worth
	// carried over from the read that filled the last of them.
	bound := int64(2*workers+2+1) * batchSize * 32
	if read := in.n.Load(); read > bound {
		t.Errorf("read %d bytes while the output was stuck, want at most %d", read, bound)
	} else {
		t.Logf("read %d bytes of about %d while the output was stuck", read, calls*25)
	}
	close(out.open)
	<-done
	if err != nil || st.Rated != calls {
		t.Fatalf("Run = %+v, %v after the output resumed", st, err)
	}
}

// cancelWriter cancels the run on its third write and accepts everything.
type cancelWriter struct {
	cancel context.CancelFunc
	writes int
	mu     sync.Mutex
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.writes++; w.writes == 3 {
		w.cancel()
	}
	return len(p), nil
}

func TestRunStopsWhenCancelled(t *testing.T) {
	const calls = 1_000_000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := runtime.NumGoroutine()
	st, err := batchrate.Run(ctx, mustDeck(t, smallDeck), newCallGen(calls), &cancelWriter{cancel: cancel}, io.Discard, batchrate.Options{BatchSize: 100})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if st.Rated == 0 || st.Rated >= calls {
		t.Errorf("stats %+v: want the batches written before the cancellation counted, and no more", st)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before Run, %d after: Run left some running", before, after)
	}
}

// Package batchrate rates a file of calls against a rate deck, the work of
// `switchboard rate --rates deck.csv --calls calls.csv`.
//
// Run is a pipeline over a fixed set of batches: one goroutine reads the
// calls file into batches of whole records, Options.Workers goroutines rate
// the batches, and the calling goroutine writes each batch's rows in input
// order. Every batch goes back to the reader once written, so memory is a
// few batches whatever the size of the input, and a slow output holds the
// reader back instead of queueing rows.
package batchrate

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"switchboard/internal/rating"
)

const (
	// CallsHeader is the first line of a calls file.
	CallsHeader = "id,destination,duration"
	// OutputHeader is the first line Run writes.
	OutputHeader = "id,destination,duration,prefix,billed_seconds,cost"

	// DefaultBatchSize is the batch size when Options leaves it 0.
	DefaultBatchSize = 8192

	// bytesPerCall sizes a batch's buffer: a call line is usually 25 to
	// 35 bytes.
	bytesPerCall = 32
	// maxRecordLen is the longest record Run rates; a longer one is
	// reported as a bad row and skipped.
	maxRecordLen = 1 << 20
	// maxBatchSize caps Options.BatchSize at 32 MiB batches.
	maxBatchSize = 1 << 20
)

// Options tunes Run. The zero value is ready to use.
type Options struct {
	// Workers is the number of goroutines rating calls; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// BatchSize is about how many calls one batch holds (it sizes the
	// batch's buffer at 32 bytes a call); 0 means DefaultBatchSize. Run
	// keeps 2·Workers+2 batches.
	BatchSize int
}

// Stats counts the calls of a run.
type Stats struct {
	Rated  int64 // rows written to out
	Failed int64 // lines written to errOut
}

// Run rates every call of calls (a CSV file with the header CallsHeader)
// against deck and writes a CSV file with the header OutputHeader to out,
// one row per rated call in input order: the id and destination as given,
// quoted only if they hold a comma, a quote or a line break; the duration;
// the matched prefix; the billed seconds and the cost with 5 decimals, as
// rating.Cost computes them for an answered call of that duration.
//
// A bad row (malformed CSV, a wrong number of cells, a duration that is not
// a whole, non-negative number of seconds, phone_number_invalid,
// rate_not_found, or a record longer than 1 MiB) costs only itself: it goes
// to errOut as "line N: reason", N being the line the record starts on, in
// input order too. errOut may be nil to discard them. A missing or wrong
// header is an error before anything is written.
//
// Run returns when the input is done, when writing fails, or when ctx is
// cancelled, but not before a Read of calls in progress returns. The Stats
// count what was written so far in every case.
func Run(ctx context.Context, deck *rating.Deck, calls io.Reader, out, errOut io.Writer, opt Options) (Stats, error) {
	return run(ctx, deck, calls, out, errOut, opt, maxRecordLen)
}

func run(ctx context.Context, deck *rating.Deck, calls io.Reader, out, errOut io.Writer, opt Options, maxRecord int) (Stats, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	batchSize := opt.BatchSize
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	batchSize = min(batchSize, maxBatchSize)
	if errOut == nil {
		errOut = io.Discard
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	src := &source{r: calls, bufSize: batchSize * bytesPerCall, line: 1}
	src.maxRecord = max(maxRecord, src.bufSize)

	first := newBatch()
	if err := readHeader(src, first); err != nil {
		return Stats{}, err
	}
	if _, err := io.WriteString(out, OutputHeader+"\n"); err != nil {
		return Stats{}, fmt.Errorf("batchrate: write: %w", err)
	}
	p := &pipeline{deck: deck, src: src, out: out, errOut: errOut, workers: workers}
	return p.run(ctx, first)
}

func newBatch() *batch { return &batch{done: make(chan struct{}, 1)} }

var utf8BOM = []byte("\xef\xbb\xbf")

// readHeader reads up to and including the header, skipping a byte order
// mark and blank lines, and leaves the rest of the first batch in b.
func readHeader(src *source, b *batch) error {
	for {
		if err := src.next(b); err != nil {
			return fmt.Errorf("batchrate: read calls: %w", err)
		}
		if b.tooLong > 0 {
			return fmt.Errorf("batchrate: calls: line %d: header longer than %d bytes", b.tooLong, src.maxRecord)
		}
		if b.line == 1 && len(b.data) >= len(utf8BOM) && string(b.data[:len(utf8BOM)]) == string(utf8BOM) {
			b.data = b.data[len(utf8BOM):]
		}
		for len(b.data) > 0 {
			rec, rest := nextRecord(b.data, b.quoted)
			line := b.line
			b.data, b.line = rest, b.line+countLF(rec)
			if rec = trimEOL(rec); len(rec) == 0 {
				continue
			}
			var cells [4]cell
			n, scratch, reason := parseRecord(rec, cells[:], nil)
			var got []string
			for _, c := range cells[:min(n, len(cells))] {
				got = append(got, string(c.of(rec, scratch)))
			}
			if reason != "" || !slices.Equal(got, []string{"id", "destination", "duration"}) {
				return fmt.Errorf("batchrate: calls: line %d: header is %s, want %s", line, quote(rec), CallsHeader)
			}
			return nil
		}
		if src.done() {
			return fmt.Errorf("batchrate: calls: no header: the first line must be %s", CallsHeader)
		}
	}
}

// pipeline is the state of one Run once the header is read.
type pipeline struct {
	deck        *rating.Deck
	src         *source
	out, errOut io.Writer
	workers     int

	free  chan *batch // batches the reader may fill
	work  chan *batch // filled batches, for the workers
	order chan *batch // filled batches in input order, for the writer

	complete bool // the reader handed out the whole input; read after it exits
}

func (p *pipeline) run(parent context.Context, first *batch) (Stats, error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)

	// Every channel can hold every batch, so no send ever waits: only
	// taking a free batch does, and that is the back-pressure.
	n := 2*p.workers + 2
	p.free = make(chan *batch, n)
	p.work = make(chan *batch, n)
	p.order = make(chan *batch, n)
	for range n - 1 {
		p.free <- newBatch()
	}

	var wg sync.WaitGroup
	wg.Go(func() { p.read(ctx, cancel, first) })
	for range p.workers {
		wg.Go(func() {
			w := worker{deck: p.deck, maxRecord: p.src.maxRecord}
			for b := range p.work {
				b.reset()
				if ctx.Err() == nil {
					w.process(b)
				}
				b.done <- struct{}{}
			}
		})
	}
	stats, finished, err := p.write(ctx)
	if err != nil {
		cancel(err)
	}
	wg.Wait()
	if err == nil && !(finished && p.complete) {
		err = context.Cause(ctx) // why the reader or the writer stopped early
	}
	return stats, err
}

// read hands out batches until the input ends, the context is done, or
// reading fails (which cancels the run).
func (p *pipeline) read(ctx context.Context, cancel context.CancelCauseFunc, b *batch) {
	defer close(p.work)
	defer close(p.order)
	for {
		select {
		case p.order <- b:
		case <-ctx.Done():
			return
		}
		select {
		case p.work <- b:
		case <-ctx.Done():
			return
		}
		if p.src.done() {
			p.complete = true
			return
		}
		select {
		case b = <-p.free:
		case <-ctx.Done():
			return
		}
		if err := p.src.next(b); err != nil {
			cancel(fmt.Errorf("batchrate: read calls: %w", err))
			return
		}
	}
}

// write writes the batches in input order as workers finish them and
// recycles them. finished reports that it wrote every batch the reader
// handed out.
func (p *pipeline) write(ctx context.Context) (st Stats, finished bool, err error) {
	for b := range p.order {
		select {
		case <-b.done:
		case <-ctx.Done():
			return st, false, nil
		}
		if ctx.Err() != nil {
			return st, false, nil // the worker may have skipped b
		}
		if len(b.out) > 0 {
			if _, err := p.out.Write(b.out); err != nil {
				return st, false, fmt.Errorf("batchrate: write: %w", err)
			}
		}
		if len(b.errs) > 0 {
			if _, err := p.errOut.Write(b.errs); err != nil {
				return st, false, fmt.Errorf("batchrate: write errors: %w", err)
			}
		}
		st.Rated += b.rated
		st.Failed += b.failed
		p.free <- b
	}
	return st, true, nil
}

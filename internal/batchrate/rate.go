package batchrate

import (
	"bytes"
	"math"
	"strconv"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

// worker rates the calls of one batch at a time into the batch's output.
// Its buffers are reused from record to record, so a batch of well-formed
// calls costs no allocation.
type worker struct {
	deck      *rating.Deck
	maxRecord int
	scratch   []byte // quoted cells, unquoted
}

// process rates b, which reset has emptied of a previous use.
func (w *worker) process(b *batch) {
	if b.tooLong > 0 {
		w.fail(b, b.tooLong, "record longer than "+strconv.Itoa(w.maxRecord)+" bytes")
		return
	}
	data, line := b.data, b.line
	for len(data) > 0 {
		var rec []byte
		rec, data = nextRecord(data, b.quoted)
		w.record(b, line, rec)
		if b.quoted {
			line += countLF(rec)
		} else {
			line++
		}
	}
}

// record rates one record, with or without its line break, that starts on
// the given line.
func (w *worker) record(b *batch, line int, rec []byte) {
	rec = trimEOL(rec)
	if len(rec) == 0 {
		return // a blank line, which CSV skips
	}
	if b.quoted && bytes.IndexByte(rec, '"') >= 0 {
		var cells [3]cell
		n, scratch, reason := parseRecord(rec, cells[:], w.scratch[:0])
		w.scratch = scratch
		switch {
		case reason != "":
			w.fail(b, line, reason)
		case n != len(cells):
			w.fail(b, line, fieldCount(n))
		default:
			w.rate(b, line, cells[0].of(rec, scratch), cells[1].of(rec, scratch), cells[2].of(rec, scratch))
		}
		return
	}
	c1 := bytes.IndexByte(rec, ',')
	if c1 < 0 {
		w.fail(b, line, fieldCount(1))
		return
	}
	rest := rec[c1+1:]
	c2 := bytes.IndexByte(rest, ',')
	if c2 < 0 {
		w.fail(b, line, fieldCount(2))
		return
	}
	if more := bytes.Count(rest[c2+1:], []byte{','}); more > 0 {
		w.fail(b, line, fieldCount(3+more))
		return
	}
	w.rate(b, line, rec[:c1], rest[:c2], rest[c2+1:])
}

// rate prices one call and appends its output row. It does what
// rating.Deck.Rate does, in steps, because it needs the normalized digits:
// the matched prefix is their start, and copying it from there instead of
// from the rate saves a cache miss per call on a big deck.
func (w *worker) rate(b *batch, line int, id, dest, dur []byte) {
	d, reason := parseDuration(dur)
	if reason != "" {
		w.fail(b, line, reason)
		return
	}
	var digits [rating.MaxDigits]byte
	n, err := rating.NormalizeInto(&digits, string(dest))
	if err != nil {
		w.fail(b, line, "phone_number_invalid: destination "+quote(dest))
		return
	}
	r, ok := w.deck.Match(string(digits[:n]))
	if !ok {
		w.fail(b, line, "rate_not_found: destination "+quote(dest))
		return
	}
	cost, billed, err := rating.Cost(r, d)
	if err != nil {
		w.fail(b, line, err.Error())
		return
	}
	prefix := digits[:min(len(r.Prefix), n)]
	o := appendCell(b.out, id)
	o = append(o, ',')
	o = appendCell(o, dest)
	o = append(o, ',')
	o = strconv.AppendInt(o, d, 10)
	o = append(o, ',')
	o = append(o, prefix...)
	o = append(o, ',')
	o = strconv.AppendInt(o, billed, 10)
	o = append(o, ',')
	o = appendAmount(o, cost)
	b.out = append(o, '\n')
	b.rated++
}

func (w *worker) fail(b *batch, line int, reason string) {
	e := append(b.errs, "line "...)
	e = strconv.AppendInt(e, int64(line), 10)
	e = append(e, ": "...)
	e = append(e, reason...)
	b.errs = append(e, '\n')
	b.failed++
}

func fieldCount(n int) string {
	s := " fields"
	if n == 1 {
		s = " field"
	}
	return strconv.Itoa(n) + s + ", want 3 (" + CallsHeader + ")"
}

// parseDuration reads a call's duration: whole seconds, not negative.
func parseDuration(b []byte) (int64, string) {
	digits := b
	if len(b) > 1 && b[0] == '-' {
		digits = b[1:]
	}
	var v int64
	for _, c := range digits {
		d := int64(c - '0')
		if c < '0' || c > '9' {
			return 0, "duration " + quote(b) + " is not a whole number of seconds"
		}
		if v > (math.MaxInt64-d)/10 {
			return 0, "duration " + quote(b) + " is out of range"
		}
		v = v*10 + d
	}
	switch {
	case len(digits) == 0:
		return 0, "duration " + quote(b) + " is not a whole number of seconds"
	case len(digits) < len(b) && v != 0:
		return 0, "duration " + quote(b) + " is negative"
	}
	return v, ""
}

// appendAmount appends a as money.Amount.String does, without allocating.
func appendAmount(b []byte, a money.Amount) []byte {
	u := uint64(a)
	if a < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/money.Scale, 10)
	f := u % money.Scale
	return append(b, '.', byte('0'+f/10000), byte('0'+f/1000%10), byte('0'+f/100%10), byte('0'+f/10%10), byte('0'+f%10))
}

// quote renders a cell for an error message, cut short so that a hostile
// multi-megabyte cell cannot balloon the report.
func quote(b []byte) string {
	const keep = 40
	if len(b) > keep {
		return strconv.Quote(string(b[:keep])) + "..."
	}
	return strconv.Quote(string(b))
}

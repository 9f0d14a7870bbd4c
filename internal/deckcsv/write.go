package deckcsv

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

// Write writes the header and one row per rate. For rates that pass
// rating.Rate.Validate, Read gives them back unchanged (but for their IDs,
// which the file does not carry).
func Write(w io.Writer, rates []rating.Rate) error {
	cw := NewWriter(w)
	for i := range rates {
		if err := cw.Write(&rates[i]); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// Writer streams a deck file, so that an export need not hold the whole deck
// in memory. The header goes out before the first row, or on Flush if there
// are no rows. Call Flush at the end.
type Writer struct {
	w      *bufio.Writer
	buf    []byte
	header bool
	err    error // sticky: after one failure nothing more is written
}

// NewWriter returns a Writer that buffers its output to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write appends one rate. It refuses a description holding a carriage
// return, which CSV cannot carry unchanged.
func (w *Writer) Write(r *rating.Rate) error {
	if w.err != nil {
		return w.err
	}
	if strings.IndexByte(r.Description, '\r') >= 0 {
		return fmt.Errorf("deckcsv: rate %s: description %w", quote(r.Prefix), errCarriageReturn)
	}
	b := w.buf[:0]
	if !w.header {
		b = append(b, Header...)
		b = append(b, '\n')
		w.header = true
	}
	b = appendCell(b, r.Prefix)
	b = append(b, ',')
	b = appendCell(b, string(r.Type))
	for _, v := range [...]int32{r.FreeSeconds, r.GracePeriod, r.Interval1, r.IntervalN} {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(v), 10)
	}
	for _, a := range [...]money.Amount{r.ConnectFee, r.PostcallSurcharge, r.Price1, r.PriceN} {
		b = append(b, ',')
		t, _ := a.MarshalText() // never fails
		b = append(b, t...)
	}
	b = append(b, ',')
	b = appendCell(b, r.Description)
	b = append(b, '\n')
	w.buf = b
	if _, err := w.w.Write(b); err != nil {
		w.err = fmt.Errorf("deckcsv: write: %w", err)
	}
	return w.err
}

// Flush writes the header if no row did, and any buffered data.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if !w.header {
		w.header = true
		if _, err := w.w.WriteString(Header + "\n"); err != nil {
			w.err = fmt.Errorf("deckcsv: write: %w", err)
			return w.err
		}
	}
	if err := w.w.Flush(); err != nil {
		w.err = fmt.Errorf("deckcsv: write: %w", err)
	}
	return w.err
}

// appendCell appends s as a CSV cell, quoted only when it has to be.
func appendCell(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

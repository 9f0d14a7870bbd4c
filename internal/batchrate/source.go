package batchrate

import (
	"bytes"
	"errors"
	"io"
)

// batch is the unit of work: whole records read from the calls file, and
// the output rows and error lines rating them produced. A fixed set of
// batches circulates from the reader to a worker to the writer and back, so
// memory does not grow with the input.
type batch struct {
	data    []byte // whole records
	line    int    // line number of data[0]
	quoted  bool   // data holds a quote, so records must be scanned with scanState
	tooLong int    // if not 0, data is empty and the record on this line was skipped as too long

	out, errs     []byte
	rated, failed int64
	done          chan struct{} // a worker has filled out and errs
}

// reset empties b's output.
func (b *batch) reset() {
	b.out, b.errs = b.out[:0], b.errs[:0]
	b.rated, b.failed = 0, 0
}

// source cuts the calls file into batches of whole records.
type source struct {
	r         io.Reader
	bufSize   int    // initial capacity of a batch's data
	maxRecord int    // longest record kept whole
	pending   []byte // read already: the start of the next batch
	line      int    // line number of pending[0]
	eof       bool
}

// maxEmptyReads bounds how often a Read may return nothing and no error
// before the source gives up on it, as bufio does.
const maxEmptyReads = 100

// fill reads into b until it is full or the input ends.
func (s *source) fill(b []byte) ([]byte, error) {
	empty := 0
	for len(b) < cap(b) && !s.eof {
		n, err := s.r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case errors.Is(err, io.EOF):
			s.eof = true
		case err != nil:
			return b, err
		case n == 0:
			if empty++; empty == maxEmptyReads {
				return b, io.ErrNoProgress
			}
		}
	}
	return b, nil
}

// done reports whether every byte of the input has been handed out.
func (s *source) done() bool { return s.eof && len(s.pending) == 0 }

// next fills b with the next whole records. It grows b's buffer when one
// record does not fit, up to maxRecord; a longer record is skipped and
// reported through b.tooLong, so that it costs its own line and nothing
// else.
func (s *source) next(b *batch) error {
	if cap(b.data) < s.bufSize {
		b.data = make([]byte, 0, max(s.bufSize, len(s.pending)))
	}
	b.data = append(b.data[:0], s.pending...)
	b.line, b.tooLong = s.line, 0
	for {
		var err error
		if b.data, err = s.fill(b.data); err != nil {
			return err
		}
		b.quoted = bytes.IndexByte(b.data, '"') >= 0
		end := len(b.data)
		if !s.eof {
			end = lastRecordEnd(b.data, b.quoted)
		}
		if end > 0 || s.eof {
			s.pending = append(s.pending[:0], b.data[end:]...)
			b.data = b.data[:end]
			b.quoted = b.quoted && bytes.IndexByte(b.data, '"') >= 0
			s.line += countLF(b.data)
			return nil
		}
		if cap(b.data) >= s.maxRecord {
			return s.skip(b)
		}
		grown := make([]byte, len(b.data), min(2*cap(b.data), s.maxRecord))
		copy(grown, b.data)
		b.data = grown
	}
}

// skip reads on to the end of the record that starts b.data and fills all
// of b.data, and leaves b empty but for the report of it.
func (s *source) skip(b *batch) error {
	b.tooLong = b.line
	var st scanState
	chunk := b.data
	for {
		if n := st.scan(chunk); n >= 0 {
			s.line += countLF(chunk[:n])
			s.pending = append(s.pending[:0], chunk[n:]...)
			break
		}
		s.line += countLF(chunk)
		if s.eof {
			s.pending = s.pending[:0]
			break
		}
		var err error
		if chunk, err = s.fill(chunk[:0]); err != nil {
			return err
		}
	}
	b.data, b.quoted = b.data[:0], false
	return nil
}

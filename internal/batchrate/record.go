package batchrate

import (
	"bytes"
	"encoding/csv"
)

// This file holds the CSV rules of the calls file: RFC 4180 as encoding/csv
// reads it (a quoted cell may hold commas, doubled quotes and line breaks;
// CRLF is read as LF; blank lines are skipped). Most call files hold no
// quote at all, and for those a record is simply a line: the workers split
// it on commas without looking at each byte. Only input with a quote goes
// through the state machine below.

// scanState is how far a scan has got through a record.
type scanState uint8

const (
	atCellStart  scanState = iota
	inBareCell             // an unquoted cell
	inQuotedCell           // inside quotes, where ',' and '\n' are data
	afterQuote             // a quote inside quotes: it ends the cell, or is the first of a doubled pair
)

// scan advances s through data, which continues the record s has scanned so
// far, and returns the index just past the line break that ends the record,
// or -1 if data ends first. At a record's end s is ready for the next one.
// A malformed record (a quote inside a bare cell, text after a closing
// quote) still ends at its first line break outside quotes; parseRecord
// then says what is wrong with it.
func (s *scanState) scan(data []byte) int {
	st := *s
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch st {
		case atCellStart:
			switch c {
			case '"':
				st = inQuotedCell
			case ',':
			case '\n':
				*s = atCellStart
				return i + 1
			default:
				st = inBareCell
			}
		case inBareCell:
			switch c {
			case ',':
				st = atCellStart
			case '\n':
				*s = atCellStart
				return i + 1
			}
		case inQuotedCell:
			j := bytes.IndexByte(data[i:], '"')
			if j < 0 {
				*s = st
				return -1
			}
			i += j
			st = afterQuote
		case afterQuote:
			switch c {
			case '"':
				st = inQuotedCell
			case ',':
				st = atCellStart
			case '\n':
				*s = atCellStart
				return i + 1
			default:
				st = inBareCell
			}
		}
	}
	*s = st
	return -1
}

// lastRecordEnd returns the length of the longest run of whole records at
// the start of data, which must begin at a record's start.
func lastRecordEnd(data []byte, quoted bool) int {
	if !quoted {
		return bytes.LastIndexByte(data, '\n') + 1
	}
	end := 0
	var s scanState
	for {
		n := s.scan(data[end:])
		if n < 0 {
			return end
		}
		end += n
	}
}

// nextRecord splits the first record off data; the last record of the
// input may lack a line break.
func nextRecord(data []byte, quoted bool) (rec, rest []byte) {
	var n int
	if quoted {
		var s scanState
		n = s.scan(data)
	} else {
		n = bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = -1
		}
	}
	if n < 0 {
		return data, nil
	}
	return data[:n], data[n:]
}

func countLF(b []byte) int { return bytes.Count(b, []byte{'\n'}) }

// trimEOL drops the line break that ends a record: "\n", "\r\n", or at the
// end of the input a lone "\r", as encoding/csv does.
func trimEOL(rec []byte) []byte {
	if n := len(rec); n > 0 && rec[n-1] == '\n' {
		rec = rec[:n-1]
	}
	if n := len(rec); n > 0 && rec[n-1] == '\r' {
		rec = rec[:n-1]
	}
	return rec
}

// cell is one parsed cell: bytes of the record, or of the scratch buffer
// when quotes had to be undone.
type cell struct {
	inScratch  bool
	start, end int
}

// of returns c's bytes, from the record it was parsed from or the scratch
// buffer parseRecord returned with it.
func (c cell) of(rec, scratch []byte) []byte {
	if c.inScratch {
		return scratch[c.start:c.end]
	}
	return rec[c.start:c.end]
}

// Why a record is malformed, in encoding/csv's words.
var (
	errBareQuote = csv.ErrBareQuote.Error()
	errQuote     = csv.ErrQuote.Error()
)

// parseRecord splits a record (without its line break) into cells,
// undoing quotes into scratch. It stops after len(cells) cells and returns
// how many there are in all, or a reason the record is malformed.
func parseRecord(rec []byte, cells []cell, scratch []byte) (n int, _ []byte, reason string) {
	i := 0
	for {
		var c cell
		if i < len(rec) && rec[i] == '"' {
			c.inScratch, c.start = true, len(scratch)
			i++
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return n, scratch, errQuote
				}
				scratch = appendLF(scratch, rec[i:i+j])
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					scratch = append(scratch, '"')
					i++
					continue
				}
				break
			}
			c.end = len(scratch)
			if i < len(rec) && rec[i] != ',' {
				return n, scratch, errQuote
			}
		} else {
			end := len(rec)
			if j := bytes.IndexByte(rec[i:], ','); j >= 0 {
				end = i + j
			}
			if bytes.IndexByte(rec[i:end], '"') >= 0 {
				return n, scratch, errBareQuote
			}
			c.start, c.end = i, end
			i = end
		}
		if n < len(cells) {
			cells[n] = c
		}
		n++
		if i == len(rec) {
			return n, scratch, ""
		}
		i++ // the comma
	}
}

// appendLF appends the text of a quoted cell, reading CRLF as LF.
func appendLF(dst, s []byte) []byte {
	for {
		j := bytes.Index(s, []byte("\r\n"))
		if j < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:j]...)
		dst = append(dst, '\n')
		s = s[j+2:]
	}
}

// appendCell appends b as a CSV cell, quoted only when it has to be.
func appendCell(dst, b []byte) []byte {
	plain := true
	for _, c := range b {
		// A loop beats bytes.IndexAny on cells this short.
		if c == ',' || c == '"' || c == '\r' || c == '\n' {
			plain = false
			break
		}
	}
	if plain {
		return append(dst, b...)
	}
	dst = append(dst, '"')
	for {
		j := bytes.IndexByte(b, '"')
		if j < 0 {
			break
		}
		dst = append(dst, b[:j+1]...)
		dst = append(dst, '"')
		b = b[j+1:]
	}
	dst = append(dst, b...)
	return append(dst, '"')
}

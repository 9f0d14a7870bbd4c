// Package deckcsv reads and writes a rate deck as CSV: one row per call rate,
// with the columns of the call-rates API (seed 003) in the order of Header.
// A file that Write produced reads back to the same rates, so an export can be
// edited in a spreadsheet and imported again.
//
// The file carries no rate IDs: they belong to the store, and every rate Read
// returns has ID 0.
package deckcsv

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"switchboard/internal/money"
	"switchboard/internal/rating"
)

// Header is the first line of every deck file, exactly.
const Header = "prefix,type,free_seconds,grace_period,interval_1,interval_n,connect_fee,postcall_surcharge,price_1,price_n,description"

// The column positions; columns lists their names in the same order.
const (
	colPrefix = iota
	colType
	colFreeSeconds
	colGracePeriod
	colInterval1
	colIntervalN
	colConnectFee
	colPostcallSurcharge
	colPrice1
	colPriceN
	colDescription
	numColumns
)

var columns = strings.Split(Header, ",")

// DefaultType is the type of a rate whose type cell is empty, as the
// call-rates API defaults it. Every other cell but description is required,
// as the API requires it.
const DefaultType = rating.Local

var utf8BOM = []byte("\xef\xbb\xbf")

// Read parses a whole deck file. It is all or nothing: either every row is a
// valid rate and Read returns them in file order, or it returns a *DeckError
// listing every bad row (with its line number) and no rates. An error that is
// not a *DeckError comes from r itself.
//
// A UTF-8 byte order mark and CRLF line endings are accepted, blank lines are
// skipped, and a file holding only the header is an empty deck.
func Read(r io.Reader) ([]rating.Rate, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // the column count is checked per row, so that every bad row is reported

	rec, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, &DeckError{Rows: []RowError{{Line: 1, Msg: "empty file: the first line must be the header " + Header}}}
	case err != nil:
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, fmt.Errorf("deckcsv: read: %w", err)
		}
		return nil, &DeckError{Rows: []RowError{{Line: pe.StartLine, Msg: "header: " + pe.Err.Error()}}}
	}
	if line, _ := cr.FieldPos(0); !slices.Equal(rec, columns) {
		return nil, &DeckError{Rows: []RowError{{Line: line, Msg: fmt.Sprintf("header is %s, want %s", quote(strings.Join(rec, ",")), Header)}}}
	}

	var p parser
	for {
		rec, err = cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A CSV syntax error costs only its own record: the csv.Reader
			// resumes on the line after it, so later rows are still checked.
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("deckcsv: read: %w", err)
			}
			p.add(RowError{Line: pe.StartLine, Msg: pe.Err.Error()})
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != numColumns {
			p.add(RowError{Line: line, Msg: fmt.Sprintf("%d columns, want %d", len(rec), numColumns)})
			continue
		}
		p.row(line, rec)
	}
	return p.finish()
}

// parser turns records into rates, collecting every problem on the way.
type parser struct {
	errs []RowError
	line int  // of the row being parsed
	bad  bool // the row being parsed has a problem

	// The valid rates, in blocks so that a big deck is copied once, not
	// once per doubling; lines[i] is the line rate i came from.
	blocks [][]rating.Rate
	n      int
	lines  []int32
}

// blockLen is the number of rates per block.
const blockLen = 1 << 14

func (p *parser) add(e RowError) { p.errs = append(p.errs, e) }

func (p *parser) fail(col int, msg string) {
	p.bad = true
	p.add(RowError{Line: p.line, Field: columns[col], Msg: msg})
}

// row parses one record of numColumns cells and keeps the rate if it is
// valid. Valid rates are kept even after a bad row, since a later row may
// duplicate their prefix.
func (p *parser) row(line int, rec []string) {
	p.line, p.bad = line, false
	r := rating.Rate{
		Prefix:            rec[colPrefix],
		Type:              p.rateType(rec[colType]),
		FreeSeconds:       p.int32(colFreeSeconds, rec),
		GracePeriod:       p.int32(colGracePeriod, rec),
		Interval1:         p.int32(colInterval1, rec),
		IntervalN:         p.int32(colIntervalN, rec),
		ConnectFee:        p.amount(colConnectFee, rec),
		PostcallSurcharge: p.amount(colPostcallSurcharge, rec),
		Price1:            p.amount(colPrice1, rec),
		PriceN:            p.amount(colPriceN, rec),
		Description:       rec[colDescription],
	}
	if r.Prefix == "" {
		p.fail(colPrefix, "required")
	}
	if strings.IndexByte(r.Description, '\r') >= 0 {
		p.fail(colDescription, errCarriageReturn.Error())
	}
	if p.bad {
		return
	}
	if err := r.Validate(); err != nil {
		p.add(rowError(line, err))
		return
	}
	p.lines = append(p.lines, int32(line))
	if p.n%blockLen == 0 {
		p.blocks = append(p.blocks, make([]rating.Rate, 0, blockLen))
	}
	last := &p.blocks[len(p.blocks)-1]
	*last = append(*last, r)
	p.n++
}

// finish checks the valid rates for duplicate prefixes and returns them all
// in one slice, or every problem found.
func (p *parser) finish() ([]rating.Rate, error) {
	// Sized once the count is known, the map never grows: for a deck of a
	// million rates that is most of its cost.
	first := make(map[string]int32, p.n)
	i := 0
	for _, block := range p.blocks {
		for j := range block {
			prefix := block[j].Prefix
			if line, dup := first[prefix]; dup {
				p.add(RowError{Line: int(p.lines[i]), Field: columns[colPrefix],
					Msg: fmt.Sprintf("duplicate prefix %s, first defined on line %d", prefix, line)})
			} else {
				first[prefix] = p.lines[i]
			}
			i++
		}
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
		return nil, &DeckError{Rows: p.errs}
	}
	rates := make([]rating.Rate, 0, p.n)
	for _, block := range p.blocks {
		rates = append(rates, block...)
	}
	return rates, nil
}

func (p *parser) rateType(cell string) rating.RateType {
	// Returning the constants, not the cell, keeps the record's string from
	// being retained by the type.
	switch rating.RateType(cell) {
	case "":
		return DefaultType
	case rating.Local:
		return rating.Local
	case rating.National:
		return rating.National
	case rating.International:
		return rating.International
	case rating.Mobile:
		return rating.Mobile
	}
	p.fail(colType, fmt.Sprintf("%s is not one of LOCAL, NATIONAL, INTERNATIONAL, MOBILE", quote(cell)))
	return ""
}

func (p *parser) int32(col int, rec []string) int32 {
	cell := rec[col]
	if cell == "" {
		p.fail(col, "required")
		return 0
	}
	v, err := strconv.ParseInt(cell, 10, 32)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			p.fail(col, quote(cell)+" is out of range")
		} else {
			p.fail(col, quote(cell)+" is not an integer")
		}
		return 0
	}
	return int32(v)
}

func (p *parser) amount(col int, rec []string) money.Amount {
	cell := rec[col]
	if cell == "" {
		p.fail(col, "required")
		return 0
	}
	v, err := money.Parse(cell)
	if err != nil {
		p.fail(col, strings.TrimPrefix(err.Error(), "money: "))
		return 0
	}
	if v < 0 {
		p.fail(col, quote(cell)+" is negative")
		return 0
	}
	return v
}

// rowError turns a Validate error into a RowError: a *rating.FieldError
// names its column already.
func rowError(line int, err error) RowError {
	var fe *rating.FieldError
	if errors.As(err, &fe) {
		return RowError{Line: line, Field: fe.Field, Msg: fe.Msg}
	}
	return RowError{Line: line, Msg: err.Error()}
}

// quote renders a cell for an error message, cut short so that a hostile
// multi-megabyte cell cannot balloon the report.
func quote(s string) string {
	const keep = 40
	if len(s) > keep {
		return strconv.Quote(s[:keep]) + "..."
	}
	return strconv.Quote(s)
}

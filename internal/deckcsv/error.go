package deckcsv

import (
	"errors"
	"strconv"
	"strings"
)

// errCarriageReturn: CSV readers turn CRLF inside a quoted cell into LF, so a
// carriage return could not come back from the file as it went in.
var errCarriageReturn = errors.New("must not contain a carriage return")

// RowError is one problem with one row of a deck file.
type RowError struct {
	Line  int    // 1-based line of the file where the row starts
	Field string // column name, or "" when the problem is the row as a whole
	Msg   string
}

func (e RowError) Error() string {
	var b strings.Builder
	b.WriteString("line ")
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// DeckError is every problem Read found in a deck file, in file order.
type DeckError struct {
	Rows []RowError
}

// maxListed bounds the rows Error spells out; Rows always holds them all.
const maxListed = 100

func (e *DeckError) Error() string {
	var b strings.Builder
	b.WriteString("deck file has ")
	b.WriteString(strconv.Itoa(len(e.Rows)))
	if len(e.Rows) == 1 {
		b.WriteString(" error:")
	} else {
		b.WriteString(" errors:")
	}
	for i, r := range e.Rows {
		if i == maxListed {
			b.WriteString("\n... and ")
			b.WriteString(strconv.Itoa(len(e.Rows) - maxListed))
			b.WriteString(" more")
			break
		}
		b.WriteString("\n")
		b.WriteString(r.Error())
	}
	return b.String()
}

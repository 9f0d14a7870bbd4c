package number

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"switchboard/internal/money"
	"switchboard/internal/problem"
)

// CSVHeader is the inventory import file's header.
var CSVHeader = []string{"number", "type", "country", "state", "npa", "nxx", "ratecenter", "city", "sms", "mms", "t38", "setup_price", "monthly_price"}

// LineError is one bad line of an import file.
type LineError struct {
	Line    int
	Field   string
	Message string
}

func (e LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s %s", e.Line, e.Field, e.Message)
}

// ImportError lists every bad line of a rejected file.
type ImportError struct{ Lines []LineError }

func (e *ImportError) Error() string {
	return fmt.Sprintf("import: %d bad lines, first %s", len(e.Lines), e.Lines[0].Error())
}

// MaxImportErrors bounds the lines an ImportError lists.
const MaxImportErrors = 1000

// ReadCSV reads an inventory file and validates every line into numbers
// through build; any bad line (up to MaxImportErrors are listed) rejects
// the whole file with an *ImportError.
func ReadCSV(r io.Reader, build func(Entry) (Number, error)) ([]Number, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Message: "the file needs the header " + strings.Join(CSVHeader, ",")}}}
	}
	for i := range head {
		head[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")))
	}
	if !slices.Equal(head, CSVHeader) {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Message: "the header must be " + strings.Join(CSVHeader, ",")}}}
	}
	var out []Number
	var bad []LineError
	seen := map[string]int{}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		fail := func(field, msg string) {
			if len(bad) < MaxImportErrors {
				bad = append(bad, LineError{Line: line, Field: field, Message: msg})
			}
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			fail("", "is not valid CSV")
			if len(bad) >= MaxImportErrors || !errors.As(err, &pe) {
				break
			}
			continue
		}
		if len(rec) != len(CSVHeader) {
			fail("", fmt.Sprintf("has %d fields; want %d", len(rec), len(CSVHeader)))
			continue
		}
		e, field, msg := entryOf(rec)
		if msg != "" {
			fail(field, msg)
			continue
		}
		n, err := build(e)
		if err != nil {
			pe := problem.As(err)
			fail(pe.Field, pe.Message)
			continue
		}
		if first, dup := seen[n.E164]; dup {
			fail("number", fmt.Sprintf("repeats line %d", first))
			continue
		}
		seen[n.E164] = line
		out = append(out, n)
	}
	if len(bad) > 0 {
		return nil, &ImportError{Lines: bad}
	}
	return out, nil
}

func entryOf(rec []string) (Entry, string, string) {
	e := Entry{Number: rec[0], Type: rec[1], Country: strings.TrimSpace(rec[2]), State: rec[3], NPA: strings.TrimSpace(rec[4]),
		NXX: strings.TrimSpace(rec[5]), RateCenter: rec[6], City: rec[7]}
	for i, dst := range []*bool{&e.SMS, &e.MMS, &e.T38} {
		v := strings.TrimSpace(strings.ToLower(rec[8+i]))
		switch v {
		case "", "0", "false", "no", "n":
		case "1", "true", "yes", "y":
			*dst = true
		default:
			return e, CSVHeader[8+i], "must be 1 or 0"
		}
	}
	for i, dst := range []*money.Amount{&e.Setup, &e.Monthly} {
		v := strings.TrimSpace(rec[11+i])
		if v == "" {
			continue
		}
		a, err := money.Parse(v)
		if err != nil || a < 0 {
			return e, CSVHeader[11+i], "must be an amount of at most 5 decimals, 0 or more"
		}
		*dst = a
	}
	return e, "", ""
}

// ParseCSV is ReadCSV with s's Build at now.
func (s *Service) ParseCSV(r io.Reader) ([]Number, error) {
	now := s.Now()
	return ReadCSV(r, func(e Entry) (Number, error) { return s.Build(e, now) })
}

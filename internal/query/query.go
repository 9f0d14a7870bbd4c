// Package query compiles the native API's collection query parameters
// (filter, search, orderby, skip, top) into parameterised SQL that runs
// unchanged on SQLite and PostgreSQL.
//
// Every value that comes from the client becomes a bind argument; the only
// SQL text in the output is what a resource's Spec supplies (column
// expressions and default orderings) and fixed keywords. Placeholders use
// the $N style, which both databases accept positionally.
//
// Portability notes for Spec authors:
//   - Time columns hold BIGINT unix microseconds UTC; Money columns hold
//     BIGINT units of 10^-5; Bool columns must be BOOLEAN on PostgreSQL
//     (SQLite stores the bound Go bool as 0/1).
//   - Int literals are bound as int64, so Int columns should be BIGINT on
//     PostgreSQL: against an INTEGER column pgx refuses an out-of-range
//     literal at execution time, which the caller would report as a 500.
//   - Enum and String columns must be text: the LIKE functions wrap them in
//     LOWER(), which PostgreSQL does not define for custom enum types.
//   - String ordering (gt/lt and orderby) follows the column collation,
//     which is BINARY on SQLite and usually locale-aware on PostgreSQL, and
//     SQLite's LOWER folds ASCII only. NULLs sort first in ascending order
//     on SQLite and last on PostgreSQL.
package query

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on client input. They bound parse time and recursion so that a
// hostile query string fails fast with a validation error.
const (
	MaxFilterBytes = 2000       // longest accepted filter, in bytes
	MaxFilterDepth = 32         // deepest nesting of parentheses and not
	MaxComparisons = 100        // most comparisons and functions in one filter
	MaxSearchRunes = 200        // longest accepted search text, in characters
	MaxOrderByKeys = 5          // most keys in one orderby
	MaxSkip        = 10_000_000 // largest accepted skip
	MaxTop         = 100        // largest accepted top (page size)
	DefaultTop     = 100        // page size when top is absent
)

const (
	moneyScale      = 100_000 // Money units per currency unit
	moneyDecimals   = 5       // digits after the point that moneyScale can hold
	likeEscapeChar  = `\`
	likeEscapeQuery = ` ESCAPE '\'`
)

// FieldType says how a filter literal is checked and converted for a column.
type FieldType int

// Field types. String is the zero value, the common case for API fields.
const (
	String FieldType = iota // text, compared exactly and case-sensitively
	Int                     // integer, bound as int64
	Bool                    // true/false, bound as Go bool
	Time                    // datetime literal, bound as int64 unix microseconds UTC
	Money                   // exact decimal, bound as int64 units of 10^-5
	Enum                    // text restricted to Field.Enum, case-sensitive
	ID                      // entity id: a quoted opaque id as the native API renders it, or a bare integer; bound as int64
)

// String returns the lower-case name used in error messages.
func (t FieldType) String() string {
	switch t {
	case String:
		return "string"
	case Int:
		return "integer"
	case Bool:
		return "boolean"
	case Time:
		return "datetime"
	case Money:
		return "decimal"
	case Enum:
		return "enum"
	case ID:
		return "id"
	}
	return "FieldType(" + strconv.Itoa(int(t)) + ")"
}

// Field is one allow-listed, filterable/sortable field of a resource.
type Field struct {
	Name   string    // name in the API, e.g. "prefix", "created_at"
	Column string    // SQL expression, e.g. "r.prefix" (trusted, written by us)
	Type   FieldType // how literals are checked and bound
	Enum   []string  // allowed values for Enum
	Sort   bool      // may appear in orderby
	Search bool      // included in the free-text search (String/Enum only)
}

// Spec describes what a collection allows clients to filter, search and
// sort on. A Spec is read-only after construction and safe for concurrent
// use by many Compile calls.
type Spec struct {
	Fields       []Field
	DefaultOrder string // SQL used when no orderby is given, e.g. "r.id ASC"
	TieBreak     string // SQL appended last to every ORDER BY so paging is stable, e.g. "r.id ASC"
}

// Params are the raw query-string values.
type Params struct {
	Filter, Search, OrderBy string
	Skip, Top               string
}

// Compiled is what a store appends to its SELECT.
type Compiled struct {
	// Where is "" or a boolean SQL expression (no leading WHERE) with
	// placeholders $N. A top-level OR is parenthesised, so Where can be
	// AND-ed with the caller's own conditions as it is.
	Where   string
	Args    []any
	OrderBy string // full expression without "ORDER BY"; "" if the Spec gives none
	Limit   int
	Offset  int
}

// ErrInvalid is wrapped by every *Error, so callers that only need to know
// "this is the client's fault" can use errors.Is; callers that need the
// parameter and field use errors.As with *Error.
var ErrInvalid = errors.New("invalid query parameter")

// Error reports a client mistake in one query parameter. Callers turn it
// into a 400 VALIDATE_FAILED whose detail names Param and Field.
type Error struct {
	Param string // "filter", "orderby", "skip", "top" or "search"
	Field string // offending field name, if any
	Msg   string // human-readable reason
}

// Error implements error.
func (e *Error) Error() string {
	return "invalid " + e.Param + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrInvalid) true for every *Error.
func (e *Error) Unwrap() error { return ErrInvalid }

func errorf(param, field, format string, a ...any) *Error {
	return &Error{Param: param, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Validate reports mistakes in the Spec itself (duplicate names, bad
// identifiers, Search on a non-text field, Enum without values). These are
// programming errors, so they are plain errors, not *Error.
func (s *Spec) Validate() error {
	seen := make(map[string]bool, len(s.Fields))
	for _, f := range s.Fields {
		switch {
		case !isIdent(f.Name):
			return fmt.Errorf("query spec: field name %q is not an identifier", f.Name)
		case seen[f.Name]:
			return fmt.Errorf("query spec: duplicate field %q", f.Name)
		case strings.TrimSpace(f.Column) == "":
			return fmt.Errorf("query spec: field %q has no column", f.Name)
		case f.Type < String || f.Type > ID:
			return fmt.Errorf("query spec: field %q has unknown type %d", f.Name, int(f.Type))
		case f.Type == Enum && len(f.Enum) == 0:
			return fmt.Errorf("query spec: enum field %q has no values", f.Name)
		case f.Search && f.Type != String && f.Type != Enum:
			// LOWER() of a number or boolean is an error on PostgreSQL.
			return fmt.Errorf("query spec: search field %q must be string or enum", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

func (s *Spec) field(name string) (*Field, bool) {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i], true
		}
	}
	return nil, false
}

// Compile validates and compiles. argBase is the number of placeholders the
// caller already used: the first placeholder emitted is $(argBase+1).
// Client mistakes are returned as *Error; a broken Spec or a negative
// argBase yields a plain error.
func (s *Spec) Compile(p Params, argBase int) (Compiled, error) {
	if argBase < 0 {
		return Compiled{}, fmt.Errorf("query compile: negative argBase %d", argBase)
	}
	if err := s.Validate(); err != nil {
		return Compiled{}, err
	}
	var c Compiled
	var err error
	if c.Offset, err = parseCount(p.Skip, "skip", 0, 0, MaxSkip); err != nil {
		return Compiled{}, err
	}
	if c.Limit, err = parseCount(p.Top, "top", DefaultTop, 1, MaxTop); err != nil {
		return Compiled{}, err
	}
	if c.OrderBy, err = s.orderBy(p.OrderBy); err != nil {
		return Compiled{}, err
	}

	w := &sqlWriter{next: argBase + 1}
	root, err := parseFilter(s, p.Filter)
	if err != nil {
		return Compiled{}, err
	}
	if root != nil {
		renderTop(w, root)
	}
	if err := s.search(w, p.Search); err != nil {
		return Compiled{}, err
	}
	c.Where = w.b.String()
	c.Args = w.args
	return c, nil
}

// parseCount parses skip or top: a plain decimal integer within [lo, hi],
// or def when the parameter is absent.
func parseCount(raw, param string, def, lo, hi int) (int, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def, nil
	}
	for i := 0; i < len(raw); i++ {
		// Reject signs, spaces and exponents up front so "+5" and "1e3"
		// are not silently accepted by strconv.
		if (raw[i] < '0' || raw[i] > '9') && !(i == 0 && raw[i] == '-' && len(raw) > 1) {
			return 0, errorf(param, "", "%q is not an integer", clip(raw))
		}
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, errorf(param, "", "must be an integer from %d to %d, got %q", lo, hi, clip(raw))
	}
	return n, nil
}

// orderBy compiles "field [asc|desc], ..." into an ORDER BY expression that
// always ends with the Spec's TieBreak.
func (s *Spec) orderBy(raw string) (string, error) {
	var keys []string
	if strings.TrimSpace(raw) != "" {
		parts := strings.Split(raw, ",")
		if len(parts) > MaxOrderByKeys {
			return "", errorf("orderby", "", "at most %d keys are allowed, got %d", MaxOrderByKeys, len(parts))
		}
		used := make(map[string]bool, len(parts))
		for _, part := range parts {
			words := strings.Fields(part)
			if len(words) == 0 || len(words) > 2 {
				return "", errorf("orderby", "", "each key must be \"field [asc|desc]\", got %q", clip(strings.TrimSpace(part)))
			}
			name := words[0]
			f, ok := s.field(name)
			if !ok {
				return "", errorf("orderby", clip(name), "unknown field %q", clip(name))
			}
			if !f.Sort {
				return "", errorf("orderby", name, "field %q is not sortable", name)
			}
			if used[name] {
				return "", errorf("orderby", name, "field %q appears more than once", name)
			}
			used[name] = true
			dir := "ASC"
			if len(words) == 2 {
				switch strings.ToLower(words[1]) {
				case "asc":
				case "desc":
					dir = "DESC"
				default:
					return "", errorf("orderby", name, "direction for %q must be asc or desc, got %q", name, clip(words[1]))
				}
			}
			keys = append(keys, f.Column+" "+dir)
		}
	} else if s.DefaultOrder != "" {
		keys = append(keys, s.DefaultOrder)
	}
	// The default order often is the tie-break itself; repeating it is
	// harmless but noisy in logs and EXPLAIN output.
	if s.TieBreak != "" && (len(keys) != 1 || keys[0] != s.TieBreak) {
		keys = append(keys, s.TieBreak)
	}
	return strings.Join(keys, ", "), nil
}

// search adds "any Search field contains the text" to w, AND-ed with what
// w already holds.
func (s *Spec) search(w *sqlWriter, raw string) error {
	text := strings.TrimSpace(raw)
	if text == "" {
		return nil
	}
	if err := checkText(text); err != nil {
		return errorf("search", "", "%s", err.Error())
	}
	if n := utf8.RuneCountInString(text); n > MaxSearchRunes {
		return errorf("search", "", "at most %d characters are allowed, got %d", MaxSearchRunes, n)
	}
	var cols []string
	for _, f := range s.Fields {
		if f.Search {
			cols = append(cols, f.Column)
		}
	}
	if len(cols) == 0 {
		// Ignoring the text would return every row, which a client would
		// read as "everything matched".
		return errorf("search", "", "this collection does not support search")
	}
	if w.b.Len() > 0 {
		w.b.WriteString(" AND ")
	}
	if len(cols) > 1 {
		w.b.WriteByte('(')
	}
	pattern := "%" + escapeLike(text) + "%"
	for i, col := range cols {
		if i > 0 {
			w.b.WriteString(" OR ")
		}
		w.like(col, pattern)
	}
	if len(cols) > 1 {
		w.b.WriteByte(')')
	}
	return nil
}

// checkText rejects text PostgreSQL cannot store in a text parameter, so
// a client cannot turn a validation problem into a 500.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("text is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("text contains a NUL character")
	}
	return nil
}

var likeEscaper = strings.NewReplacer(likeEscapeChar, likeEscapeChar+likeEscapeChar, "%", likeEscapeChar+"%", "_", likeEscapeChar+"_")

// escapeLike makes every character of s match itself in a LIKE pattern
// that uses ESCAPE '\'.
func escapeLike(s string) string { return likeEscaper.Replace(s) }

// clip shortens client text echoed into error messages.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

func isIdentByte(c byte, first bool) bool {
	switch {
	case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

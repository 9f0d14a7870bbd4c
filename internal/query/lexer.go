package query

import "strings"

type tokKind int

const (
	tokEOF    tokKind = iota
	tokLParen         // (
	tokRParen         // )
	tokComma          // ,
	tokWord           // identifier or keyword: [A-Za-z_][A-Za-z0-9_]*
	tokString         // '...' with '' as an escaped quote; text holds the unescaped value
	tokNumber         // bare run starting with a digit or '-': integer, decimal or datetime
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the filter, for error messages
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of filter"
	case tokLParen:
		return `"("`
	case tokRParen:
		return `")"`
	case tokComma:
		return `","`
	case tokString:
		return "string '" + clip(t.text) + "'"
	}
	return "\"" + clip(t.text) + "\""
}

// lex splits the filter into tokens. It runs before parsing so that the
// parser never has to deal with malformed strings or stray characters.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tokComma, ",", i})
			i++
		case c == '\'':
			text, end, ok := lexString(src, i)
			if !ok {
				return nil, errorf("filter", "", "unterminated string starting at offset %d", i)
			}
			toks = append(toks, token{tokString, text, i})
			i = end
		case isIdentByte(c, true):
			j := i + 1
			for j < len(src) && isIdentByte(src[j], false) {
				j++
			}
			toks = append(toks, token{tokWord, src[i:j], i})
			i = j
		case c >= '0' && c <= '9' || c == '-':
			// Bare datetimes (2024-05-01T00:00:00Z) share a token with
			// numbers; the literal's meaning is decided against the field.
			j := i + 1
			for j < len(src) && isNumberByte(src[j]) {
				j++
			}
			toks = append(toks, token{tokNumber, src[i:j], i})
			i = j
		default:
			return nil, errorf("filter", "", "unexpected character %q at offset %d", rune(c), i)
		}
	}
	return append(toks, token{tokEOF, "", len(src)}), nil
}

// lexString reads a single-quoted literal starting at src[start] == '\”.
// It returns the unescaped text and the offset just past the closing quote.
func lexString(src string, start int) (string, int, bool) {
	var b strings.Builder
	i := start + 1
	for i < len(src) {
		j := strings.IndexByte(src[i:], '\'')
		if j < 0 {
			return "", 0, false
		}
		b.WriteString(src[i : i+j])
		i += j + 1
		if i < len(src) && src[i] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i, true
	}
	return "", 0, false
}

func isNumberByte(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c == '.', c == ':', c == '-', c == '+':
		return true
	}
	return false
}

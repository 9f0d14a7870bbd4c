package query

import (
	"strconv"
	"strings"
)

// The filter is parsed into a small tree first and rendered afterwards, so
// that AND/OR chains can be flattened and parenthesised once, and so that
// placeholders are numbered in the order they appear in the SQL text.
type node interface{ isNode() }

// boolNode is a flattened AND or OR chain with at least two children.
type boolNode struct {
	op   string // "AND" or "OR"
	kids []node
}

type notNode struct{ kid node }

// cmpNode is "col op $n", or "col IS [NOT] NULL" when null is set.
type cmpNode struct {
	col  string
	op   string // SQL operator
	arg  any
	null bool
}

// likeNode is a case-insensitive LIKE with an already escaped pattern.
type likeNode struct {
	col     string
	pattern string
}

func (*boolNode) isNode() {}
func (*notNode) isNode()  {}
func (*cmpNode) isNode()  {}
func (*likeNode) isNode() {}

// sqlOps maps the OData comparison keywords to SQL; flipped gives the
// operator to use when the literal is written on the left.
var sqlOps = map[string]struct{ sql, flipped string }{
	"eq": {"=", "eq"},
	"ne": {"<>", "ne"},
	"gt": {">", "lt"},
	"ge": {">=", "le"},
	"lt": {"<", "gt"},
	"le": {"<=", "ge"},
}

type parser struct {
	spec  *Spec
	toks  []token
	i     int
	depth int
	preds int
}

// parseFilter returns nil for an empty filter.
func parseFilter(s *Spec, src string) (node, error) {
	if len(src) > MaxFilterBytes {
		return nil, errorf("filter", "", "at most %d bytes are allowed, got %d", MaxFilterBytes, len(src))
	}
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{spec: s, toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf("filter", "", "unexpected %s at offset %d", t.describe(), t.pos)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// keyword reports whether the next token is the given case-insensitive word.
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

func (p *parser) parseOr() (node, error) {
	return p.parseChain("or", "OR", p.parseAnd)
}

func (p *parser) parseAnd() (node, error) {
	return p.parseChain("and", "AND", p.parseUnary)
}

// parseChain parses operand (kw operand)* iteratively, so long chains cost
// no stack, and splices same-operator children from parentheses.
func (p *parser) parseChain(kw, op string, operand func() (node, error)) (node, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	if !p.keyword(kw) {
		return first, nil
	}
	b := &boolNode{op: op}
	b.add(first)
	for p.keyword(kw) {
		p.next()
		n, err := operand()
		if err != nil {
			return nil, err
		}
		b.add(n)
	}
	return b, nil
}

func (b *boolNode) add(n node) {
	if k, ok := n.(*boolNode); ok && k.op == b.op {
		b.kids = append(b.kids, k.kids...)
		return
	}
	b.kids = append(b.kids, n)
}

// enter guards recursion: parentheses and "not" are the only ways the
// parser recurses, so bounding them bounds the stack.
func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > MaxFilterDepth {
		return errorf("filter", "", "nesting deeper than %d at offset %d", MaxFilterDepth, t.pos)
	}
	return nil
}

func (p *parser) parseUnary() (node, error) {
	t := p.peek()
	switch {
	case p.keyword("not"):
		if err := p.enter(t); err != nil {
			return nil, err
		}
		p.next()
		kid, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &notNode{kid: kid}, nil
	case t.kind == tokLParen:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		p.next()
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, errorf("filter", "", "expected \")\" for \"(\" at offset %d, got %s at offset %d", t.pos, c.describe(), c.pos)
		}
		p.depth--
		return n, nil
	}
	return p.parsePredicate()
}

func (p *parser) parsePredicate() (node, error) {
	p.preds++
	if p.preds > MaxComparisons {
		return nil, errorf("filter", "", "at most %d comparisons are allowed", MaxComparisons)
	}
	t := p.peek()
	if t.kind == tokWord && p.toks[p.i+1].kind == tokLParen {
		switch fn := strings.ToLower(t.text); fn {
		case "startswith", "endswith", "contains":
			p.next()
			return p.parseFunc(fn)
		}
		return nil, errorf("filter", "", "unknown function %q at offset %d", clip(t.text), t.pos)
	}
	if isLiteral(t) {
		return p.parseReversed()
	}
	if t.kind != tokWord || isConnective(t) {
		return nil, errorf("filter", "", "expected a comparison at offset %d, got %s", t.pos, t.describe())
	}
	p.next()
	f, err := p.lookup(t)
	if err != nil {
		return nil, err
	}
	op, err := p.operator(f)
	if err != nil {
		return nil, err
	}
	lt := p.next()
	if !isLiteral(lt) {
		return nil, errorf("filter", f.Name, "expected a value after %q %s at offset %d, got %s", f.Name, op, lt.pos, lt.describe())
	}
	return compare(f, op, lt)
}

// parseReversed handles "literal op field" by flipping the operator.
func (p *parser) parseReversed() (node, error) {
	lt := p.next()
	ot := p.next()
	ops, ok := sqlOps[strings.ToLower(ot.text)]
	if ot.kind != tokWord || !ok {
		return nil, errorf("filter", "", "expected a comparison operator at offset %d, got %s", ot.pos, ot.describe())
	}
	ft := p.next()
	if ft.kind != tokWord || isLiteral(ft) {
		return nil, errorf("filter", "", "expected a field name at offset %d, got %s", ft.pos, ft.describe())
	}
	f, err := p.lookup(ft)
	if err != nil {
		return nil, err
	}
	return compare(f, ops.flipped, lt)
}

func (p *parser) lookup(t token) (*Field, error) {
	f, ok := p.spec.field(t.text)
	if !ok {
		return nil, errorf("filter", clip(t.text), "unknown field %q", clip(t.text))
	}
	return f, nil
}

func (p *parser) operator(f *Field) (string, error) {
	t := p.next()
	op := strings.ToLower(t.text)
	if _, ok := sqlOps[op]; t.kind != tokWord || !ok {
		return "", errorf("filter", f.Name, "expected eq, ne, gt, ge, lt or le after %q at offset %d, got %s", f.Name, t.pos, t.describe())
	}
	return op, nil
}

func (p *parser) parseFunc(fn string) (node, error) {
	if t := p.next(); t.kind != tokLParen {
		return nil, errorf("filter", "", "expected \"(\" after %s at offset %d", fn, t.pos)
	}
	ft := p.next()
	if ft.kind != tokWord || isLiteral(ft) {
		return nil, errorf("filter", "", "%s needs a field name first, got %s at offset %d", fn, ft.describe(), ft.pos)
	}
	f, err := p.lookup(ft)
	if err != nil {
		return nil, err
	}
	if f.Type != String && f.Type != Enum {
		return nil, errorf("filter", f.Name, "%s applies to text fields; %q is %s", fn, f.Name, f.Type)
	}
	if t := p.next(); t.kind != tokComma {
		return nil, errorf("filter", f.Name, "expected \",\" in %s at offset %d, got %s", fn, t.pos, t.describe())
	}
	st := p.next()
	if st.kind != tokString {
		return nil, errorf("filter", f.Name, "%s needs a quoted string for %q, got %s at offset %d", fn, f.Name, st.describe(), st.pos)
	}
	if err := checkText(st.text); err != nil {
		return nil, errorf("filter", f.Name, "value for %q: %s", f.Name, err.Error())
	}
	if t := p.next(); t.kind != tokRParen {
		return nil, errorf("filter", f.Name, "expected \")\" to close %s at offset %d, got %s", fn, t.pos, t.describe())
	}
	pat := escapeLike(st.text)
	switch fn {
	case "startswith":
		pat += "%"
	case "endswith":
		pat = "%" + pat
	default:
		pat = "%" + pat + "%"
	}
	return &likeNode{col: f.Column, pattern: pat}, nil
}

// compare builds "field op literal" after checking the literal against the
// field's type.
func compare(f *Field, op string, lt token) (node, error) {
	if isNull(lt) {
		switch op {
		case "eq":
			return &cmpNode{col: f.Column, op: "IS NULL", null: true}, nil
		case "ne":
			return &cmpNode{col: f.Column, op: "IS NOT NULL", null: true}, nil
		}
		return nil, errorf("filter", f.Name, "null can only be compared with eq or ne (field %q)", f.Name)
	}
	if f.Type == Bool && op != "eq" && op != "ne" {
		return nil, errorf("filter", f.Name, "boolean field %q can only be compared with eq or ne", f.Name)
	}
	v, err := f.value(lt)
	if err != nil {
		return nil, err
	}
	return &cmpNode{col: f.Column, op: sqlOps[op].sql, arg: v}, nil
}

func isLiteral(t token) bool {
	switch t.kind {
	case tokString, tokNumber:
		return true
	case tokWord:
		switch strings.ToLower(t.text) {
		case "true", "false", "null":
			return true
		}
	}
	return false
}

// isConnective reports and/or, which cannot start a comparison; naming
// them in the error beats calling them an unknown field.
func isConnective(t token) bool {
	return t.kind == tokWord && (strings.EqualFold(t.text, "and") || strings.EqualFold(t.text, "or"))
}

func isNull(t token) bool { return t.kind == tokWord && strings.EqualFold(t.text, "null") }

// sqlWriter accumulates SQL text and numbers placeholders as they are
// written, so the Nth argument always belongs to the Nth placeholder.
type sqlWriter struct {
	b    strings.Builder
	args []any
	next int
}

func (w *sqlWriter) bind(v any) {
	w.b.WriteByte('$')
	w.b.WriteString(strconv.Itoa(w.next))
	w.next++
	w.args = append(w.args, v)
}

// like writes a case-insensitive LIKE. LOWER on both sides is used instead
// of ILIKE because SQLite has no ILIKE, and instead of relying on SQLite's
// case-insensitive LIKE because PostgreSQL's LIKE is case-sensitive.
func (w *sqlWriter) like(col, pattern string) {
	w.b.WriteString("LOWER(")
	w.b.WriteString(col)
	w.b.WriteString(") LIKE LOWER(")
	w.bind(pattern)
	w.b.WriteString(")")
	w.b.WriteString(likeEscapeQuery)
}

// renderTop parenthesises a top-level OR so the result composes with AND.
func renderTop(w *sqlWriter, n node) {
	if b, ok := n.(*boolNode); ok && b.op == "OR" {
		w.b.WriteByte('(')
		render(w, n)
		w.b.WriteByte(')')
		return
	}
	render(w, n)
}

func render(w *sqlWriter, n node) {
	switch n := n.(type) {
	case *boolNode:
		for i, k := range n.kids {
			if i > 0 {
				w.b.WriteString(" " + n.op + " ")
			}
			// Flattening guarantees a child chain has the other operator;
			// parenthesise it even where SQL precedence would not need it,
			// so the SQL reads the way the filter was grouped.
			if _, ok := k.(*boolNode); ok {
				w.b.WriteByte('(')
				render(w, k)
				w.b.WriteByte(')')
			} else {
				render(w, k)
			}
		}
	case *notNode:
		w.b.WriteString("NOT (")
		render(w, n.kid)
		w.b.WriteByte(')')
	case *cmpNode:
		w.b.WriteString(n.col)
		w.b.WriteByte(' ')
		w.b.WriteString(n.op)
		if !n.null {
			w.b.WriteByte(' ')
			w.bind(n.arg)
		}
	case *likeNode:
		w.like(n.col, n.pattern)
	}
}

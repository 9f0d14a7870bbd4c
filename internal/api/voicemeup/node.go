package voicemeup

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Node is one element of a response tree. Handlers build a single tree and
// the dialect renders it either as XML or as JSON, following the convention
// the API's JSON output uses: an element's attributes become keys, its text
// becomes "_content" (or the bare value when it has neither attributes nor
// children), and repeated children become an array. Order is kept as built,
// so both renderings are stable.
//
// A Node built with List always renders its items as a JSON array, even with
// zero or one item, so a client never has to guess between an object and an
// array.
type Node struct {
	name  string
	attrs []nodeAttr
	text  string
	kids  []*Node
	item  string // non-empty: list container whose children named item are an array
}

type nodeAttr struct{ name, value string }

// Elem returns an empty element.
func Elem(name string) *Node { return &Node{name: xmlName(name)} }

// Leaf returns an element holding text.
func Leaf(name, text string) *Node { return &Node{name: xmlName(name), text: text} }

// List returns a container whose children named item always render as a
// JSON array. items are appended as they are (give them the item name).
func List(name, item string, items ...*Node) *Node {
	n := &Node{name: xmlName(name), item: xmlName(item)}
	n.kids = append(n.kids, items...)
	return n
}

// Name returns the element name.
func (n *Node) Name() string { return n.name }

// Attr sets an attribute (rendered as an XML attribute, a JSON key) and
// returns n.
func (n *Node) Attr(name, value string) *Node {
	name = xmlName(name)
	for i := range n.attrs {
		if n.attrs[i].name == name {
			n.attrs[i].value = value
			return n
		}
	}
	n.attrs = append(n.attrs, nodeAttr{name, value})
	return n
}

// Text sets the element's text and returns n.
func (n *Node) Text(s string) *Node { n.text = s; return n }

// Add appends children and returns n.
func (n *Node) Add(kids ...*Node) *Node {
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// Set appends a leaf child holding value and returns n.
func (n *Node) Set(name, value string) *Node { return n.Add(Leaf(name, value)) }

// SetInt appends a leaf child holding an integer and returns n.
func (n *Node) SetInt(name string, v int64) *Node {
	return n.Set(name, strconv.FormatInt(v, 10))
}

// SetBool appends a leaf child holding "1" or "0", the API's booleans, and
// returns n.
func (n *Node) SetBool(name string, v bool) *Node {
	if v {
		return n.Set(name, "1")
	}
	return n.Set(name, "0")
}

// Item appends a new child named after the list's item (or name, for a
// plain element) and returns the child, for building list entries in place.
func (n *Node) Item() *Node {
	name := n.item
	if name == "" {
		name = "item"
	}
	k := Elem(name)
	n.kids = append(n.kids, k)
	return k
}

// xmlName makes s a valid XML element or attribute name, so that keys which
// come from stored data (metadata attributes) can never break the document.
// Names already valid, as every code-defined name is, are kept unchanged.
func xmlName(s string) string {
	valid := s != ""
	for i, r := range s {
		if !nameRune(r, i == 0) {
			valid = false
			break
		}
	}
	if valid {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError || !nameRune(r, false) {
			r = '_'
		}
		if i == 0 && !nameRune(r, true) {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

func nameRune(r rune, first bool) bool {
	switch {
	case r == '_' || unicode.IsLetter(r):
		return true
	case first:
		return false
	case r == '-' || r == '.' || unicode.IsDigit(r):
		return true
	}
	return false
}

// writeXML renders n and its subtree at depth, indenting by two spaces.
func (n *Node) writeXML(b *bytes.Buffer, depth int) {
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent)
	b.WriteByte('<')
	b.WriteString(n.name)
	for _, a := range n.attrs {
		b.WriteByte(' ')
		b.WriteString(a.name)
		b.WriteString(`="`)
		xmlEscape(b, a.value)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	xmlEscape(b, n.text)
	if len(n.kids) > 0 {
		b.WriteByte('\n')
		for _, k := range n.kids {
			k.writeXML(b, depth+1)
		}
		b.WriteString(indent)
	}
	b.WriteString("</")
	b.WriteString(n.name)
	b.WriteString(">\n")
}

func xmlEscape(b *bytes.Buffer, s string) {
	// EscapeText also replaces invalid UTF-8 and characters XML forbids, so
	// any stored or submitted text yields a well-formed document.
	_ = xml.EscapeText(b, []byte(s))
}

// writeJSON renders n as a JSON value.
func (n *Node) writeJSON(b *bytes.Buffer) {
	if len(n.attrs) == 0 && len(n.kids) == 0 && n.item == "" {
		jsonString(b, n.text)
		return
	}
	b.WriteByte('{')
	first := true
	key := func(k string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		jsonString(b, k)
		b.WriteByte(':')
	}
	for _, a := range n.attrs {
		key(a.name)
		jsonString(b, a.value)
	}
	if n.text != "" {
		key("_content")
		jsonString(b, n.text)
	}
	for _, g := range n.groups() {
		key(g.name)
		if len(g.nodes) == 1 && g.name != n.item {
			g.nodes[0].writeJSON(b)
			continue
		}
		b.WriteByte('[')
		for i, k := range g.nodes {
			if i > 0 {
				b.WriteByte(',')
			}
			k.writeJSON(b)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
}

type group struct {
	name  string
	nodes []*Node
}

// groups collects children by name in order of first appearance; a list
// container always has its item group, possibly empty.
func (n *Node) groups() []group {
	var gs []group
	at := map[string]int{}
	if n.item != "" {
		at[n.item] = 0
		gs = append(gs, group{name: n.item})
	}
	for _, k := range n.kids {
		i, ok := at[k.name]
		if !ok {
			i = len(gs)
			at[k.name] = i
			gs = append(gs, group{name: k.name})
		}
		gs[i].nodes = append(gs[i].nodes, k)
	}
	return gs
}

func jsonString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	// Keep <, > and & readable; they need no escaping outside HTML.
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}

// XML returns the XML document with n as its root element.
func (n *Node) XML() []byte {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	n.writeXML(&b, 0)
	return b.Bytes()
}

// JSON returns n rendered as a JSON value: for a response root, the object
// of its children.
func (n *Node) JSON() []byte {
	var b bytes.Buffer
	n.writeJSON(&b)
	return b.Bytes()
}

// xmlHeader is the declaration the API's documents start with.
const xmlHeader = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

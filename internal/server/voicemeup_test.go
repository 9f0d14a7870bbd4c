package server_test

// End-to-end tests of the voicemeup dialect (seed document 004) over a real
// node, on SQLite and on PostgreSQL: every credential form, the request
// type table, the account request types, and the well-formedness of both
// output formats. Every XML answer any test receives is parsed strictly
// and must have a single <response> root.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
)

// ---------------------------------------------------------------------------
// Client helpers.

// vmuAnswer is one parsed voicemeup envelope.
type vmuAnswer struct {
	Status  string   // response_status: "success" or "error"
	Codes   []string // the code of every response_messages entry, in order
	Texts   []string // their texts
	Content map[string]any
	XML     *vmuXNode // the <response> root, for XML answers
	Raw     []byte
}

// vmuXNode is an element of a strictly parsed XML answer.
type vmuXNode struct {
	Name  string
	Attrs map[string]string
	Text  string
	Kids  []*vmuXNode
}

func (x *vmuXNode) child(name string) *vmuXNode {
	if x == nil {
		return nil
	}
	for _, k := range x.Kids {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func (x *vmuXNode) all(name string) []*vmuXNode {
	if x == nil {
		return nil
	}
	var out []*vmuXNode
	for _, k := range x.Kids {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// text returns the text of the child element name ("" when absent).
func (x *vmuXNode) text(name string) string {
	if c := x.child(name); c != nil {
		return c.Text
	}
	return ""
}

// vmuParseXML parses a whole document strictly: a declaration, exactly one
// root element and nothing but white space around it.
func vmuParseXML(raw []byte) (*vmuXNode, error) {
	if !bytes.HasPrefix(raw, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
		return nil, errors.New("no XML declaration")
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = true
	var root *vmuXNode
	var stack []*vmuXNode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &vmuXNode{Name: tk.Name.Local, Attrs: map[string]string{}}
			if tk.Name.Space != "" {
				return nil, fmt.Errorf("element %s has a namespace", tk.Name.Local)
			}
			for _, a := range tk.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(tk)) > 0 {
					return nil, errors.New("text outside the root element")
				}
				continue
			}
			stack[len(stack)-1].Text += string(tk)
		case xml.Directive:
			return nil, errors.New("unexpected directive")
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	// Trim the indentation of elements that hold children.
	var trim func(n *vmuXNode)
	trim = func(n *vmuXNode) {
		if len(n.Kids) > 0 {
			n.Text = strings.TrimSpace(n.Text)
		}
		for _, k := range n.Kids {
			trim(k)
		}
	}
	trim(root)
	return root, nil
}

// vmuParse checks the transport (HTTP 200, content type) and parses the
// envelope of format "json" or "xml".
func vmuParse(t *testing.T, r servertest.Response, format string) vmuAnswer {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200 for every outcome: %s", r.Status, r.Body)
	}
	a := vmuAnswer{Raw: r.Body}
	ct := r.Header.Get("Content-Type")
	switch format {
	case "json":
		if !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q, want application/json: %s", ct, r.Body)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &top); err != nil {
			t.Fatalf("answer is not a JSON object: %v: %s", err, r.Body)
		}
		for k := range top {
			if k != "response_details" && k != "response_content" {
				t.Errorf("unexpected top-level key %q in %s", k, r.Body)
			}
		}
		var env struct {
			Details struct {
				Status   string `json:"response_status"`
				Messages struct {
					Message []struct {
						Code    string `json:"code"`
						Content string `json:"_content"`
					} `json:"message"`
				} `json:"response_messages"`
			} `json:"response_details"`
			Content map[string]any `json:"response_content"`
		}
		if err := json.Unmarshal(r.Body, &env); err != nil {
			t.Fatalf("decode envelope: %v: %s", err, r.Body)
		}
		a.Status = env.Details.Status
		for _, m := range env.Details.Messages.Message {
			a.Codes = append(a.Codes, m.Code)
			a.Texts = append(a.Texts, m.Content)
		}
		a.Content = env.Content
	case "xml":
		if !strings.HasPrefix(ct, "text/xml") {
			t.Fatalf("Content-Type %q, want text/xml: %s", ct, r.Body)
		}
		root, err := vmuParseXML(r.Body)
		if err != nil {
			t.Fatalf("answer is not well-formed XML: %v\n%s", err, r.Body)
		}
		if root.Name != "response" {
			t.Fatalf("root element <%s>, want <response>", root.Name)
		}
		det := root.child("response_details")
		if det == nil || det.child("response_status") == nil || det.child("response_messages") == nil {
			t.Fatalf("no response_details/response_status/response_messages in\n%s", r.Body)
		}
		a.Status = det.text("response_status")
		for _, m := range det.child("response_messages").Kids {
			if m.Name != "message" {
				t.Errorf("<%s> inside response_messages, want <message>", m.Name)
			}
			a.Codes = append(a.Codes, m.Attrs["code"])
			a.Texts = append(a.Texts, m.Text)
		}
		a.XML = root
	default:
		t.Fatalf("bad format %q", format)
	}
	if a.Status != "success" && a.Status != "error" {
		t.Fatalf("response_status %q, want success or error: %s", a.Status, r.Body)
	}
	for i, c := range a.Codes {
		if c == "" || a.Texts[i] == "" {
			t.Errorf("message %d has code %q text %q; both must be set: %s", i, c, a.Texts[i], r.Body)
		}
	}
	if a.Status == "error" && len(a.Codes) == 0 {
		t.Errorf("error answer without a message: %s", r.Body)
	}
	if a.Status == "error" && (a.Content != nil || (a.XML != nil && a.XML.child("response_content") != nil)) {
		t.Errorf("error answer carries response_content: %s", r.Body)
	}
	return a
}

// vmu posts params as a form to the v1.1 endpoint of format.
func vmu(t *testing.T, n *servertest.Node, format, requestType string, params url.Values) vmuAnswer {
	t.Helper()
	return vmuParse(t, n.Form(t, "/api/v1.1/"+format+"/"+requestType, params), format)
}

// vmuGet sends a GET to path (with its query string) and parses format.
func vmuGet(t *testing.T, n *servertest.Node, path, format string) vmuAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, n.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return vmuParse(t, n.Send(t, req), format)
}

// vmuMultipart posts params as multipart/form-data to path.
func vmuMultipart(t *testing.T, n *servertest.Node, path, format string, params url.Values) vmuAnswer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range params {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, n.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return vmuParse(t, n.Send(t, req), format)
}

// ok fails the test unless a is a success.
func (a vmuAnswer) ok(t *testing.T, what string) vmuAnswer {
	t.Helper()
	if a.Status != "success" {
		t.Fatalf("%s: %s, want success:\n%s", what, a.Status, a.Raw)
	}
	return a
}

// wantCodes checks that a is an error answering exactly codes, in order.
func (a vmuAnswer) wantCodes(t *testing.T, what string, codes ...string) {
	t.Helper()
	if a.Status != "error" || !slices.Equal(a.Codes, codes) {
		t.Errorf("%s: %s %v, want error %v:\n%s", what, a.Status, a.Codes, codes, a.Raw)
	}
}

// wantDetail checks that a is an error answering code with a text naming
// detail (the parameter of a generic error type).
func (a vmuAnswer) wantDetail(t *testing.T, what, code, detail string) {
	t.Helper()
	a.wantCodes(t, what, code)
	if detail != "" && len(a.Texts) == 1 && !strings.Contains(a.Texts[0], detail) {
		t.Errorf("%s: text %q does not name %q", what, a.Texts[0], detail)
	}
}

// vmuObj walks JSON objects along path.
func vmuObj(t *testing.T, v any, path ...string) map[string]any {
	t.Helper()
	cur := v
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("not an object at %q: %v", p, cur)
		}
		cur = m[p]
	}
	m, ok := cur.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an object: %#v", path, cur)
	}
	return m
}

// vmuArr returns m[key] as an array, failing when it is anything else (a list
// must be an array even with zero or one item).
func vmuArr(t *testing.T, m map[string]any, key string) []any {
	t.Helper()
	v, ok := m[key].([]any)
	if !ok {
		t.Fatalf("%q is %T, want an array: %v", key, m[key], m)
	}
	return v
}

// vmuStrs turns a JSON array of strings into []string.
func vmuStrs(t *testing.T, list []any) []string {
	t.Helper()
	out := make([]string, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("item %d is %T, want string", i, v)
		}
		out[i] = s
	}
	return out
}

// vmuFlat returns the string fields of an answer object.
func vmuFlat(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// vmuCreds are the v1.1 credentials of a tenant, plus extra parameters.
func vmuCreds(tn servertest.Tenant, kv ...string) url.Values {
	v := url.Values{"username": {tn.Username}, "auth_token": {tn.Token}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// vmuNativeID decodes a native opaque id to the decimal id the dialect uses.
func vmuNativeID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := id.DecodeNative(s)
	if err != nil {
		t.Fatalf("decode native id %q: %v", s, err)
	}
	return n
}

func vmuHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// vmuUser creates a user of role in accountID and a token for it, with
// adminToken; it returns the username, the token secret and its native id.
func vmuUser(t *testing.T, n *servertest.Node, adminToken, accountID, role string) (username, token, tokenID string) {
	t.Helper()
	username = "u" + role + "-" + vmuHex(4)
	uid := n.MustCreate(t, "/api/users", adminToken, map[string]any{
		"account_id": accountID, "username": username, "password": "pw-" + vmuHex(8), "role": role,
	})
	r := n.Do(t, http.MethodPost, "/api/tokens", adminToken, map[string]any{"user_id": uid})
	if r.Status != http.StatusOK {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	var tok struct{ ID, Token string }
	r.JSON(t, &tok)
	return username, tok.Token, tok.ID
}

// vmuTenantWith is MustTenant with more account fields.
func vmuTenantWith(t *testing.T, n *servertest.Node, parentToken string, fields map[string]any) servertest.Tenant {
	t.Helper()
	var tn servertest.Tenant
	tn.AccountID = n.MustCreate(t, "/api/accounts", parentToken, fields)
	tn.Username, tn.Token, _ = vmuUser(t, n, parentToken, tn.AccountID, "admin")
	r := n.Do(t, http.MethodGet, "/api/accounts/"+tn.AccountID, tn.Token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("get own account: %d %s", r.Status, r.Body)
	}
	var acc struct{ Number string }
	r.JSON(t, &acc)
	tn.Number = acc.Number
	return tn
}

// ---------------------------------------------------------------------------
// 1. Credentials.

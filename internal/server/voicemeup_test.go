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
	"strconv"
	"strings"
	"testing"

	"switchboard/internal/api/voicemeup"
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

func TestVoicemeupCredentialForms(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := n.MustTenant(t, n.AdminToken, "", "Reseller", "reseller")
		cust := n.MustTenant(t, res.Token, "", "Customer", "customer")
		uid := strconv.FormatInt(vmuNativeID(t, cust.UserID), 10)

		// accountOf returns the client_account_id get_account_details
		// answered, whatever the format.
		accountOf := func(t *testing.T, a vmuAnswer) string {
			t.Helper()
			if a.XML != nil {
				acc := a.XML.child("response_content").child("account")
				if acc == nil {
					t.Fatalf("no <account> in\n%s", a.Raw)
				}
				return acc.Attrs["client_account_id"]
			}
			return vmuFlat(vmuObj(t, a.Content, "account"))["client_account_id"]
		}
		q := func(kv ...string) string {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v.Encode()
		}
		const details = "get_account_details"
		cases := []struct {
			name string
			send func(t *testing.T) vmuAnswer
		}{
			{"v1.1 json form username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, vmuCreds(cust))
			}},
			{"v1.1 xml form username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "xml", details, vmuCreds(cust))
			}},
			{"v1.1 json form client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"client_user_id": {uid}, "auth_token": {cust.Token}})
			}},
			{"v1.1 xml form client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "xml", details, url.Values{"client_user_id": {uid}, "auth_token": {cust.Token}})
			}},
			{"v1.1 json query username", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/api/v1.1/json/"+details+"?"+q("username", cust.Username, "auth_token", cust.Token), "json")
			}},
			{"v1.1 xml query client_user_id", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/api/v1.1/xml/"+details+"?"+q("client_user_id", uid, "auth_token", cust.Token), "xml")
			}},
			{"v1.1 json multipart username", func(t *testing.T) vmuAnswer {
				return vmuMultipart(t, n, "/api/v1.1/json/"+details, "json", vmuCreds(cust))
			}},
			{"v1.1 xml multipart client_user_id", func(t *testing.T) vmuAnswer {
				return vmuMultipart(t, n, "/api/v1.1/xml/"+details, "xml", url.Values{"client_user_id": {uid}, "auth_token": {cust.Token}})
			}},
			{"v1.1 credentials in the query, form body", func(t *testing.T) vmuAnswer {
				r := n.Form(t, "/api/v1.1/json/"+details+"?"+q("username", cust.Username, "auth_token", cust.Token), url.Values{"language": {"en"}})
				return vmuParse(t, r, "json")
			}},
			{"v1.1 body token wins over a stale query token", func(t *testing.T) vmuAnswer {
				r := n.Form(t, "/api/v1.1/json/"+details+"?"+q("auth_token", vmuHex(16)), vmuCreds(cust))
				return vmuParse(t, r, "json")
			}},
			{"v1.1 every identity, agreeing", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, vmuCreds(cust, "client_user_id", uid, "client_account_id", cust.Number))
			}},
			{"v1.0 query, default XML", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", cust.Token), "xml")
			}},
			{"v1.0 query, output_format=xml", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", cust.Token, "output_format", "xml"), "xml")
			}},
			{"v1.0 query, output_format=json", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", cust.Token, "output_format", "json"), "json")
			}},
			{"v1.0 form", func(t *testing.T) vmuAnswer {
				r := n.Form(t, "/xml_engine/xml_engine.php", url.Values{"request_type": {details}, "client_account_id": {cust.Number}, "auth_token": {cust.Token}})
				return vmuParse(t, r, "xml")
			}},
			{"v1.0 multipart json", func(t *testing.T) vmuAnswer {
				return vmuMultipart(t, n, "/xml_engine/xml_engine.php", "json", url.Values{
					"request_type": {details}, "client_account_id": {cust.Number}, "auth_token": {cust.Token}, "output_format": {"json"},
				})
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := c.send(t).ok(t, c.name)
				if len(a.Codes) != 0 {
					t.Errorf("unexpected messages %v", a.Codes)
				}
				if got := accountOf(t, a); got != cust.Number {
					t.Errorf("answered account %q, want the caller's %q", got, cust.Number)
				}
			})
		}

		// Missing credentials name what is missing.
		vmu(t, n, "json", details, url.Values{"username": {cust.Username}}).wantCodes(t, "no token", "authentication_token_required")
		vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {"  "}}).wantCodes(t, "blank token", "authentication_token_required")
		vmu(t, n, "xml", details, url.Values{"auth_token": {cust.Token}}).wantCodes(t, "no username", "auth_username_required")
		vmu(t, n, "json", details, url.Values{}).wantCodes(t, "nothing", "auth_username_required", "authentication_token_required")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "auth_token", cust.Token), "xml").
			wantCodes(t, "v1.0 without client_account_id", "client_account_id_required")

		// Every wrong credential answers the same bytes, so that the
		// answer tells nothing about which usernames or tokens exist.
		other := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")
		otherUID := strconv.FormatInt(vmuNativeID(t, other.UserID), 10)
		failures := []struct {
			name string
			a    func(t *testing.T) vmuAnswer
		}{
			{"unknown token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {vmuHex(16)}})
			}},
			{"malformed token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {"not-a-token"}})
			}},
			{"upper-case token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {strings.ToUpper(cust.Token) + "X"}})
			}},
			{"another user's token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {other.Token}})
			}},
			{"the parent reseller's token", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {res.Token}})
			}},
			{"another user's username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {other.Username}, "auth_token": {cust.Token}})
			}},
			{"the parent's username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {res.Username}, "auth_token": {cust.Token}})
			}},
			{"unknown username", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"username": {"nobody-" + vmuHex(4)}, "auth_token": {cust.Token}})
			}},
			{"another user's client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"client_user_id": {otherUID}, "auth_token": {cust.Token}})
			}},
			{"non-numeric client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, url.Values{"client_user_id": {"abc"}, "auth_token": {cust.Token}})
			}},
			{"right username, wrong client_user_id", func(t *testing.T) vmuAnswer {
				return vmu(t, n, "json", details, vmuCreds(cust, "client_user_id", otherUID))
			}},
			{"v1.0 another account's number", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", other.Number, "auth_token", cust.Token, "output_format", "json"), "json")
			}},
			{"v1.0 the parent's number", func(t *testing.T) vmuAnswer {
				return vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", res.Number, "auth_token", cust.Token, "output_format", "json"), "json")
			}},
		}
		// Usernames are unique case-insensitively, so another case names
		// the same user, as it does for login and the reseller dialect.
		vmu(t, n, "json", details, url.Values{"username": {strings.ToUpper(cust.Username)}, "auth_token": {cust.Token}}).ok(t, "username in another case")
		var first []byte
		for _, f := range failures {
			a := f.a(t)
			a.wantCodes(t, f.name, "authentication_failed")
			if first == nil {
				first = a.Raw
			} else if !bytes.Equal(a.Raw, first) {
				t.Errorf("%s answers\n%s\nbut the first failure answered\n%s", f.name, a.Raw, first)
			}
			for _, secret := range []string{cust.Username, other.Username, cust.Number, other.Number, cust.Token} {
				if bytes.Contains(a.Raw, []byte(secret)) {
					t.Errorf("%s: the answer echoes %q: %s", f.name, secret, a.Raw)
				}
			}
		}

		// A revoked token is refused at once, like an unknown one, and
		// the user's other tokens keep working.
		r := n.Do(t, http.MethodPost, "/api/tokens", res.Token, map[string]any{"user_id": cust.UserID, "name": "to revoke"})
		if r.Status != http.StatusOK {
			t.Fatalf("create token: %d %s", r.Status, r.Body)
		}
		var tok struct{ ID, Token string }
		r.JSON(t, &tok)
		vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {tok.Token}}).ok(t, "second token before revocation")
		if r := n.Do(t, http.MethodPost, "/api/tokens/"+tok.ID+"/destroy", res.Token, nil); r.Status/100 != 2 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		a := vmu(t, n, "json", details, url.Values{"username": {cust.Username}, "auth_token": {tok.Token}})
		a.wantCodes(t, "revoked token", "authentication_failed")
		if !bytes.Equal(a.Raw, first) {
			t.Errorf("revoked token answers\n%s\nunlike an unknown token\n%s", a.Raw, first)
		}
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+q("request_type", details, "client_account_id", cust.Number, "auth_token", tok.Token), "xml").
			wantCodes(t, "revoked token, v1.0", "authentication_failed")
		vmu(t, n, "json", details, vmuCreds(cust)).ok(t, "the first token after revoking the second")
	})
}

// A read-only user reads but is refused every change.
func TestVoicemeupReadOnlyUser(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		name, token, _ := vmuUser(t, n, cust.Token, cust.AccountID, "readonly")
		ro := servertest.Tenant{Username: name, Token: token}
		a := vmu(t, n, "json", "get_account_details", vmuCreds(ro)).ok(t, "read-only details")
		if got := vmuFlat(vmuObj(t, a.Content, "account"))["client_account_id"]; got != cust.Number {
			t.Errorf("read-only user answered account %q, want %q", got, cust.Number)
		}
		vmu(t, n, "json", "get_subaccounts", vmuCreds(ro)).ok(t, "read-only list")
		vmu(t, n, "json", "update_subaccount", vmuCreds(ro, "mode", "create", "friendly_name", "Sales",
			"multi_tenancy_mode", "disabled", "status", "enabled")).wantCodes(t, "read-only create", "permission_refused")
		sub := vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "Sales",
			"multi_tenancy_mode", "disabled", "status", "enabled")).ok(t, "admin create")
		sid := vmuFlat(vmuObj(t, sub.Content, "subaccount"))["client_subaccount_id"]
		vmu(t, n, "xml", "update_subaccount_address", vmuCreds(ro, "mode", "create", "client_subaccount_id", sid,
			"civic_number", "1", "street", "Main", "unit_number", "0", "city", "Montreal", "country_id", "38",
			"state_id", "QC", "postal_code", "H2X 1Y4")).wantCodes(t, "read-only address", "permission_refused")
		list := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", sid)).ok(t, "list")
		if got := vmuFlat(vmuArr(t, vmuObj(t, list.Content, "subaccounts"), "subaccount")[0].(map[string]any))["friendly_name"]; got != "Sales" {
			t.Errorf("subaccount became %q", got)
		}
		r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, sid))+"/addresses", cust.Token, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"count":0`) {
			t.Errorf("a refused address was stored: %d %s", r.Status, r.Body)
		}
	})
}

func vmuInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an integer: %v", s, err)
	}
	return n
}

// ---------------------------------------------------------------------------
// 2. The request type table.

func TestVoicemeupRequestTypes(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")

		a := vmu(t, n, "json", "get_request_types", vmuCreds(cust)).ok(t, "get_request_types")
		listed := vmuStrs(t, vmuArr(t, vmuObj(t, a.Content, "request_types"), "request_type"))
		x := vmu(t, n, "xml", "get_request_types", vmuCreds(cust)).ok(t, "get_request_types xml")
		var xlisted []string
		for _, e := range x.XML.child("response_content").child("request_types").all("request_type") {
			xlisted = append(xlisted, e.Text)
		}
		if !slices.Equal(listed, xlisted) {
			t.Errorf("JSON lists %v, XML lists %v", listed, xlisted)
		}
		// What this build wires; more may come, none may go.
		for _, want := range []string{"get_request_types", "get_account_details", "get_account_preferences",
			"get_subaccounts", "update_subaccount", "update_subaccount_address", "get_countries", "get_states"} {
			if !slices.Contains(listed, want) {
				t.Errorf("get_request_types does not list %s: %v", want, listed)
			}
		}
		// Listed in document order, each once, only document types.
		var docOrder []string
		for _, rt := range voicemeup.RequestTypes() {
			if slices.Contains(listed, rt) {
				docOrder = append(docOrder, rt)
			}
		}
		if !slices.Equal(listed, docOrder) {
			t.Errorf("get_request_types lists %v, want the document's order %v", listed, docOrder)
		}

		// "Exactly the implemented ones": every listed type is served and
		// every other type of the document answers not_implemented.
		for _, rt := range voicemeup.RequestTypes() {
			a := vmu(t, n, "json", rt, vmuCreds(cust))
			implemented := a.Status == "success" || !slices.Contains(a.Codes, "request_type_not_implemented")
			if slices.Contains(a.Codes, "request_type_invalid") {
				t.Errorf("%s, a document type, answers request_type_invalid", rt)
			}
			if implemented != slices.Contains(listed, rt) {
				t.Errorf("%s: listed=%v but answers %s %v", rt, slices.Contains(listed, rt), a.Status, a.Codes)
			}
			if !implemented && !slices.Equal(a.Codes, []string{"request_type_not_implemented"}) {
				t.Errorf("%s: %v, want only request_type_not_implemented", rt, a.Codes)
			}
		}

		vmu(t, n, "json", "get_peers", vmuCreds(cust)).wantCodes(t, "get_peers", "request_type_not_implemented")
		vmu(t, n, "xml", "get_peers", vmuCreds(cust)).wantCodes(t, "get_peers xml", "request_type_not_implemented")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_peers"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}}.Encode(), "xml").
			wantCodes(t, "get_peers v1.0", "request_type_not_implemented")
		for _, bad := range []string{"get_everything", "GET_ACCOUNT_DETAILS", "get_account_details.php"} {
			vmu(t, n, "json", bad, vmuCreds(cust)).wantCodes(t, bad, "request_type_invalid")
		}
		vmu(t, n, "xml", "get_everything", vmuCreds(cust)).wantCodes(t, "unknown xml", "request_type_invalid")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_everything"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}}.Encode(), "xml").
			wantCodes(t, "unknown v1.0", "request_type_invalid")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"client_account_id": {cust.Number},
			"auth_token": {cust.Token}, "output_format": {"json"}}.Encode(), "json").
			wantCodes(t, "v1.0 without request_type", "request_type_required")
		vmu(t, n, "json", "", vmuCreds(cust)).wantCodes(t, "v1.1 without request_type", "request_type_required")
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_account_details"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}, "output_format": {"csv"}}.Encode(), "xml").
			wantDetail(t, "v1.0 bad output_format", "internal_error-invalid_argument", "output_format")
	})
}

// ---------------------------------------------------------------------------
// 3. Account details and preferences.

func TestVoicemeupAccountDetailsAreTheCallers(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		res := vmuTenantWith(t, n, n.AdminToken, map[string]any{"name": "Reseller North", "type": "reseller", "currency": "USD", "language": "en"})
		cust := vmuTenantWith(t, n, res.Token, map[string]any{
			"name": "Customer South", "type": "customer", "currency": "CAD", "language": "fr",
			"billing_mode": "postpaid", "credit_limit": "250.50000",
		})
		prefs := map[string]any{"preferences": map[string]any{"timezone": "America/Toronto", "call_recording": true, "max_calls": 12}}
		if r := n.Do(t, http.MethodPost, "/api/accounts/"+cust.AccountID, cust.Token, prefs); r.Status != http.StatusOK {
			t.Fatalf("set preferences: %d %s", r.Status, r.Body)
		}
		var native struct {
			Number, Name, Currency, Language, Type, Status string
			BillingMode                                    string `json:"billing_mode"`
			CreditLimit                                    string `json:"credit_limit"`
		}
		n.Do(t, http.MethodGet, "/api/accounts/"+cust.AccountID, cust.Token, nil).JSON(t, &native)

		a := vmu(t, n, "json", "get_account_details", vmuCreds(cust)).ok(t, "customer details")
		acc := vmuFlat(vmuObj(t, a.Content, "account"))
		want := map[string]string{
			"client_account_id": cust.Number, "account_name": "Customer South", "account_type": "customer",
			"account_status": "active", "currency": "CAD", "language": "fr", "billing_mode": "postpaid",
			"username": cust.Username,
		}
		for k, v := range want {
			if acc[k] != v {
				t.Errorf("get_account_details %s = %q, want %q", k, acc[k], v)
			}
		}
		if native.Number != acc["client_account_id"] || native.Name != acc["account_name"] || native.Currency != acc["currency"] ||
			native.Language != acc["language"] || native.BillingMode != acc["billing_mode"] || native.Type != acc["account_type"] {
			t.Errorf("voicemeup %v disagrees with native %+v", acc, native)
		}
		if cl, err := strconv.ParseFloat(acc["credit_limit"], 64); err != nil || cl != 250.5 {
			t.Errorf("credit_limit %q, want 250.5", acc["credit_limit"])
		}
		if acc["created_date"] == "" || acc["client_user_id"] == "" {
			t.Errorf("created_date or client_user_id missing: %v", acc)
		}
		for _, leak := range []string{res.Number, "Reseller North", res.Username} {
			if bytes.Contains(a.Raw, []byte(leak)) {
				t.Errorf("the customer's details show the reseller's %q: %s", leak, a.Raw)
			}
		}

		x := vmu(t, n, "xml", "get_account_details", vmuCreds(cust)).ok(t, "customer details xml")
		xa := x.XML.child("response_content").child("account")
		if xa.Attrs["client_account_id"] != cust.Number || xa.text("account_name") != "Customer South" || xa.text("currency") != "CAD" {
			t.Errorf("XML details disagree: %s", x.Raw)
		}

		// The reseller sees its own account, not its customer's.
		ra := vmuFlat(vmuObj(t, vmu(t, n, "json", "get_account_details", vmuCreds(res)).ok(t, "reseller").Content, "account"))
		if ra["client_account_id"] != res.Number || ra["account_type"] != "reseller" || ra["currency"] != "USD" || ra["account_name"] != "Reseller North" {
			t.Errorf("reseller details %v", ra)
		}

		p := vmu(t, n, "json", "get_account_preferences", vmuCreds(cust)).ok(t, "preferences")
		ap := vmuObj(t, p.Content, "account_preferences")
		if f := vmuFlat(ap); f["language"] != "fr" || f["currency"] != "CAD" || f["billing_mode"] != "postpaid" {
			t.Errorf("preferences header %v", f)
		}
		got := map[string]string{}
		for _, e := range vmuArr(t, vmuObj(t, ap, "preferences"), "preference") {
			m := e.(map[string]any)
			got[m["name"].(string)], _ = m["_content"].(string)
		}
		wantPrefs := map[string]string{"timezone": "America/Toronto", "call_recording": "yes", "max_calls": "12"}
		for k, v := range wantPrefs {
			if got[k] != v {
				t.Errorf("preference %s = %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
		if len(got) != len(wantPrefs) {
			t.Errorf("preferences %v, want %v", got, wantPrefs)
		}
		xp := vmu(t, n, "xml", "get_account_preferences", vmuCreds(cust)).ok(t, "preferences xml")
		names := map[string]string{}
		for _, e := range xp.XML.child("response_content").child("account_preferences").child("preferences").all("preference") {
			names[e.Attrs["name"]] = e.Text
		}
		if names["timezone"] != "America/Toronto" || names["call_recording"] != "yes" {
			t.Errorf("XML preferences %v", names)
		}
		rp := vmuFlat(vmuObj(t, vmu(t, n, "json", "get_account_preferences", vmuCreds(res)).ok(t, "reseller prefs").Content, "account_preferences"))
		if rp["currency"] != "USD" || rp["language"] != "en" {
			t.Errorf("reseller preferences %v", rp)
		}
	})
}

// ---------------------------------------------------------------------------
// 4. update_subaccount.

// vmuSubFields are the fields of a subaccount as get_subaccounts answers them
// in JSON, options joined by commas.
func vmuSubFields(t *testing.T, m map[string]any) map[string]string {
	t.Helper()
	f := vmuFlat(m)
	f["options"] = strings.Join(vmuStrs(t, vmuArr(t, vmuObj(t, m, "options"), "option")), ",")
	return f
}

// vmuNativeSubFields turns a native subaccount into the same shape.
func vmuNativeSubFields(t *testing.T, m map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case bool:
			out[k] = map[bool]string{true: "yes", false: "no"}[v]
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case []any:
			out[k] = strings.Join(vmuStrs(t, v), ",")
		case nil:
			out[k] = ""
		}
	}
	out["client_subaccount_id"] = strconv.FormatInt(vmuNativeID(t, out["id"]), 10)
	if out["multi_tenancy_subaccount_id"] != "" {
		out["multi_tenancy_subaccount_id"] = strconv.FormatInt(vmuNativeID(t, out["multi_tenancy_subaccount_id"]), 10)
	}
	return out
}

var vmuSubKeys = []string{"client_subaccount_id", "custom_id", "friendly_name", "call_limit", "allow_international_call",
	"international_call_limit", "require_international_nip", "international_nip", "multi_tenancy_mode",
	"multi_tenancy_subaccount_id", "organization", "organization_type", "client_profile", "voice_language",
	"notification_language", "callerid_name", "callerid_number", "client_moh_profile_id",
	"default_provisioned_endpoint_id", "options", "status", "comments"}

func vmuSameSub(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for _, k := range vmuSubKeys {
		if got[k] != want[k] {
			t.Errorf("%s: %s = %q, want %q", what, k, got[k], want[k])
		}
	}
}

// vmuGetSub answers one subaccount through get_subaccounts.
func vmuGetSub(t *testing.T, n *servertest.Node, tn servertest.Tenant, sid string) map[string]string {
	t.Helper()
	a := vmu(t, n, "json", "get_subaccounts", vmuCreds(tn, "client_subaccount_id", sid)).ok(t, "get_subaccounts "+sid)
	list := vmuArr(t, vmuObj(t, a.Content, "subaccounts"), "subaccount")
	if len(list) != 1 {
		t.Fatalf("get_subaccounts %s answers %d subaccounts", sid, len(list))
	}
	return vmuSubFields(t, list[0].(map[string]any))
}

// vmuGetNativeSub answers one subaccount through the native API.
func vmuGetNativeSub(t *testing.T, n *servertest.Node, token, sid string) map[string]string {
	t.Helper()
	r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, sid)), token, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("native get subaccount %s: %d %s", sid, r.Status, r.Body)
	}
	return vmuNativeSubFields(t, r.Map(t))
}

func TestVoicemeupUpdateSubaccount(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		stranger := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")

		// A subaccount of another tenant, to point at.
		sa := vmu(t, n, "json", "update_subaccount", vmuCreds(stranger, "mode", "create", "friendly_name", "Hidden",
			"multi_tenancy_mode", "disabled", "status", "enabled")).ok(t, "stranger create")
		foreignID := vmuFlat(vmuObj(t, sa.Content, "subaccount"))["client_subaccount_id"]

		// Create with every parameter.
		base := vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "Head Office",
			"multi_tenancy_mode", "global", "status", "enabled")).ok(t, "create base")
		baseID := vmuFlat(vmuObj(t, base.Content, "subaccount"))["client_subaccount_id"]
		full := vmuCreds(cust,
			"mode", "create", "client_brand_id", "1", "custom_id", "CRM-42", "friendly_name", "Sales Dept",
			"call_limit", "999", "allow_international_call", "yes", "international_call_limit", "7",
			"require_international_nip", "yes", "international_nip", "123456,12345678",
			"multi_tenancy_mode", "shared", "multi_tenancy_subaccount_id", baseID,
			"organization", "R&D <Labs>", "organization_type", "business", "client_profile", "callcenter_client",
			"voice_language", "fr", "notification_language", "en", "callerid_name", "Sales Team",
			"callerid_number", "5145551234", "client_moh_profile_id", "moh-1", "default_provisioned_endpoint_id", "ep-9",
			"status", "disabled", "comments", "first & foremost <x>")
		full["options[]"] = []string{"subaccount_override_enabled", "disable_411_access"}
		c := vmu(t, n, "json", "update_subaccount", full).ok(t, "create full")
		created := vmuSubFields(t, vmuObj(t, c.Content, "subaccount"))
		sid := created["client_subaccount_id"]
		want := map[string]string{
			"client_subaccount_id": sid, "custom_id": "CRM-42", "friendly_name": "Sales Dept", "call_limit": "999",
			"allow_international_call": "yes", "international_call_limit": "7", "require_international_nip": "yes",
			"international_nip": "123456,12345678", "multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": baseID,
			"organization": "R&D <Labs>", "organization_type": "business", "client_profile": "callcenter_client",
			"voice_language": "fr", "notification_language": "en", "callerid_name": "Sales Team",
			"callerid_number": "5145551234", "client_moh_profile_id": "moh-1", "default_provisioned_endpoint_id": "ep-9",
			"options": "subaccount_override_enabled,disable_411_access", "status": "disabled", "comments": "first & foremost <x>",
		}
		vmuSameSub(t, "create answer", created, want)
		vmuSameSub(t, "get_subaccounts after create", vmuGetSub(t, n, cust, sid), want)
		vmuSameSub(t, "native after create", vmuGetNativeSub(t, n, cust.Token, sid), want)

		// The XML answer of the same request carries the same values.
		xa := vmu(t, n, "xml", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", sid)).ok(t, "xml get")
		xs := xa.XML.child("response_content").child("subaccounts").all("subaccount")
		if len(xs) != 1 || xs[0].Attrs["client_subaccount_id"] != sid {
			t.Fatalf("XML get_subaccounts: %s", xa.Raw)
		}
		for _, k := range vmuSubKeys[1:] {
			got := xs[0].text(k)
			if k == "options" {
				var o []string
				for _, e := range xs[0].child("options").all("option") {
					o = append(o, e.Text)
				}
				got = strings.Join(o, ",")
			}
			if got != want[k] {
				t.Errorf("XML %s = %q, want %q", k, got, want[k])
			}
		}

		// Update every parameter, options in PHP's indexed array form.
		upd := vmuCreds(cust,
			"mode", "update", "client_subaccount_id", sid, "custom_id", "", "friendly_name", "Support_2.0",
			"call_limit", "0", "allow_international_call", "no", "international_call_limit", "0",
			"require_international_nip", "no", "international_nip", "87654321",
			"multi_tenancy_mode", "self", "organization", "Acme", "organization_type", "personal",
			"client_profile", "residential_client", "voice_language", "en", "notification_language", "fr",
			"callerid_name", "Acme", "callerid_number", "4165550000", "client_moh_profile_id", "",
			"default_provisioned_endpoint_id", "", "status", "enabled", "comments", "")
		upd["options[0]"] = []string{"enable_billing_module"}
		upd["options[1]"] = []string{"enable_billing_notification"}
		upd["options[2]"] = []string{"disable_public_service_access"}
		u := vmu(t, n, "json", "update_subaccount", upd).ok(t, "update full")
		want = map[string]string{
			"client_subaccount_id": sid, "custom_id": "", "friendly_name": "Support_2.0", "call_limit": "0",
			"allow_international_call": "no", "international_call_limit": "0", "require_international_nip": "no",
			"international_nip": "87654321", "multi_tenancy_mode": "self", "multi_tenancy_subaccount_id": "",
			"organization": "Acme", "organization_type": "personal", "client_profile": "residential_client",
			"voice_language": "en", "notification_language": "fr", "callerid_name": "Acme",
			"callerid_number": "4165550000", "client_moh_profile_id": "", "default_provisioned_endpoint_id": "",
			"options": "enable_billing_module,enable_billing_notification,disable_public_service_access",
			"status":  "enabled", "comments": "",
		}
		vmuSameSub(t, "update answer", vmuSubFields(t, vmuObj(t, u.Content, "subaccount")), want)
		vmuSameSub(t, "native after update", vmuGetNativeSub(t, n, cust.Token, sid), want)

		// Parameters left out keep their value; an empty options clears.
		u = vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Support",
			"multi_tenancy_mode", "self", "status", "enabled", "options", "")).ok(t, "partial update (default mode)")
		want["friendly_name"], want["options"] = "Support", ""
		vmuSameSub(t, "partial update", vmuSubFields(t, vmuObj(t, u.Content, "subaccount")), want)
		vmuSameSub(t, "native after partial update", vmuGetNativeSub(t, n, cust.Token, sid), want)

		// Boundary values are accepted.
		for _, ok := range []url.Values{
			{"friendly_name": {"ab"}}, {"friendly_name": {strings.Repeat("x", 32)}},
			{"callerid_name": {"abc"}}, {"callerid_name": {strings.Repeat("n", 15)}},
			{"international_nip": {"123456,1234567,12345678"}, "require_international_nip": {"yes"}},
			{"options": {"disable_411_access,enable_billing_module"}},
			{"status": {"deleted"}}, {"status": {"enabled"}},
		} {
			p := vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Support", "multi_tenancy_mode", "self", "status", "enabled")
			for k, v := range ok {
				p[k] = v
			}
			vmu(t, n, "json", "update_subaccount", p).ok(t, fmt.Sprint(ok))
		}
		before := vmuGetNativeSub(t, n, cust.Token, sid)
		countSubs := func() int {
			r := n.Do(t, http.MethodGet, "/api/subaccounts", cust.Token, nil)
			var l struct{ Count int }
			r.JSON(t, &l)
			return l.Count
		}
		nSubs := countSubs()

		// Every invalid value answers its documented error type, in both
		// modes, and changes nothing.
		const generic, required = "internal_error-invalid_argument", "required_parameter_not_found"
		cases := []struct {
			name   string
			set    map[string]string // "" deletes the parameter
			code   string
			detail string
		}{
			{"friendly_name missing", map[string]string{"friendly_name": "-"}, "friendly_name_required", ""},
			{"friendly_name blank", map[string]string{"friendly_name": " "}, "friendly_name_required", ""},
			{"friendly_name too short", map[string]string{"friendly_name": "A"}, "friendly_name_invalid", ""},
			{"friendly_name too long", map[string]string{"friendly_name": strings.Repeat("x", 33)}, "friendly_name_invalid", ""},
			{"friendly_name markup", map[string]string{"friendly_name": "bad<name>"}, "friendly_name_invalid", ""},
			{"call_limit 1000", map[string]string{"call_limit": "1000"}, generic, "call_limit"},
			{"call_limit -1", map[string]string{"call_limit": "-1"}, generic, "call_limit"},
			{"call_limit text", map[string]string{"call_limit": "ten"}, generic, "call_limit"},
			{"allow_international_call maybe", map[string]string{"allow_international_call": "maybe"}, generic, "allow_international_call"},
			{"require_international_nip maybe", map[string]string{"require_international_nip": "maybe"}, generic, "require_international_nip"},
			{"international_nip 5 digits", map[string]string{"international_nip": "12345"}, generic, "international_nip"},
			{"international_nip 9 digits", map[string]string{"international_nip": "123456789"}, generic, "international_nip"},
			{"international_nip letters", map[string]string{"international_nip": "12345a"}, generic, "international_nip"},
			{"international_nip one bad of two", map[string]string{"international_nip": "123456,12"}, generic, "international_nip"},
			{"require_international_nip without nip", map[string]string{"require_international_nip": "yes", "international_nip": ""}, required, "international_nip"},
			{"multi_tenancy_mode missing", map[string]string{"multi_tenancy_mode": "-"}, required, "multi_tenancy_mode"},
			{"multi_tenancy_mode unknown", map[string]string{"multi_tenancy_mode": "private"}, generic, "multi_tenancy_mode"},
			{"shared without subaccount", map[string]string{"multi_tenancy_mode": "shared"}, required, "multi_tenancy_subaccount_id"},
			{"shared with text", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": "abc"}, generic, "multi_tenancy_subaccount_id"},
			{"shared with zero", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": "0"}, generic, "multi_tenancy_subaccount_id"},
			{"shared with an unknown subaccount", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": "999999999"}, generic, "multi_tenancy_subaccount_id"},
			{"shared with another tenant's subaccount", map[string]string{"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": foreignID}, generic, "multi_tenancy_subaccount_id"},
			{"organization_type", map[string]string{"organization_type": "corporate"}, generic, "organization_type"},
			{"client_profile", map[string]string{"client_profile": "vip"}, generic, "client_profile"},
			{"voice_language", map[string]string{"voice_language": "de"}, generic, "voice_language"},
			{"notification_language", map[string]string{"notification_language": "es"}, generic, "notification_language"},
			{"callerid_name too short", map[string]string{"callerid_name": "AB"}, "callerid_name_invalid", ""},
			{"callerid_name too long", map[string]string{"callerid_name": strings.Repeat("n", 16)}, "callerid_name_invalid", ""},
			{"callerid_name punctuation", map[string]string{"callerid_name": "Bad!Name"}, "callerid_name_invalid", ""},
			{"callerid_number 9 digits", map[string]string{"callerid_number": "514555123"}, "callerid_number_invalid", ""},
			{"callerid_number 11 digits", map[string]string{"callerid_number": "15145551234"}, "callerid_number_invalid", ""},
			{"callerid_number dashes", map[string]string{"callerid_number": "514-555-1234"}, "callerid_number_invalid", ""},
			{"options unknown", map[string]string{"options[]": "free_calls"}, "options_invalid", ""},
			{"options indexed unknown", map[string]string{"options[0]": "disable_411_access", "options[1]": "free_calls"}, "options_invalid", ""},
			{"options twice", map[string]string{"options": "disable_411_access,disable_411_access"}, "options_invalid", ""},
			{"status missing", map[string]string{"status": "-"}, "status_required", ""},
			{"status unknown", map[string]string{"status": "archived"}, "status_invalid", ""},
			{"mode unknown", map[string]string{"mode": "upsert"}, "mode_invalid", ""},
			{"client_brand_id text", map[string]string{"client_brand_id": "x"}, generic, "client_brand_id"},
		}
		for _, mode := range []string{"create", "update"} {
			for _, c := range cases {
				p := vmuCreds(cust, "mode", mode, "friendly_name", "Valid Name", "multi_tenancy_mode", "disabled", "status", "enabled")
				if mode == "update" {
					p.Set("client_subaccount_id", sid)
				}
				for k, v := range c.set {
					if v == "-" {
						p.Del(k)
					} else {
						p.Set(k, v)
					}
				}
				vmu(t, n, "json", "update_subaccount", p).wantDetail(t, mode+": "+c.name, c.code, c.detail)
			}
		}
		vmuSameSub(t, "after refused updates", vmuGetNativeSub(t, n, cust.Token, sid), before)
		if got := countSubs(); got != nSubs {
			t.Errorf("refused creates left %d subaccounts, want %d", got, nSubs)
		}

		// update needs a subaccount of the caller's; another tenant's is
		// answered exactly like one that does not exist, and is untouched.
		p := vmuCreds(cust, "friendly_name", "Taken Over", "multi_tenancy_mode", "disabled", "status", "enabled")
		vmu(t, n, "json", "update_subaccount", p).wantDetail(t, "update without id", required, "client_subaccount_id")
		p.Set("client_subaccount_id", "abc")
		vmu(t, n, "json", "update_subaccount", p).wantDetail(t, "update with text id", generic, "client_subaccount_id")
		p.Set("client_subaccount_id", "999999999")
		unknown := vmu(t, n, "json", "update_subaccount", p)
		unknown.wantDetail(t, "update unknown id", generic, "client_subaccount_id")
		p.Set("client_subaccount_id", foreignID)
		foreign := vmu(t, n, "json", "update_subaccount", p)
		if !bytes.Equal(foreign.Raw, unknown.Raw) {
			t.Errorf("another tenant's subaccount answers\n%s\nunlike an unknown one\n%s", foreign.Raw, unknown.Raw)
		}
		if got := vmuGetSub(t, n, stranger, foreignID)["friendly_name"]; got != "Hidden" {
			t.Errorf("another tenant's subaccount was renamed to %q", got)
		}

		// Vice versa: a subaccount made through the native API reads the
		// same through voicemeup.
		nid := n.MustCreate(t, "/api/subaccounts", cust.Token, map[string]any{
			"custom_id": "N-1", "friendly_name": "Native Made", "call_limit": 12, "allow_international_call": true,
			"international_call_limit": 3, "require_international_nip": true, "international_nip": []string{"7654321"},
			"multi_tenancy_mode": "shared", "multi_tenancy_subaccount_id": id.EncodeNative(vmuInt(t, baseID)),
			"organization": "Org", "organization_type": "business", "client_profile": "internal",
			"voice_language": "fr", "notification_language": "fr", "callerid_name": "Native",
			"callerid_number": "6135550100", "client_moh_profile_id": "m", "default_provisioned_endpoint_id": "d",
			"options": []string{"enable_billing_module"}, "status": "enabled", "comments": "made natively",
		})
		nsid := strconv.FormatInt(vmuNativeID(t, nid), 10)
		vmuSameSub(t, "native-made through voicemeup", vmuGetSub(t, n, cust, nsid), vmuGetNativeSub(t, n, cust.Token, nsid))
		if got := vmuGetSub(t, n, cust, nsid); got["multi_tenancy_subaccount_id"] != baseID || got["allow_international_call"] != "yes" || got["call_limit"] != "12" {
			t.Errorf("native-made subaccount reads %v", got)
		}
	})
}

// ---------------------------------------------------------------------------
// 5. get_subaccounts.

func TestVoicemeupGetSubaccounts(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		stranger := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")
		mk := func(tn servertest.Tenant, name, status string) string {
			a := vmu(t, n, "json", "update_subaccount", vmuCreds(tn, "mode", "create", "friendly_name", name,
				"multi_tenancy_mode", "disabled", "status", status)).ok(t, "create "+name)
			return vmuFlat(vmuObj(t, a.Content, "subaccount"))["client_subaccount_id"]
		}
		enabled, disabled, deleted := mk(cust, "Alpha", "enabled"), mk(cust, "Bravo", "disabled"), mk(cust, "Charlie", "deleted")
		hidden := mk(stranger, "Secret Stranger", "enabled")
		names := map[string]string{enabled: "Alpha", disabled: "Bravo", deleted: "Charlie"}

		list := func(what string, params ...string) ([]string, []map[string]any) {
			t.Helper()
			a := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, params...)).ok(t, what)
			var ids []string
			var subs []map[string]any
			for _, e := range vmuArr(t, vmuObj(t, a.Content, "subaccounts"), "subaccount") {
				m := e.(map[string]any)
				f := vmuFlat(m)
				ids = append(ids, f["client_subaccount_id"])
				if want, ok := names[f["client_subaccount_id"]]; !ok || f["friendly_name"] != want {
					t.Errorf("%s: unexpected subaccount %v", what, f)
				}
				subs = append(subs, m)
			}
			slices.Sort(ids)
			return ids, subs
		}
		sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
		check := func(what string, want []string, params ...string) {
			t.Helper()
			if got, _ := list(what, params...); !slices.Equal(got, sorted(want...)) {
				t.Errorf("%s: %v, want %v", what, got, sorted(want...))
			}
		}
		check("all", []string{enabled, disabled, deleted})
		check("by id", []string{disabled}, "client_subaccount_id", disabled)
		check("enabled", []string{enabled}, "status", "enabled")
		check("disabled,deleted", []string{disabled, deleted}, "status", "disabled,deleted")
		check("status[] twice", []string{enabled, deleted}, "status[]", "enabled", "status[]", "deleted")
		check("with a brand", []string{enabled, disabled, deleted}, "client_brand_id", "3")
		vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "status", "enabled,archived")).wantCodes(t, "bad status", "status_invalid")
		vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "get_associations", "maybe")).
			wantDetail(t, "bad get_associations", "internal_error-invalid_argument", "get_associations")

		// Associations only when asked, as four lists (arrays even empty).
		_, plain := list("without associations")
		for _, s := range plain {
			if _, ok := s["associations"]; ok {
				t.Errorf("associations without get_associations=1: %v", s)
			}
		}
		_, with := list("with associations", "get_associations", "1")
		if len(with) != 3 {
			t.Fatalf("with associations: %d subaccounts", len(with))
		}
		for _, s := range with {
			as := vmuObj(t, s, "associations")
			for key, item := range map[string]string{"peers": "client_peer_id", "dids": "client_did_id",
				"extensions": "client_extension_id", "mailboxes": "client_mailbox_id"} {
				vmuArr(t, vmuObj(t, as, key), item)
			}
		}
		_, none := list("get_associations=0", "get_associations", "0")
		if _, ok := none[0]["associations"]; ok {
			t.Errorf("associations with get_associations=0")
		}
		x := vmu(t, n, "xml", "get_subaccounts", vmuCreds(cust, "get_associations", "1")).ok(t, "xml with associations")
		xs := x.XML.child("response_content").child("subaccounts").all("subaccount")
		if len(xs) != 3 {
			t.Fatalf("XML lists %d subaccounts: %s", len(xs), x.Raw)
		}
		for _, s := range xs {
			as := s.child("associations")
			if as == nil || as.child("peers") == nil || as.child("dids") == nil || as.child("extensions") == nil || as.child("mailboxes") == nil {
				t.Errorf("XML subaccount without the four association lists: %s", x.Raw)
			}
		}

		// Another tenant's subaccount: an error exactly like an unknown id,
		// telling nothing about it.
		unknown := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", "999999999"))
		unknown.wantDetail(t, "unknown id", "internal_error-invalid_argument", "client_subaccount_id")
		foreign := vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", hidden))
		if !bytes.Equal(foreign.Raw, unknown.Raw) {
			t.Errorf("another tenant's id answers\n%s\nunlike an unknown id\n%s", foreign.Raw, unknown.Raw)
		}
		if bytes.Contains(foreign.Raw, []byte("Secret")) {
			t.Errorf("leak: %s", foreign.Raw)
		}
		vmu(t, n, "json", "get_subaccounts", vmuCreds(cust, "client_subaccount_id", "abc")).
			wantDetail(t, "text id", "internal_error-invalid_argument", "client_subaccount_id")
		// And the stranger sees only its own.
		s := vmu(t, n, "json", "get_subaccounts", vmuCreds(stranger)).ok(t, "stranger list")
		sl := vmuArr(t, vmuObj(t, s.Content, "subaccounts"), "subaccount")
		if len(sl) != 1 || vmuFlat(sl[0].(map[string]any))["client_subaccount_id"] != hidden {
			t.Errorf("stranger lists %v", sl)
		}
		// A tenant without subaccounts gets an empty list, still an array.
		empty := n.MustTenant(t, n.AdminToken, "", "Empty", "customer")
		e := vmu(t, n, "json", "get_subaccounts", vmuCreds(empty)).ok(t, "empty list")
		if l := vmuArr(t, vmuObj(t, e.Content, "subaccounts"), "subaccount"); len(l) != 0 {
			t.Errorf("empty tenant lists %v", l)
		}
	})
}

// ---------------------------------------------------------------------------
// 6. update_subaccount_address.

func TestVoicemeupSubaccountAddress(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		stranger := n.MustTenant(t, n.AdminToken, "", "Stranger", "customer")
		mk := func(tn servertest.Tenant, name string) string {
			a := vmu(t, n, "json", "update_subaccount", vmuCreds(tn, "mode", "create", "friendly_name", name,
				"multi_tenancy_mode", "disabled", "status", "enabled")).ok(t, "create "+name)
			return vmuFlat(vmuObj(t, a.Content, "subaccount"))["client_subaccount_id"]
		}
		subCA, subUS, subFR, subBad := mk(cust, "Canada"), mk(cust, "States"), mk(cust, "France"), mk(cust, "Errors")
		foreignSub := mk(stranger, "Foreign")
		addrParams := func(tn servertest.Tenant, sid string, kv ...string) url.Values {
			p := vmuCreds(tn, "mode", "create", "client_subaccount_id", sid, "civic_number", "1234", "street", "Rue Saint-Denis",
				"unit_number", "5", "city", "Montréal", "country_id", "38", "state_id", "QC", "postal_code", "H2X 1Y4")
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "-" {
					p.Del(kv[i])
				} else {
					p.Set(kv[i], kv[i+1])
				}
			}
			return p
		}
		addr := func(a vmuAnswer) map[string]string {
			m := vmuObj(t, a.Content, "address")
			f := vmuFlat(m)
			return f
		}
		nativeAddrs := func(sid string) []map[string]any {
			r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, sid))+"/addresses", cust.Token, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("native addresses: %d %s", r.Status, r.Body)
			}
			var l struct{ Items []map[string]any }
			r.JSON(t, &l)
			return l.Items
		}

		// Canada with a state code.
		ca := addr(vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subCA, "box_number", "PO 7", "precision", "rooftop")).ok(t, "create CA"))
		wantCA := map[string]string{"client_subaccount_id": subCA, "type": "billing", "box_number": "PO 7", "civic_number": "1234",
			"street": "Rue Saint-Denis", "unit_number": "5", "city": "Montréal", "country_id": "38", "state_id": "76",
			"state_other": "", "postal_code": "H2X 1Y4", "precision": "rooftop"}
		for k, v := range wantCA {
			if ca[k] != v {
				t.Errorf("CA address %s = %q, want %q", k, ca[k], v)
			}
		}
		caID := ca["client_address_id"]
		if caID == "" {
			t.Fatalf("no client_address_id: %v", ca)
		}
		na := nativeAddrs(subCA)
		if len(na) != 1 || vmuNativeID(t, na[0]["id"].(string)) != vmuInt(t, caID) || na[0]["state_id"] != float64(76) || na[0]["street"] != "Rue Saint-Denis" {
			t.Errorf("native sees %v", na)
		}
		// One billing address per subaccount.
		vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subCA)).wantCodes(t, "second billing address", "duplicate_entry")
		vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subCA, "type", "billing")).wantCodes(t, "second billing address, explicit type", "duplicate_entry")
		if got := len(nativeAddrs(subCA)); got != 1 {
			t.Errorf("%d addresses after a refused duplicate", got)
		}

		// United States with a numeric state_id and ZIP+4.
		us := addr(vmu(t, n, "xml", "update_subaccount_address", addrParams(cust, subUS, "country_id", "223", "state_id", "43",
			"postal_code", "10001-1234", "city", "New York", "street", "5th Avenue")).ok(t, "create US").xmlAddr(t))
		if us["state_id"] != "43" || us["country_id"] != "223" || us["postal_code"] != "10001-1234" {
			t.Errorf("US address %v", us)
		}
		// Elsewhere: state_other, no state_id.
		fr := addr(vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subFR, "country_id", "73", "state_id", "-",
			"state_other", "Ile-de-France", "postal_code", "75001", "city", "Paris")).ok(t, "create FR"))
		if fr["state_id"] != "0" || fr["state_other"] != "Ile-de-France" || fr["country_id"] != "73" {
			t.Errorf("FR address %v", fr)
		}

		const generic, required = "internal_error-invalid_argument", "required_parameter_not_found"
		cases := []struct {
			name         string
			kv           []string
			code, detail string
		}{
			{"Canada without state", []string{"state_id", "-"}, "state_id_invalid", ""},
			{"Canada with a US code", []string{"state_id", "NY"}, "state_id_invalid", ""},
			{"Canada with a US id", []string{"state_id", "43"}, "state_id_invalid", ""},
			{"Canada with an unknown code", []string{"state_id", "ZZ"}, "state_id_invalid", ""},
			{"US with a Canadian code", []string{"country_id", "223", "state_id", "QC", "postal_code", "10001"}, "state_id_invalid", ""},
			{"US without state", []string{"country_id", "223", "state_id", "-", "state_other", "New York", "postal_code", "10001"}, "state_id_invalid", ""},
			{"France without state_other", []string{"country_id", "73", "state_id", "-", "postal_code", "75001"}, required, "state_other"},
			{"France with a bad state_other", []string{"country_id", "73", "state_id", "-", "state_other", "%%%", "postal_code", "75001"}, generic, "state_other"},
			{"Canadian postal code in the US form", []string{"postal_code", "12345"}, generic, "postal_code"},
			{"Canadian postal code with D", []string{"postal_code", "D2X 1Y4"}, generic, "postal_code"},
			{"US ZIP in the Canadian form", []string{"country_id", "223", "state_id", "NY", "postal_code", "H2X 1Y4"}, generic, "postal_code"},
			{"US ZIP too short", []string{"country_id", "223", "state_id", "NY", "postal_code", "1234"}, generic, "postal_code"},
			{"postal code missing", []string{"postal_code", "-"}, required, "postal_code"},
			{"country unknown", []string{"country_id", "9999"}, "country_id_invalid", ""},
			{"country text", []string{"country_id", "Canada"}, "country_id_invalid", ""},
			{"country missing", []string{"country_id", "-"}, "country_id_required", ""},
			{"civic_number missing", []string{"civic_number", "-"}, required, "civic_number"},
			{"civic_number text", []string{"civic_number", "12a"}, generic, "civic_number"},
			{"civic_number zero", []string{"civic_number", "0"}, generic, "civic_number"},
			{"street missing", []string{"street", "-"}, required, "street"},
			{"street not alphanumeric", []string{"street", "%%%"}, generic, "street"},
			{"unit_number missing", []string{"unit_number", "-"}, required, "unit_number"},
			{"unit_number text", []string{"unit_number", "B"}, generic, "unit_number"},
			{"city missing", []string{"city", "-"}, required, "city"},
			{"city not alphanumeric", []string{"city", "***"}, generic, "city"},
			{"type shipping", []string{"type", "shipping"}, "type_invalid", "Type is invalid."},
			{"mode unknown", []string{"mode", "insert"}, "mode_invalid", ""},
			{"subaccount missing", []string{"client_subaccount_id", "-"}, required, "client_subaccount_id"},
			{"subaccount text", []string{"client_subaccount_id", "abc"}, generic, "client_subaccount_id"},
		}
		for _, c := range cases {
			vmu(t, n, "json", "update_subaccount_address", addrParams(cust, subBad, c.kv...)).wantDetail(t, c.name, c.code, c.detail)
		}
		if got := nativeAddrs(subBad); len(got) != 0 {
			t.Errorf("refused creates stored %v", got)
		}
		// Another tenant's subaccount is answered like an unknown one.
		unknown := vmu(t, n, "json", "update_subaccount_address", addrParams(cust, "999999999"))
		unknown.wantDetail(t, "unknown subaccount", generic, "client_subaccount_id")
		foreign := vmu(t, n, "json", "update_subaccount_address", addrParams(cust, foreignSub))
		if !bytes.Equal(foreign.Raw, unknown.Raw) {
			t.Errorf("another tenant's subaccount answers\n%s\nunlike an unknown one\n%s", foreign.Raw, unknown.Raw)
		}

		// Update: a state code resolves in the address's own country when
		// country_id is left out.
		up := func(kv ...string) vmuAnswer {
			p := vmuCreds(cust, "mode", "update", "client_subaccount_id", subCA, "client_address_id", caID)
			for i := 0; i+1 < len(kv); i += 2 {
				p.Set(kv[i], kv[i+1])
			}
			return vmu(t, n, "json", "update_subaccount_address", p)
		}
		got := addr(up("street", "Yonge Street", "state_id", "ON", "city", "Toronto", "postal_code", "M5B 2H1").ok(t, "update to Ontario"))
		if got["state_id"] != "74" || got["street"] != "Yonge Street" || got["civic_number"] != "1234" || got["client_address_id"] != caID {
			t.Errorf("after update %v", got)
		}
		up("postal_code", "90210").wantDetail(t, "US ZIP in Canada", generic, "postal_code")
		up("country_id", "223", "state_id", "QC").wantCodes(t, "moving to the US with a Canadian code", "state_id_invalid")
		got = addr(up("country_id", "223", "state_id", "CA", "postal_code", "90210").ok(t, "move to California"))
		if got["country_id"] != "223" || got["state_id"] == "0" || got["state_id"] == "74" {
			t.Errorf("after moving to California %v", got)
		}
		up("country_id", "81", "postal_code", "10115").wantDetail(t, "to Germany without state_other", required, "state_other")
		got = addr(up("country_id", "81", "postal_code", "10115", "state_other", "Berlin").ok(t, "move to Germany"))
		if got["state_id"] != "0" || got["state_other"] != "Berlin" {
			t.Errorf("after moving to Germany %v", got)
		}
		up("civic_number", "x").wantDetail(t, "update bad civic_number", generic, "civic_number")
		if a := nativeAddrs(subCA); len(a) != 1 || a[0]["state_other"] != "Berlin" || a[0]["civic_number"] != float64(1234) {
			t.Errorf("native after updates %v", a)
		}

		// The address must belong to the named subaccount, and to the caller.
		usAddr := us["client_address_id"]
		p := vmuCreds(cust, "mode", "update", "client_subaccount_id", subCA, "client_address_id", usAddr, "street", "Elsewhere")
		vmu(t, n, "json", "update_subaccount_address", p).wantDetail(t, "address of another subaccount", generic, "client_address_id")
		p = vmuCreds(cust, "mode", "update", "client_subaccount_id", subCA, "street", "Elsewhere")
		vmu(t, n, "json", "update_subaccount_address", p).wantDetail(t, "update without address id", required, "client_address_id")
		fa := addr(vmu(t, n, "json", "update_subaccount_address", addrParams(stranger, foreignSub)).ok(t, "stranger address"))
		p = vmuCreds(cust, "mode", "update", "client_subaccount_id", foreignSub, "client_address_id", fa["client_address_id"], "street", "Hijacked")
		foreignAddr := vmu(t, n, "json", "update_subaccount_address", p)
		p.Set("client_address_id", "999999999")
		unknownAddr := vmu(t, n, "json", "update_subaccount_address", p)
		unknownAddr.wantDetail(t, "unknown address", generic, "client_address_id")
		if !bytes.Equal(foreignAddr.Raw, unknownAddr.Raw) {
			t.Errorf("another tenant's address answers\n%s\nunlike an unknown one\n%s", foreignAddr.Raw, unknownAddr.Raw)
		}
		r := n.Do(t, http.MethodGet, "/api/subaccounts/"+id.EncodeNative(vmuInt(t, foreignSub))+"/addresses", stranger.Token, nil)
		if r.Status != http.StatusOK || bytes.Contains(r.Body, []byte("Hijacked")) {
			t.Errorf("another tenant's address changed: %d %s", r.Status, r.Body)
		}
	})
}

// xmlAddr turns an XML update_subaccount_address answer into the JSON
// shape (response_content.address), so both formats share assertions.
func (a vmuAnswer) xmlAddr(t *testing.T) vmuAnswer {
	t.Helper()
	ad := a.XML.child("response_content").child("address")
	if ad == nil {
		t.Fatalf("no <address> in %s", a.Raw)
	}
	m := map[string]any{"client_address_id": ad.Attrs["client_address_id"]}
	for _, k := range ad.Kids {
		m[k.Name] = k.Text
	}
	a.Content = map[string]any{"address": m}
	return a
}

// ---------------------------------------------------------------------------
// 7. Countries and states.

func TestVoicemeupCountriesAndStates(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")

		countries := func(lang string) map[string]map[string]string {
			p := vmuCreds(cust)
			if lang != "" {
				p.Set("language", lang)
			}
			a := vmu(t, n, "json", "get_countries", p).ok(t, "get_countries "+lang)
			out := map[string]map[string]string{}
			for _, e := range vmuArr(t, vmuObj(t, a.Content, "countries"), "country") {
				f := vmuFlat(e.(map[string]any))
				if _, dup := out[f["country_id"]]; dup {
					t.Errorf("country_id %s twice", f["country_id"])
				}
				out[f["country_id"]] = f
			}
			return out
		}
		en := countries("")
		if len(en) < 200 {
			t.Errorf("only %d countries", len(en))
		}
		for cid, want := range map[string][2]string{"38": {"Canada", "CA"}, "223": {"United States", "US"}, "73": {"France", "FR"}} {
			if c := en[cid]; c["country_name"] != want[0] || c["country_code"] != want[1] {
				t.Errorf("country %s = %v, want %v", cid, c, want)
			}
		}
		if en["38"]["dialing_code"] != "1" {
			t.Errorf("Canada dialing code %q", en["38"]["dialing_code"])
		}
		fr := countries("fr")
		if fr["223"]["country_name"] != "États-Unis" || fr["81"]["country_name"] != "Allemagne" || fr["38"]["country_name"] != "Canada" {
			t.Errorf("French names: 223=%q 81=%q", fr["223"]["country_name"], fr["81"]["country_name"])
		}
		if len(fr) != len(en) {
			t.Errorf("%d countries in French, %d in English", len(fr), len(en))
		}
		x := vmu(t, n, "xml", "get_countries", vmuCreds(cust)).ok(t, "xml countries")
		xc := x.XML.child("response_content").child("countries").all("country")
		if len(xc) != len(en) {
			t.Errorf("XML lists %d countries, JSON %d", len(xc), len(en))
		}
		found := false
		for _, c := range xc {
			if c.Attrs["country_id"] == "38" && c.text("country_name") == "Canada" {
				found = true
			}
		}
		if !found {
			t.Errorf("XML countries lack 38 Canada")
		}

		states := func(cid, lang string) map[string]map[string]string {
			p := vmuCreds(cust, "country_id", cid)
			if lang != "" {
				p.Set("language", lang)
			}
			a := vmu(t, n, "json", "get_states", p).ok(t, "get_states "+cid)
			out := map[string]map[string]string{}
			for _, e := range vmuArr(t, vmuObj(t, a.Content, "states"), "state") {
				f := vmuFlat(e.(map[string]any))
				out[f["state_code"]] = f
				if f["country_id"] != cid {
					t.Errorf("state %v listed for country %s", f, cid)
				}
			}
			return out
		}
		caStates := states("38", "")
		var codes []string
		for c := range caStates {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		if want := []string{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}; !slices.Equal(codes, want) {
			t.Errorf("Canadian states %v, want %v", codes, want)
		}
		if caStates["QC"]["state_id"] != "76" || caStates["QC"]["state_name"] != "Quebec" && caStates["QC"]["state_name"] != "Québec" {
			t.Errorf("Quebec %v", caStates["QC"])
		}
		if frStates := states("38", "fr"); frStates["BC"]["state_name"] != "Colombie-Britannique" || frStates["QC"]["state_name"] != "Québec" {
			t.Errorf("French provinces %v %v", frStates["BC"], frStates["QC"])
		}
		us := states("223", "")
		if len(us) < 51 || us["NY"]["state_id"] != "43" {
			t.Errorf("%d US states, NY=%v", len(us), us["NY"])
		}
		if fr := states("73", ""); len(fr) != 0 {
			t.Errorf("France has states %v", fr)
		}
		xs := vmu(t, n, "xml", "get_states", vmuCreds(cust, "country_id", "38")).ok(t, "xml states")
		if l := xs.XML.child("response_content").child("states").all("state"); len(l) != 13 {
			t.Errorf("XML lists %d provinces", len(l))
		}

		vmu(t, n, "json", "get_states", vmuCreds(cust)).wantCodes(t, "no country", "country_id_required")
		vmu(t, n, "xml", "get_states", vmuCreds(cust, "country_id", "")).wantCodes(t, "blank country", "country_id_required")
		vmu(t, n, "json", "get_states", vmuCreds(cust, "country_id", "9999")).wantCodes(t, "unknown country", "country_id_invalid")
		vmu(t, n, "json", "get_states", vmuCreds(cust, "country_id", "CA")).wantCodes(t, "country code", "country_id_invalid")
		for _, rt := range []string{"get_states", "get_countries", "get_account_details"} {
			vmu(t, n, "json", rt, vmuCreds(cust, "country_id", "38", "language", "de")).wantCodes(t, rt+" language=de", "language_invalid")
		}
		vmu(t, n, "xml", "get_countries", vmuCreds(cust, "language", "EN-us")).wantCodes(t, "language=EN-us", "language_invalid")
		a := vmu(t, n, "json", "get_states", vmuCreds(cust, "language", "fr"))
		a.wantCodes(t, "French error", "country_id_required")
		if len(a.Texts) == 1 && a.Texts[0] != "L'identifiant du pays est requis." {
			t.Errorf("French error text %q", a.Texts[0])
		}
		vmu(t, n, "json", "get_countries", vmuCreds(cust, "currency", "dollars")).wantCodes(t, "bad currency", "currency_invalid")
		vmu(t, n, "json", "get_countries", vmuCreds(cust, "currency", "EUR")).ok(t, "currency EUR")
	})
}

// ---------------------------------------------------------------------------
// 9. XML stays well-formed whatever the stored text holds.

func TestVoicemeupXMLWellFormed(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		cust := n.MustTenant(t, n.AdminToken, "", "Customer", "customer")
		nasty := `a < b && c > d "q" 'a' ]]> <!-- x --> <![CDATA[y]]> &amp; é`
		a := vmu(t, n, "xml", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "O'Brien-Smith",
			"multi_tenancy_mode", "disabled", "status", "enabled", "organization", "R&D <Labs>",
			"comments", nasty, "custom_id", `x"y'z<&>`)).ok(t, "create with markup")
		sub := a.XML.child("response_content").child("subaccount")
		if sub.text("comments") != nasty || sub.text("organization") != "R&D <Labs>" ||
			sub.text("custom_id") != `x"y'z<&>` || sub.text("friendly_name") != "O'Brien-Smith" {
			t.Errorf("markup did not round-trip: %s", a.Raw)
		}
		sid := sub.Attrs["client_subaccount_id"]
		// Characters XML cannot carry are replaced, never emitted raw.
		ctl := "bell\x07 esc\x1b end"
		b := vmu(t, n, "xml", "update_subaccount", vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Control",
			"multi_tenancy_mode", "disabled", "status", "enabled", "comments", ctl)).ok(t, "control characters")
		if strings.ContainsAny(b.XML.child("response_content").child("subaccount").text("comments"), "\x07\x1b") {
			t.Errorf("control characters in XML: %q", b.Raw)
		}
		// What is not text (a NUL, invalid UTF-8) is a bad argument on
		// every store, not a database error on PostgreSQL, and changes
		// nothing.
		for _, bad := range []string{"nul\x00 end", "latin1 caf\xe9", "\xff"} {
			for _, format := range []string{"xml", "json"} {
				vmu(t, n, format, "update_subaccount", vmuCreds(cust, "client_subaccount_id", sid, "friendly_name", "Changed",
					"multi_tenancy_mode", "disabled", "status", "enabled", "comments", bad)).
					wantDetail(t, fmt.Sprintf("comments %q", bad), "internal_error-invalid_argument", "comments")
			}
			vmu(t, n, "json", "update_subaccount", vmuCreds(cust, "mode", "create", "friendly_name", "Sales",
				"multi_tenancy_mode", "disabled", "status", "enabled", "organization", bad)).
				wantDetail(t, fmt.Sprintf("organization %q", bad), "internal_error-invalid_argument", "organization")
		}
		if got := vmuGetSub(t, n, cust, sid); got["friendly_name"] != "Control" {
			t.Errorf("a refused update applied: %v", got)
		}
		if l := vmuArr(t, vmuObj(t, vmu(t, n, "json", "get_subaccounts", vmuCreds(cust)).ok(t, "list").Content, "subaccounts"), "subaccount"); len(l) != 1 {
			t.Errorf("refused creates stored subaccounts: %d", len(l))
		}
		vmuGet(t, n, "/xml_engine/xml_engine.php?"+url.Values{"request_type": {"get_subaccounts"},
			"client_account_id": {cust.Number}, "auth_token": {cust.Token}}.Encode(), "xml").ok(t, "v1.0 list")
		// Error answers are documents with a <response> root as well, with
		// the request's language.
		for _, p := range []url.Values{
			{"auth_token": {cust.Token}},
			vmuCreds(cust, "mode", "create"),
			vmuCreds(cust, "country_id", "x", "language", "fr"),
		} {
			e := vmu(t, n, "xml", "get_states", p)
			if e.Status != "error" {
				t.Errorf("%v: %s", p, e.Raw)
			}
		}
		e := vmu(t, n, "xml", "update_subaccount", vmuCreds(cust, "mode", "create", "language", "fr"))
		e.wantCodes(t, "french error", "friendly_name_required")
		if len(e.Texts) == 1 && e.Texts[0] != "Le nom descriptif est requis." {
			t.Errorf("French text %q", e.Texts[0])
		}
		vmuGet(t, n, "/xml_engine/xml_engine.php", "xml").wantCodes(t, "v1.0 bare", "request_type_required")
		vmuGet(t, n, "/api/v1.1/xml/get_account_details", "xml").
			wantCodes(t, "v1.1 bare", "auth_username_required", "authentication_token_required")
	})
}

package voicemeup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"switchboard/internal/api/voicemeup"
)

func didsResult(context.Context, *voicemeup.Request) (*voicemeup.Result, error) {
	did := voicemeup.Elem("did").Attr("client_did_id", "42").
		Set("phone_number", "5145551234").
		Set("friendly_name", `Main & <office> "A"`).
		SetBool("sms_support", true)
	return voicemeup.OK(voicemeup.List("dids", "did", did)), nil
}

func queueSMSResult(context.Context, *voicemeup.Request) (*voicemeup.Result, error) {
	return (&voicemeup.Result{}).AddMessage("queued_sms_hash", "9f86d081884c7d659a2feaa0c55ad015"), nil
}

// TestEnvelopeGolden pins the exact bytes of both renderings of one tree.
func TestEnvelopeGolden(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("get_dids", didsResult)
	f.handle("queue_sms", queueSMSResult)

	tests := []struct {
		name, target, ctype, want string
	}{
		{
			name:   "json list with one item stays an array",
			target: "/api/v1.1/json/get_dids?" + creds,
			ctype:  "application/json; charset=utf-8",
			want: `{"response_details":{"response_status":"success","response_messages":{"message":[]}},` +
				`"response_content":{"dids":{"did":[{"client_did_id":"42","phone_number":"5145551234",` +
				`"friendly_name":"Main & <office> \"A\"","sms_support":"1"}]}}}` + "\n",
		},
		{
			name:   "xml same tree, id as attribute",
			target: "/api/v1.1/xml/get_dids?" + creds,
			ctype:  "text/xml; charset=utf-8",
			want: `<?xml version="1.0" encoding="utf-8"?>
<response>
  <response_details>
    <response_status>success</response_status>
    <response_messages></response_messages>
  </response_details>
  <response_content>
    <dids>
      <did client_did_id="42">
        <phone_number>5145551234</phone_number>
        <friendly_name>Main &amp; &lt;office&gt; &#34;A&#34;</friendly_name>
        <sms_support>1</sms_support>
      </did>
    </dids>
  </response_content>
</response>
`,
		},
		{
			name:   "queue_sms answers its hash as a message, as clients read it",
			target: "/api/v1.1/json/queue_sms?" + creds,
			ctype:  "application/json; charset=utf-8",
			want: `{"response_details":{"response_status":"success","response_messages":{"message":[` +
				`{"code":"queued_sms_hash","_content":"9f86d081884c7d659a2feaa0c55ad015"}]}}}` + "\n",
		},
		{
			name:   "xml message code is an attribute, text its content",
			target: "/api/v1.1/xml/queue_sms?" + creds,
			ctype:  "text/xml; charset=utf-8",
			want: `<?xml version="1.0" encoding="utf-8"?>
<response>
  <response_details>
    <response_status>success</response_status>
    <response_messages>
      <message code="queued_sms_hash">9f86d081884c7d659a2feaa0c55ad015</message>
    </response_messages>
  </response_details>
</response>
`,
		},
		{
			name:   "json error",
			target: "/api/v1.1/json/get_everything?" + creds,
			ctype:  "application/json; charset=utf-8",
			want: `{"response_details":{"response_status":"error","response_messages":{"message":[` +
				`{"code":"request_type_invalid","_content":"Request type is invalid."}]}}}` + "\n",
		},
		{
			name:   "v1.0 error defaults to xml",
			target: "/xml_engine/xml_engine.php?request_type=get_everything&" + creds,
			ctype:  "text/xml; charset=utf-8",
			want: `<?xml version="1.0" encoding="utf-8"?>
<response>
  <response_details>
    <response_status>error</response_status>
    <response_messages>
      <message code="request_type_invalid">Request type is invalid.</message>
    </response_messages>
  </response_details>
</response>
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(tt.target)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			if r.ctype != tt.ctype {
				t.Errorf("Content-Type %q, want %q", r.ctype, tt.ctype)
			}
			if r.body != tt.want {
				t.Errorf("body:\n%s\nwant:\n%s", r.body, tt.want)
			}
		})
	}
}

// TestNodeRendering covers the JSON conventions on trees the envelope
// tests do not build.
func TestNodeRendering(t *testing.T) {
	tests := []struct {
		name     string
		node     *voicemeup.Node
		wantJSON string
		wantXML  string
	}{
		{
			name:     "bare leaf is a string",
			node:     voicemeup.Leaf("a", "x"),
			wantJSON: `"x"`,
			wantXML:  "<a>x</a>\n",
		},
		{
			name:     "empty element is an empty string",
			node:     voicemeup.Elem("bindings"),
			wantJSON: `""`,
			wantXML:  "<bindings></bindings>\n",
		},
		{
			name:     "attributes and text use _content",
			node:     voicemeup.Leaf("m", "hi").Attr("code", "c"),
			wantJSON: `{"code":"c","_content":"hi"}`,
			wantXML:  "<m code=\"c\">hi</m>\n",
		},
		{
			name:     "repeated children become an array, single stays an object",
			node:     voicemeup.Elem("r").Set("x", "1").Set("y", "2").Set("x", "3"),
			wantJSON: `{"x":["1","3"],"y":"2"}`,
			wantXML:  "<r>\n  <x>1</x>\n  <y>2</y>\n  <x>3</x>\n</r>\n",
		},
		{
			name:     "empty list keeps its array",
			node:     voicemeup.List("dids", "did").Attr("count", "0"),
			wantJSON: `{"count":"0","did":[]}`,
			wantXML:  "<dids count=\"0\"></dids>\n",
		},
		{
			name:     "names from data are made valid",
			node:     voicemeup.Elem("metadata_attributes").Set("1st key", "v").Set("tout_le_monde", "en parle"),
			wantJSON: `{"_1st_key":"v","tout_le_monde":"en parle"}`,
			wantXML:  "<metadata_attributes>\n  <_1st_key>v</_1st_key>\n  <tout_le_monde>en parle</tout_le_monde>\n</metadata_attributes>\n",
		},
		{
			name:     "Item builds list entries in place",
			node:     func() *voicemeup.Node { l := voicemeup.List("l", "e"); l.Item().Text("a"); return l }(),
			wantJSON: `{"e":["a"]}`,
			wantXML:  "<l>\n  <e>a</e>\n</l>\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.node.JSON()); got != tt.wantJSON {
				t.Errorf("JSON %s, want %s", got, tt.wantJSON)
			}
			got := string(tt.node.XML())
			const header = `<?xml version="1.0" encoding="utf-8"?>` + "\n"
			if got != header+tt.wantXML {
				t.Errorf("XML\n%s\nwant\n%s", got, header+tt.wantXML)
			}
		})
	}
}

// TestNodeHostileText checks that control characters and invalid UTF-8 in
// stored text still give well-formed documents in both formats.
func TestNodeHostileText(t *testing.T) {
	hostile := "a\x00b\x01c\xffd]]>\ue000<e>"
	n := voicemeup.Elem("response").Add(voicemeup.Leaf("v", hostile).Attr("k\x00ey", hostile))
	if !json.Valid(n.JSON()) {
		t.Errorf("invalid JSON: %q", n.JSON())
	}
	if err := wellFormedXML(n.XML()); err != nil {
		t.Errorf("invalid XML: %v\n%q", err, n.XML())
	}
}

func wellFormedXML(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 || roots != 1 {
				return errors.New("unbalanced document")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

package voicemeup

import (
	"net/http"
)

// Result is what a handler answers on success.
type Result struct {
	// Messages are listed under response_messages, after any the dialect
	// adds. queue_sms, for one, answers its hash as the message
	// {code: "queued_sms_hash", _content: hash}.
	Messages []Message
	// Content holds the payload elements, rendered inside response_content.
	// When empty, response_content is left out.
	Content []*Node
}

// Message is one entry of response_messages.
type Message struct {
	Code string
	// Content is the message text. Left empty for a code of the error
	// catalog (a notice such as callerid_rejection_notice), it is filled
	// with the catalog's description in the request's language.
	Content string
}

// OK returns a successful Result carrying content.
func OK(content ...*Node) *Result { return &Result{Content: content} }

// AddMessage appends a message and returns r.
func (r *Result) AddMessage(code, content string) *Result {
	r.Messages = append(r.Messages, Message{Code: code, Content: content})
	return r
}

// Envelope statuses.
const (
	statusSuccess = "success"
	statusError   = "error"
)

// envelope builds the response tree shared by both formats:
//
//	<response>
//	  <response_details>
//	    <response_status>success|error</response_status>
//	    <response_messages>
//	      <message code="...">text</message>
//	    </response_messages>
//	  </response_details>
//	  <response_content>...</response_content>
//	</response>
//
// which renders in JSON as {"response_details": {"response_status": ...,
// "response_messages": {"message": [{"code": ..., "_content": ...}]}},
// "response_content": {...}}.
func envelope(status string, msgs []Message, content []*Node) *Node {
	list := List("response_messages", "message")
	for _, m := range msgs {
		list.Item().Attr("code", m.Code).Text(m.Content)
	}
	root := Elem("response").Add(
		Elem("response_details").Set("response_status", status).Add(list),
	)
	if len(content) > 0 {
		root.Add(Elem("response_content").Add(content...))
	}
	return root
}

// messageText fills in the catalog description of a message without text.
func messageText(m Message, lang, requestType string) Message {
	if m.Content != "" {
		return m
	}
	if t, ok := Describe(m.Code, lang, requestType); ok {
		m.Content = t
	} else {
		m.Content = m.Code
	}
	return m
}

// errorMessages renders wire errors as messages in lang.
func errorMessages(errs []wireError, lang, requestType string) []Message {
	out := make([]Message, 0, len(errs))
	for _, e := range errs {
		m := messageText(Message{Code: e.code}, lang, requestType)
		if e.detail != "" {
			m.Content += " (" + e.detail + ")"
		}
		out = append(out, m)
	}
	return out
}

// write sends the tree in format. The API answers every request, failed or
// not, with HTTP 200 and the outcome in response_status: clients read the
// envelope and treat a non-2xx status as a transport failure.
func write(w http.ResponseWriter, format Format, root *Node) {
	var body []byte
	h := w.Header()
	if format == JSON {
		body = append(root.JSON(), '\n')
		h.Set("Content-Type", "application/json; charset=utf-8")
	} else {
		body = root.XML()
		h.Set("Content-Type", "text/xml; charset=utf-8")
	}
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

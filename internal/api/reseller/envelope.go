package reseller

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
)

// envelope is every answer of the dialect, keys in the document's order:
//
//	{"result": ..., "status_code": 200, "status_message": "OK"}
type envelope struct {
	Result        json.RawMessage `json:"result"`
	StatusCode    int             `json:"status_code"`
	StatusMessage string          `json:"status_message"`
}

// Response is a handler's answer with a success status other than 200 OK.
// Handlers return it through Created and NoContent; any other result is
// answered 200 OK.
type Response struct {
	// Status is a 2xx HTTP status.
	Status int
	// Result is rendered as the envelope's result.
	Result any
}

// Created answers 201 Created with result, as the document's create
// commands do.
func Created(result any) *Response {
	return &Response{Status: http.StatusCreated, Result: result}
}

// NoContent answers 204 No Content, as the document's delete command does.
//
// The document shows a 204 with an envelope body, but HTTP forbids a body
// on a 204 (RFC 9110 §15.3.5) and Go's server drops it, so the platform's
// clients cannot have relied on one: the answer is the bare status.
func NoContent() *Response { return &Response{Status: http.StatusNoContent} }

// emptyObject is the result of error answers and of a nil result: the
// document's "result" : {}.
var emptyObject = json.RawMessage(`{}`)

// errBadStatus reports a Response whose status is not a success.
var errBadStatus = errors.New("reseller: Response status is not 2xx")

// renderResult renders a handler's result and the status it asks for. A
// nil result renders as {} and a nil slice as [], so that a client never
// meets a null where the document shows an object or a list.
func renderResult(res any) (status int, raw json.RawMessage, err error) {
	status = http.StatusOK
	if r, ok := res.(*Response); ok && r != nil {
		if r.Status < 200 || r.Status > 299 {
			return 0, nil, fmt.Errorf("%w: %d", errBadStatus, r.Status)
		}
		status, res = r.Status, r.Result
	}
	if rv := reflect.ValueOf(res); rv.Kind() == reflect.Slice && rv.IsNil() {
		return status, json.RawMessage(`[]`), nil
	}
	raw, err = json.Marshal(res)
	if err != nil {
		return 0, nil, err
	}
	if bytes.Equal(raw, []byte("null")) {
		raw = emptyObject
	}
	return status, raw, nil
}

// write sends the envelope of result with status, mirrored as the HTTP
// status: the document's "404 Response" is an HTTP 404 whose body says 404.
func write(w http.ResponseWriter, status int, message string, result json.RawMessage) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	body, err := json.Marshal(envelope{Result: result, StatusCode: status, StatusMessage: message})
	if err != nil {
		// Unreachable: result is valid JSON, the rest are a number and a
		// string.
		status = http.StatusInternalServerError
		body = []byte(`{"result":{},"status_code":500,"status_message":"Internal Server Error"}`)
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeFailure sends an error answer.
func writeFailure(w http.ResponseWriter, f failure) {
	write(w, f.status, f.message, emptyObject)
}

// Package carrier is the carrier dialect of Switchboard: the DID carrier
// API of numbers, trunk groups, orders, port-ins, statistics and billing,
// served under /carrier/<endpoint>, so that a client written for that API
// works by changing its base URL.
//
// Every call carries token and accountno. Answers are JSON objects whose
// first key is "status", a string: {"status":"200", ...} on success,
// {"status":"404","error":"Invalid <parameter>"} on failure.
//
// The package is plumbing only: it parses parameters, authenticates,
// dispatches to the Handler registered for the endpoint and renders the
// answer. Handlers call the domain core; no business rule lives here.
package carrier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"

	"switchboard/internal/api/param"
	"switchboard/internal/auth"
	"switchboard/internal/command"
	"switchboard/internal/problem"
)

// Handler answers one endpoint. The result is merged into the success
// answer after "status":"200": return Fields to keep the document's key
// order, or nil for {"status":"200"} alone. A map or struct works too, but
// a map's keys come out sorted. An error is answered through the dialect's
// error table.
type Handler func(ctx context.Context, req *Request) (any, error)

// Config configures a Dialect.
type Config struct {
	// Auth resolves tokens. Required.
	Auth Authenticator
	// Logger receives internal errors and recovered panics; nil means
	// slog.Default().
	Logger *slog.Logger
	// MaxBody limits form-encoded and JSON bodies; zero means
	// DefaultMaxBody.
	MaxBody int64
	// MaxMultipartBody limits multipart bodies; zero means
	// DefaultMaxMultipartBody.
	MaxMultipartBody int64
	// Charger charges runs of priced endpoints; nil charges nothing.
	Charger command.Charger
}

// Dialect serves the carrier API. It is safe for concurrent use.
type Dialect struct {
	auth    Authenticator
	log     *slog.Logger
	bodies  param.Limits
	charger command.Charger

	mu       sync.RWMutex
	handlers map[string]Handler
}

// New returns a Dialect with no endpoint implemented; register them with
// Handle. It panics when cfg.Auth is nil.
func New(cfg Config) *Dialect {
	if cfg.Auth == nil {
		panic("carrier: Config.Auth is required")
	}
	d := &Dialect{
		charger:  cfg.Charger,
		auth:     cfg.Auth,
		log:      cfg.Logger,
		bodies:   param.Limits{Body: cfg.MaxBody, Multipart: cfg.MaxMultipartBody}.Or(defaultLimits),
		handlers: map[string]Handler{},
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	return d
}

// Handle registers h for endpoint. Aliases follow their target and are
// never registered themselves. It panics when endpoint is not in the
// table, is an alias, or is already registered: all programming errors.
func (d *Dialect) Handle(endpoint string, h Handler) {
	e, ok := byName[strings.ToLower(endpoint)]
	switch {
	case !ok:
		panic("carrier: unknown endpoint " + endpoint)
	case e.AliasOf != "":
		panic("carrier: " + endpoint + " is an alias of " + e.AliasOf + "; register that")
	case h == nil:
		panic("carrier: nil handler for " + endpoint)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.handlers[e.Name]; dup {
		panic("carrier: endpoint registered twice: " + e.Name)
	}
	d.handlers[e.Name] = h
}

// Implemented returns the endpoints with a handler, aliases included, in
// table order.
func (d *Dialect) Implemented() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []string
	for i := range endpoints {
		if _, ok := d.handlers[target(&endpoints[i]).Name]; ok {
			out = append(out, endpoints[i].Name)
		}
	}
	return out
}

// Register mounts the dialect on mux at /carrier/. The whole subtree is
// mounted, for every method, so that a wrong method or a path that is no
// endpoint still gets an answer in the dialect's shape.
func (d *Dialect) Register(mux Mux) {
	mux.Handle("/carrier/", d)
}

// errPanic marks the error standing for a recovered handler panic, which
// run has already logged with its stack.
var errPanic = errors.New("handler panicked")

// ServeHTTP serves one call: method, endpoint, parameters, credentials,
// handler, in that order, each failure answered in the dialect's shape.
func (d *Dialect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	called := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/carrier/"), "/")
	defer func() {
		// The last line of defence: whatever fails in the plumbing itself
		// still answers in the dialect's shape, never a bare 500.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			d.log.Error("carrier: panic serving request", "endpoint", called, "panic", v, "stack", string(debug.Stack()))
			f, _ := failureOf(errPanic)
			fail(w, f)
		}
	}()

	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		fail(w, failMethod)
		return
	}
	e, ok := byName[strings.ToLower(called)]
	if !ok || strings.Contains(called, "/") {
		fail(w, failUnknownEndpoint)
		return
	}
	e = target(e)

	p, err := d.parseParams(w, r)
	defer p.Cleanup()
	if err != nil {
		switch {
		case errors.Is(err, param.ErrBodyTooLarge):
			fail(w, failBodyTooLarge)
		case errors.Is(err, param.ErrBadBody):
			fail(w, failBadBody)
		default:
			d.failErr(w, called, err)
		}
		return
	}
	req := &Request{Endpoint: e.Name, Called: called, Params: p.Values, Files: p.Files, HTTP: r}

	ctx := r.Context()
	principal, err := d.authenticate(ctx, req.value("token"), req.value("accountno"))
	if err != nil {
		d.failErr(w, called, err)
		return
	}
	ctx = auth.WithPrincipal(ctx, principal)
	req.Principal = principal
	req.Params = withoutToken(p.Values)

	d.mu.RLock()
	h, ok := d.handlers[e.Name]
	d.mu.RUnlock()
	if !ok {
		fail(w, failNotImplemented(e.Name))
		return
	}
	if e.Write && !principal.CanWrite() {
		d.failErr(w, called, problem.New(problem.Forbidden, "read-only credentials"))
		return
	}
	if err := checkRequired(req, e); err != nil {
		d.failErr(w, called, err)
		return
	}

	var charge command.Charge
	if d.charger != nil {
		if charge, err = d.charger.Charge(ctx, principal, command.Carrier, e.Name); err != nil {
			d.failErr(w, called, err)
			return
		}
		if charge.Charged() {
			w.Header().Set(command.Header, charge.Reference)
		}
	}
	res, err := d.run(ctx, h, req)
	if err != nil {
		if charge.Charged() {
			d.charger.Refund(ctx, charge)
		}
		d.failErr(w, called, err)
		return
	}
	if f, ok := res.(*File); ok {
		writeFile(w, f)
		return
	}
	body, err := successBody(res)
	if err != nil {
		d.failErr(w, called, problem.Wrap(fmt.Errorf("render %s: %w", e.Name, err), "internal error"))
		return
	}
	write(w, http.StatusOK, body)
}

// withoutToken returns params without the token, in any spelling.
func withoutToken(params map[string][]string) map[string][]string {
	out := maps.Clone(params)
	for k := range out {
		if strings.EqualFold(strings.TrimSuffix(k, "[]"), "token") {
			delete(out, k)
		}
	}
	return out
}

// checkRequired answers "Invalid <parameter>" for the first parameter the
// document requires that the call lacks.
func checkRequired(req *Request, e *Endpoint) error {
	for _, name := range e.Required {
		if !req.Has(name) {
			return missing(name)
		}
	}
	for _, name := range e.RequiredFiles {
		if _, ok := req.File(name); !ok {
			return missing(name)
		}
	}
	return nil
}

// run calls h, turning a panic into an internal error.
func (d *Dialect) run(ctx context.Context, h Handler, req *Request) (res any, err error) {
	defer func() {
		if v := recover(); v != nil {
			d.log.Error("carrier: handler panic", "endpoint", req.Endpoint, "panic", v, "stack", string(debug.Stack()))
			res, err = nil, &problem.Error{Code: problem.Internal, Message: "internal error", Err: fmt.Errorf("%w: %v", errPanic, v)}
		}
	}()
	return h(ctx, req)
}

// failErr answers err through the error table, logging what the caller is
// not told.
func (d *Dialect) failErr(w http.ResponseWriter, endpoint string, err error) {
	f, logged := failureOf(err)
	if logged && !errors.Is(err, errPanic) {
		d.log.Error("carrier: request failed", "endpoint", endpoint, "err", err)
	}
	fail(w, f)
}

// fail writes an error answer.
func fail(w http.ResponseWriter, f failure) {
	body, err := f.body().MarshalJSON()
	if err != nil {
		// Unreachable: the body is two strings.
		body = []byte(`{"status":"500","error":"Internal error"}`)
	}
	write(w, f.status, body)
}

// File is a handler's answer that is a download rather than JSON.
type File struct {
	Name        string // the file name offered to the client
	ContentType string
	Body        []byte
}

// writeFile sends f as the whole answer.
func writeFile(w http.ResponseWriter, f *File) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(f.Name)+`"`)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Body)
}

// write sends a JSON answer with status.
func write(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Mux is where Register mounts the dialect (an *http.ServeMux or a wrapper
// that records patterns).
type Mux interface {
	Handle(pattern string, handler http.Handler)
}

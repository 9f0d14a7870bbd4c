// Package reseller is the reseller dialect of Switchboard: the VoIP
// reseller platform's REST API of call packs, bundles and the rest,
// served under /voip/ (e.g. GET /voip/call-pack), so that a client written
// for that platform works by changing its base URL.
//
// Every call carries the headers X-Auth-Reseller, X-Auth-User and
// X-Auth-Password. Bodies are JSON. Every answer is the envelope
// {"result": ..., "status_code": ..., "status_message": ...}, with the
// HTTP status equal to status_code; ids are rendered as UUIDs.
//
// The package is plumbing only: it routes, authenticates, reads the body,
// calls the Handler registered for the route and renders the envelope.
// Handlers call the domain core; no business rule lives here.
package reseller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"switchboard/internal/auth"
	"switchboard/internal/command"
	"switchboard/internal/problem"
)

// mount is where Register mounts the dialect.
const mount = "/voip"

// DefaultMaxBody bounds request bodies when Config leaves MaxBody zero:
// the document's bodies are a few small fields.
const DefaultMaxBody = 1 << 20

// Handler answers one route. The result is rendered as the envelope's
// result with 200 OK; return Created or NoContent for those statuses. An
// error is answered through the dialect's error table.
type Handler func(ctx context.Context, req *Request) (result any, err error)

// Config configures a Dialect.
type Config struct {
	// Auth checks the credential headers. Required.
	Auth Authenticator
	// Logger receives internal errors and recovered panics; nil means
	// slog.Default().
	Logger *slog.Logger
	// MaxBody limits request bodies; zero means DefaultMaxBody.
	MaxBody int64
	// Charger charges runs of priced routes; nil charges nothing.
	Charger command.Charger
}

// Dialect serves the reseller API. It is safe for concurrent use.
type Dialect struct {
	auth    Authenticator
	log     *slog.Logger
	maxBody int64
	charger command.Charger

	mu     sync.RWMutex
	routes []*route
}

// New returns a Dialect with no routes; add them with Handle. It panics
// when cfg.Auth is nil.
func New(cfg Config) *Dialect {
	if cfg.Auth == nil {
		panic("reseller: Config.Auth is required")
	}
	d := &Dialect{auth: cfg.Auth, log: cfg.Logger, maxBody: cfg.MaxBody, charger: cfg.Charger}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.maxBody <= 0 {
		d.maxBody = DefaultMaxBody
	}
	return d
}

// Handle registers h for method and pattern. The pattern is relative to
// /voip and made of literal segments and {name} wildcards, e.g.
// "/call-pack/{uuid}"; a literal segment beats a wildcard where both
// match. A GET route serves HEAD too. It panics on a bad method or
// pattern, a nil handler, or a route that is already registered: all
// programming errors.
func (d *Dialect) Handle(method, pattern string, h Handler) {
	if !slices.Contains(methods, method) {
		panic("reseller: method " + method + " cannot be routed")
	}
	segs, err := parsePattern(pattern)
	if err != nil {
		panic("reseller: " + err.Error())
	}
	if h == nil {
		panic("reseller: nil handler for " + method + " " + pattern)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, rt := range d.routes {
		if rt.method == method && sameShape(rt.segs, segs) {
			panic("reseller: " + method + " " + pattern + " conflicts with " + rt.pattern)
		}
	}
	d.routes = append(d.routes, &route{method: method, pattern: pattern, segs: segs, h: h})
}

// Commands returns every route as "METHOD /voip/pattern", the names under
// which the operator prices them.
func (d *Dialect) Commands() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]string, 0, len(d.routes))
	for _, rt := range d.routes {
		out = append(out, rt.method+" "+mount+rt.pattern)
	}
	return out
}

// Register mounts the dialect on mux at /voip/, for every method, so that
// an unknown path or a wrong method still gets the envelope.
func (d *Dialect) Register(mux Mux) {
	mux.Handle(mount, d)
	mux.Handle(mount+"/", d)
}

// errPanic marks the error standing for a recovered handler panic, which
// run has already logged with its stack.
var errPanic = errors.New("handler panicked")

// ServeHTTP serves one call: route, credentials, body, handler, in that
// order, each failure answered with the envelope.
func (d *Dialect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// The last line of defence: whatever fails in the plumbing itself
		// still answers the envelope, never a bare 500.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			d.log.Error("reseller: panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			writeFailure(w, statusFailure(http.StatusInternalServerError))
		}
	}()

	path, ok := splitPath(r.URL.EscapedPath())
	if !ok {
		writeFailure(w, failNotFound)
		return
	}
	d.mu.RLock()
	rt, allowed := match(d.routes, r.Method, path)
	d.mu.RUnlock()
	if rt == nil {
		if len(allowed) == 0 {
			writeFailure(w, failNotFound)
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeFailure(w, failMethod)
		return
	}

	ctx := r.Context()
	principal, err := d.authenticate(ctx, r.Header)
	if err != nil {
		d.fail(w, rt, err)
		return
	}
	ctx = auth.WithPrincipal(ctx, principal)
	// Every method but GET creates, renews, updates or deletes something:
	// read-only credentials may only read.
	if rt.method != http.MethodGet && !principal.CanWrite() {
		d.fail(w, rt, problem.New(problem.Forbidden, "read-only credentials"))
		return
	}

	body, f := readBody(w, r, d.maxBody)
	if f != nil {
		writeFailure(w, *f)
		return
	}
	vals := rt.values(path)
	for k, v := range vals {
		r.SetPathValue(k, v) // so that req.HTTP.PathValue agrees
	}
	req := &Request{
		Method:    r.Method,
		Pattern:   rt.pattern,
		Principal: principal,
		Query:     r.URL.Query(),
		HTTP:      r,
		body:      body,
		path:      vals,
	}
	var charge command.Charge
	if d.charger != nil {
		if charge, err = d.charger.Charge(ctx, principal, command.Reseller, rt.method+" "+mount+rt.pattern); err != nil {
			d.fail(w, rt, err)
			return
		}
		if charge.Charged() {
			w.Header().Set(command.Header, charge.Reference)
		}
	}
	res, err := d.run(ctx, rt.h, req)
	if err != nil {
		if charge.Charged() {
			d.charger.Refund(ctx, charge)
		}
		d.fail(w, rt, err)
		return
	}
	status, raw, err := renderResult(res)
	if err != nil {
		d.fail(w, rt, problem.Wrap(fmt.Errorf("render %s %s: %w", rt.method, rt.pattern, err), "internal error"))
		return
	}
	write(w, status, http.StatusText(status), raw)
}

// run calls h, turning a panic into an internal error.
func (d *Dialect) run(ctx context.Context, h Handler, req *Request) (res any, err error) {
	defer func() {
		if v := recover(); v != nil {
			d.log.Error("reseller: handler panic", "method", req.Method, "pattern", req.Pattern, "panic", v, "stack", string(debug.Stack()))
			res, err = nil, &problem.Error{Code: problem.Internal, Message: "internal error", Err: fmt.Errorf("%w: %v", errPanic, v)}
		}
	}()
	return h(ctx, req)
}

// fail answers err through the error table, logging what the caller is not
// told.
func (d *Dialect) fail(w http.ResponseWriter, rt *route, err error) {
	f, logged := failureOf(err)
	if logged && !errors.Is(err, errPanic) {
		d.log.Error("reseller: request failed", "method", rt.method, "pattern", rt.pattern, "err", err)
	}
	writeFailure(w, f)
}

// Mux is where Register mounts the dialect (an *http.ServeMux or a wrapper
// that records patterns).
type Mux interface {
	Handle(pattern string, handler http.Handler)
}

// errNotImplemented answers a documented route whose operation arrives with
// a later feature.
var errNotImplemented = errors.New("not implemented")

// Planned registers a documented route whose operation is not built yet: it
// authenticates like every route and answers 501 Not Implemented, so a
// client can tell "not yet" from "no such route" (404).
func (d *Dialect) Planned(method, pattern string) {
	d.Handle(method, pattern, func(context.Context, *Request) (any, error) { return nil, errNotImplemented })
}

// Package voicemeup is the VoiceMeUp XML Engine API dialect of Switchboard:
// it serves the v1.1 endpoints /api/v1.1/json/<request_type> and
// /api/v1.1/xml/<request_type> and the deprecated v1.0 endpoint
// /xml_engine/xml_engine.php, so that a client written for that API works
// by changing its base URL.
//
// The package is plumbing only: it parses parameters, authenticates,
// enforces the hourly limits, dispatches to the Handler registered for the
// request type, and renders the response envelope in JSON or XML. Handlers
// call the domain core; no business rule lives here.
package voicemeup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"switchboard/internal/api/param"
	"switchboard/internal/auth"
	"switchboard/internal/command"
	"switchboard/internal/problem"
)

const (
	version10 = "1.0"
	version11 = "1.1"
)

// Handler answers one request type.
type Handler func(ctx context.Context, req *Request) (*Result, error)

// HandleOption adjusts how a request type is served.
type HandleOption func(*route)

// RequireWrite refuses the request type, with permission_refused, to
// principals that may only read.
func RequireWrite() HandleOption { return func(r *route) { r.write = true } }

// RequireAdmin refuses the request type, with permission_refused, to
// principals that are not administrators of their account.
func RequireAdmin() HandleOption { return func(r *route) { r.admin = true } }

type route struct {
	h     Handler
	write bool
	admin bool
}

// Config configures a Dialect.
type Config struct {
	// Auth resolves auth_token values. Required.
	Auth Authenticator
	// Limits counts requests for the hourly limits; nil disables them.
	Limits LimitStore
	// HourlyLimits replaces, for every account, the values of DefaultLimits
	// for the buckets it names (per-account overrides still come from
	// Limits). Its keys are the buckets of Bucket.
	HourlyLimits map[string]int64
	// Logger receives internal errors and recovered panics; nil means
	// slog.Default().
	Logger *slog.Logger
	// MaxBody limits form-encoded bodies; zero means DefaultMaxBody.
	MaxBody int64
	// MaxMultipartBody limits multipart bodies; zero means
	// DefaultMaxMultipartBody.
	MaxMultipartBody int64
	// Now is the clock of the hourly limits; nil means time.Now.
	Now func() time.Time
	// Charger charges runs of priced request types; nil charges nothing.
	Charger command.Charger
}

// Dialect serves the VoiceMeUp API. It is safe for concurrent use.
type Dialect struct {
	auth    Authenticator
	limits  *limiter
	log     *slog.Logger
	bodies  param.Limits
	charger command.Charger

	mu     sync.RWMutex
	routes map[string]route
}

// New returns a Dialect with only get_request_types implemented; register
// the others with Handle. It panics when cfg.Auth is nil.
func New(cfg Config) *Dialect {
	if cfg.Auth == nil {
		panic("voicemeup: Config.Auth is required")
	}
	d := &Dialect{
		charger: cfg.Charger,
		auth:    cfg.Auth,
		log:     cfg.Logger,
		bodies:  param.Limits{Body: cfg.MaxBody, Multipart: cfg.MaxMultipartBody}.Or(defaultLimits),
		routes:  map[string]route{},
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	d.limits = newLimiter(cfg.Limits, cfg.HourlyLimits, now)
	d.Handle("get_request_types", d.getRequestTypes)
	return d
}

// Handle registers h for requestType. It panics when requestType is not a
// request type of the document or is already registered: both are
// programming errors.
func (d *Dialect) Handle(requestType string, h Handler, opts ...HandleOption) {
	if !IsRequestType(requestType) {
		panic("voicemeup: unknown request type " + requestType)
	}
	if h == nil {
		panic("voicemeup: nil handler for " + requestType)
	}
	rt := route{h: h}
	for _, o := range opts {
		o(&rt)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.routes[requestType]; dup {
		panic("voicemeup: request type registered twice: " + requestType)
	}
	d.routes[requestType] = rt
}

// Implemented returns the request types with a handler, in document order.
func (d *Dialect) Implemented() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []string
	for _, t := range requestTypes {
		if _, ok := d.routes[t]; ok {
			out = append(out, t)
		}
	}
	return out
}

// Register mounts the dialect's endpoints on mux.
func (d *Dialect) Register(mux Mux) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		for _, f := range []Format{JSON, XML} {
			prefix := method + " /api/v1.1/" + string(f) + "/"
			mux.HandleFunc(prefix+"{request_type}", func(w http.ResponseWriter, r *http.Request) {
				d.serve(w, r, version11, f, r.PathValue("request_type"))
			})
			mux.HandleFunc(prefix+"{$}", func(w http.ResponseWriter, r *http.Request) {
				d.serve(w, r, version11, f, "")
			})
		}
		mux.HandleFunc(method+" /xml_engine/xml_engine.php", func(w http.ResponseWriter, r *http.Request) {
			d.serve(w, r, version10, "", "")
		})
	}
}

// serve runs one request through parsing, authentication, limits and the
// handler. Every outcome is an envelope with HTTP 200.
func (d *Dialect) serve(w http.ResponseWriter, r *http.Request, version string, format Format, requestType string) {
	lang := "en"
	if format == "" {
		format = XML
	}
	defer func() {
		// The last line of defence: whatever fails in the plumbing itself
		// still answers an envelope, never a bare 500.
		if v := recover(); v != nil {
			d.log.Error("voicemeup: panic serving request", "request_type", requestType, "panic", v, "stack", string(debug.Stack()))
			d.fail(w, format, lang, requestType, []wireError{{code: errInternal}})
		}
	}()

	p, perr := d.parseParams(w, r)
	defer p.Cleanup()
	params := p.Values

	var errs []wireError
	if version == version10 {
		requestType = strings.TrimSpace(params.Get("request_type"))
		switch strings.ToLower(strings.TrimSpace(params.Get("output_format"))) {
		case "", "xml":
			format = XML
		case "json":
			format = JSON
		default:
			errs = append(errs, wireErrorOf(invalid("output_format", "must be json or xml")))
		}
	}
	switch l := strings.ToLower(strings.TrimSpace(params.Get("language"))); l {
	case "", "en":
	case "fr":
		lang = "fr"
	default:
		errs = append(errs, wireError{code: "language_invalid"})
	}
	if perr != nil {
		detail := "malformed request body"
		if errors.Is(perr, param.ErrBodyTooLarge) {
			detail = "request body too large"
		}
		d.fail(w, format, lang, requestType, []wireError{{code: errInvalidArgument, detail: detail}})
		return
	}
	currency := strings.TrimSpace(params.Get("currency"))
	if currency != "" && !isCurrency(currency) {
		errs = append(errs, wireError{code: "currency_invalid"})
	}
	if bad, ok := unstorableParam(params); ok {
		errs = append(errs, wireError{code: errInvalidArgument, detail: bad})
	}
	switch {
	case requestType == "":
		errs = append(errs, wireError{code: errTypeRequired})
	case !IsRequestType(requestType):
		errs = append(errs, wireError{code: errTypeInvalid})
	}
	if len(errs) > 0 {
		d.fail(w, format, lang, requestType, errs)
		return
	}

	ctx := r.Context()
	principal, err := d.authenticate(ctx, params, version)
	if err != nil {
		d.fail(w, format, lang, requestType, wireErrors(err))
		return
	}
	ctx = auth.WithPrincipal(ctx, principal)

	d.mu.RLock()
	rt, ok := d.routes[requestType]
	d.mu.RUnlock()
	if !ok {
		d.fail(w, format, lang, requestType, []wireError{{code: errTypeNotAvailable}})
		return
	}
	if (rt.write && !principal.CanWrite()) || (rt.admin && !principal.IsAdmin()) {
		d.fail(w, format, lang, requestType, []wireError{{code: errPermission}})
		return
	}

	state, err := d.limits.count(ctx, principal.AccountID, requestType)
	if err != nil {
		d.fail(w, format, lang, requestType, wireErrors(err))
		return
	}
	if state == limitHard {
		d.fail(w, format, lang, requestType, []wireError{{code: errHardLimit}})
		return
	}

	vals := maps.Clone(params)
	delete(vals, "auth_token")
	req := &Request{
		Type:      requestType,
		Version:   version,
		Format:    format,
		Language:  lang,
		Currency:  currency,
		Principal: principal,
		Params:    vals,
		Files:     p.Files,
		HTTP:      r,
	}
	var charge command.Charge
	if d.charger != nil {
		if charge, err = d.charger.Charge(ctx, principal, command.Voicemeup, requestType); err != nil {
			d.fail(w, format, lang, requestType, wireErrors(err))
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
		d.fail(w, format, lang, requestType, wireErrors(err))
		return
	}
	if res == nil {
		res = &Result{}
	}
	msgs := make([]Message, 0, len(res.Messages)+1)
	for _, m := range res.Messages {
		msgs = append(msgs, messageText(m, lang, requestType))
	}
	if state == limitSoft {
		msgs = append(msgs, messageText(Message{Code: errSoftLimit}, lang, requestType))
	}
	write(w, format, envelope(statusSuccess, msgs, res.Content))
}

// errPanic marks the error standing for a recovered handler panic, which
// run has already logged with its stack.
var errPanic = errors.New("handler panicked")

// run calls h, turning a panic into an internal error.
func (d *Dialect) run(ctx context.Context, h Handler, req *Request) (res *Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			d.log.Error("voicemeup: handler panic", "request_type", req.Type, "panic", v, "stack", string(debug.Stack()))
			res, err = nil, &problem.Error{Code: problem.Internal, Message: "internal error", Err: fmt.Errorf("%w: %v", errPanic, v)}
		}
	}()
	return h(ctx, req)
}

// fail answers an error envelope, logging the causes of internal errors.
func (d *Dialect) fail(w http.ResponseWriter, format Format, lang, requestType string, errs []wireError) {
	for _, e := range errs {
		if e.cause != nil && !errors.Is(e.cause, errPanic) {
			d.log.Error("voicemeup: request failed", "request_type", requestType, "err", e.cause)
		}
	}
	write(w, format, envelope(statusError, errorMessages(errs, lang, requestType), nil))
}

// getRequestTypes answers get_request_types: the implemented request types.
func (d *Dialect) getRequestTypes(context.Context, *Request) (*Result, error) {
	list := List("request_types", "request_type")
	for _, t := range d.Implemented() {
		list.Add(Leaf("request_type", t))
	}
	return OK(list), nil
}

// unstorableParam finds a parameter whose name or value is not text: invalid
// UTF-8 or a NUL byte, which PostgreSQL refuses to store (SQLite would keep
// it), so that such input is a bad argument on every store rather than a
// database error on one. It returns the parameter's name, or a stand-in
// when the name itself is the culprit.
func unstorableParam(params url.Values) (string, bool) {
	text := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
	keys := slices.Sorted(maps.Keys(params))
	for _, k := range keys {
		if !text(k) {
			return "parameter name", true
		}
		for _, v := range params[k] {
			if !text(v) {
				return k, true
			}
		}
	}
	return "", false
}

// isCurrency reports whether s looks like an ISO 4217 code.
func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Mux is where Register mounts the dialect's routes (an *http.ServeMux or a
// wrapper that records patterns).
type Mux interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

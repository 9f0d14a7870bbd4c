// Package native is Switchboard's own HTTP API under /api, in the
// conventions of the PortSIP call-rates document: resource collections with
// filter/search/orderby/skip/top, {"count","items"} lists, POST to create and
// update, POST /{id}/destroy to delete, and {"errors":[...]} failures. Its
// OpenAPI 3.1 document is generated from the registered operations, so the
// document and the routes cannot drift apart.
package native

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"switchboard/internal/account"
	"switchboard/internal/auth"
	"switchboard/internal/bundle"
	"switchboard/internal/callpack"
	"switchboard/internal/catalog"
	"switchboard/internal/cdr"
	"switchboard/internal/command"
	"switchboard/internal/extension"
	"switchboard/internal/invoice"
	"switchboard/internal/ledger"
	"switchboard/internal/number"
	"switchboard/internal/payment"
	"switchboard/internal/peer"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/tariff"
)

// Limiter counts requests per account and window across nodes.
type Limiter interface {
	Add(ctx context.Context, accountID int64, bucket string, window time.Time, delta int64) (int64, error)
	Overrides(ctx context.Context, accountID int64) (map[string]int64, error)
}

// Config wires the native API to the domain services.
type Config struct {
	Accounts *account.Service
	Auth     *auth.Service
	Tariffs  *tariff.Service
	Ledger   *ledger.Service
	Payments *payment.Service
	Commands *command.Service
	// Peers serves /api/peers; nil leaves the routes out.
	Peers *peer.Service
	// Extensions serves /api/extensions; nil leaves the routes out.
	Extensions *extension.Service
	// CDRs serves /api/cdrs; nil leaves the routes out.
	CDRs *cdr.Service
	// Charger charges runs of priced commands; nil charges nothing.
	Charger command.Charger
	Catalog *catalog.Service
	Bundles *bundle.Service
	// CallPacks sells call packs.
	CallPacks *callpack.Service
	Invoices  *invoice.Service
	// Numbers serves inventory, owned numbers and back-orders; nil leaves
	// the routes out.
	Numbers *number.Service
	Limiter Limiter
	// PerMinute is the default number of native requests an account may make
	// per minute; the operator overrides it per account with api_limits.native.
	PerMinute int64
	Version   string
	Log       *slog.Logger
}

// API is the native dialect.
type API struct {
	cfg       Config
	api       huma.API
	overrides overrideCache
	meter     meter
}

type principalKey struct{}

// New builds the API and registers its routes on mux.
func New(mux humago.Mux, cfg Config) *API {
	if cfg.PerMinute == 0 {
		cfg.PerMinute = 1200
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	hc := huma.DefaultConfig("Switchboard API", cfg.Version)
	hc.CreateHooks = nil // no $schema links in bodies: clients of the documented API do not expect them
	hc.OpenAPIPath = "/api/openapi"
	hc.DocsPath = "/api/docs"
	hc.SchemasPath = "/api/schemas"
	hc.Info.Description = "Switchboard's native API. Authenticate with `Authorization: Bearer <token>`; ids are opaque strings; money is a string with 5 decimals."
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token (32 hex characters) or an access_token from /api/login."},
	}
	a := &API{cfg: cfg, api: humago.New(mux, hc)}
	a.meter.store = cfg.Limiter
	a.api.UseMiddleware(a.authenticate)
	a.registerSession()
	a.registerAccounts()
	a.registerSubaccounts()
	a.registerUsers()
	a.registerTokens()
	a.registerTariffs()
	a.registerCallRates()
	a.registerRating()
	a.registerTransactions()
	a.registerPayments()
	a.registerCommandPrices()
	a.registerCatalog()
	a.registerBundles()
	a.registerCallPacks()
	a.registerPeers()
	a.registerExtensions()
	a.registerCDRs()
	a.registerInvoices()
	a.registerNumbers()
	return a
}

// OpenAPI returns the generated document.
func (a *API) OpenAPI() *huma.OpenAPI { return a.api.OpenAPI() }

// public marks an operation that needs no credential.
const public = "public"

// authenticate resolves the bearer token of every non-public operation and
// applies the per-account request limit.
func (a *API) authenticate(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil || op.Metadata[public] == true {
		next(ctx)
		return
	}
	h := ctx.Header("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	if h == "" || !strings.EqualFold(scheme, "Bearer") {
		a.writeErr(ctx, problem.New(problem.Unauthorized, "missing bearer token"))
		return
	}
	p, err := a.cfg.Auth.AuthenticateToken(ctx.Context(), strings.TrimSpace(tok))
	if err != nil {
		a.writeErr(ctx, err)
		return
	}
	if retry, err := a.limit(ctx.Context(), p); err != nil {
		e := fromProblem(err)
		e.RetryAfter = retry
		a.writeErr(ctx, e)
		return
	}
	if a.cfg.Charger == nil {
		next(huma.WithValue(ctx, principalKey{}, p))
		return
	}
	charge, err := a.cfg.Charger.Charge(ctx.Context(), p, command.Native, op.Method+" "+op.Path)
	if err != nil {
		a.writeErr(ctx, err)
		return
	}
	if charge.Charged() {
		ctx.SetHeader(command.Header, charge.Reference)
	}
	next(huma.WithValue(ctx, principalKey{}, p))
	if charge.Charged() && ctx.Status() >= http.StatusBadRequest {
		a.cfg.Charger.Refund(ctx.Context(), charge)
	}
}

// limit counts the request in the account's current minute against the
// account's limit: the operator's api_limits.native override, else the
// node default.
func (a *API) limit(ctx context.Context, p auth.Principal) (int, error) {
	if a.cfg.Limiter == nil {
		return 0, nil
	}
	now := time.Now()
	window := now.Truncate(time.Minute)
	n, err := a.meter.hit(ctx, p.AccountID, window)
	if err != nil {
		a.cfg.Log.Warn("request limit unavailable", "err", err)
		return 0, nil // a counting failure must not take the API down
	}
	limit := a.overrides.get(ctx, a.cfg.Limiter, p.AccountID, a.cfg.PerMinute)
	if n > limit {
		retry := int(window.Add(time.Minute).Sub(now).Seconds()) + 1
		return retry, problem.New(problem.RateLimited, "request limit of %d per minute reached", limit)
	}
	return 0, nil
}

// overrideCache keeps each account's native limit for a short while, so
// the per-request check costs one counter write and no extra read.
type overrideCache struct {
	mu      sync.Mutex
	entries map[int64]overrideEntry
}

type overrideEntry struct {
	limit   int64
	fetched time.Time
}

// overrideTTL bounds how long an operator's change takes to apply.
const overrideTTL = 15 * time.Second

func (c *overrideCache) get(ctx context.Context, l Limiter, accountID, def int64) int64 {
	c.mu.Lock()
	e, ok := c.entries[accountID]
	c.mu.Unlock()
	if ok && time.Since(e.fetched) < overrideTTL {
		return e.limit
	}
	limit := def
	if o, err := l.Overrides(ctx, accountID); err == nil {
		if v, ok := o["native"]; ok && v > 0 {
			limit = v
		}
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 100_000 {
		c.entries = map[int64]overrideEntry{}
	}
	c.entries[accountID] = overrideEntry{limit: limit, fetched: time.Now()}
	c.mu.Unlock()
	return limit
}

func (a *API) writeErr(ctx huma.Context, err error) {
	e, ok := err.(*Error)
	if !ok {
		e = fromProblem(err)
	}
	if e.status >= 500 {
		a.cfg.Log.Error("native request failed", "op", ctx.Operation().OperationID, "err", err)
	}
	for k, v := range e.GetHeaders() {
		ctx.SetHeader(k, v[0])
	}
	ctx.SetHeader("Content-Type", "application/json")
	ctx.SetStatus(e.status)
	_ = a.api.Marshal(ctx.BodyWriter(), "application/json", e)
}

// who returns the principal the middleware attached.
func who(ctx context.Context) auth.Principal {
	p, _ := ctx.Value(principalKey{}).(auth.Principal)
	return p
}

// fail turns a domain error into the native error, logging internal ones.
func (a *API) fail(ctx context.Context, err error) error {
	e := fromProblem(err)
	if e.status >= 500 {
		a.cfg.Log.Error("native request failed", "err", err)
	}
	return e
}

// ListInput are the collection query parameters every list takes.
type ListInput struct {
	Filter  string `query:"filter" maxLength:"2000" doc:"OData-style filter: eq ne gt ge lt le, and or not, parentheses, startswith() endswith() contains()"`
	Search  string `query:"search" maxLength:"200" doc:"Free text matched against the searchable fields"`
	OrderBy string `query:"orderby" maxLength:"200" doc:"Comma-separated fields, each optionally followed by asc or desc"`
	Skip    int    `query:"skip" minimum:"0" maximum:"10000000" default:"0" doc:"Items to skip"`
	Top     int    `query:"top" minimum:"1" maximum:"100" default:"100" doc:"Page size"`
}

func (l *ListInput) params() query.Params {
	top := l.Top
	if top == 0 {
		top = 100
	}
	return query.Params{Filter: l.Filter, Search: l.Search, OrderBy: l.OrderBy, Skip: strconv.Itoa(l.Skip), Top: strconv.Itoa(top)}
}

// ListBody is the {"count","items"} shape of every collection.
type ListBody[T any] struct {
	Count int `json:"count" doc:"Total number of matching items"`
	Items []T `json:"items"`
}

// listOf renders a page of items with their total count.
func listOf[T, V any](count int, items []T, view func(T) V) *struct{ Body ListBody[V] } {
	out := &struct{ Body ListBody[V] }{}
	out.Body.Count, out.Body.Items = count, make([]V, len(items))
	for i, it := range items {
		out.Body.Items[i] = view(it)
	}
	return out
}

// IDPath is the path parameter of item operations.
type IDPath struct {
	ID string `path:"id" maxLength:"64" doc:"The unique ID of the resource"`
}

// Created is the answer of a create: {"id": ...}.
type Created struct {
	Body struct {
		ID ID `json:"id"`
	}
}

func created(n int64) *Created {
	c := &Created{}
	c.Body.ID = ID(n)
	return c
}

// op describes one operation for register.
type op struct {
	id, method, path, summary, tag string
	public                         bool
	status                         int
	maxBody                        int64 // default 1 MiB
	// binary is the media type of an answer that is a file (its body a
	// []byte), documented as such rather than as JSON.
	binary string
}

func register[I, O any](a *API, o op, h func(context.Context, *I) (*O, error)) {
	operation := huma.Operation{
		OperationID:     o.id,
		Method:          o.method,
		Path:            o.path,
		Summary:         o.summary,
		Tags:            []string{o.tag},
		DefaultStatus:   o.status,
		MaxBodyBytes:    max(o.maxBody, 1<<20),
		BodyReadTimeout: 15 * time.Second,
		Metadata:        map[string]any{},
	}
	if o.binary != "" {
		operation.Responses = map[string]*huma.Response{"200": {Description: "OK",
			Content: map[string]*huma.MediaType{o.binary: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}}}}
	}
	if o.public {
		operation.Metadata[public] = true
	} else {
		operation.Security = []map[string][]string{{"bearer": {}}}
	}
	huma.Register(a.api, operation, h)
}

// crud registers the conventional five routes of a resource besides list
// and create: get, update, destroy (POST) and DELETE.
func destroyRoutes(a *API, tag, plural, singular string, del func(context.Context, auth.Principal, int64) error) {
	h := func(ctx context.Context, in *IDPath) (*struct{}, error) {
		n, err := decodeID(in.ID, singular)
		if err != nil {
			return nil, a.fail(ctx, err)
		}
		if err := del(ctx, who(ctx), n); err != nil {
			return nil, a.fail(ctx, err)
		}
		return nil, nil
	}
	opID := strings.ReplaceAll(singular, " ", "-")
	register(a, op{id: "destroy-" + opID, method: http.MethodPost, path: "/api/" + plural + "/{id}/destroy", summary: "Delete a " + singular, tag: tag, status: http.StatusNoContent}, h)
	register(a, op{id: "delete-" + opID, method: http.MethodDelete, path: "/api/" + plural + "/{id}", summary: "Delete a " + singular, tag: tag, status: http.StatusNoContent}, h)
}

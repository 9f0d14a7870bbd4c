package server

import (
	"net/http"
	"slices"
	"sync"
)

// Router is the node's ServeMux, recording every pattern registered on it so
// that tests can walk all routes (tenant isolation, bad input, OpenAPI
// coverage) and a new route cannot escape them.
type Router struct {
	*http.ServeMux
	mu       sync.Mutex
	patterns []string
}

func newRouter() *Router { return &Router{ServeMux: http.NewServeMux()} }

// HandleFunc registers and records a pattern.
func (r *Router) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	r.record(pattern)
	r.ServeMux.HandleFunc(pattern, h)
}

// Handle registers and records a pattern.
func (r *Router) Handle(pattern string, h http.Handler) {
	r.record(pattern)
	r.ServeMux.Handle(pattern, h)
}

func (r *Router) record(p string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.patterns = append(r.patterns, p)
}

// Patterns returns every registered pattern, sorted.
func (r *Router) Patterns() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.patterns)
	slices.Sort(out)
	return out
}

// methodsFor lists the methods the router serves r's path with, for a 405.
func (r *Router) methodsFor(req *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		probe := req.Clone(req.Context())
		probe.Method = m
		if _, pattern := r.ServeMux.Handler(probe); pattern != "" && pattern != "/api/" {
			out = append(out, m)
		}
	}
	return out
}

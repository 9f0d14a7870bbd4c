package server

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
)

// maxBody bounds every request body; routes set tighter limits of their
// own. Deck imports (a 1M-row deck is about 60 MB) get maxDeckBody.
const (
	maxBody     = 32 << 20
	maxDeckBody = 512 << 20
)

// jsonByDefault lets a native request without a JSON content type (curl -d
// sends a form type) be read as the JSON it is; a body that is not JSON then
// gets the native API's own parse error instead of a content-type refusal.
func jsonByDefault(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/api/v1.1/") {
			ct := r.Header.Get("Content-Type")
			if ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "text/plain") {
				r.Header.Set("Content-Type", "application/json")
			}
		}
		next.ServeHTTP(w, r)
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxBody)
		if r.URL.Path == "/api/call_rates/import" {
			limit = maxDeckBody
		}
		if r.ContentLength > limit {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// recoverer is the last line of defence: a panic becomes a logged 500
// instead of a dropped connection. Dialects recover first and answer in
// their own shape; reaching this is a bug.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, `{"errors":[{"code":"INTERNAL_ERROR","message":"internal error","detail":""}]}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

package server

import (
	"log/slog"
	"net/http"
	"runtime/debug"
)

// maxBody bounds every request body; multipart uploads of the voicemeup
// dialect are bounded by the dialect itself.
const maxBody = 32 << 20

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
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

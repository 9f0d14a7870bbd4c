package reseller_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"switchboard/internal/api/reseller"
	"switchboard/internal/problem"
)

// TestErrorTable answers every domain code through a handler and compares
// the whole answer.
func TestErrorTable(t *testing.T) {
	secret := errors.New("pq: password authentication failed for user sb_admin")
	bad := func(msg string) string {
		return `{"result":{},"status_code":400,"status_message":"Bad Request` + msg + `"}`
	}
	tests := []struct {
		name   string
		err    error
		status int
		want   string
		logged bool
	}{
		{"invalid field", problem.Field("pack_id", "must be one of 13 to 20"), 400, bad(": pack_id: must be one of 13 to 20"), false},
		{"invalid field, no message", problem.Field("pack_id", ""), 400, bad(": pack_id"), false},
		{"invalid message only", problem.New(problem.Invalid, "bundle_type is required"), 400, bad(": bundle_type is required"), false},
		{"wrapped invalid", fmt.Errorf("create: %w", problem.Field("bundle_type", "must be 1 to 5")), 400, bad(": bundle_type: must be 1 to 5"), false},
		{"conflict", problem.New(problem.Conflict, "not within the renewal window"), 400, bad(": not within the renewal window"), false},
		{"not found names nothing", &problem.Error{Code: problem.NotFound, Field: "uuid", Message: "no call pack 42 in account 9"}, 404, notFound, false},
		{"unauthorized", problem.New(problem.Unauthorized, "x"), 401, unauthorized, false},
		{"forbidden", problem.New(problem.Forbidden, "x"), 403, `{"result":{},"status_code":403,"status_message":"Forbidden"}`, false},
		{"payment", problem.New(problem.PaymentRequired, "balance 0.00"), 402, paymentRequired, false},
		{"rate limited", problem.New(problem.RateLimited, "x"), 429, `{"result":{},"status_code":429,"status_message":"Too Many Requests"}`, false},
		{"unavailable", &problem.Error{Code: problem.Unavailable, Message: "down", Err: secret}, 503, `{"result":{},"status_code":503,"status_message":"Service Unavailable"}`, true},
		{"internal", &problem.Error{Code: problem.Internal, Message: "db said no", Err: secret}, 500, internalError, true},
		{"unclassified", secret, 500, internalError, true},
		{"unknown code", &problem.Error{Code: "weird", Err: secret}, 500, internalError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, reseller.Config{})
			e.d.Handle("POST", "/call-pack", func(context.Context, *reseller.Request) (any, error) {
				return map[string]int{"ignored": 1}, tt.err
			})
			e.do(t, aliceCreds, "POST", "/voip/call-pack", "").check(t, tt.status, tt.want)
			if logged := strings.Contains(e.log.String(), "sb_admin"); logged != tt.logged {
				t.Fatalf("cause logged = %v, want %v: %s", logged, tt.logged, e.log.String())
			}
		})
	}
}

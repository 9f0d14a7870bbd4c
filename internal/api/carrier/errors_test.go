package carrier_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/api/carrier"
	"switchboard/internal/problem"
)

// TestErrorTable answers every domain code through a handler and compares
// the whole answer.
func TestErrorTable(t *testing.T) {
	secret := errors.New("pq: password authentication failed for user sb_admin")
	tests := []struct {
		name   string
		err    error
		status int
		want   string
		logged bool
	}{
		{"invalid field", problem.Field("state", "must be two letters"), 404, `{"status":"404","error":"Invalid state"}`, false},
		{"invalid, no field", problem.New(problem.Invalid, "bad"), 404, `{"status":"404","error":"Invalid parameter"}`, false},
		{"wrapped invalid", fmt.Errorf("reserve: %w", problem.Field("npanxx", "6 digits")), 404, `{"status":"404","error":"Invalid npanxx"}`, false},
		{"not found field", &problem.Error{Code: problem.NotFound, Field: "orderId", Message: "no such order"}, 404, `{"status":"404","error":"Invalid orderId"}`, false},
		{"not found, no field", problem.NotFoundf("order 12 not found"), 404, `{"status":"404","error":"Not found"}`, false},
		{"conflict field", &problem.Error{Code: problem.Conflict, Field: "number", Message: "reserved"}, 409, `{"status":"409","error":"Invalid number"}`, false},
		{"conflict, no field", problem.New(problem.Conflict, "busy"), 409, `{"status":"409","error":"Conflict"}`, false},
		{"unauthorized", &problem.Error{Code: problem.Unauthorized, Field: "accountno"}, 404, invalidToken, false},
		{"forbidden", problem.New(problem.Forbidden, "no"), 403, `{"status":"403","error":"Permission denied"}`, false},
		{"payment", problem.New(problem.PaymentRequired, "balance 0.00"), 402, `{"status":"402","error":"Insufficient balance"}`, false},
		{"rate limited", problem.New(problem.RateLimited, "slow down"), 429, `{"status":"429","error":"Too many requests"}`, false},
		{"unavailable", &problem.Error{Code: problem.Unavailable, Message: "down", Err: secret}, 503, `{"status":"503","error":"Service unavailable"}`, true},
		{"internal", &problem.Error{Code: problem.Internal, Message: "db", Err: secret}, 500, `{"status":"500","error":"Internal error"}`, true},
		{"unclassified", secret, 500, `{"status":"500","error":"Internal error"}`, true},
		{"unknown code", &problem.Error{Code: "weird", Field: "x", Err: secret}, 500, `{"status":"500","error":"Internal error"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, carrier.Config{})
			e.d.Handle("get_payments", func(context.Context, *carrier.Request) (any, error) {
				return carrier.Field("ignored", true), tt.err
			})
			e.get(t, "get_payments", creds).check(t, tt.status, tt.want)
			if logged := strings.Contains(e.log.String(), "sb_admin"); logged != tt.logged {
				t.Fatalf("cause logged = %v, want %v: %s", logged, tt.logged, e.log.String())
			}
		})
	}
}

// TestEveryCodeHasARule makes sure no domain code falls through to the
// internal-error default by accident.
func TestEveryCodeHasARule(t *testing.T) {
	codes := []problem.Code{
		problem.Invalid, problem.NotFound, problem.Conflict, problem.Unauthorized, problem.Forbidden,
		problem.RateLimited, problem.PaymentRequired, problem.Unavailable,
	}
	for _, c := range codes {
		e := newEnv(t, carrier.Config{})
		e.d.Handle("get_payments", func(context.Context, *carrier.Request) (any, error) {
			return nil, problem.New(c, "x")
		})
		if r := e.get(t, "get_payments", creds); r.status == http.StatusInternalServerError {
			t.Errorf("%s answers 500: %s", c, r.body)
		}
	}
}

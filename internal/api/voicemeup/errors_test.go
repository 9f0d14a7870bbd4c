package voicemeup_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/api/voicemeup"
	"switchboard/internal/problem"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		lang     string
		wantCode string
		wantText string
	}{
		{"invalid known field", problem.Field("client_did_id", "no such DID"), "", "client_did_id_invalid", "Client DID ID is invalid."},
		{"invalid unknown field", problem.Field("colour", "bad"), "", "internal_error-invalid_argument", "Invalid argument. (colour)"},
		{"missing known field", voicemeup.Missing("friendly_name"), "", "friendly_name_required", "Friendly name is required."},
		{"missing unknown field", voicemeup.Missing("sms_log_id"), "", "required_parameter_not_found", "Required parameters missing. (sms_log_id)"},
		{"core says required", problem.Field("email", "is required"), "", "email_required", "Email address is required."},
		{"not found maps to _invalid", &problem.Error{Code: problem.NotFound, Field: "client_peer_id"}, "", "client_peer_id_invalid", "Client peer ID is invalid."},
		{"not found maps to _not_found", &problem.Error{Code: problem.NotFound, Field: "client_endpoint_id"}, "", "client_endpoint_id_not_found", "Client Endpoint ID Not Found."},
		{"conflict", &problem.Error{Code: problem.Conflict, Message: "exists"}, "", "duplicate_entry", "Duplicate entry. "},
		{"conflict on extension", &problem.Error{Code: problem.Conflict, Field: "extension"}, "", "extension_already_in_use", "Extension is already in use."},
		{"forbidden", &problem.Error{Code: problem.Forbidden}, "fr", "permission_refused", "Permission refusée."},
		{"rate limited", &problem.Error{Code: problem.RateLimited}, "", "requests_hard_limit_exceeded", ""},
		{"payment", &problem.Error{Code: problem.PaymentRequired}, "", "payment_denied", "Payment denied."},
		{"internal never echoed", problem.Wrap(errors.New("pq: secret table"), "x"), "", "internal_error-database_error", "There was an internal error with our database."},
		{"plain error is internal", errors.New("boom"), "fr", "internal_error-database_error", "Une erreur interne est survenue dans notre base de données."},
		{"typed", voicemeup.Fail("peers_limit_reached", nil), "", "peers_limit_reached", "Peers limit is reached."},
		{"renamed field", voicemeup.RenameField(problem.Field("name", "bad"), map[string]string{"name": "friendly_name"}), "", "friendly_name_invalid", ""},
		{"section text wins", problem.Field("type", "bad"), "", "type_invalid", "The peer protocol is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, voicemeup.Config{})
			f.handle("update_peer", func(context.Context, *voicemeup.Request) (*voicemeup.Result, error) { return nil, tt.err })
			q := creds
			if tt.lang != "" {
				q += "&language=" + tt.lang
			}
			e := decode(t, f.get("/api/v1.1/json/update_peer?"+q))
			if e.Details.Status != "error" || !slices.Equal(e.codes(), []string{tt.wantCode}) {
				t.Fatalf("status %q codes %v, want %s", e.Details.Status, e.codes(), tt.wantCode)
			}
			if got := e.Details.Messages.Message[0].Content; tt.wantText != "" && strings.TrimSpace(got) != strings.TrimSpace(tt.wantText) {
				t.Errorf("text %q, want %q", got, tt.wantText)
			}
			if strings.Contains(e.Details.Messages.Message[0].Content, "secret") {
				t.Error("internal detail leaked")
			}
		})
	}
	t.Run("joined errors give one message each", func(t *testing.T) {
		f := newFixture(t, voicemeup.Config{})
		f.handle("update_peer", func(context.Context, *voicemeup.Request) (*voicemeup.Result, error) {
			return nil, errors.Join(voicemeup.Missing("friendly_name"), problem.Field("codecs", "bad"))
		})
		e := decode(t, f.get("/api/v1.1/json/update_peer?"+creds))
		if want := []string{"friendly_name_required", "codecs_invalid"}; !slices.Equal(e.codes(), want) {
			t.Errorf("codes %v, want %v", e.codes(), want)
		}
	})
	t.Run("internal error is logged", func(t *testing.T) {
		f := newFixture(t, voicemeup.Config{})
		f.handle("update_peer", func(context.Context, *voicemeup.Request) (*voicemeup.Result, error) {
			return nil, errors.New("disk on fire")
		})
		decode(t, f.get("/api/v1.1/json/update_peer?"+creds))
		if !strings.Contains(f.logs.String(), "disk on fire") {
			t.Errorf("log %q", f.logs.String())
		}
	})
}

func TestCatalog(t *testing.T) {
	types := voicemeup.ErrorTypes()
	seen := map[string]bool{}
	for _, c := range types {
		if seen[c] {
			t.Errorf("%s listed twice", c)
		}
		seen[c] = true
	}
	// Every code the dialect itself answers with, and a sample of each
	// document section.
	for _, c := range []string{
		"auth_username_required", "authentication_failed", "authentication_token_required",
		"client_account_id_required", "requests_soft_limit_reached", "requests_hard_limit_exceeded",
		"internal_error-database_error", "internal_error-invalid_argument", "language_invalid",
		"request_type_invalid", "request_type_not_implemented", "request_type_required",
		"required_parameter_not_found", "currency_invalid", "duplicate_entry", "permission_refused",
		"payment_denied", "socket_error", "code_invalid", "recording_hash_invalid",
		"forward_number_used_by_did", "extension_already_in_use", "voice_mailboxes_limit_reached",
		"peer_exist", "no_e911_endpoint_found", "could_not_send",
	} {
		if !seen[c] {
			t.Errorf("%s missing from the catalog", c)
		}
	}
	tests := []struct {
		code, lang, requestType, want string
	}{
		{"type_invalid", "en", "update_peer", "The peer protocol is invalid."},
		{"type_invalid", "en", "order_new_dids", `Type must be either "local" or "international".`},
		{"type_invalid", "fr", "order_new_dids", `Type must be either "local" or "international".`},
		{"call_hash_invalid", "en", "get_recordings", "Call hash is invalid."},
		{"call_hash_invalid", "en", "", "Call Hash is invalid."},
		{"request_type_invalid", "fr", "", "Le type de requête est invalide."},
		{"authentication_failed", "en", "", "Authentication failed. Please verify 'client_account_id' and 'auth_token'."},
	}
	for _, tt := range tests {
		got, ok := voicemeup.Describe(tt.code, tt.lang, tt.requestType)
		if !ok || got != tt.want {
			t.Errorf("Describe(%s, %s, %s) = %q, %v; want %q", tt.code, tt.lang, tt.requestType, got, ok, tt.want)
		}
	}
	if _, ok := voicemeup.Describe("no_such_code", "en", ""); ok {
		t.Error("unknown code described")
	}
}

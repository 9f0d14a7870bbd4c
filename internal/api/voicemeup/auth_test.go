package voicemeup_test

import (
	"slices"
	"strings"
	"testing"

	"switchboard/internal/api/voicemeup"
)

func TestAuthentication(t *testing.T) {
	f := newFixture(t, voicemeup.Config{})
	f.handle("get_dids", echo)

	const v11 = "/api/v1.1/json/get_dids?"
	const v10 = "/xml_engine/xml_engine.php?request_type=get_dids&output_format=json&"
	tests := []struct {
		name, target string
		want         []string // nil: success
	}{
		{"username and token", v11 + "username=alice&auth_token=" + tokAlice, nil},
		{"client_user_id and token", v11 + "client_user_id=123456&auth_token=" + tokAlice, nil},
		{"client_user_id with leading zeros", v11 + "client_user_id=00123456&auth_token=" + tokAlice, nil},
		{"client_account_id and token on v1.1", v11 + "client_account_id=80012345&auth_token=" + tokAlice, nil},
		{"client_account_id and token on v1.0", v10 + "client_account_id=80012345&auth_token=" + tokAlice, nil},
		{"all identities agree", v11 + "username=alice&client_user_id=123456&client_account_id=80012345&auth_token=" + tokAlice, nil},
		{"token padded with blanks", v11 + "username=alice&auth_token=%20" + tokAlice + "%20", nil},

		{"nothing", v11, []string{"auth_username_required", "authentication_token_required"}},
		{"no token", v11 + "username=alice", []string{"authentication_token_required"}},
		{"blank token", v11 + "username=alice&auth_token=%20", []string{"authentication_token_required"}},
		{"no identity v1.1", v11 + "auth_token=" + tokAlice, []string{"auth_username_required"}},
		{"no identity v1.0", v10 + "auth_token=" + tokAlice, []string{"client_account_id_required"}},

		{"unknown token", v11 + "username=alice&auth_token=00000000000000000000000000000000", []string{"authentication_failed"}},
		{"unknown user, same answer", v11 + "username=mallory&auth_token=" + tokAlice, []string{"authentication_failed"}},
		{"another user's token", v11 + "username=alice&auth_token=" + tokReadOnly, []string{"authentication_failed"}},
		{"wrong client_user_id", v11 + "client_user_id=2222&auth_token=" + tokAlice, []string{"authentication_failed"}},
		{"non-numeric client_user_id", v11 + "client_user_id=alice&auth_token=" + tokAlice, []string{"authentication_failed"}},
		{"wrong client_account_id", v10 + "client_account_id=80099999&auth_token=" + tokAlice, []string{"authentication_failed"}},
		{"one identity disagrees", v11 + "username=alice&client_user_id=2222&auth_token=" + tokAlice, []string{"authentication_failed"}},
		{"username ignores case, as usernames are unique case-insensitively", v11 + "username=ALICE&auth_token=" + tokAlice, nil},
		{"huge token not looked up", v11 + "username=alice&auth_token=" + strings.Repeat("a", 10000), []string{"authentication_failed"}},

		{"store down is not a credential error", v11 + "username=alice&auth_token=" + tokBroken, []string{"internal_error-database_error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decode(t, f.get(tt.target))
			if tt.want == nil {
				if e.Details.Status != "success" {
					t.Fatalf("codes %v, want success", e.codes())
				}
				return
			}
			if e.Details.Status != "error" || !slices.Equal(e.codes(), tt.want) {
				t.Errorf("status %q codes %v, want error %v", e.Details.Status, e.codes(), tt.want)
			}
		})
	}

	t.Run("failure text is identical for unknown user and wrong token", func(t *testing.T) {
		a := f.get(v11 + "username=mallory&auth_token=" + tokAlice).body
		b := f.get(v11 + "username=alice&auth_token=11111111111111111111111111111111").body
		if a != b {
			t.Errorf("answers differ:\n%s\n%s", a, b)
		}
	})
	t.Run("failed authentication never reaches the handler", func(t *testing.T) {
		before := f.called("get_dids")
		f.get(v11 + "username=alice&auth_token=" + tokReadOnly)
		if f.called("get_dids") != before {
			t.Error("handler ran")
		}
	})
	t.Run("get_request_types needs credentials too", func(t *testing.T) {
		e := decode(t, f.get("/api/v1.1/json/get_request_types"))
		if e.Details.Status != "error" {
			t.Errorf("codes %v", e.codes())
		}
	})
}

package voicemeup

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Authenticator resolves an API token to its owner.
type Authenticator interface {
	// AuthenticateToken returns the principal owning token, or a *problem.Error with Code Unauthorized.
	AuthenticateToken(ctx context.Context, token string) (auth.Principal, error)
}

// maxTokenLen bounds what is handed to the Authenticator: real tokens are
// 32 hex characters, and a megabyte of "token" is not worth hashing.
const maxTokenLen = 256

// authenticate checks the credentials of params: auth_token plus at least
// one of username, client_user_id (v1.1) or client_account_id (v1.0), each
// of which must name the token's owner. Every mismatch, like a bad token,
// is the same authentication_failed, so that the answer does not reveal
// which usernames exist.
func (d *Dialect) authenticate(ctx context.Context, params url.Values, version string) (auth.Principal, error) {
	token := strings.TrimSpace(params.Get("auth_token"))
	username := strings.TrimSpace(params.Get("username"))
	userID := strings.TrimSpace(params.Get("client_user_id"))
	accountNo := strings.TrimSpace(params.Get("client_account_id"))

	var missing []error
	if username == "" && userID == "" && accountNo == "" {
		if version == version10 {
			missing = append(missing, Fail("client_account_id_required", nil))
		} else {
			missing = append(missing, Fail("auth_username_required", nil))
		}
	}
	if token == "" {
		missing = append(missing, Fail("authentication_token_required", nil))
	}
	if len(missing) > 0 {
		return auth.Principal{}, errors.Join(missing...)
	}
	if len(token) > maxTokenLen {
		return auth.Principal{}, Fail(errAuthFailed, nil)
	}

	p, err := d.auth.AuthenticateToken(ctx, token)
	if err != nil {
		if c := problem.CodeOf(err); c == problem.Unauthorized || c == problem.NotFound {
			return auth.Principal{}, Fail(errAuthFailed, err)
		}
		// The store failing is not the caller's fault: answer it as an
		// internal error rather than as bad credentials.
		return auth.Principal{}, err
	}
	if username != "" && !strings.EqualFold(username, p.Username) {
		return auth.Principal{}, Fail(errAuthFailed, nil)
	}
	if userID != "" {
		id, err := strconv.ParseInt(userID, 10, 64)
		if err != nil || id != p.UserID {
			return auth.Principal{}, Fail(errAuthFailed, nil)
		}
	}
	if accountNo != "" && accountNo != p.AccountNumber {
		return auth.Principal{}, Fail(errAuthFailed, nil)
	}
	return p, nil
}

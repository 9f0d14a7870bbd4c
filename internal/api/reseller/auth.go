package reseller

import (
	"context"
	"net/http"
	"strings"

	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Authenticator resolves a username and secret to a principal.
type Authenticator interface {
	// AuthenticateSecret accepts the user's password or one of its tokens.
	// It returns a *problem.Error with Code Unauthorized on failure.
	AuthenticateSecret(ctx context.Context, username, secret string) (auth.Principal, error)
}

// The platform's credential headers.
const (
	HeaderReseller = "X-Auth-Reseller"
	HeaderUser     = "X-Auth-User"
	HeaderPassword = "X-Auth-Password"
)

// Bounds on what is handed to the Authenticator: a password check is
// deliberately slow, and not worth running on a megabyte of header.
const (
	maxUsernameLen = 256
	maxSecretLen   = 1024
	maxResellerLen = 64
)

// authenticate checks the three headers: the user's password or token
// must be right, and the user must belong to the account whose number is
// X-Auth-Reseller. Every failure is errUnauthorized.
func (d *Dialect) authenticate(ctx context.Context, h http.Header) (auth.Principal, error) {
	reseller := strings.TrimSpace(h.Get(HeaderReseller))
	username := strings.TrimSpace(h.Get(HeaderUser))
	// The server has already trimmed the header value; inner spaces may
	// be part of a password.
	secret := h.Get(HeaderPassword)
	if reseller == "" || username == "" || secret == "" ||
		len(reseller) > maxResellerLen || len(username) > maxUsernameLen || len(secret) > maxSecretLen {
		return auth.Principal{}, errUnauthorized
	}
	p, err := d.auth.AuthenticateSecret(ctx, username, secret)
	if err != nil {
		if c := problem.CodeOf(err); c == problem.Unauthorized || c == problem.NotFound {
			return auth.Principal{}, errUnauthorized
		}
		// The store failing is not the caller's fault: answer it as an
		// internal error rather than as bad credentials.
		return auth.Principal{}, err
	}
	if p.AccountNumber == "" || p.AccountNumber != reseller {
		return auth.Principal{}, errUnauthorized
	}
	return p, nil
}

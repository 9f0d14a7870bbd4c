package carrier

import (
	"context"

	"switchboard/internal/auth"
	"switchboard/internal/problem"
)

// Authenticator resolves an API token to its owner.
type Authenticator interface {
	// AuthenticateToken returns the principal owning token, or a
	// *problem.Error with Code Unauthorized.
	AuthenticateToken(ctx context.Context, token string) (auth.Principal, error)
}

// maxTokenLen bounds what is handed to the Authenticator: real tokens are
// a few dozen characters, and a megabyte of "token" is not worth hashing.
const maxTokenLen = 256

// authenticate checks the document's two credentials: token must belong to
// a user of the account whose number is accountno. Missing ones are named
// in document order (token first); every other failure is errBadToken.
func (d *Dialect) authenticate(ctx context.Context, token, accountno string) (auth.Principal, error) {
	if token == "" {
		return auth.Principal{}, missing("token")
	}
	if accountno == "" {
		return auth.Principal{}, missing("accountno")
	}
	if len(token) > maxTokenLen {
		return auth.Principal{}, errBadToken
	}
	p, err := d.auth.AuthenticateToken(ctx, token)
	if err != nil {
		if c := problem.CodeOf(err); c == problem.Unauthorized || c == problem.NotFound {
			return auth.Principal{}, errBadToken
		}
		// The store failing is not the caller's fault: answer it as an
		// internal error rather than as a bad token.
		return auth.Principal{}, err
	}
	if p.AccountNumber == "" || p.AccountNumber != accountno {
		return auth.Principal{}, errBadToken
	}
	return p, nil
}

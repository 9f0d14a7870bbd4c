package native

import (
	"context"
	"net/http"

	"switchboard/internal/auth"
)

// TokenView is the native representation of a token; never its secret.
type TokenView struct {
	ID         ID     `json:"id"`
	UserID     ID     `json:"user_id"`
	AccountID  ID     `json:"account_id"`
	Kind       string `json:"kind" enum:"api,access,refresh"`
	Name       string `json:"name"`
	CreatedAt  Time   `json:"created_at"`
	ExpiresAt  Time   `json:"expires_at"`
	LastUsedAt Time   `json:"last_used_at"`
	RevokedAt  Time   `json:"revoked_at"`
}

func tokenView(t auth.Token) TokenView {
	return TokenView{ID: ID(t.ID), UserID: ID(t.UserID), AccountID: ID(t.AccountID), Kind: string(t.Kind), Name: t.Name,
		CreatedAt: Time(t.CreatedAt), ExpiresAt: Time(t.ExpiresAt), LastUsedAt: Time(t.LastUsedAt), RevokedAt: Time(t.RevokedAt)}
}

type tokenBody struct{ Body TokenView }

func (a *API) registerTokens() {
	const tag = "Tokens"
	register(a, op{id: "list-tokens", method: http.MethodGet, path: "/api/tokens", summary: "List tokens of your tree (never their secrets)", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[TokenView] }, error) {
			items, n, err := a.cfg.Auth.ListTokens(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, tokenView), nil
		})
	register(a, op{id: "create-token", method: http.MethodPost, path: "/api/tokens", summary: "Issue an API token to a user; the secret is shown only in this answer", tag: tag},
		func(ctx context.Context, in *struct {
			Body struct {
				UserID string `json:"user_id" maxLength:"64"`
				Name   string `json:"name,omitempty" maxLength:"64"`
			}
		}) (*struct {
			Body struct {
				ID    ID     `json:"id"`
				Token string `json:"token" doc:"32 lowercase hex characters; store it now"`
			}
		}, error) {
			uid, err := decodeRef("user_id", &in.Body.UserID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			tok, secret, err := a.cfg.Auth.CreateToken(ctx, who(ctx), *uid, in.Body.Name)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					ID    ID     `json:"id"`
					Token string `json:"token" doc:"32 lowercase hex characters; store it now"`
				}
			}{}
			out.Body.ID, out.Body.Token = ID(tok.ID), secret
			return out, nil
		})
	register(a, op{id: "get-token", method: http.MethodGet, path: "/api/tokens/{id}", summary: "Get a token", tag: tag},
		func(ctx context.Context, in *IDPath) (*tokenBody, error) {
			n, err := decodeID(in.ID, "token")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			t, err := a.cfg.Auth.GetToken(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &tokenBody{Body: tokenView(t)}, nil
		})
	destroyRoutes(a, tag, "tokens", "token", a.cfg.Auth.RevokeToken)
}

// SessionBody is the answer of login and refresh, as PortSIP shapes it.
type SessionBody struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in" doc:"Seconds until access_token expires"`
	TokenType    string `json:"token_type" enum:"Bearer"`
}

func (a *API) registerSession() {
	const tag = "Session"
	type sessionOut struct{ Body SessionBody }
	toOut := func(s auth.Session) *sessionOut {
		return &sessionOut{Body: SessionBody{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, ExpiresIn: s.ExpiresIn, TokenType: "Bearer"}}
	}
	register(a, op{id: "login", method: http.MethodPost, path: "/api/login", summary: "Exchange a username and password for tokens", tag: tag, public: true},
		func(ctx context.Context, in *struct {
			Body struct {
				Username string `json:"username" minLength:"1" maxLength:"64"`
				Password string `json:"password" minLength:"1" maxLength:"256"`
			}
		}) (*sessionOut, error) {
			s, err := a.cfg.Auth.Login(ctx, in.Body.Username, in.Body.Password)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return toOut(s), nil
		})
	register(a, op{id: "refresh-session", method: http.MethodPost, path: "/api/login/refresh", summary: "Exchange a refresh token for new tokens", tag: tag, public: true},
		func(ctx context.Context, in *struct {
			Body struct {
				RefreshToken string `json:"refresh_token" minLength:"1" maxLength:"64"`
			}
		}) (*sessionOut, error) {
			s, err := a.cfg.Auth.Refresh(ctx, in.Body.RefreshToken)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return toOut(s), nil
		})
}

package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"switchboard/internal/auth"
	"switchboard/internal/id"
	"switchboard/internal/query"
	"switchboard/internal/server"
)

// TokenCmd manages API tokens from the host, acting as the operator.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Issue an API token to a user and print it once."`
	List   TokenListCmd   `cmd:"" help:"List tokens (never their secrets)."`
	Revoke TokenRevokeCmd `cmd:"" help:"Revoke a token by id."`
}

// TokenCreateCmd issues a token.
type TokenCreateCmd struct {
	StoreFlags
	User string `name:"user" default:"admin" help:"Username to issue the token to."`
	Name string `name:"name" help:"A label for the token."`
}

// TokenListCmd lists tokens.
type TokenListCmd struct {
	StoreFlags
	User string `name:"user" help:"Only this user's tokens."`
}

// TokenRevokeCmd revokes a token.
type TokenRevokeCmd struct {
	StoreFlags
	ID string `arg:"" help:"Token id as the native API shows it."`
}

// operator opens the node's services and returns an operator principal.
func operator(ctx context.Context, env *Env, f StoreFlags) (*server.Server, auth.Principal, error) {
	s, err := server.Open(ctx, server.Config{DataDir: f.Data, DBURL: f.DB, Log: env.Log, Version: version, AdminTokenOut: env.Out})
	if err != nil {
		return nil, auth.Principal{}, err
	}
	p, err := s.OperatorPrincipal(ctx)
	if err != nil {
		s.Close()
		return nil, auth.Principal{}, err
	}
	return s, p, nil
}

func findUser(ctx context.Context, s *server.Server, p auth.Principal, username string) (auth.User, error) {
	q := query.Params{Filter: "username eq '" + strings.ReplaceAll(username, "'", "''") + "'", Top: "1"}
	users, _, err := s.Auth.ListUsers(ctx, p, q)
	if err != nil {
		return auth.User{}, err
	}
	if len(users) == 0 {
		return auth.User{}, fmt.Errorf("no user %q", username)
	}
	return users[0], nil
}

// Run issues the token.
func (c *TokenCreateCmd) Run(env *Env) error {
	s, p, err := operator(env.Ctx, env, c.StoreFlags)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := findUser(env.Ctx, s, p, c.User)
	if err != nil {
		return err
	}
	tok, secret, err := s.Auth.CreateToken(env.Ctx, p, u.ID, c.Name)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "token id: %s\ntoken: %s\n", id.EncodeNative(tok.ID), secret)
	return err
}

// Run lists tokens.
func (c *TokenListCmd) Run(env *Env) error {
	s, p, err := operator(env.Ctx, env, c.StoreFlags)
	if err != nil {
		return err
	}
	defer s.Close()
	q := query.Params{Top: "100"}
	var users = map[int64]string{}
	if c.User != "" {
		u, err := findUser(env.Ctx, s, p, c.User)
		if err != nil {
			return err
		}
		q.Filter = "user_id eq " + fmt.Sprint(u.ID)
	}
	all, _, err := s.Auth.ListUsers(env.Ctx, p, query.Params{Top: "100"})
	if err != nil {
		return err
	}
	for _, u := range all {
		users[u.ID] = u.Username
	}
	w := tabwriter.NewWriter(env.Out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSER\tKIND\tNAME\tCREATED\tLAST USED\tREVOKED")
	for skip := 0; ; skip += 100 {
		q.Skip = fmt.Sprint(skip)
		toks, total, err := s.Auth.ListTokens(env.Ctx, p, q)
		if err != nil {
			return err
		}
		for _, t := range toks {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id.EncodeNative(t.ID), users[t.UserID], t.Kind, t.Name,
				stamp(t.CreatedAt.IsZero(), t.CreatedAt.Format("2006-01-02 15:04")),
				stamp(t.LastUsedAt.IsZero(), t.LastUsedAt.Format("2006-01-02 15:04")),
				stamp(t.RevokedAt.IsZero(), t.RevokedAt.Format("2006-01-02 15:04")))
		}
		if skip+100 >= total {
			break
		}
	}
	return w.Flush()
}

func stamp(zero bool, s string) string {
	if zero {
		return "-"
	}
	return s
}

// Run revokes the token.
func (c *TokenRevokeCmd) Run(env *Env) error {
	n, err := id.DecodeNative(c.ID)
	if err != nil {
		return fmt.Errorf("token id %q: %w", c.ID, err)
	}
	s, p, err := operator(env.Ctx, env, c.StoreFlags)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Auth.RevokeToken(env.Ctx, p, n); err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "revoked %s\n", c.ID)
	return err
}

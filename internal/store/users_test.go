package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"switchboard/internal/auth"
	"switchboard/internal/id"
	"switchboard/internal/problem"
	"switchboard/internal/query"
	"switchboard/internal/server/servertest"
)

func TestUsers(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		root := e.mkUser(t, tr.op.ID, "root")
		admin := e.mkUser(t, tr.cust.ID, "admin")
		other := e.mkUser(t, tr.sibling.ID, "other")

		if got, err := e.users.GetUser(ctx, tr.res.ID, admin.ID); err != nil || !reflect.DeepEqual(got, admin) {
			t.Fatalf("GetUser = %+v, %v; want %+v", got, err, admin)
		}
		_, err := e.users.GetUser(ctx, tr.res.ID, other.ID)
		wantCode(t, err, problem.NotFound, "")
		for _, c := range []struct {
			scope int64
			want  []int64
		}{{tr.op.ID, []int64{root.ID, admin.ID, other.ID}}, {tr.res.ID, []int64{admin.ID}}, {tr.sibling.ID, []int64{other.ID}}} {
			got, total, err := e.users.ListUsers(ctx, c.scope, noQuery)
			var ids []int64
			for _, u := range got {
				ids = append(ids, u.ID)
			}
			if err != nil || total != len(c.want) || !slices.Equal(ids, c.want) {
				t.Errorf("ListUsers(%d) = %v, %d, %v; want %v", c.scope, ids, total, err, c.want)
			}
		}

		// Usernames are unique whatever their case, on insert and on rename.
		for _, name := range []string{"admin", "Admin", "ADMIN"} {
			dup := auth.User{ID: e.ids.Next(), AccountID: tr.sibling.ID, Username: name, Role: "user", Status: "active"}
			wantCode(t, e.users.CreateUser(ctx, &dup, "h"), problem.Conflict, "username")
		}
		renamed := other
		renamed.Username = "aDmIn"
		wantCode(t, e.users.UpdateUser(ctx, &renamed, ""), problem.Conflict, "username")

		for _, name := range []string{"admin", "ADMIN", "Admin"} {
			idn, err := e.users.IdentityByUsername(ctx, name)
			if err != nil || idn.User != admin || idn.PasswordHash != "hash-admin" || idn.AccountPath != tr.cust.Path ||
				idn.AccountNumber != tr.cust.Number || idn.AccountStatus != string(tr.cust.Status) || idn.Operator {
				t.Fatalf("IdentityByUsername(%q) = %+v, %v", name, idn, err)
			}
		}
		if idn, err := e.users.IdentityByUsername(ctx, "ROOT"); err != nil || !idn.Operator || idn.User.ID != root.ID {
			t.Fatalf("IdentityByUsername(ROOT) = %+v, %v; want the operator's user", idn, err)
		}
		_, err = e.users.IdentityByUsername(ctx, "nobody")
		wantCode(t, err, problem.NotFound, "")

		// Update: an empty hash keeps the password, another replaces it.
		upd := admin
		upd.Username, upd.Role, upd.Email, upd.Status, upd.UpdatedAt = "Boss", "readonly", "", "disabled", admin.UpdatedAt.Add(time.Second)
		if err := e.users.UpdateUser(ctx, &upd, ""); err != nil {
			t.Fatalf("update: %v", err)
		}
		if idn, err := e.users.IdentityByUsername(ctx, "boss"); err != nil || idn.User != upd || idn.PasswordHash != "hash-admin" {
			t.Fatalf("after update = %+v, %v; want %+v with the old hash", idn, err, upd)
		}
		if err := e.users.UpdateUser(ctx, &upd, "new-hash"); err != nil {
			t.Fatalf("update password: %v", err)
		}
		if idn, err := e.users.IdentityByUsername(ctx, "boss"); err != nil || idn.PasswordHash != "new-hash" {
			t.Fatalf("hash after password update = %q, %v", idn.PasswordHash, err)
		}
		ghost := auth.User{ID: e.ids.Next(), Username: "ghost", Role: "user", Status: "active"}
		wantCode(t, e.users.UpdateUser(ctx, &ghost, ""), problem.NotFound, "")
		// The old name is free again.
		e.mkUser(t, tr.sub.ID, "ADMIN")

		// Delete is scoped and takes the tokens along.
		tok := e.mkToken(t, upd, "boss-token", time.Time{})
		wantCode(t, e.users.DeleteUser(ctx, tr.sibling.ID, upd.ID), problem.NotFound, "")
		if err := e.users.DeleteUser(ctx, tr.sub.ID, upd.ID); err != nil {
			t.Fatalf("delete user: %v", err)
		}
		_, err = e.users.GetToken(ctx, tr.op.ID, tok.ID)
		wantCode(t, err, problem.NotFound, "")
		wantCode(t, e.users.DeleteUser(ctx, tr.op.ID, upd.ID), problem.NotFound, "")
	})
}

func TestTokens(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		e := newEnv(t, kind)
		tr := e.mkTree(t)
		u := e.mkUser(t, tr.cust.ID, "alice")
		v := e.mkUser(t, tr.sibling.ID, "bob")
		now := stamp()
		live := e.mkToken(t, u, "live", time.Time{})
		later := e.mkToken(t, u, "later", now.Add(time.Hour))
		expired := e.mkToken(t, u, "expired", now.Add(-time.Second))
		edge := e.mkToken(t, u, "edge", now)
		revoked := e.mkToken(t, u, "revoked", time.Time{})
		bobs := e.mkToken(t, v, "bobs", time.Time{})
		if err := e.users.RevokeToken(ctx, tr.cust.ID, revoked.ID, now.Add(-time.Minute)); err != nil {
			t.Fatalf("revoke: %v", err)
		}

		for _, c := range []struct {
			tok  auth.Token
			live bool
		}{{live, true}, {later, true}, {expired, false}, {edge, false}, {revoked, false}, {bobs, true}} {
			idn, err := e.users.IdentityByTokenHash(ctx, c.tok.Hash, now)
			if !c.live {
				wantCode(t, err, problem.NotFound, "")
				continue
			}
			if err != nil || !reflect.DeepEqual(idn.Token, c.tok) || idn.User.ID != c.tok.UserID {
				t.Fatalf("IdentityByTokenHash(%s) = %+v, %v; want %+v", c.tok.Hash, idn, err, c.tok)
			}
		}
		_, err := e.users.IdentityByTokenHash(ctx, "unknown", now)
		wantCode(t, err, problem.NotFound, "")

		// Revoking again keeps the first time; out of scope is NotFound.
		first := now.Add(time.Minute)
		if err := e.users.RevokeToken(ctx, tr.res.ID, live.ID, first); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if err := e.users.RevokeToken(ctx, tr.op.ID, live.ID, first.Add(time.Hour)); err != nil {
			t.Fatalf("revoke again: %v", err)
		}
		if got, err := e.users.GetToken(ctx, tr.cust.ID, live.ID); err != nil || !got.RevokedAt.Equal(first) {
			t.Fatalf("RevokedAt = %v, %v; want the first revocation %v", got.RevokedAt, err, first)
		}
		wantCode(t, e.users.RevokeToken(ctx, tr.cust.ID, bobs.ID, now), problem.NotFound, "")
		wantCode(t, e.users.RevokeToken(ctx, tr.op.ID, e.ids.Next(), now), problem.NotFound, "")
		if _, err := e.users.IdentityByTokenHash(ctx, bobs.Hash, now); err != nil {
			t.Fatalf("refused revoke revoked anyway: %v", err)
		}

		used := now.Add(2 * time.Minute)
		if err := e.users.TouchToken(ctx, later.ID, used); err != nil {
			t.Fatalf("touch: %v", err)
		}
		want := later
		want.LastUsedAt = used
		if got, err := e.users.GetToken(ctx, tr.op.ID, later.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("GetToken after touch = %+v, %v; want %+v", got, err, want)
		}
		_, err = e.users.GetToken(ctx, tr.sibling.ID, later.ID)
		wantCode(t, err, problem.NotFound, "")

		for _, c := range []struct {
			scope int64
			p     query.Params
			want  []int64
		}{
			{tr.op.ID, noQuery, []int64{live.ID, later.ID, expired.ID, edge.ID, revoked.ID, bobs.ID}},
			{tr.res.ID, noQuery, []int64{live.ID, later.ID, expired.ID, edge.ID, revoked.ID}},
			{tr.sibling.ID, noQuery, []int64{bobs.ID}},
			{tr.op.ID, query.Params{Filter: "user_id eq '" + id.EncodeNative(v.ID) + "'"}, []int64{bobs.ID}},
			{tr.cust.ID, query.Params{OrderBy: "id desc", Top: "2"}, []int64{revoked.ID, edge.ID}},
		} {
			got, total, err := e.users.ListTokens(ctx, c.scope, c.p)
			var ids []int64
			for _, tk := range got {
				ids = append(ids, tk.ID)
			}
			wantTotal := len(c.want)
			if c.p.Top != "" {
				wantTotal = 5
			}
			if err != nil || total != wantTotal || !slices.Equal(ids, c.want) {
				t.Errorf("ListTokens(%d, %+v) = %v, %d, %v; want %v", c.scope, c.p, ids, total, err, c.want)
			}
		}

		dup := auth.Token{ID: e.ids.Next(), UserID: u.ID, AccountID: u.AccountID, Kind: auth.KindAPI, Hash: live.Hash, CreatedAt: now}
		wantCode(t, e.users.CreateToken(ctx, &dup), problem.Conflict, "hash")
	})
}

package native

import (
	"context"
	"net/http"

	"switchboard/internal/auth"
)

// UserView is the native representation of a user; never its password.
type UserView struct {
	ID        ID     `json:"id"`
	AccountID ID     `json:"account_id"`
	Username  string `json:"username"`
	Role      string `json:"role" enum:"admin,user,readonly"`
	Email     string `json:"email"`
	Status    string `json:"status" enum:"active,disabled"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

func userView(u auth.User) UserView {
	return UserView{ID: ID(u.ID), AccountID: ID(u.AccountID), Username: u.Username, Role: string(u.Role),
		Email: u.Email, Status: u.Status, CreatedAt: Time(u.CreatedAt), UpdatedAt: Time(u.UpdatedAt)}
}

// UserFields are the writable fields of a user.
type UserFields struct {
	AccountID *string `json:"account_id,omitempty" doc:"Account of the user (create only; default: yours)"`
	Username  *string `json:"username,omitempty" minLength:"3" maxLength:"64" doc:"Unique platform-wide; required on create"`
	Password  *string `json:"password,omitempty" minLength:"8" maxLength:"256" doc:"Required on create; stored as an argon2id hash"`
	Role      *string `json:"role,omitempty" enum:"admin,user,readonly"`
	Email     *string `json:"email,omitempty" maxLength:"320"`
	Status    *string `json:"status,omitempty" enum:"active,disabled"`
}

func (f *UserFields) patch() (auth.UserPatch, error) {
	acc, err := decodeRef("account_id", f.AccountID)
	if err != nil {
		return auth.UserPatch{}, err
	}
	p := auth.UserPatch{AccountID: acc, Username: f.Username, Password: f.Password, Email: f.Email, Status: f.Status}
	if f.Role != nil {
		r := auth.Role(*f.Role)
		p.Role = &r
	}
	return p, nil
}

type userBody struct{ Body UserView }

func (a *API) registerUsers() {
	const tag = "Users"
	register(a, op{id: "list-users", method: http.MethodGet, path: "/api/users", summary: "List users of your tree", tag: tag},
		func(ctx context.Context, in *ListInput) (*struct{ Body ListBody[UserView] }, error) {
			items, n, err := a.cfg.Auth.ListUsers(ctx, who(ctx), in.params())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return listOf(n, items, userView), nil
		})
	register(a, op{id: "create-user", method: http.MethodPost, path: "/api/users", summary: "Create a user", tag: tag},
		func(ctx context.Context, in *struct{ Body UserFields }) (*Created, error) {
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			u, err := a.cfg.Auth.CreateUser(ctx, who(ctx), p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return created(u.ID), nil
		})
	register(a, op{id: "get-user", method: http.MethodGet, path: "/api/users/{id}", summary: "Get a user", tag: tag},
		func(ctx context.Context, in *IDPath) (*userBody, error) {
			n, err := decodeID(in.ID, "user")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			u, err := a.cfg.Auth.GetUser(ctx, who(ctx), n)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &userBody{Body: userView(u)}, nil
		})
	register(a, op{id: "update-user", method: http.MethodPost, path: "/api/users/{id}", summary: "Update the given fields of a user", tag: tag},
		func(ctx context.Context, in *struct {
			IDPath
			Body UserFields
		}) (*userBody, error) {
			n, err := decodeID(in.ID, "user")
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			p, err := in.Body.patch()
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			u, err := a.cfg.Auth.UpdateUser(ctx, who(ctx), n, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &userBody{Body: userView(u)}, nil
		})
	destroyRoutes(a, tag, "users", "user", a.cfg.Auth.DeleteUser)
}

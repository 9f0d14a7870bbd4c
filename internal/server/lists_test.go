package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
)

func TestListConventions(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Lists Co", "reseller")
		other := n.MustTenant(t, n.AdminToken, "", "Noise Co", "reseller")
		n.MustCreate(t, "/api/subaccounts", other.Token, subaccountBody("friendly_name", "Alpha Noise"))

		ids := map[string]string{}
		for _, s := range []struct {
			name, status, comments string
			limit                  int
		}{
			{"Alpha One", "enabled", "", 10},
			{"Bravo", "disabled", "", 30},
			{"Charlie", "enabled", "vip customer", 20},
			{"Delta", "deleted", "", 30},
			{"Echo", "enabled", "", 50},
		} {
			ids[s.name] = n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody(
				"friendly_name", s.name, "status", s.status, "call_limit", s.limit, "comments", s.comments))
		}
		names := func(l listBody) []string {
			out := make([]string, len(l.Items))
			for i, it := range l.Items {
				out[i] = it["friendly_name"].(string)
			}
			return out
		}
		for _, c := range []struct {
			query string
			want  []string
			count int // when paging makes it differ from len(want)
		}{
			{"", []string{"Alpha One", "Bravo", "Charlie", "Delta", "Echo"}, 0},
			{"filter=call_limit gt 20", []string{"Bravo", "Delta", "Echo"}, 0},
			{"filter=call_limit ge 30 and call_limit lt 50", []string{"Bravo", "Delta"}, 0},
			{"filter=status eq 'enabled'", []string{"Alpha One", "Charlie", "Echo"}, 0},
			{"filter=status ne 'enabled'", []string{"Bravo", "Delta"}, 0},
			{"filter=friendly_name eq 'Bravo' or friendly_name eq 'Echo'", []string{"Bravo", "Echo"}, 0},
			{"filter=not (status eq 'enabled') and call_limit le 30", []string{"Bravo", "Delta"}, 0},
			{"filter=startswith(friendly_name,'Al')", []string{"Alpha One"}, 0},
			{"filter=contains(friendly_name,'har')", []string{"Charlie"}, 0},
			{"filter=endswith(friendly_name,'ta')", []string{"Delta"}, 0},
			{"filter=id eq '" + ids["Delta"] + "'", []string{"Delta"}, 0},
			{"filter=id ne '" + ids["Delta"] + "' and account_id eq '" + ten.AccountID + "' and call_limit eq 30", []string{"Bravo"}, 0},
			{"filter=account_id eq '" + other.AccountID + "'", []string{}, 0},
			{"search=ELT", []string{"Delta"}, 0},
			{"search=vip", []string{"Charlie"}, 0},
			{"search=alpha", []string{"Alpha One"}, 0},
			{"orderby=call_limit desc", []string{"Echo", "Bravo", "Delta", "Charlie", "Alpha One"}, 0},
			{"orderby=call_limit desc,friendly_name desc", []string{"Echo", "Delta", "Bravo", "Charlie", "Alpha One"}, 0},
			{"orderby=status asc, friendly_name desc", []string{"Delta", "Bravo", "Echo", "Charlie", "Alpha One"}, 0},
			{"orderby=friendly_name desc&skip=1&top=2", []string{"Delta", "Charlie"}, 5},
			{"orderby=friendly_name&skip=4", []string{"Echo"}, 5},
			{"skip=5", []string{}, 5},
			{"top=1&filter=status eq 'enabled'&orderby=call_limit desc", []string{"Echo"}, 3},
		} {
			q := url.Values{}
			parsed, _ := url.ParseQuery(c.query)
			for k, v := range parsed {
				q[k] = v
			}
			l := mustList(t, n, "/api/subaccounts?"+q.Encode(), ten.Token)
			count := c.count
			if count == 0 {
				count = len(c.want)
			}
			if got := names(l); !slices.Equal(got, c.want) || l.Count != count {
				t.Errorf("?%s: %v (count %d), want %v (count %d)", c.query, got, l.Count, c.want, count)
			}
		}
		for _, c := range []struct{ query, detail string }{
			{"top=0", "top"}, {"top=101", "top"}, {"top=-1", "top"}, {"top=ten", "top"},
			{"skip=-1", "skip"}, {"skip=x", "skip"},
			{"filter=call_limit gt", "filter.call_limit"}, {"filter=bogus eq 1", "filter.bogus"},
			{"filter=call_limit eq 'ten'", "filter.call_limit"}, {"filter=id eq 'nope'", "filter.id"},
			{"filter=status eq 'gone'", "filter.status"}, {"filter=(status eq 'enabled'", "filter"},
			{"orderby=bogus", "orderby.bogus"}, {"orderby=call_limit sideways", "orderby.call_limit"},
			{"orderby=call_limit,call_limit", "orderby.call_limit"}, {"orderby=allow_international_call", "orderby.allow_international_call"},
		} {
			q, _ := url.ParseQuery(c.query)
			r := n.Do(t, http.MethodGet, "/api/subaccounts?"+q.Encode(), ten.Token, nil)
			expectError(t, "?"+c.query, r, http.StatusBadRequest, "VALIDATE_FAILED", c.detail)
		}
	})
}

// TestCollectionsFilterByOpaqueIDs runs one filter, one search and one
// multi-key orderby on every other collection.
func TestCollectionsFilterByOpaqueIDs(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		p := mustPopulate(t, n, n.AdminToken, "Filter Co")
		for _, c := range []struct {
			path, query string
			want        []string
		}{
			{"/api/accounts", "filter=parent_id eq '" + p.AccountID + "'", []string{p.Child}},
			{"/api/accounts", "filter=type eq 'reseller' or id eq '" + p.Child + "'&orderby=type desc,id asc", []string{p.AccountID, p.Child}},
			{"/api/accounts", "search=filter co child", []string{p.Child}},
			{"/api/users", "filter=role eq 'readonly' and account_id eq '" + p.AccountID + "'", []string{p.User}},
			{"/api/users", "orderby=role desc, username asc", []string{p.User, p.UserID}},
			{"/api/users", "filter=not (id eq '" + p.User + "')", []string{p.UserID}},
			{"/api/tokens", "filter=user_id eq '" + p.User + "'", []string{p.TokenID}},
			{"/api/tokens", "search=Filter Co token", []string{p.TokenID}},
		} {
			q, _ := url.ParseQuery(c.query)
			l := mustList(t, n, c.path+"?"+q.Encode(), p.Token)
			if got := itemIDs(l); !slices.Equal(got, c.want) || l.Count != len(c.want) {
				t.Errorf("%s?%s: %v (count %d), want %v", c.path, c.query, got, l.Count, c.want)
			}
		}
	})
}

func TestErrorCodes(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Errors Co", "customer")
		sub := n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody())
		n.MustCreate(t, "/api/subaccounts/"+sub+"/addresses", ten.Token, addressBody())
		for _, c := range []struct {
			name, method, path, token string
			body                      any
			status                    int
			code, detail              string
		}{
			{"validation", http.MethodPost, "/api/subaccounts/" + sub, ten.Token, map[string]any{"call_limit": 5000}, 400, "VALIDATE_FAILED", "call_limit"},
			{"not found", http.MethodGet, "/api/subaccounts/" + missingID, ten.Token, nil, 404, "NOT_FOUND", ""},
			{"no credential", http.MethodGet, "/api/subaccounts", "", nil, 401, "UNAUTHORIZED", ""},
			{"unknown token", http.MethodGet, "/api/subaccounts", "0123456789abcdef0123456789abcdef", nil, 401, "UNAUTHORIZED", ""},
			{"forbidden", http.MethodDelete, "/api/accounts/" + ten.AccountID, ten.Token, nil, 403, "FORBIDDEN", ""},
			{"conflict", http.MethodPost, "/api/subaccounts/" + sub + "/addresses", ten.Token, addressBody(), 409, "CONFLICT", ""},
		} {
			expectError(t, c.name, n.Do(t, c.method, c.path, c.token, c.body), c.status, c.code, c.detail)
		}
	})
}

func TestRateLimit(t *testing.T) {
	servertest.EachStore(t, func(t *testing.T, kind string) {
		const perMinute = 5
		n := servertest.Start(t, kind, servertest.Options{PerMinute: perMinute})
		// Every account may make perMinute requests, the operator too, so
		// the set-up spreads its requests over several accounts.
		res := n.MustTenant(t, n.AdminToken, "", "Limits Reseller", "reseller")
		a := n.MustTenant(t, res.Token, "", "Limited", "customer")
		// An override applies within a cache period, so b's is set before
		// b's first request.
		b := servertest.Tenant{Username: "raised-" + res.Number}
		b.AccountID = n.MustCreate(t, "/api/accounts", n.AdminToken, map[string]any{
			"name": "Raised", "parent_id": res.AccountID, "api_limits": map[string]any{"native": perMinute + 3}})
		user := n.MustCreate(t, "/api/users", n.AdminToken, map[string]any{"account_id": b.AccountID, "username": b.Username, "password": "raised-password"})
		b.Token = mustToken(t, n, res.Token, user)

		// MustTenant used a's token once. Count successes until the first
		// refusal; a minute boundary in between resets the window, which
		// the check allows for. b is served after a is refused: the count
		// is per account.
		for _, c := range []struct {
			tenant      servertest.Tenant
			used, limit int
		}{{a, 1, perMinute}, {b, 0, perMinute + 3}} {
			start := time.Now().Truncate(time.Minute)
			used, limited := c.used, servertest.Response{}
			for range 2 * (c.limit + 1) {
				r := n.Do(t, http.MethodGet, "/api/accounts/"+c.tenant.AccountID, c.tenant.Token, nil)
				if r.Status == http.StatusTooManyRequests {
					limited = r
					break
				}
				if r.Status != 200 {
					t.Fatalf("request %d: %d %s", used+1, r.Status, r.Body)
				}
				used++
			}
			expectError(t, c.tenant.Username+" over its limit", limited, http.StatusTooManyRequests, "RATE_LIMITED", "")
			sameWindow := time.Now().Truncate(time.Minute).Equal(start)
			if sameWindow && used != c.limit || !sameWindow && used < c.limit {
				t.Errorf("%s: %d requests before the refusal, want %d", c.tenant.Username, used, c.limit)
			}
			if s, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || s < 1 || s > 61 {
				t.Errorf("Retry-After %q, want seconds until the next minute", limited.Header.Get("Retry-After"))
			}
		}
	})
}

package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"switchboard/internal/server/servertest"
)

// TestConcurrentWriters sends 200 creates at once through the API: every
// one must succeed (on SQLite too: no "database is locked"), and the
// collection then holds exactly 200 more items, paged 100 by default.
func TestConcurrentWriters(t *testing.T) {
	const writers = 200
	servertest.EachStore(t, func(t *testing.T, kind string) {
		n := servertest.Start(t, kind)
		ten := n.MustTenant(t, n.AdminToken, "", "Busy Co", "reseller")
		n.MustCreate(t, "/api/subaccounts", ten.Token, subaccountBody())
		before := mustList(t, n, "/api/subaccounts", ten.Token).Count

		type result struct {
			status int
			body   string
			err    error
		}
		results := make(chan result, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				raw, _ := json.Marshal(subaccountBody("friendly_name", fmt.Sprintf("Desk %03d", i), "call_limit", i%1000))
				req, err := http.NewRequest(http.MethodPost, n.URL+"/api/subaccounts", bytes.NewReader(raw))
				if err != nil {
					results <- result{err: err}
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+ten.Token)
				<-start
				resp, err := n.Client.Do(req)
				if err != nil {
					results <- result{err: err}
					return
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				results <- result{status: resp.StatusCode, body: string(b), err: err}
			}()
		}
		close(start)
		wg.Wait()
		close(results)

		ids := map[string]bool{}
		for r := range results {
			if r.err != nil || r.status != http.StatusOK {
				t.Errorf("concurrent create: %v %d %s", r.err, r.status, r.body)
				continue
			}
			var out struct{ ID string }
			if err := json.Unmarshal([]byte(r.body), &out); err != nil || out.ID == "" || ids[out.ID] {
				t.Errorf("concurrent create answered %s", r.body)
			}
			ids[out.ID] = true
		}
		l := mustList(t, n, "/api/subaccounts", ten.Token)
		if l.Count != before+writers || len(ids) != writers {
			t.Errorf("after %d concurrent creates: count %d (was %d), %d distinct ids", writers, l.Count, before, len(ids))
		}
		if len(l.Items) != 100 {
			t.Errorf("a list without top shows %d items, want the default page of 100", len(l.Items))
		}
		seen := 0
		for skip := 0; skip < l.Count; skip += 100 {
			page := mustList(t, n, fmt.Sprintf("/api/subaccounts?top=100&skip=%d&filter=startswith(friendly_name,'Desk')", skip), ten.Token)
			for _, id := range itemIDs(page) {
				if !ids[id] {
					t.Errorf("listed %s, which no writer created", id)
				}
				seen++
			}
		}
		if seen != writers {
			t.Errorf("paging through the created subaccounts found %d, want %d", seen, writers)
		}
	})
}

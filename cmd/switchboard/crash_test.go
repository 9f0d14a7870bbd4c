package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"switchboard/internal/server/servertest"
)

// TestCrashDuringCharges kills `serve` with SIGKILL in the middle of a
// stream of idempotent debits, restarts it, resends every debit with its key
// and checks that each moved money exactly once and that `switchboard check`
// finds every ledger consistent.
func TestCrashDuringCharges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	servertest.EachStore(t, func(t *testing.T, kind string) {
		dir := t.TempDir()
		db := servertest.DBURL(t, kind)
		start := func() (*exec.Cmd, string, string) {
			addr := freeAddr(t)
			cmd := exec.Command(bin, "serve", "--data", dir, "--db", db, "--http", addr, "--sip", "off", "--api-per-minute", "1000000000")
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			first := make(chan string, 1)
			go func() {
				line, _ := bufio.NewReader(stdout).ReadString('\n')
				first <- line
			}()
			for i := 0; ; i++ {
				if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						break
					}
				}
				if i > 300 {
					t.Fatal("serve never became ready")
				}
				time.Sleep(20 * time.Millisecond)
			}
			token := ""
			select {
			case l := <-first:
				token = strings.TrimSpace(strings.TrimPrefix(l, "admin token: "))
			case <-time.After(100 * time.Millisecond):
			}
			return cmd, "http://" + addr, token
		}
		cmd, base, admin := start()
		call := func(base, method, path, token, key string, body any) (int, map[string]any) {
			raw, _ := json.Marshal(body)
			req, _ := http.NewRequest(method, base+path, strings.NewReader(string(raw)))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0, nil
			}
			defer resp.Body.Close()
			var m map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&m)
			return resp.StatusCode, m
		}
		status, m := call(base, http.MethodPost, "/api/accounts", admin, "", map[string]any{"name": "Crash Test", "type": "customer"})
		if status != http.StatusOK {
			t.Fatalf("create account: %d %v", status, m)
		}
		acc := m["id"].(string)
		if status, m := call(base, http.MethodPost, "/api/transactions", admin, "topup", map[string]any{"account_id": acc, "activity": "Bank Transfer", "credit": "100"}); status != http.StatusOK {
			t.Fatalf("top up: %d %v", status, m)
		}
		const charges = 400
		debit := func(base string, i int) int {
			s, _ := call(base, http.MethodPost, "/api/transactions", admin, fmt.Sprintf("charge-%d", i),
				map[string]any{"account_id": acc, "activity": "Call Charges", "debit": "0.01", "reference": fmt.Sprintf("call:%d", i)})
			return s
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		done := 0
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < charges; i += 4 {
					if debit(base, i) == http.StatusOK {
						mu.Lock()
						done++
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(150 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		wg.Wait()
		if done == charges {
			t.Fatalf("all %d charges finished before the kill; the test proves nothing", charges)
		}
		t.Logf("%d of %d charges acknowledged before SIGKILL", done, charges)

		cmd, base, _ = start()
		defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
		for i := range charges {
			if s := debit(base, i); s != http.StatusOK {
				t.Fatalf("resending charge %d: %d", i, s)
			}
		}
		status, m = call(base, http.MethodGet, "/api/accounts/"+acc+"/balance", admin, "", nil)
		if status != http.StatusOK || m["balance"] != "96.00000" {
			t.Fatalf("balance after %d charges of 0.01 on 100: %d %v, want 96.00000", charges, status, m)
		}
		out, err := exec.Command(bin, "check", "--data", dir, "--db", db).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "ledger consistent") {
			t.Fatalf("check after the crash: %v\n%s", err, out)
		}
		_ = os.Remove(filepath.Join(dir, "unused"))
	})
}

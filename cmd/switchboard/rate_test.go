package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRateCommand(t *testing.T) {
	dir := t.TempDir()
	deck := filepath.Join(dir, "deck.csv")
	calls := filepath.Join(dir, "calls.csv")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(deck, []byte("prefix,type,free_seconds,grace_period,interval_1,interval_n,connect_fee,postcall_surcharge,price_1,price_n,description\n"+
		"1,NATIONAL,0,0,60,60,0,0,0.01,0.01,US\n1212,LOCAL,0,3,30,6,0.005,0.1,0.02,0.012,NYC\n44,INTERNATIONAL,0,0,1,1,0,0,0.05,0.05,UK\n"), 0o600))
	must(os.WriteFile(calls, []byte("id,destination,duration\n1,+1 212 555 1234,95\n2,0044 20 7123 4567,61\n3,abc,10\n4,33123,5\n5,2125551234,2\n"), 0o600))
	var out, errb syncBuffer
	code := Main(context.Background(), []string{"rate", "--rates", deck, "--calls", calls}, &out, &errb)
	if code != 0 {
		t.Fatalf("rate exited %d: %s", code, errb.String())
	}
	// Call 1: 95 s → 30 + 11×6 = 96 billed; (0.005 + 0.01 + 0.0132) × 1.1 = 0.03102.
	// Call 2: 61 s at 0.05/min per second = 0.05083 (0.0508333… rounded).
	// Call 5: 2 s is inside the 3 s grace period: free.
	want := "id,destination,duration,prefix,billed_seconds,cost\n" +
		"1,+1 212 555 1234,95,1212,96,0.03102\n" +
		"2,0044 20 7123 4567,61,44,61,0.05083\n" +
		"5,2125551234,2,1212,0,0.00000\n"
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
	for _, line := range []string{"line 4: phone_number_invalid", "line 5: rate_not_found"} {
		if !strings.Contains(errb.String(), line) {
			t.Errorf("stderr lacks %q:\n%s", line, errb.String())
		}
	}
	if code := Main(context.Background(), []string{"rate", "--rates", calls, "--calls", calls}, &out, &errb); code == 0 {
		t.Errorf("a calls file accepted as a deck")
	}
}

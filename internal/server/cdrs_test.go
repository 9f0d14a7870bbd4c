package server_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"switchboard/internal/cdr"
	"switchboard/internal/id"
	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

// mustCDR writes a finished call of the account straight to the store and
// returns its native id and hash.
func mustCDR(tb testing.TB, n *servertest.Node, account string) (string, string) {
	tb.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	c := cdr.CDR{ID: rand.Int64N(1 << 40), CallHash: cdr.NewHash(), AccountID: rawID(tb, account), Direction: "outbound",
		RoutingType: "internal", SrcNumber: "caller", DstNumber: "2000", StartedAt: now.Add(-time.Minute),
		AnsweredAt: now.Add(-50 * time.Second), EndedAt: now, Duration: 60, Billsec: 50, Disposition: "answered", SIPCode: 200}
	if err := store.NewCDRs(n.Server.DB).InsertCDR(context.Background(), &c); err != nil {
		tb.Fatalf("insert cdr: %v", err)
	}
	return id.EncodeNative(c.ID), c.CallHash
}

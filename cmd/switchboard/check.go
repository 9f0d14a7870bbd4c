package main

import (
	"fmt"

	"switchboard/internal/store"
)

// CheckCmd verifies the store's invariants.
type CheckCmd struct {
	StoreFlags
}

// Run verifies every account's ledger: the cached balance, the sum of its
// entries and the balance after its last entry agree, and every entry's
// balance is the running sum of the entries up to it. It prints each account
// that fails and returns an error (exit status 1) when any does.
func (c *CheckCmd) Run(env *Env) error {
	db, err := store.Open(env.Ctx, c.DB, c.Data)
	if err != nil {
		return err
	}
	defer db.Close()
	mismatches, err := store.NewLedger(db).Check(env.Ctx)
	if err != nil {
		return fmt.Errorf("check ledger: %w", err)
	}
	for _, m := range mismatches {
		if _, err := fmt.Fprintf(env.Out, "MISMATCH account %d (%s): cached balance %s, sum of entries %s, balance after last entry %s, entries %d (cache says %d), entries with a wrong running balance %d\n",
			m.AccountID, m.AccountNumber, m.Cached, m.Sum, m.LastBalanceAfter, m.Entries, m.CachedLastSeq, m.BrokenEntries); err != nil {
			return err
		}
	}
	if len(mismatches) > 0 {
		return fmt.Errorf("ledger check failed: %d accounts inconsistent", len(mismatches))
	}
	_, err = fmt.Fprintln(env.Out, "ledger consistent: every cached balance equals the sum of its entries")
	return err
}

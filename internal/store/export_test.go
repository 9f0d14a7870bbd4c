package store

import (
	"context"
	"database/sql"
	"time"

	"switchboard/internal/callpack"
)

// ConsumeCallPacks runs consumeCallPacks in a transaction of its own, for
// the tests of package store_test.
func ConsumeCallPacks(ctx context.Context, db *DB, accountID int64, digits string, seconds int64, at time.Time) ([]callpack.Use, error) {
	var out []callpack.Use
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = consumeCallPacks(ctx, tx, db.Kind, accountID, digits, seconds, at)
		return err
	})
	return out, err
}

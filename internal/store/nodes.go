package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// MaxNodes is the number of node ids the id generator can tell apart.
const MaxNodes = 1024

// LeaseNode claims a node id no other live node holds, so that ids generated
// by nodes sharing one database never collide. The lease lasts ttl and must
// be renewed with RenewNode well before it ends.
func (db *DB) LeaseNode(ctx context.Context, holder string, ttl time.Duration) (int64, error) {
	start := rand.IntN(MaxNodes)
	for i := range MaxNodes {
		n := int64((start + i) % MaxNodes)
		t := time.Now()
		res, err := db.write.ExecContext(ctx, `INSERT INTO nodes (node, holder, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (node) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE nodes.expires_at < $4 OR nodes.holder = excluded.holder`,
			n, holder, Micros(t.Add(ttl)), Micros(t))
		if err != nil {
			return 0, fmt.Errorf("lease node: %w", translate(err))
		}
		if k, _ := res.RowsAffected(); k == 1 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("lease node: all %d node ids are held", MaxNodes)
}

// RenewNode extends the lease of node; it fails if another holder took it.
func (db *DB) RenewNode(ctx context.Context, node int64, holder string, ttl time.Duration) error {
	res, err := db.write.ExecContext(ctx, `UPDATE nodes SET expires_at = $3 WHERE node = $1 AND holder = $2`,
		node, holder, Micros(time.Now().Add(ttl)))
	if err != nil {
		return fmt.Errorf("renew node: %w", translate(err))
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return fmt.Errorf("renew node: lease of node %d was lost", node)
	}
	return nil
}

// ReleaseNode gives the node id back at shutdown.
func (db *DB) ReleaseNode(ctx context.Context, node int64, holder string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM nodes WHERE node = $1 AND holder = $2`, node, holder)
	return translate(err)
}

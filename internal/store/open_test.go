package store_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"switchboard/internal/server/servertest"
	"switchboard/internal/store"
)

func TestOpenRefusesMissingSchema(t *testing.T) {
	base := os.Getenv(servertest.PostgresEnv)
	if base == "" {
		t.Skip(servertest.PostgresEnv + " is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", "no_such_schema_here")
	u.RawQuery = q.Encode()
	db, err := store.Open(context.Background(), u.String(), t.TempDir())
	if err == nil {
		db.Close()
		t.Fatal("opened a database whose search_path names no schema")
	}
	if !strings.Contains(err.Error(), "no existing schema") || strings.Contains(err.Error(), u.User.String()+"@") {
		t.Errorf("error %q should explain the schema and hide the password", err)
	}
}

package blob_test

import (
	"bytes"
	"context"
	"testing"

	"switchboard/internal/blob"
	"switchboard/internal/problem"
)

func TestDir(t *testing.T) {
	ctx := context.Background()
	d, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "invoices/1.pdf"); !problem.Is(err, problem.NotFound) {
		t.Fatalf("Get of a missing blob = %v; want NotFound", err)
	}
	for _, v := range [][]byte{[]byte("first"), []byte("second, longer")} {
		if err := d.Put(ctx, "invoices/2026/1.pdf", v); err != nil {
			t.Fatal(err)
		}
		got, err := d.Get(ctx, "invoices/2026/1.pdf")
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("Get = %q, %v; want %q", got, err, v)
		}
	}
	if err := d.Delete(ctx, "invoices/2026/1.pdf"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "invoices/2026/1.pdf"); err != nil {
		t.Fatalf("second Delete = %v; want nil", err)
	}
	if _, err := d.Get(ctx, "invoices/2026/1.pdf"); !problem.Is(err, problem.NotFound) {
		t.Fatalf("Get after Delete = %v; want NotFound", err)
	}
	for _, bad := range []string{"", "../x", "a//b", "/abs", "a/./b", "A.pdf", "a\\b", "a/..", "x\x00"} {
		if err := d.Put(ctx, bad, nil); !problem.Is(err, problem.Invalid) {
			t.Errorf("Put(%q) = %v; want Invalid", bad, err)
		}
	}
}

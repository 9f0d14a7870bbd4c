// Package blob stores opaque files (invoice PDFs, and later recordings,
// voicemail and fax documents) by key. The default Store is a directory in
// the node's data dir; the interface is what lets another backend replace
// it.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"switchboard/internal/problem"
)

// Store keeps blobs by key. Keys are slash-separated paths of lowercase
// letters, digits, '-', '_' and '.', without empty or dot-only segments.
type Store interface {
	// Put stores data under key, replacing what was there, atomically: a
	// reader sees the old blob or the new one, never a part.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the blob; problem.NotFound when there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes the blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}

// Dir is a Store in a directory.
type Dir struct{ root string }

// NewDir returns the Store in root, creating it when missing.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("blob dir: %w", err)
	}
	return &Dir{root: root}, nil
}

var _ Store = (*Dir)(nil)

// ValidKey reports whether key may name a blob.
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || strings.Trim(seg, ".") == "" {
			return false
		}
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return false
			}
		}
	}
	return true
}

func (d *Dir) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", problem.Field("key", "is not a valid blob key")
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes data to a temporary file beside the blob and renames it into
// place.
func (d *Dir) Put(ctx context.Context, key string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("blob put: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return fmt.Errorf("blob put: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("blob put: %w", err)
	}
	return nil
}

// Get reads the blob.
func (d *Dir) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, problem.NotFoundf("no such blob")
	}
	if err != nil {
		return nil, fmt.Errorf("blob get: %w", err)
	}
	return b, nil
}

// Delete removes the blob.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob delete: %w", err)
	}
	return nil
}

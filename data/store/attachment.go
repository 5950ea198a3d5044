package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// AttachmentFile is a file the district shipped with content in a bundle.
type AttachmentFile struct {
	Path   string // the bundle path content refers to
	SHA256 string
	Type   string
	Size   int64
	Data   []byte
}

// check makes sure the bytes are what the record says.
func (f AttachmentFile) check() error {
	sum := sha256.Sum256(f.Data)
	if int64(len(f.Data)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
		return fmt.Errorf("file %s: its bytes do not match its size and SHA-256", f.Path)
	}
	return nil
}

// AttachmentFile returns the file stored under path, or ErrNotFound.
func (s *Store) AttachmentFile(ctx context.Context, path string) (AttachmentFile, error) {
	f := AttachmentFile{Path: path}
	err := s.r.QueryRowContext(ctx, "SELECT sha256, type, size, data FROM attachment_file WHERE path = ?", path).
		Scan(&f.SHA256, &f.Type, &f.Size, &f.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("attachment %s: %w", path, err)
	}
	return f, nil
}

// putAttachmentFiles stores files in tx after checking each one's bytes.
// A path already held keeps its row: the path names the bytes.
func putAttachmentFiles(ctx context.Context, tx *sql.Tx, files []AttachmentFile) error {
	for _, f := range files {
		if err := f.check(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachment_file(path, sha256, type, size, data) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(path) DO NOTHING`, f.Path, f.SHA256, f.Type, f.Size, f.Data); err != nil {
			return fmt.Errorf("file %s: %w", f.Path, err)
		}
	}
	return nil
}

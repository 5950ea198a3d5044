package client

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"jiezhen/data/store"
	"jiezhen/sync/outboxfile"
	"jiezhen/sync/wire"
)

// Export writes the outbox's waiting items to path, encrypted to the
// district's outbox key, for a USB drive when the kiosk has been offline
// for long (sync/outboxfile). token is the kiosk's token, which the
// district checks its registry against, and street its street if known.
// The items stay queued: the next sync gets "duplicate" for those the
// district imported and settles them. Items the agent would refuse before
// sending (an unknown kind, a bad id) are left out, as the agent leaves
// them out of a push. The file appears whole or not at all. It returns how
// many items it holds.
func Export(ctx context.Context, st *store.Store, path string, to age.Recipient, token, street string, now time.Time) (int, error) {
	if token == "" {
		return 0, errors.New("export: this kiosk has no token, so the district could not tell which kiosk the file comes from")
	}
	pending, err := st.Pending(ctx, math.MaxInt32)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	f := outboxfile.File{Token: token, Street: street, ExportedAt: now.UTC(), Items: make([]wire.PushItem, 0, len(pending))}
	for _, it := range pending {
		if pi, err := pushItem(it); err == nil {
			f.Items = append(f.Items, pi)
		}
	}
	if len(f.Items) == 0 {
		return 0, errors.New("export: the outbox is empty, there is nothing to export")
	}
	if err := writeFile(path, func(w *os.File) error { return outboxfile.Write(w, to, &f) }); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return len(f.Items), nil
}

// writeFile writes a file through a temporary one in the same folder,
// synced and renamed. os.CreateTemp makes it readable by its owner only
// where the file system has modes (a USB drive's FAT has none).
func writeFile(path string, fill func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", filepath.Dir(path), errors.Unwrap(err))
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	// The rename reaches the drive with its folder.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

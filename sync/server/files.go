package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/sync/bundle"
)

// Attachment files: a district admin adds a blank form or a picture with
// `districtd attach`, content refers to it by the path printed, and
// bundles carry it to kiosks as a "files/..." entry.

// NewFile is a file to add: its bytes and its name as the admin knows it.
type NewFile struct {
	Name string
	Data []byte
}

// AddFiles stores files under their content addresses after sniffing
// each one's type from its bytes: only PDFs, PNGs and JPEGs of at most
// data.MaxAttachmentSize are taken. All are checked before any is stored,
// and they are stored together or not at all. added[i] is false where the
// district held the same bytes already (out[i] then is as first stored).
func (p *Platform) AddFiles(ctx context.Context, files []NewFile) (out []StoredFile, added []bool, err error) {
	now := p.now().UTC()
	for _, nf := range files {
		f, err := describeFile(nf.Data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", nf.Name, err)
		}
		f.Name, f.AddedAt = nf.Name, now
		out = append(out, f)
	}
	err = p.store.Write(ctx, func(tx Tx) error {
		added = make([]bool, len(files))
		for i := range out {
			ok, err := tx.PutFile(out[i], files[i].Data)
			if err != nil {
				return err
			}
			if added[i] = ok; !ok {
				if out[i], err = tx.File(out[i].Path); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for i, f := range out {
		if added[i] {
			p.log.Info("file added", "file", f.Path, "type", f.Type, "size", f.Size)
		}
	}
	return out, added, nil
}

// describeFile checks a file's size and sniffed type and gives its
// content address. A file refused is an *Error (422).
func describeFile(b []byte) (StoredFile, error) {
	if len(b) == 0 {
		return StoredFile{}, errorf(http.StatusUnprocessableEntity, "", "the file is empty")
	}
	if len(b) > data.MaxAttachmentSize {
		return StoredFile{}, errorf(http.StatusUnprocessableEntity, "", "the file is %d bytes, over the limit of %d (10 MB)", len(b), data.MaxAttachmentSize)
	}
	typ, _, _ := strings.Cut(http.DetectContentType(b), ";")
	if _, ok := data.AttachmentTypes[typ]; !ok {
		return StoredFile{}, errorf(http.StatusUnprocessableEntity, "", "the file is %s, not a PDF, PNG or JPEG", typ)
	}
	sum := sha256.Sum256(b)
	f := StoredFile{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Type: typ}
	f.Path = data.AttachmentPath(f.SHA256, typ)
	return f, nil
}

// checkFiles refuses a change that refers to a file the district does not
// hold, or describes a held file otherwise than it is.
func checkFiles(tx ReadTx, c data.Change) error {
	files, err := data.ShippedFiles(c)
	if err != nil {
		return err
	}
	for _, a := range files {
		f, err := tx.File(a.File)
		if errors.Is(err, ErrNotFound) {
			return errorf(http.StatusUnprocessableEntity, "", "%s %q: attachment %q: the district holds no file %s (add it with districtd attach)", c.Kind, c.ID, a.Name, a.File)
		}
		if err != nil {
			return err
		}
		if f.SHA256 != a.SHA256 || f.Size != a.Size || f.Type != a.Type {
			return errorf(http.StatusUnprocessableEntity, "", "%s %q: attachment %q: the district's file %s is %s of %d bytes, not %s of %d bytes",
				c.Kind, c.ID, a.Name, a.File, f.Type, f.Size, a.Type, a.Size)
		}
	}
	return nil
}

// bundleFiles reads the files the changes refer to, each once, in the
// order first referred to, as bundle entries.
func bundleFiles(tx ReadTx, changes []data.Change) ([]bundle.File, error) {
	var out []bundle.File
	seen := map[string]bool{}
	for _, c := range changes {
		files, err := data.ShippedFiles(c)
		if err != nil {
			return nil, err
		}
		for _, a := range files {
			if seen[a.File] {
				continue
			}
			seen[a.File] = true
			b, err := tx.FileData(a.File)
			if errors.Is(err, ErrNotFound) {
				// Published before the check, or the file was removed by
				// hand: the kiosk shows the attachment's url instead.
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("file %s: %w", a.File, err)
			}
			out = append(out, bundle.File{Path: a.File, Data: b})
		}
	}
	return out, nil
}

// FileUse is a stored file and the published content that refers to it,
// as "kind id".
type FileUse struct {
	StoredFile
	AddedAt time.Time `json:"added_at"`
	UsedBy  []string  `json:"used_by"`
}

// Files lists the stored files with the live content referring to each.
func (p *Platform) Files(ctx context.Context) ([]FileUse, error) {
	var out []FileUse
	err := p.store.Read(ctx, func(tx ReadTx) error {
		files, err := tx.Files()
		if err != nil {
			return err
		}
		users, err := fileUsers(tx)
		if err != nil {
			return err
		}
		for _, f := range files {
			out = append(out, FileUse{StoredFile: f, AddedAt: f.AddedAt.UTC(), UsedBy: append([]string{}, users[f.Path]...)})
		}
		return nil
	})
	return out, err
}

// RemoveFile deletes a stored file that no published content refers to.
// Kiosks keep their copy until their own sweep finds nothing refers to it.
func (p *Platform) RemoveFile(ctx context.Context, path string) error {
	err := p.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.File(path); errors.Is(err, ErrNotFound) {
			return fmt.Errorf("the district holds no file %s: %w", path, ErrNotFound)
		} else if err != nil {
			return err
		}
		users, err := fileUsers(tx)
		if err != nil {
			return err
		}
		if u := users[path]; len(u) > 0 {
			return fmt.Errorf("file %s is still attached to %s: change or unpublish that first", path, strings.Join(u, ", "))
		}
		_, err = tx.DeleteFile(path)
		return err
	})
	if err == nil {
		p.log.Info("file removed", "file", path)
	}
	return err
}

// fileUsers maps each file path that live content or a draft still to
// be published refers to onto the items referring to it ("notice n1",
// "draft 3").
func fileUsers(tx ReadTx) (map[string][]string, error) {
	users := map[string][]string{}
	for _, kind := range data.ContentKinds {
		items, err := tx.LiveItems(kind)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			files, err := data.ShippedFiles(data.Change{Kind: it.Kind, ID: it.ID, Op: data.OpUpsert, Body: it.Body})
			if err != nil {
				return nil, err
			}
			for _, a := range files {
				users[a.File] = append(users[a.File], string(it.Kind)+" "+it.ID)
			}
		}
	}
	drafts, err := tx.Drafts(DraftFilter{})
	if err != nil {
		return nil, err
	}
	for _, d := range drafts {
		if d.State != DraftDraft && d.State != DraftPending && d.State != DraftScheduled {
			continue
		}
		files, err := data.ShippedFiles(data.Change{Kind: d.Kind, ID: d.ItemID, Op: data.OpUpsert, Body: d.Body})
		if err != nil {
			return nil, err
		}
		for _, a := range files {
			users[a.File] = append(users[a.File], fmt.Sprintf("draft %d", d.ID))
		}
	}
	return users, nil
}

package client

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	"jiezhen/sync/wire"
)

// Signed bundles on the kiosk: verified by sync/bundle against the keys,
// street, cursor and newest issued-at the store keeps, then applied with
// store.ApplyBundle.

// ImportOptions is what an import is told besides the kiosk's store.
type ImportOptions struct {
	// Trust, if set, is the only key trusted for this import, and is
	// recorded as trusted if the bundle is imported. Otherwise the keys
	// the kiosk recorded are trusted. Revoked keys stay refused either way.
	Trust ed25519.PublicKey
	// Bootstrap is Trust only while the kiosk trusts no key: the
	// district's key a kiosk is configured with, pinned with its first
	// bundle, after which the recorded keys (rotations) take over.
	Bootstrap ed25519.PublicKey
	Street    string // the kiosk's street; "" for the one it holds
	Now       time.Time
}

// ImportResult is what an import did; `kiosk import` prints it.
type ImportResult struct {
	File      string `json:"file,omitempty"`
	Applied   bool   `json:"applied"`
	Note      string `json:"note,omitempty"`
	District  string `json:"district"`
	Street    string `json:"street"`
	From      int64  `json:"from"`
	To        int64  `json:"to"`
	Snapshot  bool   `json:"snapshot"`
	IssuedAt  string `json:"issued_at"`
	Signer    string `json:"signer"`
	Changes   int    `json:"changes"`
	Upserted  int    `json:"upserted"`
	Deleted   int    `json:"deleted"`
	Unchanged int    `json:"unchanged"`
	Skipped   int    `json:"skipped"`
	Cursor    int64  `json:"cursor"`
	// Files counts the attachment files stored with the changes.
	Files int `json:"files,omitempty"`
	// Keys lists the key changes the bundle carried, as "trust KEY" or
	// "revoke KEY".
	Keys []string `json:"keys,omitempty"`
}

// ImportBundle verifies the bundle read from r against what the kiosk
// knows and applies it, with the cursor, the keys and the newest
// issued-at, in one transaction: `kiosk import`, the window's import
// screen and the agent's HTTP snapshots all go through it. A refusal is
// one line saying why, and changes nothing.
func ImportBundle(ctx context.Context, s *store.Store, r io.Reader, opt ImportOptions) (ImportResult, error) {
	var out ImportResult
	tr, err := s.BundleTrust(ctx)
	if err != nil {
		return out, err
	}
	cursor, err := s.Cursor(ctx, store.ContentFeed)
	if err != nil {
		return out, err
	}
	c := bundle.Check{Cursor: cursor, Now: opt.Now, NewestSeen: tr.NewestIssuedAt}
	if opt.Trust == nil && opt.Bootstrap != nil && !trustsAny(tr) {
		opt.Trust = opt.Bootstrap
	}
	for _, k := range tr.Keys {
		key, err := bundle.ParseKey(k.Key)
		if err != nil {
			return out, fmt.Errorf("recorded key %q: %v", k.Key, err)
		}
		if k.Revoked {
			c.Keys.Revoked = append(c.Keys.Revoked, key)
		} else if opt.Trust == nil {
			c.Keys.Trusted = append(c.Keys.Trusted, key)
		}
	}
	if opt.Trust != nil {
		c.Keys.Trusted = []ed25519.PublicKey{opt.Trust}
	}
	if len(c.Keys.Trusted) == 0 {
		return out, &Refused{Kind: RefusedNoKey, Err: errors.New("this kiosk trusts no key yet: give --trust PUBKEY")}
	}
	if c.Scope, c.District, err = kioskScope(ctx, s, opt.Street, tr.Street); err != nil {
		return out, err
	}

	var shipped []bundle.File
	c.OnFile = func(f bundle.File) error {
		shipped = append(shipped, f)
		return nil
	}
	rd, err := bundle.Open(r, c)
	if err != nil {
		return out, refused(err)
	}
	b := rd.Result()
	m := b.Manifest
	out = ImportResult{District: m.District, Street: m.Scope, From: m.From, To: m.To, Snapshot: b.Snapshot,
		IssuedAt: m.IssuedAt.UTC().Format(time.RFC3339), Signer: bundle.EncodeKey(b.Signer), Changes: m.Changes, Cursor: cursor}
	if b.Covered {
		out.Note = fmt.Sprintf("already applied: the kiosk's cursor %d covers this bundle (%d to %d); nothing changed", cursor, m.From, m.To)
		return out, nil
	}
	imp := store.BundleImport{From: m.From, To: m.To, IssuedAt: m.IssuedAt, Street: m.Scope}
	for _, k := range m.PINKeys {
		imp.PINKeys = append(imp.PINKeys, store.SealedPINKey{Kiosk: k.Kiosk, Sealed: k.Sealed})
	}
	var files []store.AttachmentFile
	if m.HasFiles() {
		// The files come after the changes and are checked against
		// them: read the whole bundle first.
		if err := rd.Entries(nil); err != nil {
			return out, refused(err)
		}
		if files, err = attachedFiles(b.Changes, shipped); err != nil {
			return out, &Refused{Kind: RefusedDamaged, Err: err}
		}
		imp.Changes, imp.Files = b.Changes, files
	} else {
		imp.Stream = streamEntries(rd)
	}
	if opt.Trust != nil {
		imp.Keys = append(imp.Keys, store.BundleKey{Key: bundle.EncodeKey(opt.Trust), Since: opt.Now, Via: "pinned"})
	}
	for _, kc := range b.KeyChanges {
		imp.Keys = append(imp.Keys, store.BundleKey{Key: bundle.EncodeKey(kc.Key), Revoked: kc.Op == bundle.OpRevoke, Since: opt.Now, Via: bundle.EncodeKey(kc.SignedBy)})
		out.Keys = append(out.Keys, kc.Op+" "+bundle.EncodeKey(kc.Key))
	}
	res, err := s.ApplyBundle(ctx, store.ContentFeed, imp)
	var rf *Refused
	if errors.As(err, &rf) {
		return out, rf
	}
	if err != nil {
		return out, err
	}
	out.Applied = true
	out.Files = len(files)
	out.Upserted, out.Deleted, out.Unchanged, out.Skipped, out.Cursor = res.Upserted, res.Deleted, res.Unchanged, res.Skipped, res.Cursor
	return out, nil
}

// streamEntries reads rd's entries on a goroutine of their own and hands
// their changes to the store's apply in batches of about streamBatch, as
// their entries pass their hashes, so that reading and verifying the next
// entries overlaps writing these. The last batch goes once the whole file
// has passed.
// The store applies them in one transaction, which a refusal (a damaged
// entry after the first) rolls back: the kiosk is left as it was, as when
// the whole bundle was read first, and the bundle is never held in memory
// all at once.
func streamEntries(rd *bundle.Reader) func(apply func([]data.Change) error) error {
	return func(apply func([]data.Change) error) error {
		batches := make(chan []data.Change, 2)
		stop := make(chan struct{})
		read := make(chan error, 1)
		go func() {
			defer close(batches)
			var held []data.Change
			send := func() error {
				select {
				case batches <- held:
					held = nil
					return nil
				case <-stop:
					return errStopped
				}
			}
			err := rd.Entries(func(cs []data.Change) error {
				held = append(held, cs...)
				if len(held) < streamBatch {
					return nil
				}
				return send()
			})
			if err == nil && len(held) > 0 {
				err = send()
			}
			read <- err
		}()
		var err error
		for cs := range batches {
			if err == nil {
				err = apply(cs)
				if err != nil {
					close(stop)
				}
			}
		}
		if rerr := <-read; err == nil && rerr != nil {
			err = refused(rerr)
		}
		return err
	}
}

// streamBatch is about how many changes streamEntries hands to the store
// at a time.
var streamBatch = 10000

// errStopped ends a bundle's reading when its apply has failed.
var errStopped = errors.New("the import stopped")

// attachedFiles matches the files a bundle carried with what its changes
// say of them. A file must have exactly the SHA-256 and size that the
// content referring to it gives, or the whole bundle is refused: the
// signature covers the bytes, but only this check ties them to the
// content. A file no change refers to is not kept.
func attachedFiles(changes []data.Change, shipped []bundle.File) ([]store.AttachmentFile, error) {
	if len(shipped) == 0 {
		return nil, nil
	}
	type ref struct {
		a  data.Attachment
		by string
	}
	refs := map[string]ref{}
	for _, c := range changes {
		atts, err := data.ShippedFiles(c)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			by := fmt.Sprintf("%s %q", c.Kind, c.ID)
			if r, ok := refs[a.File]; ok && (r.a.SHA256 != a.SHA256 || r.a.Size != a.Size || r.a.Type != a.Type) {
				return nil, fmt.Errorf("%s and %s describe file %s differently", r.by, by, a.File)
			}
			refs[a.File] = ref{a, by}
		}
	}
	var out []store.AttachmentFile
	for _, f := range shipped {
		r, ok := refs[f.Path]
		if !ok {
			continue
		}
		sum := sha256.Sum256(f.Data)
		if hex.EncodeToString(sum[:]) != r.a.SHA256 || int64(len(f.Data)) != r.a.Size {
			return nil, fmt.Errorf("entry %q does not match the SHA-256 and size that %s gives for attachment %q", f.Path, r.by, r.a.Name)
		}
		out = append(out, store.AttachmentFile{Path: f.Path, SHA256: r.a.SHA256, Type: r.a.Type, Size: r.a.Size, Data: f.Data})
	}
	return out, nil
}

// trustsAny reports whether the kiosk trusts a key.
func trustsAny(tr store.BundleTrust) bool {
	for _, k := range tr.Keys {
		if !k.Revoked {
			return true
		}
	}
	return false
}

// Refused is a bundle the kiosk would not import. Kind names the reason
// for a screen (one of the Refused* values); Err says it in one line.
type Refused struct {
	Kind string
	Err  error
}

func (e *Refused) Error() string       { return e.Err.Error() }
func (e *Refused) Unwrap() error       { return e.Err }
func (e *Refused) RefusalKind() string { return e.Kind }

// Kinds of Refused.
const (
	RefusedDamaged   = "damaged"   // not a bundle, cut short, or an entry does not match the manifest
	RefusedTooLarge  = "too_large" // over the size limits
	RefusedSchema    = "schema"    // a newer layout or manifest than this kiosk reads
	RefusedSignature = "signature" // the signature does not verify
	RefusedUntrusted = "untrusted" // signed by a key the kiosk does not trust
	RefusedRevoked   = "revoked"   // signed by a revoked key
	RefusedScope     = "scope"     // another street's or district's
	RefusedGap       = "gap"       // starts after the kiosk's cursor
	RefusedExpired   = "expired"
	RefusedRollback  = "rollback" // older than a bundle already imported
	RefusedNoKey     = "no_key"   // the kiosk trusts no key yet
)

// refused classifies an error of the bundle reader (bundle.Open and
// Reader.Entries).
func refused(err error) error {
	for _, k := range []struct {
		err  error
		kind string
	}{
		{bundle.ErrFormat, RefusedDamaged}, {bundle.ErrEntry, RefusedDamaged}, {bundle.ErrTooLarge, RefusedTooLarge},
		{bundle.ErrSchema, RefusedSchema}, {bundle.ErrSignature, RefusedSignature}, {bundle.ErrUntrusted, RefusedUntrusted},
		{bundle.ErrRevoked, RefusedRevoked}, {bundle.ErrScope, RefusedScope}, {bundle.ErrGap, RefusedGap},
		{bundle.ErrExpired, RefusedExpired}, {bundle.ErrRollback, RefusedRollback},
	} {
		if errors.Is(err, k.err) {
			return &Refused{Kind: k.kind, Err: err}
		}
	}
	return err
}

// ImportFile is ImportBundle of the file at path, reporting the bytes
// read and the file's size to progress (which may be nil) as it goes.
func ImportFile(ctx context.Context, s *store.Store, path string, opt ImportOptions, progress func(done, total int64)) (ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return ImportResult{}, fmt.Errorf("cannot open the bundle %s", path)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ImportResult{}, err
	}
	if !fi.Mode().IsRegular() {
		return ImportResult{}, fmt.Errorf("%s is not a file", path)
	}
	var r io.Reader = f
	if progress != nil {
		progress(0, fi.Size())
		r = &progressReader{r: f, total: fi.Size(), report: progress}
	}
	return ImportBundle(ctx, s, r, opt)
}

// progressReader reports what was read, at most every step bytes.
type progressReader struct {
	r           io.Reader
	done, total int64
	last        int64
	report      func(done, total int64)
}

const progressStep = 256 << 10

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.done-p.last >= progressStep || (err == io.EOF && p.done != p.last) {
		p.last = p.done
		p.report(p.done, p.total)
	}
	return n, err
}

// kioskScope is the street and district a bundle must be for: the street
// given, else the one earlier bundles were for, else the one street the
// kiosk holds. A kiosk that holds none (a new one) takes any street's
// bundle, and is that street's from then on.
func kioskScope(ctx context.Context, s *store.Store, given, recorded string) (street, district string, err error) {
	street = given
	if street == "" {
		street = recorded
	}
	if street == "" {
		held, err := s.Streets(ctx)
		if err != nil {
			return "", "", err
		}
		switch len(held) {
		case 0:
			return "", "", nil
		case 1:
			street = held[0].Code
		default:
			return "", "", fmt.Errorf("the kiosk holds %d streets: say which is its own with --street", len(held))
		}
	}
	st, err := s.Street(ctx, street)
	if errors.Is(err, store.ErrNotFound) {
		return street, "", nil
	}
	if err != nil {
		return "", "", err
	}
	return street, st.District, nil
}

// maxSnapshot caps what the agent reads of a snapshot: the most a bundle
// may hold (the bundle reader refuses more long before), and a little for its
// headers.
const maxSnapshot = bundle.MaxManifest + bundle.MaxTotal + 1<<20

// snapshot downloads a signed snapshot of the kiosk's street and imports
// it as `kiosk import` does, streaming the body into the verifying reader.
// It reports whether one was applied; a failure or a refusal is logged,
// changes nothing, and the kiosk pages through the feed instead.
func (a *Agent) snapshot(ctx context.Context, res *Result) bool {
	if a.cfg.Now().Before(a.noSnapshotsUntil) {
		return false
	}
	tr, err := a.st.BundleTrust(ctx)
	if err != nil {
		a.log.Warn("snapshot skipped", "error", err.Error())
		return false
	}
	if !trustsAny(tr) && a.cfg.Trust == nil {
		a.log.Debug("snapshot skipped: the kiosk trusts no bundle key")
		return false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+wire.PathBundle, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.Token)
	req.Header.Set("Accept", wire.BundleType)
	req.Header.Set("User-Agent", a.cfg.UserAgent)
	a.trace("send " + wire.PathBundle)
	hc := &http.Client{Transport: a.http.HTTPClient.Transport, Timeout: a.cfg.SnapshotTimeout, CheckRedirect: noRedirects}
	resp, err := hc.Do(req)
	if err != nil {
		a.log.Warn("snapshot not downloaded; paging instead", "error", a.plain(err).Error())
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e wire.Error
		json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&e)
		if resp.StatusCode == http.StatusNotFound {
			a.noSnapshotsUntil = a.cfg.Now().Add(time.Hour)
		}
		a.log.Info("no snapshot; paging instead", "status", resp.StatusCode, "reason", e.Message)
		return false
	}
	a.setOnline(true, "")
	a.trace("snapshot")
	ir, err := ImportBundle(ctx, a.st, io.LimitReader(resp.Body, maxSnapshot), ImportOptions{Bootstrap: a.cfg.Trust, Street: a.cfg.Street, Now: a.cfg.Now()})
	if err != nil {
		a.log.Warn("snapshot refused; paging instead", "reason", err.Error())
		return false
	}
	a.trace("snapshot applied")
	if ir.Applied {
		res.Snapshot += ir.Changes
		res.Cursor = ir.Cursor
		a.log.Info("snapshot applied", "changes", ir.Changes, "cursor", ir.Cursor)
	}
	return ir.Applied
}

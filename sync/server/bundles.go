package server

import (
	"cmp"
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
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"jiezhen/data"
	"jiezhen/data/pin"
	"jiezhen/sync/bundle"
	"jiezhen/sync/wire"
)

// Bundles are built here, for districtd bundle and for the HTTP snapshot
// route; the file layout is sync/bundle's.

// BundleSpec is what a bundle is built with besides its street.
type BundleSpec struct {
	Key        ed25519.PrivateKey
	From       int64         // 0 for a full snapshot
	Valid      time.Duration // from issued-at to expires-at
	Statements []*bundle.Statement
	IssuedAt   time.Time // zero: the district's clock now
}

// BundleInfo is what was written.
type BundleInfo struct {
	Manifest bundle.Manifest
	Bytes    int64
}

// feedPage is how many changes one read of the feed takes while a bundle
// is gathered (all in one snapshot).
const feedPage = 5000

// WriteBundle writes a signed bundle of the street's scope (its content
// and the district-wide content, never cases) from spec.From to the feed's
// last sequence, read from one snapshot of the store, with every stored
// file its changes refer to as a "files/..." entry.
func (p *Platform) WriteBundle(ctx context.Context, w io.Writer, street string, spec BundleSpec) (BundleInfo, error) {
	if spec.Valid <= 0 {
		return BundleInfo{}, errors.New("a bundle needs a validity")
	}
	m := bundle.Manifest{Scope: street, From: spec.From, Statements: spec.Statements}
	var changes []data.Change
	var attached []bundle.File
	err := p.store.Read(ctx, func(tx ReadTx) error {
		it, err := tx.Item(data.KindStreet, street)
		if errors.Is(err, ErrNotFound) || (err == nil && it.Deleted) {
			return fmt.Errorf("street %q is not published", street)
		}
		if err != nil {
			return err
		}
		var st data.Street
		if err := json.Unmarshal(it.Body, &st); err != nil {
			return fmt.Errorf("street %s: %w", street, err)
		}
		m.District = st.District
		last, err := tx.LastSeq()
		if err != nil {
			return err
		}
		if m.From >= last {
			return fmt.Errorf("the feed has nothing after sequence %d (its last is %d)", m.From, last)
		}
		// The end is the feed's last sequence, as an HTTP pull that
		// reaches the end moves the cursor there.
		m.To = last
		for after := m.From; ; {
			page, err := tx.Feed(Scope{Street: street}, after, after, feedPage)
			if err != nil {
				return err
			}
			changes = append(changes, page...)
			if len(page) < feedPage {
				break
			}
			after = page[len(page)-1].Seq
		}
		if attached, err = bundleFiles(tx, changes); err != nil {
			return err
		}
		m.PINKeys, err = wrappedPINKeys(tx, street)
		return err
	})
	if err != nil {
		return BundleInfo{}, err
	}
	files, err := bundle.ChangeFiles(changes)
	if err != nil {
		return BundleInfo{}, err
	}
	// The files the changes refer to follow the changes, so a kiosk has
	// every change decoded when the first file arrives.
	files = append(files, attached...)
	m.Changes = len(changes)
	m.IssuedAt = spec.IssuedAt
	if m.IssuedAt.IsZero() {
		m.IssuedAt = p.now()
	}
	m.IssuedAt = m.IssuedAt.UTC().Truncate(time.Second)
	m.ExpiresAt = m.IssuedAt.Add(spec.Valid)
	cw := &countingWriter{w: w}
	if err := bundle.Write(cw, m, files, spec.Key); err != nil {
		return BundleInfo{}, err
	}
	m.Schema = bundle.Schema
	rec := BundleRecord{Street: street, From: m.From, To: m.To, Changes: m.Changes, Bytes: cw.n,
		IssuedAt: m.IssuedAt, ExpiresAt: m.ExpiresAt, BuiltAt: p.clock()}
	if err := p.store.Write(ctx, func(tx Tx) error { return tx.PutBundle(rec) }); err != nil {
		return BundleInfo{}, err
	}
	return BundleInfo{Manifest: m, Bytes: cw.n}, nil
}

// wrappedPINKeys seals the street's staff PIN key for each of its kiosks
// that is not revoked, under the hash of its token, which the district
// stores (pin.WrapKey): a kiosk opens its own with its token, and the
// bundle alone opens none. A street without staff has no key and gets
// none.
func wrappedPINKeys(tx ReadTx, street string) ([]bundle.PINKey, error) {
	key, err := tx.PINKey(street)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	hashes, err := tx.TokenHashes(street)
	if err != nil {
		return nil, err
	}
	out := make([]bundle.PINKey, 0, len(hashes))
	for id, h := range hashes {
		raw, err := hex.DecodeString(h)
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("kiosk %d: its token hash is malformed", id)
		}
		sealed, err := pin.WrapKey(raw, street, key)
		if err != nil {
			return nil, err
		}
		out = append(out, bundle.PINKey{Kiosk: id, Sealed: sealed})
	}
	slices.SortFunc(out, func(a, b bundle.PINKey) int { return cmp.Compare(a.Kiosk, b.Kiosk) })
	return out, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// Snapshots serves signed snapshot bundles over HTTP (wire.PathBundle).
// The zero value serves none.
type Snapshots struct {
	Key        ed25519.PrivateKey  // nil: the route answers 404
	Statements []*bundle.Statement // key statements every snapshot carries
	// Valid is how long a snapshot stays valid; 0 is DefaultSnapshotValid.
	Valid time.Duration
	// Dir keeps the snapshots built, one file per street; "" is a new
	// temporary folder.
	Dir string
}

// DefaultSnapshotValid: a snapshot over HTTP is imported at once.
const DefaultSnapshotValid = 24 * time.Hour

// snapshotCache keeps the last snapshot of each street on disk and builds
// a new one when the street's scope has changed since, or when the last
// one has lived a quarter of its validity.
type snapshotCache struct {
	cfg Snapshots
	mu  sync.Mutex // one build at a time
	dir string
	by  map[string]cachedSnapshot
}

type cachedSnapshot struct {
	path     string
	scopeEnd int64
	issued   time.Time
	info     BundleInfo
}

func newSnapshotCache(cfg Snapshots) *snapshotCache {
	if cfg.Valid <= 0 {
		cfg.Valid = DefaultSnapshotValid
	}
	return &snapshotCache{cfg: cfg, by: map[string]cachedSnapshot{}}
}

// get opens a snapshot of the street's current scope. It opens it under
// the lock, so a newer snapshot replacing it cannot remove it first.
func (c *snapshotCache) get(ctx context.Context, p *Platform, street string) (cachedSnapshot, *os.File, error) {
	var end int64
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		end, err = tx.ScopeEnd(Scope{Street: street})
		return err
	})
	if err != nil {
		return cachedSnapshot{}, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := p.now()
	if s, ok := c.by[street]; ok && s.scopeEnd == end && now.Sub(s.issued) < c.cfg.Valid/4 && now.Sub(s.issued) >= 0 {
		f, err := os.Open(s.path)
		return s, f, err
	}
	if c.dir == "" {
		c.dir = c.cfg.Dir
		if c.dir == "" {
			if c.dir, err = os.MkdirTemp("", "districtd-snapshots-"); err != nil {
				return cachedSnapshot{}, nil, err
			}
		}
	}
	tmp, err := os.CreateTemp(c.dir, "."+street+"-*.tmp")
	if err != nil {
		return cachedSnapshot{}, nil, err
	}
	defer os.Remove(tmp.Name())
	info, err := p.WriteBundle(ctx, tmp, street, BundleSpec{Key: c.cfg.Key, Valid: c.cfg.Valid, Statements: c.cfg.Statements})
	if err := errors.Join(err, tmp.Close()); err != nil {
		return cachedSnapshot{}, nil, err
	}
	// A new name each time: a snapshot being sent keeps its file open, and
	// an old name is removed only once renamed away.
	path := filepath.Join(c.dir, street+"-"+strconv.FormatInt(info.Manifest.To, 10)+"-"+strconv.FormatInt(now.UnixNano(), 10)+bundle.Ext)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return cachedSnapshot{}, nil, err
	}
	if old, ok := c.by[street]; ok {
		os.Remove(old.path) // an open file stays readable on Unix
	}
	s := cachedSnapshot{path: path, scopeEnd: end, issued: now, info: info}
	c.by[street] = s
	f, err := os.Open(s.path)
	return s, f, err
}

func (h *handler) snapshot(w http.ResponseWriter, r *http.Request, k Kiosk) {
	if h.snapshots == nil {
		writeError(w, http.StatusNotFound, "", "this district serves no bundles: districtd serve runs without --bundle-key")
		return
	}
	s, f, err := h.snapshots.get(r.Context(), h.p, k.Street)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer f.Close()
	m := s.info.Manifest
	w.Header().Set("Content-Type", wire.BundleType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("%s-%d%s", m.Scope, m.To, bundle.Ext)))
	http.ServeContent(w, r, "", s.issued, f)
}

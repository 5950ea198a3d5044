package main

import (
	"context"
	"crypto/ed25519"
	"strings"
	"time"

	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/ui"
)

// bundleImporter is the window's ui.BundleImporter: the code of `kiosk
// import` (client.ImportFile) with the keys the kiosk has recorded, or
// --trust while it has none.
type bundleImporter struct {
	s      *store.Store
	street string // --street; "" for the one the window shows
	trust  ed25519.PublicKey
}

func (b bundleImporter) Import(ctx context.Context, path string, progress func(done, total int)) (ui.BundleResult, error) {
	street := b.street
	if street == "" {
		// The window serves the first street of the database when none is
		// named; a bundle must be for that one.
		if tr, err := b.s.BundleTrust(ctx); err == nil && tr.Street == "" {
			if all, err := b.s.Streets(ctx); err == nil && len(all) > 1 {
				street = all[0].Code
			}
		}
	}
	var report func(done, total int64)
	if progress != nil {
		report = func(done, total int64) { progress(int(done), int(total)) }
	}
	res, err := client.ImportFile(ctx, b.s, path, client.ImportOptions{Bootstrap: b.trust, Street: street, Now: time.Now()}, report)
	if err != nil {
		return ui.BundleResult{}, err
	}
	return ui.BundleResult{Applied: res.Applied, Upserted: res.Upserted, Deleted: res.Deleted, Unchanged: res.Unchanged}, nil
}

// listFlag is a comma-separated list of folders.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = nil
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

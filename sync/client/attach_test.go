package client_test

import (
	"context"
	"errors"
	"testing"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
)

// A file the district attached to a notice reaches a new kiosk inside the
// HTTP snapshot, verified and stored; a kiosk that pages gets the notice
// without the file, and shows its url instead.
func TestSnapshotCarriesAttachedFile(t *testing.T) {
	ctx := context.Background()
	pub, priv, _ := bundle.GenerateKey()
	d := newDistrictWith(t, server.Snapshots{Key: priv})
	pdf := []byte("%PDF-1.4\n% 居住登记表\n%%EOF\n")
	files, _, err := d.p.AddFiles(ctx, []server.NewFile{{Name: "居住登记表.pdf", Data: pdf}})
	if err != nil {
		t.Fatal(err)
	}
	f := files[0]
	set := demoContent(t)
	n := &set.Notices[0]
	a := data.Attachment{Name: f.Name, URL: "https://jiezhen.example/forms/juzhu.pdf", File: f.Path, SHA256: f.SHA256, Size: f.Size, Type: f.Type}
	n.Attachments = []data.Attachment{a}
	if _, err := d.p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}

	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	cfg := fastConfig(d, tok)
	cfg.Trust = pub
	if res, err := newAgent(t, st, cfg).OnceResult(ctx); err != nil || res.Snapshot == 0 {
		t.Fatalf("no snapshot: %+v, %v", res, err)
	}
	got, err := st.AttachmentFile(ctx, f.Path)
	if err != nil || string(got.Data) != string(pdf) || got.Type != "application/pdf" {
		t.Fatalf("the kiosk holds %+v, %v", got, err)
	}
	shown, err := st.Notice(ctx, n.ID)
	if err != nil || len(shown.Attachments) == 0 || shown.Attachments[0].File != f.Path {
		t.Fatalf("notice %+v, %v", shown, err)
	}

	_, tok2 := d.kiosk(t, streetA)
	paged := openKiosk(t)
	cfg2 := fastConfig(d, tok2)
	cfg2.SnapshotBehind = -1
	if err := newAgent(t, paged, cfg2).Once(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := paged.AttachmentFile(ctx, f.Path); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a kiosk that paged holds the file: %v", err)
	}
	if pn, err := paged.Notice(ctx, n.ID); err != nil || pn.Attachments[0].URL != a.URL || pn.Attachments[0].File != f.Path {
		t.Fatalf("paged notice %+v, %v", pn, err)
	}
}

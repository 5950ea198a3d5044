package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // shipped pictures are PNG or JPEG
	_ "image/png"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// AttachmentReader reads the files of attachments the kiosk holds, which
// came in signed bundles. *store.Store satisfies it; a source without it
// shows every attachment as the QR code of its url.
type AttachmentReader interface {
	AttachmentFile(ctx context.Context, path string) (store.AttachmentFile, error)
}

// heldFiles maps an attachment's file path to the bytes the kiosk holds.
type heldFiles map[string][]byte

// loadHeld reads the files of the attachments that src holds, each
// checked against the hash the content gives. Anything not held, or not
// readable, is left out: its attachment falls back to its url.
func loadHeld(ctx context.Context, src any, atts []data.Attachment) heldFiles {
	ar, ok := src.(AttachmentReader)
	if !ok {
		return nil
	}
	held := heldFiles{}
	for _, a := range atts {
		if !a.Shipped() || held[a.File] != nil {
			continue
		}
		f, err := ar.AttachmentFile(ctx, a.File)
		if err == nil && f.SHA256 == a.SHA256 {
			held[a.File] = f.Data
		}
	}
	return held
}

// templates lists the blank forms of a service's materials.
func templates(s data.ServiceItem) []data.Attachment {
	var out []data.Attachment
	for _, m := range s.Materials {
		if m.Template != nil {
			out = append(out, *m.Template)
		}
	}
	return out
}

// attachmentsView lays out a notice's attachments: pictures the kiosk
// holds are shown, PDFs it holds are listed for staff to print (with the
// QR code of their url, if any), and the rest as QR codes as before.
func (e *env) attachmentsView(atts []data.Attachment, held heldFiles) fyne.CanvasObject {
	box := container.NewVBox()
	var online []data.Attachment
	for _, a := range atts {
		if v := e.heldView(a, held, e.L("attach.qr")); v != nil {
			box.Add(v)
			continue
		}
		if a.URL != "" {
			online = append(online, a)
			continue
		}
		l := para(joinDot(a.Name, e.L("attach.not_here")))
		l.Importance = widget.LowImportance
		box.Add(l)
	}
	if len(online) > 0 {
		box.Add(e.qrRow(online))
	}
	return box
}

// heldView shows an attachment whose file the kiosk holds, nil if it
// holds none (or a picture that does not decode). A PDF with a url has
// its QR code beside it, captioned qr: a notice's attachment is any file,
// a service's template a blank form.
func (e *env) heldView(a data.Attachment, held heldFiles, qr string) fyne.CanvasObject {
	b := held[a.File]
	if b == nil {
		return nil
	}
	name := newWrap(a.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if a.IsImage() {
		img, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			return nil
		}
		return container.NewVBox(name, container.NewCenter(e.picture(img)))
	}
	info := container.NewVBox(name, para(joinDot(e.L("attach.pdf"), fileSize(a.Size))), para(e.L("attach.on_kiosk")))
	if a.URL == "" {
		return info
	}
	return container.NewBorder(nil, nil, nil, e.qrCode(qr, a.URL), info)
}

// picture shows an image whole (contain), no higher than a third of a
// portrait screen so the notice's text stays in view.
func (e *env) picture(img image.Image) *canvas.Image {
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	maxW, maxH := float32(560), float32(360)
	if e.elder {
		maxW, maxH = 640, 420
	}
	w, h := float32(img.Bounds().Dx()), float32(img.Bounds().Dy())
	if w <= 0 || h <= 0 {
		return ci
	}
	scale := min(maxW/w, maxH/h)
	ci.SetMinSize(fyne.NewSize(w*scale, h*scale))
	return ci
}

// fileSize is a size as people read it: 120 KB, 2.4 MB.
func fileSize(n int64) string {
	switch {
	case n < 1<<20:
		return fmt.Sprintf("%d KB", max(1, (n+1023)/1024))
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}

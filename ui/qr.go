package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	qrcode "github.com/skip2/go-qrcode"

	"jiezhen/data"
)

// newQR encodes url as a QR code, on the screen and on a printed receipt.
// Medium error correction survives a smudged screen or a creased receipt.
func newQR(url string) (*qrcode.QRCode, error) { return qrcode.New(url, qrcode.Medium) }

// qrImage encodes url as a QR code a phone can read from a metre away.
func qrImage(url string) (image.Image, error) {
	q, err := newQR(url)
	if err != nil {
		return nil, err
	}
	return q.Image(-8), nil
}

// qrCode shows url as a QR code with a caption under it, so a resident
// can continue on their phone. A URL that cannot be encoded shows as text.
func (e *env) qrCode(caption, url string) fyne.CanvasObject {
	img, err := qrImage(url)
	if err != nil {
		return para(caption + "\n" + url)
	}
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScalePixels
	side := float32(180)
	if e.elder {
		side = 220
	}
	ci.SetMinSize(fyne.NewSize(side, side))
	l := newWrap(caption, fyne.TextAlignLeading, fyne.TextStyle{})
	l.Alignment = fyne.TextAlignCenter
	return container.NewVBox(container.NewCenter(ci),
		container.NewGridWrap(fyne.NewSize(side+40, l.MinSize().Height*2), l))
}

// qrRow lays out the QR codes of several attachments side by side.
func (e *env) qrRow(atts []data.Attachment) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, a := range atts {
		if a.URL == "" {
			continue
		}
		objs = append(objs, e.qrCode(a.Name, a.URL))
	}
	if len(objs) == 0 {
		return container.NewVBox()
	}
	return container.NewGridWrap(objs[0].MinSize(), objs...)
}

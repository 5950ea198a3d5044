// Package escpos prints raster images on ESC/POS receipt printers: the
// job's commands (ESC @, GS v 0 bands, a feed and GS V), a printer device
// file such as /dev/usb/lp0 or a CUPS queue through lp, and the printer's
// failures as errors a screen can name in words (docs/ARCHITECTURE.md,
// "The receipt printer"). It does not import Fyne.
package escpos

import (
	"bytes"
	"image"
	"image/color"
)

// The print widths of the two common thermal printers, in dots at 203 dpi.
const (
	Width58 = 384 // 58 mm paper
	Width80 = 576 // 80 mm paper
)

// BandRows is the height of one GS v 0 command: printers with a small
// receive buffer take a long image only in bands.
const BandRows = 256

// feedLines is how many text lines the printer feeds after the image, so
// the cut falls below the last line instead of through it.
const feedLines = 5

// Encode is the whole job for img: initialise the printer (ESC @), the
// image as GS v 0 raster bands, a feed (ESC d) and a partial cut (GS V 1).
// A pixel darker than middle grey prints as a dot; a width that is not a
// multiple of 8 is padded with white.
func Encode(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	rowBytes := (w + 7) / 8
	var out bytes.Buffer
	out.Write([]byte{0x1b, '@'}) // ESC @: initialise
	for y0 := 0; y0 < h; y0 += BandRows {
		rows := min(BandRows, h-y0)
		// GS v 0 m xL xH yL yH: m 0 is normal size; x in bytes, y in dots.
		out.Write([]byte{0x1d, 'v', '0', 0,
			byte(rowBytes), byte(rowBytes >> 8), byte(rows), byte(rows >> 8)})
		row := make([]byte, rowBytes)
		for y := y0; y < y0+rows; y++ {
			clear(row)
			for x := 0; x < w; x++ {
				if dark(img.At(b.Min.X+x, b.Min.Y+y)) {
					row[x/8] |= 0x80 >> (x % 8)
				}
			}
			out.Write(row)
		}
	}
	out.Write([]byte{0x1b, 'd', feedLines}) // ESC d n: feed n lines
	out.Write([]byte{0x1d, 'V', 1})         // GS V 1: partial cut
	return out.Bytes()
}

// dark reports whether c prints as a dot.
func dark(c color.Color) bool {
	g := color.GrayModel.Convert(c).(color.Gray)
	_, _, _, a := c.RGBA()
	return a >= 0x8000 && g.Y < 0x80
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/ui/escpos"
)

// The printed receipt (docs/ARCHITECTURE.md, "The receipt printer"): the
// receipt the screen shows, drawn in the kiosk's own font (assets'
// Noto Sans CJK SC) as a 1-bit image of the printer's width, so any
// Chinese character prints whatever fonts the printer holds. The
// escpos package turns it into the printer's commands.

// ReceiptPrinter prints a receipt image; *escpos.Printer is one.
type ReceiptPrinter interface {
	Width() int // dots
	Print(ctx context.Context, img image.Image) error
	// Check says whether the printer could print now, writing nothing.
	Check(ctx context.Context) error
	String() string // the device or queue, for staff
}

var (
	printFontsOnce sync.Once
	printRegular   *opentype.Font
	printBold      *opentype.Font
	printFontsErr  error
)

func printFonts() (regular, bold *opentype.Font, err error) {
	printFontsOnce.Do(func() {
		if printRegular, printFontsErr = opentype.Parse(assets.FontCJK); printFontsErr != nil {
			return
		}
		printBold, printFontsErr = opentype.Parse(assets.FontCJKBold)
	})
	return printRegular, printBold, printFontsErr
}

// paper draws lines of text and images down a page of the printer's
// width, as long as it needs.
type paper struct {
	img    *image.Gray
	margin int
	y      int // the top of the next line
	scale  float64
	faces  map[string]font.Face
	colon  string // after a label: "：" in Chinese, ": " in English
	err    error
}

// maxReceiptHeight is more than any receipt needs: the page is cut to
// what was drawn.
const maxReceiptHeight = 6000

func newPaper(width int) (*paper, error) {
	reg, bold, err := printFonts()
	if err != nil {
		return nil, err
	}
	p := &paper{
		img:    image.NewGray(image.Rect(0, 0, width, maxReceiptHeight)),
		margin: width / 36,
		y:      width / 36,
		scale:  float64(width) / escpos.Width80,
		faces:  map[string]font.Face{},
	}
	draw.Draw(p.img, p.img.Rect, image.White, image.Point{}, draw.Src)
	// Sizes in dots on 80 mm paper (8 dots a millimetre): body text about
	// 3.5 mm, headings 4.5 mm.
	for name, f := range map[string]struct {
		font *opentype.Font
		size float64
	}{
		"body": {reg, 28}, "small": {reg, 24}, "bold": {bold, 28}, "head": {bold, 36},
	} {
		face, err := opentype.NewFace(f.font, &opentype.FaceOptions{Size: f.size * p.scale, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, err
		}
		p.faces[name] = face
	}
	return p, nil
}

func (p *paper) width() int { return p.img.Rect.Dx() - 2*p.margin }

func measureWith(face font.Face) func(string) float32 {
	return func(s string) float32 { return float32(font.MeasureString(face, s)) / 64 }
}

// text draws s in face, wrapped to the width (breakLines, with the
// Chinese line-breaking rules), indented by indent dots; centred when
// centre is set.
func (p *paper) text(face font.Face, s string, indent int, centre bool) {
	m := face.Metrics()
	lineH := (m.Height + m.Height/5).Ceil()
	measure := measureWith(face)
	for _, line := range breakLines(s, float32(p.width()-indent), measure) {
		x := p.margin + indent
		if centre {
			x = (p.img.Rect.Dx() - int(measure(line))) / 2
		}
		if p.y+lineH > p.img.Rect.Dy() {
			return
		}
		d := font.Drawer{Dst: p.img, Src: image.Black, Face: face,
			Dot: fixed.P(x, p.y+m.Ascent.Ceil())}
		d.DrawString(line)
		p.y += lineH
	}
}

// pair draws a label and its value on one line, the value wrapping under
// itself; an empty value draws nothing.
func (p *paper) pair(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	p.text(p.faces["body"], label+p.colon+value, 0, false)
}

func (p *paper) gap(dots int) { p.y += int(float64(dots) * p.scale) }

// rule draws a dashed line across the page.
func (p *paper) rule() {
	p.gap(10)
	for x := p.margin; x < p.img.Rect.Dx()-p.margin; x++ {
		if (x/8)%2 == 0 {
			p.img.SetGray(x, p.y, color.Gray{})
			p.img.SetGray(x, p.y+1, color.Gray{})
		}
	}
	p.gap(14)
}

// big draws s in bold at the largest size up to 100 dots (on 80 mm paper)
// that fits the width on one line: the reference.
func (p *paper) big(s string) {
	_, bold, _ := printFonts()
	size := 100 * p.scale
	var face font.Face
	for ; size > 20; size -= 2 {
		f, err := opentype.NewFace(bold, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			p.err = err
			return
		}
		if font.MeasureString(f, s).Ceil() <= p.width() {
			face = f
			break
		}
	}
	if face == nil {
		p.text(p.faces["head"], s, 0, true)
		return
	}
	p.text(face, s, 0, true)
}

// qr draws url as a QR code about half the page wide, each module a
// whole number of dots so that it stays sharp.
func (p *paper) qr(url string) {
	q, err := newQR(url)
	if err != nil {
		p.err = err
		return
	}
	bits := q.Bitmap() // with its quiet zone
	n := len(bits)
	dot := max(2, p.img.Rect.Dx()/2/n)
	x0 := (p.img.Rect.Dx() - n*dot) / 2
	for r, row := range bits {
		for c, on := range row {
			if !on {
				continue
			}
			for dy := range dot {
				for dx := range dot {
					p.img.SetGray(x0+c*dot+dx, p.y+r*dot+dy, color.Gray{})
				}
			}
		}
	}
	p.y += n * dot
}

// page is what was drawn, with a margin under it.
func (p *paper) page() *image.Gray {
	h := min(p.y+p.margin, p.img.Rect.Dy())
	out := image.NewGray(image.Rect(0, 0, p.img.Rect.Dx(), h))
	copy(out.Pix, p.img.Pix[:len(out.Pix)])
	// 1 bit: what the printer prints, dot for dot.
	for i, v := range out.Pix {
		if v < 0x80 {
			out.Pix[i] = 0
		} else {
			out.Pix[i] = 0xff
		}
	}
	return out
}

// receiptImage draws the receipt of f in language l for a printer width
// dots wide: the street, what was filed and when, the reference in large
// type, the deadline, what happens next, what to bring, where to ask and
// the tracking QR code.
func receiptImage(l data.Lang, f *filedCase, st data.Street, width int) (*image.Gray, error) {
	p, err := newPaper(width)
	if err != nil {
		return nil, err
	}
	p.colon = "："
	if l == data.EN {
		p.colon = ": "
	}
	L := func(key string) string { return tr(l, key) }
	r := newReceiptOf(l, f, st)

	p.text(p.faces["head"], st.Name, 0, true)
	p.text(p.faces["small"], L("print.kiosk"), 0, true)
	p.rule()
	p.text(p.faces["head"], r.Title, 0, false)
	p.pair(L("print.what"), filedWhat(l, f, r))
	p.pair(L("print.filed_at"), f.c.SubmittedAt.In(chinaTime).Format("2006-01-02 15:04"))
	p.gap(12)
	p.text(p.faces["body"], L("receipt.ref_printed"), 0, true)
	p.big(r.Ref)
	p.gap(8)
	p.text(p.faces["head"], r.DeadlineText, 0, false)
	for _, n := range r.Next {
		p.text(p.faces["body"], n, 0, false)
	}
	if len(r.Bring) > 0 {
		p.rule()
		p.text(p.faces["bold"], L("receipt.bring"), 0, false)
		for i, b := range r.Bring {
			p.text(p.faces["body"], fmt.Sprintf("%d. %s", i+1, b), 0, false)
		}
	}
	p.rule()
	p.text(p.faces["bold"], L("receipt.ask"), 0, false)
	p.pair(L("soon.place"), r.Ask.Place)
	p.pair(L("soon.address"), r.Ask.Address)
	p.pair(L("soon.phone"), r.Ask.Phone)
	p.pair(L("print.hours"), r.Ask.Hours)
	if r.TrackURL != "" {
		p.rule()
		p.qr(r.TrackURL)
		p.gap(6)
		p.text(p.faces["body"], L("receipt.qr"), 0, true)
	}
	p.gap(6)
	p.text(p.faces["small"], r.Keep, 0, false)
	if p.err != nil {
		return nil, p.err
	}
	return p.page(), nil
}

// filedWhat names what was filed: the service item of an application,
// the type and category of an appeal, or the kind of case.
func filedWhat(l data.Lang, f *filedCase, r Receipt) string {
	switch {
	case r.Service != "":
		return r.Service
	case f.c.Kind == data.CaseAppeal && f.c.AppealType != "":
		if cat := "appeal.cat." + f.c.Category; f.c.Category != "" && hasKey(cat) {
			return f.c.AppealType.Label(l) + " · " + tr(l, cat)
		}
		return f.c.AppealType.Label(l)
	}
	return f.c.Kind.Label(l)
}

// printErrText words a printer's failure for the resident and staff.
func (e *env) printErrText(err error) string {
	for _, k := range []struct {
		err error
		key string
	}{
		{escpos.ErrMissing, "print.err_missing"},
		{escpos.ErrNoPaper, "print.err_no_paper"},
		{escpos.ErrOffline, "print.err_offline"},
		{escpos.ErrDenied, "print.err_denied"},
		{escpos.ErrTimeout, "print.err_timeout"},
		{context.DeadlineExceeded, "print.err_timeout"},
	} {
		if errors.Is(err, k.err) {
			return e.L(k.key)
		}
	}
	return e.L("print.err_failed")
}

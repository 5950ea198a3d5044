package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// wrapLabel is a label whose text wraps by the Chinese line-breaking rules
// (breakLines). It keeps widget.Label's fields and SetText, so Text is the
// text as given; what it draws is a label of the broken lines, broken again
// whenever its width changes. Every wrapped text of the kiosk is one. Speech
// reads Text (speech.Speakable).
// Set Wrapping to fyne.TextWrapOff for a line that must not wrap (it may
// then truncate as Truncation says).
type wrapLabel struct {
	widget.Label
	paras bool // each line of Text is a paragraph (body)
}

// newWrap makes a wrapping label of text in style.
func newWrap(text string, align fyne.TextAlign, style fyne.TextStyle) *wrapLabel {
	l := &wrapLabel{}
	l.Text = text
	l.Alignment = align
	l.TextStyle = style
	l.Wrapping = fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

// SetText sets the text and breaks it again.
func (l *wrapLabel) SetText(text string) {
	l.Text = text
	l.Refresh()
}

// Refresh breaks the text again and redraws it.
func (l *wrapLabel) Refresh() { l.BaseWidget.Refresh() }

// MinSize is as narrow as a wrapped Fyne label, and as tall as the lines at
// the current width.
func (l *wrapLabel) MinSize() fyne.Size {
	l.ExtendBaseWidget(l)
	return l.BaseWidget.MinSize()
}

func (l *wrapLabel) CreateRenderer() fyne.WidgetRenderer {
	r := &wrapRenderer{l: l, inner: widget.NewRichText()}
	r.sync()
	return r
}

// wrapRenderer draws the broken lines as a RichText: one segment styled
// as widget.Label styles its text, or one paragraph per line of the text
// for a wrapLabel made by body.
type wrapRenderer struct {
	l     *wrapLabel
	inner *widget.RichText
	key   wrapKey // what the lines were broken for
}

type wrapKey struct {
	width, size float32
	text        string
	style       fyne.TextStyle
}

// sync copies the label's look to the RichText and breaks the text for the
// current width; it reports whether the lines changed.
func (r *wrapRenderer) sync() bool {
	l, in := r.l, r.inner
	th := l.Theme()
	sizeName := l.SizeName
	if sizeName == "" {
		sizeName = theme.SizeNameText
	}
	style := widget.RichTextStyle{
		Alignment: l.Alignment,
		ColorName: importanceColor(l.Importance),
		Inline:    true,
		TextStyle: l.TextStyle,
		SizeName:  sizeName,
	}
	in.Wrapping, in.Truncation = fyne.TextWrapOff, fyne.TextTruncateOff
	key := wrapKey{width: l.Size().Width - 2*th.Size(theme.SizeNameInnerPadding), size: th.Size(sizeName), text: l.Text, style: l.TextStyle}
	if l.Wrapping == fyne.TextWrapOff {
		in.Truncation = l.Truncation
		key.width = 0 // the text's own lines
	}
	var segs []widget.RichTextSegment
	if l.paras {
		style.Inline = false
		for _, p := range strings.Split(l.Text, "\n") {
			segs = append(segs, &widget.TextSegment{Style: style, Text: r.breakText(p, key)})
		}
	} else {
		segs = []widget.RichTextSegment{&widget.TextSegment{Style: style, Text: r.breakText(l.Text, key)}}
	}
	changed := key != r.key || len(segs) != len(in.Segments)
	for i := 0; !changed && i < len(segs); i++ {
		a, b := segs[i].(*widget.TextSegment), in.Segments[i].(*widget.TextSegment)
		changed = a.Text != b.Text || a.Style != b.Style
	}
	r.key = key
	if changed {
		in.Segments = segs
	}
	return changed
}

func (r *wrapRenderer) breakText(text string, key wrapKey) string {
	return strings.Join(breakLines(text, key.width, func(s string) float32 {
		return fyne.MeasureText(s, key.size, key.style).Width
	}), "\n")
}

// importanceColor is the colour widget.Label gives text of importance i.
func importanceColor(i widget.Importance) fyne.ThemeColorName {
	switch i {
	case widget.LowImportance:
		return theme.ColorNameDisabled
	case widget.HighImportance:
		return theme.ColorNamePrimary
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

func (r *wrapRenderer) Layout(size fyne.Size) {
	changed := r.sync()
	r.inner.Resize(size)
	if changed {
		r.inner.Refresh()
		// The height follows the lines: let the containers above know.
		if c := fyne.CurrentApp().Driver().CanvasForObject(r.l); c != nil {
			c.Refresh(r.l)
		}
	}
}

func (r *wrapRenderer) MinSize() fyne.Size {
	if r.sync() {
		r.inner.Refresh()
	}
	if r.l.Wrapping == fyne.TextWrapOff {
		return r.inner.MinSize()
	}
	// As narrow as one letter, as Fyne's wrapped text is.
	w := 2 * r.l.Theme().Size(theme.SizeNameInnerPadding)
	if r.l.Text != "" {
		w += fyne.MeasureText("M", r.key.size, r.l.TextStyle).Width
	}
	return fyne.NewSize(w, r.inner.MinSize().Height)
}

func (r *wrapRenderer) Refresh() {
	r.sync()
	r.inner.Refresh()
}

func (r *wrapRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.inner} }
func (r *wrapRenderer) Destroy()                     {}

// SpeechText is what 朗读 reads of the label: its text, unbroken.
func (l *wrapLabel) SpeechText() string { return l.Text }

package speech

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Speakable is implemented by a custom widget that knows what should be
// read aloud for it; TextOf asks it instead of looking inside.
type Speakable interface {
	SpeechText() string
}

// TextOf collects the text a resident sees in o, in reading order, ready
// for Speak: labels, rich text, canvas texts, the labels of buttons,
// checks and links, cards, forms, selects and radio groups, through
// containers and scrolls. Hidden objects are skipped, and so are entries:
// what a resident typed (an ID number, a mobile) is not to be read out at
// a public kiosk. Other custom widgets are read only if they implement
// Speakable. A 朗读 button can pass func() string { return TextOf(screen) }.
func TextOf(o fyne.CanvasObject) string {
	var parts []string
	collect(o, &parts)
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p)
		if !strings.ContainsAny(lastRune(p), "。！？；：，、,.!?;:") {
			b.WriteString("。")
		}
	}
	return b.String()
}

func lastRune(s string) string {
	r := []rune(s)
	return string(r[len(r)-1:])
}

func collect(o fyne.CanvasObject, parts *[]string) {
	if o == nil || !o.Visible() {
		return
	}
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			*parts = append(*parts, s)
		}
	}
	if s, ok := o.(Speakable); ok {
		add(s.SpeechText())
		return
	}
	switch w := o.(type) {
	case *widget.Label:
		add(w.Text)
	case *widget.RichText:
		add(w.String())
	case *canvas.Text:
		add(w.Text)
	case *widget.Button:
		add(w.Text)
	case *widget.Hyperlink:
		add(w.Text)
	case *widget.Check:
		add(w.Text)
	case *widget.Card:
		add(w.Title)
		add(w.Subtitle)
		collect(w.Content, parts)
	case *widget.Form:
		for _, it := range w.Items {
			add(it.Text)
			collect(it.Widget, parts)
		}
	case *widget.Select:
		if w.Selected != "" {
			add(w.Selected)
		} else {
			add(w.PlaceHolder)
		}
	case *widget.RadioGroup:
		for _, opt := range w.Options {
			add(opt)
		}
	case *container.Scroll:
		collect(w.Content, parts)
	case *container.Split:
		collect(w.Leading, parts)
		collect(w.Trailing, parts)
	case *fyne.Container:
		for _, c := range w.Objects {
			collect(c, parts)
		}
	}
}

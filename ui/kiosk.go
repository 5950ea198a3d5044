// Package ui is the kiosk's touch interface: one file per screen, the theme
// in ui/theme. It reads content through the store's read API and never
// writes to it directly.
package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"jiezhen/data"
	"jiezhen/data/store"
	kioskTheme "jiezhen/ui/theme"
)

// Kiosk is the running kiosk interface.
type Kiosk struct {
	app    fyne.App
	win    fyne.Window
	store  *store.Store
	theme  *kioskTheme.Theme
	lang   data.Lang
	street data.Street
	now    func() time.Time

	root *fyne.Container // holds the current screen
}

// Options configure a Kiosk.
type Options struct {
	Street string           // street code; empty means the first street in the database
	Now    func() time.Time // the clock; nil means time.Now
}

// New builds the kiosk interface into w.
func New(a fyne.App, w fyne.Window, s *store.Store, opt Options) (*Kiosk, error) {
	k := &Kiosk{app: a, win: w, store: s, theme: &kioskTheme.Theme{}, lang: data.ZH, now: opt.Now}
	if k.now == nil {
		k.now = time.Now
	}
	st, err := pickStreet(s, opt.Street)
	if err != nil {
		return nil, err
	}
	k.street = st
	a.Settings().SetTheme(k.theme)
	k.root = container.NewStack()
	w.SetContent(k.root)
	k.showHome()
	return k, nil
}

// show replaces the current screen.
func (k *Kiosk) show(screen fyne.CanvasObject) {
	k.root.Objects = []fyne.CanvasObject{screen}
	k.root.Refresh()
}

// tr returns the Chinese or English text for the current language.
func (k *Kiosk) tr(zh, en string) string {
	if k.lang == data.EN {
		return en
	}
	return zh
}

// pickStreet finds the street the kiosk serves: the one named, or the
// first in the database.
func pickStreet(s *store.Store, code string) (data.Street, error) {
	ctx := context.Background()
	if code != "" {
		st, err := s.Street(ctx, code)
		if err != nil {
			return data.Street{}, fmt.Errorf("street %s: %w", code, err)
		}
		return st, nil
	}
	all, err := s.Streets(ctx)
	if err != nil {
		return data.Street{}, err
	}
	if len(all) == 0 {
		return data.Street{Name: "街镇通"}, nil
	}
	return all[0], nil
}

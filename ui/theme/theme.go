// Package theme is the kiosk's look: the bundled CJK font, a light
// high-contrast palette and text sizes that meet the elder-friendly rules
// (body text at least 18 pt, headings at least 30 pt in 长者模式).
package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"jiezhen/assets"
)

// fontCJK and fontCJKBold are loaded once: every text style uses one of
// them, so Chinese and Latin share a design and metrics, headings are
// really bold in Chinese, and goldens do not depend on the machine's fonts.
var (
	fontCJK     = fyne.NewStaticResource("NotoSansCJKsc-Regular.otf", assets.FontCJK)
	fontCJKBold = fyne.NewStaticResource("NotoSansCJKsc-Bold.otf", assets.FontCJKBold)
)

// Sizes of the two modes, in Fyne's device-independent units.
type sizes struct {
	text, heading, subheading, caption, padding, innerPadding, icon float32
}

var (
	normal = sizes{text: 20, heading: 30, subheading: 24, caption: 18, padding: 6, innerPadding: 12, icon: 28}
	elder  = sizes{text: 26, heading: 36, subheading: 30, caption: 22, padding: 8, innerPadding: 16, icon: 36}
)

// MinTarget is the smallest touch target side, in Fyne units, for the
// normal and the elder interface (WCAG 2.5.5: 44; MIIT elder rules: 60),
// grown with the screen (Scale).
func MinTarget(elderMode bool) float32 {
	if elderMode {
		return 60 * scale
	}
	return 44 * scale
}

// PadKey is the size of a key of the staff PIN pad, 1.7 targets high and
// 1.6 times as wide, grown with the screen. The letters of the on-screen
// keyboard and its candidates are at least the normal mode's (in 长者模式
// ten of the elder ones would not fit a row of a 1280-wide screen).
func PadKey(elderMode bool) fyne.Size {
	h := 1.7 * MinTarget(elderMode)
	return fyne.NewSize(1.6*h, h)
}

// KeyGap is the gap between the rows of the on-screen keyboard, the
// normal mode's padding in both modes: every unit the keyboard takes is
// one less for the form above it.
func KeyGap() float32 { return normal.padding * scale }

// scale grows text, padding, icons and touch targets with the screen
// (ScaleFor); 1 on the 1280x800 screen the sizes were set for.
var scale float32 = 1

// Scale is the current size factor.
func Scale() float32 { return scale }

// SetScale sets the size factor; the app's theme must then be set again
// for the widgets to follow.
func SetScale(s float32) { scale = s }

// ScaleFor is the size factor for a window of size: its shorter side
// against the 800 units the sizes were set for, from 1 to 1.5 in steps of
// 0.05, so a 1920x1080 or 1080x1920 screen shows text about 1.35 times as
// large as a 1280x800 one.
func ScaleFor(size fyne.Size) float32 {
	short := min(size.Width, size.Height)
	s := float32(int(short/800*20+0.5)) / 20
	return max(1, min(1.5, s))
}

// Theme is the kiosk theme. Change Elder through SetElder on the app's
// theme so that every widget is refreshed.
type Theme struct {
	Elder bool
}

var _ fyne.Theme = (*Theme)(nil)

func (t *Theme) sizes() sizes {
	if t.Elder {
		return elder
	}
	return normal
}

// Color keeps Fyne's light palette but darkens secondary text so that it
// still has a 4.5:1 contrast on the background.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePlaceHolder, theme.ColorNameDisabled:
		return color.NRGBA{0x5f, 0x63, 0x68, 0xff}
	case theme.ColorNamePrimary:
		return color.NRGBA{0xb7, 0x1c, 0x1c, 0xff} // government red, 6.6:1 on white
	case theme.ColorNameError:
		// What is missing or wrong, in body-size text: Fyne's own red has
		// 3.7:1 on white, and error text is not always bold.
		return color.NRGBA{0xc6, 0x28, 0x28, 0xff} // 5.6:1 on white
	case theme.ColorNameForeground:
		return color.NRGBA{0x1a, 0x1a, 0x1a, 0xff}
	case theme.ColorNameSuccess:
		// A chosen tile: dark green, apart from the red of buttons and of
		// errors, with white text at 7.9:1 (Fyne's green has 1.6:1).
		return color.NRGBA{0x1b, 0x5e, 0x20, 0xff}
	case theme.ColorNameForegroundOnSuccess:
		return color.NRGBA{0xff, 0xff, 0xff, 0xff}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

// Font returns the bundled CJK font, bold or regular, for every style but
// monospace.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	if s.Bold {
		return fontCJKBold
	}
	return fontCJK
}

// Icon is Fyne's own.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size scales text, padding and icons for the current mode and screen.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText,
		theme.SizeNamePadding, theme.SizeNameInnerPadding, theme.SizeNameInlineIcon, theme.SizeNameLineSpacing:
		return t.size(n) * scale
	}
	return t.size(n)
}

func (t *Theme) size(n fyne.ThemeSizeName) float32 {
	s := t.sizes()
	switch n {
	case theme.SizeNameText:
		return s.text
	case theme.SizeNameHeadingText:
		return s.heading
	case theme.SizeNameSubHeadingText:
		return s.subheading
	case theme.SizeNameCaptionText:
		return s.caption
	case theme.SizeNamePadding:
		return s.padding
	case theme.SizeNameInnerPadding:
		return s.innerPadding
	case theme.SizeNameInlineIcon:
		return s.icon
	case theme.SizeNameScrollBar:
		return 16
	case theme.SizeNameLineSpacing:
		// Noto Sans CJK's own line is 1.45x the text size, already more
		// than the 1.3x of the MIIT elder rules; a little more keeps lines
		// of a paragraph 1.6x apart, as they were with Droid Sans Fallback
		// (1.3x its own and 0.3x between).
		return s.text * 0.15
	}
	return theme.DefaultTheme().Size(n)
}

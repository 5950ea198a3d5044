package assets

import _ "embed"

// FontCJK is Droid Sans Fallback (Debian package fonts-droid-fallback,
// Apache-2.0; licence in fonts/). Fyne bundles no CJK font and cannot load
// .ttc collections, so the kiosk ships this single-face TTF: it covers all
// 20,902 CJK Unified Ideographs, which matters for the rare characters in
// residents' names.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var FontCJK []byte

package assets

import _ "embed"

// FontCJK and FontCJKBold are Noto Sans CJK SC Regular and Bold (Debian
// package fonts-noto-cjk, SIL Open Font License 1.1; licence and notice in
// fonts/). Fyne cannot load .ttc collections and Debian ships only those,
// so fonts/subset.py takes the Simplified Chinese face out of each and
// keeps Latin, punctuation, kana and all 27,558 CJK Unified Ideographs
// with Extension A, which matters for the rare characters in residents'
// names. Latin and digits come from the same faces, so a line never mixes
// two designs, and headings are really bold in Chinese.
//
//go:embed fonts/NotoSansCJKsc-Regular.otf
var FontCJK []byte

//go:embed fonts/NotoSansCJKsc-Bold.otf
var FontCJKBold []byte

// FontPDF is Droid Sans Fallback (Debian package fonts-droid-fallback,
// Apache-2.0; licence in fonts/), a single-face TrueType font: the PDFs
// districtd writes (告知书, reports) embed it, because the PDF writer
// takes TrueType outlines and the Noto faces above are CFF.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var FontPDF []byte

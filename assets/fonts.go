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

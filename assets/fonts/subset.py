# Takes the Simplified Chinese face out of a Noto Sans CJK collection from
# Debian's fonts-noto-cjk and subsets it for the kiosk (assets/fonts.go):
#   apt-get install fonts-noto-cjk python3-fonttools
#   python3 assets/fonts/subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc assets/fonts/NotoSansCJKsc-Regular.otf
#   python3 assets/fonts/subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc assets/fonts/NotoSansCJKsc-Bold.otf
# It keeps every character of the face in the basic plane but Hangul (Latin,
# punctuation, kana, the CJK Unified Ideographs with Extension A), with all
# layout features, names and the licence in the name table.
import sys
from fontTools.ttLib import TTCollection
from fontTools import subset
src, out = sys.argv[1], sys.argv[2]
c = TTCollection(src)
face = next(f for f in c.fonts if f['name'].getDebugName(4).startswith('Noto Sans CJK SC'))
keep = [u for u in face.getBestCmap() if u <= 0xFFFF and not (0x1100 <= u <= 0x11FF or 0x3130 <= u <= 0x318F or 0xA960 <= u <= 0xA97F or 0xAC00 <= u <= 0xD7FF)]
opts = subset.Options()
opts.name_IDs = ['*']
opts.name_languages = ['*']
opts.notdef_outline = True
opts.layout_features = ['*']
s = subset.Subsetter(opts)
s.populate(unicodes=keep)
s.subset(face)
face.save(out)
print(out, len(keep))

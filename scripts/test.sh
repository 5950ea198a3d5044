#!/usr/bin/env bash
# Runs every check Jiezhen has: go vet and all tests, with the race
# detector except for the screen walks (below). Tests that need a real
# window get an Xvfb display of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
export LANG=zh_CN.UTF-8

# A display for the tests that open a real window (screenshots).
if [[ -z "${DISPLAY:-}" ]]; then
  for n in $(seq 90 120); do
    [[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]] && continue
    Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
    export DISPLAY=":$n"
    for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
    break
  done
fi

echo "== go vet ./..."
go vet ./...
# The walks that build every screen in every mode and screen shape check
# layout (goldens, touch targets, fit, every field in view above the
# keyboard), not
# concurrency, and take six times as long under the
# race detector; they run without it, after everything else ran with it.
walks='^(TestGoldens|TestShapeGoldens|TestEveryShape|TestListsPageByWhatFits|TestPortraitHomeIsTwoColumns|TestTouchTargets|TestStaffTouchTargets|TestScreensFitTheWindowInEnglish|TestStaffScreensFitTheWindowInEnglish|TestFocusedFieldInViewAboveKeyboard|TestLetterKeysAsLargeAsPINKeys|TestSearchHitsPageByWhatFits|TestNoReadButtonWithoutSpeaker)$'
echo "== go test -race ./..."
go test -race -count=1 -timeout 30m -skip "$walks" ./...
# The district's store on PostgreSQL: the packages whose tests open a
# store run a second time on a real PostgreSQL server that the tests start
# themselves (internal/pgtest; CI=true makes a missing one a failure).
echo "== go test -race (the packages with a district store) on PostgreSQL"
JIEZHEN_TEST_STORE=postgres go test -race -count=1 -timeout 20m ./sync/server ./sync/client ./cmd/districtd ./ui/admin ./ui/web
echo "== go test ./ui (screen walks)"
go test -count=1 -timeout 40m -run "$walks" ./ui
# The bundle's parsers against arbitrary input, beyond their seed corpus
# (which the plain run above covers): a bundle is a file off a USB stick.
for target in FuzzRead FuzzManifest; do
  echo "== go test -fuzz $target ./sync/bundle (20s)"
  go test -run '^$' -fuzz "^$target\$" -fuzztime 20s ./sync/bundle
done

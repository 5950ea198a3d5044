#!/usr/bin/env bash
# Sets up and starts the demo: installs what is missing, builds both
# programs into bin/, starts a local district platform (districtd) with the
# demo content, loads the demo street into demo/kiosk.db and opens the kiosk
# window connected to the district (on port 8470, or the free port it
# names when 8470 is taken; JIEZHEN_PORT chooses). Content published with
# `bin/districtd publish --db demo/district.db FILE` reaches the kiosk
# within seconds; stop districtd and the kiosk carries on offline.
# With no display it runs the kiosk on a virtual one, saves a screenshot to
# demo/screenshot.png and exits.
# Extra arguments go to the kiosk (for example --fullscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
export LANG=zh_CN.UTF-8

echo "demo: building bin/kiosk and bin/districtd (the first build takes about 3 minutes)" >&2
go build -o bin/kiosk ./cmd/kiosk
CGO_ENABLED=0 go build -o bin/districtd ./cmd/districtd

mkdir -p demo
if [[ ! -s demo/kiosk.db ]]; then
  bin/kiosk demo --db demo/kiosk.db >/dev/null
fi

# The district platform on loopback, with the demo content: on
# $JIEZHEN_PORT if set, else 8470, else (8470 taken) a free port.
source scripts/district.sh
start_district bin/districtd 8470 demo/district.db demo/districtd.log --demo || exit 1
districtd=$district_pid
trap 'kill $districtd 2>/dev/null || true' EXIT
addr=${district_url#http://}
# The token carries the kiosk's number (jzk_<number>.<secret>), the first
# part of every reference it makes; a token from before that is replaced.
if ! grep -qE '^jzk_[0-9]+\.' demo/kiosk.token 2>/dev/null; then
  bin/districtd kiosk add --db demo/district.db --street 440106005 --name 演示终端 >demo/kiosk.token
fi
export JIEZHEN_TOKEN
JIEZHEN_TOKEN=$(cat demo/kiosk.token)
# One sync before the window opens: the kiosk records its number and
# takes what the district has.
bin/kiosk sync --db demo/kiosk.db --district "$district_url" --once >/dev/null
bin/kiosk status --db demo/kiosk.db
# A street staff account for trying staff mode (hold the street's name for
# two seconds), and the district's outbox key, so that staff can export the
# kiosk's waiting items to a USB drive.
if [[ ! -s demo/staff.pin ]]; then
  bin/districtd staff add --db demo/district.db --street 440106005 --name 演示工作人员 >demo/staff.pin
fi
if [[ ! -s demo/outbox.pub ]]; then
  bin/districtd outbox-key --out demo/outbox.key >demo/outbox.pub
fi
echo "demo: staff mode: hold the street's name for 2 s, choose 演示工作人员, PIN $(cat demo/staff.pin)" >&2
echo "demo: districtd at $district_url (log: demo/districtd.log)" >&2
echo "demo: website at ${district_url%/}/" >&2

if [[ -n "${DISPLAY:-}" ]]; then
  bin/kiosk --db demo/kiosk.db --district "$district_url" --outbox-recipient demo/outbox.pub "$@"
  exit
fi

# No display: run on Xvfb and take a screenshot.
n=$(for i in $(seq 90 120); do [[ -e /tmp/.X11-unix/X$i || -e /tmp/.X$i-lock ]] || { echo "$i"; break; }; done)
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=":$n"
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
bin/kiosk --db demo/kiosk.db --district "$district_url" --outbox-recipient demo/outbox.pub "$@" &
kiosk=$!
trap 'kill $kiosk 2>/dev/null; wait $kiosk 2>/dev/null; kill $xvfb $districtd 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  xwininfo -root -tree 2>/dev/null | grep -q Jiezhen && break
  sleep 0.2
done
sleep 2
import -window root demo/screenshot.png
echo "demo: no display here; the kiosk ran on a virtual one and its screenshot is demo/screenshot.png" >&2
echo "demo: districtd stops with this script; to answer cases, start it again: bin/districtd serve --db demo/district.db --addr $addr" >&2

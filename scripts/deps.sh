#!/usr/bin/env bash
# Installs the Debian 12 packages Jiezhen needs to build, test and show the
# kiosk: the GLFW headers for Fyne, Xvfb and ImageMagick to run a real
# window headless and take screenshots, xset (x11-xserver-utils) to keep a
# full-screen kiosk from blanking, espeak-ng for read-aloud, chromium and
# the Noto CJK fonts for the website's browser tests (ui/web). The kiosk
# also draws the few characters its bundled font lacks (〈 〉) from Noto
# CJK, through Fyne's system-font fallback, so the screen goldens assume it.
# poppler-utils gives pdftotext, with which tests read back the PDFs districtd
# writes (告知书 and reports). postgresql gives the server binaries
# (initdb, postgres) with which the server tests start a PostgreSQL of their
# own (internal/pgtest); no service needs to run. Its client programs give
# pg_dump, which districtd backup runs, and pg_restore, with which the
# tests restore and read its dumps.
# The Debian packages' tests (cmd/internal/packages) verify the systemd
# units with systemd-analyze and make their users with systemd-sysusers
# (systemd), need xinit, which the kiosk's unit starts, sign an apt
# repository with gpg and build it with reprepro.
# As root it installs what is missing; otherwise it prints the apt-get line.
set -euo pipefail

packages=(gcc pkg-config libgl1-mesa-dev libxcursor-dev libxrandr-dev libxinerama-dev
  libxi-dev libxxf86vm-dev xvfb xauth x11-utils x11-xserver-utils imagemagick espeak-ng
  chromium fonts-noto-cjk poppler-utils systemd xinit gpg reprepro postgresql)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "deps: missing system packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v go >/dev/null 2>&1; then
  export PATH=$PATH:/usr/local/go/bin
fi
if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go 1.26 or newer is needed and 'go' is not on PATH" >&2
  exit 1
fi
need=$(awk '/^go /{print $2}' "$(dirname "$0")/../go.mod")
have=$(go env GOVERSION | sed 's/^go//')
if [[ $(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1) != "$need" ]]; then
  echo "deps: go.mod needs Go $need, this machine has $have" >&2
  exit 1
fi

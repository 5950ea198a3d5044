#!/usr/bin/env bash
# Builds the Debian packages jiezhen-districtd and jiezhen-kiosk of a
# release into dist/ (or OUTDIR): both programs with the version set, then
# the packaging module (packaging/, nFPM) with the systemd units. With
# --repo DIR it also adds them to the district's apt repository there,
# made with reprepro and signed with the GPG key --sign names (docs/DEPLOY.md,
# "Kiosk upgrades").
#   scripts/packages.sh VERSION [OUTDIR] [--repo DIR --sign KEYID]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh

version=${1:?usage: scripts/packages.sh VERSION [OUTDIR] [--repo DIR --sign KEYID]}
shift
out=dist
if [[ $# -gt 0 && $1 != --* ]]; then
  out=$1
  shift
fi
repo= key=
while [[ $# -gt 0 ]]; do
  case $1 in
    --repo) repo=${2:?--repo needs a folder}; shift 2 ;;
    --sign) key=${2:?--sign needs a key id}; shift 2 ;;
    *) echo "packages: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -n $repo && -z $key ]]; then
  echo "packages: --repo needs --sign KEYID (a repository kiosks trust is signed)" >&2
  exit 2
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
ld="-X jiezhen/cmd/internal/version.Version=$version"
CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -o "$out/districtd" ./cmd/districtd
go build -trimpath -ldflags "$ld" -o "$out/kiosk" ./cmd/kiosk
(cd packaging && go run . --version "$version" --out "$out" --districtd "$out/districtd" --kiosk "$out/kiosk")
rm -f "$out/districtd" "$out/kiosk"

if [[ -n $repo ]]; then
  mkdir -p "$repo/conf"
  if [[ ! -e $repo/conf/distributions ]]; then
    cat >"$repo/conf/distributions" <<CONF
Origin: Jiezhen
Label: Jiezhen
Codename: stable
Architectures: amd64
Components: main
Description: Jiezhen kiosk and district platform packages
SignWith: $key
CONF
  fi
  reprepro -b "$repo" includedeb stable "$out/jiezhen-kiosk_${version}_amd64.deb" "$out/jiezhen-districtd_${version}_amd64.deb"
  echo "packages: $repo holds $version, signed by $key" >&2
fi

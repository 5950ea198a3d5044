#!/usr/bin/env bash
# Measures the kiosk's start-up, process start to first painted frame, on
# the current X display (run under Xvfb), against an empty Fyne window.
#   ui/testdata/startup/measure.sh [RUNS]
# Builds both programs, writes a 100,000-record database once into
# /tmp/jiezhen-startup/ (or $JIEZHEN_STARTUP_DIR), and prints each run and the
# median in ms.
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-7}
dir=${JIEZHEN_STARTUP_DIR:-/tmp/jiezhen-startup}
mkdir -p "$dir"
go build -o "$dir/kiosk" ./cmd/kiosk
go build -o "$dir/emptywindow" ./ui/testdata/startup/emptywindow
[[ -s "$dir/big.db" ]] || go run ./ui/testdata/startup/bigdb "$dir/big.db" 100000 >/dev/null

# once runs a command and prints the ms from exec to its first-frame line.
once() {
  local start end
  start=$(date +%s%N)
  end=$(JIEZHEN_FIRST_FRAME=exit LANG=zh_CN.UTF-8 "$@" 2>&1 >/dev/null | sed -n 's/^first-frame //p' | head -1)
  echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for what in empty kiosk; do
  times=()
  for _ in $(seq "$runs"); do
    if [[ $what == empty ]]; then
      times+=("$(once "$dir/emptywindow")")
    else
      times+=("$(once "$dir/kiosk" --db "$dir/big.db")")
    fi
    sleep 0.5
  done
  echo "$what: ${times[*]} ms; median $(printf '%s\n' "${times[@]}" | median) ms"
done

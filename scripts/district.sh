# Sourced by demo.sh: starts the demo's district platform on loopback.
#
# start_district BIN PORT DB LOG [SERVE FLAGS...]
#
# Runs `BIN serve --db DB` with its log in LOG, listening on
# 127.0.0.1:$JIEZHEN_PORT when that is set, else on PORT, else (another
# program has PORT) on a free port the system gives, and says which on
# stderr. It returns once districtd has said it is listening (after its
# migrations and the demo content, so commands that open DB next do not
# race it), with district_url (http://127.0.0.1:N) and district_pid set.
# When districtd cannot start, it prints one line, the last of LOG, and
# returns 1.
start_district() {
  local bin=$1 port=$2 db=$3 log=$4
  shift 4
  local ports=("$port" 0)
  if [[ -n ${JIEZHEN_PORT:-} ]]; then
    if [[ ! $JIEZHEN_PORT =~ ^[0-9]{1,5}$ ]] || ((10#$JIEZHEN_PORT > 65535)); then
      echo "demo: JIEZHEN_PORT=$JIEZHEN_PORT is not a port number (1-65535, or 0 for any free one)" >&2
      return 1
    fi
    ports=("$((10#$JIEZHEN_PORT))")
  fi
  local p url tries
  for p in "${ports[@]}"; do
    : >"$log"
    "$bin" serve --db "$db" --addr "127.0.0.1:$p" "$@" >>"$log" 2>&1 &
    district_pid=$!
    url=
    # Up to 60 s: a first start migrates and loads the demo content.
    for ((tries = 0; tries < 600; tries++)); do
      url=$(sed -n 's|.*msg=listening url=\(https\{0,1\}://[^ ]*\)/api/v1.*|\1|p' "$log" | head -n 1)
      [[ -z $url ]] && kill -0 "$district_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [[ -n $url ]]; then
      district_url=$url
      if [[ -z ${JIEZHEN_PORT:-} && $p != "$port" ]]; then
        echo "demo: port $port is taken by another program; districtd listens on ${url#*://} instead (set JIEZHEN_PORT to choose)" >&2
      fi
      return 0
    fi
    if kill -0 "$district_pid" 2>/dev/null; then
      kill "$district_pid"
      wait "$district_pid" 2>/dev/null
      echo "demo: districtd did not start listening within 60 s (its log: $log)" >&2
      return 1
    fi
    wait "$district_pid" 2>/dev/null
    if [[ ${#ports[@]} -gt 1 && $p == "$port" ]] && grep -q "cannot listen on .* in use" "$log"; then
      continue
    fi
    echo "demo: districtd did not start: $(tail -n 1 "$log")" >&2
    return 1
  done
}

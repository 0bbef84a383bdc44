# shellcheck shell=bash
# Scenario "save-load": docker load, then docker save, of a ~200 MiB image with 6 layers of random
# (incompressible) files, with the real docker CLI against each engine on fresh roots. The archive
# is built once per bench run (a docker-archive that both dockerd 20.10 and berthd read) and is in
# the page cache for every load; save writes to /dev/null. Seconds are wall time of the CLI.

scenario_save-load_metrics() {
  metric saveload load_s s "<=0.6*dockerd" "docker load, 6 layers / 200 MiB"
  metric saveload load_mbps MB/s "-" "docker load throughput"
  metric saveload save_s s "<=dockerd" "docker save to /dev/null"
  metric saveload save_mbps MB/s "-" "docker save throughput"
}

# A docker-archive: <layer>/layer.tar + manifest.json + config (the format every dockerd loads).
saveload_archive() {
  SAVELOAD_TAR=$WORK/saveload.tar
  [[ -s $SAVELOAD_TAR ]] && return 0
  python3 "$ROOT/bench/lib/make-archive.py" "$SAVELOAD_TAR" bench/saveload:1 || return 1
}

scenario_save-load_run() { # ENGINE RUN
  saveload_archive || { echo "bench: could not build the save/load archive" >&2; return 1; }
  engine_start "$1" || return 1
  local docker=(/usr/local/bin/docker -H "unix://$ENGINE_SOCK") mb t0 t1 t2 out
  mb=$(awk -v b="$(stat -c %s "$SAVELOAD_TAR")" 'BEGIN { printf "%.1f", b / 1000000 }')
  t0=$EPOCHREALTIME
  out=$("${docker[@]}" load -i "$SAVELOAD_TAR" 2>&1) || { echo "bench: load on $1 failed: $out" >&2; engine_stop; return 1; }
  t1=$EPOCHREALTIME
  "${docker[@]}" save bench/saveload:1 >/dev/null 2>"$ENGINE_DIR/save.err" || { echo "bench: save on $1 failed: $(cat "$ENGINE_DIR/save.err")" >&2; engine_stop; return 1; }
  t2=$EPOCHREALTIME
  local load_s save_s
  load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  save_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')
  echo "  $1 load ${load_s}s save ${save_s}s (${mb} MB)" >&2
  record saveload load_s "$1" "$2" "$load_s"
  record saveload load_mbps "$1" "$2" "$(awk -v m="$mb" -v s="$load_s" 'BEGIN { printf "%.1f", m / s }')"
  record saveload save_s "$1" "$2" "$save_s"
  record saveload save_mbps "$1" "$2" "$(awk -v m="$mb" -v s="$save_s" 'BEGIN { printf "%.1f", m / s }')"
  engine_stop
}

# shellcheck shell=bash
# Scenario "percontainer": memory each running container costs its engine. After one warm-up
# container (run and removed) and BENCH_SETTLE seconds idle, the engine's own processes are
# measured; then BENCH_PERCONTAINER_COUNT `sleep` containers are started (-d, --network none),
# and after another settle the same again plus every per-container monitor:
#   berthd:  berthd growth + conmon per container
#   dockerd: dockerd + containerd growth + containerd-shim-runc-v2 per container
# (the containers' own `sleep` processes are the same for both and not counted). Pss splits
# shared pages (the monitor binary and libraries) among their users; RSS counts them in full.
# shellcheck source=bench/lib/containers.sh
source "$ROOT/bench/lib/containers.sh"

scenario_percontainer_metrics() {
  metric percontainer per_ctr_pss_mib MiB "<=2.5" "memory per running container (engine growth + monitor Pss)"
  metric percontainer per_ctr_rss_mib MiB "-" "memory per running container (engine growth + monitor RSS)"
  metric percontainer monitor_pss_mib MiB "-" "monitor Pss per container (conmon / shim)"
  metric percontainer engine_growth_mib MiB "-" "engine RSS growth per container"
  metric percontainer start_all_s s "-" "docker run -d of all containers, one after another"
}

# Sum of field $1 (kB, e.g. Rss or Pss from smaps_rollup) over the given pids, in kB.
sum_kb() {
  local field=$1 p total=0 v
  shift
  for p in "$@"; do
    v=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# The engine's own processes: the daemon and its descendants that are not container monitors.
engine_pids() {
  local -A monitors=()
  local p
  for p in $(monitor_pids); do monitors[$p]=1; done
  for p in "$ENGINE_PID" $(descendants "$ENGINE_PID"); do
    [[ -n ${monitors[$p]:-} ]] || echo "$p"
  done
}

scenario_percontainer_run() { # ENGINE RUN
  engine_start "$1" || return 1
  import_busybox || { engine_stop; return 1; }
  local n=${BENCH_PERCONTAINER_COUNT:-50} i
  dk run --rm --network none "$BENCH_IMAGE" true >/dev/null 2>&1
  dk run -d --network none "$BENCH_IMAGE" sleep 3600 >/dev/null && remove_all_containers
  sleep "${BENCH_SETTLE:-2}"
  local before
  before=$(sum_kb Rss $(engine_pids))
  local t0=$EPOCHREALTIME
  for ((i = 0; i < n; i++)); do
    dk run -d --network none "$BENCH_IMAGE" sleep 3600 >/dev/null 2>"$ENGINE_DIR/run.err" ||
      { echo "bench: run -d on $1 failed: $(cat "$ENGINE_DIR/run.err")" >&2; remove_all_containers; engine_stop; return 1; }
  done
  local start_s
  start_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  sleep "${BENCH_SETTLE:-2}"
  local -a mons
  mapfile -t mons < <(monitor_pids)
  if ((${#mons[@]} != n)); then
    echo "bench: expected $n monitors on $1, found ${#mons[@]}" >&2
    remove_all_containers; engine_stop; return 1
  fi
  local after mon_pss mon_rss
  after=$(sum_kb Rss $(engine_pids))
  mon_pss=$(sum_kb Pss "${mons[@]}")
  mon_rss=$(sum_kb Rss "${mons[@]}")
  local growth=$((after - before))
  echo "  $1: engine ${before} -> ${after} kB, monitors Pss ${mon_pss} kB / RSS ${mon_rss} kB for $n" >&2
  per() { awk -v a="$1" -v n="$n" 'BEGIN { printf "%.3f", a / n / 1024 }'; }
  record percontainer per_ctr_pss_mib "$1" "$2" "$(per $((growth + mon_pss)))"
  record percontainer per_ctr_rss_mib "$1" "$2" "$(per $((growth + mon_rss)))"
  record percontainer monitor_pss_mib "$1" "$2" "$(per "$mon_pss")"
  record percontainer engine_growth_mib "$1" "$2" "$(per "$growth")"
  record percontainer start_all_s "$1" "$2" "$start_s"
  remove_all_containers
  engine_stop
}

# shellcheck shell=bash
# Scenario "run-rm": wall time of `docker run --rm bench/busybox:1 true` with the real CLI 28
# (create → attach → wait → start → exit → auto-remove), as the issue states it: on each engine's
# default bridge. Both engines run in their own network namespace, and here dockerd keeps its
# docker0 and iptables rules (ENGINE_NETWORK=bridge), as on a stock host. The same run with
# `--network none` is reported alongside (no network set-up on either side), and `docker version`
# (CLI start + one round trip): the floor that any engine pays per CLI command. Medians of
# BENCH_RUNRM_COUNT runs of each kind, alternating kinds, after 2 warm-ups, on fresh roots with the
# busybox image imported.
# shellcheck source=bench/lib/containers.sh
source "$ROOT/bench/lib/containers.sh"

scenario_run-rm_metrics() {
  metric run-rm run_rm_ms ms "<=0.25*dockerd" "docker run --rm busybox true (default bridge)"
  metric run-rm run_rm_none_ms ms "-" "docker run --rm --network none busybox true"
  metric run-rm cli_floor_ms ms "-" "docker version (CLI start + 1 request)"
}

scenario_run-rm_run() { # ENGINE RUN
  ENGINE_NETWORK=bridge engine_start "$1" || return 1
  import_busybox || { engine_stop; return 1; }
  local n=${BENCH_RUNRM_COUNT:-10} i ms runs=() none=() floor=()
  for i in 1 2; do
    time_ms dk run --rm "$BENCH_IMAGE" true >/dev/null || { engine_stop; return 1; }
    time_ms dk run --rm --network none "$BENCH_IMAGE" true >/dev/null || { engine_stop; return 1; }
  done
  for ((i = 0; i < n; i++)); do
    ms=$(time_ms dk run --rm "$BENCH_IMAGE" true) || { engine_stop; return 1; }
    runs+=("$ms")
    floor+=("$(time_ms dk version)")
    ms=$(time_ms dk run --rm --network none "$BENCH_IMAGE" true) || { engine_stop; return 1; }
    none+=("$ms")
  done
  local left
  left=$(dk ps -aq | wc -l)
  ((left == 0)) || echo "bench: $left containers left after run --rm on $1" >&2
  echo "  $1 run --rm: ${runs[*]} ms; --network none: ${none[*]} ms" >&2
  record run-rm run_rm_ms "$1" "$2" "$(printf '%s\n' "${runs[@]}" | median)"
  record run-rm run_rm_none_ms "$1" "$2" "$(printf '%s\n' "${none[@]}" | median)"
  record run-rm cli_floor_ms "$1" "$2" "$(printf '%s\n' "${floor[@]}" | median)"
  remove_all_containers
  engine_stop
}

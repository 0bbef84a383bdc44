# shellcheck shell=bash
# Scenario "churn": containers per second through create → start → rm -f (the container runs
# `sleep 600`, so removal kills it), BENCH_CHURN_COUNT containers after one warm-up, straight
# through the Engine API (berth-bench churn: HttpClient over the unix socket, no CLI process per
# call). Sequential, and with 4 clients at once.
# shellcheck source=bench/lib/containers.sh
source "$ROOT/bench/lib/containers.sh"

scenario_churn_metrics() {
  metric churn churn_per_s "containers/s" ">=10" "create+start+rm -f, one client"
  metric churn churn4_per_s "containers/s" "-" "create+start+rm -f, 4 clients"
  metric churn churn_p50_ms ms "-" "one container's create+start+rm -f (p50, one client)"
}

scenario_churn_run() { # ENGINE RUN
  engine_start "$1" || return 1
  import_busybox || { engine_stop; return 1; }
  local n=${BENCH_CHURN_COUNT:-50} out out4
  out=$("${BENCH_TOOL[@]}" churn --socket "$ENGINE_SOCK" --image "$BENCH_IMAGE" --count "$n" --parallel 1 2>"$ENGINE_DIR/churn.err") ||
    { echo "bench: churn on $1 failed: $(cat "$ENGINE_DIR/churn.err")" >&2; remove_all_containers; engine_stop; return 1; }
  out4=$("${BENCH_TOOL[@]}" churn --socket "$ENGINE_SOCK" --image "$BENCH_IMAGE" --count "$n" --parallel 4 2>"$ENGINE_DIR/churn.err") ||
    { echo "bench: churn x4 on $1 failed: $(cat "$ENGINE_DIR/churn.err")" >&2; remove_all_containers; engine_stop; return 1; }
  echo "  $1 churn: $(echo "$out" | tr '\n' ' ') | x4: $(echo "$out4" | tr '\n' ' ')" >&2
  record churn churn_per_s "$1" "$2" "$(sed -n 's/^per_s=//p' <<<"$out")"
  record churn churn_p50_ms "$1" "$2" "$(sed -n 's/^p50_ms=//p' <<<"$out")"
  record churn churn4_per_s "$1" "$2" "$(sed -n 's/^per_s=//p' <<<"$out4")"
  remove_all_containers
  engine_stop
}

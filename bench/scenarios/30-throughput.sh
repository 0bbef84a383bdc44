# shellcheck shell=bash
# Scenario "throughput": requests per second and latency for GET /_ping and GET /version over the
# unix socket: BENCH_CONNECTIONS keep-alive connections, each sending its next request as soon as
# the previous response is read (no pipelining), BENCH_WARMUP s unmeasured then BENCH_DURATION s
# measured. The load generator (berth-bench load) runs on the same machine and shares the CPUs.

scenario_throughput_metrics() {
  metric throughput ping_rps req/s ">=dockerd" "/_ping throughput"
  metric throughput ping_p50_ms ms "-" "/_ping latency p50"
  metric throughput ping_p99_ms ms "-" "/_ping latency p99"
  metric throughput version_rps req/s "-" "/version throughput"
  metric throughput version_p50_ms ms "-" "/version latency p50"
  metric throughput version_p99_ms ms "-" "/version latency p99"
}

scenario_throughput_run() { # ENGINE RUN
  engine_start "$1" || return 1
  local path name out
  for path in /_ping /version; do
    name=${path#/}; name=${name#_}
    out=$("${BENCH_TOOL[@]}" load --socket "$ENGINE_SOCK" --path "$path" \
      --connections "${BENCH_CONNECTIONS:-8}" --warmup "${BENCH_WARMUP:-1}" --duration "${BENCH_DURATION:-5}") || {
      echo "bench: load $path against $1 failed: $out" >&2; engine_stop; return 1; }
    echo "$out" | sed "s|^|  $1 $path |" >&2
    record throughput "${name}_rps" "$1" "$2" "$(sed -n 's/^rps=//p' <<<"$out")"
    record throughput "${name}_p50_ms" "$1" "$2" "$(sed -n 's/^p50_ms=//p' <<<"$out")"
    record throughput "${name}_p99_ms" "$1" "$2" "$(sed -n 's/^p99_ms=//p' <<<"$out")"
  done
  engine_stop
}

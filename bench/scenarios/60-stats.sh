# shellcheck shell=bash
# Scenario "stats": container stats as `docker stats` reads them. (1) Latency of one-shot
# GET /containers/{id}/stats?stream=false&one-shot=true on one running container, one keep-alive
# connection, BENCH_WARMUP s unmeasured then BENCH_DURATION s measured (berth-bench load).
# (2) The engine's CPU use while 50 clients stream stats (one object per second each) for 50
# running containers: CPU seconds of the engine process and every process it spawned (dockerd:
# containerd and the shims, where its stats come from; berthd: itself — conmon does not take
# part), over STATS_STREAM_SECONDS (default 20), as % of one core. Containers: busybox `sleep`,
# --network none on both engines.

STATS_CONTAINERS=${STATS_CONTAINERS:-50}
STATS_STREAM_SECONDS=${STATS_STREAM_SECONDS:-20}

scenario_stats_metrics() {
  metric stats oneshot_p50_ms ms "<=dockerd" "one-shot stats latency p50"
  metric stats oneshot_p99_ms ms "-" "one-shot stats latency p99"
  metric stats oneshot_rps req/s "-" "one-shot stats, 1 connection"
  metric stats stream50_cpu_pct "% of a core" "<=dockerd" "engine CPU while streaming stats of $STATS_CONTAINERS containers"
}

# A busybox rootfs tar (static busybox + the applets the scenario runs), built once per bench run.
stats_rootfs() {
  STATS_TAR=$WORK/stats-rootfs.tar
  [[ -s $STATS_TAR ]] && return 0
  local dir=$WORK/stats-rootfs
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev" || return 1
  cp /bin/busybox "$dir/bin/busybox" || return 1
  local a
  for a in sh sleep true; do ln -sf busybox "$dir/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  echo 'root:x:0:' >"$dir/etc/group"
  tar -C "$dir" -cf "$STATS_TAR" . || return 1
}

# CPU ticks (utime + stime) of pid $1 and all its descendants.
stats_tree_ticks() {
  local total=0 p t
  for p in "$1" $(descendants "$1"); do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

scenario_stats_run() { # ENGINE RUN
  stats_rootfs || { echo "bench: could not build the busybox rootfs" >&2; return 1; }
  engine_start "$1" || return 1
  local docker=(/usr/local/bin/docker -H "unix://$ENGINE_SOCK") out first i
  "${docker[@]}" import "$STATS_TAR" busybox:bench >/dev/null 2>"$ENGINE_DIR/import.err" ||
    { echo "bench: import on $1 failed: $(cat "$ENGINE_DIR/import.err")" >&2; engine_stop; return 1; }
  for ((i = 0; i < STATS_CONTAINERS; i++)); do
    "${docker[@]}" run -d --network none --name "s$i" busybox:bench sleep 100000 >/dev/null 2>"$ENGINE_DIR/run.err" ||
      { echo "bench: run on $1 failed: $(cat "$ENGINE_DIR/run.err")" >&2; stats_teardown; return 1; }
  done
  first=$("${docker[@]}" inspect -f '{{.Id}}' s0)

  out=$("${BENCH_TOOL[@]}" load --socket "$ENGINE_SOCK" --path "/containers/$first/stats?stream=false&one-shot=true" \
    --connections 1 --warmup "${BENCH_WARMUP:-1}" --duration "${BENCH_DURATION:-5}") || {
    echo "bench: one-shot stats load against $1 failed: $out" >&2; stats_teardown; return 1; }
  echo "$out" | sed "s|^|  $1 one-shot stats |" >&2
  record stats oneshot_rps "$1" "$2" "$(sed -n 's/^rps=//p' <<<"$out")"
  record stats oneshot_p50_ms "$1" "$2" "$(sed -n 's/^p50_ms=//p' <<<"$out")"
  record stats oneshot_p99_ms "$1" "$2" "$(sed -n 's/^p99_ms=//p' <<<"$out")"

  # 50 streaming clients; the first second of each stream is not measured.
  local -a clients=()
  for ((i = 0; i < STATS_CONTAINERS; i++)); do
    curl -sN --unix-socket "$ENGINE_SOCK" "http://localhost/containers/s$i/stats" >/dev/null 2>&1 &
    clients+=($!)
  done
  sleep 2
  local hz t0 t1 w0 w1 pct
  hz=$(getconf CLK_TCK)
  t0=$(stats_tree_ticks "$ENGINE_PID"); w0=$EPOCHREALTIME
  sleep "$STATS_STREAM_SECONDS"
  t1=$(stats_tree_ticks "$ENGINE_PID"); w1=$EPOCHREALTIME
  kill -TERM "${clients[@]}" 2>/dev/null
  wait "${clients[@]}" 2>/dev/null
  pct=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v w0="$w0" -v w1="$w1" 'BEGIN { printf "%.1f", (b - a) / hz / (w1 - w0) * 100 }')
  echo "  $1 streaming $STATS_CONTAINERS containers: ${pct}% of a core" >&2
  record stats stream50_cpu_pct "$1" "$2" "$pct"
  stats_teardown
}

stats_teardown() {
  local ids
  ids=$(/usr/local/bin/docker -H "unix://$ENGINE_SOCK" ps -aq 2>/dev/null)
  [[ -z $ids ]] || /usr/local/bin/docker -H "unix://$ENGINE_SOCK" rm -f $ids >/dev/null 2>&1
  engine_stop
}

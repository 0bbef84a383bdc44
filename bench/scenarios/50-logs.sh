# shellcheck shell=bash
# Scenario "logs": a container prints 100 000 numbered lines (≈ 1.1 MB) and exits; then
# `docker logs <c> > /dev/null` is timed three times and `docker logs --tail 10` five times (the
# medians are recorded), with the real docker CLI against each engine on fresh roots.
# The image is a busybox rootfs imported with `docker import` on both engines. Seconds are wall
# time of the CLI, so both include the CLI's own start-up and stdcopy decoding.

LOGS_LINES=${LOGS_LINES:-100000}

scenario_logs_metrics() {
  metric logs logs_s s "<=0.5*dockerd" "docker logs, 100k lines, to /dev/null"
  metric logs tail_ms ms "<=dockerd" "docker logs --tail 10 of the same log"
}

# A busybox rootfs tar (the static binary and its applet links), built once per bench run.
logs_rootfs() {
  LOGS_TAR=$WORK/busybox-rootfs.tar
  [[ -s $LOGS_TAR ]] && return 0
  local dir=$WORK/busybox-rootfs a
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev" || return 1
  cp /bin/busybox "$dir/bin/busybox" || return 1
  for a in $(/bin/busybox --list); do [[ $a == busybox ]] || ln -sf busybox "$dir/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
  echo 'root:x:0:' >"$dir/etc/group"
  tar -C "$dir" -cf "$LOGS_TAR" . || return 1
}

# Median of the arguments.
logs_median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

scenario_logs_run() { # ENGINE RUN
  logs_rootfs || { echo "bench: could not build the busybox rootfs (needs /bin/busybox)" >&2; return 1; }
  engine_start "$1" || return 1
  local docker=(/usr/local/bin/docker -H "unix://$ENGINE_SOCK") out t0 t1 i lines
  local -a times=()
  out=$("${docker[@]}" import -c 'ENV PATH=/bin' "$LOGS_TAR" bench/busybox:1 2>&1) || { echo "bench: import on $1 failed: $out" >&2; engine_stop; return 1; }
  out=$("${docker[@]}" run --name lines bench/busybox:1 sh -c \
    "i=0; while [ \$i -lt $LOGS_LINES ]; do echo \"line \$i\"; i=\$((i+1)); done" 2>&1 >/dev/null) ||
    { echo "bench: run on $1 failed: $out" >&2; engine_stop; return 1; }
  lines=$("${docker[@]}" logs lines 2>/dev/null | wc -l)
  [[ $lines == "$LOGS_LINES" ]] || { echo "bench: $1 logged $lines lines, not $LOGS_LINES" >&2; engine_stop; return 1; }
  for i in 1 2 3; do
    t0=$EPOCHREALTIME
    "${docker[@]}" logs lines >/dev/null 2>&1 || { echo "bench: logs on $1 failed" >&2; engine_stop; return 1; }
    t1=$EPOCHREALTIME
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  done
  # --tail is a few milliseconds over the CLI's own start-up: one timing is mostly noise.
  local -a tails=()
  for i in 1 2 3 4 5; do
    t0=$EPOCHREALTIME
    "${docker[@]}" logs --tail 10 lines >/dev/null 2>&1
    t1=$EPOCHREALTIME
    tails+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) * 1000 }')")
  done
  local logs_s tail_ms
  logs_s=$(logs_median "${times[@]}")
  tail_ms=$(logs_median "${tails[@]}")
  echo "  $1 logs ${times[*]} s (median $logs_s), --tail 10 ${tails[*]} ms (median $tail_ms)" >&2
  record logs logs_s "$1" "$2" "$logs_s"
  record logs tail_ms "$1" "$2" "$tail_ms"
  "${docker[@]}" rm -f lines >/dev/null 2>&1
  engine_stop
}

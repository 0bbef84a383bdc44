# shellcheck shell=bash
# Scenario "exec": latency of `docker exec bench-exec true` with the real CLI on a running busybox
# container, wall time of the CLI process (ping, container inspect, exec create, start with its
# hijacked stream, exec inspect for the exit code). Per run: a fresh engine, the image imported
# from a busybox-static rootfs tar, one `sleep` container, BENCH_EXEC_WARMUP unmeasured execs,
# then BENCH_EXEC_COUNT measured ones; the run records their median and minimum.

BENCH_EXEC_COUNT=${BENCH_EXEC_COUNT:-30}
BENCH_EXEC_WARMUP=${BENCH_EXEC_WARMUP:-3}

scenario_exec_metrics() {
  metric exec exec_ms ms "<=40" "docker exec c true, median"
  metric exec exec_min_ms ms "-" "docker exec c true, fastest"
}

# A rootfs tar both engines import: static busybox, its applets, passwd/group, the usual dirs.
exec_busybox_tar() {
  EXEC_TAR=$WORK/exec-busybox.tar
  [[ -s $EXEC_TAR ]] && return 0
  local root=$WORK/exec-rootfs applet
  rm -rf "$root"
  mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root} || return 1
  cp /bin/busybox "$root/bin/busybox" || return 1
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -cf "$EXEC_TAR" . && rm -rf "$root"
}

scenario_exec_run() { # ENGINE RUN
  exec_busybox_tar || { echo "bench: could not build the busybox rootfs tar (needs /bin/busybox)" >&2; return 1; }
  engine_start "$1" || return 1
  local docker=(/usr/local/bin/docker -H "unix://$ENGINE_SOCK") out i t0 t1
  out=$("${docker[@]}" import "$EXEC_TAR" bench/busybox:exec 2>&1) &&
    out=$("${docker[@]}" run -d --name bench-exec bench/busybox:exec sleep 600 2>&1) ||
    { echo "bench: exec set-up on $1 failed: $out" >&2; engine_stop; return 1; }
  for ((i = 0; i < BENCH_EXEC_WARMUP; i++)); do
    "${docker[@]}" exec bench-exec true >/dev/null 2>&1
  done
  local -a ms=()
  for ((i = 0; i < BENCH_EXEC_COUNT; i++)); do
    t0=$EPOCHREALTIME
    if ! out=$("${docker[@]}" exec bench-exec true 2>&1); then
      echo "bench: docker exec on $1 failed: $out" >&2
      "${docker[@]}" rm -f bench-exec >/dev/null 2>&1
      engine_stop
      return 1
    fi
    t1=$EPOCHREALTIME
    ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) * 1000 }')")
  done
  local median min
  median=$(printf '%s\n' "${ms[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  min=$(printf '%s\n' "${ms[@]}" | sort -n | head -1)
  echo "  $1 exec median ${median} ms, min ${min} ms ($BENCH_EXEC_COUNT execs)" >&2
  record exec exec_ms "$1" "$2" "$median"
  record exec exec_min_ms "$1" "$2" "$min"
  "${docker[@]}" rm -f bench-exec >/dev/null 2>&1
  engine_stop
}

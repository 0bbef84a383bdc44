# shellcheck shell=bash
# Scenario "network": what attaching a container to a bridge network costs. `docker run --rm`
# of a busybox `true` with the real CLI, alternating --network none and a bridge network, medians
# of NETWORK_RUNS each per engine start. berthd runs in its own network namespace (engines.sh),
# so its default bridge and chains vanish with it; dockerd runs there too with --bridge=none and
# --iptables=false, so both engines are compared on a user bridge network ("benchnet"), and
# berthd's default bridge is measured on its own.

NETWORK_RUNS=${NETWORK_RUNS:-10}

scenario_network_metrics() {
  metric network run_none_ms ms "-" "docker run --rm --network none busybox true"
  metric network run_user_bridge_ms ms "<=dockerd" "docker run --rm --network benchnet (user bridge) busybox true"
  metric network user_bridge_overhead_ms ms "<=20" "user bridge minus none (median run)"
  metric network run_default_bridge_ms ms "-" "docker run --rm busybox true on the default bridge (berthd only: dockerd has --bridge=none)"
  metric network default_bridge_overhead_ms ms "<=20" "default bridge minus none (median run)"
}

# A rootfs tar around the static /bin/busybox, for docker import.
network_image() {
  NETWORK_TAR=$WORK/network-busybox.tar
  [[ -s $NETWORK_TAR ]] && return 0
  local root=$WORK/network-rootfs
  mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp} || return 1
  cp /bin/busybox "$root/bin/busybox" || return 1
  for a in sh true; do ln -sf busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  tar -C "$root" -cf "$NETWORK_TAR" . || return 1
}

# Milliseconds of one `docker run --rm` (wall time of the CLI), or empty on failure.
network_time_run() { # docker-args...
  local t0 t1
  t0=$EPOCHREALTIME
  "${NETWORK_DOCKER[@]}" run --rm "$@" bench/busybox true >/dev/null 2>>"$ENGINE_DIR/run.err" || return 1
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) * 1000 }'
}

network_median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

scenario_network_run() { # ENGINE RUN
  command -v /usr/local/bin/docker >/dev/null || { echo "bench: the docker CLI is needed" >&2; return 1; }
  network_image || { echo "bench: could not build the busybox rootfs" >&2; return 1; }
  engine_start "$1" || return 1
  NETWORK_DOCKER=(/usr/local/bin/docker -H "unix://$ENGINE_SOCK")
  local out
  out=$("${NETWORK_DOCKER[@]}" import "$NETWORK_TAR" bench/busybox 2>&1) &&
    out=$("${NETWORK_DOCKER[@]}" network create --subnet 10.123.0.0/24 benchnet 2>&1) ||
    { echo "bench: network setup on $1 failed: $out" >&2; engine_stop; return 1; }
  # One warm-up of each kind: first-use costs (page cache, JIT of dockerd's paths) are not measured.
  network_time_run --network none >/dev/null && network_time_run --network benchnet >/dev/null ||
    { echo "bench: docker run on $1 failed: $(tail -n 3 "$ENGINE_DIR/run.err")" >&2; engine_stop; return 1; }
  local -a none=() user=() default=()
  local i t
  for ((i = 0; i < NETWORK_RUNS; i++)); do
    t=$(network_time_run --network none) && none+=("$t")
    t=$(network_time_run --network benchnet) && user+=("$t")
    if [[ $1 == berthd ]]; then
      t=$(network_time_run) && default+=("$t")
    fi
  done
  local m_none m_user m_default=""
  m_none=$(printf '%s\n' "${none[@]}" | network_median)
  m_user=$(printf '%s\n' "${user[@]}" | network_median)
  ((${#default[@]})) && m_default=$(printf '%s\n' "${default[@]}" | network_median)
  echo "  $1 run --rm: none ${m_none} ms, user bridge ${m_user} ms${m_default:+, default bridge ${m_default} ms} (median of $NETWORK_RUNS)" >&2
  record network run_none_ms "$1" "$2" "$m_none"
  record network run_user_bridge_ms "$1" "$2" "$m_user"
  [[ -n $m_none && -n $m_user ]] &&
    record network user_bridge_overhead_ms "$1" "$2" "$(awk -v a="$m_user" -v b="$m_none" 'BEGIN { printf "%.2f", a - b }')"
  record network run_default_bridge_ms "$1" "$2" "$m_default"
  [[ -n $m_none && -n $m_default ]] &&
    record network default_bridge_overhead_ms "$1" "$2" "$(awk -v a="$m_default" -v b="$m_none" 'BEGIN { printf "%.2f", a - b }')"
  engine_stop
}

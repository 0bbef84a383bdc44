# shellcheck shell=bash
# Scenario "pull-push": docker push, then (after rmi) docker pull, of a ~200 MiB image with 6
# layers of random (incompressible) files, against Debian's docker-registry started inside the
# engine's own network namespace on 127.0.0.1:5000 (insecure by dockerd's loopback rule). The
# image is loaded from a docker-archive first (not timed). Seconds are wall time of the CLI.

scenario_pull-push_metrics() {
  metric pullpush push_s s "<=dockerd" "docker push, 6 layers / 200 MiB, to a local registry"
  metric pullpush pull_s s "<=0.5*dockerd" "docker pull of the same image after rmi"
  metric pullpush pull_mbps MB/s "-" "docker pull throughput (uncompressed bytes)"
}

# The same shape of archive as the save-load scenario, built once per bench run.
pullpush_archive() {
  PULLPUSH_TAR=$WORK/pullpush.tar
  [[ -s $PULLPUSH_TAR ]] && return 0
  python3 "$ROOT/bench/lib/make-archive.py" "$PULLPUSH_TAR" bench/pullpush:1 || return 1
}

PULLPUSH_REG_PID=""
pullpush_registry_stop() {
  [[ -n $PULLPUSH_REG_PID ]] || return 0
  kill -TERM "$PULLPUSH_REG_PID" 2>/dev/null
  wait "$PULLPUSH_REG_PID" 2>/dev/null
  PULLPUSH_REG_PID=""
}

scenario_pull-push_run() { # ENGINE RUN
  pullpush_archive || { echo "bench: could not build the pull-push archive" >&2; return 1; }
  [[ -x /usr/bin/docker-registry ]] || { echo "bench: /usr/bin/docker-registry missing (apt-get install docker-registry)" >&2; return 1; }
  engine_start "$1" || return 1
  local ns=(nsenter --target "$ENGINE_PID" --net) reg="$ENGINE_DIR/registry"
  mkdir -p "$reg/storage"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:5000\n' "$reg/storage" >"$reg/config.yml"
  "${ns[@]}" ip link set lo up
  "${ns[@]}" /usr/bin/docker-registry serve "$reg/config.yml" >"$reg/log" 2>&1 &
  PULLPUSH_REG_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do
    "${ns[@]}" curl -sf -o /dev/null http://127.0.0.1:5000/v2/ && break
    sleep 0.05
  done
  local docker=(/usr/local/bin/docker -H "unix://$ENGINE_SOCK") image=127.0.0.1:5000/bench/pullpush:1 out t0 t1 t2 t3
  if ! out=$("${docker[@]}" load -i "$PULLPUSH_TAR" 2>&1) || ! "${docker[@]}" tag bench/pullpush:1 "$image" >/dev/null 2>&1; then
    echo "bench: load on $1 failed: $out" >&2; pullpush_registry_stop; engine_stop; return 1
  fi
  t0=$EPOCHREALTIME
  out=$("${docker[@]}" push "$image" 2>&1) || { echo "bench: push on $1 failed: $out" >&2; pullpush_registry_stop; engine_stop; return 1; }
  t1=$EPOCHREALTIME
  "${docker[@]}" rmi "$image" bench/pullpush:1 >/dev/null 2>&1 || { echo "bench: rmi on $1 failed" >&2; pullpush_registry_stop; engine_stop; return 1; }
  t2=$EPOCHREALTIME
  out=$("${docker[@]}" pull "$image" 2>&1) || { echo "bench: pull on $1 failed: $out" >&2; pullpush_registry_stop; engine_stop; return 1; }
  t3=$EPOCHREALTIME
  local push_s pull_s mb
  push_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  pull_s=$(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.3f", b - a }')
  mb=$(awk 'BEGIN { printf "%.1f", 6 * 8 * 4370000 / 1000000 }')
  echo "  $1 push ${push_s}s pull ${pull_s}s" >&2
  record pullpush push_s "$1" "$2" "$push_s"
  record pullpush pull_s "$1" "$2" "$pull_s"
  record pullpush pull_mbps "$1" "$2" "$(awk -v m="$mb" -v s="$pull_s" 'BEGIN { printf "%.1f", m / s }')"
  pullpush_registry_stop
  engine_stop
}

# shellcheck shell=bash
# Engine lifecycle for bench/run.sh: start an engine on fresh private roots, time spawn -> first
# 200 from GET /_ping, stop it by pid. Every process started here is tracked by pid so the EXIT
# trap can end exactly those (never by name).
#
# Inputs (set by run.sh): BENCH_TOOL (array: the berth-bench command), BERTHD, DOCKERD, WORK;
# ENGINE_NETWORK (set by a scenario around engine_start): "bridge" gives dockerd its default bridge.
# Outputs of engine_start: ENGINE, ENGINE_PID, ENGINE_SOCK, ENGINE_DIR, ENGINE_STARTUP_MS.

ENGINE="" ENGINE_PID="" ENGINE_SOCK="" ENGINE_DIR="" ENGINE_STARTUP_MS=""
ENGINE_SEQ=0
WAITER_PID=""

engine_available() {
  case $1 in
    berthd) [[ -x $BERTHD ]] ;;
    dockerd) [[ -x $DOCKERD ]] && command -v unshare >/dev/null ;;
    *) return 1 ;;
  esac
}

engine_version() {
  case $1 in
    berthd) "$BERTHD" --version 2>/dev/null | head -1 ;;
    dockerd) "$DOCKERD" --version 2>/dev/null | head -1 ;;
  esac
}

# The command line that starts engine $1 with its roots under directory $2, socket $2/api.sock.
engine_command() {
  local d=$2
  case $1 in
    berthd)
      # Its own anonymous network namespace, as for dockerd below: the default bridge and the
      # iptables chains berthd creates (and keeps, as dockerd does) vanish with the process.
      # unshare execs berthd, so the pid is berthd's.
      ENGINE_CMD=(unshare --net "$BERTHD" -H "unix://$d/api.sock" --data-root "$d/data" --exec-root "$d/exec"
        --pidfile "$d/berthd.pid" --config-file "$d/daemon.json")
      ;;
    dockerd)
      # New anonymous network + mount namespaces (they vanish with the process, nothing to clean).
      # `ip netns exec` is not used: it remounts /sys, which hides /sys/fs/cgroup, and dockerd
      # 20.10 then refuses to start ("Devices cgroup isn't mounted"). In the private mount
      # namespace, /etc/docker is bind-mounted over with an empty dir, so dockerd 20.10's
      # /etc/docker/key.json lands in the run dir instead of the host. `exec` keeps the pid.
      mkdir -p "$d/etc-docker"
      ENGINE_CMD=(unshare --net --mount --propagation private /bin/sh -c
        'if [ -d /etc/docker ]; then mount --bind "$0/etc-docker" /etc/docker || exit 1; fi; exec "$@"' "$d"
        "$DOCKERD" --host "unix://$d/api.sock" --data-root "$d/data" --exec-root "$d/exec"
        --pidfile "$d/dockerd.pid" --config-file "$d/daemon.json")
      # ENGINE_NETWORK=bridge (set by a scenario) keeps dockerd's default bridge, docker0 with its
      # iptables rules, as on a stock host: all of it lives and dies in the private namespace.
      # Otherwise dockerd skips network set-up altogether.
      [[ ${ENGINE_NETWORK:-none} == bridge ]] ||
        ENGINE_CMD+=(--bridge=none --iptables=false --ip6tables=false --ip-masq=false)
      ;;
  esac
}

# engine_start ENGINE: fresh run dir, spawn, wait for the first 200 on /_ping.
engine_start() {
  ENGINE=$1
  ENGINE_SEQ=$((ENGINE_SEQ + 1))
  ENGINE_DIR=$WORK/$ENGINE_SEQ-$ENGINE
  ENGINE_SOCK=$ENGINE_DIR/api.sock
  ENGINE_PID="" ENGINE_STARTUP_MS=""
  mkdir -p "$ENGINE_DIR/exec"
  # The exec root on a tmpfs, as /run/berth and /run/docker are on a real host: bundles, runtime
  # state and monitor files never touch the disk there (containerd's state dir lives under it too).
  mount -t tmpfs -o mode=0700 bench-exec "$ENGINE_DIR/exec" || return 1
  echo '{}' >"$ENGINE_DIR/daemon.json"
  engine_command "$ENGINE" "$ENGINE_DIR"

  # The waiter starts first and says when it is ready, so its own (JIT) start-up is not timed.
  "${BENCH_TOOL[@]}" wait-ping --socket "$ENGINE_SOCK" --ready-file "$ENGINE_DIR/waiter.ready" --timeout 60 \
    >"$ENGINE_DIR/waiter.out" 2>&1 &
  WAITER_PID=$!
  while [[ ! -e $ENGINE_DIR/waiter.ready ]]; do
    if ! kill -0 "$WAITER_PID" 2>/dev/null; then
      echo "bench: berth-bench wait-ping failed: $(cat "$ENGINE_DIR/waiter.out")" >&2
      WAITER_PID=""
      return 1
    fi
    sleep 0.005
  done

  local t0=$EPOCHREALTIME
  "${ENGINE_CMD[@]}" >"$ENGINE_DIR/engine.log" 2>&1 </dev/null &
  ENGINE_PID=$!

  local first=""
  wait -n -p first "$WAITER_PID" "$ENGINE_PID"
  local rc=$?
  if [[ $first == "$ENGINE_PID" ]]; then
    echo "bench: $ENGINE exited ($rc) before answering /_ping; log tail:" >&2
    tail -n 20 "$ENGINE_DIR/engine.log" >&2
    ENGINE_PID=""
    kill -TERM "$WAITER_PID" 2>/dev/null; wait "$WAITER_PID" 2>/dev/null
    WAITER_PID=""
    return 1
  fi
  WAITER_PID=""
  if ((rc != 0)); then
    echo "bench: $ENGINE did not answer /_ping: $(cat "$ENGINE_DIR/waiter.out")" >&2
    engine_stop
    return 1
  fi
  local t1
  t1=$(sed -n 's/^first_ok_unix_us=//p' "$ENGINE_DIR/waiter.out")
  ENGINE_STARTUP_MS=$(awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", (t1 / 1e6 - t0) * 1000 }')
}

# Pids of all descendants of $1 (children first level, then theirs).
descendants() {
  local -a kids
  mapfile -t kids < <(ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ')
  local k
  for k in "${kids[@]}"; do
    [[ -n $k ]] || continue
    echo "$k"
    descendants "$k"
  done
}

# Start time of pid $1 (field 22 of /proc/pid/stat), to tell a pid from a reused one.
start_time() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }

# Wait up to $2 seconds for pid $1 (started at $3) to be gone.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2)) st=$3
  while [[ -e /proc/$pid ]] && [[ $(start_time "$pid") == "$st" ]]; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.02
  done
}

# engine_stop: SIGTERM by pid, wait (SIGKILL after a timeout); then the same for any child the
# engine spawned that outlived it (dockerd's containerd), then remove the run dir.
engine_stop() {
  if [[ -z $ENGINE_PID ]]; then
    [[ -z $ENGINE_DIR ]] || umount -l "$ENGINE_DIR/exec" 2>/dev/null
    return 0
  fi
  local -a kids starts
  mapfile -t kids < <(descendants "$ENGINE_PID")
  local i
  for i in "${!kids[@]}"; do starts[i]=$(start_time "${kids[i]}"); done

  kill -TERM "$ENGINE_PID" 2>/dev/null
  local waited=0
  while kill -0 "$ENGINE_PID" 2>/dev/null && ! [[ $(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$ENGINE_PID/stat" 2>/dev/null) == Z ]]; do
    if ((waited >= 1500)); then   # 30 s
      echo "bench: $ENGINE (pid $ENGINE_PID) ignored SIGTERM for 30s; SIGKILL" >&2
      kill -KILL "$ENGINE_PID" 2>/dev/null
      break
    fi
    sleep 0.02
    waited=$((waited + 1))
  done
  wait "$ENGINE_PID" 2>/dev/null

  for i in "${!kids[@]}"; do
    [[ -n ${starts[i]} ]] || continue
    if ! wait_gone "${kids[i]}" 10 "${starts[i]}"; then
      echo "bench: child ${kids[i]} of $ENGINE outlived it; SIGTERM" >&2
      kill -TERM "${kids[i]}" 2>/dev/null
      if ! wait_gone "${kids[i]}" 10 "${starts[i]}"; then
        kill -KILL "${kids[i]}" 2>/dev/null
      fi
    fi
  done
  ENGINE_PID=""
  # Lazily: a rootfs mount a failed run left below it goes with it.
  umount -l "$ENGINE_DIR/exec" 2>/dev/null
  [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$ENGINE_DIR"
}

# For the EXIT trap.
engines_cleanup() {
  if [[ -n $WAITER_PID ]]; then
    kill -TERM "$WAITER_PID" 2>/dev/null
    wait "$WAITER_PID" 2>/dev/null
    WAITER_PID=""
  fi
  engine_stop
}

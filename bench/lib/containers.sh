# shellcheck shell=bash
# Container scenarios' shared parts: the busybox image both engines import (the tests' approach:
# static /bin/busybox plus applet links, passwd/group, the usual directories), the CLI against the
# engine under test, and finding each engine's per-container monitor processes.
#
# Inputs (set by run.sh / engines.sh): WORK, ENGINE, ENGINE_SOCK, ENGINE_DIR.

BENCH_IMAGE=bench/busybox:1
DOCKER_CLI=${DOCKER_CLI:-/usr/local/bin/docker}

dk() { "$DOCKER_CLI" -H "unix://$ENGINE_SOCK" "$@"; }

# The rootfs tar, built once per bench run.
busybox_rootfs_tar() {
  BUSYBOX_TAR=$WORK/busybox-rootfs.tar
  [[ -s $BUSYBOX_TAR ]] && return 0
  [[ -x /bin/busybox ]] || { echo "bench: needs a static /bin/busybox (apt-get install busybox-static)" >&2; return 1; }
  python3 - "$BUSYBOX_TAR" <<'PY' || return 1
import io, sys, tarfile
applets = "sh ash echo cat sleep true false ls env id hostname ps kill mkdir rm touch pwd printf test wc head tail grep sed date uname".split()
def add(t, name, kind, mode, data=None, link=None):
    info = tarfile.TarInfo(name); info.type = kind; info.mode = mode; info.mtime = 1704067200
    if link: info.linkname = link
    if data is not None: info.size = len(data)
    t.addfile(info, io.BytesIO(data) if data is not None else None)
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for d, m in [("bin", 0o755), ("dev", 0o755), ("etc", 0o755), ("proc", 0o555), ("root", 0o700), ("sys", 0o555), ("tmp", 0o1777), ("usr", 0o755), ("var", 0o755)]:
        add(t, d + "/", tarfile.DIRTYPE, m)
    add(t, "bin/busybox", tarfile.REGTYPE, 0o755, open("/bin/busybox", "rb").read())
    for a in applets:
        add(t, "bin/" + a, tarfile.SYMTYPE, 0o777, link="busybox")
    add(t, "etc/passwd", tarfile.REGTYPE, 0o644, b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    add(t, "etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\nnogroup:x:65534:\n")
PY
}

# Imports the busybox image into the running engine.
import_busybox() {
  busybox_rootfs_tar || return 1
  dk import --change 'CMD ["sh"]' "$BUSYBOX_TAR" "$BENCH_IMAGE" >/dev/null 2>"$ENGINE_DIR/import.err" ||
    { echo "bench: docker import into $ENGINE failed: $(cat "$ENGINE_DIR/import.err")" >&2; return 1; }
}

# Pids of the per-container monitors of the running engine: berthd's conmons (bundles in its exec
# root), dockerd's containerd shims (talking to its containerd under its exec root).
monitor_pids() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    case $ENGINE in
      berthd) [[ $cmd == */conmon\ * && $cmd == *" $ENGINE_DIR/exec/"* ]] && echo "${p#/proc/}" ;;
      dockerd) [[ $cmd == *containerd-shim* && $cmd == *"$ENGINE_DIR"* ]] && echo "${p#/proc/}" ;;
    esac
  done
}

# Removes every container of the running engine (bench hygiene before engine_stop).
remove_all_containers() {
  local ids
  ids=$(dk ps -aq 2>/dev/null)
  [[ -z $ids ]] || dk rm -f $ids >/dev/null 2>&1
}

# Milliseconds of one command (its output discarded); fails with the command
# (its stderr is kept in $ENGINE_DIR/cmd.err and printed).
time_ms() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>"$ENGINE_DIR/cmd.err" || { echo "bench: $* failed: $(cat "$ENGINE_DIR/cmd.err")" >&2; return 1; }
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
}

# Median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print ""; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

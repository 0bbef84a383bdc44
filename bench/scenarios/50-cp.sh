# shellcheck shell=bash
# Scenario "cp": docker cp of a 200 MiB directory (50 files of 4 MiB random data) into a stopped
# container and back out, with the real docker CLI against each engine on fresh roots. The
# container's image is a one-binary busybox rootfs imported on each engine. Seconds are wall time
# of the CLI; the copy out goes to a fresh directory on the same filesystem as the input.

scenario_cp_metrics() {
  metric cp in_s s "<=dockerd" "docker cp 200 MiB directory into a stopped container"
  metric cp in_mbps MB/s "-" "docker cp in throughput"
  metric cp out_s s "<=dockerd" "docker cp 200 MiB directory out of a stopped container"
  metric cp out_mbps MB/s "-" "docker cp out throughput"
}

cp_inputs() {
  CP_DATA=$WORK/cpdata/payload
  CP_ROOTFS=$WORK/cp-rootfs.tar
  if [[ ! -d $CP_DATA ]]; then
    mkdir -p "$CP_DATA" || return 1
    for i in $(seq 1 50); do head -c 4194304 /dev/urandom >"$CP_DATA/file$i.bin" || return 1; done
  fi
  if [[ ! -s $CP_ROOTFS ]]; then
    local r=$WORK/cp-rootfs
    mkdir -p "$r/bin" "$r/tmp" "$r/etc" && cp /bin/busybox "$r/bin/busybox" && ln -sf busybox "$r/bin/sh" &&
      tar -C "$r" -cf "$CP_ROOTFS" . || return 1
  fi
}

scenario_cp_run() { # ENGINE RUN
  cp_inputs || { echo "bench: could not prepare the cp inputs (needs /bin/busybox)" >&2; return 1; }
  engine_start "$1" || return 1
  local docker=(/usr/local/bin/docker -H "unix://$ENGINE_SOCK") out t0 t1 t2 mb
  out=$("${docker[@]}" import "$CP_ROOTFS" bench/cp:1 2>&1) &&
    out=$("${docker[@]}" create --name cpbench --network none bench/cp:1 /bin/sh 2>&1) ||
    { echo "bench: cp setup on $1 failed: $out" >&2; engine_stop; return 1; }
  mb=$(du -sb "$CP_DATA" | awk '{ printf "%.1f", $1 / 1000000 }')
  rm -rf "$ENGINE_DIR/cp-out"
  t0=$EPOCHREALTIME
  out=$("${docker[@]}" cp "$CP_DATA" cpbench:/tmp/payload 2>&1) || { echo "bench: cp in on $1 failed: $out" >&2; engine_stop; return 1; }
  t1=$EPOCHREALTIME
  out=$("${docker[@]}" cp cpbench:/tmp/payload "$ENGINE_DIR/cp-out" 2>&1) || { echo "bench: cp out on $1 failed: $out" >&2; engine_stop; return 1; }
  t2=$EPOCHREALTIME
  cmp -s "$CP_DATA/file50.bin" "$ENGINE_DIR/cp-out/file50.bin" || { echo "bench: cp out on $1 returned different bytes" >&2; engine_stop; return 1; }
  rm -rf "$ENGINE_DIR/cp-out"
  local in_s out_s
  in_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  out_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')
  echo "  $1 cp in ${in_s}s out ${out_s}s (${mb} MB)" >&2
  record cp in_s "$1" "$2" "$in_s"
  record cp in_mbps "$1" "$2" "$(awk -v m="$mb" -v s="$in_s" 'BEGIN { printf "%.1f", m / s }')"
  record cp out_s "$1" "$2" "$out_s"
  record cp out_mbps "$1" "$2" "$(awk -v m="$mb" -v s="$out_s" 'BEGIN { printf "%.1f", m / s }')"
  engine_stop
}

# shellcheck shell=bash
# Scenario "ports-dns": what publishing ports costs and how fast the embedded DNS answers.
#
# Ports (berthd only: the bench runs dockerd with --iptables=false --bridge=none, so it cannot
# publish at all): median wall time of `docker run --rm bench/busybox:1 true` on the default
# bridge with no port, one random port (-p 80) and ten (-p 80 … -p 89); the differences are the
# cost of reserving the host ports, programming and removing the DNAT rules.
#
# DNS (both engines, each on a user network "benchdns" with the same two containers): a client
# container's namespace is entered with nsenter and a Python UDP client sends DNS_QUERIES
# sequential A queries for the other container's name to 127.0.0.11:53 (dockerd DNATs that to
# its resolver's random port inside the namespace). Latency per query (p50/p99, µs, including
# Python's own ~20 µs) and sequential throughput. Nothing leaves the engine's namespace.
# shellcheck source=bench/lib/containers.sh
source "$ROOT/bench/lib/containers.sh"

PORTS_RUNS=${PORTS_RUNS:-10}
DNS_QUERIES=${DNS_QUERIES:-2000}

scenario_ports-dns_metrics() {
  metric ports-dns run_noport_ms ms "-" "docker run --rm busybox true, default bridge (berthd only)"
  metric ports-dns run_1port_ms ms "-" "same with -p 80 (random host port)"
  metric ports-dns run_10ports_ms ms "-" "same with -p 80 … -p 89"
  metric ports-dns publish_1port_ms ms "<=15" "cost of one published port (1 port - none)"
  metric ports-dns publish_10ports_ms ms "<=30" "cost of ten published ports (10 ports - none)"
  metric ports-dns dns_p50_us us "<=dockerd" "embedded DNS: A query for a container name, median"
  metric ports-dns dns_p99_us us "<=dockerd" "embedded DNS: A query, 99th percentile"
  metric ports-dns dns_qps q/s ">=dockerd" "embedded DNS: sequential queries per second"
}

# One UDP client inside the container namespace: prints "p50_us p99_us qps".
ports_dns_client() {
  cat >"$WORK/dnsbench.py" <<'PY'
import socket, struct, sys, time
name, count = sys.argv[1], int(sys.argv[2])
def query(qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0\0\x01\0\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect(("127.0.0.11", 53))
lat = []
for i in range(count + 100):
    q = query(i & 0xFFFF)
    t0 = time.perf_counter_ns()
    s.send(q)
    r = s.recv(1500)
    t1 = time.perf_counter_ns()
    if r[:2] != q[:2] or struct.unpack(">H", r[6:8])[0] < 1:
        sys.exit("no answer for %s: %r" % (name, r))
    if i >= 100:                       # 100 warm-up queries
        lat.append((t1 - t0) / 1000)
lat.sort()
total = sum(lat) / 1e6
print("%.1f %.1f %.0f" % (lat[len(lat) // 2], lat[int(len(lat) * 0.99)], len(lat) / total))
PY
}

# Median wall milliseconds of PORTS_RUNS `docker run --rm … true` with the given flags.
ports_run_median() {
  local i t0 runs=()
  for ((i = 0; i < PORTS_RUNS; i++)); do
    t0=$EPOCHREALTIME
    dk run --rm "$@" "$BENCH_IMAGE" true >/dev/null 2>"$ENGINE_DIR/run.err" ||
      { echo "bench: run $* failed: $(cat "$ENGINE_DIR/run.err")" >&2; return 1; }
    runs+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", (b - a) * 1000 }')")
  done
  printf '%s\n' "${runs[@]}" | median
}

scenario_ports-dns_run() { # ENGINE RUN
  command -v python3 >/dev/null && command -v nsenter >/dev/null || { echo "bench: needs python3 and nsenter" >&2; return 1; }
  engine_start "$1" || return 1
  import_busybox || { engine_stop; return 1; }
  ports_dns_client
  if [[ $1 == berthd ]]; then
    local ten=() p none one many
    for p in {80..89}; do ten+=(-p "$p"); done
    dk run --rm -p 80 "$BENCH_IMAGE" true >/dev/null 2>&1   # warm-up
    none=$(ports_run_median) && one=$(ports_run_median -p 80) && many=$(ports_run_median "${ten[@]}") ||
      { remove_all_containers; engine_stop; return 1; }
    echo "  $1 run --rm: no port ${none} ms, 1 port ${one} ms, 10 ports ${many} ms" >&2
    record ports-dns run_noport_ms "$1" "$2" "$none"
    record ports-dns run_1port_ms "$1" "$2" "$one"
    record ports-dns run_10ports_ms "$1" "$2" "$many"
    record ports-dns publish_1port_ms "$1" "$2" "$(awk -v a="$one" -v b="$none" 'BEGIN { printf "%.2f", a - b }')"
    record ports-dns publish_10ports_ms "$1" "$2" "$(awk -v a="$many" -v b="$none" 'BEGIN { printf "%.2f", a - b }')"
  fi
  local out pid
  out=$(dk network create --subnet 10.124.0.0/24 benchdns 2>&1) &&
    out=$(dk run -d --name dnstarget --network benchdns "$BENCH_IMAGE" sleep 600 2>&1) &&
    out=$(dk run -d --name dnsclient --network benchdns "$BENCH_IMAGE" sleep 600 2>&1) &&
    pid=$(dk inspect -f '{{.State.Pid}}' dnsclient 2>&1) ||
    { echo "bench: DNS setup on $1 failed: $out" >&2; remove_all_containers; engine_stop; return 1; }
  if ! out=$(nsenter --net="/proc/$pid/ns/net" python3 "$WORK/dnsbench.py" dnstarget "$DNS_QUERIES" 2>&1); then
    echo "bench: DNS queries on $1 failed: $out" >&2
    remove_all_containers; engine_stop; return 1
  fi
  local p50 p99 qps
  read -r p50 p99 qps <<<"$out"
  echo "  $1 embedded DNS: p50 ${p50} µs, p99 ${p99} µs, ${qps} q/s" >&2
  record ports-dns dns_p50_us "$1" "$2" "$p50"
  record ports-dns dns_p99_us "$1" "$2" "$p99"
  record ports-dns dns_qps "$1" "$2" "$qps"
  remove_all_containers
  engine_stop
}

#!/usr/bin/env bash
# Berth benchmarks: berthd vs (when installed) Debian's dockerd, runs alternating between engines.
# See docs/benchmarks.md. Needs root (dockerd; unshare), the .NET SDK, clang + zlib1g-dev (AOT).
#
#   bench/run.sh [--runs N] [--only startup,rss,throughput,save-load,logs,cp,exec,...] [--out FILE] [--update-docs]
#                [--engines berthd,dockerd] [--berthd PATH] [--connections K] [--duration SEC]
#                [--warmup SEC] [--keep]
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

RUNS=5 ONLY="" OUT="$ROOT/bench/results/latest.md" UPDATE_DOCS=0 ENGINES="berthd,dockerd" BERTHD=""
export BENCH_CONNECTIONS=8 BENCH_DURATION=5 BENCH_WARMUP=1 BENCH_SETTLE=2 BENCH_KEEP=0
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while (($#)); do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --update-docs) UPDATE_DOCS=1; shift ;;
    --engines) ENGINES=$2; shift 2 ;;
    --berthd) BERTHD=$2; BERTHD_ORIGIN="binary given with --berthd: $2"; shift 2 ;;
    --connections) BENCH_CONNECTIONS=$2; shift 2 ;;
    --duration) BENCH_DURATION=$2; shift 2 ;;
    --warmup) BENCH_WARMUP=$2; shift 2 ;;
    --keep) BENCH_KEEP=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench: unknown argument $1" >&2; usage ;;
  esac
done
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
BUILD="$ROOT/bench/.build"
log() { echo "bench: $*" >&2; }

# --- build ------------------------------------------------------------------------------------
log "building berth-bench"
dotnet build bench/Berth.Bench -c Release -o "$BUILD/berth-bench" -v quiet -nologo >"$BUILD.berth-bench.log" 2>&1 ||
  { cat "$BUILD.berth-bench.log" >&2; log "berth-bench build failed"; exit 1; }
BENCH_TOOL=("$BUILD/berth-bench/berth-bench")

if [[ ,$ENGINES, == *,berthd,* && -z $BERTHD ]]; then
  "$ROOT/scripts/install-deps.sh" || { log "scripts/install-deps.sh failed"; exit 1; }
  log "publishing berthd (NativeAOT) to $BUILD/berthd"
  dotnet publish src/Berth.Daemon -c Release -r linux-x64 -o "$BUILD/berthd" -v quiet -nologo >"$BUILD.berthd.log" 2>&1 ||
    { tail -n 30 "$BUILD.berthd.log" >&2; log "berthd publish failed (needs clang and zlib1g-dev)"; exit 1; }
  BERTHD="$BUILD/berthd/berthd"
fi

# shellcheck source=bench/lib/engines.sh
source "$ROOT/bench/lib/engines.sh"
declare -a ACTIVE=()
IFS=, read -ra wanted <<<"$ENGINES"
for e in "${wanted[@]}"; do
  if engine_available "$e"; then ACTIVE+=("$e"); else log "$e is not available; skipped"; fi
done
((${#ACTIVE[@]})) || { log "no engine to measure"; exit 1; }

# --- scenarios --------------------------------------------------------------------------------
declare -a SCENARIOS=()
for f in "$ROOT"/bench/scenarios/*.sh; do
  name=$(basename "$f" .sh); name=${name#*-}
  if [[ -z $ONLY || ,$ONLY, == *,$name,* ]]; then
    # shellcheck source=/dev/null
    source "$f"
    SCENARIOS+=("$name")
  fi
done
((${#SCENARIOS[@]})) || { log "no scenario matches --only $ONLY"; exit 2; }

# --- raw results ------------------------------------------------------------------------------
mkdir -p "$ROOT/bench/results"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW="$ROOT/bench/results/$STAMP.raw"
: >"$RAW"
metric() { printf '#metric\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }                  # scenario name unit goal description
record() { [[ -n $5 ]] && printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"; }             # scenario metric engine run value
fact() { printf '#fact\t%s\t%s\n' "$1" "$2" >>"$RAW"; }

WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup() {
  declare -F pullpush_registry_stop >/dev/null && pullpush_registry_stop
  engines_cleanup
  [[ $BENCH_KEEP == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

commit=$(git rev-parse --short=12 HEAD 2>/dev/null)
git diff --quiet HEAD -- src 2>/dev/null || commit="$commit (src modified)"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact kernel "$(uname -r)"
fact CPUs "$(nproc) × ${cpu:-unknown}"
fact memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
fact "load average at start" "$(cut -d' ' -f1-3 /proc/loadavg)"
for e in "${ACTIVE[@]}"; do
  case $e in
    berthd) fact berthd "$(engine_version berthd) — commit $commit, ${BERTHD_ORIGIN:-NativeAOT linux-x64 (bench/.build/berthd)}" ;;
    dockerd) fact dockerd "$(engine_version dockerd) (own net+mount namespace; --bridge=none --iptables=false --ip-masq=false but in run-rm, which keeps its default bridge)" ;;
  esac
done
[[ " ${ACTIVE[*]} " == *" dockerd "* ]] || fact dockerd "not installed (apt-get install docker.io); berthd only"
fact settings "runs=$RUNS, load: $BENCH_CONNECTIONS keep-alive connections, ${BENCH_WARMUP}s warm-up + ${BENCH_DURATION}s measured, rss settle ${BENCH_SETTLE}s"

for s in "${SCENARIOS[@]}"; do
  "scenario_${s}_metrics"
  for ((run = 1; run <= RUNS; run++)); do
    for e in "${ACTIVE[@]}"; do       # alternate engines within each run
      log "$s run $run/$RUNS: $e"
      if ! "scenario_${s}_run" "$e" "$run"; then
        log "$s run $run on $e failed"
        printf '#failed\t%s\t%s\t%s\n' "$s" "$e" "$run" >>"$RAW"
        engines_cleanup
      fi
    done
  done
done

# --- report -----------------------------------------------------------------------------------
fact "load average at end" "$(cut -d" " -f1-3 /proc/loadavg)"
REPORT=$("${BENCH_TOOL[@]}" report --raw "$RAW") || exit 1
mkdir -p "$(dirname "$OUT")"
printf '%s\n' "$REPORT" >"$OUT"
printf '%s\n' "$REPORT"
log "raw: $RAW; table: $OUT"
if ((UPDATE_DOCS)); then
  DOC="$ROOT/docs/benchmarks.md"
  # Merged by scenario: rows of scenarios this run did not measure stay, with their run's facts.
  python3 "$ROOT/bench/lib/merge-results.py" "$DOC" "$OUT" || { log "merging into $DOC failed"; exit 1; }
  log "updated the results section of docs/benchmarks.md"
fi

# shellcheck shell=bash
# Scenario "parallel": issue 10's "20 parallel runs" — BENCH_PARALLEL_WIDTH (20) concurrent
# `docker run --rm --network none bench/busybox:1 true` CLI processes, all launched at once; the
# wall time until the last one has exited, median of BENCH_PARALLEL_ROUNDS rounds after one
# warm-up round, plus each CLI process's own time over all rounds (p50 and max). Every run must
# exit 0 and no container may be left afterwards.
# shellcheck source=bench/lib/containers.sh
source "$ROOT/bench/lib/containers.sh"

scenario_parallel_metrics() {
  local w=${BENCH_PARALLEL_WIDTH:-20}
  metric parallel parallel_wall_ms ms "-" "$w × docker run --rm at once, wall time until all exited"
  metric parallel parallel_p50_ms ms "-" "one of $w parallel docker run --rm (p50 over all runs)"
  metric parallel parallel_max_ms ms "-" "one of $w parallel docker run --rm (slowest)"
}

# One round: WIDTH CLI processes started back to back in the background, then waited for. Prints
# the round's wall time; each process's own time goes to $ENGINE_DIR/par.N.ms. Fails, with the
# errors, when any run failed.
parallel_round() { # WIDTH
  local w=$1 i t0 failed=0
  local -a pids=()
  rm -f "$ENGINE_DIR"/par.*
  t0=$EPOCHREALTIME
  for ((i = 0; i < w; i++)); do
    (
      s=$EPOCHREALTIME
      dk run --rm --network none "$BENCH_IMAGE" true >/dev/null 2>"$ENGINE_DIR/par.$i.err" || exit 1
      awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }' >"$ENGINE_DIR/par.$i.ms"
    ) &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[i]}" || { failed=$((failed + 1)); echo "bench: parallel run $i on $ENGINE failed: $(cat "$ENGINE_DIR/par.$i.err")" >&2; }
  done
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
  ((failed == 0))
}

scenario_parallel_run() { # ENGINE RUN
  engine_start "$1" || return 1
  import_busybox || { engine_stop; return 1; }
  local w=${BENCH_PARALLEL_WIDTH:-20} rounds=${BENCH_PARALLEL_ROUNDS:-3} r ms walls=() each=() left
  # Warm-up: one sequential run (first-use costs), then one parallel round (not recorded).
  dk run --rm --network none "$BENCH_IMAGE" true >/dev/null 2>"$ENGINE_DIR/warm.err" ||
    { echo "bench: warm-up run on $1 failed: $(cat "$ENGINE_DIR/warm.err")" >&2; remove_all_containers; engine_stop; return 1; }
  parallel_round "$w" >/dev/null || { remove_all_containers; engine_stop; return 1; }
  for ((r = 0; r < rounds; r++)); do
    ms=$(parallel_round "$w") || { remove_all_containers; engine_stop; return 1; }
    walls+=("$ms")
    mapfile -t -O "${#each[@]}" each < <(cat "$ENGINE_DIR"/par.*.ms)
  done
  left=$(dk ps -aq | wc -l)
  if ((left != 0)); then
    echo "bench: $left containers left after $w parallel run --rm on $1: $(dk ps -a --format '{{.Names}} {{.Status}}' | head -5 | tr '\n' ';')" >&2
    remove_all_containers; engine_stop; return 1
  fi
  local sorted p50 max
  sorted=$(printf '%s\n' "${each[@]}" | sort -g)
  p50=$(median <<<"$sorted")
  max=$(tail -n 1 <<<"$sorted")
  echo "  $1 $w parallel run --rm: walls ${walls[*]} ms; per run p50 $p50 max $max ms (${#each[@]} runs)" >&2
  record parallel parallel_wall_ms "$1" "$2" "$(printf '%s\n' "${walls[@]}" | median)"
  record parallel parallel_p50_ms "$1" "$2" "$p50"
  record parallel parallel_max_ms "$1" "$2" "$max"
  engine_stop
}

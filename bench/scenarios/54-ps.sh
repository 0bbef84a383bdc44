# shellcheck shell=bash
# Scenario "ps": issue 10's "`ps -a` with 200 containers" — BENCH_PS_CONTAINERS (200) containers
# created (never started; `docker create` state) straight through the Engine API by
# `berth-bench create` (4 clients), then plain `docker ps -a` (the default table, which the CLI
# renders from GET /containers/json?all=1) timed BENCH_PS_COUNT times after 2 warm-ups, median;
# the output must list every container. Then one `docker rm` of all of them is timed, and
# nothing may be left.
# shellcheck source=bench/lib/containers.sh
source "$ROOT/bench/lib/containers.sh"

scenario_ps_metrics() {
  local n=${BENCH_PS_CONTAINERS:-200}
  metric ps ps_a_ms ms "<=dockerd" "docker ps -a with $n containers"
  metric ps ps_create_per_s "containers/s" "-" "create $n containers through the API, 4 clients"
  metric ps ps_rm_ms ms "-" "docker rm of $n created containers, one CLI call"
}

scenario_ps_run() { # ENGINE RUN
  engine_start "$1" || return 1
  import_busybox || { engine_stop; return 1; }
  local n=${BENCH_PS_CONTAINERS:-200} count=${BENCH_PS_COUNT:-10} out i ms lines runs=() rm_ms left
  out=$("${BENCH_TOOL[@]}" create --socket "$ENGINE_SOCK" --image "$BENCH_IMAGE" --count "$n" --parallel 4 --name-prefix psbench 2>"$ENGINE_DIR/create.err") ||
    { echo "bench: creating $n containers on $1 failed: $(cat "$ENGINE_DIR/create.err")" >&2; remove_all_containers; engine_stop; return 1; }
  lines=$(dk ps -a | wc -l)
  if ((lines != n + 1)); then
    echo "bench: docker ps -a on $1 listed $((lines - 1)) containers, expected $n" >&2
    remove_all_containers; engine_stop; return 1
  fi
  for i in 1 2; do time_ms dk ps -a >/dev/null || { remove_all_containers; engine_stop; return 1; }; done
  for ((i = 0; i < count; i++)); do
    ms=$(time_ms dk ps -a) || { remove_all_containers; engine_stop; return 1; }
    runs+=("$ms")
  done
  # shellcheck disable=SC2046 # one argument per container name
  rm_ms=$(time_ms dk rm $(dk ps -aq)) || { remove_all_containers; engine_stop; return 1; }
  left=$(dk ps -aq | wc -l)
  ((left == 0)) || { echo "bench: $left containers left after docker rm on $1" >&2; remove_all_containers; engine_stop; return 1; }
  echo "  $1 ps -a ($n containers): ${runs[*]} ms; create $(echo "$out" | tr '\n' ' '); rm $rm_ms ms" >&2
  record ps ps_a_ms "$1" "$2" "$(printf '%s\n' "${runs[@]}" | median)"
  record ps ps_create_per_s "$1" "$2" "$(sed -n 's/^per_s=//p' <<<"$out")"
  record ps ps_rm_ms "$1" "$2" "$rm_ms"
  engine_stop
}

# shellcheck shell=bash
# Scenario "build": the classic builder (DOCKER_BUILDKIT=0) on a 10-step Dockerfile — ARG, ENV,
# WORKDIR, two COPYs (20 MiB of data in 40 files, and a small file), three RUNs, LABEL, CMD — on a
# fresh engine: a cold build (nothing cached), then the same build again (every step cached).
# RUN steps use --network none on both engines (dockerd runs here with --bridge=none).
# shellcheck source=bench/lib/containers.sh
source "$ROOT/bench/lib/containers.sh"

scenario_build_metrics() {
  metric build cold_s s "<=dockerd" "docker build, 10 steps, cold"
  metric build cached_s s "<=0.5*dockerd" "docker build, same 10 steps, fully cached"
}

build_context() {
  BUILD_CTX=$WORK/build-ctx
  [[ -s $BUILD_CTX/Dockerfile ]] && return 0
  mkdir -p "$BUILD_CTX/data" || return 1
  for i in $(seq 1 40); do head -c 524288 /dev/urandom >"$BUILD_CTX/data/part$i.bin" || return 1; done
  echo "berth bench" >"$BUILD_CTX/motd"
  cat >"$BUILD_CTX/Dockerfile" <<'DOCKERFILE'
FROM bench/busybox:1
ARG VARIANT=bench
ENV APP_HOME=/app MODE=$VARIANT
WORKDIR $APP_HOME
COPY data/ ./data/
COPY motd /etc/motd
RUN mkdir -p /app/gen && for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i" >> /app/gen/lines.txt; done
RUN cat /app/data/part1.bin /app/data/part2.bin > /app/gen/joined.bin && rm /app/data/part3.bin
RUN echo "$MODE built" > /app/gen/mode.txt
LABEL org.example.scenario=build
CMD ["cat", "/app/gen/mode.txt"]
DOCKERFILE
}

scenario_build_run() { # ENGINE RUN
  build_context || { echo "bench: could not prepare the build context" >&2; return 1; }
  engine_start "$1" || return 1
  import_busybox || { engine_stop; return 1; }
  local t0 t1 t2 out
  t0=$EPOCHREALTIME
  out=$(DOCKER_BUILDKIT=0 dk build -q --network none -t bench/built:1 "$BUILD_CTX" 2>&1) ||
    { echo "bench: cold build on $1 failed: $out" >&2; engine_stop; return 1; }
  t1=$EPOCHREALTIME
  out=$(DOCKER_BUILDKIT=0 dk build -q --network none -t bench/built:2 "$BUILD_CTX" 2>&1) ||
    { echo "bench: cached build on $1 failed: $out" >&2; engine_stop; return 1; }
  t2=$EPOCHREALTIME
  out=$(dk run --rm --network none bench/built:2 2>&1)
  [[ $out == "bench built" ]] || { echo "bench: the built image on $1 printed '$out'" >&2; engine_stop; return 1; }
  local cold cached
  cold=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  cached=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')
  echo "  $1 build cold ${cold}s cached ${cached}s" >&2
  record build cold_s "$1" "$2" "$cold"
  record build cached_s "$1" "$2" "$cached"
  remove_all_containers
  engine_stop
}

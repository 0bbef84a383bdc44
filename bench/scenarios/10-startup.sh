# shellcheck shell=bash
# Scenario "startup": spawn -> first HTTP 200 from GET /_ping over the unix socket.
# The waiter (berth-bench wait-ping) is already running and polling about once a millisecond
# when the engine is spawned; see engine_start in bench/lib/engines.sh.

scenario_startup_metrics() {
  metric startup startup_ms ms "<=100" "start-up to first /_ping 200"
}

scenario_startup_run() { # ENGINE RUN
  engine_start "$1" || return 1
  record startup startup_ms "$1" "$2" "$ENGINE_STARTUP_MS"
  engine_stop
}

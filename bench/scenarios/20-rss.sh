# shellcheck shell=bash
# Scenario "rss": memory of the idle daemon after start-up and a few requests
# (10 x /_ping, /version, /info on one keep-alive connection), then BENCH_SETTLE seconds idle.
#   rss_mib      VmRSS of the daemon process (/proc/PID/status)
#   pss_mib      Pss of the daemon process (/proc/PID/smaps_rollup): shared pages split by sharers
#   private_mib  Private_Clean + Private_Dirty (/proc/PID/smaps_rollup): pages only it maps
#   tree_rss_mib VmRSS summed over the daemon and its descendants (dockerd: + its containerd)

scenario_rss_metrics() {
  metric rss rss_mib MiB "<=40" "idle RSS (VmRSS)"
  metric rss pss_mib MiB "-" "idle Pss (smaps_rollup)"
  metric rss private_mib MiB "-" "idle private memory (Private_Clean+Private_Dirty)"
  metric rss tree_rss_mib MiB "-" "idle RSS incl. child processes"
}

# kB value of field $2 in file $1, as MiB.
kib_field() { awk -v f="$2:" '$1 == f { printf "%.2f", $2 / 1024; found = 1 } END { if (!found) print "" }' "$1" 2>/dev/null; }

scenario_rss_run() { # ENGINE RUN
  engine_start "$1" || return 1
  # /info may not be implemented everywhere; /_ping and /version must be.
  "${BENCH_TOOL[@]}" get --socket "$ENGINE_SOCK" --count 10 /_ping /version >/dev/null || { engine_stop; return 1; }
  "${BENCH_TOOL[@]}" get --socket "$ENGINE_SOCK" --count 10 /info >/dev/null 2>&1 || true
  sleep "${BENCH_SETTLE:-2}"
  local pid=$ENGINE_PID
  record rss rss_mib "$1" "$2" "$(kib_field "/proc/$pid/status" VmRSS)"
  local pss clean dirty
  pss=$(kib_field "/proc/$pid/smaps_rollup" Pss)
  clean=$(kib_field "/proc/$pid/smaps_rollup" Private_Clean)
  dirty=$(kib_field "/proc/$pid/smaps_rollup" Private_Dirty)
  record rss pss_mib "$1" "$2" "$pss"
  record rss private_mib "$1" "$2" "$(awk -v a="$clean" -v b="$dirty" 'BEGIN { printf "%.2f", a + b }')"
  local total=0 p v
  for p in "$pid" $(descendants "$pid"); do
    v=$(kib_field "/proc/$p/status" VmRSS)
    total=$(awk -v a="$total" -v b="${v:-0}" 'BEGIN { printf "%.2f", a + b }')
  done
  record rss tree_rss_mib "$1" "$2" "$total"
  engine_stop
}

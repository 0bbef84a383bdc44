#!/usr/bin/env bash
# Installs prerequisites, builds, and runs every test suite. Prints one summary line
# "N passed, N failed" over all suites and exits non-zero if anything failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh" || exit 1

results="$(mktemp -d /tmp/berth-test-results.XXXXXX)"
trap 'rm -rf "$results"' EXIT
status=0

dotnet build Berth.slnx -c Debug -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

# Unit and integration suites run one after the other: integration tests start real daemons
# and are parallel inside their own assembly.
for project in tests/Berth.UnitTests tests/Berth.IntegrationTests; do
  name="$(basename "$project")"
  dotnet test "$project" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
done

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  e="$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done

# Generated docs (api-coverage.md, the CLI table in compatibility.md) should match the routes and
# tests. A drift is reported, not counted as a test failure (docs, not behaviour). Works without
# ../shared/reference (that part is skipped).
python3 "$root/scripts/gen-api-coverage.py" --check ||
  echo "warning: generated docs are out of date: run scripts/gen-api-coverage.py"

# Name the failures next to the summary, where a truncated CI log still shows them.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  python3 "$root/scripts/trx-failures.py" "$trx"
done

# A suite that crashed before writing its results still counts as a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]

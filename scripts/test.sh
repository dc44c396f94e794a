#!/usr/bin/env bash
# Runs every test on real PostgreSQL (throwaway clusters that the tests start and remove) and ends
# with one line: "tests: N passed, M failed". Exit code non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1

command -v dotnet >/dev/null || { echo "the .NET SDK (10.0) is required: dotnet is not on PATH" >&2; echo "tests: 0 passed, 1 failed"; exit 1; }
bash scripts/ensure-postgres.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Extra arguments go to dotnet test, e.g. --filter "Category!=Slow".
dotnet test RoslynPgSync.sln --disable-build-servers -nodeReuse:false "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=0; failed=0
while read -r f p; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\),.*/\1 \2/p' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # build failure or crashed test host
echo "tests: $passed passed, $failed failed"
exit "$status"

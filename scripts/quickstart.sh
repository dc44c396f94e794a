#!/usr/bin/env bash
# Runs samples/QuickStart on a throwaway local PostgreSQL cluster that it starts and removes itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1
bash scripts/ensure-postgres.sh
exec dotnet run --project samples/QuickStart -- "$@"

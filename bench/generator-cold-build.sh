#!/usr/bin/env bash
# The generator's and analyzer's cost in a cold consumer build, as the compiler itself reports it
# (issue 16, point 8). Writes a consumer with $TYPES [Replicate] classes (the bench's generator corpus,
# bench/RoslynPgSync.Bench/GeneratorCorpus.cs: ten to a file, modes cycling, every fourth renamed on
# the destination, every fifth filtered, plus one unrelated file) into a temporary directory, then builds it $RUNS times with
# a new in-process csc each time (no compiler server: -p:UseSharedCompilation=false,
# --disable-build-servers), -p:ReportAnalyzer=true at detailed verbosity, and prints the
# RoslynPgSync.Generator lines of "Total analyzer execution time" and "Total generator execution time"
# per run and their medians.
#
# Usage: bench/generator-cold-build.sh            (TYPES=500 RUNS=3)
#        TYPES=100 RUNS=5 KEEP=1 bench/generator-cold-build.sh
#        GENERATOR_DLL=/path/RoslynPgSync.Generator.dll bench/generator-cold-build.sh   (another build of
#        the generator, e.g. main's, instead of this checkout's: for before/after on the same machine state)
set -euo pipefail

TYPES=${TYPES:-500}
RUNS=${RUNS:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsync-coldbuild.XXXXXX")
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi; }
trap cleanup EXIT

# The generator and the runtime, built once (Release); the consumer's builds then compile only itself.
dotnet build "$repo/src/Generator/RoslynPgSync.Generator.csproj" -c Release --disable-build-servers -nodeReuse:false -v:q -nologo >/dev/null
dotnet build "$repo/src/Runtime/RoslynPgSync.csproj" -c Release -f net10.0 --disable-build-servers -nodeReuse:false -v:q -nologo >/dev/null

mkdir -p "$work/Consumer"
cat >"$work/Consumer/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <NuGetAudit>false</NuGetAudit>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$repo/src/Runtime/RoslynPgSync.csproj" SetTargetFramework="TargetFramework=net10.0" />
    $(if [ -n "${GENERATOR_DLL:-}" ]; then echo "<Analyzer Include=\"$GENERATOR_DLL\" />"; else echo '<ProjectReference Include="'"$repo"'/src/Generator/RoslynPgSync.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />'; fi)
  </ItemGroup>
</Project>
EOF

# The sources are the bench's own corpus (GeneratorCorpus), written out by the bench program.
dotnet run -c Release --project "$repo/bench/RoslynPgSync.Bench" --disable-build-servers -nodeReuse:false -v:q -- \
  --write-generator-corpus "$work/Consumer" --types "$TYPES" >/dev/null

dotnet restore "$work/Consumer/Consumer.csproj" --disable-build-servers -v:q -nologo >/dev/null

# "<seconds>" of the RoslynPgSync.Generator assembly in the section that starts with $2.
seconds_of() {
  awk -v section="$2" '
    index($0, "Total analyzer execution time") { in_section = (section == "analyzer") }
    index($0, "Total generator execution time") { in_section = (section == "generator") }
    in_section && /RoslynPgSync\.Generator, Version=/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/ || $i ~ /^<[0-9.]+$/) { gsub("<", "", $i); print $i; exit } }
  ' "$1"
}
total_of() { grep -m1 -o "Total $2 execution time: [0-9.]* seconds" "$1" | grep -o '[0-9.]*' | head -1 || true; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

gens=() anas=()
for ((run = 1; run <= RUNS; run++)); do
  rm -rf "$work/Consumer/bin" "$work/Consumer/obj/Release"
  log="$work/build$run.log"
  start=$(date +%s.%N)
  dotnet build "$work/Consumer/Consumer.csproj" -c Release --no-restore --disable-build-servers -nodeReuse:false \
    -p:UseSharedCompilation=false -p:ReportAnalyzer=true -p:BuildProjectReferences=false -v:detailed -nologo >"$log" 2>&1 ||
    { tail -30 "$log"; exit 1; }
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  gen=$(seconds_of "$log" generator); ana=$(seconds_of "$log" analyzer)
  gens+=("${gen:-0}"); anas+=("${ana:-0}")
  printf 'run %d: generator %s s, analyzer %s s (all generators %s s, all analyzers %s s; build wall %.1f s)\n' \
    "$run" "${gen:-n/a}" "${ana:-n/a}" "$(total_of "$log" generator)" "$(total_of "$log" analyzer)" "$wall"
done

gen_median=$(printf '%s\n' "${gens[@]}" | median)
ana_median=$(printf '%s\n' "${anas[@]}" | median)
echo "median of $RUNS, $TYPES types: generator $gen_median s, analyzer $ana_median s, together $(echo "$gen_median + $ana_median" | bc) s"

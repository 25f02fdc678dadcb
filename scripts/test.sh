#!/usr/bin/env bash
# Builds and tests everything (Core, Runtime, Cli, the Functions host, infra), then prints one line of totals.
set -uo pipefail
cd "$(dirname "$0")/.."

# The Azure Storage tests (the Tables store, Durable orchestrations and entities on the Azure Storage backend) start a
# real Azurite; install it into .tools/azurite once (npm), unless AZURITE_BIN points at one.
azurite_version=3.35.0
if [ -z "${AZURITE_BIN:-}" ] && [ ! -x .tools/azurite/node_modules/.bin/azurite ]; then
  echo "installing azurite@$azurite_version into .tools/azurite"
  npm install --prefix .tools/azurite --no-audit --no-fund --loglevel=error "azurite@$azurite_version" >/dev/null \
    || { echo "could not install azurite with npm: the Azure Storage tests need it"; echo "0 passed, 1 failed"; exit 1; }
fi

solution=Functions.sln

log=$(mktemp)
dotnet test "$solution" -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

read -r passed failed < <(awk '
  /(Passed|Failed)!/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") { gsub(",", "", $(i+1)); f += $(i+1) }
      if ($i == "Passed:") { gsub(",", "", $(i+1)); p += $(i+1) }
    }
  }
  END { print p + 0, f + 0 }' "$log")
rm -f "$log"

# The example graphs' behavioural suites, through the real CLI, as a user's CI would gate a graph change.
if [ "$status" -eq 0 ]; then
  echo "warden test examples/suites"
  if dotnet run -c Release --no-build --project src/Cli -- test examples/suites --junit TestResults/examples-junit.xml; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    status=1
  fi
fi

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or a test host failed before any test could report
fi
echo "$passed passed, $failed failed"
exit "$status"

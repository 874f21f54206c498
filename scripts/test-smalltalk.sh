#!/usr/bin/env bash
# Runs the SUnit tests of the GNU Smalltalk server (smalltalk/tests) with gst,
# from any working directory. Loads the server files of
# smalltalk/load-order.txt except gst/start.st (which would start serving),
# then the tests. Prints one line per failing test and ends with the line
# "N passed, M failed"; exits non-zero on any failure or error.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
st="$root/smalltalk"

if ! command -v gst >/dev/null 2>&1; then
  echo "test-smalltalk: gst not found; run scripts/install-deps.sh" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

files=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  line="$(echo "$line" | tr -d '[:space:]')"
  [ -z "$line" ] && continue
  [ "$line" = "gst/start.st" ] && continue
  files+=("$st/$line")
done < "$st/load-order.txt"
files+=("$st/tests/load-sunit.st" "$st/tests/core-tests.st" "$st/tests/gst-tests.st" "$st/tests/tools-tests.st" "$st/tests/process-tests.st" "$st/tests/run.st")

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
(cd / && timeout 600 gst "${files[@]}") >"$out" 2>&1
status=$?

# Anything printed before the runner starts is a problem while loading
# the files (gst reports parse and compile errors and goes on).
load_noise="$(sed '/^STUI-TESTS-BEGIN$/,$d' "$out")"
results="$(sed -n '/^STUI-TESTS-BEGIN$/,$p' "$out" | sed '1d')"
summary="$(printf '%s\n' "$results" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)"

if [ -n "$load_noise" ]; then
  echo "test-smalltalk: unexpected output while loading the server and the tests:"
  printf '%s\n' "$load_noise"
fi
printf '%s\n' "$results" | grep -vE '^[0-9]+ passed, [0-9]+ failed$' | sed '/^$/d'

if [ -z "$summary" ]; then
  echo "test-smalltalk: the test run did not finish (gst exit status $status)"
  echo "0 passed, 1 failed"
  exit 1
fi
passed="${summary%% passed*}"
failed="${summary#*, }"; failed="${failed%% failed}"
if [ -n "$load_noise" ]; then
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then
  exit 1
fi
exit 0

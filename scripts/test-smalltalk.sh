#!/usr/bin/env bash
# Runs the SUnit tests of the GNU Smalltalk server (smalltalk/tests) with gst,
# from any working directory. Loads the server files of
# smalltalk/load-order.txt except gst/start.st (which would start serving),
# then the tests. Prints one line per failing test and ends with the line
# "N passed, M failed"; exits non-zero on any failure or error. The tests run
# three times: with the arithmetic fix of gst/arithmetic.st as it chooses
# (machine code), with its send fallback forced, and with the machine-code
# patch refused for an unknown library.
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
files+=("$st/tests/load-sunit.st" "$st/tests/core-tests.st" "$st/tests/gst-tests.st" "$st/tests/tools-tests.st" "$st/tests/process-tests.st" "$st/tests/debugger-tests.st" "$st/tests/debugger-frames-tests.st" "$st/tests/debugger-step-tests.st" "$st/tests/debugger-range-tests.st" "$st/tests/arith-tests.st" "$st/tests/guard-tests.st" "$st/tests/changes-tests.st" "$st/tests/definitions-tests.st" "$st/tests/security-tests.st" "$st/tests/security-gst-tests.st" "$st/tests/run.st")

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
total_passed=0
total_failed=0

# One run of every test with the environment $@ (VAR=value ...); its
# failures are printed with the run's label $label.
run_tests() {
  local label="$1"; shift
  (cd / && env "$@" timeout 600 gst "${files[@]}") >"$out" 2>&1
  local status=$?
  # Anything printed before the runner starts is a problem while loading
  # the files (gst reports parse and compile errors and goes on).
  local load_noise results summary passed failed
  load_noise="$(sed '/^STUI-TESTS-BEGIN$/,$d' "$out")"
  results="$(sed -n '/^STUI-TESTS-BEGIN$/,$p' "$out" | sed '1d')"
  summary="$(printf '%s\n' "$results" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)"
  if [ -n "$load_noise" ]; then
    echo "test-smalltalk ($label): unexpected output while loading the server and the tests:"
    printf '%s\n' "$load_noise"
  fi
  printf '%s\n' "$results" | grep -vE '^[0-9]+ passed, [0-9]+ failed$' | sed '/^$/d' | sed "s/^/[$label] /"
  if [ -z "$summary" ]; then
    echo "test-smalltalk ($label): the test run did not finish (gst exit status $status)"
    total_failed=$((total_failed + 1))
    return
  fi
  passed="${summary%% passed*}"
  failed="${summary#*, }"; failed="${failed%% failed}"
  [ -n "$load_noise" ] && failed=$((failed + 1))
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "$label: $passed passed, $failed failed"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

# The arithmetic fix has three paths (gst/arithmetic.st): the machine-code
# patch, the send fallback when asked for, and the fallback after the patch
# was refused for a library it does not recognise (here: gst's executable).
run_tests "machine code"
run_tests "send fallback" STUI_GST_ARITHMETIC_FIX=send
run_tests "refused library" STUI_GST_ARITHMETIC_LIBRARY="$(command -v gst)"

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]

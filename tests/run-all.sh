#!/usr/bin/env bash
# The whole test suite (./dev test, and so CI):
#   1. release build with -Werror: every ctest (unit, oracle, e2e)
#   2. ASan+UBSan build: the unit tests again
#   3. clang libFuzzer build: each fuzz target for a bounded time with sanitizers
#   4. benchmarks: figures printed, never judged on time
# Ends with one line "total: N passed, M failed, K skipped"; skipped tests (ctest exit 77:
# no SCTP VM, no tool) are named above it and never counted as passed.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
jobs=$(nproc)
fuzz_seconds=${SIPTGW_FUZZ_SECONDS:-60}
passed=0; failed=0; skipped=0; status=0; skipped_names=()
log=$(mktemp -d)

count() { # ctest output file -> adds to totals
  local line
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of" "$1" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); status=1; return; fi
  local total nfail
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  nfail=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  # ctest counts a skipped test (exit 77, SKIP_RETURN_CODE) among the passed; list it apart.
  local names
  mapfile -t names < <(grep -E '^[[:space:]]*[0-9]+ - .* \(Skipped\)$' "$1" |
    sed -E 's/^[[:space:]]*[0-9]+ - (.*) \(Skipped\)$/\1/')
  skipped=$((skipped + ${#names[@]})); skipped_names+=("${names[@]}")
  passed=$((passed + total - nfail - ${#names[@]})); failed=$((failed + nfail))
  [ "$nfail" -eq 0 ] || status=1
}
step() { echo; echo "==== $*"; }

step "release build (-Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIPTGW_WERROR=ON >/dev/null || exit 1
cmake --build build -j "$jobs" || exit 1
step "ctest: unit, oracle, e2e"
ctest --test-dir build -j "$jobs" --output-on-failure --timeout 600 2>&1 | tee "$log/release.txt"
count "$log/release.txt"

step "ASan+UBSan build: unit tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSIPTGW_WERROR=ON \
  -DSIPTGW_SANITIZE=address,undefined -DSIPTGW_BENCH=OFF >/dev/null || exit 1
cmake --build build-asan -j "$jobs" || exit 1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L unit -j "$jobs" --output-on-failure --timeout 600 2>&1 | tee "$log/asan.txt"
count "$log/asan.txt"

step "libFuzzer (clang, ASan+UBSan), ${fuzz_seconds}s per target"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIPTGW_FUZZ=ON -DSIPTGW_TESTS=OFF -DSIPTGW_BENCH=OFF >/dev/null || exit 1
cmake --build build-fuzz -j "$jobs" || exit 1
for fuzzer in build-fuzz/tests/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  name=$(basename "$fuzzer")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  if "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/" "$work" "$corpus" >"$log/$name.txt" 2>&1; then
    echo "$name: ok ($(grep -Eo '#[0-9]+[[:space:]]+DONE.*' "$log/$name.txt" | tail -1))"
    passed=$((passed + 1))
  else
    echo "$name: FAILED"; tail -40 "$log/$name.txt"; failed=$((failed + 1)); status=1
  fi
  rm -rf "$work"
done

if [ -d build/tests/bench ]; then
  step "benchmarks (figures, not judged)"
  for b in build/tests/bench/bench_*; do
    [ -x "$b" ] && "$b" --benchmark_min_time=0.2 2>&1 | grep -v '^\*\*\*'
  done
  # UA CPU per SIPp call (issue #3): figures only, but failed calls fail the step.
  if [ -x build/tests/sip/siptgw_test_ua ] && command -v sipp >/dev/null; then
    # ... and, beside it, the same calls to floor_uas: the kernel's and loopback's share.
    if FLOOR_UAS=build/tests/bench/floor_uas tests/bench/sipp_ua_load.sh build/tests/sip/siptgw_test_ua 20000 1000; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); status=1
    fi
    # ... and with UDP receive coalescing (sip.udp_coalesce_us): its wake-ups per call.
    if UA_ARGS="--udp-coalesce-us 2000" tests/bench/sipp_ua_load.sh build/tests/sip/siptgw_test_ua 20000 1000; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); status=1
    fi
  fi
fi
if [ -x build/gateway/siptgw ]; then
  step "gateway load (figures, not judged on time; fails only when calls fail)"
  # 20,000 calls at 1,000/s with zero failures (GW_LOAD_* override), then memory per held call.
  GW_LOAD_RATE=${GW_LOAD_RATE:-1000} bash tests/bench/gateway_load.sh build/gateway/siptgw "$log/gateway-load"; rc=$?
  case $rc in 0) passed=$((passed + 1)) ;; 77) skipped=$((skipped + 1)); skipped_names+=("gateway load") ;; *) failed=$((failed + 1)); status=1 ;; esac
fi

echo
for n in "${skipped_names[@]}"; do echo "skipped: $n"; done
echo "total: $passed passed, $failed failed, $skipped skipped"
exit $status

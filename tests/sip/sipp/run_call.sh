#!/bin/sh
# SIPp call scenarios against siptgw_test_ua (label e2e): start the test UA in UAS mode with
# the given options, run SIPp's SCENARIO as UAC for COUNT calls over udp|tcp, and require
#   - SIPp's exit code 0 and its SuccessfulCall counter == COUNT (FailedCall == 0),
#   - the UA's counter COUNTER (completed|cancelled|rejected) == COUNT and failed == 0.
# SIPP_EXTRA adds SIPp options (e.g. "-lost 10").
#   usage: run_call.sh UA_BINARY udp|tcp SCENARIO COUNT COUNTER [UA options...]
set -eu
ua=$1 transport=$2 scenario=$(cd "$(dirname "$3")" && pwd)/$(basename "$3") count=$4 counter=$5
shift 5
command -v sipp >/dev/null || { echo "sipp not installed"; exit 77; }
tmp=$(mktemp -d)
"$ua" --transport "$transport" --duration 150 "$@" >"$tmp/ua.out" 2>"$tmp/ua.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
i=0
while ! grep -q '^PORT ' "$tmp/ua.out" 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "UA did not start"; cat "$tmp/ua.err"; exit 1; }
  sleep 0.05
done
port=$(sed -n 's/^PORT //p' "$tmp/ua.out")
case $transport in udp) t=u1 ;; tcp) t=t1 ;; *) echo "bad transport"; exit 2 ;; esac
rc=0
# shellcheck disable=SC2086
( cd "$tmp" && sipp -sf "$scenario" -t "$t" -i 127.0.0.1 -p 0 -m "$count" -r 10 -l 10 \
    -timeout 100s -timeout_error -recv_timeout 40s -nostdin -trace_err -trace_stat -stf stat.csv \
    ${SIPP_EXTRA:-} "127.0.0.1:$port" >sipp.out 2>&1 ) || rc=$?
sleep 0.3
kill -TERM $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
# Last line of SIPp's statistics file: SuccessfulCall(C) and FailedCall(C) columns.
col() { awk -F';' -v name="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { print $c }' "$tmp/stat.csv" 2>/dev/null || true; }
ok=$(col 'SuccessfulCall(C)'); failed=$(col 'FailedCall(C)')
counters=$(grep '^COUNTERS' "$tmp/ua.out" || true)
got=$(echo "$counters" | tr ' ' '\n' | sed -n "s/^$counter=//p")
uafailed=$(echo "$counters" | tr ' ' '\n' | sed -n 's/^failed=//p')
echo "sipp rc=$rc successful=$ok failed=$failed (want $count); UA $counter=$got failed=$uafailed"
echo "$counters"
if grep -q 'Sanitizer\|runtime error' "$tmp/ua.err"; then rc=99; fi  # sanitizer builds
if [ "$rc" -ne 0 ] || [ "$ok" != "$count" ] || [ "$failed" != 0 ] || [ "$got" != "$count" ] || [ "$uafailed" != 0 ]; then
  cat "$tmp"/*_errors.log 2>/dev/null | head -60 || true
  tail -30 "$tmp/sipp.out"
  cat "$tmp/ua.err"
  exit 1
fi

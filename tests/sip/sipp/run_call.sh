#!/bin/sh
# SIPp call scenarios against siptgw_test_ua (label e2e): start the test UA in UAS mode with
# the given options, run SIPp's SCENARIO as UAC for COUNT calls over udp|tcp, and require
#   - SIPp's exit code 0 and its SuccessfulCall counter == COUNT (FailedCall == 0),
#   - the UA's counter COUNTER (completed|cancelled|rejected) == COUNT and failed == 0,
#   - every "name=value" of UA_EXPECT exactly (COUNTERS / MSGS names of siptgw_test_ua).
# SIPP_EXTRA adds SIPp options (e.g. "-lost 10").
#   usage: run_call.sh UA_BINARY udp|tcp SCENARIO COUNT COUNTER [UA options...]
set -eu
ua=$1 transport=$2 scenario=$(cd "$(dirname "$3")" && pwd)/$(basename "$3") count=$4 counter=$5
shift 5
. "$(dirname "$0")/sipp_lib.sh"
t=$(sipp_transport "$transport")
start_ua "$TMP/ua.out" "$ua" --transport "$transport" --duration 150 "$@"
rc=0
# shellcheck disable=SC2086
( cd "$TMP" && sipp -sf "$scenario" -t "$t" -i 127.0.0.1 -p 0 -m "$count" -r 10 -l 10 \
    -timeout 100s -timeout_error -recv_timeout 40s -nostdin -trace_err -trace_stat -stf stat.csv \
    ${SIPP_EXTRA:-} "127.0.0.1:$UA_PORT" >sipp.out 2>&1 ) || rc=$?
sleep 0.3
stop_ua "$UA_PID"
check_sipp "$rc" "$count"
check_ua "$TMP/ua.out" "$counter=$count failed=0 ${UA_EXPECT:-}"
finish "$TMP/ua.out"

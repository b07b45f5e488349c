#!/bin/sh
# SIPp smoke test (label e2e): start the test UAS, send COUNT OPTIONS with SIPp over the
# given transport, require every call to succeed and the UAS to have seen exactly COUNT
# requests (retransmissions absorbed by its transactions).
#   usage: run_options.sh UAS_BINARY udp|tcp SCENARIO [COUNT]
set -eu
uas=$1 transport=$2 scenario=$3 count=${4:-20}
. "$(dirname "$0")/sipp_lib.sh"
t=$(sipp_transport "$transport")
start_ua "$TMP/uas.out" "$uas" "$transport" 30
rc=0
( cd "$TMP" && sipp -sf "$scenario" -t "$t" -i 127.0.0.1 -p 0 -m "$count" -r 50 -l 10 \
    -timeout 20s -timeout_error -nostdin -trace_err -trace_logs -trace_stat \
    "127.0.0.1:$UA_PORT" >sipp.out 2>&1 ) || rc=$?
check sipp_rc "$rc" 0
check uas_options_seen "$(grep -c '^REQ OPTIONS' "$TMP/uas.out" || true)" "$count"
check sipp_checked_200s "$(cat "$TMP"/*_logs.log 2>/dev/null | grep -c '^ok siptgw-test-uas tag=uas[0-9]' || true)" "$count"
finish

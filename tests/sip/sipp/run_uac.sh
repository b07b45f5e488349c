#!/bin/sh
# The test UA as UAC against SIPp as UAS (label e2e): SIPp's built-in uas scenario (180,
# 200) or SCENARIO (e.g. uas_100rel.xml: reliable 183/180 waiting for PRACKs); the UA ACKs
# the 2xx and hangs up with BYE after 200 ms. Requires SIPp's exit code 0 with
# SuccessfulCall == COUNT, the UA's completed == COUNT, failed == 0 and every "name=value"
# of UA_EXPECT. SIPP_EXTRA adds SIPp options (e.g. "-lost 10").
#   usage: run_uac.sh UA_BINARY udp|tcp COUNT [SCENARIO [UA options...]]
set -eu
ua=$1 transport=$2 count=$3
scenario=-sn\ uas
if [ $# -ge 4 ]; then scenario="-sf $(cd "$(dirname "$4")" && pwd)/$(basename "$4")"; shift; fi
shift 3
. "$(dirname "$0")/sipp_lib.sh"
t=$(sipp_transport "$transport")
port=$((20000 + $$ % 20000))
# shellcheck disable=SC2086
( cd "$TMP" && exec sipp $scenario -t "$t" -i 127.0.0.1 -p "$port" -m "$count" -timeout 60s -timeout_error \
    -nostdin -trace_err -trace_stat -stf stat.csv ${SIPP_EXTRA:-} >sipp.out 2>&1 ) &
spid=$!
PIDS="$PIDS $spid"
sleep 0.5
"$ua" --transport "$transport" --duration 60 --call "sip:service@127.0.0.1:$port" --dest "127.0.0.1:$port" \
  --calls "$count" --rate 20 --hangup-after 200 "$@" >"$TMP/ua.out" 2>"$TMP/ua.out.err" || true
rc=0
wait $spid || rc=$?
check_sipp "$rc" "$count"
check_ua "$TMP/ua.out" "completed=$count failed=0 ${UA_EXPECT:-}"
finish "$TMP/ua.out"

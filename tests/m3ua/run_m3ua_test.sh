#!/bin/bash
# End-to-end test of the M3UA MTP provider (isup/m3ua) over real M3UA/SCTP through osmo-stp:
#
#   1. osmo-stp (0.23.1) and two m3ua_peer ASPs on 127.0.0.1: a (0.23.2, originates) and
#      b (0.23.3, answers). Round 1: IAM/ACM/ANM, REL/RLC, GRS/GRA, CGB/CGBA, all checked
#      (a probes with CQM until b answers CQR first: a's RESUME says nothing about b's AS).
#   2. While a streams IAMs, osmo-stp is killed: both peers must report MTP-PAUSE and
#      refuse sends ("PAUSED-REJECT ok").
#   3. osmo-stp restarts: both report MTP-RESUME, round 2 must succeed.
#   4. check_traces.sh: each peer's pcap must decode in tshark to exactly the messages its
#      log says it sent and received; what a sent in the rounds is what b received, and back.
#
# usage: run_m3ua_test.sh PATH/TO/m3ua_peer [WORKDIR]
# Needs a kernel with SCTP (or run it through ../shared/tools/sctp-vm/run; run_e2e.sh picks).
# env: M3UA_TEST_PORT_BASE (default 2905: STP, +1 a, +2 b), OSMO_STP, TSHARK, M3UA_TEST_TRACE_CHECK (0: skip step 4),
#      M3UA_TEST_LOG_LEVEL / M3UA_TEST_STP_LOG (peers' / osmo-stp's log level: error / notice).
# Every wait is bounded; every process started here is stopped on exit.
set -u
PEER=$(readlink -f "${1:?usage: run_m3ua_test.sh PATH/TO/m3ua_peer [WORKDIR]}")
WORK=${2:-$(mktemp -d "${TMPDIR:-/tmp}/m3ua-e2e.XXXXXX")}
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
OSMO_STP=${OSMO_STP:-osmo-stp}
BASE=${M3UA_TEST_PORT_BASE:-2905}
STP_PORT=$BASE A_PORT=$((BASE + 1)) B_PORT=$((BASE + 2))
LOGLVL=${M3UA_TEST_LOG_LEVEL:-error}
T_START=$(date +%s.%N)

mkdir -p "$WORK" && rm -f "$WORK"/*.out "$WORK"/*.log "$WORK"/*.pcap "$WORK"/*.msgs
cd "$WORK" || exit 1
[ -x "$PEER" ] || { echo "FAIL: $PEER is not executable"; exit 1; }
command -v "$OSMO_STP" >/dev/null || { echo "FAIL: osmo-stp not found"; exit 1; }
# /proc/net/sctp: SCTP loaded (cheap; python3 takes seconds to start inside the UML VM)
[ -d /proc/net/sctp ] || python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)' 2>/dev/null ||
	{ echo "FAIL: this kernel has no SCTP (run through sctp-vm/run, or use run_e2e.sh)"; exit 1; }

sed -e "s/set-all notice/set-all ${M3UA_TEST_STP_LOG:-notice}/" -e "s/@STP_PORT@/$STP_PORT/g" -e "s/@A_PORT@/$A_PORT/g" -e "s/@B_PORT@/$B_PORT/g" \
	"$HERE/osmo-stp.cfg.in" > osmo-stp.cfg

FAIL_LOGS=(a.out b.out stp1.log stp2.log)
# shellcheck source=vm_lib.sh
source "$HERE/vm_lib.sh"

common=(--ni 2 --stp-port "$STP_PORT" --max-time 60 --wait-time 20 --reconnect 1 --log-level "$LOGLVL")

log "osmo-stp up"
start_stp stp1.log
"$PEER" --name b --role answer --local-pc 0.23.3 --peer-pc 0.23.2 --rctx 200 --local-port "$B_PORT" \
	--pcap b.pcap --log b.msgs "${common[@]}" > b.out 2>&1 &
B_PID=$!; PIDS+=("$B_PID")
wait_for b.out "EVENT RESUME 0.23.2" 1 15
"$PEER" --name a --role originate --rounds 2 --local-pc 0.23.2 --peer-pc 0.23.3 --rctx 100 --local-port "$A_PORT" \
	--pcap a.pcap --log a.msgs "${common[@]}" > a.out 2>&1 &
A_PID=$!; PIDS+=("$A_PID")

wait_for a.out "EVENT RESUME 0.23.3" 1 15
log "both ASPs active (MTP-RESUME)"
wait_for a.out "ROUND 1 OK" 1 15
log "round 1 exchanged"

# kill the STP while a streams IAMs (and b answers them)
wait_for a.msgs "^TX [0-9]* 1 10[0-9][0-9]$" 5 10
kill -KILL "$STP_PID"; wait "$STP_PID" 2>/dev/null; STP_PID=
log "osmo-stp killed mid-exchange"
wait_for a.out "EVENT PAUSE 0.23.3" 1 15
wait_for b.out "EVENT PAUSE 0.23.2" 1 15
wait_for a.out "PAUSED-REJECT ok" 1 5
wait_for b.out "PAUSED-REJECT ok" 1 5
log "both peers paused and refuse sends"

start_stp stp2.log
log "osmo-stp restarted"
wait_for a.out "EVENT RESUME 0.23.3" 2 30
wait_for b.out "EVENT RESUME 0.23.2" 2 30
log "both resumed"
wait_for a.out "ROUND 2 OK" 1 15
wait_for a.out "DONE" 1 5
for ((i = 0; i < 100; i++)); do kill -0 "$A_PID" 2>/dev/null || break; nap 0.05; done
wait "$A_PID"; A_RC=$?
[ "$A_RC" = 0 ] || fail "peer a exited with $A_RC"
kill -TERM "$B_PID"
for ((i = 0; i < 100; i++)); do kill -0 "$B_PID" 2>/dev/null || break; nap 0.05; done
wait "$B_PID"; B_RC=$?
[ "$B_RC" = 0 ] || fail "peer b exited with $B_RC"
grep -qE "^\[ *[0-9.]+\] [ab]: FAIL" a.out b.out && fail "a peer reported a failure"
log "round 2 exchanged; peers exited cleanly"

# ---- traces (M3UA_TEST_TRACE_CHECK=0 leaves them to the caller: run_e2e.sh checks on the host)
if [ "${M3UA_TEST_TRACE_CHECK:-1}" = 1 ]; then
	bash "$HERE/check_traces.sh" "$WORK" || fail "trace check"
fi
echo "PASS m3ua e2e (network part) in $(elapsed)s"

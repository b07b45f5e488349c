#!/bin/bash
# End-to-end test of `siptgw exchange-sim` over real M3UA/SCTP through osmo-stp (issue 4):
#
#   1. osmo-stp (0.23.1) and two exchange simulators on 127.0.0.1: b (0.23.3, terminates by
#      prefix: answer / ring then cause 19 / busy cause 17) and a (0.23.2, originates calls
#      to b's numbers; CGB + CGU on a few circuits). Both reset their circuits (GRS/GRA)
#      after MTP-RESUME.
#   2. With calls up (a has answered calls), osmo-stp is killed: both must report MTP-PAUSE;
#      a must attempt no call while paused.
#   3. osmo-stp restarts: both report MTP-RESUME, reset their circuits again, and a's plan
#      completes; a exits by itself (its expect: block decides its exit code), b on SIGTERM.
#   4. check_exsim_traces.sh (host side when run in the VM): JSON summaries and pcaps.
#
# usage: run_exsim_test.sh PATH/TO/siptgw [WORKDIR]
# env: EXSIM_TEST_PORT_BASE (default 3905: STP, +1 a, +2 b), OSMO_STP, EXSIM_TEST_CALLS (40),
#      EXSIM_TEST_TRACE_CHECK (0: leave step 4 to the caller), M3UA_TEST_STP_LOG (notice).
# Every wait is bounded; every process started here is stopped on exit.
set -u
SIPTGW=$(readlink -f "${1:?usage: run_exsim_test.sh PATH/TO/siptgw [WORKDIR]}")
WORK=${2:-$(mktemp -d "${TMPDIR:-/tmp}/exsim-e2e.XXXXXX")}
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
OSMO_STP=${OSMO_STP:-osmo-stp}
BASE=${EXSIM_TEST_PORT_BASE:-3905}
STP_PORT=$BASE A_PORT=$((BASE + 1)) B_PORT=$((BASE + 2))
CALLS=${EXSIM_TEST_CALLS:-40}
RESET_DELAY=${EXSIM_TEST_RESET_DELAY:-1500}
T_START=$(date +%s.%N)

mkdir -p "$WORK" && rm -f "$WORK"/*.json "$WORK"/*.err "$WORK"/*.log "$WORK"/*.pcap "$WORK"/*.yaml
cd "$WORK" || exit 1
[ -x "$SIPTGW" ] || { echo "FAIL: $SIPTGW is not executable"; exit 1; }
command -v "$OSMO_STP" >/dev/null || { echo "FAIL: osmo-stp not found"; exit 1; }
[ -d /proc/net/sctp ] || python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)' 2>/dev/null ||
	{ echo "FAIL: this kernel has no SCTP (run through sctp-vm/run, or use run_exsim_e2e.sh)"; exit 1; }

sed -e "s/set-all notice/set-all ${M3UA_TEST_STP_LOG:-notice}/" -e "s/@STP_PORT@/$STP_PORT/g" -e "s/@A_PORT@/$A_PORT/g" -e "s/@B_PORT@/$B_PORT/g" \
	"$HERE/osmo-stp.cfg.in" > osmo-stp.cfg
for s in a b; do
	sed -e "s/@STP_PORT@/$STP_PORT/g" -e "s/@A_PORT@/$A_PORT/g" -e "s/@B_PORT@/$B_PORT/g" \
		-e "s/@CALLS@/$CALLS/g" -e "s/@RESET_DELAY@/$RESET_DELAY/g" "$HERE/exsim-$s.yaml.in" > "$s.yaml"
done

FAIL_LOGS=(a.err b.err stp1.log stp2.log)
# shellcheck source=vm_lib.sh
source "$HERE/vm_lib.sh"

log "osmo-stp up"
start_stp stp1.log
"$SIPTGW" exchange-sim -c b.yaml > b.json 2> b.err &
B_PID=$!; PIDS+=("$B_PID")
wait_for b.err "b: RESUME 0.23.2" 1 15
"$SIPTGW" exchange-sim -c a.yaml > a.json 2> a.err &
A_PID=$!; PIDS+=("$A_PID")
wait_for a.err "a: RESUME 0.23.3" 1 15
log "both ASPs active (MTP-RESUME)"
wait_for a.err "a: CIRCUITS RESET" 1 20
wait_for b.err "b: CIRCUITS RESET" 1 20
log "both reset their circuits (GRS/GRA)"
wait_for a.err "a: MAINTENANCE cgu" 1 10
log "CGB and CGU sent"

# kill the STP with answered calls up on a
wait_for a.err "a: STATUS .*answered=([5-9]|[1-9][0-9]+) .*in_progress=([1-9])" 1 20
kill -KILL "$STP_PID"; wait "$STP_PID" 2>/dev/null; STP_PID=
log "osmo-stp killed mid-call"
wait_for a.err "a: PAUSE 0.23.3" 1 15
wait_for b.err "b: PAUSE 0.23.2" 1 15
log "both paused"
nap 1.5   # a's plan keeps ticking: it must place no call meanwhile (checked in the summary)

start_stp stp2.log
log "osmo-stp restarted"
wait_for a.err "a: RESUME 0.23.3" 2 30
wait_for b.err "b: RESUME 0.23.2" 2 30
log "both resumed"
wait_for a.err "a: CIRCUITS RESET" 2 25
wait_for b.err "b: CIRCUITS RESET" 2 25
log "both reset their circuits again"

# a exits when its plan is done; its exit code says whether its expect: block held
wait_for a.err "a: EXIT" 1 40
for ((i = 0; i < 100; i++)); do kill -0 "$A_PID" 2>/dev/null || break; nap 0.05; done
wait "$A_PID"; A_RC=$?
kill -TERM "$B_PID"
for ((i = 0; i < 100; i++)); do kill -0 "$B_PID" 2>/dev/null || break; nap 0.05; done
wait "$B_PID"; B_RC=$?
[ "$A_RC" = 0 ] || fail "exchange a exited with $A_RC (expectations: $(grep -A3 '"failures"' a.json | tr -d '\n '))"
[ "$B_RC" = 0 ] || fail "exchange b exited with $B_RC (expectations: $(grep -A3 '"failures"' b.json | tr -d '\n '))"
log "a completed its plan, b stopped on SIGTERM; both expectations held"

if [ "${EXSIM_TEST_TRACE_CHECK:-1}" = 1 ]; then
	bash "$HERE/check_exsim_traces.sh" "$WORK" || fail "trace check"
fi
echo "PASS exchange-sim e2e (network part) in $(elapsed)s"

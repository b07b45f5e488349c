#!/bin/bash
# ctest entry of the M3UA end-to-end test: runs run_m3ua_test.sh directly when this kernel
# has SCTP, else inside the SCTP VM (User-Mode Linux, ../shared/tools/sctp-vm/run next to
# the repository, or $SCTP_VM_RUN), then checks the traces on the host (check_traces.sh).
# Exit 77 (ctest: skipped) when neither SCTP nor the VM tool is available.
#
# usage: run_e2e.sh PATH/TO/m3ua_peer WORKDIR
set -u
PEER=$(readlink -f "${1:?usage: run_e2e.sh PATH/TO/m3ua_peer WORKDIR}")
WORK=${2:?usage: run_e2e.sh PATH/TO/m3ua_peer WORKDIR}
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
mkdir -p "$WORK" && WORK=$(readlink -f "$WORK")

if python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()' 2>/dev/null; then
	echo "run_e2e: this kernel has SCTP: running directly"
	exec bash "$HERE/run_m3ua_test.sh" "$PEER" "$WORK"
fi

# shellcheck source=find_vm.sh
source "$HERE/find_vm.sh"
find_sctp_vm run_e2e

echo "run_e2e: no SCTP in this kernel: running inside the VM ($VM)"
T0=$(date +%s.%N)
export M3UA_TEST_TRACE_CHECK=0
UML_ENV="${UML_ENV:-} M3UA_TEST_TRACE_CHECK M3UA_TEST_PORT_BASE M3UA_TEST_LOG_LEVEL M3UA_TEST_STP_LOG OSMO_STP" \
	"$VM" -t 170 -- bash "$HERE/run_m3ua_test.sh" "$PEER" "$WORK"
rc=$?
[ $rc = 0 ] || { echo "run_e2e: FAIL: the VM run exited with $rc"; exit 1; }
bash "$HERE/check_traces.sh" "$WORK" || exit 1
awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "run_e2e: PASS in %.1fs (VM boot included)\n", b-a}'

#!/bin/bash
# ctest entry of the exchange-sim end-to-end test: runs run_exsim_test.sh directly when this
# kernel has SCTP, else inside the SCTP VM (User-Mode Linux, ../shared/tools/sctp-vm/run
# next to the repository, or $SCTP_VM_RUN), then checks summaries and traces on the host
# (check_exsim_traces.sh: tshark is slow to start under UML). Reports the total time.
# Exit 77 (ctest: skipped) when neither SCTP nor the VM tool is available.
#
# usage: run_exsim_e2e.sh PATH/TO/siptgw WORKDIR
set -u
SIPTGW=$(readlink -f "${1:?usage: run_exsim_e2e.sh PATH/TO/siptgw WORKDIR}")
WORK=${2:?usage: run_exsim_e2e.sh PATH/TO/siptgw WORKDIR}
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
mkdir -p "$WORK" && WORK=$(readlink -f "$WORK")
T0=$(date +%s.%N)
total() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

if python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()' 2>/dev/null; then
	echo "run_exsim_e2e: this kernel has SCTP: running directly"
	EXSIM_TEST_TRACE_CHECK=0 bash "$HERE/run_exsim_test.sh" "$SIPTGW" "$WORK" || { echo "run_exsim_e2e: FAIL after $(total)s"; exit 1; }
else
	# shellcheck source=find_vm.sh
	source "$HERE/find_vm.sh"
	find_sctp_vm run_exsim_e2e
	echo "run_exsim_e2e: no SCTP in this kernel: running inside the VM ($VM)"
	export EXSIM_TEST_TRACE_CHECK=0
	UML_ENV="${UML_ENV:-} EXSIM_TEST_TRACE_CHECK EXSIM_TEST_PORT_BASE EXSIM_TEST_CALLS EXSIM_TEST_RESET_DELAY M3UA_TEST_STP_LOG OSMO_STP" \
		"$VM" -t 150 -- bash "$HERE/run_exsim_test.sh" "$SIPTGW" "$WORK"
	rc=$?
	[ $rc = 0 ] || { echo "run_exsim_e2e: FAIL: the VM run exited with $rc after $(total)s"; exit 1; }
fi
bash "$HERE/check_exsim_traces.sh" "$WORK" || { echo "run_exsim_e2e: FAIL after $(total)s"; exit 1; }
echo "run_exsim_e2e: PASS in $(total)s (VM boot included when used)"

#!/bin/bash
# ctest entry of the gateway's M3UA end-to-end cases (gw_e2e.py, cases m3ua_*): the live part
# (osmo-stp, `siptgw exchange-sim`, `siptgw run` with isup.link m3ua, SIPp) runs directly when
# this kernel has SCTP, else inside the SCTP VM (tests/m3ua/find_vm.sh); the ISUP trace is
# then checked with tshark on the host (tshark is slow to start under UML).
# Exit 77 (ctest: skipped) when neither SCTP nor the VM runner is available.
#
# usage: run_m3ua.sh PATH/TO/siptgw CASE WORKDIR PORT_BASE
set -u
SIPTGW=$(readlink -f "${1:?usage: run_m3ua.sh PATH/TO/siptgw CASE WORKDIR PORT_BASE}")
CASE=${2:?case} WORK=${3:?workdir} BASE=${4:?port base}
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
mkdir -p "$WORK" && WORK=$(readlink -f "$WORK")
PY=$(command -v python3)
args=(--siptgw "$SIPTGW" --case "$CASE" --work "$WORK" --port-base "$BASE")

if "$PY" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()' 2>/dev/null; then
	echo "run_m3ua: this kernel has SCTP: running directly"
	exec "$PY" "$HERE/gw_e2e.py" "${args[@]}"
fi
# shellcheck source=../../m3ua/find_vm.sh
source "$HERE/../../m3ua/find_vm.sh"
E2E=$HERE; HERE=$(cd "$E2E/../../m3ua" && pwd)  # find_vm.sh looks relative to tests/m3ua
find_sctp_vm run_m3ua
HERE=$E2E
echo "run_m3ua: no SCTP in this kernel: the live part runs inside the VM ($VM)"
UML_ENV="${UML_ENV:-} OSMO_STP" "$VM" -t 150 -- "$PY" "$HERE/gw_e2e.py" "${args[@]}" --phase live
rc=$?
case $rc in
	0|1) ;;  # gw_e2e.py's own verdict: live.json holds the failures
	77) exit 77 ;;
	*) echo "run_m3ua: FAIL: the VM run exited with $rc"; exit 1 ;;
esac
exec "$PY" "$HERE/gw_e2e.py" "${args[@]}" --phase check

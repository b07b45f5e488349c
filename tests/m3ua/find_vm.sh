# Host side of the M3UA e2e tests: find the SCTP VM runner. Sets VM, or exits 77 (ctest's
# skip code) when neither the kernel has SCTP nor a runner is found. Usage: find_sctp_vm NAME
find_sctp_vm() {
	VM=${SCTP_VM_RUN:-}
	if [ -z "$VM" ]; then
		for c in "$HERE/../../../shared/tools/sctp-vm/run" "$(command -v sctp-vm-run 2>/dev/null)"; do
			[ -n "$c" ] && [ -x "$c" ] && { VM=$c; break; }
		done
	fi
	if [ -z "$VM" ] || [ ! -x "$VM" ]; then
		echo "$1: SKIP: no SCTP in this kernel and no sctp-vm/run (set SCTP_VM_RUN)"
		exit 77
	fi
}

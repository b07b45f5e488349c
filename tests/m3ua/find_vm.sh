# Host side of the M3UA e2e tests: find the SCTP VM runner ($SCTP_VM_RUN, else
# ../shared/tools/sctp-vm/run beside this checkout or beside its origin, else sctp-vm-run on
# PATH). Sets VM, or exits 77 (ctest's skip code, which tests/run-all.sh reports as skipped,
# not passed) when neither the kernel has SCTP nor a runner is found. Usage: find_sctp_vm NAME
find_sctp_vm() {
	VM=${SCTP_VM_RUN:-}
	if [ -z "$VM" ]; then
		# Next to this checkout; next to the repository a clone was made from (a CI clone in
		# /tmp of /work/main still finds /work/shared); on PATH.
		local origin
		origin=$(git -C "$HERE" config --get remote.origin.url 2>/dev/null || true)
		case $origin in /*) ;; *) origin= ;; esac
		for c in "$HERE/../../../shared/tools/sctp-vm/run" \
			${origin:+"$origin/../shared/tools/sctp-vm/run"} \
			"$(command -v sctp-vm-run 2>/dev/null)"; do
			[ -n "$c" ] && [ -x "$c" ] && { VM=$c; break; }
		done
	fi
	if [ -z "$VM" ] || [ ! -x "$VM" ]; then
		echo "$1: SKIP: no SCTP in this kernel and no sctp-vm/run (set SCTP_VM_RUN)"
		exit 77
	fi
}

#!/bin/sh
# Gateway load figures (issue #5): throughput and CPU per call, INVITE→IAM transit delay,
# memory per active call — `siptgw run` with SIPp and the in-process exchange simulator.
# Figures only, never judged on time; exits 1 when calls failed, 77 when sipp/tshark are
# missing. Details and knobs: gateway_load.py.
#   usage: gateway_load.sh PATH/TO/siptgw [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/gateway_load.py" --siptgw "${1:?usage: gateway_load.sh PATH/TO/siptgw [WORKDIR]}" \
  --work "${2:-${TMPDIR:-/tmp}/siptgw-gateway-load}"

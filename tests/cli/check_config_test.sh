#!/usr/bin/env bash
# `siptgw check-config [FILE]`: exit 0 and one summary line for a valid configuration (the
# embedded demo, and config/demo.yaml as shipped); exit 1 and every error, one per line,
# as file:line: key.path: message.
set -u
bin=$1; dir=$(dirname "$0")/gateway; demo=$(dirname "$0")/../../config/demo.yaml
fails=0; checks=0
# file ('' = embedded demo), exit code, number of output lines, texts expected in the output
expect() {
  local file=$1 code=$2 lines=$3 out rc; shift 3
  if [ -n "$file" ]; then out=$("$bin" check-config "$file" 2>&1); rc=$?
  else out=$("$bin" check-config 2>&1); rc=$?; fi
  checks=$((checks + 1))
  local ok=1 n
  n=$(printf '%s\n' "$out" | wc -l)
  [ "$rc" -eq "$code" ] && [ "$n" -eq "$lines" ] || ok=0
  for want in "$@"; do [[ "$out" == *"$want"* ]] || { ok=0; echo "  missing: $want"; }; done
  if [ $ok -eq 1 ]; then echo "ok   - ${file:-embedded}: exit $rc"; else
    echo "FAIL - ${file:-embedded}: exit $rc (want $code), $n lines (want $lines):"; echo "$out"; fails=$((fails + 1)); fi
}
expect "" 0 1 "<embedded demo.yaml>: OK: node siptgw-demo: SIP udp 127.0.0.1:5060, tcp 127.0.0.1:5060" \
  "2 trunks (64 circuits)" "metrics 127.0.0.1:9464"
expect "$demo" 0 1 "demo.yaml: OK: node siptgw-demo"
expect "$dir/unknown_key.yaml" 1 1 "$dir/unknown_key.yaml:12: trunks[0].selction: unknown key"
expect "$dir/bad_refs.yaml" 1 3 \
  "$dir/bad_refs.yaml:7: sip.peers[0].profile: unknown profile 'sip-i' (known: rfc3398, 3gpp-29163, q1912.5)" \
  "$dir/bad_refs.yaml:13: trunks[1].cics[0]: CICs 20..40 overlap trunk 'A' (same DPC)" \
  "$dir/bad_refs.yaml:16: routes[1].trunk: no trunk named 'C'"
expect "$dir/bad_ranges.yaml" 1 3 \
  "$dir/bad_ranges.yaml:5: sip.timers.T2: 100 is outside" \
  "$dir/bad_ranges.yaml:11: call.t11_ms: 9000 is outside 15000..20000" \
  "$dir/bad_ranges.yaml:12: metrics.port: clashes with the SIP TCP listener 127.0.0.1:5060"
expect "$dir/syntax.yaml" 1 1 "$dir/syntax.yaml:3: "
expect "$dir/does_not_exist.yaml" 1 1 "$dir/does_not_exist.yaml: cannot read the file"
echo "$((checks - fails)) passed, $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# The test UA as UAC against SIPp's built-in UAS scenario (label e2e): SIPp answers
# (180, 200), the UA ACKs the 2xx and hangs up with BYE after 200 ms. Requires SIPp's exit
# code 0 with SuccessfulCall == COUNT and the UA's completed == COUNT, failed == 0.
#   usage: run_uac.sh UA_BINARY udp|tcp COUNT
set -eu
ua=$1 transport=$2 count=$3
command -v sipp >/dev/null || { echo "sipp not installed"; exit 77; }
tmp=$(mktemp -d)
port=$((20000 + $$ % 20000))
case $transport in udp) t=u1 ;; tcp) t=t1 ;; *) echo "bad transport"; exit 2 ;; esac
( cd "$tmp" && exec sipp -sn uas -t "$t" -i 127.0.0.1 -p "$port" -m "$count" -timeout 60s -timeout_error \
    -nostdin -trace_err -trace_stat -stf stat.csv >sipp.out 2>&1 ) &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$tmp"' EXIT
sleep 0.5
"$ua" --transport "$transport" --duration 60 --call "sip:service@127.0.0.1:$port" --dest "127.0.0.1:$port" \
  --calls "$count" --rate 20 --hangup-after 200 >"$tmp/ua.out" 2>"$tmp/ua.err" || true
rc=0
wait $spid || rc=$?
col() { awk -F';' -v name="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { print $c }' "$tmp/stat.csv" 2>/dev/null || true; }
ok=$(col 'SuccessfulCall(C)'); failed=$(col 'FailedCall(C)')
counters=$(grep '^COUNTERS' "$tmp/ua.out" || true)
got=$(echo "$counters" | tr ' ' '\n' | sed -n 's/^completed=//p')
uafailed=$(echo "$counters" | tr ' ' '\n' | sed -n 's/^failed=//p')
echo "sipp rc=$rc successful=$ok failed=$failed (want $count); UA completed=$got failed=$uafailed"
echo "$counters"
if grep -q 'Sanitizer\|runtime error' "$tmp/ua.err"; then rc=99; fi
if [ "$rc" -ne 0 ] || [ "$ok" != "$count" ] || [ "$failed" != 0 ] || [ "$got" != "$count" ] || [ "$uafailed" != 0 ]; then
  cat "$tmp"/*_errors.log 2>/dev/null | head -60 || true
  tail -30 "$tmp/sipp.out"
  cat "$tmp/ua.err"
  exit 1
fi

#!/bin/sh
# SIPp smoke test (label e2e): start the test UAS, send COUNT OPTIONS with SIPp over the
# given transport, require every call to succeed and the UAS to have seen exactly COUNT
# requests (retransmissions absorbed by its transactions).
#   usage: run_options.sh UAS_BINARY udp|tcp SCENARIO [COUNT]
set -eu
uas=$1 transport=$2 scenario=$3 count=${4:-20}
command -v sipp >/dev/null || { echo "sipp not installed"; exit 77; }
tmp=$(mktemp -d)
"$uas" "$transport" 30 >"$tmp/uas.out" 2>"$tmp/uas.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
i=0
while ! grep -q '^PORT ' "$tmp/uas.out" 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "UAS did not start"; cat "$tmp/uas.err"; exit 1; }
  sleep 0.05
done
port=$(sed -n 's/^PORT //p' "$tmp/uas.out")
case $transport in udp) t=u1 ;; tcp) t=t1 ;; *) echo "bad transport"; exit 2 ;; esac
rc=0
( cd "$tmp" && sipp -sf "$scenario" -t "$t" -i 127.0.0.1 -p 0 -m "$count" -r 50 -l 10 \
    -timeout 20s -timeout_error -nostdin -trace_err -trace_logs -trace_stat \
    "127.0.0.1:$port" >sipp.out 2>&1 ) || rc=$?
seen=$(grep -c '^REQ OPTIONS' "$tmp/uas.out" || true)
oks=$(cat "$tmp"/*_logs.log 2>/dev/null | grep -c '^ok siptgw-test-uas tag=uas[0-9]' || true)
echo "sipp rc=$rc; UAS saw $seen OPTIONS; $oks checked 200s (want $count)"
if [ "$rc" -ne 0 ] || [ "$seen" -ne "$count" ] || [ "$oks" -ne "$count" ]; then
  cat "$tmp"/*_errors.log 2>/dev/null | head -40 || true
  tail -20 "$tmp/sipp.out"
  exit 1
fi

#!/bin/sh
# UA CPU per call (issue #3): siptgw_test_ua answers SIPp basic calls (INVITE, 180, 200, ACK,
# BYE, 200; it rings at once, so it sends no 100 Trying, RFC 3261 §17.2.1) over UDP on
# loopback; the figure is the UA process's CPU time (utime+stime from /proc/PID/stat) over
# the run, divided by the completed calls, beside its wake-ups (voluntary context switches)
# per call. The UA's CPU is read after SETTLE seconds more so the transactions' cleanup
# timers (J, L: 64·T1 = 32 s) that every call ends with are counted too; "settle" is the
# part of the figure spent after the last call, that cleanup most of it.
# With FLOOR_UAS set (tests/bench/floor_uas), the same calls then go to that responder, which
# answers with no SIP stack at all (a line scan, one recvfrom and one sendto per datagram):
# its CPU per call is what the kernel and loopback cost for these datagrams on this machine,
# and the UA's figure minus it is what the UA's own code costs in the run (bench_sip's
# BM_UaBasicCall is the same stack work with warm caches, BM_UaBasicCallAfterWake with
# each request handled straight after a wake-up). Printed on further lines.
# Prints one line of figures per program; fails only when a call failed (never on time).
#   usage: sipp_ua_load.sh UA_BINARY [CALLS] [RATE]   env: SETTLE (s, default 34), SIPP_EXTRA,
#   FLOOR_UAS, UA_ARGS (more options for the UA; its line is named "ua UA_ARGS")
#   callgrind: UA_WRAP="valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out" (slow:
#   use a low RATE)
set -eu
ua=$1 calls=${2:-20000} rate=${3:-1000} settle=${SETTLE:-34}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../sip/sipp/sipp_lib.sh"  # scratch dir, start_ua (waits for PORT), cleanup on exit
tmp=$TMP
hz=$(getconf CLK_TCK)
# The machine's contention over the run (a shared VM's figures move with it): hypervisor
# steal in clock ticks (/proc/stat) and the time some task waited for a CPU (PSI, in us).
steal() { awk 'NR == 1 { print $9 }' /proc/stat; }
stall() { sed -n 's/^some .*total=//p' /proc/pressure/cpu 2>/dev/null || echo 0; }
# utime+stime in clock ticks: fields 14 and 15 after the ")" that ends the command name.
cpu() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'; }
# Voluntary context switches of all the process's threads: each is a sleep, so one wake-up.
sleeps() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'; }
col() { awk -F';' -v name="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { print $c }' "$tmp/stat.csv" 2>/dev/null || true; }

# run NAME SETTLE PROGRAM...: starts PROGRAM (it prints "PORT n"), sends it the calls, waits
# SETTLE s, stops it and prints NAME's line of figures; sets ok, failed, rc and cpu_us.
run() {
  label=$1 name=${1%% *} wait_s=$2  # files are named by NAME's first word
  shift 2
  rm -f "$tmp/stat.csv"
  start_ua "$tmp/$name.out" "$@"
  pid=$UA_PID port=$UA_PORT
  cpu0=$(cpu "$pid") steal0=$(steal) stall0=$(stall) sleeps0=$(sleeps "$pid")
  t0=$(date +%s.%N)
  rc=0
  # shellcheck disable=SC2086
  ( cd "$tmp" && sipp -sf "$here/sipp_ua_load.xml" -t u1 -i 127.0.0.1 -p 0 -m "$calls" -r "$rate" \
      -l $((rate * 2)) -timeout $((calls / rate + 120))s -timeout_error -recv_timeout 30s -nostdin \
      -trace_stat -stf stat.csv ${SIPP_EXTRA:-} "127.0.0.1:$port" >"$name.sipp.out" 2>&1 ) || rc=$?
  t1=$(date +%s.%N)
  steal1=$(steal) stall1=$(stall) cpum=$(cpu "$pid")
  sleep "$wait_s"
  cpu1=$(cpu "$pid") sleeps1=$(sleeps "$pid")
  rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
  stop_ua "$pid"
  ok=$(col 'SuccessfulCall(C)'); failed=$(col 'FailedCall(C)')
  ok=${ok:-0}; failed=${failed:-unknown}
  # The settle's share: the CPU after SIPp's last call, mostly the calls' cleanup (Timer J/L).
  settle_us=$(echo $cpum $cpu1 | awk -v ok="$ok" -v hz="$hz" \
      '{ printf "%.1f", (($3 - $1) + ($4 - $2)) * 1e6 / hz / (ok > 0 ? ok : 1) }')
  set -- $cpu0 $cpu1
  cpu_us=$(awk -v ok="$ok" -v u0="$1" -v s0="$2" -v u1="$3" -v s1="$4" -v hz="$hz" \
      'BEGIN { printf "%.1f", ((u1 - u0) + (s1 - s0)) * 1e6 / hz / (ok > 0 ? ok : 1) }')
  awk -v name="$label" -v ok="$ok" -v failed="$failed" -v t0="$t0" -v t1="$t1" -v u0="$1" -v s0="$2" \
      -v u1="$3" -v s1="$4" -v hz="$hz" -v rss="$rss" -v rate="$rate" -v cpu_us="$cpu_us" \
      -v ncpu="$(nproc)" -v steal="$((steal1 - steal0))" -v stall="$((${stall1:-0} - ${stall0:-0}))" \
      -v sleeps="$((sleeps1 - sleeps0))" -v settle_us="$settle_us" 'BEGIN {
    n = ok > 0 ? ok : 1
    printf "sipp_ua_load: %s calls=%d failed=%s rate=%d calls_per_s=%.0f cpu_us_per_call=%s (user %.1f sys %.1f; settle %s) wakeups_per_call=%.2f max_rss_kb=%d machine_steal_pct=%.1f cpu_wait_pct=%.0f\n",
      name, ok, failed, rate, ok / (t1 - t0), cpu_us, (u1 - u0) * 1e6 / hz / n, (s1 - s0) * 1e6 / hz / n, settle_us,
      sleeps / n, rss, 100 * steal / hz / (t1 - t0) / ncpu, 100 * stall / 1e6 / (t1 - t0) }'
}

# shellcheck disable=SC2086
run "ua${UA_ARGS:+ $UA_ARGS}" "$settle" ${UA_WRAP:-} "$ua" --transport udp --ring 180 --duration $((calls / rate + settle + 120)) ${UA_ARGS:-}
# No COUNTERS line (the UA died) leaves uafailed empty, which fails the run below; ua_value
# alone would read that as 0 failed.
uafailed=
grep -q '^COUNTERS' "$tmp/ua.out" && uafailed=$(ua_value "$tmp/ua.out" failed)
ua_cpu=$cpu_us
if [ "$rc" -ne 0 ] || [ "$ok" != "$calls" ] || [ "$failed" != 0 ] || [ "${uafailed:-1}" != 0 ]; then
  echo "sipp_ua_load: FAILED (sipp rc=$rc, UA failed=${uafailed:-?})"
  tail -20 "$tmp/ua.sipp.out"
  cat "$tmp/ua.out.err"
  exit 1
fi
[ -n "${FLOOR_UAS:-}" ] || exit 0
# Nothing is left pending in the floor responder once the calls are done: no settle.
run floor_uas 1 "$FLOOR_UAS" 0
if [ "$rc" -ne 0 ] || [ "$ok" != "$calls" ] || [ "$failed" != 0 ]; then
  echo "sipp_ua_load: floor_uas FAILED (sipp rc=$rc)"
  tail -20 "$tmp/floor_uas.sipp.out"
  exit 1
fi
awk -v ua="$ua_cpu" -v fl="$cpu_us" 'BEGIN { printf "sipp_ua_load: ua minus floor_uas (the UA'"'"'s own code in the run, per call) %.1f us\n", ua - fl }'

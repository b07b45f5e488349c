# Shared by the SIP e2e scripts (run_call.sh, run_uac.sh, run_options.sh, run_ua_pair.sh):
# a scratch directory removed on exit with every process started here, starting a UA and
# waiting for its "PORT n" line, SIPp's statistics, exact checks of the UA's printed
# counters (COUNTERS / MSGS lines of siptgw_test_ua) and the failure report.
# POSIX sh; source it after `set -eu`.

command -v sipp >/dev/null || { echo "sipp not installed"; exit 77; }
TMP=$(mktemp -d)
PIDS=""
FAILS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# start_ua OUT PROGRAM ARGS...: runs PROGRAM in the background (stdout OUT, stderr OUT.err)
# and waits for its "PORT n" line; sets UA_PID and UA_PORT.
start_ua() {
  _out=$1
  shift
  "$@" >"$_out" 2>"$_out.err" &
  UA_PID=$!
  PIDS="$PIDS $UA_PID"
  _i=0
  while ! grep -q '^PORT ' "$_out" 2>/dev/null; do
    _i=$((_i + 1))
    if [ $_i -ge 100 ] || ! kill -0 "$UA_PID" 2>/dev/null; then
      echo "UA did not start: $*"; cat "$_out.err"; exit 1
    fi
    sleep 0.05
  done
  UA_PORT=$(sed -n 's/^PORT //p' "$_out")
}

# stop_ua PID: SIGTERM (the UA prints its counters on the way out) and wait.
stop_ua() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# sipp_transport udp|tcp: SIPp's -t value (Debian's SIPp is built without OpenSSL: no TLS).
sipp_transport() {
  case $1 in
    udp) echo u1 ;;
    tcp) echo t1 ;;
    *) echo "SIPp cannot do transport $1" >&2; exit 2 ;;
  esac
}

# stat_col NAME: NAME's column (e.g. "SuccessfulCall(C)") in the last line of $TMP/stat.csv.
stat_col() {
  awk -F';' -v name="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { if (c) print $c }' \
    "$TMP/stat.csv" 2>/dev/null || true
}

# ua_value FILE NAME: NAME's value on the COUNTERS / MSGS lines of a UA's output; 0 if absent
# (the MSGS rx_* counts are printed only when non-zero).
ua_value() {
  _v=$(grep '^COUNTERS\|^MSGS' "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1)
  echo "${_v:-0}"
}

# check WHAT GOT WANT: records a mismatch for finish.
check() {
  [ "$2" = "$3" ] || FAILS="$FAILS $1=$2(want $3)"
}

# check_ua FILE "name=value ...": exact checks of a UA's counters.
check_ua() {
  for _kv in $2; do
    check "$(basename "$1" .out):${_kv%%=*}" "$(ua_value "$1" "${_kv%%=*}")" "${_kv#*=}"
  done
}

# check_sipp RC COUNT: SIPp's exit code 0, SuccessfulCall == COUNT and FailedCall == 0.
check_sipp() {
  check sipp_rc "$1" 0
  check sipp_successful "$(stat_col 'SuccessfulCall(C)')" "$2"
  check sipp_failed "$(stat_col 'FailedCall(C)')" 0
}

# finish UA_OUT...: prints the UAs' counters; on any recorded mismatch (or a sanitizer
# report) prints SIPp's errors and the logs, and exits 1.
finish() {
  for _f in "$@"; do
    grep -q 'Sanitizer\|runtime error' "$_f.err" 2>/dev/null && FAILS="$FAILS sanitizer:$_f"
    echo "$(basename "$_f" .out): $(grep '^COUNTERS\|^MSGS' "$_f" | tr '\n' ' ')"
  done
  if [ -n "$FAILS" ]; then
    echo "FAILED:$FAILS"
    cat "$TMP"/*_errors.log 2>/dev/null | head -60 || true
    tail -30 "$TMP/sipp.out" 2>/dev/null || true
    for _f in "$@"; do cat "$_f.err"; done
    exit 1
  fi
  echo "ok"
}

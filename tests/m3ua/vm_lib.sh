# Shared by the M3UA e2e scripts run inside the SCTP VM (run_m3ua_test.sh,
# run_exsim_test.sh): process cleanup, failure reports, fork-free waiting (fork+exec costs
# tens of ms inside UML), and starting osmo-stp. Source it after setting WORK (the current
# directory), T_START, OSMO_STP and FAIL_LOGS (files whose tails a failure prints).

PIDS=()
STP_PID=
cleanup() {
	for p in ${STP_PID:+$STP_PID} ${PIDS[@]+"${PIDS[@]}"}; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	for f in "${FAIL_LOGS[@]}"; do
		[ -e "$f" ] && { echo "----- $f (last 25 lines)"; tail -n 25 "$f"; }
	done
	exit 1
}
elapsed() { awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
log() { echo "[$(elapsed)s] $*"; }

# nap SECONDS: sleep without forking
NAPFIFO=$WORK/.nap; rm -f "$NAPFIFO"; mkfifo "$NAPFIFO"; exec 9<>"$NAPFIFO"
nap() { read -r -t "$1" -u 9 _ 2>/dev/null || true; }
# count_lines FILE REGEX: lines of FILE matching the bash regex (no fork either)
count_lines() {
	local n=0 line
	[ -e "$1" ] || { echo 0; return; }
	while IFS= read -r line || [ -n "$line" ]; do [[ $line =~ $2 ]] && ((n++)); done < "$1"
	echo "$n"
}
# wait_for FILE REGEX COUNT SECONDS: until FILE holds COUNT lines matching REGEX
wait_for() {
	local file=$1 pat=$2 count=$3 secs=$4 deadline n
	deadline=$((SECONDS + secs))
	while :; do
		count_lines "$file" "$pat" > "$WORK/.count"; read -r n < "$WORK/.count"
		[ "$n" -ge "$count" ] && return 0
		[ "$SECONDS" -ge "$deadline" ] && fail "$file: no $count x '$pat' within ${secs}s"
		nap 0.05
	done
}

# start_stp LOGFILE: osmo-stp with ./osmo-stp.cfg, returns once it listens. It binds the
# M3UA listener while reading the config, before it announces its VTY (port 4239: 1.6
# takes that port from no config), so the announcement means "listening".
start_stp() {
	"$OSMO_STP" -c osmo-stp.cfg > "$1" 2>&1 &
	STP_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(count_lines "$1" "Available via telnet")" -gt 0 ] && return 0
		kill -0 "$STP_PID" 2>/dev/null || fail "osmo-stp exited (see $1)"
		nap 0.05
	done
	fail "osmo-stp did not come up"
}

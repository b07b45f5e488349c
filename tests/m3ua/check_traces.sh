#!/bin/bash
# Checks the traces of an M3UA end-to-end run (run_m3ua_test.sh's WORKDIR) with tshark as
# the independent decoder: each peer's MTP3 pcap must decode, without malformed frames or
# error-level expert infos, to exactly the messages (OPC, ISUP message type, CIC, in order)
# the peer logged as sent and received; and in the checked rounds (CIC < 900) what one
# peer sent is what the other received, in order.
#
# usage: check_traces.sh WORKDIR      env: TSHARK
# Separate from the network part so that a run inside the SCTP VM can leave it to the host
# (tshark takes seconds to start under User-Mode Linux).
set -u
WORK=${1:?usage: check_traces.sh WORKDIR}
TSHARK=${TSHARK:-tshark}
cd "$WORK" || exit 1
command -v "$TSHARK" >/dev/null || { echo "FAIL: tshark not found"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

for p in a b; do
	[ -s "$p.msgs" ] || fail "$p logged no messages"
	"$TSHARK" -n -r "$p.pcap" -T fields -E separator='|' -e mtp3.opc -e isup.message_type -e isup.cic \
		-e _ws.malformed -e _ws.expert.severity > "$p.tshark" 2> "$p.tshark.err" ||
		fail "tshark cannot read $p.pcap: $(cat "$p.tshark.err")"
	# "opc type cic" in decimal (whatever base tshark prints); malformed / error-level
	# (PI_ERROR = 0x00800000) expert infos fail
	awk -F'|' '
	function num(s,   v, i) {  # decimal or 0x-hex (mawk has no strtonum)
		if (s !~ /^0[xX]/) return s + 0
		v = 0
		for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
		return v
	}
	{
		if ($4 != "") { print "malformed frame " NR > "/dev/stderr"; bad = 1 }
		n = split($5, sev, ",")
		for (i = 1; i <= n; i++) if (sev[i] + 0 >= 8388608) { print "error-level expert info in frame " NR > "/dev/stderr"; bad = 1 }
		printf "%d %d %d\n", num($1), num($2), num($3)
	} END { exit bad }' "$p.tshark" > "$p.tshark.dec" || fail "$p.pcap has malformed frames"
	awk '{print $2, $3, $4}' "$p.msgs" > "$p.msgs.dec"
	cmp -s "$p.msgs.dec" "$p.tshark.dec" ||
		{ diff "$p.msgs.dec" "$p.tshark.dec" | head; fail "$p.pcap decodes differently from $p.msgs"; }
done
awk '$1=="TX" && $4 < 900 {print $3, $4}' a.msgs > a.tx; awk '$1=="RX" && $4 < 900 {print $3, $4}' b.msgs > b.rx
awk '$1=="TX" && $4 < 900 {print $3, $4}' b.msgs > b.tx; awk '$1=="RX" && $4 < 900 {print $3, $4}' a.msgs > a.rx
cmp -s a.tx b.rx || fail "b did not receive what a sent in the rounds"
cmp -s b.tx a.rx || fail "a did not receive what b sent in the rounds"
[ "$(wc -l < a.tx)" = 8 ] && [ "$(wc -l < a.rx)" = 10 ] || fail "unexpected round message counts"
echo "traces OK: tshark decodes $(wc -l < a.msgs) + $(wc -l < b.msgs) records to what the peers sent/received"

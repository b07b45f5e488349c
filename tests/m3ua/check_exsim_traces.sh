#!/bin/bash
# Checks an exchange-sim end-to-end run (run_exsim_test.sh's WORKDIR) from both sides: the
# JSON summaries (a.json, b.json) and, with tshark as the independent decoder, the MTP3
# pcaps (a.pcap, b.pcap):
#   - every frame decodes (no malformed frame, no error-level expert info), and the message
#     counts by type in each pcap equal the summary's messages in + out;
#   - calls complete: IAM, ACM, ANM, REL, RLC in both traces; a busy rule gives REL cause
#     17 from b; a ring rule gives CPG;
#   - GRS/GRA at start and again after the STP restart: each side sent >= 2 GRS and got
#     >= 2 GRA; CGB/CGBA and CGU/CGUA with the acknowledgement's range and status equal to
#     the request's;
#   - both saw MTP-PAUSE once and MTP-RESUME twice; a attempted no call between PAUSE and
#     RESUME; calls were answered after the RESUME.
# usage: check_exsim_traces.sh WORKDIR      env: TSHARK
set -u
WORK=${1:?usage: check_exsim_traces.sh WORKDIR}
TSHARK=${TSHARK:-tshark}
cd "$WORK" || exit 1
command -v "$TSHARK" >/dev/null || { echo "FAIL: tshark not found"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 not found"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

for p in a b; do
	[ -s "$p.pcap" ] || fail "$p.pcap missing or empty"
	[ -s "$p.json" ] || fail "$p.json missing or empty"
	"$TSHARK" -n -r "$p.pcap" -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
		-e mtp3.opc -e isup.message_type -e isup.cic -e isup.cause_indicator -e isup.range_indicator \
		-e isup.bitbucket -e _ws.malformed -e _ws.expert.severity > "$p.tshark" 2> "$p.tshark.err" ||
		fail "tshark cannot read $p.pcap: $(cat "$p.tshark.err")"
done

python3 - <<'PY' || exit 1
import json, sys

ITU = {"IAM": 1, "SAM": 2, "COT": 5, "ACM": 6, "CON": 7, "ANM": 9, "REL": 12, "RLC": 16, "RSC": 18,
       "BLO": 19, "UBL": 20, "BLA": 21, "UBA": 22, "GRS": 23, "CGB": 24, "CGU": 25, "CGBA": 26,
       "CGUA": 27, "GRA": 41, "CQM": 42, "CQR": 43, "CPG": 44, "UCIC": 46, "CFN": 47}
NAME = {v: k for k, v in ITU.items()}
PC = {"a": 186, "b": 187}  # 0.23.2, 0.23.3
bad = []

def num(s):
    return int(s, 0) if s else None

def frames(p):
    out = []
    for n, line in enumerate(open(p + ".tshark"), 1):
        f = line.rstrip("\n").split("|")
        if f[6]:
            bad.append(f"{p}.pcap frame {n}: malformed")
        if any(int(x, 0) >= 0x800000 for x in f[7].split(",") if x):
            bad.append(f"{p}.pcap frame {n}: error-level expert info")
        out.append({"opc": num(f[0]), "type": num(f[1]), "cic": num(f[2]),
                    "cause": num(f[3].split(",")[0]) if f[3] else None,
                    "range": num(f[4]), "status": f[5]})
    return out

def check(cond, what):
    if not cond:
        bad.append(what)

for p, q in (("a", "b"), ("b", "a")):
    s = json.load(open(p + ".json"))
    fr = frames(p)
    own, peer = PC[p], PC[q]
    tx = [f for f in fr if f["opc"] == own]
    rx = [f for f in fr if f["opc"] == peer]
    # pcap vs summary, message type by message type
    for direction, lst in (("out", tx), ("in", rx)):
        counted = {}
        for f in lst:
            counted[NAME.get(f["type"], hex(f["type"]))] = counted.get(NAME.get(f["type"], hex(f["type"])), 0) + 1
        check(counted == s["messages"][direction],
              f"{p}: pcap {direction} {counted} != summary {s['messages'][direction]}")
    types = {f["type"] for f in fr}
    for t in ("IAM", "ACM", "ANM", "REL", "RLC", "CPG", "GRS", "GRA"):
        check(ITU[t] in types, f"{p}.pcap: no {t}")
    check(sum(1 for f in tx if f["type"] == ITU["GRS"]) >= 2, f"{p}: fewer than 2 GRS sent (start + after RESUME)")
    check(sum(1 for f in rx if f["type"] == ITU["GRA"]) >= 2, f"{p}: fewer than 2 GRA received")
    check(sum(1 for f in rx if f["type"] == ITU["GRS"]) >= 2, f"{p}: fewer than 2 GRS received")
    check(sum(1 for f in tx if f["type"] == ITU["GRA"]) >= 2, f"{p}: fewer than 2 GRA sent")
    m = s["mtp"]
    check(m["pauses"] == 1 and m["resumes"] == 2, f"{p}: pauses/resumes {m['pauses']}/{m['resumes']}, want 1/2")
    check(s["expect"]["ok"], f"{p}: expectations failed: {s['expect']['failures']}")
    check(s["stack"]["unexpected"] == 0 and s["stack"]["decode_errors"] == 0, f"{p}: unexpected/undecodable messages")

# b's busy rule: REL cause 17 from b, seen by both
for p in ("a", "b"):
    fr = frames(p)
    check(any(f["opc"] == PC["b"] and f["type"] == ITU["REL"] and f["cause"] == 17 for f in fr),
          f"{p}.pcap: no REL cause 17 from b")
# CGB/CGU from a: the acknowledgement mirrors range and status, in both traces
for p in ("a", "b"):
    fr = frames(p)
    for req, ack in (("CGB", "CGBA"), ("CGU", "CGUA")):
        r = [f for f in fr if f["opc"] == PC["a"] and f["type"] == ITU[req]]
        k = [f for f in fr if f["opc"] == PC["b"] and f["type"] == ITU[ack]]
        check(len(r) == 1 and len(k) == 1, f"{p}.pcap: {len(r)} {req} / {len(k)} {ack}, want 1/1")
        if r and k:
            check((r[0]["cic"], r[0]["range"], r[0]["status"]) == (k[0]["cic"], k[0]["range"], k[0]["status"]),
                  f"{p}.pcap: {ack} {k[0]} does not mirror {req} {r[0]}")
# a placed no call while paused, and calls completed after the RESUME
a = json.load(open("a.json"))
ev = a["events"]
pause = next((e for e in ev if e["event"].startswith("PAUSE")), None)
resumes = [e for e in ev if e["event"].startswith("RESUME")]
check(pause is not None and len(resumes) == 2, "a: no PAUSE / second RESUME event")
if pause and len(resumes) == 2:
    check(pause["attempted"] == resumes[1]["attempted"],
          f"a: calls attempted while paused ({pause['attempted']} at PAUSE, {resumes[1]['attempted']} at RESUME)")
    check(pause["in_progress"] > 0, "a: no call in progress when the STP went away")
    check(a["calls"]["answered"] > resumes[1]["answered"], "a: no call answered after the RESUME")
    check(a["calls"]["held_ticks"] > 0, "a: the plan did not tick while held")

if bad:
    print("\n".join("FAIL: " + b for b in bad))
    sys.exit(1)
print(f"traces OK: a {a['calls']['attempted']} attempted / {a['calls']['answered']} answered, "
      f"released by cause {a['calls']['released_by_cause']}; pcaps decode to the summaries' message counts")
PY

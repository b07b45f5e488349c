#!/usr/bin/env python3
"""Gateway load figures (issue #5 "Figures to report"), run by gateway_load.sh. Figures only:
nothing is judged on time; the run fails only when calls fail (SIPp FailedCall > 0 or fewer
successful calls than placed) or the gateway misbehaves (no READY, no STATS, crash).

`siptgw run` on a generated config (tests/gateway/e2e/gw_e2e.py's helpers): one trunk of
CIC 1..CICS towards the in-process exchange simulator, which answers "4420..." after a short
ring (ACM 10 ms, ANM 30 ms); SIPp (tests/gateway/e2e/scenarios/uac_call.xml) is the caller
and hangs up.

  1. throughput  CALLS calls at RATE calls/s, SIPp hangs up right after the ACK: calls/s
                 achieved, gateway CPU µs per call (utime+stime of /proc/PID/stat over the
                 phase ÷ completed calls), SIPp failed calls; then the same with the 35 s
                 after the run, when the calls' transactions end (Timer J/L): the whole life;
                 after the memory's second run, its CPU per call as a second sample. Each line
                 says how busy the machine was and the hypervisor's steal: on a shared VM the
                 figure moves with the neighbours.
  2. transit     INVITE → IAM delay p50/p99: from the siptgw_transit_delay_seconds histogram
                 (bucket interpolation), and, when tshark may capture on `lo`, from the
                 timestamps of each INVITE on the wire and its IAM in the gateway's MTP3 pcap
                 (matched by a per-call called number).
  3. memory      first, on the fresh process: HOLD calls held open at once (SIPp waits
                 before its BYE): VmRSS with them up minus VmRSS of the idle process (circuits
                 reset), per 1,000 calls and per call. Then RSS after the throughput run and
                 after a second equal run 35 s later (retained memory per completed call).
  4. ceiling     after the throughput runs, the rate stepped up (GW_LOAD_CEILING, default
                 2000..10000/s, 8 s each) until calls fail or the achieved rate falls short:
                 the highest rate sustained with zero failures and the CPU per call at each.
Goals reported against: <= 60 µs gateway CPU per basic call, <= 4 KiB per active call.

usage: gateway_load.py --siptgw PATH [--work DIR] [--calls N] [--rate R] [--hold N]
       [--port-base P] [--ceiling-rates R1,R2..] [--ceiling-s S]
       env: GW_LOAD_CALLS, GW_LOAD_RATE, GW_LOAD_HOLD, GW_LOAD_CEILING
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway", "e2e"))
import gw_e2e as e2e  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of proc(5))


def cpu_us_per_call(ticks0, ticks1, calls):
    """Process CPU between two cpu_ticks readings, in microseconds per call."""
    return (ticks1 - ticks0) * 1e6 / CLK_TCK / max(calls, 1)


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def machine_ticks():
    """(time, hypervisor steal in clock ticks from /proc/stat, CPU pressure stall in us)."""
    with open("/proc/stat") as f:
        steal = int(f.readline().split()[8])
    stall = 0
    try:
        with open("/proc/pressure/cpu") as f:
            stall = int(f.readline().rsplit("total=", 1)[1])
    except (OSError, IndexError, ValueError):
        pass
    return time.time(), steal, stall


def machine_note(m0, m1):
    """How contended the machine was between two machine_ticks() readings: on a shared VM the
    CPU figures move with the neighbours (steal: the hypervisor gave the CPUs to someone else)
    and with our own processes queueing for the CPUs (PSI "some": a task waited to run).
    (The busy/idle columns of /proc/stat are not used: with a tickless kernel they miss
    short bursts of work almost entirely.)"""
    secs = max(m1[0] - m0[0], 1e-9)
    steal = 100 * (m1[1] - m0[1]) / CLK_TCK / secs / (os.cpu_count() or 1)
    stall = 100 * (m1[2] - m0[2]) / 1e6 / secs
    return f"machine: steal {steal:.1f}% of its {os.cpu_count()} CPUs, some task waiting for a CPU {stall:.0f}% of the time"


def load_case(cics):
    return dict(rules=[e2e.rule("4420", ring_ms=10, answer_ms=30)], plans=[], timers={}, t11_ms=15000,
             link="simulator", slow=False)


SIPP_PROCS = []  # killed on the way out, whatever happened


def run_sipp(ports, work, tag, calls, rate, limit, hold_ms, called):
    run = e2e.uac("uac_call.xml", called, calls=calls, HOLD_MS=hold_ms)
    run["values"]["CALLED"] = "+" + called
    run.update(rate=rate, limit=limit)
    p = e2e.start_sipp(run, ports, work, tag, timeout_s=max(120, calls // max(rate, 1) + hold_ms // 1000 + 60))
    SIPP_PROCS.append(p)
    return p, run


def sipp_result(p, work, tag, calls):
    rc = p.wait()
    st = e2e.sipp_csv(os.path.join(work, f"{tag}.csv"))
    ok, failed = int(st.get("SuccessfulCall(C)", 0)), int(st.get("FailedCall(C)", 0))
    return rc, ok, failed


def percentile(sorted_vals, q):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, max(0, int(round(q * (len(sorted_vals) - 1)))))
    return sorted_vals[i]


def histogram_quantiles(series, name, qs):
    """Quantiles from a Prometheus histogram (linear inside a bucket, as histogram_quantile())."""
    buckets = sorted(((float(l["le"]), v) for n, l, v in series
                      if n == name + "_bucket" and "le" in l and l.get("direction", "sip_to_isup") == "sip_to_isup"),
                     key=lambda b: b[0])
    # sum over label sets with the same le
    merged = {}
    for le, v in buckets:
        merged[le] = merged.get(le, 0) + v
    buckets = sorted(merged.items())
    if not buckets or buckets[-1][1] == 0:
        return None, 0
    total = buckets[-1][1]
    if buckets[0][1] >= total:  # everything in the first bucket: interpolation would invent figures
        return [f"< {buckets[0][0] * 1e6:.0f} us (every sample in the first bucket)"] * len(qs), int(total)
    out = []
    for q in qs:
        rank = q * total
        prev_le, prev_c = 0.0, 0.0
        for le, c in buckets:
            if c >= rank:
                if le == float("inf"):
                    out.append(prev_le)
                else:
                    out.append(prev_le + (le - prev_le) * ((rank - prev_c) / (c - prev_c) if c > prev_c else 1))
                break
            prev_le, prev_c = le, c
    return out, int(total)


def wire_transit(work, sip_pcap, isup_pcap, sip_port):
    """INVITE (first transmission on lo) → IAM (gateway's MTP3 pcap), matched by called number."""
    inv = subprocess.run(["tshark", "-n", "-r", sip_pcap, "-d", f"udp.port=={sip_port},sip", "-Y",
                          f'sip.Method == "INVITE" && udp.dstport == {sip_port}', "-T", "fields",
                          "-e", "frame.time_epoch", "-e", "sip.r-uri.user"], capture_output=True, text=True)
    iam = subprocess.run(["tshark", "-n", "-r", isup_pcap, "-Y", "isup.message_type == 1", "-T", "fields",
                          "-e", "frame.time_epoch", "-e", "isup.called"], capture_output=True, text=True)
    first = {}
    for line in inv.stdout.splitlines():
        t, user = (line.split("\t") + [""])[:2]
        digits = user.lstrip("+")
        if digits and digits not in first:
            first[digits] = float(t)
    delays = []
    for line in iam.stdout.splitlines():
        t, called = (line.split("\t") + [""])[:2]
        if called in first:
            delays.append(float(t) - first.pop(called))
    return sorted(delays)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--siptgw", required=True)
    ap.add_argument("--work", default="/tmp/siptgw-gateway-load")
    ap.add_argument("--calls", type=int, default=int(os.environ.get("GW_LOAD_CALLS", 20000)))
    ap.add_argument("--rate", type=int, default=int(os.environ.get("GW_LOAD_RATE", 400)))
    ap.add_argument("--hold", type=int, default=int(os.environ.get("GW_LOAD_HOLD", 2000)))
    ap.add_argument("--transit-calls", type=int, default=2000)
    ap.add_argument("--ceiling-rates", type=lambda v: [int(x) for x in v.split(",") if x],
                    default=os.environ.get("GW_LOAD_CEILING", "2000,4000,6000,8000,10000"),
                    help="rates tried in turn for the sustained-rate ceiling (empty: skip)")
    ap.add_argument("--ceiling-s", type=int, default=8, help="seconds of calls per ceiling step")
    ap.add_argument("--port-base", type=int, default=27000)
    a = ap.parse_args()
    for tool in ("sipp", "tshark"):
        if not shutil.which(tool):
            print(f"gateway_load: SKIP: {tool} not installed")
            return 77
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    ports = e2e.ports_of(a.port_base)
    for what, p in ports.items():
        if not e2e.port_free(p):
            print(f"gateway_load: FAIL: port {p} ({what}) in use")
            return 1
    cics = max(64, min(4095, a.hold + 100))
    failures = []

    def start(tag, pcap):
        d = os.path.join(work, tag)
        os.makedirs(d)
        cfg = os.path.join(d, "gateway.yaml")
        text = e2e.gateway_config(load_case(cics), ports, d, cics=cics, pcap=pcap)
        with open(cfg, "w") as f:
            f.write(text.replace("log: {level: info}", "log: {level: warn}"))
        gw = e2e.Gateway(os.path.abspath(a.siptgw), cfg, d)
        time.sleep(2.0)  # GRS/GRA of every circuit
        return gw, d

    # Run 1, no MTP3 trace: memory (fresh process), then throughput and CPU.
    gw, d = start("load", pcap=False)
    pid = gw.pid()
    try:
        rss_idle = rss_bytes(pid)  # fresh process, circuits reset: the baseline
        hold_s = a.hold // min(a.rate, 400) + 45  # ramp, then 40 s with every call up
        p, _ = run_sipp(ports, d, "hold", a.hold, min(a.rate, 400), a.hold + 10, hold_s * 1000, "44202")
        deadline = time.time() + hold_s + 30
        active, rss_active, rss_steady = 0, 0, 0
        while time.time() < deadline and p.poll() is None:
            _, series = e2e.scrape(ports["metrics"])
            active = e2e.metric_sum(series, "siptgw_calls_active", ()) or 0
            if active >= a.hold:
                time.sleep(1.5)  # the last ones ACKed; their transactions' state (RFC 6026 Timer L) counts
                rss_active = rss_bytes(pid)
                time.sleep(33)   # Timer L (64*T1) over: only the dialogs and calls remain
                rss_steady = rss_bytes(pid)
                break
            time.sleep(0.5)
        rc, ok, failed = sipp_result(p, d, "hold", a.hold)
        if rc != 0 or failed or ok != a.hold:
            failures.append(f"hold: SIPp rc={rc} successful={ok} failed={failed} of {a.hold}")
        if rss_active:
            per = (rss_active - rss_idle) / a.hold
            steady = (rss_steady - rss_idle) / a.hold
            print(f"memory: RSS idle {rss_idle / 1048576:.1f} MiB, "
                  f"with {a.hold} active calls {rss_active / 1048576:.1f} MiB: {per * 1000 / 1024:.0f} KiB per 1,000 "
                  f"active calls = {per / 1024:.2f} KiB per call (goal <= 4); 33 s later (setup transactions "
                  f"gone) {rss_steady / 1048576:.1f} MiB = {steady / 1024:.2f} KiB per call")
        else:
            failures.append(f"memory: siptgw_calls_active never reached {a.hold} (last {active})")
        t0, c0, m0 = time.time(), cpu_ticks(pid), machine_ticks()
        p, _ = run_sipp(ports, d, "load", a.calls, a.rate, 1000, 0, "44201")
        rc, ok, failed = sipp_result(p, d, "load", a.calls)
        t1, c1, m1 = time.time(), cpu_ticks(pid), machine_ticks()
        if rc != 0 or failed or ok != a.calls:
            failures.append(f"throughput: SIPp rc={rc} successful={ok} failed={failed} of {a.calls}")
        cpu_us = cpu_us_per_call(c0, c1, ok)
        print(f"throughput: {ok}/{a.calls} calls in {t1 - t0:.1f} s = {ok / (t1 - t0):.0f} calls/s "
              f"(SIPp rate {a.rate}/s), SIPp failed {failed}, gateway CPU {cpu_us:.1f} us/call "
              f"(goal <= 60; {(c1 - c0) / CLK_TCK:.2f} s CPU, tick {1000 // CLK_TCK} ms; {machine_note(m0, m1)})")

        # Retained memory: the same load again after the transactions' 32 s timers (RFC 3261
        # Timer J/K, RFC 6026 Timer L) ran out. Little growth the second time: state that
        # lingers and is reused; as much growth again: memory kept per call (a leak).
        rss_load1 = rss_bytes(pid)
        time.sleep(35)
        # The same calls' whole life: their transactions end 32 s after the call (Timer J,
        # L), and that cleanup is CPU the calls cost too. Besides theirs, only the memory
        # phase's BYE transactions (a twentieth as many) end in those 35 s.
        c2 = cpu_ticks(pid)
        print(f"throughput: gateway CPU {cpu_us_per_call(c0, c2, ok):.1f} us/call with the "
              f"transactions' 32 s wait-outs (Timer J/L) that ended in the 35 s after the run "
              f"({cpu_us_per_call(c1, c2, ok):.1f} of it)")
        _, series = e2e.scrape(ports["metrics"])
        rss_rest = rss_bytes(pid)
        t0, c0, m0 = time.time(), cpu_ticks(pid), machine_ticks()
        p, _ = run_sipp(ports, d, "load2", a.calls, a.rate, 1000, 0, "44201")
        rc, ok, failed = sipp_result(p, d, "load2", a.calls)
        t1, c1, m1 = time.time(), cpu_ticks(pid), machine_ticks()
        if rc != 0 or failed or ok != a.calls:
            failures.append(f"second load run: SIPp rc={rc} successful={ok} failed={failed} of {a.calls}")
        # A second sample of the same figure (the first run's transactions have ended).
        print(f"throughput, again: {ok}/{a.calls} calls in {t1 - t0:.1f} s, gateway CPU "
              f"{cpu_us_per_call(c0, c1, ok):.1f} us/call ({machine_note(m0, m1)})")
        rss_load2 = rss_bytes(pid)
        print(f"memory: RSS after {a.calls} calls {rss_load1 / 1048576:.1f} MiB, 35 s later "
              f"{rss_rest / 1048576:.1f} MiB (calls active {e2e.metric_sum(series, 'siptgw_calls_active', ())}), "
              f"after {a.calls} more {rss_load2 / 1048576:.1f} MiB: growth {(rss_load1 - rss_idle) / 1048576:.1f} then "
              f"{(rss_load2 - rss_rest) / 1048576:.1f} MiB")

        # Ceiling: the rate stepped up, CEILING_S seconds each, until calls fail or the
        # achieved rate falls 10 % short of the offered one. Reported, never judged: a
        # failing step only ends the search. SIPp shares the machine's cores, so on a small
        # machine this is the rig's ceiling as much as the gateway's.
        best = None
        for rate in a.ceiling_rates:
            calls = rate * a.ceiling_s
            t0, c0 = time.time(), cpu_ticks(pid)
            p, _ = run_sipp(ports, d, f"ceiling{rate}", calls, rate, max(1000, rate), 0, "44201")
            rc, ok, failed = sipp_result(p, d, f"ceiling{rate}", calls)
            t1, c1 = time.time(), cpu_ticks(pid)
            achieved = ok / max(t1 - t0, 1e-9)
            cpu_us = cpu_us_per_call(c0, c1, ok)
            clean = rc == 0 and not failed and ok == calls and achieved >= 0.9 * rate
            print(f"ceiling: offered {rate}/s, {ok}/{calls} calls, failed {failed}, {achieved:.0f} calls/s, "
                  f"gateway CPU {cpu_us:.1f} us/call{'' if clean else ' (not sustained)'}")
            if not clean:
                break
            best = (rate, achieved, cpu_us)
            time.sleep(3)
        if best:
            print(f"ceiling: highest rate sustained with zero failures {best[0]}/s "
                  f"({best[1]:.0f} calls/s achieved, gateway CPU {best[2]:.1f} us/call)")
        print(f"STATS {gw.stop()}")
    except e2e.Fail as e:
        failures.append(str(e))
    finally:
        gw.kill()

    # Run 2, with the MTP3 trace: transit delay, one called number per call.
    gw, d = start("transit", pcap=True)
    try:
        sip_pcap = os.path.join(d, "sip-lo.pcap")
        cap = subprocess.Popen(["tshark", "-q", "-n", "-i", "lo", "-f", f"udp dst port {ports['sip']}", "-w", sip_pcap],
                               stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "capture.err"), "w"))
        time.sleep(1.5)
        capturing = cap.poll() is None
        p, _ = run_sipp(ports, d, "transit", a.transit_calls, min(a.rate, 200), 1000, 0, "44209[call_number]")
        rc, ok, failed = sipp_result(p, d, "transit", a.transit_calls)
        if rc != 0 or failed or ok != a.transit_calls:
            failures.append(f"transit: SIPp rc={rc} successful={ok} failed={failed} of {a.transit_calls}")
        time.sleep(0.5)
        if capturing:
            cap.terminate()
            cap.wait(10)
        _, series = e2e.scrape(ports["metrics"])
        qs, n = histogram_quantiles(series, "siptgw_transit_delay_seconds", (0.5, 0.99))
        if qs:
            fmt = lambda q: q if isinstance(q, str) else f"{q * 1e6:.0f} us"  # noqa: E731
            print(f"transit INVITE->IAM (siptgw_transit_delay_seconds, {n} samples, bucket interpolation): "
                  f"p50 {fmt(qs[0])}, p99 {fmt(qs[1])}")
        else:
            print("transit: no siptgw_transit_delay_seconds histogram in /metrics")
        gw.stop()
        if capturing:
            delays = wire_transit(d, sip_pcap, os.path.join(d, "isup.pcap"), ports["sip"])
            if delays:
                print(f"transit INVITE->IAM (tshark -i lo INVITE vs the gateway's MTP3 pcap IAM, {len(delays)} calls): "
                      f"p50 {percentile(delays, 0.5) * 1e6:.0f} us, p99 {percentile(delays, 0.99) * 1e6:.0f} us")
            else:
                print("transit: no INVITE/IAM pairs matched in the captures")
        else:
            print("transit: tshark cannot capture on lo here: " + open(os.path.join(d, "capture.err")).read()[-200:])
    except e2e.Fail as e:
        failures.append(str(e))
    finally:
        gw.kill()
    for p in SIPP_PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    for f in failures:
        print("gateway_load: FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

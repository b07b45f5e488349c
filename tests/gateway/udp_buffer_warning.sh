#!/bin/sh
# sip.udp_receive_buffer_bytes end to end: `siptgw run` asks for twice net.core.rmem_max.
# Without CAP_NET_ADMIN (dropped from the bounding set by setpriv) the kernel caps the buffer at
# rmem_max and the gateway runs with a warning naming both figures; with CAP_NET_ADMIN
# (SO_RCVBUFFORCE) it gets the whole buffer and warns nothing.
#   usage: udp_buffer_warning.sh SIPTGW DEMO_YAML PORT
set -eu
siptgw=$1 demo=$2 port=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
max=$(cat /proc/sys/net/core/rmem_max)
ask=$((2 * max))
sed -e "s/port: 5060}/port: $port}/" -e "s/^sip:/sip:\n  udp_receive_buffer_bytes: $ask/" \
    -e 's/^metrics: .*/metrics: {enabled: false}/' "$demo" > "$tmp/gw.yaml"
grep -q "udp_receive_buffer_bytes: $ask" "$tmp/gw.yaml"

setpriv --bounding-set=-net_admin "$siptgw" run -c "$tmp/gw.yaml" --duration-ms 200 \
    > "$tmp/capped.out" 2> "$tmp/capped.err"
want="sip: UDP receive buffer $max bytes, not the $ask of sip.udp_receive_buffer_bytes"
if ! grep -q "warn  $want" "$tmp/capped.err" || ! grep -q '^READY ' "$tmp/capped.out"; then
  echo "FAIL without CAP_NET_ADMIN: want a warning \"$want\" and READY"; cat "$tmp/capped.err"
  exit 1
fi
echo "ok: capped at rmem_max $max with a warning"

cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
if [ $((0x$cap >> 12 & 1)) -eq 0 ]; then
  echo "skipping the CAP_NET_ADMIN half: this process lacks it"
  exit 0
fi
"$siptgw" run -c "$tmp/gw.yaml" --duration-ms 200 > "$tmp/full.out" 2> "$tmp/full.err"
if grep -q "UDP receive buffer" "$tmp/full.err" || ! grep -q '^READY ' "$tmp/full.out"; then
  echo "FAIL with CAP_NET_ADMIN: want READY and no warning"; cat "$tmp/full.err"
  exit 1
fi
echo "ok: $ask bytes granted with CAP_NET_ADMIN, no warning"

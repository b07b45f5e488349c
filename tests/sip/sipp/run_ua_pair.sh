#!/bin/sh
# siptgw_test_ua on both sides (label e2e), for TLS: Debian's SIPp is built without OpenSSL
# ("To use a TLS transport you must compile SIPp with OpenSSL"). Over tls, a throwaway CA
# and one certificate (CN/SAN localhost, 127.0.0.1) are made with openssl in the scratch
# directory (never kept) and both UAs verify the peer against that CA (mutual TLS).
# Starts the UAS with UAS_OPTS, places COUNT calls from a UAC with the remaining options,
# and requires on both sides COUNTER (completed|cancelled|rejected) == COUNT, failed == 0
# and every "name=value" of UAS_EXPECT / UAC_EXPECT (COUNTER "-": only those).
#   usage: run_ua_pair.sh UA_BINARY udp|tcp|tls COUNT COUNTER "UAS_OPTS" [UAC options...]
set -eu
ua=$1 transport=$2 count=$3 counter=$4 uas_opts=$5
shift 5
. "$(dirname "$0")/sipp_lib.sh"
tls=""
if [ "$transport" = tls ]; then
  command -v openssl >/dev/null || { echo "openssl not installed"; exit 77; }
  (
    cd "$TMP"
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    # shellcheck disable=SC2086
    openssl req -x509 $ec -keyout ca.key -out ca.pem -days 1 -subj /CN=siptgw-test-ca
    # shellcheck disable=SC2086
    openssl req $ec -keyout ua.key -out ua.csr -subj /CN=localhost
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >ua.ext
    openssl x509 -req -in ua.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ua.pem -days 1 -extfile ua.ext
  ) >"$TMP/openssl.log" 2>&1 || { cat "$TMP/openssl.log"; exit 1; }
  tls="--tls-cert $TMP/ua.pem --tls-key $TMP/ua.key --tls-ca $TMP/ca.pem"
fi
# shellcheck disable=SC2086
start_ua "$TMP/uas.out" "$ua" --transport "$transport" --duration 120 $tls $uas_opts
uri="sip:pair@127.0.0.1:$UA_PORT;transport=$transport"
# shellcheck disable=SC2086
"$ua" --transport "$transport" --duration 60 --call "$uri" --dest "127.0.0.1:$UA_PORT" --calls "$count" \
  --rate 20 $tls "$@" >"$TMP/uac.out" 2>"$TMP/uac.out.err" || true
sleep 0.3
stop_ua "$UA_PID"
base="$counter=$count failed=0"
[ "$counter" != - ] || base=""
check_ua "$TMP/uas.out" "$base ${UAS_EXPECT:-}"
check_ua "$TMP/uac.out" "$base ${UAC_EXPECT:-}"
finish "$TMP/uas.out" "$TMP/uac.out"

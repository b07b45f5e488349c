#!/usr/bin/env bash
# `siptgw sip check FILE`: exit 0 for a well-formed message, 1 with one line naming the
# line and header for one that breaks RFC 3261, 2 for an unreadable file.
set -u
bin=$1; dir=$(dirname "$0")/sip
fails=0; checks=0
expect() { # file, exit code, text expected in the output
  local out rc
  out=$("$bin" sip check "$dir/$1" 2>&1); rc=$?
  checks=$((checks + 1))
  if [ "$rc" -eq "$2" ] && [[ "$out" == *"$3"* ]] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]; then
    echo "ok   - $1: exit $rc: $out"
  else
    echo "FAIL - $1: exit $rc (want $2), output: $out (want: $3)"; fails=$((fails + 1))
  fi
}
expect invite_ok.sip 0 "ok"
expect invite_no_via.sip 1 "Via: missing mandatory header"
expect invite_bad_cseq.sip 1 "line 7: CSeq: method does not match the request method"
expect invite_short_body.sip 1 "fewer body bytes than Content-Length"
expect does_not_exist.sip 2 "cannot read"
echo "$((checks - fails)) passed, $fails failed"
[ $fails -eq 0 ]

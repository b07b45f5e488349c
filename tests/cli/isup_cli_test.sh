#!/usr/bin/env bash
# `siptgw isup decode|encode` as operators and scripts use them: the JSON contract, the
# hex round trip through JSON, --variant, --body, and one-line errors with exit code 1.
set -u
bin=$1
fails=0; checks=0
check() { # description, condition-command...
  local what=$1; shift
  checks=$((checks + 1))
  if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; fails=$((fails + 1)); fi
}
json_has() { # json, python expression over j
  python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$1"
}

iam=1100010020000a03020907039060214365870a0683136089670500
out=$("$bin" isup decode "$iam"); rc=$?
check "decode IAM exits 0" test $rc -eq 0
check "IAM JSON contract" json_has "$out" 'j["type"]=="IAM" and j["cic"]==17 and j["parameters"]["called_party_number"]["digits"]=="0612345678" and j["parameters"]["called_party_number"]["nature_of_address"]==3 and j["parameters"]["called_party_number"]["numbering_plan"]==1 and j["parameters"]["calling_party_number"]["digits"]=="0698765"'
back=$("$bin" isup encode "$out")
check "encode(decode(hex)) == hex" test "$back" = "$iam"
back=$(echo "$out" | "$bin" isup encode -)
check "encode reads JSON from stdin" test "$back" = "$iam"

rel=11000c020004028fe1aa00
out=$("$bin" isup decode "$rel")
check "REL cause fields" json_has "$out" 'j["parameters"]["cause_indicators"]["cause"]==97 and j["parameters"]["cause_indicators"]["location"]==2 and j["parameters"]["cause_indicators"]["recommendation"]==15 and j["parameters"]["cause_indicators"]["coding_standard"]==0'
check "REL round trip" test "$("$bin" isup encode "$out")" = "$rel"

unk=11000616140129010afa0301020300
out=$("$bin" isup decode "$unk")
check "opaque parameter as code+hex" json_has "$out" 'j["parameters"]["unknown_250"]=={"code":250,"hex":"010203"}'
check "opaque round trip" test "$("$bin" isup encode "$out")" = "$unk"

ansi=34120100200100030600038090a20703101959552121
out=$("$bin" isup decode --variant ansi "$ansi")
check "ANSI IAM decodes with 14-bit CIC and USI" json_has "$out" 'j["cic"]==0x1234 and j["parameters"]["user_service_information"]["information_transfer_rate"]==16 and j["parameters"]["called_party_number"]["digits"]=="9195551212"'
check "ANSI round trip" test "$("$bin" isup encode --variant ansi "$out")" = "$ansi"
"$bin" isup decode "$ansi" >/dev/null 2>&1; rc=$?
check "the same octets are no valid ITU IAM (exit 1)" test $rc -eq 1

out=$("$bin" isup decode --body 0c0200028290)
check "--body: RFC 3204 form has no cic" json_has "$out" 'j["type"]=="REL" and "cic" not in j'
check "--body round trip" test "$("$bin" isup encode --body "$out")" = 0c0200028290

err=$("$bin" isup decode 11000c0200058290 2>&1 >/dev/null); rc=$?
check "malformed: exit 1" test $rc -eq 1
check "malformed: one line naming offset and problem" bash -c '[ $(printf "%s\n" "$1" | wc -l) -eq 1 ] && [[ "$1" == *"offset 5"* ]] && [[ "$1" == *"cause_indicators"* ]] && [[ "$1" == *"length runs past"* ]]' _ "$err"
err=$("$bin" isup decode 11zz 2>&1 >/dev/null); rc=$?
check "bad hex: exit 1 with reason" bash -c '[ $0 -eq 1 ] && [[ "$1" == *"hex"* ]]' $rc "$err"
err=$("$bin" isup encode '{"type":"REL","cic":1,"parameters":{}}' 2>&1 >/dev/null); rc=$?
check "encode: missing mandatory named" bash -c '[ $0 -eq 1 ] && [[ "$1" == *"missing mandatory parameter cause_indicators"* ]]' $rc "$err"

echo "$((checks - fails)) passed, $fails failed"
[ $fails -eq 0 ]

#!/bin/bash
# badinput.sh - garbage on stdin gets a defined answer, never a crash:
# empty, headers only, binary, NUL bytes, 1000 parts, 3000-level nesting,
# a 20 MB line (stored) and a 100 MB line (over the 50 MB default: 65).
. "$(dirname "$0")/../lib/common.sh"

pd_home
trap pd_cleanup EXIT

try() {		# try LABEL WANT-EXIT: the message is on stdin
	local out rc
	out=$(deliver support@example.com 2>&1)
	rc=$?
	is "$rc" "$2" "$1: exit $2"
	[ "$rc" = "$2" ] || echo "#   output: ${out:0:300}"
}

try "a 0-byte message" 0 < /dev/null
printf 'Subject: only headers\nFrom: h@example.com\n' | try "headers only, no body" 0
printf '\n\n\n' | try "blank lines only" 0
head -c 65536 /dev/urandom | try "64 KB of random bytes" 0
printf 'From: n@example.com\nSubject: nul\0byte\n\nbody\0with\0nuls\n' | try "NUL bytes in header and body" 0
{ printf 'From: p@example.com\nSubject: 1000 parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n'
  for i in $(seq 1000); do printf -- '--b\nContent-Type: text/plain\n\npart %d\n' "$i"; done
  printf -- '--b--\n'; } | try "1000 MIME parts" 0
{ printf 'From: d@example.com\nSubject: deep\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n'
  for i in $(seq 3000); do printf -- '--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n' "$((i-1))" "$i"; done
  printf -- '--b3000\nContent-Type: text/plain\n\ndeep text\n'; } | try "3000 nested multiparts" 0
{ printf 'From: l@example.com\nSubject: long line\n\n'; head -c 20000000 /dev/zero | tr '\0' 'x'; printf '\n'; } |
    try "a 20 MB line" 0
{ printf 'From: l@example.com\nSubject: huge line\n\n'; head -c 100000000 /dev/zero | tr '\0' 'y'; } |
    try "a 100 MB line (over the 50 MB default limit)" 65
printf 'From: =?utf-8?B?////?= <x@example.com>\nSubject: =?x-unknown?Q?=FF=FE?=\nContent-Type: text/plain; charset=x-bogus\nContent-Transfer-Encoding: x-weird\n\n\xff\xfe\xfd\n' |
    try "bogus charsets and encodings" 0

pd list --json > "$T/list.json"
check "list is valid JSON after all that" jq -e 'type == "array"' "$T/list.json"
n=$(jq length "$T/list.json")
ok=0
for id in $(jq '.[].id' "$T/list.json"); do
	pd show "$id" --json | jq -e '.messages[0].text | type == "string"' >/dev/null && ok=$((ok+1))
done
is "$ok" "$n" "every stored ticket shows with a text"
check "the deep message's text was found" \
    bash -c "'$PD' -c '$T/postdesk.conf' list --json | jq -r '.[] | select(.subject==\"deep\") | .id' | xargs -I{} '$PD' -c '$T/postdesk.conf' show {} --json | jq -e '.messages[0] | .text | type == \"string\"' >/dev/null"

done_testing

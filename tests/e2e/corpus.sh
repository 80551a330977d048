#!/bin/bash
# corpus.sh - every message of ../shared/corpus through postdesk-filter pipe:
# each is stored (exit 0) as a ticket or a threaded message with readable
# text, or refused with 65 only when over the size limit. Then the same
# corpus again: everything is a duplicate and nothing new is stored.
. "$(dirname "$0")/../lib/common.sh"

[ -d "$PD_CORPUS" ] || skip_all "no corpus at $PD_CORPUS"
pd_home
trap pd_cleanup EXIT

mapfile -t files < <(cd "$PD_CORPUS" && find . -type f ! -name '*.md' \
    ! -name '*.tsv' ! -name '.gitattributes' | sed 's|^\./||' | sort)
bad=0
PF_OPTS=-v
for f in "${files[@]}"; do
	out=$(deliver "support@example.com" "sender@example.org" < "$PD_CORPUS/$f" 2>>"$T/log")
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "# $f: exit $rc: $out"
		bad=$((bad + 1))
	fi
done
is "$bad" 0 "all ${#files[@]} corpus files are accepted (exit 0)"

pd list --all --json > "$T/list.json"
nt=$(jq length "$T/list.json")
check "list --json is valid JSON with tickets ($nt)" test "$nt" -gt 0
msgs=0
unreadable=0
for id in $(jq '.[].id' "$T/list.json"); do
	if ! pd show "$id" --json > "$T/show.json"; then
		unreadable=$((unreadable + 1))
		continue
	fi
	n=$(jq '.messages | length' "$T/show.json")
	msgs=$((msgs + n))
	# the text must be a string (valid UTF-8: jq would refuse it otherwise)
	jq -e '.messages | all(.text | type == "string")' "$T/show.json" >/dev/null ||
	    unreadable=$((unreadable + 1))
done
is "$unreadable" 0 "every ticket shows as valid JSON with string texts"
PF_OPTS=
# every delivery logged one line; new + reply ones are exactly what is stored
stored=$(grep -cE 'action=(new|reply)' "$T/log")
duplicate=$(grep -c 'action=duplicate' "$T/log")
is "$((stored + duplicate))" "${#files[@]}" "one log line per delivery ($stored stored, $duplicate duplicates inside the corpus)"
is "$msgs" "$stored" "the messages in the store are exactly the ones logged as stored"
is "$(grep -c 'action=new' "$T/log")" "$nt" "the tickets in the store are exactly the ones logged as new"
check "a known plain message is readable: the text of a sample file is in a ticket" \
    bash -c "for id in \$(jq '.[].id' '$T/list.json'); do '$PD' -c '$T/postdesk.conf' show \$id --json; done | jq -s 'map(.messages[].text) | any(test(\"[A-Za-z]{4}\"))' | grep -q true"

# a second pass changes nothing: every message is a duplicate
before=$(pd check | grep -o '[0-9]* messages')
for f in "${files[@]}"; do
	deliver "support@example.com" "sender@example.org" < "$PD_CORPUS/$f" >/dev/null 2>&1 ||
	    echo "# second pass: $f failed"
done
after=$(pd check | grep -o '[0-9]* messages')
is "$after" "$before" "delivering the corpus again stores nothing new"

# a small size limit: large files get 65 and a 5.3.4 line, the rest 0
sed -i 's/^site_name.*/&\nmessage_size_limit = 100k/' "$T/postdesk.conf"
wrong=0
for f in "${files[@]}"; do
	size=$(stat -c %s "$PD_CORPUS/$f")
	out=$(deliver "support@example.com" < "$PD_CORPUS/$f" 2>/dev/null)
	rc=$?
	if [ "$size" -gt 102400 ]; then
		[ $rc -eq 65 ] && [ "${out:0:6}" = "5.3.4 " ] || { wrong=$((wrong+1)); echo "# $f ($size): $rc $out"; }
	else
		[ $rc -eq 0 ] || { wrong=$((wrong+1)); echo "# $f ($size): $rc $out"; }
	fi
done
is "$wrong" 0 "over message_size_limit: exit 65 with 5.3.4; under it: exit 0"

done_testing

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
	# the envelope sender a real MTA would give: <> for bounces
	sender=sender@example.org
	grep -qE "^$f	(.*,)?bounce(,|$)" "$PD_CORPUS/CATEGORIES.tsv" && sender=MAILER-DAEMON
	out=$(deliver "support@example.com" "$sender" < "$PD_CORPUS/$f" 2>"$T/one")
	rc=$?
	line=$(grep 'action=' "$T/one")
	cat "$T/one" >> "$T/log"
	action=$(sed -n 's/.* action=\([a-z]*\).*/\1/p' <<< "$line")
	printf '%s\t%s\n' "$f" "${action:-none}" >> "$T/actions"
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
dropped=$(grep -c 'action=dropped' "$T/log")
is "$((stored + duplicate + dropped))" "${#files[@]}" "one log line per delivery ($stored stored, $duplicate duplicates inside the corpus, $dropped dropped)"

# bounces and auto-replies (by the corpus's own tags) never open a ticket
opened=$(while IFS=$'\t' read -r f tags; do
	case ",$tags," in *,bounce,*|*,autoreply,*) ;; *) continue ;; esac
	grep -q "^$f	new$" "$T/actions" && echo "$f"
done < "$PD_CORPUS/CATEGORIES.tsv")
is "$opened" "" "no bounce or auto-reply of the corpus opens a ticket"
# and persons' mail is never dropped
lost=$(while IFS=$'\t' read -r f tags; do
	case ",$tags," in *,bounce,*|*,autoreply,*|*,dsn,*|*,mdn,*|*,arf,*|\
	    *,precedence:bulk,*|*,precedence:junk,*|*,precedence:list,*|\
	    *,auto-submitted:auto-*) continue ;; esac
	grep -q "^$f	dropped$" "$T/actions" && echo "$f"
done < "$PD_CORPUS/CATEGORIES.tsv")
check "mail the corpus does not tag as automatic is stored ($(wc -w <<< "$lost") dropped: $(head -c 300 <<< "$lost"))" test -z "$lost"
is "$msgs" "$stored" "the messages in the store are exactly the ones logged as stored"
is "$(grep -c 'action=new' "$T/log")" "$nt" "the tickets in the store are exactly the ones logged as new"
check "a known plain message is readable: the text of a sample file is in a ticket" \
    bash -c "for id in \$(jq '.[].id' '$T/list.json'); do '$PD' -c '$T/postdesk.conf' show \$id --json; done | jq -s 'map(.messages[].text) | any(test(\"[A-Za-z]{4}\"))' | grep -q true"

# a second pass: every message stored before is a duplicate now, and no
# new ticket opens (a bounce dropped the first time may now find the
# message it answers, which came later in the first pass)
before=$(pd list --all --json | jq length)
while IFS=$'\t' read -r f action; do
	sender=sender@example.org
	grep -qE "^$f	(.*,)?bounce(,|$)" "$PD_CORPUS/CATEGORIES.tsv" && sender=MAILER-DAEMON
	PF_OPTS=-v deliver "support@example.com" "$sender" < "$PD_CORPUS/$f" 2>"$T/one" >/dev/null
	again=$(sed -n 's/.* action=\([a-z]*\).*/\1/p' "$T/one")
	case $action in
	new|reply|duplicate) [ "$again" = duplicate ] || echo "# second pass: $f was $action, now $again" ;;
	esac
done < "$T/actions" > "$T/second"
is "$(cat "$T/second")" "" "delivering the corpus again: everything stored is a duplicate"
is "$(pd list --all --json | jq length)" "$before" "... and no new ticket opens"

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

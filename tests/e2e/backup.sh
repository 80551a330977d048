#!/bin/bash
# backup.sh - postdesk backup DIR, and a restore from it, as an operator
# does them:
#   a. a store with tickets, replies and a queued notification is backed
#      up: DIR 0700 with data.mdb and postdesk.key (0600), owned by the
#      store's owner when run as root; the summary names the counts;
#   b. a DIR that is not empty is refused (exit 73) and left as it was;
#      an empty existing DIR is taken; a DIR that cannot be made fails
#      (75), and one the store's owner cannot reach (run as root) is
#      refused (73), both leaving nothing behind;
#   c. restored by copying the two files into a new data_directory: check
#      --data is clean, the tickets and messages are the same, the old
#      ticket URL verifies, and a customer's reply to the old reply
#      address threads into its ticket (the key came along);
#   d. a backup taken while 20 mails are being delivered checks clean and
#      holds a consistent snapshot (as many messages as its tickets say).
. "$(dirname "$0")/../lib/common.sh"

pd_home
trap pd_cleanup EXIT
C=$T/postdesk.conf

# mail NAME SUBJECT [IN-REPLY-TO] - a customer message into $T/NAME
mail() {
	{ printf 'From: Customer %s <%s@example.net>\nTo: support@example.com\n' "$1" "$1"
	  printf 'Subject: %s\nMessage-ID: <%s@example.net>\n' "$2" "$1"
	  [ -n "${3:-}" ] && printf 'In-Reply-To: <%s>\n' "$3"
	  printf '\nAbout %s.\n' "$2"; } > "$T/$1"
}

# ---- a. a backup of a store in use
for i in 1 2 3; do
	mail "c$i" "question $i"
	deliver support@example.com "c$i@example.net" < "$T/c$i" ||
	    echo "# delivery c$i failed"
done
RA=$(pd show 1 --json | jq -r .reply_address)
mail r1 "Re: question 1" c1@example.net
deliver "$RA" c1@example.net < "$T/r1"
touch "$T/sendmail.fail"	# one notification stays queued
mail c4 "question 4"
deliver support@example.com c4@example.net < "$T/c4"
rm -f "$T/sendmail.fail"
URL=$(pd url 1)
pd list --json | jq -c 'map([.id, .status, .subject, .message_count])' > "$T/list.before"
queued=$(pd outbox --json | jq length)
check "the store has a queued notification to carry over" test "$queued" -gt 0

out=$("$PD" -c "$C" backup "$T/bk" 2>&1)
is "$?" 0 "postdesk backup DIR exits 0"
check "... and says what it copied: 4 tickets, 5 messages, checked" \
    grep -q "backup of 4 tickets and 5 messages in $T/bk: data.mdb (.* KB) and postdesk.key; the copy checks clean" <<< "$out"
is "$(stat -c %a "$T/bk")" 700 "DIR is 0700"
is "$(stat -c %a "$T/bk/data.mdb")" 600 "DIR/data.mdb is 0600"
is "$(stat -c %a "$T/bk/postdesk.key")" 600 "DIR/postdesk.key is 0600"
is "$(ls "$T/bk" | tr '\n' ' ')" "data.mdb postdesk.key " "DIR holds the two files and nothing else"
is "$(sha256sum < "$T/bk/postdesk.key")" "$(sha256sum < "$T/data/postdesk.key")" \
   "the key is copied byte for byte"
if [ "$(id -u)" = 0 ]; then
	is "$(stat -c %U "$T/bk") $(stat -c %U "$T/bk/data.mdb")" "pdtest pdtest" \
	   "run as root, DIR and its files belong to the store's owner"
else
	ok 0 "ownership # SKIP not root"
fi

# ---- b. where a backup may go
before=$(cd "$T/bk" && sha256sum data.mdb postdesk.key)
out=$("$PD" -c "$C" backup "$T/bk" 2>&1)
is "$?" 73 "a DIR that is not empty is refused (exit 73)"
check "... and says why" grep -q "is not an empty directory" <<< "$out"
is "$(cd "$T/bk" && sha256sum data.mdb postdesk.key)" "$before" "... and is left as it was"
mkdir "$T/empty"
"$PD" -c "$C" backup "$T/empty" > /dev/null 2>&1
is "$?" 0 "an empty existing directory is taken"
check "... and gets both files" test -s "$T/empty/data.mdb" -a -s "$T/empty/postdesk.key"
out=$("$PD" -c "$C" backup "$T/no/such/dir" 2>&1)
is "$?" 75 "a DIR that cannot be made: exit 75"
check "... and nothing is left behind" test ! -e "$T/no"
"$PD" -c "$C" backup > /dev/null 2>&1
is "$?" 64 "backup without DIR: usage, exit 64"
if [ "$(id -u)" = 0 ]; then
	mkdir -m 700 "$T/rootonly"
	out=$("$PD" -c "$C" backup "$T/rootonly/bk" 2>&1)
	is "$?" 73 "run as root, a DIR the store's owner cannot reach is refused (73)"
	check "... saying so" grep -q "cannot write into $T/rootonly/bk: a directory above it is closed to that account" <<< "$out"
	check "... and the DIR it made is removed again" test ! -e "$T/rootonly/bk"
else
	ok 0 "unreachable DIR # SKIP not root"
fi

# ---- c. restore: the two files into a new data_directory
mkdir -m 700 "$T/restored"
cp "$T/bk/data.mdb" "$T/bk/postdesk.key" "$T/restored/"
[ "$(id -u)" = 0 ] && chown -R pdtest: "$T/restored"
sed "s|^data_directory = .*|data_directory = $T/restored|" "$C" > "$T/restored.conf"
out=$("$PD" -c "$T/restored.conf" check --data 2>&1)
is "$?" 0 "the restored store: check --data exits 0"
check "... store data OK" grep -q "store data OK" <<< "$out"
"$PD" -c "$T/restored.conf" list --json | jq -c 'map([.id, .status, .subject, .message_count])' > "$T/list.after"
is "$(cat "$T/list.after")" "$(cat "$T/list.before")" "the same tickets, statuses, subjects and message counts"
is "$("$PD" -c "$T/restored.conf" outbox --json | jq length)" "$queued" "the queued notification came along"
"$PD" -c "$T/restored.conf" url --verify "$URL" > /dev/null 2>&1
is "$?" 0 "the old ticket URL verifies against the restored store"
mail r2 "something else entirely"
"$PF" -c "$T/restored.conf" pipe -q TESTR -f c1@example.net -- "$RA" < "$T/r2"
is "$?" 0 "a reply to the old reply address is taken by the restored store"
is "$("$PD" -c "$T/restored.conf" show 1 --json | jq '.messages | length')" 3 \
   "... and threads into ticket 1 (the key came along)"
is "$(pd show 1 --json | jq '.messages | length')" 2 "the original store is untouched"

# ---- d. a backup while mail arrives
for i in $(seq 20); do mail "d$i" "during $i"; done
( for i in $(seq 20); do
	deliver support@example.com "d$i@example.net" < "$T/d$i" || echo fail
  done ) > "$T/during.out" 2>&1 &
feeder=$!
sleep 0.2
out=$("$PD" -c "$C" backup "$T/during" 2>&1)
rc=$?
wait "$feeder"
is "$rc" 0 "a backup taken while 20 mails are delivered exits 0"
check "... its copy checks clean" grep -q "the copy checks clean" <<< "$out"
n=$(sed -n 's/.*backup of \([0-9]*\) tickets and \([0-9]*\) messages.*/\1 \2/p' <<< "$out")
set -- $n
is "$(( ${2:-0} - ${1:-0} ))" 1 "... and is one snapshot: messages = tickets + 1 (the one reply)"
check "no delivery failed meanwhile" test ! -s "$T/during.out"
is "$(pd list --json | jq length)" 24 "all 24 tickets are in the live store"

done_testing

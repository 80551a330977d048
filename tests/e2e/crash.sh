#!/bin/bash
# crash.sh - crash consistency: SIGKILL at random moments loses nothing and
# stores nothing twice.
#
# CRASH_N (default 1500) generated messages, half new tickets and half
# replies (In-Reply-To) to earlier ones, from several customers, go through
# "postdesk-filter pipe", 4 at a time; one agent, so every message queues
# notifications. Meanwhile a killer sends SIGKILL to a random one of those
# filter processes (by pid: only the ones this test started) every 0-30 ms,
# so kills land before, during and after the commit, and while the
# notifications are handed to sendmail. Like Postfix, a delivery that did
# not exit 0 is delivered again until it does; a random 20 % of those that
# did are delivered again too (a lost "250 OK"). Each worker delivers its
# own messages in order, so a reply's target is stored before the reply.
#
# Then:
#  - every message is stored exactly once (counted by Message-ID over every
#    ticket's "show --json"), each reply on its target's ticket;
#  - "postdesk check --data" finds no problem;
#  - notifications: each (customer message, recipient) was queued once, with
#    one Message-ID, and after one postdesk-cron run (time moved on) was
#    delivered at least once; nothing stays in the outbox. A second copy
#    (same Message-ID) is allowed only where notify_send.c allows it: a
#    filter killed after sendmail took the message but before it removed
#    the entry, so cron sent it again. So: no filter ever sent one twice,
#    cron sent exactly what was queued, and re-sent copies (plus empty ones
#    from a filter killed while handing the message to sendmail) are no
#    more than the deliveries killed.
# Prints: messages, kills injected, redeliveries, lost, duplicated.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/threads.sh"

N=${CRASH_N:-1500}
P=4				# deliveries at a time
CRON=$top_builddir/postdesk-cron
pd_home "agents_file = AGENTS
autoreply_limit = 1000000"
sed -i "s|^agents_file = AGENTS|agents_file = $T/agents|" "$T/postdesk.conf"
echo 'agent@example.com name="Ann Agent"' > "$T/agents"
C=$T/postdesk.conf
killer=
trap 'touch "$T/stop"; [ -n "$killer" ] && wait $killer; pd_cleanup' EXIT
mkdir -p "$T/msg" "$T/w"

# the messages, and a manifest: I KIND TARGET CUSTOMER (tests/lib/threads.sh)
gen_threads "$N" "$P" 7 crash
declare -a CUST
while read -r i kind t c; do CUST[$i]=$c; done < "$T/msg/manifest"

# run_filter W I - one delivery of message I by worker W; its exit status
run_filter() {
	"$PF" -v -c "$C" pipe -q "Q$2" -f "cust${CUST[$2]}@example.net" \
	    -- support@example.com < "$T/msg/$2" > "$T/w/$1.out" \
	    2> "$T/w/$1.err" &
	echo $! > "$T/w/$1.pid"
	wait $!
	local rc=$?
	: > "$T/w/$1.pid"
	return $rc
}

# deliver_ok W I - deliver until exit 0, as the MTA would; counts
deliver_ok() {
	local rc tries=0 after_kill=0
	while :; do
		run_filter "$1" "$2"
		rc=$?
		runs=$((runs + 1))
		if [ $rc -eq 0 ]; then
			[ $after_kill = 1 ] && grep -q 'action=duplicate' \
			    "$T/w/$1.err" && late=$((late + 1))
			return 0
		fi
		if [ $rc -eq 137 ]; then
			killed=$((killed + 1))
			after_kill=1
		else
			other=$((other + 1))
			echo "message $2: exit $rc: $(cat "$T/w/$1.out")" \
			    >> "$T/w/$1.log"
		fi
		tries=$((tries + 1))
		[ $tries -ge 200 ] && return 1
	done
}

# worker W - messages W+1, W+1+P, ... in order
worker() {
	local i runs=0 killed=0 other=0 late=0 again=0 gaveup=0
	for ((i = $1 + 1; i <= N; i += P)); do
		deliver_ok "$1" $i || gaveup=$((gaveup + 1))
		if [ $((RANDOM % 5)) -eq 0 ]; then
			again=$((again + 1))
			deliver_ok "$1" $i || gaveup=$((gaveup + 1))
		fi
	done
	echo "$runs $killed $other $late $again $gaveup" > "$T/w/$1.stats"
}

# kill_loop - SIGKILL a random running filter of ours every 0-30 ms
kill_loop() {
	local sent=0 pid w
	while [ ! -e "$T/stop" ]; do
		sleep "0.0$(printf %02d $((RANDOM % 30)))"
		w=$((RANDOM % P))
		read -r pid < "$T/w/$w.pid" 2>/dev/null || continue
		[ -n "$pid" ] || continue
		# the pid must still be one of this test's filters
		grep -qaF "$C" "/proc/$pid/cmdline" 2>/dev/null || continue
		kill -KILL "$pid" 2>/dev/null && sent=$((sent + 1))
	done
	echo $sent > "$T/kills"
}

start=$(date +%s)
for ((w = 0; w < P; w++)); do : > "$T/w/$w.pid"; done
kill_loop &
killer=$!
pids=
for ((w = 0; w < P; w++)); do
	worker $w 2> "$T/w/$w.shell" &	# not the shell's "Killed" notes
	pids="$pids $!"
done
wait $pids
touch "$T/stop"
wait $killer
killer=
took=$(( $(date +%s) - start ))

read -r runs killed other late again gaveup < <(cat "$T"/w/*.stats |
    awk '{ for (i = 1; i <= 6; i++) s[i] += $i }
	 END { print s[1], s[2], s[3], s[4], s[5], s[6] }')
kills=$(cat "$T/kills")
redeliveries=$((runs - N))
echo "# $N messages in ${took}s: $runs deliveries, $kills kills sent," \
    "$killed deliveries killed ($late of them after the commit)," \
    "$redeliveries redeliveries ($again after an exit 0)"
is "$gaveup" 0 "every message was accepted in the end"
is "$other" 0 "no delivery failed other than by the kill"
[ "$other" -ne 0 ] && sed 's/^/#   /' "$T"/w/*.log | head -5
check "kills were injected ($killed deliveries killed)" test "$killed" -gt 0
check "... also after the commit ($late seen as duplicates on retry)" \
    test "$late" -gt 0

# every message stored once; replies on their target's ticket
stored_counts crash
echo "# messages: $N, kills injected: $kills ($killed deliveries killed)," \
    "redeliveries: $redeliveries, lost: $lost, duplicated: $dup"
stored_checks

# notifications: what the filters sent, then what cron sends
queued=$(pd outbox --json | jq length)
ls "$T/sent" | sed -n 's/\.eml$//p' > "$T/phase1"
POSTDESK_NOW=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ) \
    "$CRON" -c "$C" > /dev/null 2>&1
is "$?" 0 "postdesk-cron sends what the killed filters left"
is "$(pd outbox --json | jq length)" 0 "... and the outbox is empty"

# one line per copy: PHASE MESSAGE-ID IN-REPLY-TO RECIPIENT (- when empty)
ls "$T/sent" | sed -n 's/\.eml$//p' > "$T/phase2"
(cd "$T/sent" && find . -name '*.eml' -empty | sed 's|^\./||; s/\.eml$//') \
    > "$T/empty"
(cd "$T/sent" && awk '
function flush() { if (cur != "") print ph[cur], id, irt, rcpt[cur] }
FILENAME == "../phase1" { ph[$1] = 1; next }
FILENAME == "../phase2" { if (!($1 in ph)) ph[$1] = 2; next }
FILENAME == "../empty" { print ph[$1], "-", "-", "-"; next }
FILENAME ~ /\.env$/ { b = FILENAME; sub(/\.env$/, "", b); rcpt[b] = $NF
	next }
FNR == 1 { flush(); cur = FILENAME; sub(/\.eml$/, "", cur); id = irt = "-"
	body = 0 }
body { next }
/^$/ { body = 1 }
/^Message-I[dD]:/ { id = $2 }
/^In-Reply-To:/ { irt = $2 }
END { flush() }' ../phase1 ../phase2 ../empty *.env *.eml) > "$T/copies"
awk -v tag="$tag" '
FNR == NR {
	m = "<crash" $1 "." tag "@example.net>"
	want[m, "agent@example.com"] = 1
	if ($2 == "new") want[m, "cust" $4 "@example.net"] = 1
	next
}
$2 == "-" { empty++; next }
{
	key = $3 SUBSEP $4
	if (!(key in want)) { unexpected++; next }
	if (!((key, $2) in ids)) { ids[key, $2] = 1; nid[key]++ }
	copies[$2, $1]++
	if ($1 == 2) cron++
	got[key] = 1
}
END {
	for (k in want) { nwant++; if (!(k in got)) lost++
		else if (nid[k] > 1) twice++ }
	for (k in copies) {
		split(k, a, SUBSEP)
		if (copies[k] > 1) { if (a[2] == 1) fdup++; else cdup++ }
		if (a[2] == 2 && ((a[1], 1) in copies)) resent++
	}
	print nwant + 0, lost + 0, twice + 0, unexpected + 0, fdup + 0, \
	    cdup + 0, resent + 0, empty + 0, cron + 0
}' "$T/msg/manifest" "$T/copies" > "$T/ncounts"
read -r nwant nlost twice unexpected fdup cdup resent empty cron \
    < "$T/ncounts"
echo "# notifications: $nwant expected (customer_new and agent_new per new" \
    "ticket, agent_reply per reply); $queued left in the outbox by killed" \
    "filters, $cron sent by cron; $resent sent twice with the same" \
    "Message-ID, $empty empty copies"
is "$(wc -l < "$T/copies")" "$(sent_count)" "every copy sent was read"
is "$nlost" 0 "no notification lost: each was delivered"
is "$twice" 0 "none queued twice (one Message-ID per message and recipient)"
is "$unexpected" 0 "no notification for anything else"
is "$fdup" 0 "no filter sent one twice"
is "$cdup" 0 "cron sent each at most once"
is "$cron" "$queued" "cron sent exactly what was left in the outbox"
check "re-sent ($resent) and empty ($empty) copies only after kills" \
    test $((resent + empty)) -le "$killed"

done_testing

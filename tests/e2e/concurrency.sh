#!/bin/bash
# concurrency.sh - many processes on one store at once: nothing lost,
# nothing stored twice, readers never blocked, a held lock is a bounded
# temporary failure.
#
# CONC_N (default 400) generated messages (half new tickets, half replies by
# In-Reply-To to an earlier one) go through "postdesk-filter pipe", 4 at a
# time (twice the cores of a CI machine), while postdesk-cron runs in a loop
# with the clock moved on (so it delivers the same outbox entries the
# filters are delivering), and "postdesk list" readers run in a loop.
# Every delivery must exit 0 the first time, every reader and cron run too.
# Then every message is stored exactly once (by Message-ID over every
# ticket's "show --json"), replies on their target's ticket, "check --data"
# finds no problem, and each notification was queued once and delivered;
# a filter and cron may both send an entry (notify_send.c allows that, with
# the same Message-ID; cron's clock is ahead here, so every entry is due
# for it at once and this happens often), but no more than those two.
# Last, a write lock held by another process (tests/tools/pd_testdb hold):
# 4 writers all exit 75 with "4.3.0" after lock_wait_limit (3 s), not
# later; readers still work meanwhile; after the release the same
# messages are stored.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/threads.sh"

N=${CONC_N:-400}
P=4
LIMIT=3
CRON=$top_builddir/postdesk-cron
TESTDB=$top_builddir/tests/tools/pd_testdb
pd_home "agents_file = AGENTS
autoreply_limit = 1000000
lock_wait_limit = $LIMIT"
sed -i "s|^agents_file = AGENTS|agents_file = $T/agents|" "$T/postdesk.conf"
echo 'agent@example.com name="Ann Agent"' > "$T/agents"
C=$T/postdesk.conf
bg=
trap 'touch "$T/stop"; [ -n "$bg" ] && wait $bg 2>/dev/null; pd_cleanup' EXIT
mkdir -p "$T/msg" "$T/w"

# the messages, and a manifest: I KIND TARGET CUSTOMER (tests/lib/threads.sh)
gen_threads "$N" "$P" 5 conc

# worker W - messages W+1, W+1+P, ... in order; one line per failure
worker() {
	local i out rc
	for ((i = $1 + 1; i <= N; i += P)); do
		out=$("$PF" -c "$C" pipe -q "Q$i" -f sender@example.net \
		    -- support@example.com < "$T/msg/$i" 2>&1)
		rc=$?
		[ $rc -eq 0 ] || echo "message $i: exit $rc: $out"
	done > "$T/w/$1.fail"
}

# loop NAME CMD... - run CMD until $T/stop; count runs and failures
loop() {
	local name=$1 runs=0 bad=0
	shift
	while [ ! -e "$T/stop" ]; do
		"$@" > "$T/w/$name.out" 2>&1 || {
			bad=$((bad + 1))
			head -c 300 "$T/w/$name.out" >> "$T/w/$name.log"
		}
		runs=$((runs + 1))
	done
	echo "$runs $bad" > "$T/w/$name.stats"
}

# reader - list must give a JSON array
reader() {
	pd list --all --json > "$T/w/list.json" && jq -e 'type == "array"' \
	    "$T/w/list.json"
}

later=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
start=$(date +%s)
loop cron env POSTDESK_NOW="$later" "$CRON" -c "$C" &
bg="$bg $!"
loop reader reader &
bg="$bg $!"
pids=
for ((w = 0; w < P; w++)); do
	worker $w &
	pids="$pids $!"
done
wait $pids
touch "$T/stop"
wait $bg
bg=
took=$(( $(date +%s) - start ))
rm -f "$T/stop"
read -r cron_runs cron_bad < "$T/w/cron.stats"
read -r list_runs list_bad < "$T/w/reader.stats"
echo "# $N messages in ${took}s by $P writers, with $cron_runs cron runs" \
    "and $list_runs list runs at the same time"
cat "$T"/w/*.fail > "$T/fail"
is "$(wc -l < "$T/fail")" 0 "every delivery exited 0 the first time"
sed 's/^/#   /' "$T/fail" | head -3
is "$cron_bad" 0 "every postdesk-cron run exited 0"
is "$list_bad" 0 "every postdesk list run gave a JSON array"
[ "$cron_bad$list_bad" != 00 ] && sed 's/^/#   /' "$T"/w/*.log | head -3
check "cron and readers really ran meanwhile" \
    test "$cron_runs" -gt 0 -a "$list_runs" -gt 0

# every message stored once, replies on their target's ticket
stored_counts conc
echo "# messages: $N, lost: $lost, duplicated: $dup"
stored_checks

# notifications: after a last cron run, each delivered, none queued twice
POSTDESK_NOW=$later "$CRON" -c "$C" > /dev/null 2>&1
is "$(pd outbox --json | jq length)" 0 "the outbox is empty after cron"
(cd "$T/sent" && awk '
FILENAME ~ /\.env$/ { b = FILENAME; sub(/\.env$/, "", b); rcpt[b] = $NF
	next }
FNR == 1 { if (cur != "") print id, irt, rcpt[cur]; cur = FILENAME
	sub(/\.eml$/, "", cur); id = irt = "-"; body = 0 }
body { next }
/^$/ { body = 1 }
/^Message-I[dD]:/ { id = $2 }
/^In-Reply-To:/ { irt = $2 }
END { if (cur != "") print id, irt, rcpt[cur] }' *.env *.eml) > "$T/copies"
awk -v tag="$tag" '
FNR == NR {
	m = "<conc" $1 "." tag "@example.net>"
	want[m, "agent@example.com"] = 1
	if ($2 == "new") want[m, "cust" $4 "@example.net"] = 1
	next
}
{
	key = $2 SUBSEP $3
	if (!(key in want)) { unexpected++; next }
	if (!((key, $1) in ids)) { ids[key, $1] = 1; nid[key]++ }
	if (++copies[$1] == 2) twice_sent++
	if (copies[$1] > most) most = copies[$1]
	got[key] = 1
}
END {
	for (k in want) { nwant++; if (!(k in got)) lost++
		else if (nid[k] > 1) twice++ }
	print nwant + 0, lost + 0, twice + 0, unexpected + 0, \
	    twice_sent + 0, most + 0
}' "$T/msg/manifest" "$T/copies" > "$T/ncounts"
read -r nwant nlost twice unexpected twice_sent most < "$T/ncounts"
echo "# notifications: $nwant expected; $twice_sent sent both by their" \
    "filter and by cron (same Message-ID): cron's clock is 2 hours ahead" \
    "here, so each entry is due for it at once"
is "$nlost" 0 "no notification lost"
is "$twice" 0 "none queued twice (one Message-ID per message and recipient)"
is "$unexpected" 0 "no notification for anything else"
check "none sent more than twice (its filter and one cron run): $most" \
    test "$most" -le 2

# a write lock held elsewhere: writers give up after lock_wait_limit
if [ ! -x "$TESTDB" ]; then
	echo "# $TESTDB not built (make check builds it): lock test skipped"
	done_testing
	exit
fi
owner=$(stat -c %U "$T/data")
if [ "$(id -u)" -eq 0 ]; then
	runuser -u "$owner" -- "$TESTDB" "$T/data" hold 15 > "$T/hold" 2>&1 &
else
	"$TESTDB" "$T/data" hold 15 > "$T/hold" 2>&1 &
fi
holder=$!
for i in $(seq 50); do grep -q locked "$T/hold" && break; sleep 0.1; done
for i in 1 2 3 4; do
	printf 'From: held%s@example.net\nSubject: held %s\n' $i $i \
	    > "$T/held$i"
	printf 'Message-ID: <held%s.%s@example.net>\n\nheld\n' $i "$tag" \
	    >> "$T/held$i"
done
t0=$(date +%s%N)
for i in 1 2 3 4; do
	( "$PF" -c "$C" pipe -q H$i -f held$i@example.net -- \
	    support@example.com < "$T/held$i" > "$T/held$i.out" 2>&1
	  echo "$? $(( ($(date +%s%N) - t0) / 1000000 ))" > "$T/held$i.rc" ) &
done
t1=$(date +%s%N)
pd list --all --json > /dev/null
is "$?" 0 "a reader is not blocked by the held lock"
check "... and answers at once ($(( ($(date +%s%N) - t1) / 1000000 )) ms)" \
    test $(( ($(date +%s%N) - t1) / 1000000 )) -lt 2000
wait $(jobs -p | grep -vx "$holder")
cat "$T"/held?.rc > "$T/held.rc"
is "$(awk '{ print $1 }' "$T/held.rc" | sort -u | tr -d '\n')" 75 \
    "4 writers under a held lock all exit 75"
is "$(cat "$T"/held?.out | grep -c '^4\.3\.0 .*lock_wait_limit')" 4 \
    "... each with a 4.3.0 line naming lock_wait_limit"
slowest=$(awk '{ print $2 }' "$T/held.rc" | sort -n | tail -1)
fastest=$(awk '{ print $2 }' "$T/held.rc" | sort -n | head -1)
check "... not before lock_wait_limit (${fastest} ms >= ${LIMIT}000)" \
    test "$fastest" -ge $((LIMIT * 1000))
check "... and within it plus 3 s (${slowest} ms)" \
    test "$slowest" -le $((LIMIT * 1000 + 3000))
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
ok=0
for i in 1 2 3 4; do
	"$PF" -c "$C" pipe -q H$i -f held$i@example.net -- \
	    support@example.com < "$T/held$i" > /dev/null 2>&1 && ok=$((ok + 1))
done
is "$ok" 4 "lock released: the same 4 messages are stored"
is "$(pd list --all --json |
    jq '[.[] | select(.subject | startswith("held"))] | length')" \
    4 "... once each"
pd check --data > /dev/null 2>&1
is "$?" 0 "check --data still finds no problem"

done_testing

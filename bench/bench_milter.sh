#!/bin/bash
# bench_milter.sh - what does postdesk-filter milter add to Postfix's time?
#
# Run at the end of bench/bench.sh ("make bench"), or by hand from a build
# directory (top_builddir, top_srcdir in the environment). Needs root (a
# private Postfix, tests/lib/postfix.sh), postfix with smtp-source, jq.
#
# 1. A private Postfix instance with three SMTP listeners on loopback: PORT
#    with smtpd_milters = the milter (milter_action = accept), PORT+1
#    without, PORT+3 with bench_nullmilter (a milter that asks for the
#    same events and stores nothing: the cost of the milter protocol
#    itself); support.test goes to Postfix's discard(8) transport, so
#    Postfix itself does the same work for all. The milter's sendmail is
#    a script that reads the notification and throws it away.
# 2. For each listener in turn, smtp-source sends BENCH_MILTER_MSGS (2000)
#    messages of 4 KB over 10 sessions (-d: several messages per session);
#    the time runs from the first connection until the queue is empty
#    again. A short warm-up of 100 messages goes first through each.
# 3. Prints messages/second and milliseconds per message for each, the
#    milter's share (Postfix with milter over Postfix alone; target <= 1.5)
#    and the protocol's (Postfix with the null milter over Postfix alone),
#    the milter's peak RSS (VmHWM) and checks that the store holds one
#    ticket per message.
#
# Exit status: 0 when every message was accepted and stored once; 1 when
# not (the target is reported, not enforced); 0 with a note when it
# cannot run here (not root, no Postfix).

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir
N=${BENCH_MILTER_MSGS:-2000}
SESSIONS=10
D=
MPID=
NPID=
STATUS=0

# note MESSAGE - the bench cannot run here: say why, do not fail make bench
note() {
	echo "bench_milter: skipped: $*"
	exit 0
}

# cleanup - stop the milter and the instance, remove the directory
cleanup() {
	[ -n "$MPID" ] && kill -9 "$MPID" 2>/dev/null
	[ -n "$NPID" ] && kill -9 "$NPID" 2>/dev/null
	if [ -n "$D" ]; then
		pf_stop >/dev/null 2>&1
		if [ "${BENCH_KEEP:-0}" = 1 ]; then
			echo "bench_milter: kept $D"
		else
			rm -rf "$D"
		fi
	fi
}

# cpu_ms PID - user + system CPU time of a process so far, milliseconds
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1000 / hz }' \
	    "/proc/$1/stat"
}

# now_ms - a monotonic clock in milliseconds
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# load PORT COUNT - smtp-source, then wait until the queue is empty;
# prints the milliseconds it took, fails when smtp-source did
load() {
	local t0 rc
	t0=$(now_ms)
	smtp-source -s "$SESSIONS" -m "$2" -d -l 4096 -f bench@example.com \
	    -t support@support.test "127.0.0.1:$1" >"$D/smtp-source.$1.out" 2>&1
	rc=$?
	pf_settle >/dev/null 2>&1 || rc=1
	echo $(($(now_ms) - t0))
	return $rc
}

[ "$(id -u)" = 0 ] || note "needs root for a private Postfix"
for c in postfix postqueue postconf smtp-source jq nsenter; do
	command -v "$c" >/dev/null 2>&1 || note "$c is not installed"
done
[ -x "$top_builddir/postdesk-filter" ] ||
    { echo "bench_milter: $top_builddir/postdesk-filter is not built"; exit 1; }
. "$top_srcdir/tests/lib/postfix.sh" || exit 1
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

PORT=2845
busy() {
	local p
	for p in 0 1 2 3 4; do
		(exec 3<>"/dev/tcp/127.0.0.1/$(($1 + p))") 2>/dev/null && return 0
	done
	return 1
}
while busy "$PORT"; do
	PORT=$((PORT + 10))
	[ $PORT -lt 2945 ] || note "no free ports"
done
MPORT=$((PORT + 2))
NPORT=$((PORT + 4))
NULLM=$top_builddir/bench/bench_nullmilter
[ -x "$NULLM" ] || { echo "bench_milter: $NULLM is not built"; exit 1; }
D=$(mktemp -d "${TMPDIR:-/tmp}/pd-bench-milter.XXXXXX") || exit 1
pf_setup "$D" "$PORT" >/dev/null || { echo "bench_milter: pf_setup failed"; exit 1; }
postconf -c "$PF_ETC" -e "smtpd_milters = inet:127.0.0.1:$MPORT" \
    "milter_default_action = tempfail" \
    "transport_maps = inline:{ support.test=discard: }" || exit 1
{ echo "127.0.0.1:$((PORT + 1)) inet n - n - - smtpd -o smtpd_milters="
  echo "127.0.0.1:$((PORT + 3)) inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:$NPORT"
} >> "$PF_ETC/master.cf"
touch -d '10 seconds ago' "$PF_ETC/main.cf" "$PF_ETC/master.cf"
printf '#!/bin/sh\ncat > /dev/null\n' > "$D/bin/sendmail"
chmod 755 "$D/bin/sendmail"
{ grep -v '^sendmail_path' "$PF_CONF"; echo "sendmail_path = $D/bin/sendmail"
  echo "milter_action = accept"; echo "map_size = 1g"; } > "$D/etc/milter.conf"
chmod 644 "$D/etc/milter.conf"
pf_start >/dev/null || { echo "bench_milter: Postfix did not start"; exit 1; }
mpid=$(tr -d ' ' < "$D/spool/pid/master.pid")
nsenter -t "$mpid" -m -- "$top_builddir/postdesk-filter" -c "$D/etc/milter.conf" \
    milter -p "inet:$MPORT@127.0.0.1" 2>"$D/milter.log" &
MPID=$!
"$NULLM" "inet:$NPORT@127.0.0.1" 2>"$D/nullmilter.log" &
NPID=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$MPORT") 2>/dev/null &&
	    (exec 3<>"/dev/tcp/127.0.0.1/$NPORT") 2>/dev/null && break
	sleep 0.05
done

echo "bench_milter: warming up (100 messages through each listener)"
load $((PORT + 1)) 100 >/dev/null && load $((PORT + 3)) 100 >/dev/null &&
    load "$PORT" 100 >/dev/null ||
    { echo "bench_milter: warm-up failed"; STATUS=1; }
echo "bench_milter: $N messages of 4 KB, $SESSIONS sessions, Postfix alone"
alone=$(load $((PORT + 1)) "$N") || STATUS=1
echo "bench_milter: $N messages of 4 KB, $SESSIONS sessions, Postfix + null milter"
null=$(load $((PORT + 3)) "$N") || STATUS=1
echo "bench_milter: $N messages of 4 KB, $SESSIONS sessions, Postfix + milter"
cpu0=$(cpu_ms "$MPID")
milter=$(load "$PORT" "$N") || STATUS=1
cpu=$(($(cpu_ms "$MPID") - cpu0))
rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$MPID/status" 2>/dev/null)
rss_anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$MPID/status" 2>/dev/null)
rss_file=$(awk '/^RssFile/ { print $2 }' "/proc/$MPID/status" 2>/dev/null)
# for bench.sh's stand-in sendmail script: what one run of Postfix's own
# sendmail(1) costs here (a 4 KB message to the discard transport)
{ printf 'From: bench@example.com\nTo: x@support.test\nSubject: sendmail\n\n'
  head -c 3000 /dev/zero | tr '\0' 'x' | fold -w 70; } > "$D/sendmail.eml"
t0=$(date +%s%N)
nsenter -t "$mpid" -m -- sh -c "for i in \$(seq 200); do
    /usr/sbin/sendmail -i -f bench@example.com -- x@support.test \
    < '$D/sendmail.eml' || exit 1; done" || STATUS=1
sendmail_us=$((($(date +%s%N) - t0) / 1000))
pf_settle >/dev/null 2>&1 || STATUS=1
stored=$(pf_postdesk list --all --json |
    jq '[.[] | select(.requester == "bench@example.com") | .message_count] | add // 0')

echo
printf 'postdesk milter: %d messages of 4 KB over %d SMTP sessions, ' "$N" "$SESSIONS"
printf '%s CPUs, Postfix %s\n' "$(getconf _NPROCESSORS_ONLN)" \
    "$(postconf -d -h mail_version 2>/dev/null)"
printf '%-34s %10s %12s\n' run msg/s "ms/message"
for r in "Postfix alone (discard)" "Postfix + null milter (discard)" \
    "Postfix + milter (discard)"; do
	case $r in *null*) ms=$null ;; *milter*) ms=$milter ;; *) ms=$alone ;; esac
	awk -v l="$r" -v ms="$ms" -v n="$N" 'BEGIN {
	    printf "%-34s %10.1f %12.2f\n", l, n * 1000 / ms, ms / n }'
done
ratio=$(awk -v a="$alone" -v m="$milter" 'BEGIN { printf "%.2f", m / a }')
printf 'Postfix + milter / Postfix alone, time per message: %s ' "$ratio"
printf '(target <= 1.5: the milter adds at most 50%%): %s\n' "$(awk -v r="$ratio" \
    'BEGIN { print (r <= 1.5 ? "met" : "NOT met") }')"
printf 'Postfix + null milter / Postfix alone: %s (the milter protocol alone, ' \
    "$(awk -v a="$alone" -v m="$null" 'BEGIN { printf "%.2f", m / a }')"
printf 'a milter that stores nothing)\n'
printf 'Postfix + milter / Postfix + null milter: %s (what postdesk adds to ' \
    "$(awk -v a="$null" -v m="$milter" 'BEGIN { printf "%.2f", m / a }')"
printf 'any milter)\n'
printf 'peak RSS of the milter process (VmHWM): %s KB\n' "${rss:-n/a}"
printf '  (at the end %s KB anonymous, %s KB file pages: LMDB map, libraries)\n' \
    "${rss_anon:-n/a}" "${rss_file:-n/a}"
awk -v c="$cpu" -v n="$N" 'BEGIN {
    printf "CPU time of the milter process: %.3f ms per message\n", c / n }'
awk -v us="$sendmail_us" 'BEGIN {
    printf "one run of Postfix\047s sendmail(1): %.2f ms ", us / 200 / 1000
    print "(200 runs, 4 KB; bench.sh hands notifications to a cheaper stand-in)" }'
want=$((N + 100))
printf 'stored: %s messages from bench@example.com (want %s): %s\n' \
    "$stored" "$want" "$([ "$stored" = "$want" ] && echo ok || echo WRONG)"
[ "$stored" = "$want" ] || STATUS=1
grep -q -E 'ERROR|error:' "$D/milter.log" &&
    { echo "bench_milter: errors in the milter's log:"; grep -m 3 -E 'ERROR|error:' "$D/milter.log"; }
exit $STATUS

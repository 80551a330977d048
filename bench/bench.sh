#!/bin/sh
# bench.sh - how fast and how small is postdesk-filter's pipe intake?
#
# Run by "make bench" (top_builddir and top_srcdir in the environment), or
# by hand from a build directory. POSIX sh; needs jq and awk.
#
# 1. Makes a temporary home (removed at exit) and 2 x BENCH_NEW messages
#    of about 4 KB each (default BENCH_NEW=1000): BENCH_NEW new tickets
#    from as many distinct customers, loaded into a "gen" store; then one
#    reply per ticket, sent by its customer to the ticket's signed reply
#    address (from "postdesk show N --json") with In-Reply-To and
#    References naming the original message.
# 2. Feeds the whole list, in that order, through bench_feed:
#    (a) postdesk-filter pipe, notifications off, 1 job, into a fresh store;
#    (b) the same with 2 jobs at once, into another fresh store;
#    (c) bench_baseline (one durable 4 KB LMDB put, the same libraries),
#        1 job and 2 jobs, each into a fresh LMDB directory;
#    (d) postdesk-filter pipe, notifications on, 1 job, and (e) 2 jobs;
#    (f) and (g) the same with notify_smtp: the notifications go over SMTP
#    to Postfix's smtp-sink on a loopback port (skipped without it);
#    (h) and (i) as (d) and (e), with a shell script as sendmail_path.
#    The fresh stores get the gen store's key, so the reply addresses
#    verify there too. After (a), (b), (d) and (e) it checks that
#    "postdesk list --json" has BENCH_NEW tickets holding 2 x BENCH_NEW
#    messages and that the outbox is empty.
#    Notifications on: an agents_file with two agents, so every new ticket
#    makes 3 notifications (the acknowledgement, agent_new to each agent)
#    and every reply 2 (agent_reply to each agent): 5 x BENCH_NEW in all,
#    each rendered from the shipped templates, composed, queued in the
#    intake's transaction, handed to sendmail_path after the commit and
#    removed from the outbox. sendmail_path is bench_sendmail, a small C
#    program that reads the message and appends one line to a counter
#    file: the least any sendmail(1) does, so the figures are postdesk's
#    part of a notification plus one exec. Runs (h) and (i) use a shell
#    script doing the same with cat (two execs: /bin/sh and cat), to show
#    how much of the cost is the MTA's program; the wall time of one run
#    of each stand-in is printed. The count of notifications handed over
#    is checked (over SMTP: the transactions smtp-sink wrote to files).
#    Notifications off: the very same messages and code path, with no
#    agents_file and autoreply_limit = 0: the acknowledgement is suppressed
#    by the rate limit (one small read in the transaction) and there is no
#    agent to tell, so nothing is rendered, queued or sent (the counter is
#    checked to stay at 0). There is no switch that skips the notify code
#    altogether; this is the nearest honest "off".
# 3. Prints one table: messages/second, median and p90 milliseconds per
#    message, peak RSS (ru_maxrss of one process), failures; then the
#    filter/baseline median ratio (target <= 1.5), whether the filter's
#    peak RSS is under 8 MB, the notifications per second of (d), the
#    on/off throughput ratio (target: notifications do not more than halve
#    intake throughput, i.e. >= 0.5) and the cost of one notification.
#    Per-message times are in the temp directory while it runs
#    (bench_feed -o); BENCH_KEEP=1 keeps the directory.
#
# Exit status: 0 when every delivery succeeded and every store holds what
# it should (and every notification was handed over once); 1 otherwise
# (the targets are reported, not enforced);
# 2 when the bench cannot run.
#
# Run as root, the stores belong to the account "pdtest" (created when
# missing), as a real installation's belong to the filter's account; the
# programs switch to it themselves.

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
PD=$top_builddir/postdesk
PF=$top_builddir/postdesk-filter
FEED=$top_builddir/bench/bench_feed
BASE=$top_builddir/bench/bench_baseline
SM=$top_builddir/bench/bench_sendmail
N=${BENCH_NEW:-1000}
T=
SINK=
SINKPORT=

# die MESSAGE - cannot run the bench
die() {
	echo "bench: $*" >&2
	exit 2
}

# cleanup - stop smtp-sink, remove the temporary home
cleanup() {
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null
	if [ -n "$T" ] && [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $T" >&2
	elif [ -n "$T" ]; then
		rm -rf "$T"
	fi
}

# home NAME [on] - write $T/NAME.conf and initialise the store $T/NAME;
# notifications on with "on" (two agents), else off (see the top)
home() {
	cat > "$T/$1.conf" <<CONF
data_directory = $T/$1
support_address = support@example.com
base_url = https://help.example.com
site_name = Bench Support
map_size = 1g
message_size_limit = 10485760
lock_wait_limit = 60
sendmail_path = $T/sendmail
template_directory = $top_srcdir/templates
CONF
	if [ "${2:-}" = on ]; then
		echo "agents_file = $T/agents" >> "$T/$1.conf"
	else
		echo "autoreply_limit = 0" >> "$T/$1.conf"
	fi
	"$PD" -c "$T/$1.conf" init $OWNER >/dev/null ||
	    die "postdesk init failed for $T/$1"
}

# feed NAME JOBS LIST CMD... - bench_feed; figures into $T/NAME.out
feed() {
	name=$1
	jobs=$2
	list=$3
	shift 3
	"$FEED" -j "$jobs" -o "$T/$name.times" -- "$@" < "$list" \
	    > "$T/$name.out"
	[ -s "$T/$name.out" ] || die "bench_feed failed in run $name"
}

# fig NAME KEY - one figure of a run
fig() {
	awk -v k="$2" '$1 == k { print $2 }' "$T/$1.out"
}

# check NAME - the store of a run holds N tickets and 2N messages, and
# its outbox is empty
check() {
	tickets=$("$PD" -c "$T/$1.conf" list --json | jq length)
	msgs=$("$PD" -c "$T/$1.conf" list --json |
	    jq '[.[].message_count] | add // 0')
	outbox=$("$PD" -c "$T/$1.conf" outbox --json | jq length)
	verdict=ok
	if [ "$tickets" != "$N" ] || [ "$msgs" != "$((2 * N))" ] ||
	    [ "$outbox" != 0 ]; then
		verdict=WRONG
		STATUS=1
	fi
	printf 'check %-10s tickets %s (want %s), messages %s (want %s), ' \
	    "$1" "$tickets" "$N" "$msgs" "$((2 * N))"
	printf 'outbox %s (want 0): %s\n' "$outbox" "$verdict"
}

# sent NAME WANT - how many notifications run NAME handed to sendmail
sent() {
	got=$(wc -l < "$T/sent.$1" 2>/dev/null || echo 0)
	got=$((got + 0))
	verdict=ok
	if [ "$got" != "$2" ]; then
		verdict=WRONG
		STATUS=1
	fi
	printf 'check %-10s notifications handed to %s %s (want %s): %s\n' \
	    "$1" "$(case $1 in f|g) echo "the SMTP server" ;; *) echo sendmail ;;
	    esac)" "$got" "$2" "$verdict"
}

# listening PORT - something accepts connections on 127.0.0.1:PORT (bash's
# /dev/tcp: this script is POSIX sh, and sh has none)
listening() {
	bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' listening "$1" 2>/dev/null
}

# sink_start - Postfix's smtp-sink on a free loopback port, writing every
# transaction to a file of $T/sink; SINK and SINKPORT set, or 1 with the
# reason in SINK_WHY
sink_start() {
	SINK_WHY="smtp-sink (postfix) is not installed"
	command -v smtp-sink >/dev/null 2>&1 || return 1
	SINK_WHY="no free port in 2600-2699"
	SINKPORT=2600
	while listening "$SINKPORT"; do
		SINKPORT=$((SINKPORT + 1))
		[ "$SINKPORT" -lt 2700 ] || return 1
	done
	mkdir -p "$T/sink" && chmod 777 "$T/sink" || return 1
	if [ "$(id -u)" = 0 ]; then
		smtp-sink -u nobody -d "$T/sink/%H." "127.0.0.1:$SINKPORT" 64 &
	else
		smtp-sink -d "$T/sink/%H." "127.0.0.1:$SINKPORT" 64 &
	fi
	SINK=$!
	SINK_WHY="smtp-sink did not start listening on port $SINKPORT"
	for _ in $(seq 100); do
		listening "$SINKPORT" && return 0
		sleep 0.05
	done
	return 1
}

# sink_feed NAME JOBS - a run over SMTP; the sink's count into $T/sent.NAME
sink_feed() {
	find "$T/sink" -type f -delete
	feed "$1" "$2" "$T/all.list" "$PF" -c "$T/$1.conf" pipe -q BENCH%n \
	    -f %s -- %r
	sleep 0.5	# the sink writes after its reply
	find "$T/sink" -type f > "$T/sent.$1"
}

# standin_ms PROG - wall milliseconds of one run of a sendmail stand-in
# (the mean of 200 runs, one after another, each given a message)
standin_ms() {
	msg=$(head -n 1 "$T/new.list" | cut -d ' ' -f 1)
	t0=$(date +%s%N)
	for _ in $(seq 200); do
		"$1" -i -f support@example.com -- x@example.net < "$msg" ||
		    return 1
	done
	t1=$(date +%s%N)
	: > "$T/sent.count"
	awk -v d="$((t1 - t0))" 'BEGIN { printf "%.2f", d / 200 / 1e6 }'
}

# notify_feed NAME JOBS - a run whose sendmail counts into $T/sent.NAME
notify_feed() {
	# the filter (and so its sendmail) runs as the store's owner
	: > "$T/sent.count"
	chmod 666 "$T/sent.count"
	feed "$1" "$2" "$T/all.list" "$PF" -c "$T/$1.conf" pipe -q BENCH%n \
	    -f %s -- %r
	mv "$T/sent.count" "$T/sent.$1" 2>/dev/null || : > "$T/sent.$1"
}

# ratio_rate NAME_A NAME_B - msg/s of A over msg/s of B, two decimals
ratio_rate() {
	awk -v a="$(fig "$1" msg_per_s)" -v b="$(fig "$2" msg_per_s)" \
	    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# row LABEL NAME JOBS - one line of the table
row() {
	printf '%-28s %4s %8s %10s %8s %12s %8s\n' "$1" "$3" \
	    "$(fig "$2" msg_per_s)" "$(fig "$2" median_ms)" \
	    "$(fig "$2" p90_ms)" "$(fig "$2" max_rss_kb)" \
	    "$(fig "$2" failures)"
	[ "$(fig "$2" failures)" = 0 ] || STATUS=1
}

# ratio NAME_A NAME_B - median of A over median of B, two decimals
ratio() {
	awk -v a="$(fig "$1" median_ms)" -v b="$(fig "$2" median_ms)" \
	    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# gen_new - the new tickets' messages and $T/new.list
gen_new() {
	cat > "$T/new.awk" <<'AWK'
BEGIN {
	split("Cannot log in|Invoice question|Order not delivered|" \
	    "Refund request|Password reset does not work|" \
	    "Question about my subscription|Wrong item received|" \
	    "App crashes on start|How do I change my address?|" \
	    "Payment failed twice", subj, "|")
	for (i = 1; i <= n; i++) {
		seed = i * 7919 + 1
		f = sprintf("%s/new%05d.eml", dir, i)
		fn = first[rnd(nfirst) + 1]
		ln = last[rnd(nlast) + 1]
		addr = sprintf("%s.%s%d@customers.example.net", tolower(fn),
		    tolower(ln), i)
		name = fn " " ln
		print "Return-Path: <" addr ">" > f
		print "From: " name " <" addr ">" > f
		print "To: Support <support@example.com>" > f
		print "Subject: " subj[rnd(10) + 1] " (order " \
		    100000 + i ")" > f
		print "Date: " rfcdate(i) > f
		print "Message-ID: <" sprintf("%d.%05d", 20240603, i) \
		    ".bench@mail.customers.example.net>" > f
		mime(f)
		print "Hello," > f
		print "" > f
		body(f, 3600)
		print "Best regards," > f
		print name > f
		close(f)
		print f " support@example.com " addr
	}
}
AWK
	awk -v n="$N" -v dir="$T/msg" -f "$T/lorem.awk" -f "$T/new.awk" \
	    > "$T/new.list" || die "cannot generate the messages"
}

# gen_replies - one reply per ticket of the gen store; $T/reply.list
gen_replies() {
	# One "show" per ticket, after all the new ones are in.
	"$PD" -c "$T/gen.conf" list --json | jq -r '.[].id' | sort -n \
	    > "$T/ids" || die "postdesk list failed"
	[ "$(wc -l < "$T/ids")" -eq "$N" ] ||
	    die "the gen store has $(wc -l < "$T/ids") tickets, not $N"
	while read -r id; do
		"$PD" -c "$T/gen.conf" show "$id" --json ||
		    die "postdesk show $id failed"
	done < "$T/ids" | jq -r '[.id, .reply_address, .requester,
	    .requester_name, .messages[0].message_id, .subject] | @tsv' \
	    > "$T/map" || die "cannot read the tickets"
	cat > "$T/reply.awk" <<'AWK'
{ id[NR] = $1; to[NR] = $2; addr[NR] = $3; name[NR] = $4
  mid[NR] = $5; sub(/^</, "", mid[NR]); sub(/>$/, "", mid[NR])
  subj[NR] = $6 }
END {
	if (NR != n)
		exit 1
	for (j = 0; j < n; j++) {
		# 7 is prime to 1000: every ticket gets one reply,
		# and the first replies go to the oldest tickets.
		k = (j * 7) % n + 1
		seed = j * 104729 + 3
		f = sprintf("%s/reply%05d.eml", dir, j + 1)
		print "Return-Path: <" addr[k] ">" > f
		print "From: " name[k] " <" addr[k] ">" > f
		print "To: Support <" to[k] ">" > f
		print "Subject: Re: " subj[k] > f
		print "Date: " rfcdate(2 * 1440 + j) > f
		print "Message-ID: <" sprintf("%d.%05d", 20240605,
		    j + 1) ".reply@mail.customers.example.net>" > f
		print "In-Reply-To: <" mid[k] ">" > f
		print "References: <" mid[k] ">" > f
		mime(f)
		print "Hi again," > f
		print "" > f
		body(f, 1200)
		print "Thanks," > f
		print name[k] > f
		print "" > f
		print "On " rfcdate(k) ", Support wrote:" > f
		quote(f, 2000)
		close(f)
		print f " " to[k] " " addr[k]
	}
}
AWK
	awk -F '\t' -v n="$N" -v dir="$T/msg" -f "$T/lorem.awk" \
	    -f "$T/reply.awk" "$T/map" > "$T/reply.list" ||
	    die "cannot generate the replies"
}

# lorem - the awk functions both generators share
lorem() {
	cat > "$T/lorem.awk" <<'AWK'
BEGIN {
	nw = split("lorem ipsum dolor sit amet consectetur adipiscing elit " \
	    "sed do eiusmod tempor incididunt ut labore et dolore magna " \
	    "aliqua enim ad minim veniam quis nostrud exercitation " \
	    "ullamco laboris nisi aliquip ex ea commodo consequat duis " \
	    "aute irure in reprehenderit voluptate velit esse cillum " \
	    "fugiat nulla pariatur excepteur sint occaecat cupidatat non " \
	    "proident sunt culpa qui officia deserunt mollit anim id est " \
	    "laborum", words, " ")
	nfirst = split("Anna Ben Carla David Emma Felix Greta Hugo Ines " \
	    "Jonas Klara Lukas Mia Noah Olga Paul", first, " ")
	nlast = split("Adler Becker Claes Dietz Engel Fuchs Graf Hahn " \
	    "Imhof Jung Keller Lang Moser Neumann", last, " ")
	split("Mon Tue Wed Thu Fri Sat Sun", wday, " ")
}
# rnd - 0 .. k-1 from a Park-Miller generator (exact in doubles)
function rnd(k) {
	seed = (seed * 16807) % 2147483647
	return seed % k
}
# rfcdate - RFC 5322 date, m minutes after Mon, 03 Jun 2024 09:00 UTC
function rfcdate(m,   d) {
	m += 9 * 60
	d = int(m / 1440)
	return sprintf("%s, %02d Jun 2024 %02d:%02d:%02d +0000",
	    wday[d % 7 + 1], 3 + d, int(m % 1440 / 60), m % 60, rnd(60))
}
# mime - the MIME header lines and the blank line
function mime(f) {
	print "MIME-Version: 1.0" > f
	print "Content-Type: text/plain; charset=utf-8; format=flowed" > f
	print "Content-Transfer-Encoding: 7bit" > f
	print "" > f
}
# sentence - 6 to 17 words, capitalised, with a full stop
function sentence(   s, i, k) {
	k = 6 + rnd(12)
	s = words[rnd(nw) + 1]
	s = toupper(substr(s, 1, 1)) substr(s, 2)
	for (i = 1; i < k; i++)
		s = s (rnd(9) == 0 ? ", " : " ") words[rnd(nw) + 1]
	return s "."
}
# text - about size bytes of wrapped paragraphs, each line after prefix
function text(f, size, prefix,   out, line, w, nwords, i, lines, sw) {
	out = 0
	while (out < size) {
		line = ""
		lines = 0
		for (i = 4 + rnd(4); i > 0; i--) {
			nwords = split(sentence(), sw, " ")
			for (w = 1; w <= nwords; w++) {
				if (length(line) + length(sw[w]) >= 72) {
					print prefix line > f
					out += length(prefix line) + 1
					line = ""
				}
				line = line == "" ? sw[w] : line " " sw[w]
			}
		}
		print prefix line > f
		print prefix > f
		out += length(prefix line) + length(prefix) + 2
	}
}
function body(f, size) {
	text(f, size, "")
}
function quote(f, size) {
	text(f, size, "> ")
}
AWK
}

command -v jq >/dev/null 2>&1 || die "jq is needed"
for p in "$PD" "$PF" "$FEED" "$BASE" "$SM"; do
	[ -x "$p" ] || die "$p is not built (run: make bench)"
done
OWNER=
if [ "$(id -u)" -eq 0 ]; then
	id pdtest >/dev/null 2>&1 ||
	    useradd -r -M -d /nonexistent -s /usr/sbin/nologin pdtest ||
	    die "cannot create the user pdtest"
	OWNER="--owner pdtest"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/pd-bench.XXXXXX") || die "mktemp failed"
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
chmod 755 "$T"
mkdir "$T/msg"
STATUS=0
# the MTA: take the message, count it (one line per notification) in
# $T/sent.count: bench_sendmail (it writes beside its executable), or a
# shell script (runs h and i)
cp "$SM" "$T/sendmail" || die "cannot copy $SM"
printf '#!/bin/sh\ncat > /dev/null && echo x >> %s/sent.count\n' "$T" \
    > "$T/sendmail.sh"
chmod 755 "$T/sendmail" "$T/sendmail.sh"
printf '%s\n' 'anna.agent@example.com name="Anna Agent"' \
    'ben.agent@example.com name="Ben Agent"' > "$T/agents"
started=$(date +%s)

lorem
echo "bench: generating $N new messages, loading them into the gen store"
gen_new
home gen
feed gen 1 "$T/new.list" "$PF" -c "$T/gen.conf" pipe -q BENCH%n -f %s -- %r
[ "$(fig gen failures)" = 0 ] ||
    die "$(fig gen failures) of $N new messages failed in the gen store"
echo "bench: generating $N replies from the reply addresses"
gen_replies
cat "$T/new.list" "$T/reply.list" > "$T/all.list"
bytes=$(cat "$T"/msg/*.eml | wc -c)

smtp=
sink_start && smtp="f g"
for run in a b d e h i $smtp; do
	case $run in d|e|f|g|h|i) home "$run" on ;; *) home "$run" ;; esac
	case $run in h|i) sed -i "s|^sendmail_path = .*|&.sh|" \
	    "$T/$run.conf" ;; esac
	case $run in f|g) echo "notify_smtp = 127.0.0.1:$SINKPORT" \
	    >> "$T/$run.conf" ;; esac
	cat "$T/gen/postdesk.key" > "$T/$run/postdesk.key" ||
	    die "cannot copy the key into $run"
done
echo "bench: (a) postdesk-filter pipe, notifications off, 1 job"
notify_feed a 1
echo "bench: (b) postdesk-filter pipe, notifications off, 2 jobs"
notify_feed b 2
echo "bench: (c) bench_baseline, 1 job and 2 jobs"
feed c1 1 "$T/all.list" "$BASE" "$T/base1"
feed c2 2 "$T/all.list" "$BASE" "$T/base2"
echo "bench: (d) postdesk-filter pipe, notifications on, 1 job"
notify_feed d 1
echo "bench: (e) postdesk-filter pipe, notifications on, 2 jobs"
notify_feed e 2
echo "bench: (h), (i) the same with a shell script as sendmail, 1 and 2 jobs"
notify_feed h 1
notify_feed i 2
if [ -n "$smtp" ]; then
	echo "bench: (f) notifications on over SMTP (smtp-sink), 1 job"
	sink_feed f 1
	echo "bench: (g) notifications on over SMTP (smtp-sink), 2 jobs"
	sink_feed g 2
else
	echo "bench: (f), (g) skipped: $SINK_WHY"
fi

echo
printf 'postdesk pipe intake: %d messages (%d new tickets, %d replies), ' \
    "$((2 * N))" "$N" "$N"
printf '%d bytes average, %s file system, %s CPUs\n' \
    "$((bytes / (2 * N)))" "$(stat -f -c %T "$T")" \
    "$(getconf _NPROCESSORS_ONLN)"
printf '%-28s %4s %8s %10s %8s %12s %8s\n' run jobs msg/s "median ms" \
    "p90 ms" "peak RSS KB" failures
row "(a) filter, notify off" a 1
row "(b) filter, notify off" b 2
row "(c) baseline, 1 LMDB put" c1 1
row "(c) baseline, 1 LMDB put" c2 2
row "(d) filter, notify on" d 1
row "(e) filter, notify on" e 2
row "(h) notify on, sh sendmail" h 1
row "(i) notify on, sh sendmail" i 2
for run in $smtp; do
	row "($run) filter, notify over SMTP" $run $(case $run in f) echo 1 ;;
	    *) echo 2 ;; esac)
done
for run in a b d e h i $smtp; do
	check $run
done
sent a 0
sent b 0
for run in d e h i $smtp; do
	sent $run $((5 * N))
done
r1=$(ratio a c1)
r2=$(ratio b c2)
printf 'filter/baseline median: %s with 1 job, %s with 2 jobs ' "$r1" "$r2"
printf '(target <= 1.5): %s\n' "$(awk -v r="$r1" \
    'BEGIN { print ((r != "n/a" && r <= 1.5) ? "met" : "NOT met") }')"
rss=$(awk -v a="$(fig a max_rss_kb)" -v b="$(fig b max_rss_kb)" \
    'BEGIN { print (a > b ? a : b) }')
printf 'peak RSS of one postdesk-filter pipe: %s KB (baseline %s KB); ' \
    "$rss" "$(fig c1 max_rss_kb)"
printf 'under 8 MB (8192 KB): %s\n' "$(awk -v r="$rss" \
    'BEGIN { print ((r < 8192) ? "yes" : "NO") }')"
echo
echo "notifications: on = 2 agents (3 per new ticket, 2 per reply:" \
    "$((5 * N)) in all);"
echo "  off = the same messages with no agents and autoreply_limit = 0 (nothing"
echo "  rendered, queued or sent); the notifications of one message are handed"
echo "  over side by side, up to four at once. sendmail_path: bench_sendmail"
echo "  (reads the message, appends a line; one exec), in (h) and (i) a shell"
echo "  script doing the same with cat (two execs). One run of each, here:"
echo "  bench_sendmail $(standin_ms "$T/sendmail") ms," \
    "the shell script $(standin_ms "$T/sendmail.sh") ms of wall time"
# notify_figures ON1 ON2 HOW - notifications per second of runs ON1 (1
# job) and ON2 (2 jobs), their throughput over (a) and (b), and the cost
# of one notification (1 job)
notify_figures() {
	for run in "$1" "$2"; do
		n=$(wc -l < "$T/sent.$run" | tr -d ' ')
		printf '  (%s) %s notifications rendered, queued and handed ' \
		    "$run" "$n"
		printf 'over in %s s: %s/s\n' "$(fig "$run" wall_s)" \
		    "$(awk -v n="$n" -v w="$(fig "$run" wall_s)" \
		    'BEGIN { if (w > 0) printf "%.1f", n / w; else print "n/a" }')"
	done
	r1=$(ratio_rate "$1" a)
	r2=$(ratio_rate "$2" b)
	printf '  throughput on/off%s: %s with 1 job, %s with 2 jobs ' "$3" \
	    "$r1" "$r2"
	printf '(target >= 0.5, not more than halved): %s\n' "$(awk \
	    -v a="$r1" -v b="$r2" 'BEGIN { print ((a != "n/a" && a >= 0.5 &&
	    b != "n/a" && b >= 0.5) ? "met" : "NOT met") }')"
	cost=$(awk -v d="$(fig "$1" wall_s)" -v a="$(fig a wall_s)" \
	    -v n="$((5 * N))" 'BEGIN { printf "%.2f", (d - a) * 1000 / n }')
	printf '  one notification%s costs %s ms of wall time ' "$3" "$cost"
	printf '(1 job: wall time of (%s) minus (a), over the notifications)\n' \
	    "$1"
}
notify_figures d e ""
echo "  with the shell script as sendmail:"
notify_figures h i " (sh sendmail)"
if [ -n "$smtp" ]; then
	echo "  over SMTP (notify_smtp = 127.0.0.1:$SINKPORT, Postfix's smtp-sink"
	echo "  as the server, one session per message for its notifications):"
	notify_figures f g " over SMTP"
fi
echo "bench: $(($(date +%s) - started)) seconds in all"
# then postdesk-cron on a store of 1,000,000 tickets (bench_cron.sh)
top_srcdir=$top_srcdir top_builddir=$top_builddir sh "$top_srcdir/bench/bench_cron.sh" || STATUS=1
top_srcdir=$top_srcdir top_builddir=$top_builddir bash "$top_srcdir/bench/bench_milter.sh" || STATUS=1
exit $STATUS

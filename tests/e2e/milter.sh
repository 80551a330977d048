#!/bin/bash
# milter.sh - postdesk-filter milter: driven directly, and behind Postfix
#
# A TAP test in four parts (PD_MILTER_PARTS, default all of them):
#   miltertest   the scripts of tests/milter/*.lua against milters on unix
#                sockets: a new ticket, a reply, a duplicate, mail not for
#                us (new.lua); milter_action tag and discard (tag.lua,
#                discard.lua); SIZE= and bodies over message_size_limit,
#                552 5.3.4 (size.lua); a full file system, 451 4.3.0, then
#                stored once (fault.lua); {auth_authen} (agent.lua, compared
#                with pipe mode); SIGTERM while a message is being stored
#                (shutdown.lua): it is stored, the socket removed, exit 0.
#   postfix      the private Postfix of tests/lib/postfix.sh with
#                smtpd_milters pointing at the milter: swaks sends a new
#                mail and a reply (tickets right; with milter_action = tag
#                the delivered copy has X-Postdesk-Ticket), mail not for us
#                passes untouched, an oversized mail gets 552 5.3.4, then
#                discard: alone, and with another recipient.
#   concurrency  smtp-source, 20 sessions at once, PD_MILTER_COUNT (200)
#                messages: each stored exactly once, the milter survives.
#   corpus       every message of ../shared/corpus through the milter
#                (feed.lua) into one store and, as pipe(8) would hand the
#                same SMTP message over, through pipe mode into another,
#                with the same key and clock: the tickets must be equal,
#                raw sizes included. miltertest cannot send NUL bytes or a
#                header field over 1000 bytes: those files (22) are left
#                out, and counted in the output.
# At the end every milter still running gets SIGTERM and must exit 0 with
# no sanitizer report in its log (under ASan a leak fails it).
#
# PD_MILTER_FILTER names the postdesk-filter to run as the milter (default
# $top_builddir/postdesk-filter; run-tests.sh passes a ThreadSanitizer
# build; tests/milter/tsan.supp names what ThreadSanitizer cannot see in
# the uninstrumented GLib, GMime and libmilter). Needs root (Postfix, the
# tmpfs of the fault test), miltertest, postfix, swaks, smtp-source, jq;
# otherwise "1..0 # SKIP" and exit 77.
# The work directory is removed on success and kept on failure.

. "$(dirname "$0")/../lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
set -u

skip77() {
	echo "1..0 # SKIP $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip77 "needs root (Postfix, tmpfs)"
for c in miltertest postfix postqueue postconf swaks smtp-source jq \
    unshare nsenter runuser; do
	command -v "$c" >/dev/null 2>&1 || skip77 "$c is not installed"
done
MF=${PD_MILTER_FILTER:-$PF}
PARTS=${PD_MILTER_PARTS:-miltertest postfix concurrency corpus}
COUNT=${PD_MILTER_COUNT:-200}
MT=$top_srcdir/tests/milter
TESTDB=$top_builddir/tests/tools/pd_testdb
for p in "$PD" "$MF"; do
	[ -x "$p" ] || { echo "Bail out! $p is not built"; exit 99; }
done
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:suppressions=$MT/tsan.supp}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# GLib's slice allocator recycles memory between threads behind its own
# futex locks, which ThreadSanitizer cannot see: plain malloc instead
export G_SLICE=${G_SLICE:-always-malloc}

W=$(mktemp -d /tmp/pd-e2e-milter.XXXXXX) || { echo "Bail out! mktemp"; exit 99; }
chmod 755 "$W"
declare -A MPID		# milter name -> pid
MOUNTS=

# finish - stop everything we started; keep $W when something failed
finish() {
	local n
	for n in "${!MPID[@]}"; do
		kill -9 "${MPID[$n]}" 2>/dev/null
	done
	[ -n "$PF_DIR" ] && pf_stop >/dev/null 2>&1
	for n in $MOUNTS; do
		umount "$n" 2>/dev/null
	done
	if [ "$T_FAIL" -eq 0 ]; then
		rm -rf "$W"
	else
		echo "# kept $W"
	fi
}
trap finish EXIT
trap 'exit 1' INT TERM HUP

has_part() {
	case " $PARTS " in *" $1 "*) return 0 ;; esac
	return 1
}

# home NAME [CONF-LINES] - a postdesk home in $W/NAME (pd_home), with a
# socket directory the milter's account may write; prints nothing
home() {
	pd_home "${2:-}"
	mv "$T" "$W/$1"
	sed -i "s|$T|$W/$1|g" "$W/$1/postdesk.conf"
	T=$W/$1
	mkdir -m 750 "$T/run"
	chown pdtest: "$T/run"
}

# conf_with HOME NAME LINES - HOME/NAME.conf: postdesk.conf plus LINES
conf_with() {
	{ cat "$1/postdesk.conf"; printf '%s\n' "$3"; } > "$1/$2.conf"
}

# start_milter NAME CONF SOCKET [WRAPPER...] - run the milter, wait for it
start_milter() {
	local name=$1 conf=$2 sock=$3 i port
	shift 3
	[ -z "${MPID[$name]:-}" ] || { echo "# milter $name runs already"; return 1; }
	"$@" "$MF" -v -c "$conf" milter -p "$sock" 2>"$W/$name.log" &
	MPID[$name]=$!
	for i in $(seq 100); do
		case $sock in
		unix:*) [ -S "${sock#unix:}" ] && return 0 ;;
		inet:*) port=${sock#inet:}
			(exec 3<>"/dev/tcp/127.0.0.1/${port%@*}") \
			    2>/dev/null && return 0 ;;
		esac
		kill -0 "${MPID[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	echo "# milter $name did not come up:"
	sed 's/^/#   /' "$W/$name.log" | tail -5
	return 1
}

# stop_milter NAME - SIGKILL (libmilter's SIGTERM takes 5 s; shutdown is
# tested on its own)
stop_milter() {
	kill -9 "${MPID[$1]}" 2>/dev/null
	wait "${MPID[$1]}" 2>/dev/null
	unset "MPID[$1]"
}

# mt_tap - the lines of a miltertest script on stdin, as TAP
mt_tap() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*)	ok 0 "${line#ok - }" ;;
		"not ok - "*)	ok 1 "${line#not ok - }" ;;
		"# "*)		echo "$line" ;;
		*)		echo "# $line" ;;
		esac
	done
}

# mtest SCRIPT DEFS... - run a miltertest script; its lines become TAP
mtest() {
	local script=$1
	shift
	miltertest -D DIR="$MT" "$@" -s "$MT/$script" 2>&1 | mt_tap
}

# subjects HOME - "subject<TAB>message count" of every ticket, by id
subjects() {
	"$PD" -c "$1/postdesk.conf" list --all --json |
	    jq -r 'sort_by(.id) | .[] | "\(.subject)\t\(.message_count)"'
}

# count_subject HOME SUBJECT - messages with that subject in HOME
count_subject() {
	local id n=0 c
	for id in $("$PD" -c "$1/postdesk.conf" list --all --json | jq '.[].id'); do
		c=$("$PD" -c "$1/postdesk.conf" show "$id" --json |
		    jq --arg s "$2" '[.messages[] | select(.subject == $s)] | length')
		n=$((n + ${c:-0}))
	done
	echo "$n"
}

# dump HOME - every ticket with its messages and events, as sorted JSON
dump() {
	local id
	for id in $("$PD" -c "$1/postdesk.conf" list --all --json |
	    jq '.[].id' | sort -n); do
		"$PD" -c "$1/postdesk.conf" show "$id" --json
	done | jq -S -c .
}

# as_pipe FILE SENDER - FILE as pipe(8) flags=R hands it over: Return-Path,
# then the message with CRLF made LF
as_pipe() {
	printf 'Return-Path: <%s>\n' "$2"
	sed 's/\r$//' "$1"
}

# ---------------------------------------------------------------- miltertest
part_miltertest() {
	local A F n pid holder rc why
	home mt "message_size_limit = 64k"
	A=$T
	for act in accept tag discard; do
		conf_with "$A" "$act" "milter_action = $act"
		start_milter "$act" "$A/$act.conf" "unix:$A/run/$act.sock" ||
		    { ok 1 "milter ($act) starts"; return; }
	done
	ok 0 "three milters (accept, tag, discard) listen on unix sockets"

	mtest new.lua -D SOCK="unix:$A/run/accept.sock"
	is "$(subjects "$A")" "$(printf 'Printer on fire\t2\nUpper case domain\t1')" \
	    "new: two tickets: the first with its reply, the upper-case domain"
	is "$(grep -c 'MTNEW2: ticket=1 action=duplicate' "$W/accept.log")" 1 \
	    "new: the duplicate is logged as such, with the queue id from {i}"
	is "$(grep -c 'MTNEW4' "$W/accept.log")" 0 \
	    "new: mail not for us is not logged nor stored"
	check "new: the log line names the client from {client_addr}" \
	    grep -q 'MTNEW1: ticket=1 action=new .*client=192\.0\.2\.7' "$W/accept.log"
	is "$("$PD" -c "$A/postdesk.conf" show 1 --json | jq -r '.messages[0].text')" \
	    "$(printf 'Hello,\n\nthe printer on floor 3 is on fire.\n\nAlice')" \
	    "new: the stored text is the body, CRLF made LF"

	mtest tag.lua -D SOCK="unix:$A/run/tag.sock" -D WANT=3
	is "$(subjects "$A" | tail -n 3 | cut -f1 | tr '\n' '|')" \
	    "Tag me|Tag me twice|Tag me twice|" "tag: the three tickets are stored"

	mtest discard.lua -D SOCK="unix:$A/run/discard.sock"
	is "$(count_subject "$A" "Discard after storing"):$(count_subject "$A" "Copy to my boss")" \
	    "1:1" "discard: both messages are stored before they are discarded"

	mtest size.lua -D SOCK="unix:$A/run/accept.sock"
	check "size: the refusals are logged with 552 5.3.4" \
	    test "$(grep -c 'message too large for the helpdesk (message_size_limit is 65536 bytes) (552 5.3.4)' "$W/accept.log")" -eq 2
	is "$(count_subject "$A" "Big screenshot"):$(count_subject "$A" "Small screenshot")" \
	    "0:1" "size: the big one is not stored, the small one is"

	# {auth_authen}: milter and pipe mode agree on the same three mails
	home agentm
	cp "$MT"/agent-*.eml "$W/"
	echo 'bob@example.com login=bob name="Bob Agent"' > "$W/agents"
	chmod 644 "$W/agents" "$W"/agent-*.eml
	echo "agents_file = $W/agents" >> "$W/agentm/postdesk.conf"
	home agentp
	echo "agents_file = $W/agents" >> "$W/agentp/postdesk.conf"
	cat "$W/agentp/data/postdesk.key" > "$W/agentm/data/postdesk.key"
	export POSTDESK_NOW=1717405200
	start_milter agent "$W/agentm/postdesk.conf" "unix:$W/agentm/run/m.sock" ||
	    ok 1 "agent milter starts"
	mtest agent.lua -D SOCK="unix:$W/agentm/run/m.sock"
	n=0
	for f in 1:carol@customer.example: 2:bob@example.com:bob 3:bob@example.com:; do
		IFS=: read -r i s u <<< "$f"
		as_pipe "$W/agent-$i.eml" "$s" | "$PF" -c "$W/agentp/postdesk.conf" \
		    pipe -q "MTAGENT$i" -f "$s" --sasl-user="$u" -- support@example.com \
		    >/dev/null 2>&1 || n=$((n + 1))
	done
	unset POSTDESK_NOW
	is "$n" 0 "agent: pipe mode takes the same three mails"
	check "agent: the milter hands {auth_authen} on (sasl_username=bob)" \
	    grep -q 'MTAGENT2: ticket=1 .*sasl_username=bob' "$W/agent.log"
	check "agent: no AUTH name on the forged one" \
	    bash -c "! grep -q 'MTAGENT3: .*sasl_username' '$W/agent.log'"
	dump "$W/agentp" > "$W/agentp.json"
	dump "$W/agentm" > "$W/agentm.json"
	check "agent: tickets, authors and events equal pipe mode's" \
	    cmp -s "$W/agentp.json" "$W/agentm.json"
	cmp -s "$W/agentp.json" "$W/agentm.json" ||
	    diff <(jq . "$W/agentp.json") <(jq . "$W/agentm.json") | head -20 | sed 's/^/#   /'
	is "$(jq -r '[.messages[].author] | join(",")' "$W/agentm.json" | tr '\n' ' ')" \
	    "customer,agent,customer " \
	    "agent: with {auth_authen}=bob the reply is the agent's; without, a customer's"

	# a full file system: 451 4.3.0, then the retry is stored once
	mkdir -p "$W/fault/data" "$W/fault/run"
	chown pdtest: "$W/fault/run"
	if mount -t tmpfs -o "size=1m,mode=700,uid=$(id -u pdtest),gid=$(id -g pdtest)" \
	    tmpfs "$W/fault/data" 2>/dev/null; then
		MOUNTS="$MOUNTS $W/fault/data"
		F=$W/fault
		sed -e "s|^data_directory = .*|data_directory = $F/data|" \
		    -e '/^message_size_limit/d' "$A/postdesk.conf" > "$F/postdesk.conf"
		echo "map_size = 1m" >> "$F/postdesk.conf"
		"$PD" -c "$F/postdesk.conf" init --owner pdtest >/dev/null
		start_milter fault "$F/postdesk.conf" "unix:$F/run/m.sock" ||
		    ok 1 "fault milter starts"
		dd if=/dev/zero of="$F/data/fill" bs=4k >/dev/null 2>&1
		why="$F/data: mdb_txn_commit: No space left on device"
		mtest fault.lua -D SOCK="unix:$F/run/m.sock" \
		    -D FREE="rm -f $F/data/fill" -D WHY="$why"
		is "$(count_subject "$F" "Disk full?")" 1 \
		    "fault: the message is stored exactly once"
	else
		echo "ok $((T_N += 1)) # SKIP no tmpfs mount (not root in this namespace?)"
	fi

	# SIGTERM while an end of message waits for the store's write lock
	if [ -x "$TESTDB" ]; then
		start_milter stop "$A/accept.conf" "unix:$A/run/stop.sock" ||
		    ok 1 "shutdown milter starts"
		pid=${MPID[stop]}
		runuser -u pdtest -- "$TESTDB" "$A/data" hold 7 > "$W/hold" 2>&1 &
		holder=$!
		for i in $(seq 50); do grep -q locked "$W/hold" && break; sleep 0.1; done
		check "shutdown: the write lock is held elsewhere" grep -q locked "$W/hold"
		(sleep 1; kill -TERM "$pid") &
		mtest shutdown.lua -D SOCK="unix:$A/run/stop.sock"
		wait "$pid"
		rc=$?
		unset "MPID[stop]"
		wait "$holder" 2>/dev/null
		is "$rc" 0 "shutdown: the milter exits 0"
		check "shutdown: the socket is removed" test ! -e "$A/run/stop.sock"
		is "$(count_subject "$A" "In flight during shutdown")" 1 \
		    "shutdown: the message being stored when SIGTERM came is stored"
		is "$(count_subject "$A" "Half sent at shutdown")" 0 \
		    "shutdown: the half-sent message is left to the MTA (not stored)"
	else
		echo "ok $((T_N += 1)) # SKIP $TESTDB not built (make check)"
	fi
}

# ---------------------------------------------------------- postfix setup
PORT=
MPORT=

# pf_up - the private Postfix, smtpd_milters pointing at MPORT
pf_up() {
	PORT=${PD_MILTER_PORT:-2745}
	while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null ||
	    (exec 3<>"/dev/tcp/127.0.0.1/$((PORT + 2))") 2>/dev/null; do
		PORT=$((PORT + 10))
		[ $PORT -lt 2845 ] || return 1
	done
	MPORT=$((PORT + 2))
	pf_setup "$W/pf" "$PORT" || return 1
	postconf -c "$PF_ETC" -e "smtpd_milters = inet:127.0.0.1:$MPORT" \
	    "milter_default_action = tempfail" "milter_connect_timeout = 5s" \
	    "transport_maps = inline:{ support.test=capture: }" || return 1
	touch -d '10 seconds ago' "$PF_ETC/main.cf"
	echo "message_size_limit = 64k" >> "$PF_CONF"
	for act in accept tag discard; do
		conf_with "$PF_ETC" "milter-$act" "milter_action = $act"
	done
	pf_start
}

# pf_milter NAME ACTION - the milter for the instance, in master's mount
# namespace (its notifications' /usr/sbin/sendmail reach the instance)
pf_milter() {
	local mpid
	mpid=$(tr -d ' ' < "$PF_DIR/spool/pid/master.pid")
	start_milter "$1" "$PF_DIR/etc/milter-$2.conf" "inet:$MPORT@127.0.0.1" \
	    nsenter -t "$mpid" -m --
}

# captured RCPT - captured files delivered to RCPT
captured() {
	grep -l -x "X-Capture-Recipient: $1" "$PF_DIR"/outbox/*.eml 2>/dev/null
}

# pf_tickets - postdesk list --json of the instance
pf_tickets() {
	pf_postdesk list --all --json
}

# ------------------------------------------------------------------ postfix
part_postfix() {
	local run f id raddr out rc
	run=$$.$(date +%s)
	pf_milter pf-tag tag || { ok 1 "milter (tag) for Postfix starts"; return; }
	ok 0 "Postfix on 127.0.0.1:$PORT, the milter (tag) on 127.0.0.1:$MPORT"

	pf_send --from alice@example.com --header "From: Alice <alice@example.com>" \
	    --header "Subject: Milter $run" --header "Message-Id: <pf-1-$run@example.com>" \
	    --body "The VPN drops every ten minutes." && pf_settle
	ok $? "postfix: a new mail is accepted"
	is "$(pf_tickets | jq -r '.[] | "\(.id) \(.subject) \(.message_count)"')" \
	    "1 Milter $run 1" "postfix: it is ticket 1, with one message"
	f=$(captured support@support.test | head -n 1)
	check "postfix: the delivered copy has X-Postdesk-Ticket: 1" \
	    grep -q -x 'X-Postdesk-Ticket: 1' "${f:-/dev/null}"
	id=$(grep -o '[0-9A-F]\{6,\}: ticket=1 action=new' "$W/pf-tag.log" | cut -d: -f1)
	check "postfix: the milter logs Postfix's queue id ({i} = ${id:-none})" \
	    grep -q "${id:-none}: to=<support@support.test>" "$PF_DIR/log/maillog"

	raddr=$(pf_postdesk show 1 --json | jq -r '.reply_address')
	pf_send --from alice@example.com --to "$raddr" \
	    --header "From: Alice <alice@example.com>" \
	    --header "Subject: Re: Milter $run" --header "Message-Id: <pf-2-$run@example.com>" \
	    --header "In-Reply-To: <pf-1-$run@example.com>" \
	    --body "It also drops on the office network." && pf_settle
	ok $? "postfix: a reply to the reply address is accepted"
	is "$(pf_tickets | jq -r '.[] | "\(.id) \(.message_count)"')" "1 2" \
	    "postfix: the reply joins ticket 1"
	f=$(captured "$raddr" | head -n 1)
	check "postfix: its delivered copy has X-Postdesk-Ticket: 1" \
	    grep -q -x 'X-Postdesk-Ticket: 1' "${f:-/dev/null}"

	pf_send --from alice@example.com --to friend@example.org \
	    --header "Subject: Lunch $run" --body "Not for the helpdesk." && pf_settle
	f=$(captured friend@example.org | xargs -r grep -l "Lunch $run")
	check "postfix: mail not for us is delivered" test -n "$f"
	check "postfix: ... untouched (no X-Postdesk-Ticket)" \
	    bash -c "! grep -q X-Postdesk-Ticket ${f:-/dev/null}"
	is "$(pf_tickets | jq length)" 1 "postfix: ... and not stored"

	head -c 70000 /dev/zero | tr '\0' 'x' | fold -w 70 > "$W/big.txt"
	out=$(swaks --server "127.0.0.1:$PORT" --from dave@example.com \
	    --to support@support.test --header "Subject: Big $run" \
	    --body "@$W/big.txt" 2>&1)
	rc=$?
	case $out in
	*"552 5.3.4 message too large for the helpdesk"*) ok 0 "postfix: a 70 KB mail gets 552 5.3.4 at DATA (swaks $rc)" ;;
	*) ok 1 "postfix: a 70 KB mail gets 552 5.3.4 at DATA"
	   printf '%s\n' "$out" | grep -E '^ *<~?\*? *[0-9]{3}' | tail -3 | sed 's/^/#   /' ;;
	esac
	pf_settle
	is "$(pf_tickets | jq length):$(pf_queue_count)" "1:0" \
	    "postfix: ... not stored, nothing queued"

	stop_milter pf-tag
	pf_milter pf-discard discard || { ok 1 "milter (discard) starts"; return; }
	pf_send --from erin@example.com --header "Subject: Discard $run" \
	    --body "Stored, then delivered nowhere." && pf_settle
	ok $? "postfix: discard: a mail to support@ is accepted"
	is "$(pf_tickets | jq --arg s "Discard $run" '[.[] | select(.subject == $s)] | length')" \
	    1 "postfix: discard: it is stored"
	f=$(grep -l "Subject: Discard $run" "$PF_DIR"/outbox/*.eml 2>/dev/null)
	is "${f:-}" "" "postfix: discard: ... and delivered nowhere"
	pf_send --from erin@example.com --to support@support.test,boss@example.org \
	    --header "Subject: Mixed $run" --body "For the helpdesk and the boss." &&
	    pf_settle
	f=$(grep -l "Subject: Mixed $run" "$PF_DIR"/outbox/*.eml 2>/dev/null)
	is "$(grep -h '^X-Capture-Recipient:' ${f:-/dev/null} | tr '\n' ' ')" \
	    "X-Capture-Recipient: boss@example.org " \
	    "postfix: discard with another recipient: only the other gets it"
	is "$(pf_tickets | jq --arg s "Mixed $run" '[.[] | select(.subject == $s)] | length')" \
	    1 "postfix: ... and the helpdesk stored it"
	# (pf_start's probes connect before the milter runs: 451 at CONNECT)
	bad=$(grep -E 'milter|status=bounced' "$PF_DIR/log/maillog" |
	    grep -v -e 'milter-reject: CONNECT' -e ' 5\.3\.4 message too large' \
	    -e 'milter-discard: END-OF-MESSAGE' | grep -c -E 'milter|bounced')
	is "$bad" 0 "postfix: no other milter reject, tempfail or bounce in the maillog"
}

# -------------------------------------------------------------- concurrency
part_concurrency() {
	local before after
	[ -n "${MPID[pf-discard]:-}" ] || pf_milter pf-discard discard ||
	    { ok 1 "milter for the concurrency check starts"; return; }
	before=$(pf_tickets | jq length)
	cp "$PF_DIR/log/maillog" "$W/maillog.before"
	smtp-source -s 20 -m "$COUNT" -d -l 4096 -f load@example.com \
	    -t support@support.test "127.0.0.1:$PORT" > "$W/smtp-source.out" 2>&1
	ok $? "concurrency: smtp-source, 20 sessions, $COUNT messages: all accepted"
	pf_settle
	after=$(pf_tickets | jq length)
	is "$((after - before))" "$COUNT" \
	    "concurrency: $COUNT new tickets, one per message"
	is "$(pf_tickets | jq '[.[] | select(.requester == "load@example.com") | .message_count] | add')" \
	    "$COUNT" "concurrency: $COUNT messages stored, one in each ticket"
	# each queue id Postfix accepted is stored once: the milter logs {i}
	diff "$W/maillog.before" "$PF_DIR/log/maillog" |
	    sed -n 's/.*: \([0-9A-F]*\): milter-discard: .*from=<load@example.com>.*/\1/p' |
	    sort > "$W/qids.postfix"
	grep -o '[0-9A-F]*: ticket=[0-9]* action=new .*from=<load@example.com>' \
	    "$W/pf-discard.log" | cut -d: -f1 | sort > "$W/qids.milter"
	is "$(wc -l < "$W/qids.postfix")" "$COUNT" \
	    "concurrency: Postfix took all $COUNT (maillog)"
	check "concurrency: every queue id Postfix took is stored exactly once" \
	    cmp -s "$W/qids.postfix" "$W/qids.milter"
	check "concurrency: the milter is still running" kill -0 "${MPID[pf-discard]}"
	is "$(diff "$W/maillog.before" "$PF_DIR/log/maillog" |
	    grep -v 'milter-discard: END-OF-MESSAGE' |
	    grep -c -E 'milter|status=(bounced|deferred)')" 0 \
	    "concurrency: no milter failure or deferral in the maillog"
}

# ------------------------------------------------------------------- corpus
part_corpus() {
	local P M n=0 nul bad fed i fpid
	[ -d "$PD_CORPUS" ] || { echo "ok $((T_N += 1)) # SKIP no corpus at $PD_CORPUS"; return; }
	home cpipe
	P=$T
	home cmilt
	M=$T
	cat "$P/data/postdesk.key" > "$M/data/postdesk.key"
	export POSTDESK_NOW=1717405200
	start_milter corpus "$M/postdesk.conf" "unix:$M/run/m.sock" ||
	    { ok 1 "corpus milter starts"; unset POSTDESK_NOW; return; }
	# miltertest sends C strings: files with NUL bytes cannot be fed
	nul=0
	(cd "$PD_CORPUS" && find . -type f ! -name '*.md' ! -name '*.tsv' \
	    ! -name '.gitattributes' | sed 's|^\./||' | sort) |
	    while IFS= read -r f; do
		if grep -q -a -P '\x00' "$PD_CORPUS/$f"; then
			nul=$((nul + 1))
			continue
		fi
		n=$((n + 1))
		echo "$PD_CORPUS/$f sender@example.org support@example.com"
	done > "$W/corpus.list"
	echo "# corpus: $n files ($nul with NUL bytes left out)"
	# feed.lua writes what pipe(8) would get of the same SMTP message to
	# copies/N.eml (or N.skip) before it sends it to the milter; pipe
	# mode takes each copy as it appears, into the other store
	mkdir "$W/copies"
	miltertest -D DIR="$MT" -D SOCK="unix:$M/run/m.sock" \
	    -D LIST="$W/corpus.list" -D OUT="$W/copies" -s "$MT/feed.lua" \
	    > "$W/feed.out" 2>&1 &
	fpid=$!
	bad=0 fed=0
	for i in $(seq "$n"); do
		while [ ! -e "$W/copies/$i.eml" ] && [ ! -e "$W/copies/$i.skip" ] &&
		    kill -0 "$fpid" 2>/dev/null; do
			sleep 0.01
		done
		[ -f "$W/copies/$i.eml" ] || continue
		fed=$((fed + 1))
		"$PF" -c "$P/postdesk.conf" pipe -q "F$i" -f sender@example.org \
		    -- support@example.com < "$W/copies/$i.eml" \
		    >>"$W/cpipe.out" 2>&1 || bad=$((bad + 1))
	done
	wait "$fpid"
	mt_tap < <(grep -v '^# left out ' "$W/feed.out")
	echo "# $(grep -c '^# left out ' "$W/feed.out") left out: a header field over miltertest's 1000 bytes"
	is "$bad" 0 "corpus: pipe mode takes the same $fed messages"
	unset POSTDESK_NOW
	dump "$P" > "$W/cpipe.json" &
	i=$!
	dump "$M" > "$W/cmilt.json"
	wait "$i"
	is "$(wc -l < "$W/cmilt.json")" "$(wc -l < "$W/cpipe.json")" \
	    "corpus: as many tickets through the milter as through pipe mode ($(wc -l < "$W/cpipe.json"))"
	n=$(diff "$W/cpipe.json" "$W/cmilt.json" | grep -c '^>')
	is "$n" 0 "corpus: every ticket equal to pipe mode's (messages, texts, sizes, events)"
	if [ "$n" != 0 ]; then
		diff "$W/cpipe.json" "$W/cmilt.json" | grep '^>' | head -3 |
		    jq -c '{id, subject, sizes: [.messages[].size]}' 2>/dev/null |
		    sed 's/^/#   milter: /'
	fi
}

# took NAME - note how long a part took
STARTED=$SECONDS
took() {
	echo "# $1: $((SECONDS - STARTED)) s"
	STARTED=$SECONDS
}

# -------------------------------------------------------------------- main
if has_part miltertest; then
	part_miltertest
	took miltertest
fi
if has_part postfix || has_part concurrency; then
	if pf_up; then
		ok 0 "private Postfix with smtpd_milters comes up"
		has_part postfix && { part_postfix; took postfix; }
		has_part concurrency && { part_concurrency; took concurrency; }
	else
		ok 1 "private Postfix with smtpd_milters comes up"
	fi
fi
if has_part corpus; then
	part_corpus
	took corpus
fi

# every milter still running: SIGTERM at once, exit 0, no sanitizer report
for n in "${!MPID[@]}"; do
	kill -TERM "${MPID[$n]}" 2>/dev/null
done
for n in "${!MPID[@]}"; do
	wait "${MPID[$n]}"
	is "$?" 0 "milter $n exits 0 after SIGTERM"
	unset "MPID[$n]"
done
reports=$(grep -l -E 'ERROR: AddressSanitizer|WARNING: ThreadSanitizer|runtime error:|ERROR: LeakSanitizer' "$W"/*.log 2>/dev/null)
took "SIGTERM to the milters"
is "$reports" "" "no sanitizer report in any milter's log"
for f in $reports; do
	grep -m 3 -E 'ERROR|WARNING|runtime error' "$f" | sed "s|^|#   $(basename "$f"): |"
done
done_testing

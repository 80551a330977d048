#!/bin/bash
# postfix_loop.sh - two postdesks that acknowledge each other do not loop
#
# A TAP test. One private Postfix instance (tests/lib/postfix.sh) on
# 127.0.0.1:PD_POSTFIX_PORT (default 2785, else the next free of 2795,
# 2805, ...) carries the mail of TWO postdesk installations, each with its
# own configuration and data directory: support@a.test and support@b.test.
# Two pipe(8) transports, postdesk_a and postdesk_b, are added to the
# instance's master.cf, and transport_maps sends each domain to its own.
# Both filters hand their acknowledgements to the plain /usr/sbin/sendmail,
# which inside the instance's mount namespace is this Postfix, so the
# acknowledgement of one installation is delivered to the other one.
#
# The three ways the two can meet:
#   1. mail from support@a.test (a test, a forward) to support@b.test:
#      b opens a ticket and acknowledges it to support@a.test, which must
#      not answer: one exchange, two mails in all;
#   2. a customer mail to a whose From is support@b.test: a acknowledges to
#      b, which must not answer;
#   3. a's acknowledgement goes to b's signed reply address of an existing
#      ticket: b stores it on that ticket quietly, nobody answers.
# After each, the queue settles, the test waits, flushes and settles again,
# then counts the deliveries into each postdesk (maillog), the mail that
# left for elsewhere (capture), and the tickets and messages each store
# holds. Nothing may bounce and the queue must end empty.
#
# Needs root, postfix, swaks, jq and util-linux (unshare, nsenter,
# setpriv) and a mount namespace; otherwise "1..0 # SKIP why", exit 77.
# The instance is stopped on any exit; its directory is removed on success
# and kept (path printed) on failure. Runs in about half a minute.
# PF_VALGRIND=1 runs every postdesk-filter under valgrind (slower).

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir

# TAP checks, skip, the instance's directory and port, capture helpers
. "$top_srcdir/tests/lib/pf_tap.sh" || { echo "Bail out! harness"; exit 99; }

[ "$(id -u)" = 0 ] || skip "needs root to run a private Postfix master"
for c in postfix postconf postqueue swaks unshare nsenter setpriv jq; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
unshare -m --propagation private true 2>/dev/null ||
    skip "no mount namespace: the filter's sendmail cannot reach the instance"
for p in postdesk postdesk-filter; do
	if [ ! -x "$top_builddir/$p" ]; then
		echo "Bail out! $top_builddir/$p is not built"
		exit 99
	fi
done

. "$top_srcdir/tests/lib/postfix.sh" || { echo "Bail out! harness"; exit 99; }

# ---- the instance's directory and port (tests/lib/pf_tap.sh) ----
pf_tap_instance loop 2785

if ! pf_setup "$D" "$port"; then
	ok 1 "private Postfix set up in $D"
	exit 1
fi

# the shipped intake rules, as an installed postdesk reads them
mkdir -p "$D/rules"
cp "$top_srcdir"/filters/*.rules "$D/rules/"
chmod -R a+rX "$D/rules"

# conf_of X - the configuration file of installation X
conf_of() { echo "$D/etc/postdesk-$1.conf"; }

# pdx X ARGS... - postdesk of installation X
pdx()
{
	local x=$1
	shift
	"$D/bin/postdesk" -c "$(conf_of "$x")" "$@"
}

# two installations: a.test and b.test, each with its own store
setup_ok=0
for x in a b; do
	mkdir -p "$D/data-$x" && chown "$PF_USER:" "$D/data-$x" &&
	    chmod 700 "$D/data-$x" || setup_ok=1
	cat >"$(conf_of $x)" <<EOF
# postdesk $x of the loop test
data_directory = $D/data-$x
support_address = support@$x.test
hostname = $x.test
base_url = http://127.0.0.1:8080/$x
site_name = Helpdesk $x
sendmail_path = /usr/sbin/sendmail
lock_wait_limit = 20
template_directory = $D/templates
rules_directory = $D/rules
EOF
	chmod 644 "$(conf_of $x)"
	pdx "$x" init >"$D/log/init-$x.out" 2>&1 || setup_ok=1
done
ok $setup_ok "two postdesk installations (support@a.test, support@b.test) initialised"

# each domain to its own pipe transport
postconf -c "$PF_ETC" -e \
    "relay_domains = support.test a.test b.test" \
    "transport_maps = inline:{ support.test=postdesk:, a.test=postdesk_a:, b.test=postdesk_b: }" \
    "postdesk_a_destination_recipient_limit = 1" \
    "postdesk_b_destination_recipient_limit = 1" \
    "postdesk_a_time_limit = 60s" "postdesk_b_time_limit = 60s" &&
for x in a b; do
	postconf -c "$PF_ETC" -M "postdesk_$x/unix=postdesk_$x unix - n n - - pipe flags=Rq user=$PF_USER argv=$D/bin/postdesk-filter -c $(conf_of $x) pipe -q \${queue_id} -f \${sender} -- \${recipient}" ||
	    break
done &&
    touch -d '10 seconds ago' "$PF_ETC/main.cf" "$PF_ETC/master.cf" &&
    postfix -c "$PF_ETC" check >"$D/log/check2.out" 2>&1
ok $? "transports postdesk_a and postdesk_b added to the instance"
for x in a b; do
	pdx "$x" check >"$D/log/check-$x.out" 2>&1
	ok $? "postdesk check accepts installation $x"
done
if ! pf_start; then
	ok 1 "private Postfix comes up on 127.0.0.1:$port"
	exit 1
fi
ok 0 "private Postfix comes up on 127.0.0.1:$port"

# ---- helpers ----

# delivered X - how many messages Postfix delivered into installation X
delivered()
{
	grep -c "relay=postdesk_$1.* status=sent" "$D/log/maillog" 2>/dev/null || true
}

# captured - how many messages left for other domains (the capture)
captured()
{
	ls "$D"/outbox/*.eml 2>/dev/null | grep -c . || true
}

# ntickets X - tickets in installation X, hidden statuses included
ntickets()
{
	pdx "$1" list --all --json 2>/dev/null | jq length
}

# nmsgs X - messages in all tickets of installation X
nmsgs()
{
	local id n=0
	for id in $(pdx "$1" list --all --json 2>/dev/null | jq '.[].id'); do
		n=$((n + $(pdx "$1" show "$id" --json | jq '.messages | length')))
	done
	echo $n
}

# quiet - let everything that could still happen, happen: settle, wait,
# retry what is deferred, settle again
quiet()
{
	pf_settle && sleep 3 && pf_flush && sleep 1 && pf_settle
}

# state - "A-deliveries B-deliveries captured" since the start
state()
{
	echo "$(delivered a) $(delivered b) $(captured)"
}

# sum3 "X Y Z" - X + Y + Z
sum3() { set -- $1; echo $(($1 + $2 + $3)); }

# ---- 1. support@a.test writes to support@b.test ----
s0=$(state)
pf_send --from support@a.test --to support@b.test \
    --header "From: Helpdesk a <support@a.test>" \
    --header "Subject: delivery test from a" \
    --header "Message-Id: <loop1.$$@a.test>" \
    --body "Is this address working?"
ok $? "1: a mail from support@a.test to support@b.test is accepted"
quiet
ok $? "1: the queue settles"
s1=$(state)
is "$(ntickets b):$(nmsgs b)" "1:1" "1: b opens one ticket with the mail"
is "$(ntickets a):$(nmsgs a)" "0:0" "1: a stores nothing (the acknowledgement from b is an auto-reply)"
set -- $s0
read -r da db dc <<<"$s1"
is "$((da - $1)) $((db - $2)) $((dc - $3))" "1 1 0" \
    "1: one delivery into b (the mail), one into a (b's acknowledgement), nothing else"
is "$(( $(sum3 "$s1") - $(sum3 "$s0") ))" 2 "1: the exchange stops after two mails in all"

# ---- 2. a customer mail to a whose From is support@b.test ----
s0=$(state)
pf_send --from someone@example.com --to support@a.test \
    --header "From: Helpdesk b <support@b.test>" \
    --header "Subject: forwarded by mistake" \
    --header "Message-Id: <loop2.$$@example.com>" \
    --body "This was forwarded from b's address."
ok $? "2: a mail From support@b.test to support@a.test is accepted"
quiet
ok $? "2: the queue settles"
s1=$(state)
is "$(ntickets a):$(nmsgs a)" "1:1" "2: a opens one ticket (requester support@b.test)"
is "$(pdx a show 1 --json | jq -r .requester)" "support@b.test" "2: ... for support@b.test"
# a's acknowledgement says "[#1]" and comes from support@a.test, who is
# the requester of b's ticket 1 (part 1): it threads there (step d)
is "$(ntickets b):$(nmsgs b)" "1:2" "2: b opens no ticket: a's acknowledgement joins b's ticket 1 (its [#1] tag, from a participant)"
is "$(pdx b show 1 --json | jq -r '.messages[-1].author + " " + .status')" "system awaiting_agent" \
    "2: ... quietly, as an automatic (system) message, no status change"
set -- $s0
read -r da db dc <<<"$s1"
is "$((da - $1)) $((db - $2)) $((dc - $3))" "1 1 0" \
    "2: one delivery into a, one into b (a's acknowledgement), nothing else"
is "$(( $(sum3 "$s1") - $(sum3 "$s0") ))" 2 "2: the exchange stops after two mails in all"

# ---- 3. a's acknowledgement to b's signed reply address ----
s0=$(state)
pf_send --from carl@example.net --to support@b.test \
    --header "From: Carl <carl@example.net>" \
    --header "Subject: my order" \
    --header "Message-Id: <loop3.$$@example.net>" \
    --body "Where is it?"
ok $? "3: a customer writes to b"
quiet
tb=$(pdx b list --json | jq '[.[] | select(.requester == "carl@example.net")][0].id')
RB=$(pdx b show "$tb" --json | jq -r .reply_address)
is "$(captured)" "$(( $(set -- $s0; echo $3) + 1 ))" "3: b acknowledges carl (captured)"
s0=$(state)
pf_send --from robot@example.org --to support@a.test \
    --header "From: <$RB>" \
    --header "Subject: Re: my order" \
    --header "Message-Id: <loop4.$$@example.org>" \
    --body "A forward that kept b's reply address as its author."
ok $? "3: a mail to a whose From is b's reply address ($RB) is accepted"
quiet
ok $? "3: the queue settles"
s1=$(state)
is "$(ntickets a)" 2 "3: a opens a ticket for it"
pdx b show "$tb" --json >"$D/log/tb.json"
is "$(jq '.messages | length' "$D/log/tb.json")" 2 \
    "3: a's acknowledgement joins b's ticket $tb"
is "$(jq -r '.messages[-1].author' "$D/log/tb.json")" system "3: ... as an automatic (system) message"
is "$(jq -r .status "$D/log/tb.json")" awaiting_agent "3: ... without changing its status"
set -- $s0
read -r da db dc <<<"$s1"
is "$((da - $1)) $((db - $2)) $((dc - $3))" "1 1 0" \
    "3: one delivery into a, one into b, no answer from b"
is "$(( $(sum3 "$s1") - $(sum3 "$s0") ))" 2 "3: the exchange stops after two mails in all"

# ---- the instance at the end ----
quiet
is "$(state)" "$s1" "nothing more happens after waiting"
is "$(grep -c 'status=bounced' "$D/log/maillog" || true)" 0 "nothing bounced"
is "$(pf_queue_count)" 0 "the queue is empty"
if [ "${PF_VALGRIND:-0}" = 1 ]; then
	is "$(pf_valgrind_errors | tr '\n' ' ')" "" "valgrind: no errors in any postdesk-filter run"
fi

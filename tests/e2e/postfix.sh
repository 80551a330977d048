#!/bin/bash
# postfix.sh - end to end: mail through a real, private Postfix into postdesk
#
# A TAP test. It starts a private Postfix instance (tests/lib/postfix.sh) on
# 127.0.0.1:PD_POSTFIX_PORT (default 2725; the next free base of 2725, 2735,
# ... is taken when that one is in use), whose `postdesk` pipe(8) transport
# runs the built postdesk-filter as user pdtest, and checks what a customer
# and an operator would see:
#   a. a new mail to support@ becomes a ticket (list/show --json);
#   b. a reply to the ticket's signed reply_address joins it, also when
#      the address arrives upper-cased;
#   c. a reply with In-Reply-To: <the first message's Message-ID> joins it;
#   d. a made-up token and a forged "[#1]" subject tag do not join ticket 1;
#   e. a store the filter cannot open defers the mail (exit 75, 4.3.0) and
#      Postfix delivers it exactly once after the fault is gone;
#   f. the same message delivered twice is stored once;
#   g. a mail over message_size_limit is bounced (exit 65, 5.3.4);
# plus: nothing bounced, the queue is empty, and the pipe user's plain
# /usr/sbin/sendmail reaches this instance (the path notifications take).
#
# Needs root, postfix, swaks, jq and util-linux (unshare, nsenter, setpriv);
# otherwise it prints "1..0 # SKIP why" and exits 77. Programs come from
# $top_builddir (default $top_srcdir/build), the harness from $top_srcdir
# (default this file's ../..). The instance is stopped on any exit; its directory is removed on
# success and kept (path printed) on failure. Runs in a few seconds.
# PF_VALGRIND=1 runs every postdesk-filter under valgrind (slower).

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir

# TAP checks, skip, the instance's directory and port, capture helpers
. "$top_srcdir/tests/lib/pf_tap.sh" || { echo "Bail out! harness"; exit 99; }

[ "$(id -u)" = 0 ] || skip "needs root to run a private Postfix master"
for c in postfix postqueue swaks unshare nsenter setpriv; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
command -v jq >/dev/null 2>&1 || skip "jq is not installed (apt-get install jq)"
for p in postdesk postdesk-filter; do
	if [ ! -x "$top_builddir/$p" ]; then
		echo "Bail out! $top_builddir/$p is not built"
		exit 99
	fi
done

. "$top_srcdir/tests/lib/postfix.sh" || { echo "Bail out! harness"; exit 99; }

# ---- the instance's directory and port (tests/lib/pf_tap.sh) ----
pf_tap_instance postfix 2725

if ! pf_setup "$D" "$port" || ! pf_start; then
	ok 1 "private Postfix comes up on 127.0.0.1:$port"
	exit 1
fi
ok 0 "private Postfix comes up on 127.0.0.1:$port"

RUN=$$.$(date +%s)

# ---- helpers over postdesk's JSON ----

# tickets_json - postdesk list --json (prints [] and a diagnostic on failure)
tickets_json()
{
	local out
	if ! out=$(pf_postdesk list --json 2>"$D/log/ctl.err"); then
		echo "# postdesk list --json failed: $(head -c 300 "$D/log/ctl.err")" >&2
		echo '[]'
		return 1
	fi
	printf '%s\n' "$out"
}

# ticket_json - postdesk show ID --json (prints {} on failure)
ticket_json()
{
	local out
	if ! out=$(pf_postdesk show "$1" --json 2>"$D/log/ctl.err"); then
		echo "# postdesk show $1 --json failed: $(head -c 300 "$D/log/ctl.err")" >&2
		echo '{}'
		return 1
	fi
	printf '%s\n' "$out"
}

# nticket - how many tickets list --json shows
nticket()
{
	tickets_json | jq 'length' 2>/dev/null || echo "bad-json"
}

# nmsg - how many messages ticket ID has
nmsg()
{
	ticket_json "$1" | jq '.messages | length' 2>/dev/null || echo "bad-json"
}

# count_subject - messages with exactly subject S, over all tickets
count_subject()
{
	local id n=0 c
	for id in $(tickets_json | jq -r '.[].id' 2>/dev/null); do
		c=$(ticket_json "$id" |
		    jq --arg s "$1" '[.messages[]? | select(.subject == $s)] | length' 2>/dev/null)
		n=$((n + ${c:-0}))
	done
	echo "$n"
}

# sent_count - maillog lines saying postdesk delivered a message
sent_count()
{
	grep -c 'relay=postdesk,.*status=sent' "$D/log/maillog" 2>/dev/null
}

# send_ok - pf_send, then settle; one TAP line
send_ok()
{
	local label=$1
	shift
	pf_send "$@" && pf_settle
	ok $? "$label"
}

# ---- (a) a new mail becomes a ticket ----
SUBJ1="Cannot log in to my account"
BODY1="Hello, since this morning I cannot log in. The page says my password
is wrong, but I reset it twice. Order 4711."
MID1="<login-$RUN@mail.example.com>"
send_ok "a: new mail from alice accepted and delivered" \
    --from alice@example.com --header "From: Alice Example <alice@example.com>" \
    --header "Subject: $SUBJ1" --header "Message-Id: $MID1" --body "$BODY1"
is "$(sent_count)" 1 "a: maillog shows one status=sent via the postdesk transport"
is "$(nticket)" 1 "a: list --json shows one ticket"
L=$(tickets_json)
is "$(jq -r '.[0].id' <<<"$L" 2>/dev/null)" 1 "a: its id is 1"
req=$(jq -r '.[0].requester' <<<"$L" 2>/dev/null)
case $req in
alice@example.com|*"<alice@example.com>") ok 0 "a: requester is alice@example.com" ;;
*) is "$req" alice@example.com "a: requester is alice@example.com" ;;
esac
is "$(jq -r '.[0].status' <<<"$L" 2>/dev/null)" awaiting_agent \
    "a: status is awaiting_agent"
is "$(jq -r '.[0].subject' <<<"$L" 2>/dev/null)" "$SUBJ1" \
    "a: subject is the mail's subject"
S=$(ticket_json 1)
is "$(jq '.messages | length' <<<"$S" 2>/dev/null)" 1 "a: show 1 has one message"
contains "$(jq -r '.messages[0].text' <<<"$S" 2>/dev/null)" "I reset it twice" \
    "a: the message text contains the body"
is "$(strip_angles "$(jq -r '.messages[0].message_id' <<<"$S" 2>/dev/null)")" \
    "$(strip_angles "$MID1")" "a: the message keeps its Message-ID"
RADDR=$(jq -r '.reply_address // empty' <<<"$S" 2>/dev/null)
case $RADDR in
support+1.?*@support.test) ok 0 "a: reply_address is support+1.TOKEN@support.test" ;;
*) is "$RADDR" "support+1.TOKEN@support.test" \
    "a: reply_address is support+1.TOKEN@support.test" ;;
esac

# ---- (b) a reply to the signed reply address joins the ticket ----
send_ok "b: reply to the reply_address accepted and delivered" \
    --from alice@example.com --to "${RADDR:-support@support.test}" \
    --header "From: Alice Example <alice@example.com>" \
    --header "Subject: Re: $SUBJ1" \
    --header "Message-Id: <reply1-$RUN@mail.example.com>" \
    --body "I forgot to say: I use the Android app, version 3.2."
is "$(nticket)" 1 "b: still one ticket"
is "$(nmsg 1)" 2 "b: ticket 1 has two messages"
contains "$(ticket_json 1 | jq -r '.messages[1].text' 2>/dev/null)" "Android app" \
    "b: the second message is the reply"

# Some mail systems upper-case addresses: the token must survive that.
UADDR=$(printf '%s' "${RADDR%@*}" | tr '[:lower:]' '[:upper:]')@support.test
send_ok "b: reply to the reply_address in upper case accepted and delivered" \
    --from alice@example.com --to "$UADDR" \
    --header "From: Alice Example <alice@example.com>" \
    --header "Subject: Re: $SUBJ1" \
    --header "Message-Id: <reply1u-$RUN@mail.example.com>" \
    --body "Sent from an old mail system that shouts."
is "$(nticket)" 1 "b: upper-cased reply address: still one ticket"
is "$(nmsg 1)" 3 "b: upper-cased reply address: ticket 1 has three messages"

# ---- (c) In-Reply-To the first message joins, sent to plain support@ ----
FIRST=$(ticket_json 1 | jq -r '.messages[0].message_id // empty' 2>/dev/null)
[ -n "$FIRST" ] || FIRST=$MID1
send_ok "c: reply with In-Reply-To accepted and delivered" \
    --from alice@example.com --header "From: Alice Example <alice@example.com>" \
    --header "Subject: Re: $SUBJ1 (still broken)" \
    --header "Message-Id: <reply2-$RUN@mail.example.com>" \
    --header "In-Reply-To: <$(strip_angles "$FIRST")>" \
    --header "References: <$(strip_angles "$FIRST")>" \
    --body "It still does not work after the update."
is "$(nticket)" 1 "c: still one ticket"
is "$(nmsg 1)" 4 "c: ticket 1 has four messages"

# ---- (d) forged token and forged subject tag do not join ----
send_ok "d: mail to a made-up token accepted and delivered" \
    --from mallory@example.net --to support+1.aaaaaaaaaaaaaaaa@support.test \
    --header "From: Mallory <mallory@example.net>" \
    --header "Subject: Re: $SUBJ1" --header "Message-Id: <forged1-$RUN@example.net>" \
    --body "Please change the e-mail address of this account to mine."
is "$(nmsg 1)" 4 "d: made-up token: ticket 1 still has four messages"
is "$(nticket)" 2 "d: made-up token: it became a new ticket"
send_ok "d: mail with a forged [#1] tag accepted and delivered" \
    --from eve@example.org --header "From: Eve <eve@example.org>" \
    --header "Subject: Re: [#1] $SUBJ1" \
    --header "Message-Id: <forged2-$RUN@example.org>" \
    --body "I am Alice, send the new password to this address."
is "$(nmsg 1)" 4 "d: forged [#1] from a stranger: ticket 1 still has four messages"
is "$(nticket)" 3 "d: forged [#1]: it became a new ticket"

# ---- (e) fault: the store cannot be opened -> deferred, then delivered once ----
SUBJE="Invoice question $RUN"
chmod 000 "$D/data"
pf_send --from bob@example.com --header "From: Bob <bob@example.com>" \
    --header "Subject: $SUBJE" --header "Message-Id: <fault-$RUN@example.com>" \
    --body "Why was I charged twice in March?"
ok $? "e: mail accepted while the data directory is unreadable"
pf_settle
ok $? "e: queue settles"
is "$(pf_queue_count deferred)" 1 "e: the mail is in the deferred queue"
Q=$(postqueue -c "$D/etc" -j 2>/dev/null)
qid=$(jq -r 'select(.queue_name == "deferred") | .queue_id' <<<"$Q" 2>/dev/null)
reason=$(jq -r 'select(.queue_name == "deferred") | .recipients[].delay_reason' \
    <<<"$Q" 2>/dev/null)
echo "# delay_reason: $reason"
# pipe(8) takes the filter's "4.3.0 text" apart: dsn=4.3.0, reason = text
pat="$qid: to=<support@support.test>, relay=postdesk, .*dsn=4\.3\.[05], status=deferred"
if [ -n "$qid" ] && grep -q -E "$pat" "$D/log/maillog"; then
	ok 0 "e: the filter deferred it with dsn=4.3.0 (exit 75)"
else
	ok 1 "e: the filter deferred it with dsn=4.3.0 (exit 75)"
	grep "relay=postdesk" "$D/log/maillog" | tail -n 2 | sed 's/^/#   /'
fi
[ -n "$reason" ] && [ "$reason" != null ]
ok $? "e: the delay_reason carries the filter's text"
if grep -q 'relay=postdesk,.*status=bounced' "$D/log/maillog"; then
	ok 1 "e: nothing bounced"
else
	ok 0 "e: nothing bounced"
fi
chmod 700 "$D/data"
is "$(count_subject "$SUBJE")" 0 "e: nothing was stored during the fault"
is "$(nticket)" 3 "e: still three tickets"
pf_flush
ok $? "e: flush settles"
is "$(pf_queue_count)" 0 "e: the queue is empty after the flush"
is "$(count_subject "$SUBJE")" 1 "e: the deferred mail is stored exactly once"
is "$(nticket)" 4 "e: it became ticket 4"

# ---- (f) the same message twice is stored once ----
SUBJF="Duplicate delivery $RUN"
MIDF="<dup-$RUN@example.com>"
DATEF=$(date -R)
sent_before=$(sent_count)
for i in 1 2; do
	send_ok "f: copy $i accepted and delivered" \
	    --from carol@example.com --header "From: Carol <carol@example.com>" \
	    --header "Subject: $SUBJF" --header "Message-Id: $MIDF" \
	    --header "Date: $DATEF" \
	    --body "Where is my parcel? Tracking says delivered."
done
is "$(sent_count)" $((sent_before + 2)) \
    "f: Postfix reports both copies delivered (status=sent)"
is "$(count_subject "$SUBJF")" 1 "f: the message is stored once"
is "$(nticket)" 5 "f: it made one ticket"

# ---- the whole run ----
is "$(pf_queue_count)" 0 "the queue is empty"
bounces=$(grep -l -i '^Subject: Undelivered Mail' "$D"/outbox/*.eml 2>/dev/null | wc -l)
is "$bounces" 0 "no bounce was generated"
echo "# outbound mail captured: $(pf_outbox_files | wc -l)"

# ---- (g) over message_size_limit: bounced with 5.3.4, not stored ----
# postdesk-filter reads its configuration on every run: no reload needed.
cp "$PF_CONF" "$D/postdesk.conf.orig"
echo "message_size_limit = 4k" >>"$PF_CONF"
SUBJG="Screenshot of the error $RUN"
head -c 9000 /dev/urandom | base64 >"$D/big.txt"
send_ok "g: a 12 KB mail accepted by Postfix" \
    --from dave@example.com --header "From: Dave <dave@example.com>" \
    --header "Subject: $SUBJG" --header "Message-Id: <big-$RUN@example.com>" \
    --body "@$D/big.txt"
cp "$D/postdesk.conf.orig" "$PF_CONF"
if grep -q -E 'relay=postdesk, .*dsn=5\.3\.4, status=bounced' "$D/log/maillog"; then
	ok 0 "g: over message_size_limit: bounced with dsn=5.3.4 (exit 65)"
else
	ok 1 "g: over message_size_limit: bounced with dsn=5.3.4 (exit 65)"
	grep "relay=postdesk" "$D/log/maillog" | tail -n 1 | sed 's/^/#   /'
fi
got=$(grep -l "^X-Capture-Recipient: dave@example.com" "$D"/outbox/*.eml 2>/dev/null |
    xargs -r grep -l -i '^Subject: Undelivered Mail' | wc -l)
is "$got" 1 "g: the sender gets the bounce"
is "$(count_subject "$SUBJG")" 0 "g: nothing was stored"
is "$(pf_queue_count)" 0 "g: the queue is empty"

# The filter runs as pdtest with /usr/sbin/sendmail: inside master's mount
# namespace that must reach this instance (and land in the outbox).
mpid=$(tr -d ' ' <"$D/spool/pid/master.pid" 2>/dev/null)
printf 'From: support@support.test\nTo: probe@example.org\n%s\n\nprobe\n' \
    "Subject: probe $RUN" |
    nsenter -t "$mpid" -m -- setpriv --reuid="$PF_USER" --regid="$PF_USER" \
    --init-groups /usr/sbin/sendmail -i -f support@support.test probe@example.org
ok $? "the pipe user's /usr/sbin/sendmail accepts mail in the instance's namespace"
pf_settle
got=$(grep -l "^X-Capture-Recipient: probe@example.org" "$D"/outbox/*.eml \
    2>/dev/null | wc -l)
is "$got" 1 "... and it is captured in the outbox"

if [ "${PF_VALGRIND:-0}" = 1 ]; then
	bad=$(pf_valgrind_errors)
	is "$bad" "" "valgrind: no errors in any postdesk-filter run"
	[ -z "$bad" ] || head -n 30 $bad | sed 's/^/#   /'
fi

exit 0

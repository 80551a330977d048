#!/bin/bash
# postfix_notify.sh - notifications through a real, private Postfix
#
# A TAP test. The private instance of tests/lib/postfix.sh (on
# 127.0.0.1:PD_POSTFIX_PORT, default 2745, else the next free of 2755,
# 2765, ...) takes customers' mail into postdesk-filter AND takes
# postdesk's outgoing mail: the filter's plain /usr/sbin/sendmail reaches
# the instance (master runs in a mount namespace where D/etc is
# /etc/postfix), which relays everything not for support.test to its
# `capture` pipe, D/outbox/QID.eml, with X-Capture-Sender/-Recipient lines
# for the envelope. So the test reads the very mail a customer and an agent
# would receive:
#   a. a new mail: the customer's acknowledgement (envelope sender the
#      bounce address; From, Reply-To = the ticket's reply address, the
#      ticket URL verifies) and agent_new to both agents (another domain),
#      each with its own Reply-To;
#   b. swaks replies to that Reply-To with the acknowledgement's Message-ID
#      in In-Reply-To: it joins the ticket, the agents get agent_reply, the
#      customer nothing;
#   c. a vacation auto-reply to the acknowledgement is stored on the ticket
#      without a status change and without any new mail;
#   d. two customers, one ticket each: neither ever gets the other's mail,
#      reply address or URL;
# plus: nothing bounced, the queue is empty.
# PF_VALGRIND=1 runs every postdesk-filter under valgrind (slower).
#
# Needs root, postfix, swaks, jq, python3 and util-linux (unshare);
# otherwise "1..0 # SKIP why", exit 77. The instance is stopped on any
# exit; its directory is removed on success and kept on failure.

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir

# TAP checks, skip, the instance's directory and port, capture helpers
. "$top_srcdir/tests/lib/pf_tap.sh" || { echo "Bail out! harness"; exit 99; }

[ "$(id -u)" = 0 ] || skip "needs root to run a private Postfix master"
for c in postfix postqueue swaks unshare jq python3; do
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
pf_tap_instance notify 2745

if ! pf_setup "$D" "$port"; then
	ok 1 "private Postfix set up in $D"
	exit 1
fi
# two agents at another domain: their mail goes out to the capture too
cat >"$D/etc/agents" <<'EOF'
alice@agents.test name="Alice Agent"
bob@agents.test name="Bob Agent"
EOF
chmod 644 "$D/etc/agents"
echo "agents_file = $D/etc/agents" >>"$PF_CONF"
if ! pf_postdesk check >"$D/log/check.out" 2>&1; then
	sed 's/^/#   /' "$D/log/check.out"
	ok 1 "postdesk check accepts the configuration, agents and templates"
else
	ok 0 "postdesk check accepts the configuration, agents and templates"
fi
if ! pf_start; then
	ok 1 "private Postfix comes up on 127.0.0.1:$port"
	exit 1
fi
ok 0 "private Postfix comes up on 127.0.0.1:$port"

RUN=$$.$(date +%s)

# ---- helpers ----

# ticket_json ID - postdesk show ID --json ({} on failure)
ticket_json()
{
	pf_postdesk show "$1" --json 2>/dev/null || echo '{}'
}

# nmsg ID - how many messages ticket ID has
nmsg()
{
	ticket_json "$1" | jq '.messages | length'
}

# noutbox - how many captured messages there are
noutbox()
{
	ls "$D"/outbox/*.eml 2>/dev/null | wc -l
}

# wait_outbox N - wait (<= 15 s) until at least N messages are captured
wait_outbox()
{
	local i
	for i in $(seq 150); do
		[ "$(noutbox)" -ge "$1" ] && { pf_settle; return 0; }
		sleep 0.1
	done
	return 1
}

# send LABEL SWAKS-ARGS... - pf_send, settle; one TAP line
send()
{
	local label=$1
	shift
	pf_send "$@" && pf_settle
	ok $? "$label"
}

# ---- (a) a new mail: the acknowledgement and the agents' notices ----
SUBJ1="Order 4711 never arrived"
send "a: alice's new mail is accepted and delivered" \
    --from alice@example.com --header "From: Alice Example <alice@example.com>" \
    --header "Subject: $SUBJ1" --header "Message-Id: <order-$RUN@example.com>" \
    --body "Hello, my order 4711 never arrived. Can you check?"
wait_outbox 3
ok $? "a: three notifications reach the capture"
is "$(nmsg 1)" 1 "a: ticket 1 holds the mail"
is "$(ncaptured alice@example.com)" 1 "a: one acknowledgement to alice"
ACK=$(captured_to alice@example.com | tail -n 1)
S1=$(ticket_json 1)
RA1=$(jq -r .reply_address <<<"$S1")
URL1=$(jq -r .url <<<"$S1")
is "$(hdr "$ACK" X-Capture-Sender)" "support@support.test" \
    "a: its envelope sender is the bounce address"
is "$(hdr "$ACK" X-Capture-Recipient)" "alice@example.com" \
    "a: its only envelope recipient is alice"
is "$(hdr "$ACK" From)" "postdesk test <support@support.test>" \
    "a: From the site name and the support address"
is "$(hdr "$ACK" To)" "Alice Example <alice@example.com>" "a: To alice"
is "$(hdr "$ACK" Reply-To)" "$RA1" "a: Reply-To is the ticket's reply address"
is "$(hdr "$ACK" Subject)" "[#1] $SUBJ1" "a: Subject with the ticket tag"
is "$(hdr "$ACK" In-Reply-To)" "<order-$RUN@example.com>" \
    "a: In-Reply-To alice's Message-ID"
is "$(hdr "$ACK" Auto-Submitted)" "auto-replied" "a: Auto-Submitted: auto-replied"
is "$(hdr "$ACK" X-Loop)" "support@support.test" "a: X-Loop"
ACKID=$(hdr "$ACK" Message-ID)
case $ACKID in
"<pd.1."*"@support.test>") ok 0 "a: a signed Message-ID <pd.1.N.MAC@support.test>" ;;
*) is "$ACKID" "<pd.1.N.MAC@support.test>" "a: a signed Message-ID <pd.1.N.MAC@support.test>" ;;
esac
URL=$(body "$ACK" | grep -Eo 'http://127\.0\.0\.1:8080/t/[^ ]+' | head -n 1)
is "$URL" "$URL1" "a: the body has the ticket's URL"
out=$(pf_postdesk url --verify "$URL")
is "$?:$out" "0:valid: ticket 1" "a: the URL from the mail verifies"
is "$(body "$ACK" | head -n 1)" "##- Please type your reply above this line -##" \
    "a: the marker is the first line"
for a in alice@agents.test bob@agents.test; do
	is "$(ncaptured "$a" '\[#1\] New ticket: ')" 1 "a: $a received agent_new"
done
FA=$(captured_to alice@agents.test | tail -n 1)
FB=$(captured_to bob@agents.test | tail -n 1)
RAA=$(hdr "$FA" Reply-To)
RAB=$(hdr "$FB" Reply-To)
case $RAA in
support+1.*.*.*@support.test) ok 0 "a: the agent's Reply-To is support+1.SEQ.AID.MAC@" ;;
*) is "$RAA" "support+1.SEQ.AID.MAC@support.test" "a: the agent's Reply-To is support+1.SEQ.AID.MAC@" ;;
esac
[ "$RAA" != "$RAB" ] && [ "$RAA" != "$RA1" ] && [ "$RAB" != "$RA1" ]
ok $? "a: each agent's Reply-To is its own, and not the customer's"
is "$(hdr "$FA" X-Capture-Sender)" "support@support.test" \
    "a: agent mail's envelope sender is the bounce address too"

# ---- (b) a reply to the Reply-To, naming the acknowledgement ----
n0=$(noutbox)
send "b: alice's reply to the Reply-To is accepted and delivered" \
    --from alice@example.com --to "$RA1" \
    --header "From: Alice Example <alice@example.com>" \
    --header "Subject: Re: [#1] $SUBJ1" \
    --header "Message-Id: <order-reply-$RUN@example.com>" \
    --header "In-Reply-To: $ACKID" \
    --header "References: <order-$RUN@example.com> $ACKID" \
    --body "The tracking number is 00340434161094042557."
wait_outbox $((n0 + 2))
ok $? "b: two more notifications reach the capture"
is "$(nmsg 1)" 2 "b: the reply joined ticket 1"
is "$(pf_postdesk list --json | jq length)" 1 "b: still one ticket"
for a in alice@agents.test bob@agents.test; do
	is "$(ncaptured "$a" '\[#1\] Customer reply: ')" 1 "b: $a received agent_reply"
done
is "$(ncaptured alice@example.com)" 1 "b: nothing more to alice"
FA=$(captured_to alice@agents.test '\[#1\] Customer reply: ' | tail -n 1)
body "$FA" | grep -q 00340434161094042557
ok $? "b: agent_reply carries the customer's text"

# ---- (c) a vacation auto-reply to the acknowledgement ----
ST=$(ticket_json 1 | jq -r .status)
n0=$(noutbox)
send "c: alice's vacation reply is accepted and delivered" \
    --from alice@example.com --to support@support.test \
    --header "From: Alice Example <alice@example.com>" \
    --header "Subject: Out of Office: [#1] $SUBJ1" \
    --header "Auto-Submitted: auto-replied" \
    --header "Message-Id: <vacation-$RUN@example.com>" \
    --header "In-Reply-To: $ACKID" --header "References: $ACKID" \
    --body "I am on holiday until 1 December."
# the filter's sendmail runs before it exits: settle covers it
sleep 0.5
pf_settle
is "$(nmsg 1)" 3 "c: the vacation reply is stored on ticket 1"
S1=$(ticket_json 1)
is "$(jq -r .status <<<"$S1")" "$ST" "c: the ticket's status did not change"
is "$(jq -r '[.events[] | select(.kind == "autoreply")] | length' <<<"$S1")" 1 \
    "c: the history records it as an autoreply"
is "$(noutbox)" "$n0" "c: no new notification at all"

# ---- (d) two customers: nobody sees the other's ticket ----
n0=$(noutbox)
send "d: carol's new mail is accepted and delivered" \
    --from carol@example.org --header "From: Carol <carol@example.org>" \
    --header "Subject: Refund for invoice 99" \
    --header "Message-Id: <refund-$RUN@example.org>" \
    --body "Please refund invoice 99."
wait_outbox $((n0 + 3))
ok $? "d: three notifications for ticket 2"
S2=$(ticket_json 2)
RA2=$(jq -r .reply_address <<<"$S2")
URL2=$(jq -r .url <<<"$S2")
CACK=$(captured_to carol@example.org | tail -n 1)
is "$(hdr "$CACK" Reply-To)" "$RA2" "d: carol's Reply-To is ticket 2's"
CACKID=$(hdr "$CACK" Message-ID)
n0=$(noutbox)
send "d: carol answers her acknowledgement" \
    --from carol@example.org --to "$RA2" --header "From: Carol <carol@example.org>" \
    --header "Subject: Re: [#2] Refund for invoice 99" \
    --header "Message-Id: <refund-reply-$RUN@example.org>" \
    --header "In-Reply-To: $CACKID" --body "Any news?"
wait_outbox $((n0 + 2))
is "$(nmsg 2):$(nmsg 1)" "2:3" "d: carol's reply joined ticket 2, not ticket 1"
leak=0
for f in $(captured_to alice@example.com); do
	grep -qF -e "$RA2" -e "$URL2" -e "[#2]" -e "invoice 99" "$f" && leak=1
	[ "$(grep -c '^X-Capture-Recipient:' "$f")" = 1 ] || leak=1
done
is "$leak" 0 "d: nothing of carol's ticket in alice's mail"
leak=0
for f in $(captured_to carol@example.org); do
	grep -qF -e "$RA1" -e "$URL1" -e "[#1]" -e "4711" "$f" && leak=1
	[ "$(grep -c '^X-Capture-Recipient:' "$f")" = 1 ] || leak=1
done
is "$leak" 0 "d: nothing of alice's ticket in carol's mail"
is "$(ncaptured alice@example.com):$(ncaptured carol@example.org)" "1:1" \
    "d: each customer got exactly one mail, her acknowledgement"

# ---- the whole run ----
pf_settle
is "$(pf_queue_count)" 0 "the queue is empty"
is "$(grep -l -i '^Subject: Undelivered Mail' "$D"/outbox/*.eml 2>/dev/null | wc -l)" 0 \
    "nothing bounced"
is "$(grep -c 'relay=postdesk,.*status=sent' "$D/log/maillog")" 5 \
    "Postfix delivered the 5 inbound mails to postdesk, once each"
is "$(grep -c 'relay=capture,.*status=sent' "$D/log/maillog")" "$(noutbox)" \
    "every notification left through Postfix (status=sent to the capture)"
is "$(pf_postdesk outbox --json | jq length)" 0 "postdesk's outbox is empty"
echo "# notifications captured: $(noutbox)"

if [ "${PF_VALGRIND:-0}" = 1 ]; then
	bad=$(pf_valgrind_errors)
	is "$bad" "" "valgrind: no errors in any postdesk-filter run"
	[ -z "$bad" ] || head -n 30 $bad | sed 's/^/#   /'
fi

exit 0

#!/bin/bash
# postfix_agents.sh - agents work from their mail client, through a real Postfix
#
# A TAP test. The private instance of tests/lib/postfix.sh (on
# 127.0.0.1:PD_POSTFIX_PORT, default 2765, else the next free of 2775,
# 2785, ...) takes mail for support.test into postdesk-filter through its
# unchanged `postdesk` pipe(8) entry (argv ... --sasl-user=${sasl_username}
# -- ${recipient}) and relays all other mail, customers' and agents', to
# its capture: D/outbox/QID.eml. Two agents live at agents.test (so their
# notices are captured, never delivered to support.test): ann (login=ann,
# with a display name) and bob (no display name, so nothing can hide his
# address behind a name). The test reads what a customer and each agent
# would receive:
#   a. ann answers her notice's agent-specific Reply-To (quoting it, with a
#      signature): carl, the customer, gets the text from the support
#      address, and the agent's address appears nowhere in what carl gets
#      (raw and decoded headers and body);
#   b. a forged From: ann, without authentication, to the ticket's customer
#      reply address: no command runs, it is stored as a customer message
#      (held, as ann is not on the ticket: unknown_sender_policy = moderate);
#   c. ann's #note, authenticated by SMTP AUTH alone (sent to the customer
#      reply address, not to her own): stored as internal, reaches bob,
#      never carl; a login that is no agent's gives no power;
#   d. bob answers the same notice ann answered: held, bob is told what ann
#      said; #send to that notice's Reply-To delivers it to carl;
#   e. ann #locks: bob's reply and command are refused, his notice names ann;
#   f. postdesk-cron, with POSTDESK_NOW before and after lock_timeout,
#      keeps and then releases the lock; bob's next reply reaches carl.
#
# The three ways an agent is recognised: the agent-specific reply address
# (a, d, e, f), SMTP AUTH (c); a DKIM pass from trusted_authserv_id is
# covered without an MTA by tests/e2e/agents.sh.
#
# How SMTP AUTH is given without a SASL setup (c): the test allows
# XCLIENT from 127.0.0.1 (smtpd_authorized_xclient_hosts) and swaks sends
# XCLIENT LOGIN=ann. Postfix's smtpd then records "ann" as the session's
# SASL login exactly as after a successful AUTH, cleanup stores it in the
# queue file, and the unchanged pipe entry expands ${sasl_username} to
# --sasl-user=ann. Only the password check (Cyrus or Dovecot) is skipped:
# that is Postfix's job, not postdesk's. Nothing hard-codes a login into
# argv, so the path under test is the one a real deployment takes; a
# session without XCLIENT (b) passes an empty --sasl-user=.
#
# postdesk-cron runs as root with -c the instance's postdesk.conf (it
# switches to the data directory's owner itself) inside master's mount
# namespace, so any mail it sends goes to this instance, never the host's.
#
# Needs root, postfix, swaks, jq, python3 and util-linux (unshare,
# nsenter); otherwise "1..0 # SKIP why", exit 77. The instance is stopped
# on any exit; its directory is removed on success, kept on failure.
# PF_VALGRIND=1 runs every postdesk-filter under valgrind (slower).

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir top_builddir

# TAP checks, skip, the instance's directory and port, capture helpers
. "$top_srcdir/tests/lib/pf_tap.sh" || { echo "Bail out! harness"; exit 99; }

[ "$(id -u)" = 0 ] || skip "needs root to run a private Postfix master"
for c in postfix postqueue postconf swaks unshare nsenter jq python3; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
done
unshare -m --propagation private true 2>/dev/null ||
    skip "no mount namespace: the filter's sendmail cannot reach the instance"
for p in postdesk postdesk-filter postdesk-cron; do
	if [ ! -x "$top_builddir/$p" ]; then
		echo "Bail out! $top_builddir/$p is not built"
		exit 99
	fi
done

. "$top_srcdir/tests/lib/postfix.sh" || { echo "Bail out! harness"; exit 99; }

# ---- the instance's directory and port (tests/lib/pf_tap.sh) ----
pf_tap_instance agents 2765

ANN=ann@agents.test
BOB=bob@agents.test
CARL=carl@example.net
LOCK_TIMEOUT_MIN=10

if ! pf_setup "$D" "$port"; then
	ok 1 "private Postfix set up in $D"
	exit 1
fi
cat >"$D/etc/agents" <<EOF
# the agents of the test helpdesk (not at support.test: mail to them is captured)
$ANN login=ann name="Ann Agent"
$BOB
EOF
chmod 644 "$D/etc/agents"
{
	echo "agents_file = $D/etc/agents"
	echo "lock_timeout = ${LOCK_TIMEOUT_MIN}m"
} >>"$PF_CONF"
# XCLIENT LOGIN= stands in for SMTP AUTH (see the header)
postconf -c "$D/etc" -e "smtpd_authorized_xclient_hosts = 127.0.0.1" &&
    touch -d '10 seconds ago' "$D/etc/main.cf"
ok $? "XCLIENT from 127.0.0.1 allowed in the instance's main.cf"
if ! pf_postdesk check >"$D/log/check.out" 2>&1; then
	sed 's/^/#   /' "$D/log/check.out"
	ok 1 "postdesk check accepts the configuration and the agents file"
else
	ok 0 "postdesk check accepts the configuration and the agents file"
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

# tj FILTER - jq FILTER over ticket 1
tj()
{
	ticket_json 1 | jq -r "$1" 2>/dev/null
}

# last_to ADDR [SUBJECT-REGEX] - the newest such file
last_to()
{
	captured_to "$@" | tail -n 1
}

# wait_for N ADDR [SUBJECT-REGEX] - wait (<= 15 s) for N such captures
wait_for()
{
	local n=$1 i
	shift
	for i in $(seq 150); do
		[ "$(ncaptured "$@")" -ge "$n" ] && { pf_settle; return 0; }
		sleep 0.1
	done
	return 1
}

# decoded FILE - every header (decoded) and every decoded text part: what
# a reader could see, whatever the transfer encoding
decoded()
{
	python3 - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'),
                                   policy=email.policy.default)
for part in m.walk():
    for k, v in part.items():
        print('%s: %s' % (k, v))
    if not part.is_multipart():
        try:
            print(part.get_content())
        except Exception:
            print(part.get_payload(decode=True).decode('latin-1'))
PY
}

# mentions FILE ADDR - the raw or decoded message contains ADDR anywhere
mentions()
{
	grep -qiF "$2" "$1" || decoded "$1" | grep -qiF "$2"
}

# send_as LABEL SWAKS-ARGS... - swaks, then settle; one TAP line. An
# empty argument (a Reply-To that did not arrive) fails at once: swaks
# would prompt for it.
NSENT=0
send_as()
{
	local label=$1 a
	shift
	for a in "$@"; do
		if [ -z "$a" ]; then
			ok 1 "$label"
			echo "#   (an empty swaks argument: a Reply-To is missing)"
			return 1
		fi
	done
	NSENT=$((NSENT + 1))
	pf_send "$@" </dev/null && pf_settle
	ok $? "$label"
}

# agent_body TEXT QUOTED - what a mail client writes: TEXT, a signature,
# the attribution line and the notice quoted with "> "
agent_body()
{
	printf '%s\n\n-- \nAgent at Example Inc.\n\nOn %s, postdesk test wrote:\n' \
	    "$1" "$(date -R)"
	printf '%s\n' "$2" | sed 's/^/> /'
}

# ---- a new ticket: the agents' notices ----
SUBJ="Printer on fire"
send_as "carl's new mail is accepted and delivered" \
    --from "$CARL" --header "From: Carl Customer <$CARL>" \
    --header "Subject: $SUBJ" --header "Message-Id: <fire-$RUN@example.net>" \
    --body "My printer is on fire. What now?"
wait_for 1 "$CARL" && wait_for 1 "$ANN" && wait_for 1 "$BOB"
ok $? "carl's acknowledgement and both agents' notices reach the capture"
is "$(tj '.id // empty')" 1 "the mail became ticket 1"
RC=$(tj .reply_address)
NA=$(last_to "$ANN" '\[#1\] New ticket: ')
NB=$(last_to "$BOB" '\[#1\] New ticket: ')
RA=$(hdr "$NA" Reply-To)
RB=$(hdr "$NB" Reply-To)
case $RA in
support+1.*.*.*@support.test) ok 0 "ann's notice has an agent-specific Reply-To support+1.SEQ.AID.MAC@" ;;
*) is "$RA" "support+1.SEQ.AID.MAC@support.test" \
    "ann's notice has an agent-specific Reply-To support+1.SEQ.AID.MAC@" ;;
esac
[ -n "$RB" ] && [ "$RA" != "$RB" ] && [ "$RA" != "$RC" ] && [ "$RB" != "$RC" ]
ok $? "... bob's is another, and neither is the customer's reply address"
ACK=$(last_to "$CARL")
is "$(hdr "$ACK" Reply-To)" "$RC" "carl's acknowledgement has the customer reply address"

# ---- (a) ann answers from her mail client ----
nc=$(ncaptured "$CARL")
send_as "a: ann's reply to her Reply-To is accepted and delivered" \
    --from "$ANN" --to "$RA" --header "From: Ann Agent <$ANN>" \
    --header "Subject: Re: [#1] New ticket: $SUBJ" \
    --header "Message-Id: <ann1-$RUN@agents.test>" \
    --body "$(agent_body "Hello Carl, unplug it first and step away." "$(body "$NA")")"
wait_for $((nc + 1)) "$CARL"
ok $? "a: a mail reaches carl's capture"
CR=$(last_to "$CARL")
body "$CR" | grep -q "unplug it first"
ok $? "a: it carries ann's text"
is "$(hdr "$CR" From)" "postdesk test <support@support.test>" \
    "a: From the site name and the support address"
is "$(hdr "$CR" X-Capture-Sender)" "support@support.test" \
    "a: the envelope sender is the support address"
is "$(hdr "$CR" Reply-To)" "$RC" "a: Reply-To is the customer's reply address"
if mentions "$CR" "$ANN"; then
	ok 1 "a: ann's address appears nowhere in carl's mail (headers, body)"
	grep -niF "$ANN" "$CR" | head -n 3 | sed 's/^/#   /'
else
	ok 0 "a: ann's address appears nowhere in carl's mail (headers, body)"
fi
body "$CR" | grep -q -e "Example Inc" -e "My printer is on fire"
is "$?" 1 "a: neither ann's signature nor the quoted notice went to carl"
is "$(tj '.messages[1] | .author + " " + .visibility + " " + .from')" \
    "agent public $ANN" "a: stored as ann's public reply"
is "$(tj .status)" awaiting_user "a: the ticket now awaits the customer"
is "$(body "$CR" | sed -n 's/^Status: //p')" "$(tj .status_label)" \
    "a: the mail shows the ticket's status after the reply"

# ---- (b) a forged agent From without authentication ----
nc=$(ncaptured "$CARL")
na=$(ncaptured "$ANN")
send_as "b: a forged From: ann to the customer reply address is delivered" \
    --from "$ANN" --to "$RC" --header "From: Ann Agent <$ANN>" \
    --header "Subject: Re: [#1] $SUBJ" \
    --header "Message-Id: <forged-$RUN@evil.example>" \
    --body "$(printf '#status resolved\n#assign me\n#priority urgent\nPlease close this.')"
is "$(tj '.status + "|" + .assignee + "|" + .priority')" "awaiting_user||normal" \
    "b: no command took effect (status, assignee, priority unchanged)"
is "$(tj '.messages[-1] | .author + " " + .visibility')" "customer held" \
    "b: it is stored as a customer message (held: ann is no participant)"
tj '.messages[-1].text' | grep -q '#status resolved'
ok $? "b: with its command lines as plain text"
sleep 0.5
pf_settle
is "$(ncaptured "$CARL"):$(ncaptured "$ANN")" "$nc:$na" \
    "b: nothing goes to carl, no result mail to ann"

# ---- (c) an authenticated note ----
nb=$(ncaptured "$BOB" '\[#1\] Internal note: ')
send_as "c: ann's #note with SMTP AUTH (XCLIENT LOGIN=ann) is delivered" \
    --xclient-login ann \
    --from "$ANN" --to "$RC" --header "From: Ann Agent <$ANN>" \
    --header "Subject: Re: [#1] $SUBJ" \
    --header "Message-Id: <note-$RUN@agents.test>" \
    --body "$(printf '#note\nCarl sounds upset, be gentle with him.')"
grep -q 'sasl_method=XCLIENT, sasl_username=ann$' "$D/log/maillog"
ok $? "c: Postfix recorded the SASL login ann for that session"

is "$(tj '.messages[-1] | .author + " " + .visibility + " " + .from')" \
    "agent internal $ANN" "c: stored as ann's internal note"
tj '.messages[-1].text' | grep -q "be gentle"
ok $? "c: with the note's text"
wait_for $((nb + 1)) "$BOB" '\[#1\] Internal note: '
ok $? "c: bob receives the note"
body "$(last_to "$BOB" '\[#1\] Internal note: ')" | grep -q "be gentle"
ok $? "c: ... with its text"
leak=0
for f in $(captured_to "$CARL"); do
	mentions "$f" "be gentle" && leak=1
done
is "$leak" 0 "c: the note never reaches carl's capture"
wait_for 1 "$ANN" '\[#1\] What your mail did'
body "$(last_to "$ANN" '\[#1\] What your mail did')" | grep -q "#note: added"
ok $? "c: ann is told the note was added"
n=$(tj '.messages | length')
send_as "c: a login that is no agent's (XCLIENT LOGIN=mallory) is delivered" \
    --xclient-login mallory \
    --from "$ANN" --to "$RC" --header "From: Ann Agent <$ANN>" \
    --header "Subject: Re: [#1] $SUBJ" \
    --header "Message-Id: <mallory-$RUN@evil.example>" \
    --body "$(printf '#note\nnot a note')"
is "$(tj '.messages | length'):$(tj '.messages[-1].author + " " + .messages[-1].visibility')" \
    "$((n + 1)):customer held" "c: ... and gives no agent power (a customer message)"

# ---- (d) bob answers the same notice ann answered ----
nc=$(ncaptured "$CARL")
nb=$(ncaptured "$BOB" '\[#1\] What your mail did')
send_as "d: bob's reply to his first notice is delivered" \
    --from "$BOB" --to "$RB" --header "From: $BOB" \
    --header "Subject: Re: [#1] New ticket: $SUBJ" \
    --header "Message-Id: <bob1-$RUN@agents.test>" \
    --body "$(agent_body "Hi Carl, call the fire brigade." "$(body "$NB")")"
wait_for $((nb + 1)) "$BOB" '\[#1\] What your mail did'
ok $? "d: bob receives a notice"
HOLD=$(last_to "$BOB" '\[#1\] What your mail did')
body "$HOLD" | grep -q "NOT sent"
ok $? "d: it says his reply was not sent"
body "$HOLD" | grep -q "unplug it first"
ok $? "d: ... and what ann wrote to the customer"
is "$(ncaptured "$CARL")" "$nc" "d: carl gets nothing"
is "$(tj '.messages[-1] | .author + " " + .visibility + " " + .from')" \
    "agent draft $BOB" "d: bob's reply is kept as his draft"
RB2=$(hdr "$HOLD" Reply-To)
case $RB2 in
support+1.*.*.*@support.test) ok 0 "d: the notice has bob's agent-specific Reply-To" ;;
*) is "$RB2" "support+1.SEQ.AID.MAC@support.test" \
    "d: the notice has bob's agent-specific Reply-To" ;;
esac
send_as "d: bob's #send to that Reply-To is delivered" \
    --from "$BOB" --to "$RB2" --header "From: $BOB" \
    --header "Subject: Re: [#1] What your mail did: $SUBJ" \
    --header "Message-Id: <bob2-$RUN@agents.test>" \
    --body "$(agent_body "#send" "$(body "$HOLD")")"
wait_for $((nc + 1)) "$CARL"
ok $? "d: a mail reaches carl's capture"
CR=$(last_to "$CARL")
body "$CR" | grep -q "call the fire brigade"
ok $? "d: it is bob's held reply"
if mentions "$CR" "$BOB"; then
	ok 1 "d: bob's address appears nowhere in carl's mail (headers, body)"
	decoded "$CR" | grep -niF "$BOB" | head -n 3 | sed 's/^/#   /'
else
	ok 0 "d: bob's address appears nowhere in carl's mail (headers, body)"
fi
is "$(tj '[.messages[] | select(.from == "'$BOB'") | .visibility] | join(" ")')" \
    "sent-draft public" "d: the draft is marked sent, the reply is public"

# ---- (e) ann locks the ticket: bob is refused ----
NA2=$(last_to "$ANN")
RA2=$(hdr "$NA2" Reply-To)
send_as "e: ann's #lock to her newest Reply-To is delivered" \
    --from "$ANN" --to "$RA2" --header "From: Ann Agent <$ANN>" \
    --header "Subject: Re: [#1] $SUBJ" \
    --header "Message-Id: <lock-$RUN@agents.test>" --body "#lock"
is "$(tj .locked_by)" "$ANN" "e: the ticket is locked by ann"
ST=$(tj .status)
nc=$(ncaptured "$CARL")
nb=$(ncaptured "$BOB")
RB3=$(hdr "$(last_to "$BOB")" Reply-To)
send_as "e: bob's reply with #status pending is delivered" \
    --from "$BOB" --to "$RB3" --header "From: $BOB" \
    --header "Subject: Re: [#1] $SUBJ" \
    --header "Message-Id: <bob3-$RUN@agents.test>" \
    --body "$(printf '#status pending\nMe too.')"
wait_for $((nb + 1)) "$BOB"
ok $? "e: bob receives a notice"
REF=$(last_to "$BOB")
body "$REF" | grep -q "locked by $ANN"
ok $? "e: it names the holder ($ANN)"
body "$REF" | grep -q "nothing was sent"
ok $? "e: ... and says nothing was done"
is "$(ncaptured "$CARL"):$(tj .status)" "$nc:$ST" \
    "e: carl gets nothing, the status stays $ST"
tj '.messages[].text' | grep -q "Me too"
is "$?" 1 "e: bob's text is not stored"

# ---- (f) the lock expires through postdesk-cron ----
mpid=$(tr -d ' ' <"$D/spool/pid/master.pid" 2>/dev/null)
run_cron()
{
	nsenter -t "$mpid" -m -- env POSTDESK_NOW="$1" \
	    "$top_builddir/postdesk-cron" -v -c "$PF_CONF" >>"$D/log/cron.out" 2>&1
}
run_cron "$(date -u -d "+$((LOCK_TIMEOUT_MIN / 2)) min" +%Y-%m-%dT%H:%M:%SZ)"
ok $? "f: postdesk-cron before lock_timeout runs"
is "$(tj .locked_by)" "$ANN" "f: ... and keeps the lock"
run_cron "$(date -u -d "+$((LOCK_TIMEOUT_MIN + 1)) min" +%Y-%m-%dT%H:%M:%SZ)"
ok $? "f: postdesk-cron after lock_timeout runs"
is "$(tj '.locked_by + "|" + (.lock_until // "null")')" "|null" \
    "f: ... and releases the lock"
tj '.events | any(.kind == "unlock" and .actor == "postdesk-cron")' | grep -qx true
ok $? "f: the history records the unlock by postdesk-cron"
grep -q 'ticket=1 action=unlock' "$D/log/cron.out"
ok $? "f: postdesk-cron logs the unlock of ticket 1"
nc=$(ncaptured "$CARL")
RB4=$(hdr "$(last_to "$BOB")" Reply-To)
send_as "f: bob's reply after the unlock is delivered" \
    --from "$BOB" --to "$RB4" --header "From: $BOB" \
    --header "Subject: Re: [#1] $SUBJ" \
    --header "Message-Id: <bob4-$RUN@agents.test>" \
    --body "The fire brigade is on its way."
wait_for $((nc + 1)) "$CARL"
ok $? "f: bob's reply now reaches carl"
body "$(last_to "$CARL")" | grep -q "on its way"
ok $? "f: ... with his text"

# ---- the whole run ----
pf_settle
is "$(pf_queue_count)" 0 "the queue is empty"
is "$(grep -l -i '^Subject: Undelivered Mail' "$D"/outbox/*.eml 2>/dev/null | wc -l)" 0 \
    "nothing bounced"
is "$(grep -c 'relay=postdesk,.*status=sent' "$D/log/maillog")" "$NSENT" \
    "Postfix delivered the $NSENT inbound mails to postdesk, once each"
is "$(pf_postdesk outbox --json | jq length)" 0 "postdesk's outbox is empty"
leak=0
for f in $(captured_to "$CARL"); do
	mentions "$f" "@agents.test" && leak=1
done
is "$leak" 0 "no agent's address in any mail carl received"
echo "# mail captured: $(pf_outbox_files | wc -l)"

if [ "${PF_VALGRIND:-0}" = 1 ]; then
	bad=$(pf_valgrind_errors)
	is "$bad" "" "valgrind: no errors in any postdesk-filter run"
	[ -z "$bad" ] || head -n 30 $bad | sed 's/^/#   /'
fi

exit 0

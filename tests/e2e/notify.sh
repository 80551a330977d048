#!/bin/bash
# notify.sh - notifications end to end, without an MTA
#
# The filter and postdesk-cron hand their mail to the capture sendmail of
# tests/lib/common.sh ($T/sent/N.eml, envelope in N.env). Every message is
# read back with python3's email package, as a mail client would. Covered:
#   the acknowledgement (From, To, Reply-To = the ticket's reply address,
#   signed Message-ID, In-Reply-To/References, Auto-Submitted, X-Loop,
#   the marker first, the ticket URL that verifies); postdesk url and
#   url --verify (forged, truncated, other ticket's); agent_new with an
#   agent-specific Reply-To per agent; a reply naming the acknowledgement's
#   Message-ID threads (step b) and only agents hear of it (agent_reply);
#   bounces and auto-replies threaded into a ticket are stored quietly;
#   the never-list (null sender, mailer-daemon@, postmaster@, noreply@,
#   Auto-Submitted, Precedence bulk/junk/list, List-Id, our X-Loop, our
#   own address); autoreply_limit per hour; sendmail failing, missing, too
#   slow: the intake still succeeds, the outbox keeps the entries, cron
#   retries with backoff, sends each once, and gives up after
#   notify_max_age (still listed); a filter killed between the commit and
#   the delivery loses nothing; header injection and odd encodings in
#   names and subjects; a template over message_size_limit; postdesk check
#   on broken templates; the German templates.
# Time comes from POSTDESK_NOW. Runs in well under a minute.
. "$(dirname "$0")/../lib/common.sh"

command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
PC=$top_builddir/postdesk-cron
[ -x "$PC" ] || { echo "Bail out! $PC is not built"; exit 99; }

HOMES=()
MARKER="##- Please type your reply above this line -##"

# cleanup - remove every home unless something failed
cleanup() {
	local h
	for h in "${HOMES[@]}"; do
		if [ "$T_FAIL" -eq 0 ]; then rm -rf "$h"; else echo "# kept $h"; fi
	done
}
trap cleanup EXIT

# new_home [CONF-LINES] - a fresh home in $T (kept in HOMES for cleanup)
new_home() {
	pd_home "$1"
	HOMES+=("$T")
	POSTDESK_NOW=2026-11-22T10:00:00Z
}

# setconf KEY VALUE - set (or with no VALUE remove) one parameter
setconf() {
	sed -i "/^$1 *=/d" "$T/postdesk.conf"
	[ $# -lt 2 ] || echo "$1 = $2" >> "$T/postdesk.conf"
}

# feed RCPT [SENDER] - deliver stdin with -v; log lines go to $T/log,
# the last delivery's to $T/last.log; returns the filter's exit status
feed() {
	local rc
	PF_OPTS=-v deliver "$@" > "$T/last.out" 2> "$T/last.log"
	rc=$?
	cat "$T/last.log" >> "$T/log"
	return $rc
}

# cron [ARGS] - postdesk-cron -v; its log goes to $T/cron.log
cron() {
	"$PC" -c "$T/postdesk.conf" -v "$@" 2> "$T/cron.log"
	local rc=$?
	cat "$T/cron.log" >> "$T/log"
	return $rc
}

# mq FILE - the message as a mail client reads it, as JSON: headers (name,
# decoded value) in order, body (decoded), defects, longest line
mq() {
	python3 - "$1" <<'PY'
import email, email.policy, json, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
heads = [[k, str(v)] for k, v in m.items()]
body = m.get_body(('plain',))
print(json.dumps({
    'headers': heads,
    'body': body.get_content() if body is not None else None,
    'ctype': m.get_content_type(),
    'charset': m.get_content_charset(),
    'defects': [type(d).__name__ for d in m.defects] +
               [type(d).__name__ for k, v in m.items() for d in v.defects],
    'maxline': max(len(l) for l in raw.split(b'\n')),
    'nul': raw.count(b'\0'),
}))
PY
}

# h JSON NAME - every value of header NAME (case-insensitive), one a line
h() {
	jq -r --arg n "$2" '.headers[] | select(.[0] | ascii_downcase ==
	    ($n | ascii_downcase)) | .[1]' <<< "$1"
}

# nh JSON NAME - how many NAME headers
nh() {
	jq --arg n "$2" '[.headers[] | select(.[0] | ascii_downcase ==
	    ($n | ascii_downcase))] | length' <<< "$1"
}

# last_to ADDR - the newest message sent to ADDR
last_to() {
	sent_to "$1" | sort | tail -n 1
}

# nto ADDR - how many messages were sent to ADDR
nto() {
	sent_to "$1" | wc -l
}

# mail FROM SUBJECT MSGID [EXTRA-HEADER-LINES] - a plain message on stdout
mail() {
	printf 'From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s>\nDate: Sun, 22 Nov 2026 10:00:00 +0000\n%s\nHello,\nthis is %s.\n' \
	    "$1" "$2" "$3" "${4:+$4
}" "$3"
}

# outbox_json - postdesk outbox --json
outbox_json() {
	pd outbox --json 2> "$T/outbox.err" || echo '[]'
}

export POSTDESK_NOW=2026-11-22T10:00:00Z

# ==== the acknowledgement and the agents' notices ====
new_home
cat > "$T/agents" <<'AG'
# two agents, both see every queue
alice@agents.example.org name="Alice Agent"
bob@agents.example.org   name="Bob Agent"
AG
setconf agents_file "$T/agents"
check "postdesk check accepts the agents file and the templates" pd check

mail "Carl Customer <carl@example.net>" "Printer on fire" c1@example.net |
    feed support@example.com
is "$?" 0 "a new mail is stored (exit 0)"
is "$(sent_count)" 3 "three notifications went out (acknowledgement + two agents)"
check "log: notify=3 on the intake line" grep -q 'ticket=1 action=new .*notify=3' "$T/last.log"
is "$(grep -c 'ticket=1 notify=[0-9]* event=.* status=sent' "$T/last.log")" 3 \
    "log: one notify=ID event=... status=sent line per notification"
is "$(nto carl@example.net)" 1 "one acknowledgement to the customer"
ACK=$(last_to carl@example.net)
is "$(cat "${ACK%.eml}.env")" "-i -f support@example.com -- carl@example.net" \
    "the acknowledgement's envelope: sender support@example.com, the customer"
J=$(mq "$ACK")
S=$(pd show 1 --json)
RA=$(jq -r .reply_address <<< "$S")
is "$(nh "$J" From):$(h "$J" From)" "1:Example Support <support@example.com>" \
    "From: the site name and the support address"
is "$(nh "$J" To):$(h "$J" To)" "1:Carl Customer <carl@example.net>" \
    "To: the customer with the name"
is "$(h "$J" Reply-To)" "$RA" "Reply-To is the ticket's reply_address (show --json)"
ACKID=$(h "$J" Message-ID)
check "Message-ID is <pd.1.N.MAC@example.com>" \
    grep -Eq '^<pd\.1\.[0-9]+\.[a-z2-7]+@example\.com>$' <<< "$ACKID"
is "$(h "$J" In-Reply-To)" "<c1@example.net>" "In-Reply-To is the customer's Message-ID"
is "$(h "$J" References)" "<c1@example.net>" "References chain the customer's message"
is "$(h "$J" Auto-Submitted)" "auto-replied" "Auto-Submitted: auto-replied"
is "$(h "$J" X-Loop)" "support@example.com" "X-Loop names this postdesk"
is "$(jq -r '.ctype + "; " + .charset' <<< "$J")" "text/plain; utf-8" \
    "text/plain in UTF-8"
is "$(jq -r '.body | split("\n")[0]' <<< "$J")" "$MARKER" \
    "the reply-above-this-line marker is the body's first line"
check "the body names the ticket with its [#1] tag" \
    jq -e '.body | contains("[#1]")' <<< "$J"
is "$(jq '.defects | length' <<< "$J")" 0 "no defects a mail client would see"
URL=$(jq -r '.body' <<< "$J" | grep -Eo 'https://help\.example\.com/t/[^ ]+' | head -n 1)
is "$URL" "$(pd url 1)" "the URL in the body is postdesk url 1"
is "$URL" "$(jq -r .url <<< "$S")" "... and show --json's url"
out=$(pd url --verify "$URL")
is "$?:$out" "0:valid: ticket 1" "url --verify: the URL of the mail is valid (exit 0)"

# agents: agent_new with a Reply-To only that agent was sent
is "$(nto alice@agents.example.org):$(nto bob@agents.example.org)" "1:1" \
    "each agent got one notice"
JA=$(mq "$(last_to alice@agents.example.org)")
JB=$(mq "$(last_to bob@agents.example.org)")
is "$(h "$JA" Subject)" "[#1] New ticket: Printer on fire" "agent_new: its Subject"
is "$(h "$JA" To)" "Alice Agent <alice@agents.example.org>" "agent_new: To the agent"
is "$(h "$JA" Auto-Submitted)" "auto-generated" "agent_new: Auto-Submitted: auto-generated"
RAA=$(h "$JA" Reply-To)
RAB=$(h "$JB" Reply-To)
check "agent Reply-To is support+1.SEQ.AID.MAC@example.com" \
    grep -Eq '^support\+1\.[0-9]+\.[a-z2-7]+\.[a-z2-7]+@example\.com$' <<< "$RAA"
ok "$([ -n "$RAA" ] && [ "$RAA" != "$RAB" ]; echo $?)" "the two agents' Reply-To differ"
ok "$([ "$RAA" != "$RA" ] && [ "$RAB" != "$RA" ]; echo $?)" \
    "neither agent's Reply-To is the customer's"
ok "$([ "$(h "$JA" Message-ID)" != "$(h "$JB" Message-ID)" ] &&
    [ "$(h "$JA" Message-ID)" != "$ACKID" ]; echo $?)" "every notification has its own Message-ID"
check "agent_new carries the customer's text" jq -e '.body | contains("this is c1@example.net")' <<< "$JA"
check "agent_new's first line is the marker" \
    jq -e --arg m "$MARKER" '.body | split("\n")[0] == $m' <<< "$JA"

# ticket URLs that are not ours
mail "Dora <dora@example.net>" "Second ticket" d1@example.net | feed support@example.com
URL2=$(pd url 2)
case $URL in *a) flip=${URL%?}b ;; *) flip=${URL%?}a ;; esac
for bad in "${URL%?}" "$flip" "${URL2%/*}/${URL##*/}" \
    "${URL%/*}/${URL2##*/}" "https://help.example.com/t/1/" "not a url"; do
	out=$(pd url --verify "$bad")
	rc=$?
	is "$rc" 1 "url --verify \"$bad\": exit 1"
	check "... with a reason" grep -q '^invalid: ' <<< "$out"
done
pd url 99 > /dev/null 2>&1
is "$?" 1 "url of a missing ticket exits 1"

# b) the customer answers the acknowledgement: threads by its Message-ID,
# only the agents hear of it
before=$(sent_count)
mail "Carl Customer <carl@example.net>" "a completely new subject" c2@example.net \
    "In-Reply-To: $ACKID
References: <c1@example.net> $ACKID" | feed support@example.com
is "$?" 0 "a reply to the acknowledgement is stored"
check "log: it threaded by our Message-ID (step b) into ticket 1" \
    grep -q 'ticket=1 action=reply step=b' "$T/last.log"
is "$(pd show 1 --json | jq '.messages | length')" 2 "ticket 1 has two messages"
is "$(($(sent_count) - before))" 2 "two notifications: one per agent"
is "$(nto carl@example.net)" 1 "nothing more to the customer"
JA=$(mq "$(last_to alice@agents.example.org)")
is "$(h "$JA" Subject)" "[#1] Customer reply: Printer on fire" "agent_reply: its Subject"
check "agent_reply carries the reply's text" jq -e '.body | contains("this is c2@example.net")' <<< "$JA"
is "$(h "$JA" In-Reply-To)" "<c2@example.net>" "agent_reply: In-Reply-To the customer's reply"
check "agent_reply: References start with the ticket's first message" \
    grep -q '^<c1@example.net>' <<< "$(h "$JA" References)"

# a bounce of the acknowledgement and a vacation reply to it, threaded
# into ticket 1: stored, no status change, nothing to the customer; the
# bounce is told to the agents (agent_bounce), the vacation reply to nobody
st=$(pd show 1 --json | jq -r .status)
before=$(sent_count)
cbefore=$(nto carl@example.net)
printf 'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: support@example.com\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <bounce1@mx.example.net>\nIn-Reply-To: %s\nReferences: %s\n\nThe mail could not be delivered.\n' \
    "$ACKID" "$ACKID" | feed support@example.com MAILER-DAEMON
is "$?" 0 "a bounce of the acknowledgement is taken (exit 0)"
is "$(($(sent_count) - before))" 2 "the bounce: one notice per agent"
is "$(h "$(mq "$(last_to bob@agents.example.org)")" Subject)" \
    "[#1] Undeliverable: Printer on fire" "the bounce: the agents' notice is agent_bounce"
before=$(sent_count)
printf 'From: Carl Customer <carl@example.net>\nTo: %s\nSubject: Out of office: Printer on fire\nAuto-Submitted: auto-replied\nMessage-ID: <vac1@example.net>\nIn-Reply-To: %s\n\nI am away until Monday.\n' \
    "$RA" "$ACKID" | feed "$RA" carl@example.net
is "$?" 0 "a vacation reply to the reply address is taken (exit 0)"
is "$(($(sent_count) - before))" 0 "the vacation reply: no notification at all"
S=$(pd show 1 --json)
is "$(jq '.messages | length' <<< "$S")" 4 "both are stored on ticket 1"
is "$(jq -r .status <<< "$S")" "$st" "the ticket's status did not change"
is "$(nto carl@example.net)" "$cbefore" "nothing went to the customer"
check "the ticket's history says bounce and autoreply" \
    jq -e '[.events[].kind] | index("bounce") and index("autoreply")' <<< "$S"
check "the history says why (null envelope sender)" \
    jq -e '[.events[].detail] | any(contains("null envelope sender"))' <<< "$S"

# ==== never an automatic mail to these ====
# never NAME SENDER FROM EXTRA-HEADERS WANT-LOG-REGEX - a new mail from a
# robot, a list or ourselves: no acknowledgement, the log says why
never() {
	local label=$1 sender=$2 from=$3 extra=$4 want=$5 addr
	addr=$(sed 's/.*<//; s/>.*//' <<< "$from")
	N=$((N + 1))
	mail "$from" "never $N" "never$N@example.net" "$extra" |
	    feed support@example.com "$sender"
	is "$?:$(nto "$addr")" "0:0" "$label: taken, no acknowledgement to $addr"
	check "$label: the log says why" grep -Eq "$want" "$T/last.log"
}
N=0
rcpt_before=$(nto carl@example.net)
never "null sender" MAILER-DAEMON "Mail Delivery System <MAILER-DAEMON@mx.example.net>" "" \
    'action=dropped class=bounce .*reason="null envelope sender"'
never "From mailer-daemon@" relay@mx.example.net "mailer-daemon@mx.example.net" "" \
    'action=dropped class=bounce .*reason="From MAILER-DAEMON"'
never "postmaster@" postmaster@example.net "postmaster@example.net" "" \
    'action=new .*notify=2 suppressed="no automatic answer to this sender"'
never "noreply@" noreply@shop.example "Shop <noreply@shop.example>" "" \
    'action=new .*suppressed="no automatic answer to this sender"'
never "Auto-Submitted: auto-replied" erin@example.net "Erin <erin@example.net>" \
    "Auto-Submitted: auto-replied" 'action=dropped class=autoreply .*reason="Auto-Submitted"'
never "Auto-Submitted: auto-generated" erin2@example.net "erin2@example.net" \
    "Auto-Submitted: auto-generated" 'action=dropped class=autoreply'
for p in bulk junk list; do
	never "Precedence: $p" "frank-$p@example.net" "frank-$p@example.net" \
	    "Precedence: $p" 'action=dropped class=autoreply .*reason="Precedence bulk/junk/list"'
done
never "List-Id" list-owner@lists.example "Gina <gina@example.net>" \
    "List-Id: <users.lists.example>" 'action=new .*suppressed="no automatic answer to this sender"'
never "X-Loop of ours" hank@example.net "Hank <hank@example.net>" \
    "X-Loop: support@example.com" 'action=dropped class=loop .*reason="our X-Loop header"'
never "From support@example.com" support@example.com "Example Support <support@example.com>" "" \
    'action=dropped class=loop'
never "From support+token@example.com" support@example.com "support+1.abc@example.com" "" \
    'action=dropped class=loop'
# the bounce_address is a postdesk address too (the envelope sender of
# every notification): never answered automatically
setconf bounce_address pd-returns@example.com
never "From the bounce_address" pd-returns@example.com "pd-returns@example.com" "" \
    'action=(dropped|new) .*(class=loop|suppressed=)'
setconf bounce_address
check "no dropped mail opened a ticket" \
    test "$(pd list --json | jq '[.[] | select(.subject | startswith("never")) |
        select(.requester != "pd-returns@example.com")] | length')" = 3
is "$(nto carl@example.net)" "$rcpt_before" "nothing reached the customer meanwhile"
is "$(grep -l -e '-- support' "$T"/sent/*.env | wc -l)" 0 "nothing was ever sent to a postdesk address"

# ==== autoreply_limit: 5 an hour per address ====
before=$(nto rate@example.net)
for i in 1 2 3 4 5 6 7 8; do
	mail "Rita <rate@example.net>" "rate $i" "rate$i@example.net" | feed support@example.com
done
is "$(($(nto rate@example.net) - before))" 5 "8 new tickets in an hour: exactly 5 acknowledgements"
is "$(grep -c 'from=<rate@example.net> .*suppressed="autoreply_limit reached"' "$T/log")" 3 \
    "the 3 others are logged with suppressed=\"autoreply_limit reached\""
is "$(pd list --json | jq '[.[] | select(.requester == "rate@example.net")] | length')" 8 \
    "... and all 8 are stored"
POSTDESK_NOW=2026-11-22T11:01:00Z
mail "Rita <rate@example.net>" "rate 9" rate9@example.net | feed support@example.com
is "$(($(nto rate@example.net) - before))" 6 "61 minutes later: acknowledged again"
is "$(nto carl@example.net)" 1 "the limit is per address: nothing to others"

# ==== sendmail fails: queued, retried with backoff, sent once ====
POSTDESK_NOW=2026-11-22T12:00:00Z
is "$(outbox_json | jq length)" 0 "the outbox is empty before"
touch "$T/sendmail.fail"
before=$(sent_count)
mail "Ivy <ivy@example.net>" "while sendmail fails" ivy1@example.net | feed support@example.com
is "$?" 0 "sendmail failing: the intake still exits 0"
check "log: status=deferred with sendmail's reason" \
    grep -q 'event=customer_new to=<ivy@example.net> status=deferred (.*simulated failure' "$T/last.log"
O=$(outbox_json)
is "$(jq length <<< "$O")" 3 "the outbox holds the 3 notifications"
is "$(jq -r '[.[] | .state + "/" + (.attempts|tostring)] | unique | join(",")' <<< "$O")" \
    "deferred/1" "... all deferred after 1 attempt"
check "... each with the last error" jq -e 'all(.[]; .last_error | contains("exited 75"))' <<< "$O"
check "... and a next_try after now" \
    jq -e 'all(.[]; .next_try > "2026-11-22T12:00:00Z")' <<< "$O"
check "postdesk outbox (table) lists them" grep -q 'customer_new *deferred' <<< "$(pd outbox)"
POSTDESK_NOW=2026-11-22T12:02:00Z
cron
is "$?" 0 "cron with sendmail still failing exits 0"
O=$(outbox_json)
is "$(jq -r '[.[].attempts] | unique | join(",")' <<< "$O")" 2 "attempts grew to 2"
check "cron logs status=deferred" grep -q 'status=deferred' "$T/cron.log"
NEXT=$(jq -r '[.[].next_try] | min' <<< "$O")
is "$NEXT" "2026-11-22T12:04:00Z" "backoff: the next try is 2 minutes later"
rm -f "$T/sendmail.fail"
POSTDESK_NOW=2026-11-22T12:03:00Z
cron
is "$(($(sent_count) - before))" 0 "before next_try cron sends nothing"
POSTDESK_NOW=2026-11-22T12:05:00Z
cron
is "$(($(sent_count) - before))" 3 "after next_try cron sends the 3, once each"
is "$(outbox_json | jq length)" 0 "the outbox is empty"
check "cron: the done line counts them" grep -Eq 'done: .*3 (notifications )?due, 3 sent, 0 deferred, 0 given up' "$T/cron.log"
cron
cron
is "$(($(sent_count) - before))" 3 "running cron twice more sends nothing"
is "$(nto ivy@example.net)" 1 "the customer got exactly one acknowledgement"
J=$(mq "$(last_to ivy@example.net)")
check "the retried acknowledgement keeps its signed Message-ID" \
    grep -Eq '^<pd\.[0-9]+\.[0-9]+\.[a-z2-7]+@example\.com>$' <<< "$(h "$J" Message-ID)"
is "$(h "$J" In-Reply-To)" "<ivy1@example.net>" "... and its In-Reply-To"

# a missing program and a slow one are failures too
setconf sendmail_path "$T/no-such-sendmail"
mail "Jon <jon@example.net>" "no sendmail" jon1@example.net | feed support@example.com
is "$?" 0 "sendmail missing: the intake exits 0"
check "... the outbox says it cannot run" \
    jq -e '[.[] | select(.recipient == "jon@example.net")][0].last_error | test("no-such-sendmail")' <<< "$(outbox_json)"
pd check > "$T/check.out" 2>&1
is "$?" 0 "check with a missing sendmail_path still exits 0 (the outbox waits)"
check "... but warns, naming the file, line and key" \
    grep -q "^postdesk: warning: $T/postdesk.conf:[0-9]*: sendmail_path: cannot run $T/no-such-sendmail: No such file or directory" "$T/check.out"
printf '#!/bin/sh\nsleep 5\n' > "$T/slow"
chmod 755 "$T/slow"
setconf sendmail_path "$T/slow"
setconf sendmail_timeout 1s
t0=$(date +%s%N)
mail "Kim <kim@example.net>" "slow sendmail" kim1@example.net | feed support@example.com
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
is "$rc" 0 "sendmail too slow: the intake exits 0"
ok "$([ "$ms" -lt 4000 ]; echo $?)" "... within about twice sendmail_timeout (${ms} ms)"
check "... the customer's entry is deferred: timed out" \
    jq -e '[.[] | select(.recipient == "kim@example.net")][0] | .state == "deferred" and (.last_error | test("timed out"))' <<< "$(outbox_json)"
# the acknowledgement and both agents' notices ran side by side: each got
# its own second, not one second after another
is "$(grep -c 'status=deferred (.*timed out after 1s)' "$T/last.log")" 3 \
    "... all three notifications were tried side by side, each deferred"
setconf sendmail_timeout
setconf sendmail_path "$T/sendmail"
POSTDESK_NOW=2026-11-22T12:30:00Z
before=$(sent_count)
cron
is "$(($(sent_count) - before))" 6 "cron delivers the 6 left behind"
is "$(nto jon@example.net):$(nto kim@example.net)" "1:1" "... one acknowledgement each"
is "$(outbox_json | jq length)" 0 "the outbox is empty again"

# the customer's text in agent_new: a 3000-character line, trailing
# blanks, a lone dot and a "From " line arrive intact, lines stay short
LINE=$(head -c 3000 /dev/zero | tr '\0' 'x')
{ mail "Una <una@example.net>" "long line" una1@example.net
  printf '%s\ntrailing blanks   \n.\nFrom the start\n' "$LINE"; } |
    feed support@example.com
J=$(mq "$(last_to alice@agents.example.org)")
check "agent_new: the 3000-character line arrives whole" \
    jq -e --arg l "$LINE" '.body | contains($l + "\ntrailing blanks   \n.\nFrom the start\n")' <<< "$J"
ok "$([ "$(jq .maxline <<< "$J")" -le 998 ]; echo $?)" \
    "agent_new: no line over 998 octets (longest $(jq .maxline <<< "$J"))"

# ==== give up after notify_max_age ====
new_home
setconf notify_max_age 59s
pd check > /dev/null 2> "$T/check.err"
is "$?" 78 "notify_max_age below its minimum (1m): check exits 78"
check "... naming the parameter" grep -q 'notify_max_age: 59 is out of range 60' "$T/check.err"
setconf notify_max_age 1m
touch "$T/sendmail.fail"
mail "Lea <lea@example.net>" "never delivered" lea1@example.net | feed support@example.com
is "$?" 0 "a mail while sendmail fails is stored"
POSTDESK_NOW=2026-11-22T10:02:00Z
cron
check "cron logs status=given up" grep -q 'to=<lea@example.net> status=given up' "$T/cron.log"
O=$(outbox_json)
is "$(jq -r '.[0].state' <<< "$O"):$(jq -r '.[0].next_try' <<< "$O")" "given up:null" \
    "postdesk outbox: state given up, no next try"
check "... with the last error" jq -e '.[0].last_error | test("gave up after 2 attempts")' <<< "$O"
check "... also in the table" grep -q 'given up' <<< "$(pd outbox)"
rm -f "$T/sendmail.fail"
POSTDESK_NOW=2026-11-22T11:00:00Z
cron
cron
is "$(sent_count)" 0 "given up: never sent again"
is "$(outbox_json | jq length)" 1 "... and still listed"

# the operator's second chance: outbox --retry and --drop
GID=$(outbox_json | jq -r '.[0].id')
touch "$T/sendmail.fail"
pd outbox --retry all > "$T/retry.out" 2>&1
is "$?" 1 "outbox --retry all while sendmail still fails: exit 1"
check "... one line: given up again, with sendmail's reason" \
    grep -q "^outbox=$GID ticket=1 event=customer_new to=<lea@example.net> status=given up (.*simulated failure" "$T/retry.out"
is "$(sent_count):$(outbox_json | jq -r '.[0].state')" "0:given up" "... nothing sent, still listed as given up"
rm -f "$T/sendmail.fail"
pd -v outbox --retry "$GID" > "$T/retry.out" 2> "$T/retry.log"
is "$?" 0 "outbox --retry ID once the MTA works: exit 0"
check "... status=sent" grep -q "^outbox=$GID .*to=<lea@example.net> status=sent\$" "$T/retry.out"
is "$(nto lea@example.net)" 1 "the customer gets the acknowledgement, once"
is "$(outbox_json | jq length)" 0 "... and it leaves the outbox"
check "... and the log line says who sent it" grep -q "notify=$GID .*status=sent (postdesk outbox --retry)" "$T/retry.log"
pd outbox --retry 999 > /dev/null 2> "$T/retry.err"
is "$?" 1 "outbox --retry of an id not in the outbox: exit 1"
check "... saying so" grep -q "no outbox entry 999" "$T/retry.err"
pd outbox --retry 1x > /dev/null 2>&1
is "$?" 64 "outbox --retry 1x: usage (64)"
touch "$T/sendmail.fail"
POSTDESK_NOW=2026-11-22T11:00:00Z
mail "Lea <lea@example.net>" "given up too" lea2@example.net | feed support@example.com
POSTDESK_NOW=2026-11-22T11:01:30Z
mail "Lea <lea@example.net>" "only deferred" lea3@example.net | feed support@example.com
POSTDESK_NOW=2026-11-22T11:02:00Z
cron
O=$(outbox_json)
is "$(jq -r '[.[].state] | sort | join(",")' <<< "$O")" "deferred,given up" \
    "two entries: one given up (queued at 11:00), one deferred (at 11:01:30)"
pd outbox --drop given-up > "$T/drop.out" 2>&1
is "$?:$(cat "$T/drop.out")" "0:postdesk: dropped 1 outbox entry" "outbox --drop given-up drops the given-up one"
is "$(outbox_json | jq -r '[.[].state] | join(",")')" "deferred" "... and keeps the deferred one"
pd outbox --drop "$(outbox_json | jq -r '.[0].id')" > "$T/drop.out" 2>&1
is "$?:$(cat "$T/drop.out")" "0:postdesk: dropped 1 outbox entry" "outbox --drop ID drops a deferred one"
rm -f "$T/sendmail.fail"
POSTDESK_NOW=2026-11-22T13:00:00Z
cron
is "$(outbox_json | jq length):$(sent_count)" "0:1" "cron sends neither of the dropped ones"

# ==== a crash between the commit and the delivery ====
new_home
cat > "$T/crash" <<'SM'
#!/bin/sh
# kill the filter that runs us, before reading the message
kill -9 "$PPID"
sleep 1
SM
chmod 755 "$T/crash"
setconf sendmail_path "$T/crash"
mail "Max <max@example.net>" "crash after commit" max1@example.net > "$T/crash.eml"
feed support@example.com < "$T/crash.eml"
is "$?" 137 "the filter was killed (SIGKILL) while handing over the notification"
is "$(pd list --json | jq -r '.[0].subject')" "crash after commit" "the mail is stored"
O=$(outbox_json)
is "$(jq -r '[.[] | .event + "/" + .state] | join(",")' <<< "$O")" "customer_new/queued" \
    "the outbox holds the acknowledgement, queued"
setconf sendmail_path "$T/sendmail"
feed support@example.com < "$T/crash.eml"
is "$?" 0 "the MTA's redelivery is taken (exit 0)"
check "... as a duplicate" grep -q 'action=duplicate' "$T/last.log"
is "$(outbox_json | jq length):$(sent_count)" "1:0" "... which queues and sends nothing more"
POSTDESK_NOW=2026-11-22T10:01:00Z
cron
cron
is "$(nto max@example.net)" 1 "the next cron runs send it, once"
is "$(outbox_json | jq length)" 0 "the outbox is empty"

# ==== header injection and odd encodings in names and subjects ====
new_home
# fixed_headers JSON LABEL - exactly the headers postdesk writes, once each
HEADERS="Date,From,Reply-To,Subject,To,Message-Id,In-Reply-To,References,Auto-Submitted,X-Loop,MIME-Version,Content-Type,Content-Transfer-Encoding"
fixed_headers() {
	is "$(jq -r '[.headers[][0]] | join(",")' <<< "$1")" "$HEADERS" \
	    "$2: exactly the usual headers, once each (no Bcc, nothing added)"
}
# inject LABEL MSGID ADDR - deliver stdin, read the acknowledgement to ADDR
inject() {
	feed support@example.com "$3"
	is "$?:$(nto "$3")" "0:1" "$1: stored, one acknowledgement"
	J=$(mq "$(last_to "$3")")
	fixed_headers "$J" "$1"
	is "$(cat "$(last_to "$3" | sed 's/\.eml$/.env/')")" "-i -f support@example.com -- $3" \
	    "$1: the envelope names only the customer"
	is "$(jq '.defects | length' <<< "$J"):$(jq .nul <<< "$J")" "0:0" \
	    "$1: no defects, no NUL byte"
	ok "$([ "$(jq .maxline <<< "$J")" -le 998 ]; echo $?)" "$1: no line over 998 octets"
}
b64() { printf "$1" | base64 -w0; }
printf 'From: =?utf-8?b?%s?= <nina@example.net>\nTo: support@example.com\nSubject: =?utf-8?b?%s?=\nMessage-ID: <crlf1@example.net>\n\nhi\n' \
    "$(b64 'Nina\r\nBcc: x@evil')" "$(b64 'Help\r\nBcc: x@evil\r\n\r\nforged body')" |
    inject "CR/LF in encoded words" crlf1 nina@example.net
check "CR/LF: the Subject is one line" jq -e '[.headers[] | select(.[0] == "Subject")][0][1] | test("[\r\n]") | not' <<< "$J"
is "$(h "$J" Subject)" "[#1] $(pd show 1 --json | jq -r .subject)" \
    "CR/LF: the Subject is the ticket's subject as text"
check "CR/LF: the Bcc stays inside the Subject" grep -q 'Bcc: x@evil' <<< "$(h "$J" Subject)"
check "CR/LF: the To address is the customer's" grep -q '<nina@example.net>$' <<< "$(h "$J" To)"
check "CR/LF: the forged body is not the body" jq -e --arg m "$MARKER" '.body | startswith($m)' <<< "$J"

printf 'From: =?utf-8?q?Olaf=00Nul?= <olaf@example.net>\nTo: support@example.com\nSubject: NUL\0 in the =?utf-8?q?subject=00here?=\nMessage-ID: <nul1@example.net>\n\nhi\n' |
    inject "NUL bytes" nul1 olaf@example.net
check "NUL: the name survives around it" grep -Eq '^"?Olaf.?Nul"? <olaf@example.net>$' <<< "$(h "$J" To)"
check "NUL: the Subject keeps its words" grep -Eq '^\[#2\] NUL ?in the subject.?here$' <<< "$(h "$J" Subject)"

LONG=$(for i in $(seq 1 9); do printf 'Ärger mit der Rechnung Nr. %d – ' "$i"; done)
LONG=${LONG% }
LW=$(printf '%s' "$LONG" | base64 -w0)
ok "$([ ${#LW} -gt 300 ]; echo $?)" "the long encoded words are over 300 characters (${#LW})"
printf 'From: =?utf-8?b?%s?= <pia@example.net>\nTo: support@example.com\nSubject: =?utf-8?b?%s?=\nMessage-ID: <long1@example.net>\n\nhi\n' \
    "$LW" "$LW" |
    inject "300-character encoded words" long1 pia@example.net
is "$(h "$J" Subject)" "[#3] $LONG" "long: the Subject decodes to the whole text"
is "$(h "$J" To)" "\"$LONG\" <pia@example.net>" "long: so does the To name"

printf 'From: =?iso-8859-1?q?Zo=EB?= =?utf-8?b?%s?= <zoe@example.net>\nTo: support@example.com\nSubject: =?iso-8859-1?q?Caf=E9?= =?utf-8?b?%s?= =?iso-8859-1?q?_=E0_la_cr=E8me?=\nMessage-ID: <mixed1@example.net>\n\nhi\n' \
    "$(b64 ' Ångström')" "$(b64 ' – naïve ☕')" |
    inject "mixed ISO-8859-1 and UTF-8 encoded words" mixed1 zoe@example.net
is "$(h "$J" Subject)" "[#4] Café – naïve ☕ à la crème" "mixed: the Subject reads right"
is "$(h "$J" To)" "Zoë Ångström <zoe@example.net>" "mixed: the To name reads right"
check "mixed: the body greets with the right text" \
    jq -e '.body | contains("Café – naïve ☕ à la crème")' <<< "$J"

# raw 8-bit Latin-1 in the header (no encoded word): read as Latin-1
printf 'From: Ren\xe9 <rene@example.net>\nTo: support@example.com\nSubject: D\xe9j\xe0 vu\nMessage-ID: <raw1@example.net>\n\nhi\n' |
    inject "raw Latin-1 header bytes" raw1 rene@example.net
is "$(h "$J" Subject):$(h "$J" To)" "[#5] Déjà vu:René <rene@example.net>" \
    "raw Latin-1: Subject and name read right"

# specials in a display name: still one address, the customer's
# to_addrs JSON - the To header's addresses as "name|addr" lines
to_addrs() {
	python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for a in m["to"].addresses: print(a.display_name + "|" + a.addr_spec)' "$1"
}
printf 'From: "Evil <x@evil.example>, \\"Boss\\" O'"'"'Neil;" <sam@example.net>\nTo: support@example.com\nSubject: specials\nMessage-ID: <spec1@example.net>\n\nhi\n' |
    inject "quotes, <>, comma in the name" spec1 sam@example.net
is "$(to_addrs "$(last_to sam@example.net)")" "Evil <x@evil.example>, \"Boss\" O'Neil;|sam@example.net" \
    "specials: To has one address, the customer's, and the whole name"
printf 'From: =?utf-8?q?Evil_=3Cx=40evil=2Eexample=3E=2C_y=40evil=2Eexample?= <tom@example.net>\nTo: support@example.com\nSubject: specials 2\nMessage-ID: <spec2@example.net>\n\nhi\n' |
    inject "addresses inside an encoded name" spec2 tom@example.net
is "$(to_addrs "$(last_to tom@example.net)")" "Evil <x@evil.example>, y@evil.example|tom@example.net" \
    "encoded specials: To has one address, the customer's"

# An address mail_compose() cannot write (a quoted local part) gets no
# acknowledgement; the log must not blame message_size_limit for that.
printf 'From: "uma doe"@example.net\nTo: support@example.com\nSubject: quoted local part\nMessage-ID: <quoted1@example.net>\n\nhi\n' |
    feed support@example.com '"uma doe"@example.net'
is "$?" 0 "a quoted local part: stored (exit 0)"
ok "$(! grep -q 'suppressed="notification over message_size_limit"' "$T/last.log"; echo $?)" \
    "a quoted local part: the log does not claim message_size_limit for a 150-byte mail"
sed -n 's/.*\(notify=.*\)/# log: \1/p' "$T/last.log"

# ==== a template that renders over message_size_limit ====
new_home "message_size_limit = 8k"
mkdir "$T/tpl"
cp -R "$top_srcdir/templates/." "$T/tpl/"
{ printf 'Subject: [#<<ticket_id>>] <<subject>>\n\n<<reply_marker>>\n'
  for i in 1 2 3 4 5 6; do printf 'You wrote:\n<<message_text>>\n'; done; } > "$T/tpl/en/customer_new.tpl"
setconf template_directory "$T/tpl"
check "postdesk check accepts the operator's template" pd check
mail "Quinn <quinn@example.net>" "short" q1@example.net | feed support@example.com
is "$?:$(nto quinn@example.net)" "0:1" "a short mail: the operator's template is used"
check "... the mail is the operator's template" jq -e '.body | contains("You wrote:")' <<< "$(mq "$(last_to quinn@example.net)")"
{ mail "Quinn <quinn@example.net>" "long" q2@example.net
  for i in $(seq 25); do echo "line $i: the printer makes a noise, then the paper jams again."; done; } > "$T/long.eml"
ok "$([ "$(wc -c < "$T/long.eml")" -lt 8192 ]; echo $?)" "the customer's mail itself is under the limit"
feed support@example.com < "$T/long.eml"
is "$?" 0 "a notification over message_size_limit: the mail is still stored (exit 0)"
is "$(pd list --json | jq '[.[] | select(.subject == "long")] | length')" 1 "... it is a ticket"
is "$(nto quinn@example.net)" 1 "... no acknowledgement is sent (nor a truncated one)"
is "$(outbox_json | jq length)" 0 "... nothing waits in the outbox"
check "... the log says why" grep -q 'suppressed="notification over message_size_limit' "$T/last.log"

# ==== postdesk check on broken templates ====
printf 'Subject: [#<<ticket_id>>]\n\nDear <<customer_name>>,\n<<ticket_nr>> is yours.\n' > "$T/tpl/en/agent_new.tpl"
printf 'Cc: boss@example.com\n\nHello\n' > "$T/tpl/en/agent_reply.tpl"
pd check > /dev/null 2> "$T/check.err"
is "$?" 78 "check: broken templates exit 78"
check "check: unknown placeholder as FILE:LINE: reason" \
    grep -qF "$T/tpl/en/agent_new.tpl:4: unknown placeholder \"ticket_nr\"" "$T/check.err"
check "check: a template without Subject as FILE:LINE: reason" \
    grep -Eq "^$T/tpl/en/agent_reply.tpl:[0-9]+: .*Subject" "$T/check.err"
cp "$top_srcdir/templates/en/agent_new.tpl" "$top_srcdir/templates/en/agent_reply.tpl" "$T/tpl/en/"
chmod 600 "$T/tpl/en/customer_closed.tpl"
if [ "$(id -u)" -eq 0 ]; then
	chown root: "$T/tpl/en/customer_closed.tpl"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$PD" -c "$T/postdesk.conf" check > /dev/null 2> "$T/check.err"
	is "$?" 78 "check as another user: an unreadable template exits 78"
	check "... naming the file and the reason" \
	    grep -q "^$T/tpl/en/customer_closed.tpl:.*Permission denied" "$T/check.err"
	# The filter runs as the owner of the data directory (pdtest), so a
	# template only root can read breaks every delivery; postdesk check,
	# run as root, must check the templates as that owner too.
	chmod 600 "$T/tpl/en/customer_new.tpl"
	pd check > /dev/null 2> "$T/check.err"
	is "$?" 78 "check as root: a template the filter's account cannot read exits 78"
	mail "Rob <rob@example.net>" "unreadable template" r1@example.net | feed support@example.com
	echo "# the filter meanwhile: exit $? ($(head -c 200 "$T/last.out"))"
	chmod 644 "$T/tpl/en/customer_new.tpl"
else
	chmod 000 "$T/tpl/en/customer_closed.tpl"
	pd check > /dev/null 2> "$T/check.err"
	is "$?" 78 "check: an unreadable template exits 78"
	check "... naming the file and the reason" \
	    grep -q "^$T/tpl/en/customer_closed.tpl:.*Permission denied" "$T/check.err"
fi
chmod 644 "$T/tpl/en/customer_closed.tpl"
check "check passes again once the templates are fixed" pd check

# ==== a template's Cc: and Bcc: (tpl.h: optional literal address lists) ====
new_home
mkdir "$T/tpl"
cp -R "$top_srcdir/templates/." "$T/tpl/"
{ printf 'Subject: [#<<ticket_id>>] <<subject>>\nCc: billing@example.com\nBcc: audit@example.com\n'
  sed '1d' "$top_srcdir/templates/en/customer_new.tpl"; } > "$T/tpl/en/customer_new.tpl"
setconf template_directory "$T/tpl"
check "check accepts a template with Cc: and Bcc:" pd check
mail "Vera <vera@example.net>" "copies" cc1@example.net | feed support@example.com vera@example.net
is "$?:$(nto vera@example.net)" "0:1" "Cc/Bcc template: the customer gets the acknowledgement"
J=$(mq "$(last_to vera@example.net)")
is "$(h "$J" Cc)" "billing@example.com" "the template's Cc: is a Cc header of the mail"
is "$(nto billing@example.com)" 1 "the Cc address gets a copy"
is "$(nto audit@example.com)" 1 "the Bcc address gets a copy"
is "$(cat "$T"/sent/*.eml | grep -ci '^Bcc:')" 0 "no copy shows the Bcc"

# ==== language = de ====
new_home "language = de"
printf 'alice@agents.example.org name="Alice"\n' > "$T/agents"
setconf agents_file "$T/agents"
check "check: the German templates are complete" pd check
printf 'From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.net>\nTo: support@example.com\nSubject: =?utf-8?q?Dr=C3=BCcker_druckt_nicht?=\nMessage-ID: <de1@example.net>\n\nDer Drucker druckt nicht.\n' |
    feed support@example.com juergen@example.net
is "$?" 0 "language = de: the mail is stored"
J=$(mq "$(last_to juergen@example.net)")
is "$(h "$J" Subject)" "[#1] Drücker druckt nicht" "de: the Subject"
is "$(h "$J" To)" "Jürgen Müller <juergen@example.net>" "de: the To name"
check "de: the acknowledgement is German" jq -e '.body | contains("vielen Dank für Ihre Nachricht")' <<< "$J"
check "de: umlauts and ß intact" jq -e '.body | contains("Mit freundlichen Grüßen")' <<< "$J"
check "de: the marker is the first line" jq -e --arg m "$MARKER" '.body | startswith($m)' <<< "$J"
check "de: the agent's notice is German" \
    jq -e '[.headers[] | select(.[0] == "Subject")][0][1] | startswith("[#1] Neues Ticket: ")' \
    <<< "$(mq "$(last_to alice@agents.example.org)")"
setconf language de-at
printf 'From: Anna <anna@example.net>\nTo: support@example.com\nSubject: Servus\nMessage-ID: <de2@example.net>\n\nGruesse.\n' |
    feed support@example.com anna@example.net
check "language = de-at falls back to de" \
    jq -e '.body | contains("vielen Dank")' <<< "$(mq "$(last_to anna@example.net)")"

done_testing

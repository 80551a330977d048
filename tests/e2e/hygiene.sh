#!/bin/bash
# hygiene.sh - mail hygiene end to end, without an MTA
#
# What an operator worries about once real mail arrives, checked through
# postdesk-filter pipe and the capture sendmail of tests/lib/common.sh:
#   a. none of the bounces and auto-replies of ../shared/corpus (by its
#      CATEGORIES.tsv) opens a ticket or is answered; every delivery
#      report (DSN) of the corpus, rewritten so that its returned message
#      carries the Message-ID of a real postdesk acknowledgement (explain
#      confirms the report was read so), attaches to that ticket as a
#      system message with a "bounce" event, and the agent gets one
#      agent_bounce notice each; the reports that cannot be rewritten open
#      no ticket (the figure is printed, with the reason for each one left
#      out);
#   b. a hard bounce suppresses the address (postdesk suppressed): an
#      agent's reply sends it nothing until it writes in again; a delayed
#      report does not suppress; postdesk suppressed --remove;
#   c. 100 auto-replies of every kind from one address that thread into a
#      ticket are stored there with no status change and no mail at all;
#      100 that thread nowhere are dropped, and explain says why;
#   d. 100 new tickets from one address within an hour: autoreply_limit
#      (5) acknowledgements, and again one after the hour;
#   e. spam verdicts in headers: status spam, hidden from list, no mail;
#      a low rspamd score is an ordinary ticket;
#   f. departments from the shipped example rules in rules_directory;
#   g. unknown_sender_policy moderate, accept and new_ticket;
#   h. our own mail coming back (X-Loop, From, Message-ID) is dropped;
#   i. reply text: the quoted acknowledgement and the signature are cut,
#      an HTML-only reply becomes text with its links;
#   j. customers from a CSV: X-Customer-ID, earlier tickets in show;
#   k. explain names the class, the threading step and the notifications
#      of a new ticket, a reply, a duplicate and a dropped bounce;
#      postdesk-cron forgets the queue ids after explain_keep.
# Needs jq and perl (the rewrite of the corpus files). Runs in about half
# a minute; the corpus part is skipped when ../shared/corpus is missing.
. "$(dirname "$0")/../lib/common.sh"

command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
command -v perl >/dev/null 2>&1 || skip_all "perl is not installed"

pd_home
trap pd_cleanup EXIT
cat > "$T/agents" <<'AG'
ann@agents.example login=ann name="Ann Agent"
bill@agents.example login=bill name="Bill Billing" departments=billing
sam@agents.example login=sam name="Sam Sales" departments=sales
AG
mkdir "$T/rules"
cp "$top_srcdir/filters/90-departments.rules.example" "$T/rules/90-departments.rules"
chmod 644 "$T/agents" "$T/rules/90-departments.rules"
cat >> "$T/postdesk.conf" <<CONF
agents_file = $T/agents
rules_directory = $T/rules
CONF
check "postdesk check accepts agents and the departments rules" pd check

# feed QID RCPT [SENDER] - deliver stdin as queue id QID; the filter's log
# line is in $LAST (and $T/log); returns the filter's exit status.
# FEED_SASL=LOGIN passes --sasl-user (an agent's SMTP AUTH).
feed() {
	local rc
	"$PF" -v -c "$T/postdesk.conf" pipe -q "$1" \
	    -f "${3:-customer@example.net}" ${FEED_SASL:+--sasl-user=$FEED_SASL} \
	    -- "$2" > "$T/last.out" 2> "$T/last.log"
	rc=$?
	cat "$T/last.log" >> "$T/log"
	LAST=$(grep ' action=' "$T/last.log" | tail -1)
	return $rc
}
# ticket_of - the ticket number of the last delivery
ticket_of() { sed -n 's/.* ticket=\([0-9]*\) action=.*/\1/p' <<< "$LAST"; }
# action_of - action and class of the last delivery
action_of() { grep -o 'action=[a-z-]*.*class=[a-z]*' <<< "$LAST" | sed 's/ step=.//'; }
last_to() { sent_to "$1" | sort | tail -1; }
count_to() { sent_to "$1" | grep -c .; }
msgid_of() { sed -n 's/^Message-I[Dd]: *<\(.*\)>.*/\1/p' "$1" | head -1; }
reply_to_of() { sed -n 's/^Reply-To: *//p' "$1" | head -1; }
tj() { pd show "$1" --json; }
nlisted() { pd list --all --json | jq length; }

# ---- a. DSNs of the corpus attach to the ticket of the message they return
printf 'From: Carl Customer <carl@example.net>\nSubject: printer on fire\nMessage-ID: <carl1@example.net>\n\nIt is on fire.\n' |
    feed A0 support@example.com carl@example.net
TA=$(ticket_of)
ACK=$(last_to carl@example.net)
AMID=$(msgid_of "$ACK")
check "a new ticket ($TA) is acknowledged with a signed postdesk Message-ID ($AMID)" \
    grep -Eq '^pd\.[0-9]+\.[0-9]+\.[a-z2-7]+@example\.com$' <<< "$AMID"

# rw.pl ID K < MAIL: the K-th last Message-ID after the mail's own header
# set to <ID>; K = 0 prints how many there are; exit 3: no K-th one
cat > "$T/rw.pl" <<'PL'
my ($id, $k) = @ARGV;
local $/;
my $s = <STDIN>;
my @pos;
if ($s =~ /\r?\n\r?\n|\r\r/) {
	my $hend = $+[0];
	while ($s =~ /[\r\n][ \t>]*Message-ID:[ \t]*(?:\r?\n|\r)?[ \t]*(<[^>\r\n]*>)/gi) {
		push @pos, [$-[1], $+[1]] if $-[1] >= $hend;
	}
}
if ($k == 0) { print scalar(@pos), "\n"; exit 0; }
exit 3 if $k > @pos;
my ($a, $b) = @{$pos[@pos - $k]};
substr($s, $a, $b - $a) = "<$id>";
print $s;
PL

if [ -d "$PD_CORPUS" ] && [ -f "$PD_CORPUS/CATEGORIES.tsv" ]; then
	# every bounce and auto-reply of the corpus, as it is: no ticket
	mapfile -t autos < <(awk -F'\t' '$2 ~ /(^|,)(bounce|autoreply)(,|$)/ { print $1 }' "$PD_CORPUS/CATEGORIES.tsv")
	nt=$(nlisted) n0=$(sent_count) opened= i=0
	for f in "${autos[@]}"; do
		i=$((i + 1))
		sender=auto@example.org
		grep -qE "^$f	(.*,)?bounce(,|$)" "$PD_CORPUS/CATEGORIES.tsv" && sender=MAILER-DAEMON
		feed "AUTO$i" support@example.com "$sender" < "$PD_CORPUS/$f" ||
		    opened="$opened $f(exit $?)"
		grep -q 'action=new' <<< "$LAST" && opened="$opened $f"
	done
	is "${opened# }" "" "none of the corpus's ${#autos[@]} bounces and auto-replies opens a ticket"
	is "$(nlisted):$(( $(sent_count) - n0 ))" "$nt:0" "... and none is answered"

	mapfile -t dsns < <(awk -F'\t' '$2 ~ /(^|,)dsn(,|$)/ { print $1 }' "$PD_CORPUS/CATEGORIES.tsv")
	ann0=$(count_to ann@agents.example)
	nattached=0 ndup=0 nrewritten=0 i=0
	notattached= noevent= opened=
	: > "$T/dsn.report"
	for f in "${dsns[@]}"; do
		i=$((i + 1))
		ncand=$(perl "$T/rw.pl" x 0 < "$PD_CORPUS/$f")
		done_f=0
		# the last Message-ID line is usually the returned message's;
		# where explain shows the report named something else, try
		# the others (an mbox file holds several messages)
		for k in $(seq "$ncand"); do
			perl "$T/rw.pl" "$AMID" "$k" < "$PD_CORPUS/$f" > "$T/dsn.eml"
			before=$(tj "$TA" | jq '[.events[] | select(.kind == "bounce")] | length')
			feed "DSN$i.$k" support@example.com MAILER-DAEMON < "$T/dsn.eml"
			if grep -q "ticket=$TA action=duplicate" <<< "$LAST"; then
				# the same report (Message-ID) as an earlier file
				ndup=$((ndup + 1)) nrewritten=$((nrewritten + 1)) done_f=1
				echo "$f: duplicate of an earlier corpus file (same Message-ID), stored once" >> "$T/dsn.report"
				break
			fi
			pd explain "DSN$i.$k" > "$T/explain" 2>&1
			grep -q "postdesk Message-ID in References: ticket $TA" "$T/explain" || continue
			nrewritten=$((nrewritten + 1)) done_f=1
			[ "$k" -gt 1 ] && echo "$f: the returned Message-ID is line $k from the end" >> "$T/dsn.report"
			if grep -q "ticket=$TA action=reply step=. class=bounce" <<< "$LAST"; then
				nattached=$((nattached + 1))
				after=$(tj "$TA" | jq '[.events[] | select(.kind == "bounce")] | length')
				[ "$after" -gt "$before" ] || noevent="$noevent $f"
			else
				notattached="$notattached $f($(action_of))"
			fi
			break
		done
		[ $done_f = 1 ] && continue
		# not rewritable: as it is, it must not open a ticket
		if [ "$ncand" = 0 ]; then
			why="no Message-ID line in the returned message (or none returned)"
		else
			why="none of its $ncand Message-ID lines is read as the returned message's"
		fi
		feed "DSN$i.orig" support@example.com MAILER-DAEMON < "$PD_CORPUS/$f"
		grep -q 'action=new' <<< "$LAST" && opened="$opened $f"
		echo "$f: not rewritten: $why; as it is: $(action_of)" >> "$T/dsn.report"
	done
	sed 's/^/# /' "$T/dsn.report"
	echo "# DSNs attached: $((nattached + ndup))/${#dsns[@]} ($nattached stored, $ndup duplicates of an earlier file; $((${#dsns[@]} - nrewritten)) could not be rewritten)"
	check "the corpus has DSNs (${#dsns[@]}) and most can be rewritten ($nrewritten)" \
	    test "${#dsns[@]}" -gt 50 -a "$nrewritten" -ge $((${#dsns[@]} * 3 / 4))
	is "${notattached# }" "" "every rewritten DSN attaches to ticket $TA as action=reply class=bounce ($((nattached + ndup))/$nrewritten)"
	is "${noevent# }" "" "... each with a bounce event"
	is "${opened# }" "" "the DSNs that could not be rewritten open no ticket"
	tj "$TA" > "$T/ta.json"
	is "$(jq '.messages | length' "$T/ta.json")" "$((nattached + 1))" "ticket $TA holds the customer's mail and the $nattached reports"
	is "$(jq -r '[.messages[1:][] | .author] | unique | join(",")' "$T/ta.json")" "system" "... stored as system messages"
	is "$(jq -r .status "$T/ta.json")" "awaiting_agent" "... and bounces change no status"
	is "$(( $(count_to ann@agents.example) - ann0 ))" "$nattached" "the agent gets one agent_bounce notice per stored report"
	check "... saying the mail was undeliverable" grep -q "^Subject: \[#$TA\] Undeliverable" "$(last_to ann@agents.example)"
	is "$(count_to carl@example.net)" 1 "the customer hears nothing of the bounces"
else
	ok 0 "# SKIP no corpus at $PD_CORPUS"
fi

# ---- b. a hard bounce suppresses the address until it writes in again
printf 'From: Erin <erin@example.net>\nSubject: where is my order\nMessage-ID: <erin1@example.net>\n\nOrder 77?\n' |
    feed B0 support@example.com erin@example.net
TB=$(ticket_of)
EACK=$(last_to erin@example.net)
echo "It ships tomorrow." | pd reply "$TB" --as ann > /dev/null
EREP=$(last_to erin@example.net)
check "the agent's answer reaches erin" grep -q "ships tomorrow" "$EREP"

# dsn_for FILE ADDR ACTION STATUS ID - a delivery report returning FILE
dsn_for() {
	printf 'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: support@example.com\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <%s@mx.example.net>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="RPT"\n\n' "$5"
	printf -- '--RPT\nContent-Type: text/plain\n\nThis is the mail system at host mx.example.net.\nYour message could not be delivered.\n\n'
	printf -- '--RPT\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; %s\nOriginal-Recipient: rfc822;%s\nAction: %s\nStatus: %s\nDiagnostic-Code: smtp; %s\n\n' \
	    "$2" "$2" "$3" "$4" "$([ "$3" = failed ] && echo "550 5.1.1 <$2>: Recipient address rejected: User unknown" || echo "451 4.4.1 connection timed out")"
	printf -- '--RPT\nContent-Type: message/rfc822\n\n'
	cat "$1"
	printf -- '\n--RPT--\n'
}
dsn_for "$EACK" erin@example.net delayed 4.4.1 delay-erin | feed B1 support@example.com MAILER-DAEMON
check "a delayed report of the acknowledgement attaches to ticket $TB" grep -q "ticket=$TB action=reply step=. class=bounce" <<< "$LAST"
is "$(pd suppressed --json | jq -r '[.[].address] | index("erin@example.net")')" null \
   "... and does not suppress the address"
nann=$(count_to ann@agents.example)
dsn_for "$EREP" erin@example.net failed 5.1.1 bounce-erin | feed B2 support@example.com MAILER-DAEMON
check "a hard bounce of the agent's answer attaches to ticket $TB" grep -q "ticket=$TB action=reply step=. class=bounce" <<< "$LAST"
tj "$TB" > "$T/tb.json"
is "$(jq -r '.messages[-1].author' "$T/tb.json")" system "... as a system message"
check "... with a bounce event naming the address and the status" \
    jq -e '.events | any(.kind == "bounce" and (.detail | test("erin@example.net bounced: 5\\.1\\.1")))' "$T/tb.json"
is "$(( $(count_to ann@agents.example) - nann ))" 1 "the agent gets one agent_bounce notice"
check "... that names the address" grep -q "erin@example.net" "$(last_to ann@agents.example)"
check "postdesk suppressed --json lists erin@example.net" \
    bash -c "'$PD' -c '$T/postdesk.conf' suppressed --json | jq -e 'any(.address == \"erin@example.net\" and (.reason | test(\"5.1.1\")))'"
check "postdesk suppressed (text) lists it" bash -c "'$PD' -c '$T/postdesk.conf' suppressed | grep -q '^erin@example.net '"
check "explain of the bounce says the address is suppressed" \
    bash -c "'$PD' -c '$T/postdesk.conf' explain B2 | grep -q 'suppressed: <erin@example.net> (hard bounce)'"
nerin=$(count_to erin@example.net)
echo "Did you get my last mail?" | pd reply "$TB" --as ann > "$T/reply.out" 2>&1
is "$(count_to erin@example.net)" "$nerin" "an agent's reply sends nothing to the suppressed address"
if grep -q 'suppressed' "$T/reply.out" && ! grep -q 'was sent to the customer' "$T/reply.out"; then
	ok 0 "... and postdesk reply says why, without claiming the reply was sent"
else
	ok 1 "... and postdesk reply says why, without claiming the reply was sent"
	sed 's/^/#   /' "$T/reply.out"
fi
is "$(tj "$TB" | jq -r '.messages[-1] | .author + ": " + .text' | head -1)" "agent: Did you get my last mail?" \
   "... but is stored on the ticket"
is "$(pd outbox --json | jq '[.[] | select(.recipient == "erin@example.net")] | length')" 0 \
   "... and nothing for it waits in the outbox"
RB=$(reply_to_of "$EACK")
printf 'From: Erin <erin@example.net>\nSubject: Re: where is my order\nMessage-ID: <erin2@example.net>\n\nMy mailbox is back, sorry.\n' |
    feed B3 "$RB" erin@example.net
is "$(pd suppressed --json | jq -r '[.[].address] | index("erin@example.net")')" null \
   "erin's own next mail lifts the suppression"
echo "Welcome back, it shipped." | pd reply "$TB" --as ann > /dev/null
check "... and the next agent reply reaches erin again" grep -q "Welcome back" "$(last_to erin@example.net)"
other=$(pd suppressed --json | jq -r '.[0].address // empty')
if [ -n "$other" ]; then
	pd suppressed --remove "$other"
	is "$(pd suppressed --json | jq -r --arg a "$other" '[.[].address] | index($a)')" null \
	   "postdesk suppressed --remove $other takes it off the list"
else
	# without the corpus nothing else bounced hard
	pd suppressed --json | jq -e 'length == 0' > /dev/null
	ok $? "postdesk suppressed: nothing else is listed"
fi

# ---- c. auto-replies: threaded ones stored quietly, others dropped
printf 'From: Vic <vic@example.net>\nSubject: broken link\nMessage-ID: <vic1@example.net>\n\nThe link is broken.\n' |
    feed C0 support@example.com vic@example.net
TC=$(ticket_of)
VACK=$(last_to vic@example.net)
VMID=$(msgid_of "$VACK")
RC=$(reply_to_of "$VACK")
stc=$(tj "$TC" | jq -r .status)
n0=$(sent_count)
# autoreply I FROM - the I-th of eight kinds of automatic answer
autoreply() {
	local hdr subj
	case $(($1 % 8)) in
	0) hdr='Auto-Submitted: auto-replied'; subj="Re: [#$TC] broken link" ;;
	1) hdr=; subj='Out of Office: broken link' ;;
	2) hdr=; subj='Abwesenheitsnotiz: broken link' ;;
	3) hdr=; subj='=?UTF-8?Q?R=C3=A9ponse_automatique_:_broken_link?=' ;;
	4) hdr=; subj='=?UTF-8?Q?Respuesta_autom=C3=A1tica:_broken_link?=' ;;
	5) hdr=; subj='Automatisch antwoord: broken link' ;;
	6) hdr='X-Autoreply: yes'; subj="Re: [#$TC] broken link" ;;
	7) hdr='Precedence: bulk'; subj="Re: [#$TC] broken link" ;;
	esac
	printf 'From: %s\nSubject: %s\nMessage-ID: <auto%s.%s>\nIn-Reply-To: %s\n%s%s\nI am away until Monday.\n' \
	    "$2" "$subj" "$1" "$2" "${3:-<unrelated$1@example.net>}" "$hdr" "${hdr:+$'\n'}"
}
bad=
for i in $(seq 100); do
	# odd ones answer the acknowledgement, even ones go to the reply address
	if [ $((i % 2)) = 1 ]; then
		autoreply "$i" vic@example.net "<$VMID>" | feed "C$i" support@example.com vic@example.net
	else
		autoreply "$i" vic@example.net | feed "C$i" "$RC" vic@example.net
	fi
	grep -q "ticket=$TC action=reply step=[ab] class=autoreply" <<< "$LAST" || bad="$bad $i:$(action_of)"
done
is "${bad# }" "" "100 threaded auto-replies (Auto-Submitted, vacation subjects in en/de/fr/es/nl, X-Autoreply, Precedence bulk) join ticket $TC as class=autoreply"
tj "$TC" > "$T/tc.json"
is "$(jq '.messages | length' "$T/tc.json")" 101 "... all stored on the ticket"
is "$(jq -r .status "$T/tc.json")" "$stc" "... with no status change"
is "$(jq '[.events[] | select(.kind == "status")] | length' "$T/tc.json")" 0 "... and no status event"
is "$(( $(sent_count) - n0 ))" 0 "... and no mail at all: at most autoreply_limit answers (none)"
is "$(pd outbox --json | jq length)" 0 "... nothing waits in the outbox"
n0=$(sent_count)
nt=$(nlisted)
bad=
for i in $(seq 100); do
	autoreply "$i" wes@example.org | feed "CU$i" support@example.com wes@example.org
	grep -q 'action=dropped class=autoreply' <<< "$LAST" || bad="$bad $i:$(action_of)"
done
is "${bad# }" "" "100 auto-replies that thread nowhere are dropped"
is "$(nlisted):$(( $(sent_count) - n0 ))" "$nt:0" "... no ticket, no mail"
is "$(pd explain CU8 | grep '^result:')" "result: not stored (Auto-Submitted)" "explain says why: Auto-Submitted"
is "$(pd explain CU9 | grep '^result:')" "result: not stored (automatic reply subject)" "... a vacation subject"
is "$(pd explain CU14 | grep '^result:')" "result: not stored (X-Autoreply)" "... X-Autoreply"
is "$(pd explain CU15 | grep '^result:')" "result: not stored (Precedence bulk/junk/list)" "... Precedence bulk"

# ---- d. autoreply_limit: 100 new tickets from one address in an hour
nt=$(nlisted)
for i in $(seq 100); do
	printf 'From: Dora <dora@example.org>\nSubject: question %s\nMessage-ID: <dora%s@example.org>\n\nQuestion %s.\n' $i $i $i |
	    feed "D$i" support@example.com dora@example.org
done
is "$(( $(nlisted) - nt ))" 100 "100 mails from one address open 100 tickets"
is "$(count_to dora@example.org)" 5 "... and get autoreply_limit (5) acknowledgements"
check "explain of the sixth says the limit was reached" \
    bash -c "'$PD' -c '$T/postdesk.conf' explain D6 | grep -q 'acknowledgement to <dora@example.org>: not sent: autoreply_limit (5 an hour) reached'"
printf 'From: Dora <dora@example.org>\nSubject: question 101\nMessage-ID: <dora101@example.org>\n\nLater.\n' |
    POSTDESK_NOW=$(date -u -d '+61 min' +%Y-%m-%dT%H:%M:%SZ) feed D101 support@example.com dora@example.org
is "$(count_to dora@example.org)" 6 "an hour later the next new ticket is acknowledged again"

# ---- e. spam verdicts
n0=$(sent_count)
spam= n=0
for h in 'X-Spam-Flag: YES' 'X-Spam-Status: Yes, score=9.1 required=5.0 tests=BAYES_99' 'X-Rspamd-Score: 12.5'; do
	n=$((n + 1))
	printf '%s\nFrom: Winner <win%s@spam.example>\nSubject: You won\nMessage-ID: <s%s@spam.example>\n\nClaim your prize.\n' \
	    "$h" $n $n | feed "S$n" support@example.com "win$n@spam.example"
	id=$(ticket_of)
	is "$(tj "$id" | jq -r .status)" spam "$h: the ticket is in status spam"
	spam="$spam $id"
done
listed=$(pd list --json | jq -r '.[].id')
hidden=yes
for id in $spam; do grep -qx "$id" <<< "$listed" && hidden=no; done
is "$hidden" yes "spam tickets are hidden from postdesk list"
check "... and shown by postdesk list --all" bash -c "'$PD' -c '$T/postdesk.conf' list --all --json | jq -e 'map(.id) | index(${spam##* }) != null'"
is "$(( $(sent_count) - n0 ))" 0 "... and nobody is notified (no acknowledgement, no agent notice)"
nann=$(count_to ann@agents.example)
printf 'X-Rspamd-Score: 3\nFrom: Hank <hank@example.org>\nSubject: odd looking but real\nMessage-ID: <ham1@example.org>\n\nHello.\n' |
    feed S9 support@example.com hank@example.org
id=$(ticket_of)
is "$(tj "$id" | jq -r .status)" awaiting_agent "X-Rspamd-Score: 3 is an ordinary ticket"
is "$(count_to hank@example.org):$(( $(count_to ann@agents.example) - nann ))" "1:1" "... acknowledged, and the agent told"

# ---- f. departments (filters/90-departments.rules.example in rules_directory)
nb=$(count_to bill@agents.example) ns=$(count_to sam@agents.example) na=$(count_to ann@agents.example)
printf 'From: Paul <paul@example.org>\nSubject: invoice wrong\nMessage-ID: <paul1@example.org>\n\nWrong amount.\n' |
    feed F1 billing@example.com paul@example.org
id=$(ticket_of)
is "$(tj "$id" | jq -r .queue)" billing "mail to billing@example.com: queue billing"
check "... the billing agent is notified" grep -q "New ticket: invoice wrong" "$(last_to bill@agents.example)"
is "$(count_to sam@agents.example)" "$ns" "... the sales agent is not"
is "$(( $(count_to ann@agents.example) - na ))" 1 "... an agent without departments is"
printf 'From: Accounts <acct@invoices.supplier.example>\nSubject: Invoice 2026-117\nMessage-ID: <inv1@invoices.supplier.example>\n\nAttached.\n' |
    feed F2 support@example.com acct@invoices.supplier.example
id=$(ticket_of)
is "$(tj "$id" | jq -r .queue)" billing "an invoice from the supplier to support@: queue billing (the rule, not the address)"
check "... tagged invoice" bash -c "'$PD' -c '$T/postdesk.conf' show $id --json | jq -e '.events | any(.kind == \"tags\" and .detail == \"invoice\")'"
nb=$(count_to bill@agents.example)
printf 'From: Quinn <quinn@example.org>\nSubject: prices\nMessage-ID: <quinn1@example.org>\n\nHow much?\n' |
    feed F3 sales@example.com quinn@example.org
id=$(ticket_of)
is "$(tj "$id" | jq -r .queue)" sales "mail to sales@example.com: queue sales"
check "... the sales agent is notified" grep -q "New ticket: prices" "$(last_to sam@agents.example)"
is "$(count_to bill@agents.example)" "$nb" "... the billing agent is not"

# ---- g. unknown_sender_policy
# setconf KEY [VALUE] - set (or remove) one parameter
setconf() {
	sed -i "/^$1 *=/d" "$T/postdesk.conf"
	[ $# -lt 2 ] || echo "$1 = $2" >> "$T/postdesk.conf"
}
printf 'From: Pat <pat@example.net>\nSubject: my account\nMessage-ID: <pat1@example.net>\n\nLocked out.\n' |
    feed G0 support@example.com pat@example.net
TG=$(ticket_of)
RG=$(reply_to_of "$(last_to pat@example.net)")
stg=$(tj "$TG" | jq -r .status)
np=$(count_to pat@example.net)
printf 'From: Sid <sid@example.org>\nSubject: Re: my account\nMessage-ID: <sid1@example.org>\n\nI am Pat'"'"'s colleague, please also reset mine.\n' |
    feed G1 "$RG" sid@example.org
tj "$TG" > "$T/tg.json"
is "$(jq -r '.messages[-1] | .from + " " + .visibility' "$T/tg.json")" "sid@example.org held" \
   "moderate (the default): a stranger on the ticket's address is held"
is "$(jq -r .status "$T/tg.json")" "$stg" "... the status does not move"
check "... the agents are told" grep -q "HELD: this mail came from <sid@example.org>" "$(last_to ann@agents.example)"
is "$(count_to pat@example.net):$(count_to sid@example.org)" "$np:0" "... the customer and the stranger get nothing"
check "... explain names the policy" bash -c "'$PD' -c '$T/postdesk.conf' explain G1 | grep -q 'unknown_sender_policy = moderate'"
printf 'From: ann@agents.example\nSubject: ok\nMessage-ID: <appr-g@agents.example>\n\n#approve\n' |
    FEED_SASL=ann feed G2 "$RG" ann@agents.example
is "$(tj "$TG" | jq -r '[.messages[] | select(.message_id == "sid1@example.org")][0].visibility')" public \
   "#approve publishes the held mail"
setconf unknown_sender_policy accept
printf 'From: Sue <sue@example.org>\nSubject: Re: my account\nMessage-ID: <sue1@example.org>\n\nSame problem here.\n' |
    feed G3 "$RG" sue@example.org
tj "$TG" > "$T/tg.json"
is "$(jq -r '.messages[-1] | .from + " " + .visibility' "$T/tg.json")" "sue@example.org public" \
   "accept: the stranger's mail joins the ticket directly"
check "... as a participant" jq -e '.participants | index("sue@example.org") != null' "$T/tg.json"
setconf unknown_sender_policy new_ticket
nm=$(jq '.messages | length' "$T/tg.json")
printf 'From: Stu <stu@example.org>\nSubject: Re: my account\nMessage-ID: <stu1@example.org>\n\nMe too!\n' |
    feed G4 "$RG" stu@example.org
id=$(ticket_of)
check "new_ticket: the stranger's mail opens a new ticket ($id)" test -n "$id" -a "$id" != "$TG"
is "$(tj "$id" | jq -r .requester):$(tj "$TG" | jq '.messages | length')" "stu@example.org:$nm" \
   "... for the stranger, and ticket $TG is unchanged"
setconf unknown_sender_policy

# ---- h. our own mail coming back
nt=$(nlisted) n0=$(sent_count) nmta=$(tj "$TA" | jq '.messages | length')
loop_check() {	# loop_check QID LABEL SENDER < MAIL
	feed "$1" support@example.com "$3"
	ok $? "$2: exit 0"
	check "... dropped as a loop" grep -q 'action=dropped class=loop' <<< "$LAST"
	pd explain "$1" > "$T/explain" 2>&1
	check "... explain $1 says it is our own mail coming back" grep -qi 'loop\|our own' "$T/explain"
}
printf 'From: Fred <fred@example.org>\nX-Loop: support@example.com\nSubject: fwd\nMessage-ID: <fred1@example.org>\n\nhello\n' |
    loop_check H1 "our X-Loop" fred@example.org
printf 'From: Example Support <support@example.com>\nSubject: hello\nMessage-ID: <self1@example.org>\n\nhello\n' |
    loop_check H2 "From support@example.com" fred@example.org
printf 'From: Fred <fred@example.org>\nSubject: hello\nMessage-ID: <%s>\n\nhello\n' "$AMID" |
    loop_check H3 "our Message-ID" fred@example.org
loop_check H4 "the acknowledgement itself, returned whole" support@example.com < "$ACK"
is "$(nlisted):$(( $(sent_count) - n0 )):$(tj "$TA" | jq '.messages | length')" "$nt:0:$nmta" \
   "no loop mail opened a ticket, joined one, or sent anything"

# ---- i. reply text
printf 'From: Rita <rita@example.net>\nSubject: scanner jams\nMessage-ID: <rita1@example.net>\n\nThe scanner jams on page 2.\n' |
    feed I0 support@example.com rita@example.net
TI=$(ticket_of)
RACK=$(last_to rita@example.net)
{
	printf 'From: Rita <rita@example.net>\nSubject: Re: [#%s] scanner jams\nMessage-ID: <rita2@example.net>\nIn-Reply-To: <%s>\n\n' "$TI" "$(msgid_of "$RACK")"
	printf 'Thanks, it works again after the firmware update.\n\nRita\n\n-- \nRita Rogers\nACME Corp, +1 555 0100\n\n'
	printf 'On %s, Example Support <support@example.com> wrote:\n' "$(sed -n 's/^Date: //p' "$RACK")"
	sed '1,/^$/d; s/^/> /' "$RACK"
} | feed I1 support@example.com rita@example.net
is "$(tj "$TI" | jq -r '.messages[-1].text')" "$(printf 'Thanks, it works again after the firmware update.\n\nRita')" \
   "a reply quoting the real acknowledgement is stored with only the new text"
{
	printf 'From: Rita <rita@example.net>\nSubject: Re: [#%s] scanner jams\nMessage-ID: <rita3@example.net>\nIn-Reply-To: <%s>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n' "$TI" "$(msgid_of "$RACK")"
	printf '<html><head><style>p { color: red; }</style></head><body>\n<p>Hello&nbsp;again,</p><p>the <b>new</b> photo is <a href="https://files.example.net/p/42.jpg">here</a>.</p>\n'
	printf '<div class="gmail_quote">On Mon, Example Support wrote:<blockquote>\n'
	sed '1,/^$/d; s/&/\&amp;/g; s/</\&lt;/g; s/$/<br>/' "$RACK"
	printf '</blockquote></div></body></html>\n'
} | feed I2 support@example.com rita@example.net
tj "$TI" | jq -r '.messages[-1].text' > "$T/html.txt"
check "an HTML-only reply becomes text without tags" bash -c "! grep -Eq '<[a-zA-Z/][a-zA-Z0-9]*[ />]|&nbsp;|color: red' '$T/html.txt'"
check "... readable" grep -q "Hello.again," "$T/html.txt"
check "... with its link" grep -q "https://files.example.net/p/42.jpg" "$T/html.txt"
check "... without the quoted acknowledgement" bash -c "! grep -q 'Please type your reply' '$T/html.txt'"

# ---- j. customers
printf 'email,name,external_id\nfay@example.com,Fay Fields,CRM-1\ngus@example.com,Gus Green,CRM-2\nhal@example.com,Hal Hill,CRM-3\n' > "$T/crm.csv"
is "$(pd customer import "$T/crm.csv")" "imported 3, updated 0, skipped 0" "postdesk customer import: 3 rows"
is "$(pd customer list --json | jq -r 'map(.email) | sort | join(" ")')" "fay@example.com gus@example.com hal@example.com" \
   "postdesk customer list shows them"
printf 'From: Fay <fay@example.com>\nSubject: first question\nMessage-ID: <fay1@example.com>\n\nQuestion one.\n' |
    feed J1 support@example.com fay@example.com
TJ1=$(ticket_of)
printf 'From: Fay at home <fay.fields@home.example>\nX-Customer-ID: CRM-1\nSubject: second question\nMessage-ID: <fay2@home.example>\n\nQuestion two.\n' |
    feed J2 support@example.com fay.fields@home.example
TJ2=$(ticket_of)
tj "$TJ2" > "$T/tj.json"
is "$(jq -r .requester "$T/tj.json")" fay@example.com "X-Customer-ID from another address: the requester is the customer's email"
is "$(jq -r '.customer.external_id + " " + .customer.name' "$T/tj.json")" "CRM-1 Fay Fields" "show --json .customer is the CRM record"
is "$(jq -c .earlier_tickets "$T/tj.json")" "[$TJ1]" "show --json .earlier_tickets lists the customer's earlier ticket"
is "$(tj "$TJ1" | jq -c .earlier_tickets)" "[]" "the customer's first ticket has no earlier ticket (ticket $TJ2 is later)"
check "postdesk show lists the earlier ticket" bash -c "'$PD' -c '$T/postdesk.conf' show $TJ2 | grep -q '^Earlier: *#$TJ1\$'"
check "postdesk customer show lists both tickets" \
    bash -c "'$PD' -c '$T/postdesk.conf' customer show fay@example.com --json | jq -e '[.tickets[].id] | sort == ([$TJ1, $TJ2] | sort)'"
printf 'From: Zed <zed@example.org>\nX-Customer-ID: CRM-404\nSubject: hi\nMessage-ID: <zed1@example.org>\n\nHi.\n' |
    feed J3 support@example.com zed@example.org
is "$(tj "$(ticket_of)" | jq -r '.requester + " " + (.customer | tostring)')" "zed@example.org null" \
   "an unknown X-Customer-ID changes nothing"

# ---- k. explain
printf 'From: Kim <kim@example.net>\nSubject: explain me\nMessage-ID: <kim1@example.net>\n\nNew.\n' |
    feed K1 support@example.com kim@example.net
TK=$(ticket_of)
pd explain K1 > "$T/k1"
check "explain of a new ticket: the class" grep -q '^class: person' "$T/k1"
check "... the threading step (f, new ticket)" grep -q '^threading: step f (new ticket)' "$T/k1"
check "... the notifications (acknowledgement and agent)" \
    bash -c "grep -q '^notification customer_new to <kim@example.net>: queued' '$T/k1' && grep -q '^notification agent_new to <ann@agents.example>: queued' '$T/k1'"
KR=$(reply_to_of "$(last_to kim@example.net)")
printf 'From: Kim <kim@example.net>\nSubject: Re: explain me\nMessage-ID: <kim2@example.net>\n\nMore.\n' > "$T/kim2"
feed K2 "$KR" kim@example.net < "$T/kim2"
pd explain K2 > "$T/k2"
check "explain of a reply: the class" grep -q '^class: person' "$T/k2"
check "... the threading step (a, the reply address)" grep -q "^threading: step a .*-> ticket $TK" "$T/k2"
check "... the notification of the agent" grep -q '^notification agent_reply to <ann@agents.example>: queued' "$T/k2"
check "explain by Message-ID finds the same intake" bash -c "'$PD' -c '$T/postdesk.conf' explain '<kim2@example.net>' | grep -q 'queue id K2'"
check "explain by ticket lists both intakes" test "$(pd explain "$TK" | grep -c '^intake: ')" = 2
feed K3 "$KR" kim@example.net < "$T/kim2"
check "the same mail again is a duplicate" grep -q "ticket=$TK action=duplicate" <<< "$LAST"
pd explain K3 > "$T/k3" 2>&1
check "explain of the duplicate delivery says it is a duplicate of the stored message" grep -qi "duplicate" "$T/k3"
check "... and names the class and the ticket" bash -c "grep -q '^class: person' '$T/k3' && grep -q 'ticket $TK' '$T/k3'"
printf 'From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail\nMessage-ID: <lost1@mx.example.org>\nContent-Type: text/plain\n\nYour mail to nobody@example.org could not be delivered.\n' |
    feed K4 support@example.com MAILER-DAEMON
pd explain K4 > "$T/k4"
check "explain of a dropped bounce: the class" grep -q '^class: bounce (null envelope sender); automatic answers not allowed' "$T/k4"
check "... the threading step" grep -q '^threading: step f' "$T/k4"
check "... and that it was not stored" grep -q '^result: not stored' "$T/k4"
check "... and nothing was sent for it" bash -c "! grep -q ': queued' '$T/k4'"

# ==== the text postdesk sent, quoted in any way, is cut (known quote) ====
printf 'From: Kim <kim@example.net>\nSubject: scanner jam\nMessage-ID: <kq1@example.net>\n\nThe scanner jams on every page.\n' |
    deliver support@example.com >/dev/null
KACK=$(sent_to kim@example.net | sort | tail -1)
KMID=$(sed -n 's/^Message-Id: <\(.*\)>/\1/p' "$KACK")
KID=$(pd list --json | jq -r '.[] | select(.subject == "scanner jam") | .id')
# the acknowledgement's text without the marker line, re-wrapped at 50
# columns and quoted with "| ", as some clients do
kbody=$(sed '1,/^$/d' "$KACK" | python3 -c 'import sys, quopri; sys.stdout.write(quopri.decodestring(sys.stdin.buffer.read()).decode())' |
    grep -v "reply above this line" | tr '\n' ' ' | fold -w 50 -s | sed 's/^/| /')
{ printf 'From: Kim <kim@example.net>\nSubject: Re: [#%s] scanner jam\nMessage-ID: <kq2@example.net>\nIn-Reply-To: <%s>\n\nIt works again after a restart, thanks.\n\n' "$KID" "$KMID"
  printf '%s\n' "$kbody"; } | deliver "$(pd show "$KID" --json | jq -r .reply_address)" >/dev/null
is "$(pd show "$KID" --json | jq -r '.messages[-1].text')" "It works again after a restart, thanks." \
   "a reply quoting our acknowledgement re-wrapped with \"| \" and without the marker: only the new text is stored (known quote)"

# ==== explain_keep (30d): postdesk-cron forgets what old intakes saw ====
pd_cron() {
	POSTDESK_NOW=$(date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ) \
	    "$top_builddir/postdesk-cron" -v -c "$T/postdesk.conf" > "$T/cron.log" 2>&1
}
pd_cron '+29 days'
check "postdesk-cron 29 days on: explain still knows the dropped bounce K4" pd explain K4
check "... and the new ticket's intake K1" pd explain K1
pd_cron '+31 days'
check "31 days on (explain_keep = 30d) postdesk-cron logs what it forgot" \
    grep -q 'explain: forgot [0-9]* queue ids older than explain_keep' "$T/cron.log"
check "explain K4 now knows nothing (exit 1)" bash -c "! '$PD' -c '$T/postdesk.conf' explain K4 > /dev/null 2>&1"
check "... and says so" bash -c "'$PD' -c '$T/postdesk.conf' explain K4 2>&1 | grep -q 'nothing known about queue id K4'"
check "the ticket's intakes are still explained by its number" test "$(pd explain "$TK" | grep -c '^intake: ')" = 2
pd_cron '+32 days'
check "a second run forgets nothing more" bash -c "! grep -q 'explain: forgot' '$T/cron.log'"

done_testing

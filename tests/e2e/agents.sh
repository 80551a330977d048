#!/bin/bash
# agents.sh - agents work from their mail client (seed 000: collision,
# drafts, locks with automatic unlock, assignment with an audit trail;
# seed 004: internal vs public comments), and the same from the command line.
. "$(dirname "$0")/../lib/common.sh"

A=$(mktemp)
cat > "$A" <<'AG'
# agents of the test helpdesk
ann@agents.example login=ann name="Ann Agent"
bob@agents.example name="Bob Boss" role=admin
AG
chmod 644 "$A"
pd_home "agents_file = $A
trusted_authserv_id = mx.example.com
lock_timeout = 30m"
trap 'rm -f "$A"; pd_cleanup' EXIT

last_to() { sent_to "$1" | sort | tail -1; }
count_to() { sent_to "$1" | wc -l; }
reply_to_of() { sed -n 's/^Reply-To: //p' "$1" | head -1; }
agent_mail() {	# agent_mail RCPT [--sasl-user=X] < body: as the agent
	"$PF" -v -c "$T/postdesk.conf" pipe -q AGENTQ -f "${3:-x@agents.example}" $2 -- "$1" 2>>"$T/log"
}

printf 'From: Carl Customer <carl@example.net>\nSubject: printer on fire\nMessage-ID: <c1@example.net>\n\nIt is on fire.\n' |
    deliver support@example.com >/dev/null
ANN1=$(last_to ann@agents.example)
BOB1=$(last_to bob@agents.example)
RA=$(reply_to_of "$ANN1")
RB=$(reply_to_of "$BOB1")
check "each agent gets the new-ticket notice" test -n "$ANN1" -a -n "$BOB1"
check "with an agent-specific Reply-To (support+ticket.seq.aid.mac@)" \
    grep -Eq '^support\+1\.[0-9]+\.[a-z2-7]{8}\.[a-z2-7]{16}@example\.com$' <<< "$RA"
check "... different for each agent" test "$RA" != "$RB"

# Ann answers from her mail client, quoting the notice, with a signature
printf 'From: Ann Agent <ann@agents.example>\nSubject: Re: [#1] New ticket\nMessage-ID: <ann1@agents.example>\n\n#priority high\n\nHello Carl, unplug it first.\n\n-- \nAnn Agent, Example Inc.\n\nOn 22 Nov 2026, Example Support wrote:\n> It is on fire.\n' |
    agent_mail "$RA" ""
C1=$(last_to carl@example.net)
check "the agent's reply reaches the customer" grep -q "unplug it first" "$C1"
check "... from the support address" grep -q '^From: Example Support <support@example.com>' "$C1"
check "... and the agent's address appears nowhere in it" bash -c "! grep -qi 'ann@agents.example' '$C1'"
check "... without the quote or the signature" bash -c "! grep -q -e 'It is on fire' -e 'Example Inc' '$C1'"
pd show 1 --json > "$T/s.json"
is "$(jq -r '.status + " " + .priority' "$T/s.json")" "awaiting_user high" \
   "agent reply: status awaiting_user (001: \"Usually you would reply and set the status to Awaiting User\"), #priority high"
is "$(jq -r '.messages[1] | .author + " " + .visibility + " " + .from' "$T/s.json")" \
   "agent public ann@agents.example" "stored with the agent as author"
check "Ann gets one result mail listing the command" grep -q '#priority high: done' "$(last_to ann@agents.example)"

# a forged agent From, without authentication: a customer message, no command runs
RC=$(jq -r .reply_address "$T/s.json")
printf 'From: Ann Agent <ann@agents.example>\nSubject: Re: x\nMessage-ID: <forged1@evil.example>\n\n#status resolved\n#assign me\nclose it\n' |
    PF_OPTS=-v deliver "$RC" ann@agents.example 2>"$T/forged.log" >/dev/null
pd show 1 --json > "$T/s.json"
is "$(jq -r '.status + " " + .assignee' "$T/s.json")" "awaiting_user " \
   "a forged agent From has no command effect (status and assignee unchanged)"
is "$(jq -r '.messages[-1].author + " " + .messages[-1].visibility' "$T/s.json")" "customer held" \
   "... and is stored as a customer message, held (not a participant: unknown_sender_policy = moderate)"
check "... and the log says the agent address was not authenticated" grep -q 'agent=unauthenticated' "$T/forged.log"

# the held mail: agents are told, #approve makes it part of the ticket
check "the agents hear of the held mail" grep -q "HELD: this mail came from <ann@agents.example>" "$(last_to bob@agents.example)"
printf 'From: bob@agents.example\nSubject: ok\nMessage-ID: <appr1@agents.example>\n\n#approve\n' | agent_mail "$RC" --sasl-user=bob@agents.example
pd show 1 --json > "$T/s.json"
is "$(jq -r '[.messages[] | select(.message_id == "forged1@evil.example")][0].visibility + " " + .status' "$T/s.json")" \
   "public awaiting_agent" "#approve: the held mail joins the ticket as a customer reply"

# SMTP AUTH: a note is internal
printf 'From: ann@agents.example\nSubject: note\nMessage-ID: <note1@agents.example>\n\n#note\nCustomer sounds upset, be gentle.\n' |
    agent_mail "$RC" --sasl-user=ann
pd show 1 --json > "$T/s.json"
is "$(jq -r '.messages[-1].visibility' "$T/s.json")" internal \
   "#note with SMTP AUTH: an internal note (004: internal vs public comments)"
check "the note never reaches the customer" bash -c "! grep -l 'be gentle' \$(sent_to carl@example.net 2>/dev/null; ls '$T'/sent/*.eml | xargs grep -l '^To:.*carl@example.net') 2>/dev/null | grep -q ."
check "the note reaches the other agent" grep -q "be gentle" "$(last_to bob@agents.example)"

# collision (seed 000): Bob replies to his old notice after Ann answered
ncarl=$(count_to carl@example.net)
printf 'From: bob@agents.example\nSubject: Re\nMessage-ID: <bob1@agents.example>\n\nHi Carl, call the fire brigade.\n' |
    agent_mail "$RB" ""
is "$(count_to carl@example.net)" "$ncarl" "collision: the second agent's reply is not sent"
check "... Bob is told what Ann said" grep -q "unplug it first" "$(last_to bob@agents.example)"
check "... and that his reply is kept as a draft" grep -q "NOT sent" "$(last_to bob@agents.example)"
is "$(pd show 1 --json | jq -r '.messages[-1].visibility')" draft "... stored as Bob's draft, visible to others in show"
RB2=$(reply_to_of "$(last_to bob@agents.example)")
printf 'From: bob@agents.example\nSubject: Re\nMessage-ID: <bob2@agents.example>\n\n#send\n' | agent_mail "$RB2" ""
check "#send then delivers the held reply" grep -q "fire brigade" "$(last_to carl@example.net)"

# locks: Ann locks, Bob is refused, cron unlocks after lock_timeout
printf 'From: ann@agents.example\nSubject: lock\nMessage-ID: <lock1@agents.example>\n\n#lock\n' | agent_mail "$RC" --sasl-user=ann
ncarl=$(count_to carl@example.net)
st=$(pd show 1 --json | jq -r .status)
printf 'Subject: x\nFrom: Bob <bob@agents.example>\nMessage-ID: <bob3@agents.example>\n\n#status pending\nMe too.\n' |
    "$PF" -c "$T/postdesk.conf" pipe -f bob@agents.example --sasl-user=bob@agents.example -- "$RC" >/dev/null
check "a locked ticket refuses the other agent (notice names the holder)" \
    grep -q "locked by ann@agents.example" "$(last_to bob@agents.example)"
is "$(count_to carl@example.net):$(pd show 1 --json | jq -r .status)" "$ncarl:$st" "... and nothing was done (no mail, status still $st)"
POSTDESK_NOW=$(date -u -d '+20 min' +%Y-%m-%dT%H:%M:%SZ) "$top_builddir/postdesk-cron" -c "$T/postdesk.conf"
is "$(pd show 1 --json | jq -r .locked_by)" "ann@agents.example" "cron before lock_timeout keeps the lock"
POSTDESK_NOW=$(date -u -d '+31 min' +%Y-%m-%dT%H:%M:%SZ) "$top_builddir/postdesk-cron" -c "$T/postdesk.conf"
is "$(pd show 1 --json | jq -r .locked_by)" "" "cron after lock_timeout unlocks (000: automatic unlock)"
check "... with an event in the history" bash -c "'$PD' -c '$T/postdesk.conf' show 1 --json | jq -e '.events | any(.kind == \"unlock\" and .actor == \"postdesk-cron\")'"

# a bad command changes nothing and is reported
printf 'From: ann@agents.example\nSubject: x\nMessage-ID: <bad1@agents.example>\n\n#status nonsense\n#assign me\nhello\n' | agent_mail "$RC" --sasl-user=ann
is "$(pd show 1 --json | jq -r '.assignee')" "" "a bad command: nothing is done, not even the good one"
check "... and the agent is told why" grep -q 'unknown status "nonsense"' "$(last_to ann@agents.example)"

# DKIM from the trusted server counts; from another server it does not
printf 'Authentication-Results: mx.example.com; dkim=pass header.d=agents.example header.s=s1\nFrom: ann@agents.example\nSubject: x\nMessage-ID: <dkim1@agents.example>\n\n#assign me\n' | deliver "$RC" ann@agents.example >/dev/null
is "$(pd show 1 --json | jq -r .assignee)" "ann@agents.example" "DKIM pass from trusted_authserv_id: the agent's command runs"
printf 'Authentication-Results: evil.example; dkim=pass header.d=agents.example\nFrom: bob@agents.example\nSubject: x\nMessage-ID: <dkim2@agents.example>\n\n#assign me\n' | deliver "$RC" bob@agents.example >/dev/null
is "$(pd show 1 --json | jq -r .assignee)" "ann@agents.example" "DKIM from another server: no agent power"

# the assignment history (seed 000: an audit trail)
check "the history lists assignments with actor" bash -c "'$PD' -c '$T/postdesk.conf' show 1 --json | jq -e '.events | any(.kind == \"assign\" and .actor == \"ann@agents.example\" and .detail == \"nobody -> ann@agents.example\")'"

# the control address
for i in 2 3 4; do
	printf 'From: c%s@example.net\nSubject: t%s\nMessage-ID: <t%s@example.net>\n\nhelp\n' $i $i $i | deliver support@example.com >/dev/null
done
printf 'From: bob@agents.example\nSubject: cmds\nMessage-ID: <ctl1@agents.example>\n\n#accept 2\n#away\n#list\n' |
    agent_mail support+control@example.com --sasl-user=bob@agents.example
is "$(for i in 2 3 4; do pd show $i --json | jq -r .assignee; done | tr '\n' ' ')" \
   "bob@agents.example bob@agents.example  " "#accept 2 takes the two oldest unassigned tickets (002: accept oldest first)"
check "the control answer lists what happened" grep -q '#accept 2: 2 tickets accepted' "$(last_to bob@agents.example)"
check "#away is recorded (postdesk agents)" bash -c "'$PD' -c '$T/postdesk.conf' agents | grep bob@ | grep -q away"
n=$(sent_count)
printf 'From: bob@agents.example\nSubject: cmds\nMessage-ID: <ctl2@agents.example>\n\n#accept\n' | deliver support+control@example.com bob@agents.example >/dev/null
is "$(pd show 4 --json | jq -r .assignee):$(sent_count)" ":$n" "the control address ignores unauthenticated mail"

# the same from the command line
echo "We replaced the printer." | pd reply 1 --as ann --status pending >/dev/null
check "postdesk reply: the customer gets it" grep -q "replaced the printer" "$(last_to carl@example.net)"
is "$(pd show 1 --json | jq -r .status)" pending "postdesk reply --status pending"
echo "internal only" | pd note 1 --as bob@agents.example >/dev/null
is "$(pd show 1 --json | jq -r '.messages[-1].visibility')" internal "postdesk note: internal"
pd assign 4 ann >/dev/null
is "$(pd show 4 --json | jq -r .assignee)" "ann@agents.example" "postdesk assign"
pd status 1 resolved >/dev/null
check "postdesk status resolved: the customer is told (customer_closed)" grep -qi "resolved" "$(last_to carl@example.net)"
pd lock 1 --as ann >/dev/null && pd unlock 1 --as bob@agents.example >/dev/null
is "$(pd show 1 --json | jq -r .locked_by)" "" "postdesk lock/unlock: an admin unlocks another's lock"
echo "Your order shipped." | pd new --as ann --to dora@example.org --subject "Your order" > "$T/new.out"
id=$(sed -n 's/^ticket \([0-9]*\) created$/\1/p' "$T/new.out")
is "$(pd show "$id" --json | jq -r '.requester + " " + .status + " " + .messages[0].author')" \
   "dora@example.org awaiting_user agent" "postdesk new: an agent-started ticket"
check "... the customer gets the first message" grep -q "Your order shipped" "$(last_to dora@example.org)"
pd reply 1 --as nobody@x < /dev/null > /dev/null 2>&1
is "$?" 64 "postdesk reply --as an unknown agent: usage error"

done_testing

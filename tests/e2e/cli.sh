#!/bin/bash
# cli.sh - postdesk init/list/show and the pipe filter, without an MTA:
# threading steps a-d and f, duplicates, exit codes, configuration errors.
. "$(dirname "$0")/../lib/common.sh"

pd_home
trap pd_cleanup EXIT
C=$T/postdesk.conf

# a fresh home: modes
check "data directory is 0700" test "$(stat -c %a "$T/data")" = 700
check "key file is 0600" test "$(stat -c %a "$T/data/postdesk.key")" = 600
check "data.mdb is 0600" test "$(stat -c %a "$T/data/data.mdb")" = 600
before=$(sha256sum < "$T/data/postdesk.key")
"$PD" -c "$C" init > "$T/out" 2>&1
rc=$?
is "$rc" 78 "init refuses to overwrite an existing key (exit 78)"
check "... and says so" grep -q "refusing to overwrite" "$T/out"
is "$(sha256sum < "$T/data/postdesk.key")" "$before" "... and the key is unchanged"

# a new customer mail
cat > "$T/m1" <<'MSG'
From: Alice Example <Alice@Example.NET>
To: support@example.com
Subject: Printer on fire
Message-ID: <m1@example.net>
Date: Sun, 22 Nov 2026 10:00:00 +0000

My printer is on fire. Please help.
MSG
out=$(deliver support@example.com < "$T/m1")
is "$?:$out" "0:" "a new mail is stored (exit 0, no output)"
pd list --json > "$T/list.json"
is "$(jq length "$T/list.json")" 1 "list: one ticket"
is "$(jq -r '.[0] | [.id,.status,.subject,.requester] | @tsv' "$T/list.json")" \
   "$(printf '1\tawaiting_agent\tPrinter on fire\talice@example.net')" \
   "list: id, status awaiting_agent, subject, requester"
check "list: created and updated are ISO 8601" \
    jq -e '.[0] | (.created|test("^\\d{4}-\\d\\d-\\d\\dT")) and (.updated|test("Z$"))' "$T/list.json"
pd show 1 --json > "$T/show.json"
RA=$(jq -r .reply_address "$T/show.json")
check "show: reply_address is support+1.<mac>@example.com" \
    grep -Eq '^support\+1\.[a-z2-7]{16}@example\.com$' <<< "$RA"
is "$(jq -r '.messages[0] | [.seq,.from,.message_id,.subject] | @tsv' "$T/show.json")" \
   "$(printf '1\talice@example.net\tm1@example.net\tPrinter on fire')" \
   "show: the message's seq, from, message_id, subject"
check "show: the text is the body" jq -e '.messages[0].text | test("My printer is on fire")' "$T/show.json"
check "show: attachments is an array" jq -e '.messages[0].attachments == []' "$T/show.json"
pd show 1 > "$T/show.txt"
check "show (terminal form) has the subject and the text" \
    grep -q "Printer on fire" "$T/show.txt"
check "show (terminal form) has the history" grep -q "created" "$T/show.txt"

# the same message again: stored once
deliver support@example.com < "$T/m1" >/dev/null
is "$?" 0 "the same message delivered twice exits 0"
is "$(pd show 1 --json | jq '.messages | length')" 1 "... and is stored once"

# a) reply to the signed reply address, with a new subject
cat > "$T/m2" <<'MSG'
From: alice@example.net
To: support@example.com
Subject: something completely different
Message-ID: <m2@example.net>

Still burning.
MSG
deliver "$RA" < "$T/m2" >/dev/null
is "$(pd list --json | jq length):$(pd show 1 --json | jq '.messages|length')" "1:2" \
   "a) a reply to the signed reply address joins the ticket"
# the address upper-cased (some mail systems do that)
sed 's/m2@/m2u@/' "$T/m2" | deliver "$(tr a-z A-Z <<< "$RA")" >/dev/null
is "$(pd show 1 --json | jq '.messages|length')" 3 "a) ... also upper-cased"

# c) In-Reply-To naming a stored message, to the plain address
cat > "$T/m3" <<'MSG'
From: bob@example.org
To: support@example.com
Subject: Re: Printer on fire
Message-ID: <m3@example.org>
In-Reply-To: <m1@example.net>

I am Alice's colleague, same printer.
MSG
deliver support@example.com < "$T/m3" >/dev/null
is "$(pd list --json | jq length):$(pd show 1 --json | jq '.messages|length')" "1:4" \
   "c) In-Reply-To of a stored message joins the ticket"

# a forged token: a new ticket, not ticket 1
cat > "$T/m4" <<'MSG'
From: mallory@evil.example
To: support@example.com
Subject: let me in
Message-ID: <m4@evil.example>

hi
MSG
deliver "support+1.aaaaaaaaaaaaaaaa@example.com" < "$T/m4" >/dev/null
is "$(pd show 1 --json | jq '.messages|length'):$(pd list --json | jq length)" "4:2" \
   "a forged token does not join ticket 1 (a new ticket instead)"

# d) subject tag: from a participant it threads, from a stranger not
printf 'From: mallory@evil.example\nSubject: Re: [#1] gimme\nMessage-ID: <m5@evil.example>\n\nx\n' |
    deliver support@example.com >/dev/null
is "$(pd show 1 --json | jq '.messages|length'):$(pd list --json | jq length)" "4:3" \
   "d) a subject tag from a stranger does not join ticket 1"
printf 'From: Alice <alice@example.net>\nSubject: [#1] more\nMessage-ID: <m6@example.net>\n\ntag\n' |
    deliver support@example.com >/dev/null
is "$(pd show 1 --json | jq '.messages|length'):$(pd list --json | jq length)" "5:3" \
   "d) a subject tag from a participant joins ticket 1"
check "the ticket is still awaiting_agent after customer replies" \
    test "$(pd show 1 --json | jq -r .status)" = awaiting_agent

# no Message-ID: a redelivery (new Received line) is still a duplicate
printf 'Received: from a by b id 1\nFrom: carol@example.com\nSubject: no id\n\nbody\n' |
    deliver support@example.com >/dev/null
printf 'Received: from a by b id 2\nFrom: carol@example.com\nSubject: no id\n\nbody\n' |
    deliver support@example.com >/dev/null
is "$(pd list --json | jq '[.[] | select(.subject == "no id")] | length')" 1 \
   "a message without Message-ID delivered twice is stored once"

# usage and not found
pd show 99 > /dev/null 2>&1
is "$?" 1 "show of a missing ticket exits 1"
pd frobnicate > /dev/null 2>&1
is "$?" 64 "an unknown command exits 64"
check "check reports OK" pd check

# configuration errors: postdesk 78, the filter 75 with 4.3.5 (never a bounce)
printf 'support_address = support@example.com\ndata_directory = %s/data\nmesage_size_limit = 5\n' "$T" > "$T/bad.conf"
out=$("$PD" -c "$T/bad.conf" list 2>&1)
is "$?" 78 "postdesk: a configuration typo exits 78"
check "... naming file, line and key" grep -q "bad.conf:3: mesage_size_limit: unknown parameter" <<< "$out"
out=$("$PF" -c "$T/bad.conf" pipe -- support@example.com < "$T/m1")
is "$?" 75 "filter: a configuration typo exits 75 (the MTA retries)"
check "... with a 4.3.5 line naming file, line and key" \
    grep -q "^4.3.5 .*bad.conf:3: mesage_size_limit" <<< "$out"
out=$("$PF" -c "$T/missing.conf" pipe -- support@example.com < "$T/m1")
is "$?" 75 "filter: a missing configuration file exits 75"
out=$("$PF" -c "$C" pipe < "$T/m1")
is "$?:${out:0:6}" "75:4.3.5 " "filter: no recipient in master.cf exits 75 with 4.3.5"
out=$("$PF" -c "$C" bogus < "$T/m1")
is "$?:${out:0:6}" "75:4.3.5 " "filter: an unknown mode exits 75 with 4.3.5"
printf 'support_address = support@example.com\ndata_directory = %s/data\nworkflow = nope\n' "$T" > "$T/wf.conf"
"$PD" -c "$T/wf.conf" check > "$T/wf.out" 2>&1
is "$?" 78 "check: an unknown workflow exits 78"
check "... naming the file, line and key" \
    grep -q "$T/wf.conf:3: workflow: unknown workflow \"nope\"" "$T/wf.out"
out=$("$PF" -c "$T/wf.conf" pipe -- support@example.com < "$T/m1" 2>&1)
is "$?" 75 "filter: an unknown workflow defers the mail (75)"
check "... and says where" grep -q "wf.conf:3: workflow: unknown workflow" <<< "$out"

done_testing

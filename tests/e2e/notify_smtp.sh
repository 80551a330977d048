#!/bin/bash
# notify_smtp.sh - notifications handed over SMTP (notify_smtp) instead of
# sendmail(1), to Postfix's smtp-sink as the server
#
# A TAP test. smtp-sink (from the postfix package) listens on a free
# loopback port and dumps every mail transaction to a file (-d), envelope
# and message. Checked: postdesk check refuses a notify_smtp that is not
# HOST:PORT (FILE:LINE: KEY), warns when nothing answers there and shows
# the greeting when the server does; a new ticket's three notifications reach the
# server and not sendmail, whole (a line starting with a dot, the last line)
# with the right envelope; with no server listening the intake still exits
# 0 and the entries wait, deferred with the reason; a server that refuses
# RCPT with 4xx defers them with its words; once the server is back,
# postdesk-cron hands each over exactly once.
# Needs smtp-sink, jq and python3, else "1..0 # SKIP".

set -u
. "$(dirname "$0")/../lib/common.sh"

command -v smtp-sink >/dev/null 2>&1 || skip_all "smtp-sink (postfix) is not installed"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
PC=$top_builddir/postdesk-cron
[ -x "$PC" ] || { echo "Bail out! $PC is not built"; exit 99; }

SINK=
cleanup() {
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null
	pd_cleanup
}
trap cleanup EXIT

setconf() {
	sed -i "/^$1 *=/d" "$T/postdesk.conf"
	[ $# -lt 2 ] || echo "$1 = $2" >> "$T/postdesk.conf"
}

# sink [OPTIONS...] - (re)start smtp-sink on $PORT, dumping into $T/sink
sink() {
	[ -n "$SINK" ] && { kill "$SINK" 2>/dev/null; wait "$SINK" 2>/dev/null; }
	smtp-sink -u nobody "$@" -d "$T/sink/%H%M%S." "127.0.0.1:$PORT" 10 \
	    2>> "$T/sink.log" &
	SINK=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# sink_stop - no server on $PORT any more
sink_stop() {
	kill "$SINK" 2>/dev/null
	wait "$SINK" 2>/dev/null
	SINK=
}

# dumped - how many transactions the sink has written
dumped() {
	find "$T/sink" -type f | wc -l
}

# dump_to ADDR - the dump of the transaction for RCPT ADDR
dump_to() {
	grep -l -i "^X-Rcpt-Args: *<\?$1>\?" "$T"/sink/* 2>/dev/null | head -n 1
}

cron() {
	"$PC" -c "$T/postdesk.conf" -v "$@" 2> "$T/cron.log"
}

outbox_json() {
	pd outbox --json 2>/dev/null || echo '[]'
}

PORT=2625
while (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
	PORT=$((PORT + 1))
	[ $PORT -lt 2700 ] || skip_all "no free port"
done

export POSTDESK_NOW=2026-11-22T10:00:00Z
pd_home ""
mkdir -m 777 "$T/sink"
printf '%s\n' 'alice@agents.example.org name="Alice Agent"' \
    'bob@agents.example.org name="Bob Agent"' > "$T/agents"
setconf agents_file "$T/agents"

# ---- the configuration ----
setconf notify_smtp "localhost"
pd check > "$T/check.out" 2>&1
rc=$?
line=$(grep -n '^notify_smtp' "$T/postdesk.conf" | cut -d: -f1)
is "$rc" 78 "check: notify_smtp without a port is refused (78)"
check "... naming the file, line and key" \
    grep -q "$T/postdesk.conf:$line: notify_smtp: \"localhost\" is not HOST:PORT" "$T/check.out"
setconf notify_smtp "127.0.0.1:99999"
pd check > /dev/null 2>&1
is "$?" 78 "check: a port over 65535 is refused"
setconf notify_smtp "127.0.0.1:$PORT"
check "check accepts 127.0.0.1:$PORT" pd check
line=$(grep -n '^notify_smtp' "$T/postdesk.conf" | cut -d: -f1)
check "... and, nothing listening there yet, warns where and why" \
    grep -q "^postdesk: warning: $T/postdesk.conf:$line: notify_smtp: smtp 127.0.0.1:$PORT: connect: .*; notifications wait in the outbox until it answers" \
    <<< "$(pd check 2>&1)"
setconf notify_smtp "[::1]:$PORT"
check "check accepts [::1]:$PORT" pd check
setconf notify_smtp "127.0.0.1:$PORT"
# a copy of postdesk with no SMTP module beside it (nor installed)
mkdir "$T/bin" && cp "$PD" "$T/bin/postdesk"
libexec=$(grep -a -o '/[[:print:]]*/libexec/postdesk' "$PD" | head -n 1)
if [ -n "$libexec" ] && [ ! -e "$libexec/postdesk_smtp.so" ]; then
	"$T/bin/postdesk" -c "$T/postdesk.conf" check > "$T/check.out" 2>&1
	is "$?" 78 "check: notify_smtp set but no SMTP module: refused (78)"
	check "... saying which module is missing" \
	    grep -q "notify_smtp: the module postdesk_smtp.so is not installed" "$T/check.out"
fi

# ---- a new ticket: three notifications over one session ----
sink || { echo "Bail out! smtp-sink did not start"; exit 99; }
check "with the server up, check says it answers (its greeting)" \
    grep -q "^notify_smtp 127.0.0.1:$PORT answers: 220 " <<< "$(pd check 2>&1)"
printf 'From: Carl <carl@example.net>\nTo: support@example.com\nSubject: Printer on fire\nMessage-ID: <c1@example.net>\n\nHello,\n.hidden line starting with a dot\n..two dots\nlast line\n' |
    PF_OPTS=-v deliver support@example.com carl@example.net > "$T/out" 2> "$T/log"
is "$?" 0 "a new mail is stored (exit 0)"
is "$(dumped)" 3 "three notifications reached the SMTP server"
is "$(sent_count)" 0 "... and none went to sendmail"
is "$(outbox_json | jq length)" 0 "the outbox is empty"
is "$(grep -c 'status=sent' "$T/log")" 3 "the log has status=sent for each"
D=$(dump_to carl@example.net)
check "the customer's acknowledgement arrived" test -n "$D"
check "... with the bounce address as envelope sender" \
    grep -qi '^X-Mail-Args: *<\?support@example.com>\?' "${D:-/dev/null}"
python3 - "${D:-/dev/null}" > "$T/ack.json" <<'PY'
import email, email.policy, json, sys
raw = open(sys.argv[1], 'rb').read()
# the dump's own X- lines come first, then the message
lines = raw.split(b'\n')
k = 0
while k < len(lines) and lines[k].startswith(b'X-'):
    k += 1
m = email.message_from_bytes(b'\n'.join(lines[k:]), policy=email.policy.default)
print(json.dumps({'subject': str(m['Subject']), 'reply_to': str(m['Reply-To']),
                  'body': m.get_body(('plain',)).get_content()}))
PY
check "... its Subject names the ticket" jq -e '.subject | startswith("[#1]")' "$T/ack.json"
check "... its Reply-To is the ticket's reply address" \
    jq -e '.reply_to | test("^support\\+1\\.[a-z2-7]+@example\\.com$")' "$T/ack.json"
A=$(dump_to alice@agents.example.org)
check "Alice's notice arrived" test -n "$A"
check "... a line starting with a dot arrives intact" \
    grep -q '^\.hidden line starting with a dot' "${A:-/dev/null}"
check "... so does one starting with two" grep -q '^\.\.two dots' "${A:-/dev/null}"
check "Bob's notice arrived" test -n "$(dump_to bob@agents.example.org)"

# ---- no server: the intake exits 0, the notifications wait ----
sink_stop
printf 'From: Dora <dora@example.net>\nTo: support@example.com\nSubject: No server\nMessage-ID: <d1@example.net>\n\nHi.\n' |
    PF_OPTS=-v deliver support@example.com dora@example.net > "$T/out" 2> "$T/log"
is "$?" 0 "no SMTP server: the mail is stored all the same (exit 0)"
is "$(outbox_json | jq '[.[] | select(.state == "deferred")] | length')" 3 \
    "... its three notifications wait, deferred"
check "... with the reason: the connection" \
    jq -e --arg s "smtp 127.0.0.1:$PORT: connect" '[.[] | .last_error | startswith($s)] | all' \
    <<< "$(outbox_json)"
is "$(grep -c 'status=deferred' "$T/log")" 3 "... and the log says so"

# ---- a server that refuses RCPT for now ----
sink -r RCPT || { echo "Bail out! smtp-sink did not restart"; exit 99; }
before=$(dumped)
POSTDESK_NOW=2026-11-22T10:05:00Z cron
is "$?" 0 "cron runs with a refusing server"
is "$(dumped)" "$before" "... nothing was taken"
check "... each entry keeps the server's 4xx reply" \
    jq -e '[.[] | .last_error | test("RCPT TO: 4[0-9][0-9]")] | all' <<< "$(outbox_json)"

# ---- the server is back: cron hands each over once ----
sink || { echo "Bail out! smtp-sink did not restart"; exit 99; }
POSTDESK_NOW=2026-11-22T11:00:00Z cron
is "$?" 0 "cron with the server back"
is "$(outbox_json | jq length)" 0 "the outbox is empty"
is "$(dumped)" $((before + 3)) "the three waiting notifications were taken"
is "$(grep -l -i '^X-Rcpt-Args: *<\?dora@example.net' "$T"/sink/* | wc -l)" 1 \
    "Dora got exactly one acknowledgement"
POSTDESK_NOW=2026-11-22T12:00:00Z cron
is "$(dumped)" $((before + 3)) "running cron again sends nothing"
sink_stop

done_testing

#!/bin/bash
# forgery.sh - forged or altered tokens, Message-IDs and URLs let nobody in;
# header injection never reaches a notification.
#
# Kept under a minute, so the mail deliveries are fewer than the URL
# checks (override with FORGERY_MAIL and FORGERY_URLS):
#   reply tokens in the recipient address   FORGERY_MAIL/2 random + as many
#                                           with one bit of the MAC flipped
#   agent reply tokens (recipient)           FORGERY_MAIL/4 random + /4 flipped
#   postdesk Message-IDs in In-Reply-To      FORGERY_MAIL/2 random + /2 flipped
#   ticket URLs ("postdesk url --verify")   FORGERY_URLS random + as many flipped
# (defaults: FORGERY_MAIL=200, FORGERY_URLS=1000). Every forged mail must
# become a new ticket (the filter's log says action=new), never join the
# ticket it aims at; every forged URL must exit 1. A bit flip changes one
# of the 80 bits of the MAC (one base32 character by one bit).
# Across tickets: ticket A's token, Message-ID MAC and URL MAC with ticket
# B's number, a subject tag [#N] from a stranger, all refused; A's valid
# token wins over B's Message-ID and tag. Controls show that the valid
# forms are accepted, so the test can fail.
# Header injection: CR, LF and NUL in the From name and the Subject (raw and
# RFC 2047 encoded) never make a header line of their own, nor a NUL or a
# bare CR, in any notification ($T/sent).
# Prints forgeries tried and accepted (must be 0).
. "$(dirname "$0")/../lib/common.sh"

MAILS=${FORGERY_MAIL:-200}
URLS=${FORGERY_URLS:-1000}
pd_home "agents_file = AGENTS"
sed -i "s|^agents_file = AGENTS|agents_file = $T/agents|" "$T/postdesk.conf"
echo 'agent@example.com name="Ann Agent"' > "$T/agents"
trap pd_cleanup EXIT
C=$T/postdesk.conf
tag=$$.$RANDOM
tried=0
accepted=0

# mail FROM SUBJECT MSGID [IN-REPLY-TO] - a small message on stdout
mail() {
	printf 'From: %s\nTo: support@example.com\nSubject: %s\n' "$1" "$2"
	printf 'Message-ID: <%s>\n' "$3"
	[ -n "${4:-}" ] && printf 'In-Reply-To: <%s>\n' "$4"
	printf '\nbody of %s\n' "$3"
}

# into RCPT - deliver stdin with -v; prints "ticket action" of the log line
into() {
	"$PF" -v -c "$C" pipe -q FORGE -f sender@evil.example -- "$1" \
	    2>&1 >/dev/null |
	    sed -n 's/.* ticket=\([0-9]*\) action=\([a-z]*\).*/\1 \2/p'
}

nmsgs() { pd show "$1" --json | jq '.messages | length'; }

# the two victims: ticket A (1) and ticket B (2)
mail "Victim A <victim.a@example.org>" "my invoice" "victimA.$tag@example.org" |
    into support@example.com > /dev/null
mail "Victim B <victim.b@example.org>" "my password" "victimB.$tag@example.org" |
    into support@example.com > /dev/null
A=1 B=2
is "$(pd list --json | jq length)" 2 "two victims' tickets"
RA=$(pd show $A --json | jq -r .reply_address)
TOKA=${RA#support+}
TOKA=${TOKA%@example.com}
MACA=${TOKA#*.}
URLA=$(pd url $A)
f=$(sent_to victim.a@example.org | head -1)
MIDA=$(sed -n 's/^Message-I[dD]: *<\(.*\)>.*/\1/p' "$f" | head -1)
f=$(grep -l "^Subject: .*my invoice" $(sent_to agent@example.com) | head -1)
AGT=$(sed -n 's/^Reply-To: *support+\([^@]*\)@.*/\1/p' "$f" | head -1)
check "A's reply token, URL, notification Message-ID and agent token found" \
    test -n "$MACA" -a -n "$URLA" -a -n "$MIDA" -a -n "$AGT"

# forged strings: KIND VALUE, from a seed
awk -v m="$MAILS" -v u="$URLS" -v a="$A" -v maca="$MACA" -v mida="$MIDA" \
    -v agt="$AGT" -v urla="$URLA" -v seed="$RANDOM" '
function rnd(   s, i) {
	s = ""
	for (i = 0; i < 16; i++) s = s substr(B32, int(rand() * 32) + 1, 1)
	return s
}
function flip(mac,   p, c, v, b) {
	p = int(rand() * 16) + 1; v = index(B32, substr(mac, p, 1)) - 1
	b = 2 ^ int(rand() * 5)
	v = (int(v / b) % 2) ? v - b : v + b
	return substr(mac, 1, p - 1) substr(B32, v + 1, 1) substr(mac, p + 1)
}
BEGIN {
	B32 = "abcdefghijklmnopqrstuvwxyz234567"; srand(seed)
	n = split(mida, mi, "."); split(mi[4], mh, "@")
	split(agt, ag, ".")
	ub = substr(urla, 1, length(urla) - 16); umac = substr(urla, length(urla) - 15)
	for (i = 0; i < m / 2; i++) {
		print "token", a "." rnd()
		print "token", a "." flip(maca)
		print "msgid", "pd." a "." mi[3] "." rnd() "@" mh[2]
		print "msgid", "pd." a "." mi[3] "." flip(mh[1]) "@" mh[2]
	}
	for (i = 0; i < m / 4; i++) {
		print "agent", ag[1] "." ag[2] "." ag[3] "." rnd()
		print "agent", ag[1] "." ag[2] "." ag[3] "." flip(ag[4])
	}
	for (i = 0; i < u; i++) {
		print "url", ub rnd()
		print "url", ub flip(umac)
	}
}' > "$T/forged"
check "each forged value differs from the genuine one" \
    awk -v a="$TOKA" -v m="$MIDA" -v g="$AGT" -v u="$URLA" \
    '$2 == a || $2 == m || $2 == g || $2 == u { bad = 1 } END { exit bad }' \
    "$T/forged"

# the mail forgeries: each must open a new ticket
i=0 failed=0
declare -A tried_k accepted_k
while read -r kind val; do
	[ "$kind" = url ] && continue
	i=$((i + 1))
	case $kind in
	token|agent)
		r=$(mail "Mallory <mallory@evil.example>" "forgery $i" \
		    "forge$i.$tag@evil.example" | into "support+$val@example.com") ;;
	msgid)
		r=$(mail "Mallory <mallory@evil.example>" "Re: my invoice" \
		    "forge$i.$tag@evil.example" "$val" | into support@example.com) ;;
	esac
	tried_k[$kind]=$((${tried_k[$kind]:-0} + 1))
	if [ -z "$r" ]; then
		failed=$((failed + 1))
		echo "# not stored: $kind $val"
	elif [ "${r#* }" != new ] || [ "${r% *}" = $A ]; then
		accepted_k[$kind]=$((${accepted_k[$kind]:-0} + 1))
		echo "# accepted: $kind $val ($r)"
	fi
done < "$T/forged"
is "$failed" 0 "every forged mail was stored"
for kind in token agent msgid; do
	is "${accepted_k[$kind]:-0}" 0 \
	    "${tried_k[$kind]:-0} forged ${kind}s in mail: none joined ticket A"
	tried=$((tried + ${tried_k[$kind]:-0}))
	accepted=$((accepted + ${accepted_k[$kind]:-0}))
done
is "$(nmsgs $A):$(nmsgs $B)" "1:1" "... ticket A and B still have one message each"
is "$(pd list --json | jq length)" $((2 + i)) \
    "... each forged mail opened a ticket of its own"

# the URL forgeries: each must exit 1 (and say "invalid")
n=0 bad=0
while read -r kind val; do
	[ "$kind" = url ] || continue
	n=$((n + 1))
	pd url --verify "$val" > /dev/null 2>&1
	rc=$?
	if [ $rc -ne 1 ]; then
		bad=$((bad + 1))
		echo "# accepted or failed ($rc): $val"
	fi
done < "$T/forged"
is "$bad" 0 "$n forged ticket URLs: postdesk url --verify exits 1 for each"
tried=$((tried + n))
accepted=$((accepted + bad))

# across tickets: A's MACs with B's number, tags from a stranger
cross=0 cross_bad=0
# cross_mail LABEL RCPT SUBJECT [IN-REPLY-TO] - must open a new ticket
cross_mail() {
	local r
	cross=$((cross + 1))
	r=$(mail "Mallory <mallory@evil.example>" "$3" "cross$cross.$tag@evil.example" \
	    "${4:-}" | into "$2")
	is "${r#* }" new "$1"
	[ "${r#* }" = new ] || cross_bad=$((cross_bad + 1))
}
# cross_url LABEL URL - must not verify
cross_url() {
	cross=$((cross + 1))
	pd url --verify "$2" > /dev/null 2>&1
	local rc=$?
	is "$rc" 1 "$1"
	[ $rc = 1 ] || cross_bad=$((cross_bad + 1))
}
cross_mail "A's reply token MAC with B's number: a new ticket" \
    "support+$B.$MACA@example.com" "let me in"
cross_mail "A's notification Message-ID MAC with B's number: a new ticket" \
    support@example.com "Re: my password" "pd.$B.${MIDA#pd.$A.}"
cross_mail "A's agent token MAC with B's number: a new ticket" \
    "support+$B.${AGT#$A.}@example.com" "let me in"
cross_mail "subject tag [#$B] from a stranger: a new ticket" \
    support@example.com "Re: [#$B] my password"
cross_mail "subject tag [#$A] from a stranger: a new ticket" \
    support@example.com "[#$A] my invoice"
cross_mail "a reply token for a ticket that does not exist: a new ticket" \
    "support+99.$MACA@example.com" "hello"
cross_url "A's URL MAC with B's number: url --verify exits 1" \
    "${URLA%/*/*}/t/$B/${URLA##*/}"
cross_url "B's URL without a MAC: exits 1" "${URLA%/*/*}/t/$B/"
cross_url "B's URL with A's MAC upper-cased: exits 1" \
    "${URLA%/*/*}/t/$B/$(tr a-z A-Z <<< "${URLA##*/}")"
is "$(nmsgs $A):$(nmsgs $B)" "1:1" "... A and B still untouched"
tried=$((tried + cross))
accepted=$((accepted + cross_bad))

# controls: the genuine forms are accepted (so the checks above can fail)
r=$(mail "Mallory <mallory@evil.example>" "upper" "ctl1.$tag@evil.example" |
    into "$(tr a-z A-Z <<< "support+$TOKA")@example.com")
is "$r" "$A reply" "control: A's genuine reply token (upper-cased) joins A"
r=$(mail "Mallory <mallory@evil.example>" "Re: [#$B] both" "ctl2.$tag@evil.example" \
    "victimB.$tag@example.org" | into "support+$TOKA@example.com")
is "$r" "$A reply" "control: A's token wins over B's Message-ID and tag"
r=$(mail "Mallory <mallory@evil.example>" "Re: x" "ctl3.$tag@evil.example" \
    "$MIDA" | into support@example.com)
is "$r" "$A reply" "control: A's genuine notification Message-ID joins A"
pd url --verify "$URLA" > /dev/null 2>&1
is "$?" 0 "control: A's genuine URL verifies"
is "$(nmsgs $A):$(nmsgs $B)" "4:1" "... A has the three control messages, B none"

echo "# forgeries tried: $tried, accepted: $accepted"
is "$accepted" 0 "forgeries accepted: 0 of $tried"

# header injection: CR, LF, NUL in From names and Subjects
# inj N FROM SUBJECT - a message; \r, \n and \0 in FROM and SUBJECT are
# written as the bytes they stand for
inj() {
	printf "From: $2\nSubject: $3\nMessage-ID: <inj$1.%s@x>\n\nx\n" \
	    "$tag" > "$T/inj$1"
}
b64=$(printf 'b64\r\nX-Injected: b64\r\n' | base64 -w0)
inj 1 '=?utf-8?q?Eve=0D=0ABcc:_victim@example.org?= <eve1@example.net>' \
    'q-encoded name'
inj 2 eve2@example.net '=?utf-8?q?hello=0D=0AX-Injected:_q=0D=0A?='
inj 3 eve3@example.net "=?utf-8?b?$b64?="
inj 4 eve4@example.net '=?utf-8?q?nul=00X-Injected:_nul?='
inj 5 eve5@example.net 'raw nul\0X-Injected: raw'
inj 6 eve6@example.net 'bare cr\rX-Injected: cr'
inj 7 '"Eve\0X-Injected: name" <eve7@example.net>' 'raw nul name'
inj 8 '=?utf-8?q?Eve=00=0AX-Injected:_name2?= <eve8@example.net>' \
    '=?utf-8?q?x=0AX-Injected:_s?='
inj 9 '"Eve\rX-Injected: name" <eve9@example.net>' 'raw cr name'
# CR LF inside the quoted name ends the From line: no address is left to
# answer, so only the agent is told
inj 10 '"Eve\0\r\nX-Injected: name" <eve10@example.net>' 'raw crlf name'
stored=0
for i in $(seq 10); do
	deliver support@example.com "eve$i@example.net" < "$T/inj$i" > /dev/null &&
	    stored=$((stored + 1))
done
is "$stored" 10 "10 mails with CR, LF or NUL in From name or Subject are stored"
files=$(for i in $(seq 9); do sent_to "eve$i@example.net"; done)
is "$(wc -w <<< "$files")" 9 "... and the 9 with a readable From got an acknowledgement"
is "$(grep -l -E '^Subject: .*(q-encoded name|X-Injected|raw (nul|cr|crlf) name)' \
    $(sent_to agent@example.com) | wc -l)" 10 "... and the agent a notice of each"
# the header block of every notification sent in this test
for f in "$T"/sent/*.eml; do sed '/^$/q' "$f"; done > "$T/headers"
is "$(grep -c -i -E '^(bcc|x-injected):' "$T/headers")" 0 \
    "no injected header line in any notification"
is "$(tr -cd '\000' < "$T/headers" | wc -c)" 0 "no NUL in any header"
is "$(tr -cd '\r' < "$T/headers" | wc -c)" 0 "no CR in any header"
is "$(grep -v -E '^([A-Za-z0-9-]+: |[ \t])' "$T/headers" | grep -cv '^$')" 0 \
    "every header line is a field or a continuation"

done_testing

#!/bin/bash
# demo.sh - postdesk behind a real Postfix, in one throwaway directory
#
# Usage (as root, after building in ./build):   ./demo.sh
#   BUILD=DIR    where postdesk and postdesk-filter were built (default ./build)
#   DEMO_PORT=N  the private Postfix's SMTP port on 127.0.0.1 (default 2625)
#
# It starts a private Postfix instance (tests/lib/postfix.sh: its own config,
# queue and log under a fresh /tmp/postdesk-demo.XXXXXX; the system's Postfix
# is neither used nor touched) whose `postdesk` transport pipes mail for
# support.test into postdesk-filter, exactly as contrib/postfix/*.snippet
# would on a real server. Then it sends what a helpdesk sees on a Monday
# morning:
#   1. Jonas writes in: he cannot log in;
#   2. Marie asks about an invoice: UTF-8 subject, a PDF attached;
#   3. Jonas answers on the ticket's signed reply address;
#   4. Marie follows up by replying to her own mail (In-Reply-To);
# and shows the result with `postdesk list` and `postdesk show 1`.
# Mail postdesk sends out (notifications) is caught in DIR/outbox instead of
# leaving the machine. The instance is stopped at the end; the directory is
# kept so the data can be inspected. Exits non-zero if any step fails.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/build}
PORT=${DEMO_PORT:-2625}

die()
{
	echo "demo.sh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run me as root: Postfix's master process needs it"
for c in postfix swaks unshare; do
	command -v "$c" >/dev/null 2>&1 || die "$c is not installed"
done
[ -x "$BUILD/postdesk" ] && [ -x "$BUILD/postdesk-filter" ] ||
    die "no postdesk build in $BUILD (build first, or set BUILD=DIR)"

PF_BUILD=$BUILD PF_SRC=$here
. "$here/tests/lib/postfix.sh"

D=$(mktemp -d /tmp/postdesk-demo.XXXXXX)
finished=0
cleanup()
{
	pf_stop
	if [ "$finished" != 1 ]; then
		echo "demo.sh: FAILED; everything is in $D (log: $D/log/maillog)" >&2
	fi
}
trap cleanup EXIT

step()
{
	printf '\n==> %s\n' "$*"
}

step "setting up a private Postfix on 127.0.0.1:$PORT in $D"
pf_setup "$D" "$PORT"
pf_start

# ---- 1. a new ticket ----
step "1. jonas@example.com cannot log in"
pf_send --from jonas@example.com \
    --header "From: Jonas Berg <jonas@example.com>" \
    --header "Subject: Can't log in since the password reset" \
    --header "Message-Id: <demo-login-$$@mail.example.com>" \
    --body "Hi,

since I reset my password yesterday I cannot log in any more. The login
page just says \"invalid credentials\". I tried the new password on the
website and in the app.

My customer number is 100482.

Thanks,
Jonas"
pf_settle

# ---- 2. a second customer, UTF-8 subject, an attachment ----
step "2. marie@example.de asks about her invoice (PDF attached)"
MARIE_MID="<demo-invoice-$$@mail.example.de>"
pdf=$(printf '%s\n' '%PDF-1.4' '% Rechnung 2024-0315' \
    '1 0 obj << /Type /Catalog >> endobj' 'trailer << /Root 1 0 R >>' \
    '%%EOF' | base64)
cat >"$D/marie.eml" <<EOF
From: =?UTF-8?Q?Marie_M=C3=BCller?= <marie@example.de>
To: support@support.test
Subject: =?UTF-8?Q?Rechnung_f=C3=BCr_M=C3=A4rz?=
Date: $(date -R)
Message-Id: $MARIE_MID
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="demo-boundary-1"

--demo-boundary-1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Guten Tag,

auf der Rechnung für März wurde das Jahresabo zweimal berechnet
(2 × 89,00 €). Die Rechnung hänge ich an.

Viele Grüße
Marie Müller

--demo-boundary-1
Content-Type: application/pdf; name="Rechnung-2024-0315.pdf"
Content-Disposition: attachment; filename="Rechnung-2024-0315.pdf"
Content-Transfer-Encoding: base64

$pdf
--demo-boundary-1--
EOF
pf_send --from marie@example.de --data "@$D/marie.eml"
pf_settle

# ---- 3. Jonas answers on the signed reply address of ticket 1 ----
REPLY_TO=$(pf_postdesk show 1 --json |
    sed -n 's/.*"reply_address": *"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$REPLY_TO" ] || die "postdesk show 1 --json gave no reply_address"
step "3. Jonas replies to ticket 1's reply address $REPLY_TO"
pf_send --from jonas@example.com --to "$REPLY_TO" \
    --header "From: Jonas Berg <jonas@example.com>" \
    --header "Subject: Re: Can't log in since the password reset" \
    --header "Message-Id: <demo-login-2-$$@mail.example.com>" \
    --body "One more thing: logging in with the old password does not work either.
I use Firefox 128 on Linux."
pf_settle

# ---- 4. Marie follows up, threaded by In-Reply-To ----
step "4. Marie replies to her own first mail (In-Reply-To)"
pf_send --from marie@example.de \
    --header "From: =?UTF-8?Q?Marie_M=C3=BCller?= <marie@example.de>" \
    --header "Subject: =?UTF-8?Q?AW:_Rechnung_f=C3=BCr_M=C3=A4rz?=" \
    --header "Message-Id: <demo-invoice-2-$$@mail.example.de>" \
    --header "In-Reply-To: $MARIE_MID" --header "References: $MARIE_MID" \
    --body "Nachtrag: Kundennummer 200731."
pf_settle

# ---- the result ----
deferred=$(pf_queue_count)
if [ "$deferred" != 0 ]; then
	postqueue -c "$D/etc" -p
	die "$deferred message(s) still queued"
fi
sent=$(grep -c 'relay=postdesk,.*status=sent' "$D/log/maillog" || true)
[ "$sent" = 4 ] ||
    die "Postfix delivered $sent of 4 messages to postdesk (see $D/log/maillog)"

# threading, checked when jq is there to read the JSON
if command -v jq >/dev/null 2>&1; then
	got=$(pf_postdesk list --json | jq -r 'length')
	[ "$got" = 2 ] || die "expected 2 tickets, postdesk list shows $got"
	for t in 1 2; do
		got=$(pf_postdesk show $t --json | jq -r '.messages | length')
		[ "$got" = 2 ] || die "expected 2 messages in ticket $t, found $got"
	done
fi

step "postdesk list"
pf_postdesk list

step "postdesk show 1"
pf_postdesk show 1

if command -v jq >/dev/null 2>&1; then
	step "postdesk show 1 --json | jq"
	pf_postdesk show 1 --json | jq .
fi

n=$(pf_outbox_files | wc -l)
step "mail postdesk sent out (caught in $D/outbox): $n"
for f in $(pf_outbox_files); do
	printf '  %-40s %s\n' "$(sed -n 's/^X-Capture-Recipient: //p' "$f" | head -n 1)" \
	    "$(grep -m 1 -i '^Subject:' "$f")"
done

pf_stop
finished=1
step "done; Postfix stopped"
cat <<EOF
  tickets:   $D/data   ($D/bin/postdesk -c $D/etc/postdesk.conf list)
  maillog:   $D/log/maillog
  outbound:  $D/outbox
  remove it: rm -rf $D
EOF

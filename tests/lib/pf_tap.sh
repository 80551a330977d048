# pf_tap.sh - what the Postfix end-to-end tests share (postfix.sh,
# postfix_notify.sh, postfix_agents.sh, postfix_loop.sh): TAP checks and
# skip, the instance's directory (removed on success, kept on failure), a
# free port, and reading the mail the instance captured.
#
# Source it first (it only defines functions, and takes tests/lib/tap.sh);
# call pf_tap_instance once, after tests/lib/postfix.sh. ok STATUS LABEL,
# is GOT WANT LABEL (tap.sh) and contains HAYSTACK NEEDLE LABEL print one
# TAP line each; at exit the plan is printed, the instance is stopped, and
# the exit status is 1 when any check failed.

. "$top_srcdir/tests/lib/tap.sh"	# ok, is (T_N checks, T_FAIL failed)

# skip REASON - nothing can run here: "1..0 # SKIP", exit 77
skip()
{
	echo "1..0 # SKIP $*"
	exit 77
}

# contains - HAYSTACK contains NEEDLE: contains HAYSTACK NEEDLE LABEL
contains()
{
	case $1 in
	*"$2"*)	ok 0 "$3" ;;
	*)	ok 1 "$3"
		echo "#   '$2' not found in: '$(printf '%s' "$1" | head -c 400)'" ;;
	esac
}

# pf_tap_finish - at exit: stop the instance, print the plan, keep the
# directory when something failed
pf_tap_finish()
{
	local rc=$?
	pf_stop
	echo "1..$T_N"
	if [ "$T_FAIL" = 0 ] && [ "$rc" = 0 ]; then
		rm -rf "$D"
	else
		echo "# FAILED $T_FAIL of $T_N; kept $D (log: $D/log/maillog)"
		[ "$rc" = 0 ] && rc=1
	fi
	exit $rc
}

# pf_tap_instance NAME PORT - D: a new /tmp/pd-e2e-NAME.XXXXXX; port:
# PD_POSTFIX_PORT, else the first free one of PORT, PORT+10, ... below
# PORT+100 (each test has its own PORT, so that they can run side by side).
# /tmp, not $TMPDIR: Postfix's own accounts must reach the instance's
# directories, and a private TMPDIR may be closed to them.
pf_tap_instance()
{
	D=$(mktemp -d "/tmp/pd-e2e-$1.XXXXXX") ||
	    { echo "Bail out! mktemp"; exit 99; }
	trap pf_tap_finish EXIT
	trap 'exit 1' INT TERM HUP
	port=${PD_POSTFIX_PORT:-$2}
	if [ -z "${PD_POSTFIX_PORT:-}" ]; then
		while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
			port=$((port + 10))
			[ "$port" -lt $(($2 + 100)) ] || break
		done
	fi
}

# captured_to ADDR [SUBJECT-REGEX] - files the instance captured for ADDR
# (envelope), oldest first
captured_to()
{
	local f
	for f in $(pf_outbox_files); do
		grep -qix "X-Capture-Recipient: $1" "$f" || continue
		[ -z "${2:-}" ] || grep -Eq "^Subject: $2" "$f" || continue
		echo "$f"
	done
}

# ncaptured ADDR [SUBJECT-REGEX] - how many of those were captured
ncaptured()
{
	captured_to "$@" | grep -c . || true
}

# hdr FILE NAME - one header as a mail client decodes it (the capture's
# envelope lines come first and are headers too)
hdr()
{
	python3 - "$1" "$2" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'),
                                   policy=email.policy.default)
for v in m.get_all(sys.argv[2]) or []:
    print(str(v))
PY
}

# body FILE - the decoded text body
body()
{
	python3 - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'),
                                   policy=email.policy.default)
print(m.get_body(('plain',)).get_content(), end='')
PY
}

# strip_angles - <id@host> -> id@host
strip_angles()
{
	local s=${1#<}
	printf '%s' "${s%>}"
}

# pf_tap.sh - what the Postfix end-to-end tests share (postfix.sh,
# postfix_notify.sh, postfix_agents.sh, postfix_loop.sh): TAP checks, the
# instance's directory (removed on success, kept on failure), a free port.
#
# Source it after tests/lib/postfix.sh, then call pf_tap_instance once.
# ok STATUS LABEL, is GOT WANT LABEL and contains HAYSTACK NEEDLE LABEL
# print one TAP line each; at exit the plan is printed, the instance is
# stopped, and the exit status is 1 when any check failed.

T=0
FAILED=0

# ok - record one test: ok STATUS LABEL (status 0 = pass)
ok()
{
	local st=$1
	shift
	T=$((T + 1))
	if [ "$st" = 0 ]; then
		echo "ok $T - $*"
	else
		echo "not ok $T - $*"
		FAILED=$((FAILED + 1))
	fi
}

# is - ok when GOT equals WANT: is GOT WANT LABEL
is()
{
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
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
	echo "1..$T"
	if [ "$FAILED" = 0 ] && [ "$rc" = 0 ]; then
		rm -rf "$D"
	else
		echo "# FAILED $FAILED of $T; kept $D (log: $D/log/maillog)"
		[ "$rc" = 0 ] && rc=1
	fi
	exit $rc
}

# pf_tap_instance NAME PORT - D: a new /tmp/pd-e2e-NAME.XXXXXX; port:
# PD_POSTFIX_PORT, else the first free one of PORT, PORT+10, ... below
# PORT+100 (each test has its own PORT, so that they can run side by side)
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

# tap.sh - TAP output for the shell tests, sourced by tests/lib/common.sh
# and tests/lib/pf_tap.sh: ok, check and is print one numbered line each
# (T_N counts them, T_FAIL the failures); done_testing prints the plan.

T_N=0
T_FAIL=0

# ok STATUS LABEL - one TAP line from an exit status
ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAIL=$((T_FAIL + 1))
	fi
}

# check LABEL CMD... - run CMD, one TAP line
check() {
	local label=$1
	shift
	if "$@" >/dev/null; then ok 0 "$label"; else ok 1 "$label"; fi
}

# is GOT WANT LABEL - string equality, with a diagnostic
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

# done_testing - the plan; the exit status says whether all passed
done_testing() {
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
}

# skip_all REASON - nothing can run here
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

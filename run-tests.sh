#!/bin/bash
# run-tests.sh - the whole test suite, as CI runs it (README's second command)
#
# Installs the build dependencies (Debian, as root), builds twice (plain in
# build/, with ASan+UBSan in build-asan/), runs "make check" in both, the
# unit tests once more under valgrind, the milter's concurrency check with
# a ThreadSanitizer postdesk-filter (build-tsan/), and ends with one line
# "N passed, N failed" counted from the TAP results of every run.
set -u
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
"$top/scripts/deps.sh" || exit 1

SAN='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pass=0 fail=0 skip=0 rc=0

# count DIR - add the counts of DIR/test-suite.log
count() {
	local log=$1/test-suite.log p f e x s
	[ -f "$log" ] || { echo "run-tests: no $log" >&2; fail=$((fail + 1)); return; }
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	x=$(sed -n 's/^# XPASS: *//p' "$log" | head -1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0}))
	skip=$((skip + ${s:-0}))
	echo "== $1: pass ${p:-0} fail ${f:-0} error ${e:-0} skip ${s:-0}"
	if [ "${f:-0}" -ne 0 ] || [ "${e:-0}" -ne 0 ]; then
		grep -E '^(not ok|# )' "$1"/tests/*/*.log 2>/dev/null |
		    grep -v '^[^:]*:# SKIP' | head -60
	fi
}

# suite NAME DIR CONFIGURE-ARGS... - build in DIR and run make check
suite() {
	local name=$1 dir=$2
	shift 2
	echo "== $name: building in $dir"
	if ! "$top/scripts/build.sh" "$dir" "$@"; then
		echo "run-tests: $name build failed" >&2
		fail=$((fail + 1))
		return
	fi
	(cd "$dir" && make -j2 check >/dev/null 2>&1)
	count "$dir"
}

suite plain "$top/build"
suite asan "$top/build-asan" CFLAGS="$SAN" LDFLAGS="-fsanitize=address,undefined"
echo "== valgrind: unit tests"
(cd "$top/build" && rm -f test-suite.log && make check \
    TESTS="$(cd "$top/build" && make -s print-unit-tests)" \
    LOG_COMPILER="valgrind --quiet --suppressions=$top/tests/valgrind.supp --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite" \
    TEST_SUITE_LOG=test-suite.log >/dev/null 2>&1)
count "$top/build"
# the milter under 20 SMTP sessions at once, built with ThreadSanitizer
# (only postdesk-filter; the rest of the test uses the plain build)
echo "== tsan: postdesk-filter milter, concurrency check"
if mkdir -p "$top/build-tsan" && (cd "$top/build-tsan" &&
    { [ -f Makefile ] || "$top/configure" -q CFLAGS='-fsanitize=thread -O1 -g' \
    LDFLAGS='-fsanitize=thread'; } && make -j2 postdesk-filter >/dev/null); then
	(cd "$top/build" && rm -f test-suite.log &&
	    PD_MILTER_FILTER="$top/build-tsan/postdesk-filter" \
	    PD_MILTER_PARTS=concurrency make check TESTS=tests/e2e/milter.sh \
	    TEST_SUITE_LOG=test-suite.log >/dev/null 2>&1)
	count "$top/build"
else
	echo "run-tests: tsan build failed" >&2
	fail=$((fail + 1))
fi
[ "$fail" -eq 0 ] || rc=1
echo "$pass passed, $fail failed, $skip skipped"
exit $rc

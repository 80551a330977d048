#!/bin/bash
# fuzz.sh - a short libFuzzer run of every target in tests/fuzz (TAP)
#
# Runs tests/fuzz/run.sh with FUZZ_SECONDS (default 15) per target, so a CI
# run spends about a minute fuzzing: the targets are built with clang
# (-fsanitize=fuzzer,address,undefined), the regression inputs of
# tests/fuzz/regress/ are replayed, then each target fuzzes from its seeds
# and the corpus kept in $top_builddir/fuzz. One TAP line per target: it
# built, its regressions did not crash, its fuzzing found no crash and no
# broken contract. Skipped when clang cannot build a libFuzzer program.
# "make fuzz" runs the same for 300 s per target.
. "$(dirname "$0")/../lib/common.sh"

TARGETS="mail_parse conf token intake"
command -v clang > /dev/null || skip_all "clang is not installed (libFuzzer needs it)"
out=$(FUZZ_SECONDS=${FUZZ_SECONDS:-15} FUZZ_TARGETS="$TARGETS" \
    top_srcdir="$top_srcdir" top_builddir="$top_builddir" PD_CORPUS="$PD_CORPUS" \
    sh "$top_srcdir/tests/fuzz/run.sh" 2>&1)
rc=$?
[ $rc -eq 77 ] && skip_all "$(head -1 <<< "$out")"
sed 's/^/# /' <<< "$out"
for t in $TARGETS; do
	line=$(grep "^fuzz_$t: " <<< "$out")
	check "fuzz_$t: built" test -n "$line" -a "${line#*BUILD FAILED}" = "$line"
	check "fuzz_$t: regression inputs replayed without a crash" \
	    test -n "$line" -a "${line#*replaying}" = "$line"
	check "fuzz_$t: no crash, no broken contract (${line#fuzz_$t: })" \
	    grep -q '^fuzz_'"$t"': ok: [1-9][0-9]* runs' <<< "$line"
done
is "$rc" 0 "run.sh exits 0"

done_testing

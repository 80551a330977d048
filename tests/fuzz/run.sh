#!/bin/sh
# run.sh - build the libFuzzer targets of tests/fuzz with clang and run each
#
#   [FUZZ_SECONDS=20] [FUZZ_TARGETS="mail_parse conf token intake"] \
#   [top_srcdir=..] [top_builddir=..] sh tests/fuzz/run.sh
#
# Each target is compiled straight from the sources it tests (not through
# automake) with -fsanitize=fuzzer,address,undefined, linking GMime,
# libxml2 and libsodium through pkg-config; objects and binaries go to
# $FUZZ_WORK (default $top_builddir/fuzz). For each target:
#   1. the regression inputs in tests/fuzz/regress/TARGET/ are replayed
#      (each once): every crash ever found stays fixed;
#   2. it fuzzes for FUZZ_SECONDS, from its corpus in $FUZZ_WORK/corpus/
#      (kept between runs) and its seeds: the mail corpus (../shared/corpus,
#      or $PD_CORPUS) for mail_parse, the same with an envelope line
#      pair in front for intake, tests/fuzz/seeds/TARGET/ for all.
# One summary line per target:
#   fuzz_T: ok: N runs in S s, corpus C files (+NEW), R regressions replayed
#   fuzz_T: CRASH ...   (the input is saved as $FUZZ_WORK/artifacts/T-*)
#   fuzz_T: BUILD FAILED
# Exit 0 when every target ran clean, 1 otherwise, 77 when clang cannot
# build a libFuzzer program here. "make fuzz" runs this for 300 s each,
# tests/e2e/fuzz.sh for 15 s each.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
PD_CORPUS=${PD_CORPUS:-$top_srcdir/../shared/corpus}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_TARGETS=${FUZZ_TARGETS:-"mail_parse conf token intake"}
W=${FUZZ_WORK:-$top_builddir/fuzz}
CC=${FUZZ_CC:-clang}
S=$top_srcdir/src
F=$top_srcdir/tests/fuzz
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
CFLAGS="-g -O1 -fno-omit-frame-pointer -Wall -Wno-unused-parameter"

mkdir -p "$W/obj" "$W/inc" "$W/artifacts" || exit 1

# can this clang build a fuzzer at all?
printf '%s\n%s\n' 'int LLVMFuzzerTestOneInput(const unsigned char *d,' \
    'unsigned long n) { return 0; }' > "$W/probe.c"
if ! $CC $SAN "$W/probe.c" -o "$W/probe" > "$W/probe.log" 2>&1; then
	echo "run.sh: $CC cannot build a libFuzzer program (-fsanitize=fuzzer):"
	sed 's/^/  /' "$W/probe.log" | head -3
	exit 77
fi
PKGS="gmime-3.0 libxml-2.0 libsodium"
if ! pkg-config --exists $PKGS; then
	echo "run.sh: pkg-config does not know $PKGS"
	exit 77
fi
# conf.c includes config.h; an unconfigured tree gets an empty one
if [ -f "$top_builddir/config.h" ]; then
	INC="-I$top_builddir"
else
	: > "$W/inc/config.h"
	INC="-I$W/inc"
fi
CPPFLAGS="-D_GNU_SOURCE -I$S -I$F $INC $(pkg-config --cflags $PKGS)"
LIBS=$(pkg-config --libs $PKGS)

UTIL="util/buf util/clock util/conf util/err util/log util/xalloc util/utf8"
MAIL="mail/mail_parse mail/mail_html"

# sources - the sources of one target, without .c
sources() {
	case $1 in
	mail_parse)	echo "$UTIL $MAIL" ;;
	conf)		echo "$UTIL" ;;
	token)		echo "$UTIL token/token" ;;
	intake)		echo "$UTIL $MAIL token/token core/classify core/thread" ;;
	esac
}

# maxlen - the largest input worth trying
maxlen() {
	case $1 in
	mail_parse|intake) echo 65536 ;;
	conf)		echo 4096 ;;
	token)		echo 512 ;;
	esac
}

# build T - compile what T needs (always: the sources change) and link
build() {
	objs=
	for src in $(sources "$1"); do
		o=$W/obj/$(echo "$src" | tr / _).o
		$CC $CFLAGS $SAN -c $CPPFLAGS "$S/$src.c" -o "$o" || return 1
		objs="$objs $o"
	done
	$CC $CFLAGS $SAN $CPPFLAGS "$F/fuzz_$1.c" $objs $LIBS -o "$W/fuzz_$1"
}

# seeds T - the seed directories of T (created when needed)
seeds() {
	dirs=
	[ -d "$F/seeds/$1" ] && dirs="$F/seeds/$1"
	case $1 in
	mail_parse)
		[ -d "$PD_CORPUS" ] && dirs="$dirs $PD_CORPUS" ;;
	intake)
		if [ -d "$PD_CORPUS" ] && [ ! -d "$W/seeds-intake" ]; then
			mkdir -p "$W/seeds-intake"
			n=0
			find "$PD_CORPUS" -type f -size -64k | sort |
			while read -r f; do
				n=$((n + 1))
				{ printf 'support@example.com\ncustomer@example.net\n'
				  cat "$f"; } > "$W/seeds-intake/$n"
			done
		fi
		[ -d "$W/seeds-intake" ] && dirs="$dirs $W/seeds-intake" ;;
	esac
	echo "$dirs"
}

status=0
for t in $FUZZ_TARGETS; do
	log=$W/fuzz_$t.log
	if ! build "$t" > "$W/build_$t.log" 2>&1; then
		echo "fuzz_$t: BUILD FAILED (see $W/build_$t.log)"
		sed 's/^/  /' "$W/build_$t.log" | grep -m 5 error
		status=1
		continue
	fi
	# 1. every crash found so far stays fixed
	nreg=0
	if [ -d "$F/regress/$t" ]; then
		set -- "$F/regress/$t"/*
		if [ -f "$1" ]; then
			nreg=$#
			if ! "$W/fuzz_$t" -runs=1 "$@" > "$W/regress_$t.log" 2>&1
			then
				echo "fuzz_$t: CRASH replaying a regression input" \
				    "(see $W/regress_$t.log)"
				grep -m 3 -E 'ERROR|CONTRACT|Running:' \
				    "$W/regress_$t.log" | sed 's/^/  /'
				status=1
				continue
			fi
		fi
	fi
	# 2. fuzz from the kept corpus and the seeds
	mkdir -p "$W/corpus/$t"
	before=$(ls "$W/corpus/$t" | wc -l)
	"$W/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=20 \
	    -rss_limit_mb=2560 -max_len="$(maxlen "$t")" -print_final_stats=1 \
	    -artifact_prefix="$W/artifacts/$t-" "$W/corpus/$t" $(seeds "$t") \
	    > "$log" 2>&1
	rc=$?
	after=$(ls "$W/corpus/$t" | wc -l)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -ne 0 ]; then
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" |
		    tail -1)
		echo "fuzz_$t: CRASH after ${runs:-?} runs: input $art" \
		    "(see $log)"
		grep -m 3 -E 'ERROR|CONTRACT' "$log" | sed 's/^/  /'
		status=1
		continue
	fi
	echo "fuzz_$t: ok: ${runs:-0} runs in $FUZZ_SECONDS s, corpus $after" \
	    "files (+$((after - before))), $nreg regressions replayed"
done
exit $status

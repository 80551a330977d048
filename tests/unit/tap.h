/*
 * tap.h - a minimal TAP producer for the unit tests
 *
 * Each check prints "ok N - label" or "not ok N - label" (with file:line);
 * tap_done() prints the plan and returns the exit status (0 when all
 * passed). automake's tap-driver.sh counts every check, so the suite's
 * "N passed, N failed" counts assertions, not programs.
 */
#ifndef PD_TAP_H
#define PD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_ok(int, const char *, int, const char *, ...)
	__attribute__((format(printf, 4, 5), unused));

static void
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("# failed at %s:%d\n", file, line);
	}
	fflush(stdout);
}

#define OK(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define IS_STR(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int c_ = g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0; \
	OK(c_, __VA_ARGS__); \
	if (!c_) printf("#   got:  \"%s\"\n#   want: \"%s\"\n", \
	    g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)
#define IS_INT(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	OK(g_ == w_, __VA_ARGS__); \
	if (g_ != w_) printf("#   got:  %lld\n#   want: %lld\n", g_, w_); \
} while (0)

static int tap_done(void) __attribute__((unused));

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif

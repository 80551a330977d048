/*
 * fuzz_util.h - what the libFuzzer targets of tests/fuzz share
 *
 * fuzz_fail() prints "fuzz: CONTRACT BROKEN: why" and aborts, so libFuzzer
 * saves the input and prints the stack. fuzz_utf8() is 1 when a string is
 * valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
 * fuzz_cstr() copies fuzzer bytes into a NUL-terminated string (the caller
 * frees); bytes after an embedded NUL are simply not seen by C code.
 * fuzz_mkstemp() makes a temporary file NAME.XXXXXX in $TMPDIR (else
 * /tmp) and returns its descriptor, with its path in path.
 * Header-only: each target is one .c file plus the sources it tests.
 */
#ifndef PD_FUZZ_UTIL_H
#define PD_FUZZ_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_fail(const char *, ...)
	__attribute__((format(printf, 1, 2), noreturn, unused));
static int fuzz_utf8(const char *) __attribute__((unused));
static char *fuzz_cstr(const unsigned char *, size_t) __attribute__((unused));
static int fuzz_mkstemp(char *, size_t, const char *) __attribute__((unused));

/* fuzz_mkstemp - a temporary file in $TMPDIR; its descriptor, or aborts */
static int
fuzz_mkstemp(char *path, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, size, "%s/%s.XXXXXX", dir != NULL && *dir != '\0' ?
	    dir : "/tmp", name);
	if ((fd = mkstemp(path)) < 0)
		fuzz_fail("mkstemp: cannot make %s", path);
	return fd;
}

/* fuzz_fail - report a broken contract and abort */
static void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: CONTRACT BROKEN: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* fuzz_utf8 - 1 when s is valid UTF-8 */
static int
fuzz_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* fuzz_cstr - a NUL-terminated copy of size bytes */
static char *
fuzz_cstr(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif

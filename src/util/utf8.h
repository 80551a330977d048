/*
 * utf8.h - UTF-8 validity, the one implementation every layer uses
 *
 * utf8_seq() gives the length (1-4) of the well-formed UTF-8 sequence at
 * p (at most n bytes), or 0 when it is not one: overlong forms, UTF-16
 * surrogates and code points above U+10FFFF are refused (RFC 3629).
 * utf8_valid() says whether s[0..n) is all well-formed; NUL bytes count
 * as valid one-byte sequences.
 */
#ifndef PD_UTF8_H
#define PD_UTF8_H

#include <stddef.h>

size_t	utf8_seq(const unsigned char *p, size_t n);
int	utf8_valid(const char *s, size_t n);

#endif

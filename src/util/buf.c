/*
 * buf.c - growable byte buffers; see buf.h
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "xalloc.h"

/* buf_new - an empty buffer with room for hint bytes */
struct buf *
buf_new(size_t hint)
{
	struct buf *b = xmalloc(sizeof(*b));

	b->cap = hint < 16 ? 16 : hint + 1;
	b->data = xmalloc(b->cap);
	b->len = 0;
	b->data[0] = '\0';
	return b;
}

/* buf_free - release; accepts NULL */
struct buf *
buf_free(struct buf *b)
{
	if (b != NULL) {
		free(b->data);
		free(b);
	}
	return NULL;
}

/* buf_export - hand the bytes to the caller and free the buffer */
char *
buf_export(struct buf *b, size_t *lenp)
{
	char *p = b->data;

	if (lenp != NULL)
		*lenp = b->len;
	free(b);
	return p;
}

/* buf_reset - empty the buffer, keep its memory */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* buf_reserve - grow so that n more bytes and a NUL fit */
char *
buf_reserve(struct buf *b, size_t n)
{
	size_t need;

	if (n > (size_t)-1 - b->len - 1)
		log_fatal("buffer size overflow");
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t cap = b->cap;

		while (cap < need)
			cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	return b->data + b->len;
}

/* buf_add - append bytes */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(buf_reserve(b, n), p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* buf_adds - append a C string */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* buf_addc - append one byte */
void
buf_addc(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

/* buf_printf - append formatted text */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char probe[1];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(probe, sizeof(probe), fmt, ap);
	va_end(ap);
	if (n < 0)
		log_fatal("buf_printf: bad format");
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * buf.h - growable byte buffers
 *
 * A struct buf always keeps a NUL after its len bytes, so b->data can be
 * used as a C string when the content has no NUL. buf_free() accepts NULL
 * and returns NULL: "b = buf_free(b);". buf_export() hands the bytes to the
 * caller (who frees them with free()) and frees the buf itself.
 */
#ifndef PD_BUF_H
#define PD_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	len;
	size_t	cap;
};

struct buf *buf_new(size_t hint);
struct buf *buf_free(struct buf *);
char	*buf_export(struct buf *, size_t *lenp);
void	buf_reset(struct buf *);
void	buf_add(struct buf *, const void *, size_t);
void	buf_adds(struct buf *, const char *);
void	buf_addc(struct buf *, int);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* buf_reserve - make room for n more bytes; returns the write position */
char	*buf_reserve(struct buf *, size_t n);

#endif

/*
 * xalloc.h - allocation that succeeds or does not return
 *
 * On failure log_fatal() ends the program with its fatal status (75 in the
 * filter: the MTA keeps the message and retries).
 */
#ifndef PD_XALLOC_H
#define PD_XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* xasprintf - allocate a formatted string (caller frees) */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif

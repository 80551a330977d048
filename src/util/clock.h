/*
 * clock.h - the one source of "now"
 *
 * clock_now() returns the current time, or the time in POSTDESK_NOW when
 * that is set (ISO 8601: 2026-11-22T10:00:00Z, or with +HH:MM offset, or
 * a plain number of seconds since the epoch), so tests can move time.
 */
#ifndef PD_CLOCK_H
#define PD_CLOCK_H

#include <stddef.h>
#include <time.h>

time_t	clock_now(void);
/* clock_parse_iso - parse ISO 8601 (see above); 0 ok, -1 malformed */
int	clock_parse_iso(const char *, time_t *);
/* clock_format_iso - "2026-11-22T10:00:00Z" into buf (>= 21 bytes) */
char	*clock_format_iso(time_t, char *, size_t);

#endif

/*
 * clock.c - see clock.h
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* clock_parse_iso - ISO 8601 date-time, UTC or with an offset */
int
clock_parse_iso(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0, oh, om;
	const char *p;
	char *end;
	long long secs;

	if (s == NULL || *s == '\0')
		return -1;
	secs = strtoll(s, &end, 10);
	if (*end == '\0' && end != s) {
		*out = (time_t)secs;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &se, &n) != 1)
				return -1;
			p += 1 + n;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	secs = (long long)timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2)
			return -1;
		secs -= (*p == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
		p += 1 + n;
	}
	if (*p != '\0')
		return -1;
	*out = (time_t)secs;
	return 0;
}

/* clock_now - the current time, or POSTDESK_NOW */
time_t
clock_now(void)
{
	const char *env = getenv("POSTDESK_NOW");
	time_t t;

	if (env != NULL && clock_parse_iso(env, &t) == 0)
		return t;
	return time(NULL);
}

/* clock_format_iso - format as UTC ISO 8601 */
char *
clock_format_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

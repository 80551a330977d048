/*
 * log.c - syslog (facility mail) plus optional stderr; see log.h
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "log.h"

static const char *log_prog = "postdesk";
static int log_level;		/* -v count */
static int log_tty;		/* copy to stderr */
static int log_exit = 75;

static void log_vemit(int, const char *, const char *, va_list);

/* log_init - open syslog for this program */
void
log_init(const char *prog, int verbose, int fatal_status)
{
	log_prog = prog;
	log_level = verbose;
	log_tty = verbose > 0;
	log_exit = fatal_status;
	openlog(prog, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* log_stderr - switch the stderr copy on or off */
void
log_stderr(int on)
{
	log_tty = on;
}

/* log_verbose - the -v count */
int
log_verbose(void)
{
	return log_level;
}

/* log_vemit - one line to syslog and maybe stderr */
static void
log_vemit(int pri, const char *tag, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (tag != NULL)
		syslog(pri, "%s: %s", tag, line);
	else
		syslog(pri, "%s", line);
	if (log_tty) {
		if (tag != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_prog, tag, line);
		else
			fprintf(stderr, "%s: %s\n", log_prog, line);
	}
}

#define LOG_FN(name, pri, tag) \
void \
name(const char *fmt, ...) \
{ \
	va_list ap; \
	va_start(ap, fmt); \
	log_vemit(pri, tag, fmt, ap); \
	va_end(ap); \
}

LOG_FN(log_info, LOG_INFO, NULL)
LOG_FN(log_warn, LOG_WARNING, "warning")
LOG_FN(log_error, LOG_ERR, "error")

/* log_debug - only with -v -v */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 2)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, "debug", fmt, ap);
	va_end(ap);
}

/* log_fatal - log and exit with the program's fatal status */
void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, "fatal", fmt, ap);
	va_end(ap);
	exit(log_exit);
}

/* log_panic - a bug: log and abort */
void
log_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, "panic", fmt, ap);
	va_end(ap);
	abort();
}

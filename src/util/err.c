/*
 * err.c - error record helpers (see err.h)
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

/* err_set - fill in an error record */
int
err_set(struct pd_err *err, int class, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->class = class;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* err_clear - reset an error record */
void
err_clear(struct pd_err *err)
{
	err->class = PD_OK;
	err->text[0] = '\0';
}

/* err_class_name - a printable name for an error class */
const char *
err_class_name(int class)
{
	static const char *names[] = {
		"ok", "temporary", "data", "config", "bug",
	};

	if (class < 0 || class > PD_EBUG)
		return "unknown";
	return names[class];
}

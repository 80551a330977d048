/*
 * err.h - error classes and the caller-owned error record
 *
 * Every layer returns int (0 success, -1 error; lookups 1 found, 0 not
 * found, -1 error) and fills a struct pd_err where the failure is understood.
 * The program at the edge maps the class once (STYLE.md section 3).
 */
#ifndef PD_ERR_H
#define PD_ERR_H

#define PD_OK		0	/* success, or a duplicate */
#define PD_ETEMP	1	/* try again later: I/O, busy, full, memory */
#define PD_EDATA	2	/* the input is unacceptable (over size limit) */
#define PD_ECONFIG	3	/* configuration unusable */
#define PD_EBUG		4	/* an internal inconsistency */

struct pd_err {
	int	class;
	char	text[256];
};

/* err_set - record class and text; returns -1 so callers can "return err_set()" */
int	err_set(struct pd_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* err_clear - reset to PD_OK, empty text */
void	err_clear(struct pd_err *);
/* err_class_name - "ok", "temporary", "data", "config", "bug" */
const char *err_class_name(int);

#endif

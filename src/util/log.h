/*
 * log.h - the one logging API (syslog facility mail, ident = program name)
 *
 * log_init() opens syslog with LOG_PID and LOG_MAIL. With verbose > 0 every
 * line is also written to stderr as "prog: line". log_fatal() logs and exits
 * with the status given to log_init() (75 in the filter, so the MTA retries);
 * log_panic() logs and aborts. Only the programs log; the layers below return
 * a struct pd_err instead.
 */
#ifndef PD_LOG_H
#define PD_LOG_H

#define PD_PRINTF(a, b)	__attribute__((format(printf, a, b)))

void	log_init(const char *prog, int verbose, int fatal_status);
/* log_stderr - also (1) or no longer (0) copy lines to stderr */
void	log_stderr(int);
int	log_verbose(void);
void	log_info(const char *, ...) PD_PRINTF(1, 2);
void	log_warn(const char *, ...) PD_PRINTF(1, 2);
void	log_error(const char *, ...) PD_PRINTF(1, 2);
void	log_fatal(const char *, ...) PD_PRINTF(1, 2) __attribute__((noreturn));
void	log_panic(const char *, ...) PD_PRINTF(1, 2) __attribute__((noreturn));
/* log_debug - logged only when verbose > 1 */
void	log_debug(const char *, ...) PD_PRINTF(1, 2);

#endif

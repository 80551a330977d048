/*
 * fe_pipe.h - the pipe front-end: one message on stdin (postdesk-filter pipe)
 *
 * fe_pipe() never returns: it exits with a sysexits(3) status that Postfix's
 * pipe(8) understands (DESIGN.md section 3): 0 stored or duplicate; 75 and
 * a "4.3.x reason" line on stdout for every temporary or configuration
 * failure; 65 and a "5.3.4 reason" line when over message_size_limit.
 */
#ifndef PD_FE_PIPE_H
#define PD_FE_PIPE_H

void	fe_pipe(const char *config, int argc, char **argv)
	    __attribute__((noreturn));

#endif

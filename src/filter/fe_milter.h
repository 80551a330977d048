/*
 * fe_milter.h - the milter front-end: tickets at SMTP time
 *
 * postdesk-filter milter -p SOCKET serves the Sendmail milter protocol
 * (libmilter) on SOCKET, in libmilter's notation: "inet:PORT@127.0.0.1",
 * "inet6:PORT@[::1]" or "unix:/path". Many SMTP sessions are served at once,
 * one thread each, all sharing one intake context (one LMDB environment).
 *
 * A message with a recipient in the domain of support_address is assembled
 * from the callbacks as pipe mode would read it, and handed to
 * intake_message() once per such recipient at end of message. The SMTP
 * answer is the outcome (DESIGN.md section 3): stored or duplicate ->
 * accept, or per milter_action discard or add "X-Postdesk-Ticket: N";
 * over message_size_limit -> 552 5.3.4; anything else -> 451 4.3.0 (4.3.5
 * for a configuration problem), so the client retries. Mail with no such
 * recipient is accepted untouched as soon as the last RCPT is known.
 *
 * fe_milter() never returns. It exits 75 without serving when the
 * configuration, the store or the socket is unusable at startup; on
 * SIGTERM (or SIGHUP) it stops accepting connections, finishes the
 * messages already begun (bounded wait), closes the store and exits 0.
 */
#ifndef PD_FE_MILTER_H
#define PD_FE_MILTER_H

void	fe_milter(const char *config, int argc, char **argv)
	    __attribute__((noreturn));

#endif

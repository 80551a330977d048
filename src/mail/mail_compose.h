/*
 * mail_compose.h - outgoing mail: one text/plain UTF-8 message (GMime)
 *
 * mail_compose() builds a complete RFC 5322 message with LF line ends (as
 * sendmail(1) takes it): Date, From, Reply-To, To, Cc, Subject,
 * Message-ID, In-Reply-To, References, Auto-Submitted, X-Loop,
 * Precedence, MIME-Version, Content-Type (text/plain; charset=utf-8) and
 * Content-Transfer-Encoding (7bit, quoted-printable or base64, whichever
 * GMime finds best under a 7-bit constraint). No output line is longer
 * than 998 octets; non-ASCII header text is RFC 2047 encoded and folded.
 *
 * Input contract: strings are UTF-8; invalid bytes become U+FFFD. In
 * every header value (names, subject, ...) CR, LF, TAB and the other
 * control characters become spaces, so no value can add or break a
 * header. Addresses (from_addr, to_addr, reply_to, each entry of cc) must
 * be a bare addr-spec "local@domain" without blanks, controls, or any of
 * <>()[],;:"\ , with an ASCII local part (a UTF-8 domain is written as
 * IDNA); otherwise mail_compose() fails with PD_EDATA. Message-IDs
 * are given without <>; message_id must be printable ASCII with an "@";
 * an In-Reply-To or References entry that is not printable ASCII without
 * blanks and <> is left out (they come from other people's mail).
 * Bcc is not a header: the caller gives those recipients to sendmail.
 *
 * Errors: PD_EDATA for an unusable address or message_id, PD_EBUG for a
 * missing required field (from_addr, to_addr, message_id, subject, body),
 * PD_ETEMP when GMime cannot write the message.
 */
#ifndef PD_MAIL_COMPOSE_H
#define PD_MAIL_COMPOSE_H

#include <stddef.h>
#include <time.h>

struct pd_err;

struct mail_out {
	const char *from_name;		/* "Example Support", NULL/"" none */
	const char *from_addr;		/* required */
	const char *to_name;		/* NULL/"" none */
	const char *to_addr;		/* required */
	const char *cc;			/* "a@b, Name <c@d>", NULL/"" none */
	const char *reply_to;		/* addr-spec, NULL/"" none */
	const char *subject;		/* required, may be "" */
	const char *message_id;		/* required, without <> */
	const char *in_reply_to;	/* without <>, NULL/"" none */
	const char *const *references;	/* without <>, oldest first */
	size_t	nreferences;
	const char *auto_submitted;	/* "auto-replied", "auto-generated" */
	const char *x_loop;		/* NULL/"" none */
	const char *precedence;		/* "bulk", ..., NULL/"" none */
	const char *body;		/* required, UTF-8, LF line ends */
	time_t	date;			/* 0: clock_now() */
};

/*
 * mail_compose - build the message; 0 and *out (len bytes, NUL after
 * them; the caller frees it with free()), or -1 with err. mail_init() must
 * have run.
 */
int	mail_compose(const struct mail_out *, char **out, size_t *len,
		     struct pd_err *);

#endif

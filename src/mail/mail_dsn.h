/*
 * mail_dsn.h - bounces: who could not be reached, why, and which message
 *
 * mail_dsn_parse() reads one RFC 5322 message from memory (GMime) and
 * copies out what a helpdesk needs to know about a bounce, as plain UTF-8
 * strings; no GMime object survives the call.
 *
 * RFC 3464 reports: the message/delivery-status part is found anywhere in
 * the MIME tree outside a returned message (normally in a multipart/report;
 * report-type=delivery-status, but also in a multipart/mixed or at the top;
 * a gateway's notice that only wraps the real report in a message/rfc822
 * part is read as that report), and each of its per-recipient blocks
 * becomes one recipient. is_dsn is 1 when there is such a part or a
 * multipart/report of report-type delivery-status; when its fields name
 * nobody (an empty part), the text rules below fill in the recipients. The
 * returned message comes from the first message/rfc822 (or message/global)
 * part, else the first text/rfc822-headers part, else a header block quoted
 * in a text part (not the bounce's own header).
 *
 * Other bounces (qmail, Exim, Postfix's and Sendmail's older texts,
 * Exchange, Lotus Domino, and anything that quotes the original headers in
 * its text): best effort from X-Failed-Recipients and the human-readable
 * text: the failed addresses, a status when one is written (5.x.x / 4.x.x),
 * a one-line reason, and the original Message-ID when its headers appear
 * anywhere in the body. is_dsn is 0 for these.
 *
 * Field values: addresses are lower-cased addr-specs without "rfc822;" or
 * angle brackets; action is lower case ("failed", "delayed", "delivered",
 * "relayed", "expanded", "" when unknown); status is "D.D.D" ("" when none
 * could be found; a report without a Status field gets the code its
 * Diagnostic-Code names, or X.0.0 from its SMTP reply, or 5.0.0 / 4.0.0
 * from its Action; so does a recipient the text rules found in a report
 * without usable fields); a missing action follows the status (5: failed,
 * 4: delayed, 2: delivered); diagnostic is the text, unfolded, white space
 * collapsed, without the "smtp;" type. Message-IDs are without <>. Strings
 * are never NULL ("" when absent), always valid UTF-8 without control
 * characters. hard is 1 when any recipient has Action failed or a 5.x.x
 * status. reason is the first non-empty diagnostic, at most 300 bytes.
 *
 * mail_dsn_parse() never fails on ugly input: it returns 0 with whatever it
 * found (possibly nothing: no recipients, is_dsn 0). It returns -1 only for
 * a NULL out. mail_init() must have run before. Cost: linear in the input,
 * bounded by MAIL_DSN_MAX_RCPT recipients and the nesting it descends.
 *
 * Ownership: *out is the caller's; free it with mail_dsn_free(), which
 * accepts NULL and returns NULL.
 */
#ifndef PD_MAIL_DSN_H
#define PD_MAIL_DSN_H

#include <stddef.h>

struct pd_err;

#define MAIL_DSN_MAX_RCPT	1000	/* recipients kept per report */

struct pd_dsn_rcpt {
	char	*addr;		/* Final-Recipient, else Original-Recipient */
	char	*orig_addr;	/* Original-Recipient, "" when none */
	char	*action;	/* failed delayed delivered relayed expanded */
	char	*status;	/* "5.1.1", "" when unknown */
	char	*diagnostic;	/* Diagnostic-Code text, or the text's reason */
};

struct pd_dsn {
	int	is_dsn;		/* 1: a delivery-status report (RFC 3464) */
	int	hard;		/* 1: a recipient failed (failed / 5.x.x) */
	struct pd_dsn_rcpt *recipients;
	size_t	nrecipients;
	char	*reason;	/* one line: the first recipient's diagnostic */
	char	*reporting_mta;	/* Reporting-MTA without "dns;", "" if none */
	char	*orig_message_id;	/* the returned message's, without <> */
	char	*orig_in_reply_to;	/* its first In-Reply-To id */
	char	**orig_references;	/* its References, NULL-terminated */
	size_t	norig_references;
	char	*orig_from;	/* its From, decoded text */
	char	*orig_to;	/* its To, decoded text */
	char	*orig_subject;	/* its Subject, decoded */
};

/*
 * mail_dsn_parse - read raw[0..len) as a bounce
 *
 * raw: the whole message (need not be NUL-terminated; may hold NUL bytes,
 * CR-only or mixed line ends, a BOM or an mbox "From " line); out: set to
 * a new struct pd_dsn; err: may be NULL, untouched unless -1 is returned.
 * Returns 0.
 */
int	mail_dsn_parse(const char *raw, size_t len, struct pd_dsn **out,
		       struct pd_err *err);
/* mail_dsn_free - release a parsed bounce; accepts NULL, returns NULL */
struct pd_dsn *mail_dsn_free(struct pd_dsn *);

#endif

/*
 * mail_dsn_int.h - what mail_dsn.c and mail_dsn_text.c share; nothing
 * outside them includes it
 *
 * mail_dsn.c reads the MIME structure (GMime) and the delivery-status
 * fields; mail_dsn_text.c holds the rules for the human-readable text
 * (bounces without a report, quoted headers). Both fill one struct dsn_ctx
 * per mail_dsn_parse() call. The helpers below return malloc()ed strings
 * (caller frees) that are valid UTF-8 without control characters.
 */
#ifndef PD_MAIL_DSN_INT_H
#define PD_MAIL_DSN_INT_H

#include <stddef.h>

#include <gmime/gmime.h>

#include "mail_dsn.h"

struct buf;

#define DSN_MAX_REASON	300		/* bytes of a one-line reason */

/* The returned message, from one source. */
struct dsn_orig {
	char	*message_id;
	char	*in_reply_to;
	char	**refs;
	size_t	nrefs;
	char	*from;
	char	*to;
	char	*subject;
};

/* One per-recipient block while it is being read. */
struct dsn_block {
	char	*final;
	char	*orig;
	char	*action;
	char	*status;
	char	*diag;
};

/* A line of the text: not NUL-terminated, without its line end. */
struct dsn_line {
	const char *s;
	size_t	n;
};

/* What one mail_dsn_parse() call collects. */
struct dsn_ctx {
	struct pd_dsn *d;
	GMimeParserOptions *opt;
	size_t	rcap;
	size_t	parts;
	int	ds_parts;	/* delivery-status parts read */
	int	report;		/* a multipart/report of delivery-status */
	GMimeMessage *wrapped;	/* the first returned message (borrowed) */
	struct dsn_orig orig;	/* the best returned message so far */
	struct buf *text;	/* the report's text parts, UTF-8 */
	struct buf *extra;	/* other parts' text: searched for headers */
	char	*own_msgid;	/* the bounce's own Message-ID */
	char	*own_to;	/* the bounce's To (the original sender) */
	char	*failed_hdr;	/* X-Failed-Recipients */
	struct dsn_line *lines;	/* text split by mail_dsn_lines */
	size_t	nlines;
	size_t	notice;		/* lines before the copy of the message */
};

/* mail_dsn_clean - s[0..n) as valid UTF-8 without control characters;
 * with lines, LF kept, else line ends and tabs become spaces */
char	*mail_dsn_clean(const char *, size_t, int lines);
/* mail_dsn_oneline - cleaned, white space collapsed, at most
 * DSN_MAX_REASON bytes */
char	*mail_dsn_oneline(const char *, size_t);
/* mail_dsn_lower - ASCII lower case in place; returns its argument */
char	*mail_dsn_lower(char *);
/* mail_dsn_istr - case-insensitive search in s[0..n); NULL if absent */
const char *mail_dsn_istr(const char *, size_t, const char *);
/* mail_dsn_status_code - the first D.D.D in s (with smtp, a leading SMTP
 * reply gives D.0.0); NULL if none */
char	*mail_dsn_status_code(const char *, int smtp);
/* mail_dsn_status_fields - the per-recipient blocks of report fields */
void	mail_dsn_status_fields(struct dsn_ctx *, const char *, size_t);
/* mail_dsn_add_rcpt - append a recipient; missing status/action derived */
void	mail_dsn_add_rcpt(struct dsn_ctx *, const char *addr,
		    const char *orig, const char *action, const char *status,
		    const char *diag);
/* mail_dsn_orig_headers - a header block as text; quoted: found in text */
void	mail_dsn_orig_headers(struct dsn_ctx *, const char *, size_t,
		    int quoted);

/* mail_dsn_text.c */
/* mail_dsn_lines - split c->text into lines, find the copy marker */
void	mail_dsn_lines(struct dsn_ctx *);
/* mail_dsn_text - the text rules, when no report gave a recipient */
void	mail_dsn_text(struct dsn_ctx *);
/* mail_dsn_inline_orig - a quoted header block in text[0..len) */
void	mail_dsn_inline_orig(struct dsn_ctx *, const char *, size_t);

#endif

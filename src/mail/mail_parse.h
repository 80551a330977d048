/*
 * mail_parse.h - inbound mail (GMime) into a plain struct pd_msg
 *
 * mail_parse() reads one RFC 5322 message from memory and copies out what
 * the helpdesk needs as plain UTF-8 strings; no GMime object survives the
 * call (STYLE.md section 4, "copy out at the boundaries"). It never fails on
 * ugly input: whatever can be read is returned and pd_msg.defects counts
 * what could not. Header values are RFC 2047 decoded; invalid UTF-8 is
 * replaced; CR, LF and NUL never appear in a header field of pd_msg.
 *
 * Body text: the first text/plain part that is not an attachment; else the
 * first text/html part turned into readable text (libxml2's HTML parser);
 * else an empty string. Charsets are converted to UTF-8 (unknown charsets
 * are read as Windows-1252 / Latin-1 and never dropped). Line endings in
 * text are LF.
 *
 * Ownership: *out is allocated by mail_parse() and released with
 * mail_msg_free(), which accepts NULL and returns NULL.
 */
#ifndef PD_MAIL_PARSE_H
#define PD_MAIL_PARSE_H

#include <stddef.h>
#include <time.h>

struct pd_err;

#include "util/pd_types.h"

/* one top-level header field, RFC 2047 decoded, unfolded, clean */
struct pd_header {
	char	*name;
	char	*value;
};

#define MAIL_MAX_HEADERS	500	/* more are counted as a defect */

struct pd_msg {
	char	*from_addr;	/* lower-cased addr-spec of From, "" when none */
	char	*from_name;	/* display name, UTF-8, "" when none */
	char	*reply_to;	/* first Reply-To addr-spec, "" when none */
	char	*to;		/* To, as decoded text */
	char	*cc;		/* Cc, as decoded text */
	char	*subject;	/* decoded UTF-8, "" when none */
	char	*date;		/* Date header as written, "" when none */
	time_t	date_t;		/* parsed Date, 0 when unknown */
	char	*message_id;	/* without <>, "" when none */
	char	*in_reply_to;	/* first msg-id of In-Reply-To, without <>, "" */
	char	**references;	/* msg-ids of References then In-Reply-To, without <> */
	size_t	nreferences;
	char	*auto_submitted;	/* raw header value or "" */
	char	*precedence;
	char	*list_id;
	char	*x_loop;
	char	*x_autoreply;	/* X-Autoreply or X-Autorespond */
	char	*x_spam_flag;	/* X-Spam-Flag */
	char	*x_spam_status;	/* X-Spam-Status */
	char	*x_spam_score;	/* X-Spam-Score or X-Rspamd-Score */
	char	*x_customer_id;	/* X-Customer-ID */
	char	*authentication_results;	/* the first one (topmost) */
	char	*content_type;	/* top-level "multipart/report" etc. (lower case) */
	char	*text;		/* best body text, UTF-8, LF line ends */
	int	text_from_html;	/* 1 when text was converted from HTML */
	struct pd_attach *attach;
	size_t	nattach;
	struct pd_header *headers;	/* every top-level field, in order */
	size_t	nheaders;
	int	defects;	/* count of things GMime could not read */
};

/* mail_parse - parse len bytes at raw; 0 ok (always, unless out of memory) */
int	mail_parse(const char *raw, size_t len, struct pd_msg **out,
		   struct pd_err *);
struct pd_msg *mail_msg_free(struct pd_msg *);
/* mail_init - once per process, before mail_parse (g_mime_init) */
void	mail_init(void);
void	mail_shutdown(void);
/* mail_addr_normalize - lower-cased addr-spec of "Name <a@B>" or "a@B" (caller frees) */
char	*mail_addr_normalize(const char *);

#endif

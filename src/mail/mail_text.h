/*
 * mail_text.h - the new text of a reply, apart from quote and signature
 *
 * Customers and agents answer from any mail client; postdesk stores only
 * what they wrote this time. mail_reply_split() reads a UTF-8 body (LF line
 * ends; a CR before the LF is ignored; the body may come from HTML turned
 * into text, with odd blank lines) and sorts its lines into three parts:
 * the new text, the quoted history and the signature.
 *
 * In this order: a copy of a text postdesk sent (hints->known_quoted),
 * compared word by word whatever the client did to prefixes, wrapping and
 * white space; postdesk's "reply above this line" marker; the layouts of
 * the common mail clients in English, German, French, Spanish, Portuguese,
 * Dutch and Italian ("On ... wrote:" and its translations, wrapped or not;
 * "-----Original Message-----" and its translations; Outlook's From:/Sent:/
 * To:/Subject: block, with the underscore line above it); ">" quote blocks,
 * keeping the answers written between them; then a "-- " signature and a
 * mobile footer ("Sent from my iPhone").
 *
 * When nothing would be left of the text, nothing is cut: a body that is
 * all quote (a forward without comment) comes back whole with rule "none".
 * The cost is linear in the size of the body and of the known texts.
 */
#ifndef PD_MAIL_TEXT_H
#define PD_MAIL_TEXT_H

#include <stddef.h>

/* What the caller knows about the mail being answered; all may be NULL. */
struct mail_reply_hints {
	const char *marker;		/* "reply above this line" text */
	const char *const *known_quoted; /* texts postdesk sent, UTF-8 */
	size_t	nknown;			/* entries in known_quoted */
};

/*
 * The parts of a reply. The three strings are malloc()ed, never NULL,
 * without trailing blank lines ("" when empty); the caller frees them with
 * mail_reply_free(). The rule strings are static. rule names what cut the
 * quote: "known-quote", "marker", "on-wrote:<lang>" (lang: en de fr es pt
 * nl it), "original-message", "outlook-header", "quote-prefix"; else the
 * signature's rule; else "none". sig_rule is "signature-dashes",
 * "mobile-footer" or NULL. In the text, a blank line stands where a quote
 * block between two answers was taken out.
 */
struct mail_reply {
	char	*text;		/* what the sender wrote this time */
	char	*quoted;	/* the quoted history, as written */
	char	*signature;	/* signature and footer, without "-- " */
	const char *rule;
	const char *sig_rule;
};

/*
 * mail_reply_split - split body into new text, quote and signature
 *
 * body: a NUL-terminated UTF-8 string (NULL is read as ""); hints: may be
 * NULL; out: filled in, owned by the caller. Returns 0; there is no failure
 * (memory exhaustion does not return, see util/xalloc.h).
 */
int	mail_reply_split(const char *body, const struct mail_reply_hints *hints,
	    struct mail_reply *out);

/* mail_reply_free - free the strings of out and clear it; accepts NULL */
void	mail_reply_free(struct mail_reply *out);

#endif

/*
 * mail_dsn_text.c - the human-readable side of bounces: the rules for
 *                   bounces without a delivery-status part, and header
 *                   blocks quoted in text
 *
 * Exports, to mail_dsn.c only (mail_dsn_int.h): mail_dsn_lines(),
 * mail_dsn_text() and mail_dsn_inline_orig().
 *
 * The text is split into lines; the notice is what comes before the first
 * line that announces the copy of the message ("Below this line is a copy
 * of the message", "------ This is a copy of the message, including all
 * the headers. ------", ...). In the notice, in this order:
 *
 *   report fields written as text (Amazon WorkMail): read as a report;
 *   "<addr>:" and "<addr>... reason" lines (qmail, Postfix, Sendmail);
 *   the addresses at the start of the lines that follow a phrase such as
 *   "The following address(es) failed:", "did not reach the following
 *   recipient(s):", "was not delivered to:" (Exim, Exchange, Domino, Gmail,
 *   OpenSMTPD, ...), each with the rest of its line or the next line that is
 *   neither a header field nor a label as its reason;
 *   X-Failed-Recipients;
 *   only when all that found nothing: any line with an address and a
 *   failure word.
 *
 * The bounce's own To (the original sender) and MAILER-DAEMON are never a
 * failed recipient. A status is the one written for the recipient, else
 * the first one in the notice, else none (else X.0.0 in a multipart/report
 * whose fields gave nothing, as for a report without Status). The action is
 * "delayed" for 4.x.x, or when the notice speaks of a delay and not of a
 * permanent error; else "failed". English phrases only: the rules say
 * nothing rather than guess.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "util/buf.h"
#include "util/xalloc.h"

#include "mail_dsn.h"
#include "mail_dsn_int.h"

#define DSN_SCAN_LINES	20		/* lines read after a trigger phrase */

static const char *const dsn_triggers[] = {
	"address(es) failed", "addresses failed", "could not be delivered to",
	"couldn't be delivered to", "was not delivered to",
	"did not reach the following", "could not be reached",
	"permanent fatal errors", "following addresses had",
	"delivery to the following recipient", "delivery has failed to",
	"failed to deliver to", "undeliverable to the following",
	"wasn't able to deliver your message to",
	"unable to deliver your message to", "delivery failed to",
	"following recipient(s)", "following recipients", "following address",
	"following destination address", "not be delivered to the following",
	"delivery to these recipients", "message could not be delivered",
	"delivery has been delayed to", "has not yet been delivered to",
	"delivery is delayed to", "recipients failed", "recipient failed",
	"failure reason", "list of recipients", "had delivery problems",
};

static const char *const dsn_copy_markers[] = {
	"below this line is a copy", "copy of the message",
	"copy of the original",
	"copy of your message", "original message follows",
	"original message was", "message follows", "original message headers",
	"header of the original", "headers of the original",
	"returned message", "original message ---", "original message -----",
	"undelivered message follows", "this is the original message",
};

static const char *const dsn_fail_words[] = {
	"unknown", "does not exist", "doesn't exist", "no such", "rejected",
	"failed", "not found", "invalid", "disabled", "quota", "full",
	"denied", "unavailable", "undeliverable", "not listed", "inactive",
	"refused", "no mailbox", "not exist", "permanent", "deactivated",
	"delayed", "blocked", "unable to deliver", "could not be delivered",
};

static const char *const dsn_delay_words[] = {
	"delayed", "will keep trying", "will continue", "still trying",
	"not yet been delivered", "will retry", "will be retried",
	"temporary failure", "has not been delivered yet", "delivery attempts",
	"no further action is required",
};

static char *dsn_notice_reason(struct dsn_ctx *);
static int dsn_is_copy_marker(const struct dsn_line *);
static int dsn_is_field_line(const char *, size_t);
static void dsn_split(const char *, size_t, struct dsn_line **, size_t *);
static size_t dsn_find_addr(const char *, size_t, size_t, size_t *,
		    size_t *);
static char *dsn_addr_copy(const char *, size_t);
static char *dsn_addr_at_start(const struct dsn_line *, size_t *);
static int dsn_excluded(struct dsn_ctx *, const char *);
static int dsn_has_rcpt(struct dsn_ctx *, const char *);
static int dsn_has_word(const char *, size_t, const char *const *, size_t);
static int dsn_is_header(const struct dsn_line *);
static char *dsn_reason_after(struct dsn_ctx *, size_t);
static char *dsn_rest(const struct dsn_line *, size_t);
static void dsn_text_add(struct dsn_ctx *, char *, char *);
static void dsn_text_angle(struct dsn_ctx *);
static void dsn_text_triggers(struct dsn_ctx *);
static void dsn_text_header(struct dsn_ctx *);
static void dsn_text_fallback(struct dsn_ctx *);
static void dsn_prune(struct dsn_ctx *);

/* dsn_split - the lines of s[0..len) (caller frees *lines) */
static void
dsn_split(const char *s, size_t len, struct dsn_line **lines, size_t *n)
{
	const char *p = s, *end = s + len, *nl;
	size_t cap = 0;

	*lines = NULL;
	*n = 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*lines = xrealloc(*lines, cap * sizeof(**lines));
		}
		(*lines)[*n].s = p;
		(*lines)[*n].n = (size_t)((nl ? nl : end) - p);
		(*n)++;
		p = nl ? nl + 1 : end;
	}
}

/* mail_dsn_lines - split the text into lines; find where the copy starts */
void
mail_dsn_lines(struct dsn_ctx *c)
{
	size_t i;

	dsn_split(c->text->data, c->text->len, &c->lines, &c->nlines);
	c->notice = c->nlines;
	for (i = 1; i < c->nlines; i++)
		if (dsn_is_copy_marker(&c->lines[i])) {
			c->notice = i;
			break;
		}
}

/* dsn_is_copy_marker - does the line announce the copy of the message? */
static int
dsn_is_copy_marker(const struct dsn_line *l)
{
	size_t k;

	for (k = 0; k < sizeof(dsn_copy_markers) / sizeof(*dsn_copy_markers);
	    k++)
		if (mail_dsn_istr(l->s, l->n, dsn_copy_markers[k]) != NULL)
			return 1;
	return 0;
}

/* dsn_is_field_line - "Name: value" at s (field name characters only) */
static int
dsn_is_field_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && (unsigned char)s[i] > ' ' &&
	    (unsigned char)s[i] < 127 && s[i] != ':'; i++)
		;
	return i > 0 && i < n && s[i] == ':';
}

/*
 * mail_dsn_inline_orig - a quoted header block: each line with "Message-ID:"
 * (after a prefix of blanks and '>') is tried in order; the block is the
 * run of field and continuation lines with the same prefix around it.
 */
void
mail_dsn_inline_orig(struct dsn_ctx *c, const char *text, size_t len)
{
	struct dsn_line *l, *lines;
	struct buf *b;
	size_t i, k, pre, first, last, nlines;

	dsn_split(text, len, &lines, &nlines);
	for (i = 0; i < nlines && c->orig.message_id == NULL; i++) {
		l = &lines[i];
		for (pre = 0; pre < l->n && (l->s[pre] == ' ' ||
		    l->s[pre] == '\t' || l->s[pre] == '>'); pre++)
			;
		if (l->n - pre < 11 ||
		    g_ascii_strncasecmp(l->s + pre, "message-id:", 11) != 0)
			continue;
		first = last = i;
		while (first > 0) {
			l = &lines[first - 1];
			if (l->n <= pre || memcmp(l->s, lines[i].s, pre) != 0 ||
			    (!dsn_is_field_line(l->s + pre, l->n - pre) &&
			    l->s[pre] != ' ' && l->s[pre] != '\t'))
				break;
			first--;
		}
		while (last + 1 < nlines) {
			l = &lines[last + 1];
			if (l->n <= pre || memcmp(l->s, lines[i].s, pre) != 0 ||
			    (!dsn_is_field_line(l->s + pre, l->n - pre) &&
			    l->s[pre] != ' ' && l->s[pre] != '\t'))
				break;
			last++;
		}
		b = buf_new(1024);
		for (k = first; k <= last; k++) {
			buf_add(b, lines[k].s + pre, lines[k].n - pre);
			buf_addc(b, '\n');
		}
		mail_dsn_orig_headers(c, b->data, b->len, 1);
		buf_free(b);
	}
	free(lines);
}

/*
 * dsn_find_addr - the first address in s[from..n): its start and end; the
 * return value is 1 when found. Local part and domain of the usual
 * characters, a dot in the domain.
 */
static size_t
dsn_find_addr(const char *s, size_t n, size_t from, size_t *start,
	      size_t *end)
{
	static const char local[] = "!#$%&'*+/=?^_`{|}~-.";
	size_t at, a, e;
	int dot;

	for (at = from; at < n; at++) {
		if (s[at] != '@')
			continue;
		for (a = at; a > from && (isalnum((unsigned char)s[a - 1]) ||
		    strchr(local, s[a - 1]) != NULL); a--)
			;
		while (a < at && s[a] == '.')
			a++;
		dot = 0;
		for (e = at + 1; e < n && (isalnum((unsigned char)s[e]) ||
		    s[e] == '-' || s[e] == '.'); e++)
			dot |= s[e] == '.';
		while (e > at + 1 && s[e - 1] == '.')
			e--;
		if (a == at || e == at + 1 || !dot ||
		    memchr(s + at + 1, '.', e - at - 1) == NULL)
			continue;
		*start = a;
		*end = e;
		return 1;
	}
	return 0;
}

/* dsn_addr_copy - an address found in text: clean, lower case */
static char *
dsn_addr_copy(const char *s, size_t n)
{
	return mail_dsn_lower(mail_dsn_clean(s, n, 0));
}

/* dsn_addr_at_start - the address a line starts with (after blanks and
 * '<'), lower case, or NULL; *after is where the address ends */
static char *
dsn_addr_at_start(const struct dsn_line *l, size_t *after)
{
	size_t i = 0, a, e;

	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	if (i < l->n && l->s[i] == '<')
		i++;
	if (!dsn_find_addr(l->s, l->n, i, &a, &e) || a != i)
		return NULL;
	if (e < l->n && l->s[e] == '>')
		e++;
	*after = e;
	return dsn_addr_copy(l->s + a, (e > a && l->s[e - 1] == '>') ?
	    e - a - 1 : e - a);
}

/* dsn_excluded - the original sender and the mail system itself are
 * never a failed recipient */
static int
dsn_excluded(struct dsn_ctx *c, const char *addr)
{
	const char *s = c->own_to;
	size_t n, pos = 0, a, e;

	if (g_ascii_strncasecmp(addr, "mailer-daemon@", 14) == 0)
		return 1;
	n = s != NULL ? strlen(s) : 0;
	for (; n > 0 && dsn_find_addr(s, n, pos, &a, &e); pos = e)
		if (e - a == strlen(addr) && memcmp(s + a, addr, e - a) == 0)
			return 1;
	return 0;
}

/* dsn_has_rcpt - is addr already a recipient? */
static int
dsn_has_rcpt(struct dsn_ctx *c, const char *addr)
{
	size_t i;

	for (i = 0; i < c->d->nrecipients; i++)
		if (strcmp(c->d->recipients[i].addr, addr) == 0)
			return 1;
	return 0;
}

/* dsn_has_word - does s[0..n) contain one of words? */
static int
dsn_has_word(const char *s, size_t n, const char *const *words, size_t nw)
{
	size_t k;

	for (k = 0; k < nw; k++)
		if (mail_dsn_istr(s, n, words[k]) != NULL)
			return 1;
	return 0;
}

/* dsn_is_header - a line that looks like a header field of a message
 * (a copy of it, or a report's fields) rather than a reason */
static int
dsn_is_header(const struct dsn_line *l)
{
	static const char *const names[] = {
		"received", "reporting-mta", "date", "from", "to", "subject",
		"message-id", "return-path", "content-type", "mime-version",
		"final-recipient", "original-recipient", "action", "status",
		"arrival-date", "remote-mta", "sender", "reply-to", "cc",
	};
	size_t i, k;

	for (i = 0; i < l->n && l->s[i] != ':' && l->s[i] != ' '; i++)
		;
	if (i == 0 || i >= l->n || l->s[i] != ':')
		return 0;
	if (i > 2 && g_ascii_strncasecmp(l->s, "x-", 2) == 0)
		return 1;
	for (k = 0; k < sizeof(names) / sizeof(*names); k++)
		if (strlen(names[k]) == i &&
		    g_ascii_strncasecmp(l->s, names[k], i) == 0)
			return 1;
	return 0;
}

/* dsn_reason_after - the first line after line i of the notice that is
 * neither blank, nor an address, nor a label ("because:"); NULL if none */
static char *
dsn_reason_after(struct dsn_ctx *c, size_t i)
{
	struct dsn_line *l;
	size_t k, after, t;
	char *a;

	int field = 0;

	for (k = i + 1; k < c->notice && k <= i + 6; k++) {
		l = &c->lines[k];
		for (t = l->n; t > 0 && (l->s[t - 1] == ' ' ||
		    l->s[t - 1] == '\t'); t--)
			;
		/* a header field, with its continuation lines */
		if (t > 0 && field && (l->s[0] == ' ' || l->s[0] == '\t'))
			continue;
		if ((field = dsn_is_header(l)) || t == 0 || l->s[t - 1] == ':')
			continue;
		if ((a = dsn_addr_at_start(l, &after)) != NULL) {
			free(a);
			return dsn_rest(l, after);
		}
		return mail_dsn_oneline(l->s, l->n);
	}
	return NULL;
}

/* dsn_rest - the reason after an address on its line ("addr: 550 ...",
 * "addr... User unknown"), not Exchange's "addr on DATE"; NULL if none */
static char *
dsn_rest(const struct dsn_line *l, size_t after)
{
	while (after < l->n && (l->s[after] == ':' || l->s[after] == '.' ||
	    l->s[after] == ' ' || l->s[after] == '\t' || l->s[after] == ','))
		after++;
	if (l->n - after < 3 || (l->n - after > 3 &&
	    g_ascii_strncasecmp(l->s + after, "on ", 3) == 0) ||
	    (l->n - after > 8 &&
	    g_ascii_strncasecmp(l->s + after, "<mailto:", 8) == 0))
		return NULL;
	return mail_dsn_oneline(l->s + after, l->n - after);
}

/* dsn_text_add - a recipient found by the text rules (takes addr, reason) */
static void
dsn_text_add(struct dsn_ctx *c, char *addr, char *reason)
{
	const char *p;

	if (addr != NULL && !dsn_excluded(c, addr) && !dsn_has_rcpt(c, addr)) {
		p = reason;
		while (p != NULL && (*p == ':' || *p == ' ' || *p == '.'))
			p++;
		mail_dsn_add_rcpt(c, addr, NULL, NULL, NULL, p);
	}
	free(addr);
	free(reason);
}

/* dsn_text_angle - "<addr>:" or "<addr>... reason" lines (qmail, Postfix,
 * Sendmail transcripts) */
static void
dsn_text_angle(struct dsn_ctx *c)
{
	struct dsn_line *l;
	size_t i, k, after;
	char *a, *reason;

	for (i = 0; i < c->notice; i++) {
		l = &c->lines[i];
		for (k = 0; k < l->n && (l->s[k] == ' ' || l->s[k] == '\t');
		    k++)
			;
		if (k >= l->n || l->s[k] != '<' ||
		    (a = dsn_addr_at_start(l, &after)) == NULL)
			continue;
		if (after >= l->n || (l->s[after] != ':' &&
		    l->s[after] != '.')) {
			free(a);
			continue;
		}
		while (after < l->n && (l->s[after] == ':' ||
		    l->s[after] == '.' || l->s[after] == ' '))
			after++;
		reason = after < l->n ? mail_dsn_oneline(l->s + after,
		    l->n - after) : dsn_reason_after(c, i);
		dsn_text_add(c, a, reason);
	}
}

/* dsn_text_triggers - the addresses after "The following address(es)
 * failed:" and its kin, each with the first reason line after it */
static void
dsn_text_triggers(struct dsn_ctx *c)
{
	struct dsn_line *l;
	size_t i, j, k, after, a, e, found;
	char *addr, *reason;

	for (i = 0; i < c->notice; i++) {
		l = &c->lines[i];
		if (!dsn_has_word(l->s, l->n, dsn_triggers,
		    sizeof(dsn_triggers) / sizeof(*dsn_triggers)))
			continue;
		found = 0;
		/* "could not be delivered to <a@b>" on the line itself */
		for (k = 0; k < sizeof(dsn_triggers) / sizeof(*dsn_triggers);
		    k++) {
			const char *t;
			size_t off;

			if ((t = mail_dsn_istr(l->s, l->n, dsn_triggers[k])) ==
			    NULL)
				continue;
			off = (size_t)(t - l->s);
			if (dsn_find_addr(l->s, l->n, off, &a, &e)) {
				found++;
				dsn_text_add(c, dsn_addr_copy(l->s + a, e - a),
				    dsn_reason_after(c, i));
			}
			break;
		}
		for (j = i + 1; j < c->notice && j <= i + DSN_SCAN_LINES; j++) {
			l = &c->lines[j];
			if ((addr = dsn_addr_at_start(l, &after)) != NULL) {
				found++;
				reason = dsn_rest(l, after);
				dsn_text_add(c, addr, reason != NULL ? reason :
				    dsn_reason_after(c, j));
				continue;
			}
			/* after the addresses, an unindented line ends them */
			if (found > 0 && l->n > 0 && l->s[0] != ' ' &&
			    l->s[0] != '\t' && dsn_has_word(l->s, l->n,
			    dsn_triggers, sizeof(dsn_triggers) /
			    sizeof(*dsn_triggers)))
				break;
		}
	}
}

/* dsn_text_header - X-Failed-Recipients (Exim and others) */
static void
dsn_text_header(struct dsn_ctx *c)
{
	const char *s = c->failed_hdr;
	size_t n, pos = 0, a, e;
	char *reason;

	if (s == NULL)
		return;
	n = strlen(s);
	while (dsn_find_addr(s, n, pos, &a, &e)) {
		reason = c->d->nrecipients > 0 ?
		    xstrdup(c->d->recipients[0].diagnostic) : NULL;
		dsn_text_add(c, dsn_addr_copy(s + a, e - a), reason);
		pos = e;
	}
}

/* dsn_text_fallback - any notice line with an address and a failure word */
static void
dsn_text_fallback(struct dsn_ctx *c)
{
	struct dsn_line *l;
	size_t i, a, e;

	for (i = 0; i < c->notice; i++) {
		l = &c->lines[i];
		if (!dsn_find_addr(l->s, l->n, 0, &a, &e) ||
		    !dsn_has_word(l->s, l->n, dsn_fail_words,
		    sizeof(dsn_fail_words) / sizeof(*dsn_fail_words)))
			continue;
		/* "contact postmaster@..." is advice, not a recipient */
		if (e - a > 11 && g_ascii_strncasecmp(l->s + a, "postmaster@",
		    11) == 0)
			continue;
		dsn_text_add(c, dsn_addr_copy(l->s + a, e - a),
		    mail_dsn_oneline(l->s, l->n));
	}
}

/* dsn_prune - drop recipients without a domain (from fields in text) */
static void
dsn_prune(struct dsn_ctx *c)
{
	struct pd_dsn_rcpt *r;
	size_t i, k = 0;

	for (i = 0; i < c->d->nrecipients; i++) {
		r = &c->d->recipients[i];
		if (strchr(r->addr, '@') != NULL) {
			c->d->recipients[k++] = *r;
			continue;
		}
		free(r->addr);
		free(r->orig_addr);
		free(r->action);
		free(r->status);
		free(r->diagnostic);
	}
	c->d->nrecipients = k;
}

/* mail_dsn_text - the rules for bounces without a delivery-status part */
void
mail_dsn_text(struct dsn_ctx *c)
{
	struct pd_dsn_rcpt *r;
	const char *notice_end;
	char *st, *notice, *reason;
	size_t i, nlen;
	int delayed;

	/* a report's fields written into the text (Amazon WorkMail) */
	notice_end = c->notice < c->nlines ? c->lines[c->notice].s :
	    c->text->data + c->text->len;
	nlen = (size_t)(notice_end - c->text->data);
	mail_dsn_status_fields(c, c->text->data, nlen);
	dsn_prune(c);
	if (c->d->nrecipients > 0)
		goto done;
	dsn_text_angle(c);
	dsn_text_triggers(c);
	dsn_text_header(c);
	if (c->d->nrecipients == 0)
		dsn_text_fallback(c);
done:
	if (c->d->nrecipients == 0)
		return;
	delayed = dsn_has_word(c->text->data, nlen, dsn_delay_words,
	    sizeof(dsn_delay_words) / sizeof(*dsn_delay_words)) &&
	    mail_dsn_istr(c->text->data, nlen, "permanent") == NULL;
	/* a status written anywhere in the notice serves them all */
	notice = xstrndup(c->text->data, nlen);
	st = mail_dsn_status_code(notice, 0);
	free(notice);
	reason = dsn_notice_reason(c);
	for (i = 0; i < c->d->nrecipients; i++) {
		r = &c->d->recipients[i];
		if (*r->status == '\0' && st != NULL) {
			free(r->status);
			r->status = xstrdup(st);
		}
		free(r->action);
		r->action = xstrdup(*r->status == '4' || (*r->status == '\0' &&
		    delayed) ? "delayed" : "failed");
		/* a report without usable fields: as for a missing Status */
		if (*r->status == '\0' && c->d->is_dsn) {
			free(r->status);
			r->status = xasprintf("%c.0.0",
			    *r->action == 'd' ? '4' : '5');
		}
		if (*r->diagnostic == '\0' && reason != NULL) {
			free(r->diagnostic);
			r->diagnostic = xstrdup(reason);
		}
	}
	free(reason);
	free(st);
}

/*
 * dsn_notice_reason - a reason for the whole notice: the first line after
 * a label such as "The response was:" or "Technical details of permanent
 * failure:", else the first line with a failure word that names no
 * address; NULL when none
 */
static char *
dsn_notice_reason(struct dsn_ctx *c)
{
	static const char *const labels[] = {
		"response", "reason", "because", "error", "details",
		"diagnostic", "returned", "said",
	};
	struct dsn_line *l;
	size_t i, t, a, e;

	for (i = 0; i < c->notice; i++) {
		l = &c->lines[i];
		for (t = l->n; t > 0 && (l->s[t - 1] == ' ' ||
		    l->s[t - 1] == '\t'); t--)
			;
		if (t == 0 || l->s[t - 1] != ':' || !dsn_has_word(l->s, t,
		    labels, sizeof(labels) / sizeof(*labels)))
			continue;
		for (i++; i < c->notice; i++) {
			l = &c->lines[i];
			for (t = 0; t < l->n && (l->s[t] == ' ' ||
			    l->s[t] == '\t'); t++)
				;
			if (t == l->n)
				continue;
			if (dsn_is_header(l) || (dsn_find_addr(l->s, l->n, t,
			    &a, &e) && a == t))
				break;
			return mail_dsn_oneline(l->s, l->n);
		}
	}
	for (i = 0; i < c->notice; i++) {
		l = &c->lines[i];
		if (dsn_has_word(l->s, l->n, dsn_fail_words,
		    sizeof(dsn_fail_words) / sizeof(*dsn_fail_words)) &&
		    !dsn_find_addr(l->s, l->n, 0, &a, &e))
			return mail_dsn_oneline(l->s, l->n);
	}
	return NULL;
}

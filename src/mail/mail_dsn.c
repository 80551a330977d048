/*
 * mail_dsn.c - bounces (RFC 3464 reports and the older text kinds) into a
 *              plain struct pd_dsn
 *
 * Exports mail_dsn_parse() and mail_dsn_free(); contracts in mail_dsn.h.
 * The helpers mail_dsn_text.c shares are declared in mail_dsn_int.h.
 * mail_dsn_parse() runs:
 *
 *   mail_prepare   (mail_parse.c) the copy of the input GMime reads, as
 *                  for any message.
 *   dsn_walk       the MIME tree, not descending into returned messages:
 *                  message/delivery-status parts to mail_dsn_status_fields,
 *                  the first message/rfc822 and text/rfc822-headers parts
 *                  to dsn_orig_*, every text part (HTML as text) into one
 *                  UTF-8 buffer for the text rules, other parts' text into
 *                  another one that is only searched for quoted headers.
 *   dsn_unwrap     a notice with no report of its own whose first returned
 *                  message is a report (a gateway's wrapper): read that.
 *   mail_dsn_status_fields  the per-recipient blocks: fields unfolded; a
 *                  blank line, a second Final-Recipient, or an
 *                  Original-Recipient after a complete block starts the next
 *                  recipient (reports with missing blank lines exist). A
 *                  part whose fields hide behind their own transfer encoding
 *                  is decoded and read again (dsn_status_encoded).
 *   mail_dsn_text  (mail_dsn_text.c) when no report gave a recipient.
 *   mail_dsn_inline_orig  a header block quoted in a text, found by its
 *                  Message-ID line, when no returned message gave one.
 *
 * Strings are cleaned by mail_dsn_clean: valid UTF-8, invalid bytes as
 * U+FFFD, control characters dropped. Bounds: DSN_MAX_DEPTH levels and
 * DSN_MAX_PARTS parts, DSN_MAX_TEXT bytes of text, DSN_MAX_REFS References,
 * MAIL_DSN_MAX_RCPT recipients.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "util/utf8.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "mail_dsn.h"
#include "mail_dsn_int.h"
#include "mail_int.h"
#include "mail_html.h"

#define DSN_MAX_DEPTH	32		/* MIME levels descended */
#define DSN_MAX_PARTS	2000		/* parts looked at */
#define DSN_MAX_TEXT	(4 * 1024 * 1024)	/* text kept for the rules */
#define DSN_MAX_REFS	100		/* References ids kept */
#define DSN_FFFD	"\xef\xbf\xbd"


static int dsn_ieq(const char *, const char *);
static char *dsn_part_bytes(GMimePart *, size_t *);
static char *dsn_to_utf8(const char *, size_t, const char *);
static void dsn_text_part(struct dsn_ctx *, GMimePart *, int);
static void dsn_walk(struct dsn_ctx *, GMimeObject *, int);
static void dsn_own_headers(struct dsn_ctx *, GMimeMessage *);
static char *dsn_addr(const char *);
static char *dsn_strip_type(const char *);
static void dsn_block_clear(struct dsn_block *);
static void dsn_block_flush(struct dsn_ctx *, struct dsn_block *);
static void dsn_block_field(struct dsn_ctx *, struct dsn_block *,
		    const char *, const char *);
static void dsn_status_encoded(struct dsn_ctx *, const char *, size_t);
static int dsn_find_report(GMimeObject *, int);
static void dsn_unwrap(struct dsn_ctx *);
static size_t dsn_next_field(const char *, size_t, size_t, char **,
		    char **, int *);
static char *dsn_msgid(const char *);
static void dsn_orig_field(struct dsn_orig *, GMimeParserOptions *,
		    const char *, const char *);
static void dsn_orig_free(struct dsn_orig *);
static void dsn_orig_offer(struct dsn_ctx *, struct dsn_orig *, int);
static void dsn_orig_message(struct dsn_ctx *, GMimeMessage *);
static void dsn_extra(struct dsn_ctx *, const char *, size_t);
static void dsn_finish(struct dsn_ctx *);

/*
 * mail_dsn_clean - s[0..n) as valid UTF-8 (invalid bytes U+FFFD), without
 * control characters; with lines, LF is kept (CR dropped), else every line
 * end and tab becomes a space. Caller frees.
 */
char *
mail_dsn_clean(const char *s, size_t n, int lines)
{
	struct buf *b = buf_new(n + 1);
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] >= 0x80) {
			if ((k = utf8_seq(p + i, n - i)) == 0) {
				buf_adds(b, DSN_FFFD);
				i++;
			} else {
				buf_add(b, p + i, k);
				i += k;
			}
			continue;
		}
		if (p[i] == '\n')
			buf_addc(b, lines ? '\n' : ' ');
		else if (p[i] == '\t')
			buf_addc(b, lines ? '\t' : ' ');
		else if (p[i] >= 0x20 && p[i] != 0x7f)
			buf_addc(b, p[i]);
		i++;
	}
	return buf_export(b, NULL);
}

/* mail_dsn_oneline - clean, white space collapsed, trimmed, at most
 * DSN_MAX_REASON bytes (cut on a character boundary) */
char *
mail_dsn_oneline(const char *s, size_t n)
{
	char *c = mail_dsn_clean(s, n, 0), *r, *w;
	int space = 0;

	for (r = w = c; *r != '\0'; r++) {
		if (*r == ' ') {
			space = w != c;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	if (w - c > DSN_MAX_REASON) {
		w = c + DSN_MAX_REASON;
		while (w > c && ((unsigned char)*w & 0xc0) == 0x80)
			w--;
		*w = '\0';
	}
	return c;
}

/* mail_dsn_lower - ASCII lower case in place */
char *
mail_dsn_lower(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return s;
}

/* dsn_ieq - ASCII case-insensitive equality */
static int
dsn_ieq(const char *a, const char *b)
{
	return g_ascii_strcasecmp(a, b) == 0;
}

/* mail_dsn_istr - case-insensitive search of needle in s[0..n); NULL if
 * absent */
const char *
mail_dsn_istr(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k == 0 || k > n)
		return k == 0 ? s : NULL;
	for (i = 0; i + k <= n; i++)
		if (g_ascii_strncasecmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

/* dsn_part_bytes - the decoded content of a leaf part (caller frees) */
static char *
dsn_part_bytes(GMimePart *part, size_t *lenp)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;
	char *s;

	*lenp = 0;
	if (dw == NULL)
		return xstrdup("");
	mem = g_mime_stream_mem_new();
	(void)g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	*lenp = ba->len;
	s = xmalloc(ba->len + 1);
	if (ba->len > 0)
		memcpy(s, ba->data, ba->len);
	s[ba->len] = '\0';
	g_object_unref(mem);
	return s;
}

/* dsn_to_utf8 - bytes in charset cs (may be NULL) as UTF-8 (caller frees;
 * still to be cleaned: unknown charsets and bad bytes pass through) */
static char *
dsn_to_utf8(const char *s, size_t n, const char *cs)
{
	const char *name;
	gsize got = 0;
	char *conv, *r;

	if (cs != NULL && !dsn_ieq(cs, "utf-8") && !dsn_ieq(cs, "utf8") &&
	    !dsn_ieq(cs, "us-ascii") && !dsn_ieq(cs, "ascii")) {
		name = g_mime_charset_iconv_name(cs);
		conv = g_convert(s, (gssize)n, "UTF-8", name, NULL, &got, NULL);
		if (conv != NULL) {
			r = xstrndup(conv, got);
			g_free(conv);
			return r;
		}
	}
	if (utf8_valid(s, n))
		return xstrndup(s, n);
	conv = g_convert(s, (gssize)n, "UTF-8", "WINDOWS-1252", NULL, &got,
	    NULL);
	if (conv == NULL)
		return xstrndup(s, n);
	r = xstrndup(conv, got);
	g_free(conv);
	return r;
}

/* dsn_text_part - append a text part's text (HTML made readable) */
static void
dsn_text_part(struct dsn_ctx *c, GMimePart *part, int html)
{
	const char *cs;
	char *bytes, *u, *t;
	size_t n;

	if (c->text->len >= DSN_MAX_TEXT)
		return;
	bytes = dsn_part_bytes(part, &n);
	cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "charset");
	u = dsn_to_utf8(bytes, n, cs);
	free(bytes);
	if (html) {
		t = mail_html_to_text(u, strlen(u));
		free(u);
		u = t;
	}
	t = mail_dsn_clean(u, strlen(u), 1);
	free(u);
	n = strlen(t);
	if (n > DSN_MAX_TEXT - c->text->len)
		n = DSN_MAX_TEXT - c->text->len;
	buf_add(c->text, t, n);
	buf_addc(c->text, '\n');
	free(t);
}

/* dsn_walk - visit the parts below obj (not inside returned messages) */
static void
dsn_walk(struct dsn_ctx *c, GMimeObject *obj, int depth)
{
	GMimeContentType *ct;
	GMimeMessage *inner;
	const char *rt;
	char *bytes;
	size_t n, before;
	int i, count;

	if (obj == NULL || depth > DSN_MAX_DEPTH || ++c->parts > DSN_MAX_PARTS)
		return;
	ct = g_mime_object_get_content_type(obj);
	if (GMIME_IS_MULTIPART(obj)) {
		if (g_mime_content_type_is_type(ct, "multipart", "report") &&
		    (rt = g_mime_content_type_get_parameter(ct,
		    "report-type")) != NULL && dsn_ieq(rt, "delivery-status"))
			c->report = 1;
		count = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < count; i++)
			dsn_walk(c, g_mime_multipart_get_part(
			    GMIME_MULTIPART(obj), i), depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		inner = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));
		if (inner != NULL)
			dsn_orig_message(c, inner);
		if (c->wrapped == NULL)
			c->wrapped = inner;
		return;
	}
	if (!GMIME_IS_PART(obj) || ct == NULL)
		return;
	if (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
	    g_mime_content_type_is_type(ct, "message",
	    "global-delivery-status")) {
		bytes = dsn_part_bytes(GMIME_PART(obj), &n);
		dsn_extra(c, bytes, n);
		before = c->d->nrecipients;
		mail_dsn_status_fields(c, bytes, n);
		if (c->d->nrecipients == before)
			dsn_status_encoded(c, bytes, n);
		free(bytes);
		c->ds_parts++;
	} else if (g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
	    g_mime_content_type_is_type(ct, "text", "rfc822-header") ||
	    g_mime_content_type_is_type(ct, "message", "global-headers")) {
		bytes = dsn_part_bytes(GMIME_PART(obj), &n);
		mail_dsn_orig_headers(c, bytes, n, 0);
		free(bytes);
	} else if (g_mime_content_type_is_type(ct, "text", "plain"))
		dsn_text_part(c, GMIME_PART(obj), 0);
	else if (g_mime_content_type_is_type(ct, "text", "html"))
		dsn_text_part(c, GMIME_PART(obj), 1);
	else if (g_mime_content_type_is_type(ct, "message", "*") ||
	    g_mime_content_type_is_type(ct, "text", "*")) {
		bytes = dsn_part_bytes(GMIME_PART(obj), &n);
		dsn_extra(c, bytes, n);
		free(bytes);
	}
}

/* dsn_extra - keep a part's text for the quoted-header search */
static void
dsn_extra(struct dsn_ctx *c, const char *s, size_t n)
{
	char *t;

	if (c->extra->len >= DSN_MAX_TEXT)
		return;
	if (n > DSN_MAX_TEXT - c->extra->len)
		n = DSN_MAX_TEXT - c->extra->len;
	t = mail_dsn_clean(s, n, 1);
	buf_adds(c->extra, t);
	buf_addc(c->extra, '\n');
	free(t);
}

/* dsn_find_report - is there a delivery-status part or report below obj
 * (outside returned messages)? */
static int
dsn_find_report(GMimeObject *obj, int depth)
{
	GMimeContentType *ct;
	int i, count;

	if (obj == NULL || depth > DSN_MAX_DEPTH)
		return 0;
	ct = g_mime_object_get_content_type(obj);
	if (ct != NULL && (g_mime_content_type_is_type(ct, "message",
	    "delivery-status") || g_mime_content_type_is_type(ct, "multipart",
	    "report")))
		return 1;
	if (!GMIME_IS_MULTIPART(obj))
		return 0;
	count = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
	for (i = 0; i < count && i < DSN_MAX_PARTS; i++)
		if (dsn_find_report(g_mime_multipart_get_part(
		    GMIME_MULTIPART(obj), i), depth + 1))
			return 1;
	return 0;
}

/*
 * dsn_unwrap - a gateway that forwards the real report inside a
 * message/rfc822 part of its own notice: when the outer message had no
 * report, read the first returned message as the bounce instead
 */
static void
dsn_unwrap(struct dsn_ctx *c)
{
	GMimeMessage *w = c->wrapped;

	if (c->ds_parts > 0 || c->report || w == NULL ||
	    !dsn_find_report(g_mime_message_get_mime_part(w), 0))
		return;
	dsn_orig_free(&c->orig);
	buf_reset(c->text);
	buf_reset(c->extra);
	free(c->own_msgid);
	free(c->own_to);
	free(c->failed_hdr);
	c->own_msgid = c->own_to = c->failed_hdr = NULL;
	c->wrapped = NULL;
	c->parts = 0;
	dsn_own_headers(c, w);
	dsn_walk(c, g_mime_message_get_mime_part(w), 0);
}

/* dsn_own_headers - what the rules need from the bounce's own header */
static void
dsn_own_headers(struct dsn_ctx *c, GMimeMessage *msg)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	const char *v;

	if ((v = g_mime_message_get_message_id(msg)) != NULL)
		c->own_msgid = mail_dsn_clean(v, strlen(v), 0);
	if ((v = g_mime_object_get_header(obj, "To")) != NULL)
		c->own_to = mail_dsn_lower(mail_dsn_clean(v, strlen(v), 0));
	if ((v = g_mime_object_get_header(obj, "X-Failed-Recipients")) !=
	    NULL)
		c->failed_hdr = mail_dsn_clean(v, strlen(v), 0);
}

/* dsn_addr - the address of a Final-/Original-Recipient value: after the
 * address type, without <> or a comment, lower case; NULL when empty */
static char *
dsn_addr(const char *v)
{
	const char *p = v, *semi, *lt, *gt, *e;
	char *a, *d;

	if ((semi = strchr(p, ';')) != NULL && strchr(p, '@') != NULL &&
	    semi < strchr(p, '@'))
		p = semi + 1;
	else if (semi != NULL && strchr(p, '@') == NULL)
		p = semi + 1;
	if ((lt = strchr(p, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		p = lt + 1;
		e = gt;
	} else {
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t' &&
		    *e != '(' && *e != ','; e++)
			;
	}
	while (p < e && (*p == ' ' || *p == '\t' || *p == '"'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '"'))
		e--;
	if (e == p)
		return NULL;
	a = xstrndup(p, (size_t)(e - p));
	if (strstr(a, "=?") != NULL) {	/* seen: an encoded-word local part */
		d = g_mime_utils_header_decode_text(NULL, a);
		free(a);
		a = xstrdup(d);
		g_free(d);
	}
	d = mail_dsn_clean(a, strlen(a), 0);
	free(a);
	return mail_dsn_lower(d);
}

/*
 * mail_dsn_status_code - the first status code in s: D.D.D (2, 4 or 5 first,
 * not part of a longer dotted number); with smtp, a three-digit SMTP reply
 * at the start of s gives D.0.0. NULL when none.
 */
char *
mail_dsn_status_code(const char *s, int smtp)
{
	const char *p;
	size_t a, b;

	for (p = s; *p != '\0'; p++) {
		if ((*p != '2' && *p != '4' && *p != '5') || p[1] != '.')
			continue;
		if (p > s && (isdigit((unsigned char)p[-1]) || p[-1] == '.'))
			continue;
		for (a = 2; a < 5 && isdigit((unsigned char)p[a]); a++)
			;
		if (a == 2 || p[a] != '.')
			continue;
		for (b = a + 1; b < a + 4 && isdigit((unsigned char)p[b]); b++)
			;
		if (b == a + 1 || isdigit((unsigned char)p[b]) ||
		    (p[b] == '.' && isdigit((unsigned char)p[b + 1])))
			continue;
		return xstrndup(p, b);
	}
	if (!smtp)
		return NULL;
	for (p = s; *p == ' ' || *p == '\t'; p++)
		;
	if ((*p == '2' || *p == '4' || *p == '5') &&
	    isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
	    !isdigit((unsigned char)p[3]))
		return xasprintf("%c.0.0", *p);
	return NULL;
}

/* dsn_strip_type - a Diagnostic-Code without its "smtp;" type */
static char *
dsn_strip_type(const char *v)
{
	const char *p = v;

	while (*p == ' ' || *p == '\t')
		p++;
	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
		p++;
	if (*p == ';' && p > v)
		v = p + 1;
	return mail_dsn_oneline(v, strlen(v));
}

/* dsn_block_clear - forget a block */
static void
dsn_block_clear(struct dsn_block *b)
{
	free(b->final);
	free(b->orig);
	free(b->action);
	free(b->status);
	free(b->diag);
	memset(b, 0, sizeof(*b));
}

/* dsn_block_flush - a block with an address becomes a recipient */
static void
dsn_block_flush(struct dsn_ctx *c, struct dsn_block *b)
{
	const char *addr = b->final != NULL ? b->final : b->orig;

	/* "Final-Recipient: LOCAL;<user>" says less than the original */
	if (b->orig != NULL && strchr(b->orig, '@') != NULL &&
	    (b->final == NULL || strchr(b->final, '@') == NULL))
		addr = b->orig;
	if (addr != NULL)
		mail_dsn_add_rcpt(c, addr, b->orig, b->action, b->status,
		    b->diag);
	dsn_block_clear(b);
}

/* dsn_block_field - one field of the delivery-status part */
static void
dsn_block_field(struct dsn_ctx *c, struct dsn_block *b, const char *name,
		const char *value)
{
	char *v;

	if (dsn_ieq(name, "Final-Recipient")) {
		if (b->final != NULL)
			dsn_block_flush(c, b);
		b->final = dsn_addr(value);
	} else if (dsn_ieq(name, "Original-Recipient")) {
		if (b->orig != NULL || (b->final != NULL &&
		    b->action != NULL && b->status != NULL))
			dsn_block_flush(c, b);
		b->orig = dsn_addr(value);
	} else if (dsn_ieq(name, "Action") && b->action == NULL) {
		v = mail_dsn_oneline(value, strlen(value));
		/* "failed (bad destination mailbox address)" */
		v[strcspn(v, " (;")] = '\0';
		b->action = mail_dsn_lower(v);
	} else if (dsn_ieq(name, "Status") && b->status == NULL)
		b->status = mail_dsn_status_code(value, 1);
	else if (dsn_ieq(name, "Diagnostic-Code") && b->diag == NULL)
		b->diag = dsn_strip_type(value);
	else if (dsn_ieq(name, "Reporting-MTA") &&
	    *c->d->reporting_mta == '\0') {
		free(c->d->reporting_mta);
		c->d->reporting_mta = dsn_strip_type(value);
	}
}

/*
 * dsn_next_field - from s[i..n): the next field (name and unfolded value,
 * both the caller's) or a blank line (*blank set, name NULL); returns the
 * position after it; n at the end. Lines that are not fields are skipped.
 */
static size_t
dsn_next_field(const char *s, size_t n, size_t i, char **name, char **value,
	       int *blank)
{
	struct buf *v;
	size_t e, colon, k;

	*name = *value = NULL;
	*blank = 0;
	while (i < n) {
		for (e = i; e < n && s[e] != '\n'; e++)
			;
		for (k = i; k < e && (s[k] == ' ' || s[k] == '\t' ||
		    s[k] == '\r'); k++)
			;
		if (k == e) {
			*blank = 1;
			return e < n ? e + 1 : n;
		}
		for (colon = i; colon < e && s[colon] != ':' &&
		    s[colon] != ' ' && s[colon] != '\t'; colon++)
			;
		if (colon > i && colon < e && s[colon] == ':')
			break;
		i = e < n ? e + 1 : n;	/* junk or a stray continuation */
	}
	if (i >= n)
		return n;
	*name = xstrndup(s + i, colon - i);
	v = buf_new(e - colon);
	buf_add(v, s + colon + 1, e - colon - 1);
	i = e < n ? e + 1 : n;
	/* continuation lines */
	while (i < n && (s[i] == ' ' || s[i] == '\t')) {
		for (e = i; e < n && s[e] != '\n'; e++)
			;
		for (k = i; k < e && (s[k] == ' ' || s[k] == '\t' ||
		    s[k] == '\r'); k++)
			;
		if (k == e)
			break;		/* a blank line ends the block */
		buf_addc(v, ' ');
		buf_add(v, s + i, e - i);
		i = e < n ? e + 1 : n;
	}
	*value = buf_export(v, NULL);
	return i;
}

/* mail_dsn_status_fields - the per-recipient blocks of a delivery-status
 * part */
void
mail_dsn_status_fields(struct dsn_ctx *c, const char *s, size_t n)
{
	struct dsn_block b;
	char *name, *value;
	size_t i = 0;
	int blank;

	memset(&b, 0, sizeof(b));
	while (i < n) {
		i = dsn_next_field(s, n, i, &name, &value, &blank);
		if (blank)
			dsn_block_flush(c, &b);
		else if (name != NULL)
			dsn_block_field(c, &b, name, value);
		free(name);
		free(value);
	}
	dsn_block_flush(c, &b);
}

/*
 * dsn_status_encoded - a delivery-status part whose fields are themselves
 * encoded behind a "Content-Transfer-Encoding: base64" (or
 * quoted-printable) field and a blank line, as some gateways write it
 */
static void
dsn_status_encoded(struct dsn_ctx *c, const char *s, size_t n)
{
	GMimeEncoding enc;
	char *name, *value, *out;
	size_t i = 0, len;
	int blank, cte = 0;

	while (i < n) {
		i = dsn_next_field(s, n, i, &name, &value, &blank);
		if (name != NULL &&
		    dsn_ieq(name, "Content-Transfer-Encoding")) {
			g_strstrip(value);
			if (dsn_ieq(value, "base64"))
				cte = GMIME_CONTENT_ENCODING_BASE64;
			else if (dsn_ieq(value, "quoted-printable"))
				cte = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
		}
		free(name);
		free(value);
		if (blank && cte != 0)
			break;
	}
	if (cte == 0 || i >= n)
		return;
	g_mime_encoding_init_decode(&enc, (GMimeContentEncoding)cte);
	out = xmalloc(g_mime_encoding_outlen(&enc, n - i) + 1);
	len = g_mime_encoding_step(&enc, s + i, n - i, out);
	out[len] = '\0';
	mail_dsn_status_fields(c, out, len);
	free(out);
}

/* mail_dsn_add_rcpt - append a recipient; a missing status or action is
 * derived (mail_dsn.h) */
void
mail_dsn_add_rcpt(struct dsn_ctx *c, const char *addr, const char *orig,
	     const char *action, const char *status, const char *diag)
{
	struct pd_dsn *d = c->d;
	struct pd_dsn_rcpt *r;
	char *st = NULL;

	if (d->nrecipients >= MAIL_DSN_MAX_RCPT || addr == NULL ||
	    *addr == '\0')
		return;
	if (d->nrecipients == c->rcap) {
		c->rcap = c->rcap ? c->rcap * 2 : 4;
		d->recipients = xrealloc(d->recipients,
		    c->rcap * sizeof(*d->recipients));
	}
	r = &d->recipients[d->nrecipients++];
	r->addr = xstrdup(addr);
	r->orig_addr = xstrdup(orig != NULL ? orig : "");
	r->diagnostic = xstrdup(diag != NULL ? diag : "");
	if (status != NULL && *status != '\0')
		st = xstrdup(status);
	else if (diag != NULL && (st = mail_dsn_status_code(diag, 1)) != NULL)
		;
	else if (action != NULL && strcmp(action, "failed") == 0)
		st = xstrdup("5.0.0");
	else if (action != NULL && strcmp(action, "delayed") == 0)
		st = xstrdup("4.0.0");
	r->status = st != NULL ? st : xstrdup("");
	if (action != NULL && *action != '\0')
		r->action = xstrdup(action);
	else
		r->action = xstrdup(*r->status == '5' ? "failed" :
		    *r->status == '4' ? "delayed" :
		    *r->status == '2' ? "delivered" : "");
}

/* dsn_msgid - the first <id> of a value, or the bare token; NULL if none */
static char *
dsn_msgid(const char *v)
{
	const char *lt, *gt, *p, *e;

	if ((lt = strchr(v, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		p = lt + 1;
		e = gt;
	} else {
		for (p = v; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			;
	}
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == p)
		return NULL;
	return mail_dsn_clean(p, (size_t)(e - p), 0);
}

/* dsn_orig_field - one header field of a returned message (the first of
 * each name wins) */
static void
dsn_orig_field(struct dsn_orig *o, GMimeParserOptions *opt,
	       const char *name, const char *value)
{
	InternetAddressList *list;
	const char *p, *gt;
	char *s, **slot = NULL;

	if (dsn_ieq(name, "Message-ID") && o->message_id == NULL)
		o->message_id = dsn_msgid(value);
	else if (dsn_ieq(name, "In-Reply-To") && o->in_reply_to == NULL)
		o->in_reply_to = dsn_msgid(value);
	else if (dsn_ieq(name, "References") && o->nrefs == 0) {
		for (p = value; (p = strchr(p, '<')) != NULL &&
		    (gt = strchr(p, '>')) != NULL && o->nrefs < DSN_MAX_REFS;
		    p = gt + 1) {
			if (gt == p + 1)
				continue;
			o->refs = xrealloc(o->refs, (o->nrefs + 2) *
			    sizeof(*o->refs));
			o->refs[o->nrefs++] = mail_dsn_clean(p + 1,
			    (size_t)(gt - p - 1), 0);
			o->refs[o->nrefs] = NULL;
		}
	} else if (dsn_ieq(name, "Subject") && o->subject == NULL)
		slot = &o->subject;
	else if (dsn_ieq(name, "From") && o->from == NULL)
		slot = &o->from;
	else if (dsn_ieq(name, "To") && o->to == NULL)
		slot = &o->to;
	if (slot == NULL)
		return;
	s = NULL;
	if (slot != &o->subject &&
	    (list = internet_address_list_parse(opt, value)) != NULL) {
		if (internet_address_list_length(list) > 0)
			s = internet_address_list_to_string(list, NULL, FALSE);
		g_object_unref(list);
	}
	if (s == NULL)
		s = g_mime_utils_header_decode_text(opt, value);
	*slot = mail_dsn_oneline(s, strlen(s));
	g_free(s);
}

/* dsn_orig_free - release one returned-message candidate */
static void
dsn_orig_free(struct dsn_orig *o)
{
	size_t i;

	free(o->message_id);
	free(o->in_reply_to);
	for (i = 0; i < o->nrefs; i++)
		free(o->refs[i]);
	free(o->refs);
	free(o->from);
	free(o->to);
	free(o->subject);
	memset(o, 0, sizeof(*o));
}

/* dsn_orig_offer - keep o when it is better than what we have: the first
 * source with a Message-ID wins, else the first with anything; the bounce's
 * own header quoted in its text is no returned message */
static void
dsn_orig_offer(struct dsn_ctx *c, struct dsn_orig *o, int quoted)
{
	int have = c->orig.message_id != NULL, any;

	if (quoted && o->message_id != NULL && c->own_msgid != NULL &&
	    strcmp(o->message_id, c->own_msgid) == 0) {
		dsn_orig_free(o);
		return;
	}
	any = c->orig.message_id != NULL || c->orig.from != NULL ||
	    c->orig.subject != NULL || c->orig.to != NULL;
	if ((!have && o->message_id != NULL) || (!any && (o->from != NULL ||
	    o->subject != NULL || o->to != NULL))) {
		dsn_orig_free(&c->orig);
		c->orig = *o;
		memset(o, 0, sizeof(*o));
		return;
	}
	dsn_orig_free(o);
}

/* dsn_orig_message - the header of a returned message (message/rfc822) */
static void
dsn_orig_message(struct dsn_ctx *c, GMimeMessage *msg)
{
	GMimeHeaderList *hl;
	GMimeHeader *h;
	struct dsn_orig o;
	const char *raw, *name;
	char *v;
	int i, n;

	if (c->orig.message_id != NULL)
		return;
	memset(&o, 0, sizeof(o));
	hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	n = hl != NULL ? g_mime_header_list_get_count(hl) : 0;
	for (i = 0; i < n; i++) {
		h = g_mime_header_list_get_header_at(hl, i);
		if ((name = g_mime_header_get_name(h)) == NULL ||
		    (raw = g_mime_header_get_raw_value(h)) == NULL)
			continue;
		v = g_mime_utils_header_unfold(raw);
		dsn_orig_field(&o, c->opt, name, v);
		g_free(v);
	}
	dsn_orig_offer(c, &o, 0);
}

/* mail_dsn_orig_headers - a header block as text: a text/rfc822-headers part,
 * or quoted in the text */
void
mail_dsn_orig_headers(struct dsn_ctx *c, const char *s, size_t n, int quoted)
{
	struct dsn_orig o;
	char *name, *value, *u;
	size_t i = 0;
	int blank;

	if (c->orig.message_id != NULL)
		return;
	memset(&o, 0, sizeof(o));
	u = mail_dsn_clean(s, n, 1);
	n = strlen(u);
	while (i < n) {
		i = dsn_next_field(u, n, i, &name, &value, &blank);
		if (name != NULL)
			dsn_orig_field(&o, c->opt, name, value);
		free(name);
		free(value);
		if (blank && (o.message_id != NULL || o.from != NULL))
			break;	/* the body of the returned message */
	}
	free(u);
	dsn_orig_offer(c, &o, quoted);
}

/* dsn_finish - copy the returned message out; set hard and reason */
static void
dsn_finish(struct dsn_ctx *c)
{
	struct pd_dsn *d = c->d;
	size_t i;

	if (c->orig.message_id != NULL)
		d->orig_message_id = c->orig.message_id;
	if (c->orig.in_reply_to != NULL)
		d->orig_in_reply_to = c->orig.in_reply_to;
	d->orig_references = c->orig.refs;
	d->norig_references = c->orig.nrefs;
	d->orig_from = c->orig.from;
	d->orig_to = c->orig.to;
	d->orig_subject = c->orig.subject;
	memset(&c->orig, 0, sizeof(c->orig));
	if (d->orig_message_id == NULL)
		d->orig_message_id = xstrdup("");
	if (d->orig_in_reply_to == NULL)
		d->orig_in_reply_to = xstrdup("");
	if (d->orig_from == NULL)
		d->orig_from = xstrdup("");
	if (d->orig_to == NULL)
		d->orig_to = xstrdup("");
	if (d->orig_subject == NULL)
		d->orig_subject = xstrdup("");
	if (d->orig_references == NULL)
		d->orig_references = xcalloc(1, sizeof(char *));
	for (i = 0; i < d->nrecipients; i++) {
		if (strcmp(d->recipients[i].action, "failed") == 0 ||
		    d->recipients[i].status[0] == '5')
			d->hard = 1;
		if (*d->reason == '\0' &&
		    *d->recipients[i].diagnostic != '\0') {
			free(d->reason);
			d->reason = xstrdup(d->recipients[i].diagnostic);
		}
	}
}

/* mail_dsn_parse - read a bounce (see mail_dsn.h) */
int
mail_dsn_parse(const char *raw, size_t len, struct pd_dsn **out,
	       struct pd_err *err)
{
	struct dsn_ctx c;
	GMimeMessage *msg = NULL;
	GByteArray *ga;
	int defects = 0;	/* the repairs do not matter here */

	if (out == NULL)
		return err_set(err, PD_EBUG, "mail_dsn_parse: no result");
	memset(&c, 0, sizeof(c));
	c.d = xcalloc(1, sizeof(*c.d));
	c.d->reason = xstrdup("");
	c.d->reporting_mta = xstrdup("");
	c.text = buf_new(4096);
	c.extra = buf_new(1024);
	c.opt = g_mime_parser_options_new();
	g_mime_parser_options_set_address_compliance_mode(c.opt,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(c.opt,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(c.opt,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	ga = mail_prepare(raw != NULL ? raw : "", raw != NULL ? len : 0,
	    &defects);
	if (ga->len > 0)
		msg = mail_construct(ga, c.opt);
	if (msg != NULL) {
		dsn_own_headers(&c, msg);
		dsn_walk(&c, g_mime_message_get_mime_part(msg), 0);
		dsn_unwrap(&c);
	} else {
		char *t = mail_dsn_clean((const char *)ga->data, ga->len, 1);

		buf_adds(c.text, t);
		free(t);
	}
	c.d->is_dsn = c.ds_parts > 0 || c.report;
	mail_dsn_lines(&c);
	if (c.d->nrecipients == 0)
		mail_dsn_text(&c);
	if (c.orig.message_id == NULL)
		mail_dsn_inline_orig(&c, c.text->data, c.text->len);
	if (c.orig.message_id == NULL)
		mail_dsn_inline_orig(&c, c.extra->data, c.extra->len);
	dsn_finish(&c);
	if (msg != NULL)
		g_object_unref(msg);
	g_byte_array_unref(ga);
	g_mime_parser_options_free(c.opt);
	dsn_orig_free(&c.orig);
	buf_free(c.text);
	buf_free(c.extra);
	free(c.lines);
	free(c.own_msgid);
	free(c.own_to);
	free(c.failed_hdr);
	*out = c.d;
	return 0;
}

/* mail_dsn_free - release a parsed bounce; accepts NULL */
struct pd_dsn *
mail_dsn_free(struct pd_dsn *d)
{
	size_t i;

	if (d == NULL)
		return NULL;
	for (i = 0; i < d->nrecipients; i++) {
		free(d->recipients[i].addr);
		free(d->recipients[i].orig_addr);
		free(d->recipients[i].action);
		free(d->recipients[i].status);
		free(d->recipients[i].diagnostic);
	}
	free(d->recipients);
	free(d->reason);
	free(d->reporting_mta);
	free(d->orig_message_id);
	free(d->orig_in_reply_to);
	for (i = 0; i < d->norig_references; i++)
		free(d->orig_references[i]);
	free(d->orig_references);
	free(d->orig_from);
	free(d->orig_to);
	free(d->orig_subject);
	free(d);
	return NULL;
}

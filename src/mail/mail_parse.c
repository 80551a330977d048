/*
 * mail_parse.c - inbound mail (GMime 3) into a plain struct pd_msg
 *
 * Exports mail_init(), mail_shutdown(), mail_parse(), mail_msg_free() and
 * mail_addr_normalize(); contracts in mail_parse.h. mail_parse() runs:
 *
 *   mail_prepare   copy the input for GMime: skip a UTF-8 BOM, white-space
 *                  lines before the headers and an mbox "From " line; make
 *                  a CR-only file LF; drop NUL bytes from the header block;
 *                  end it where a line starts the body (mail_body_starts).
 *   mail_construct GMime's parser over that copy (parts are substreams of
 *                  it). If GMime refuses the first line as a header, the
 *                  whole input is the body.
 *   mail_headers   decode each field from its raw value, then mail_hdr():
 *                  valid UTF-8 (else read as Windows-1252), C0 controls
 *                  removed, so CR, LF and NUL never reach pd_msg.
 *   mail_body      collect the leaf parts in document order (recursion
 *                  limited to MAIL_MAX_DEPTH; message/rfc822 is a leaf),
 *                  pick the body text, list the rest as attachments.
 *
 * Text is decoded (base64 by mail_b64, others by GMime), converted to UTF-8
 * (iconv through GMime's charset aliases; absent, ASCII or unknown charsets
 * are UTF-8 when valid, else Windows-1252), then cleaned in one pass: NUL
 * dropped, CRLF and CR made LF, invalid UTF-8 replaced with U+FFFD.
 *
 * Two bugs of GMime 3.2.13 are worked around (both fixed in 3.2.14): its
 * base64 decoder stops at the first '=' (mail_b64), and in a run of base64
 * encoded-words the words after a padded one are lost (mail_2047_fix).
 *
 * Defects: GMime parser warnings, a charset or transfer encoding we cannot
 * read, invalid UTF-8, an unparsable Date, nesting below MAIL_MAX_DEPTH, a
 * missing empty line after the headers, and input beyond our bounds, which
 * is ignored: MAIL_MAX_INPUT bytes, MAIL_MAX_FIELDS header lines and parts
 * (mail_cut), MAIL_MAX_ATTACH attachments listed.
 *
 * Cost: linear in the input; each pass touches every byte a bounded number
 * of times and memory peaks at a few times the input (100 MB on one line:
 * about 0.4 s and 400 MB in the body, 1.5 s and 800 MB in a header; 100 MB
 * of HTML about 5 s and 700 MB).
 *
 * Not thread-safe until mail_init() has run; afterwards mail_parse() keeps
 * its state on the stack and in the objects it creates.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>
#include <libxml/parser.h>

#include "util/utf8.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "mail_html.h"
#include "mail_int.h"
#include "mail_parse.h"

#define MAIL_MAX_DEPTH	64		/* MIME levels we descend */
#define MAIL_MAX_ATTACH	10000		/* attachments we list */
#define MAIL_MAX_FIELDS	50000		/* header and boundary lines read */
#define MAIL_MAX_INPUT	((size_t)0x7ffffff0)	/* GByteArray: guint */
#define MAIL_ICONV_STEP	(256 * 1024)	/* output room per iconv() call */
#define MAIL_FFFD	"\xef\xbf\xbd"	/* U+FFFD REPLACEMENT CHARACTER */

/* What one mail_parse() call collects on its way. */
struct mail_ctx {
	GMimeParserOptions *opt;	/* lenient, counting into defects */
	int	defects;
	GMimeObject **leaf;		/* leaf parts, document order (borrowed) */
	size_t	nleaf;
	size_t	aleaf;
	GMimeMultipart *bare;		/* first multipart without parts */
};

/* Base64 decoding state (mail_b64). */
struct mail_b64 {
	unsigned int bits;
	int	n;
};

/* A base64 RFC 2047 encoded-word found in a header (mail_eword). */
struct mail_eword {
	const char *cs;			/* charset, cslen bytes */
	size_t	cslen;
	const char *text;		/* base64 payload, tlen bytes */
	size_t	tlen;
	const char *end;		/* just after "?=" */
};

/* How a declared charset is read. */
enum mail_cs { MAIL_CS_AUTO, MAIL_CS_UTF8, MAIL_CS_1252, MAIL_CS_ICONV };

static int mail_ready;

static void mail_warn(gint64, GMimeParserWarning, const gchar *, gpointer);
static void mail_options(struct mail_ctx *);
static const char *mail_line_next(const char *, const char *, int);
static int mail_is_header_line(const char *, const char *);
static int mail_is_empty_line(const char *, const char *, int);
static int mail_body_starts(const char *, const char *, const char *, int,
		    const char **);
static const char *mail_cut(const char *, const char *, int);
static guint8 *mail_copy(guint8 *, const char *, size_t, int, int);
static void mail_cp1252(struct buf *, const char *, size_t);
static char *mail_hdr(const char *);
static char *mail_lower(char *);
static char *mail_hdr_addr(const char *);
static int mail_b64_rank(int);
static size_t mail_b64(struct mail_b64 *, const char *, size_t, struct buf *);
static int mail_eword(const char *, struct mail_eword *);
static char *mail_2047_fix(const char *);
static char *mail_hval(GMimeObject *, const char *);
static char *mail_hdr_text(GMimeParserOptions *, GMimeObject *,
		    const char *);
static InternetAddressList *mail_hdr_list(GMimeParserOptions *,
		    GMimeObject *, const char *);
static char *mail_filename(GMimeParserOptions *, GMimeObject *);
static InternetAddressMailbox *mail_mailbox(InternetAddressList *);
static char *mail_addrlist_text(GMimeParserOptions *, GMimeObject *,
		    const char *);
static char *mail_msgid_fallback(const char *);
static void mail_references(struct pd_msg *, GMimeObject *,
		    GMimeParserOptions *);
static void mail_headers(struct mail_ctx *, GMimeMessage *, struct pd_msg *);
static void mail_walk(struct mail_ctx *, GMimeObject *, int);
static int mail_is_attachment(GMimeObject *);
static int mail_is_text(GMimeObject *, const char *);
static enum mail_cs mail_charset_kind(const char *);
static void mail_iconv(struct mail_ctx *, iconv_t, const char *, size_t,
		    struct buf *);
static char *mail_text_clean(struct mail_ctx *, const char *, size_t,
		    size_t *);
static char *mail_bytes_text(struct mail_ctx *, const char *, size_t,
		    const char *, size_t *);
static char *mail_html_charset(const char *, size_t);
static char *mail_part_text(struct mail_ctx *, GMimePart *, int);
static size_t mail_part_decode(struct mail_ctx *, GMimePart *, struct buf *);
static size_t mail_part_size(struct mail_ctx *, GMimeObject *);
static void mail_attach_add(struct mail_ctx *, struct pd_msg *, GMimeObject *,
		    size_t *);
static void mail_body(struct mail_ctx *, GMimeMessage *, struct pd_msg *);
static int mail_blank(const char *);
static void mail_fill(struct pd_msg *);

/* mail_init - once per process, before mail_parse (g_mime_init) */
void
mail_init(void)
{
	if (mail_ready)
		return;
	g_mime_init();
	xmlInitParser();
	mail_ready = 1;
}

/* mail_shutdown - release what mail_init() set up */
void
mail_shutdown(void)
{
	if (!mail_ready)
		return;
	g_mime_shutdown();
	xmlCleanupParser();
	mail_ready = 0;
}

/* mail_warn - GMime parser warning callback: count a defect */
static void
mail_warn(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer arg)
{
	struct mail_ctx *c = arg;

	(void)offset;
	(void)code;
	(void)item;
	c->defects++;
}

/* mail_options - lenient parser options that count warnings into c */
static void
mail_options(struct mail_ctx *c)
{
	static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	GMimeParserOptions *opt = g_mime_parser_options_new();

	g_mime_parser_options_set_address_compliance_mode(opt,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(opt,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(opt,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(opt, TRUE);
	g_mime_parser_options_set_fallback_charsets(opt, fallback);
	g_mime_parser_options_set_warning_callback(opt, mail_warn, c);
	c->opt = opt;
}

/* mail_line_next - start of the line after p (CR ends lines in cr mode) */
static const char *
mail_line_next(const char *p, const char *end, int cr)
{
	const char *nl;

	if (!cr) {
		nl = memchr(p, '\n', (size_t)(end - p));
		return nl != NULL ? nl + 1 : end;
	}
	for (; p < end; p++) {
		if (*p == '\n')
			return p + 1;
		if (*p == '\r' && (p + 1 == end || p[1] != '\n') && cr)
			return p + 1;
	}
	return end;
}

/* mail_is_header_line - does the line at p start with "Field-Name:"? */
static int
mail_is_header_line(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && (unsigned char)*p > ' ' &&
	    (unsigned char)*p < 127 && *p != ':')
		p++;
	if (p == s)
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p < end && *p == ':';
}

/* mail_is_empty_line - is the line at p empty (its end of line only)? */
static int
mail_is_empty_line(const char *p, const char *end, int cr)
{
	if (p >= end)
		return 0;
	if (*p == '\n')
		return 1;
	return *p == '\r' && (p + 1 == end || p[1] == '\n' || cr);
}

/*
 * mail_body_starts - the line p..next, in the header block, is neither a
 * field nor a continuation: does the body start there (the empty line
 * before it missing, or holding a space)? Yes for a "--boundary" line, and
 * when no field follows before the next empty line; else it is a field
 * folded without white space, which GMime joins to the one before.
 * *until remembers the field found, so that each byte is looked at once.
 */
static int
mail_body_starts(const char *p, const char *next, const char *end, int cr,
    const char **until)
{
	const char *q, *n;

	if (next - p >= 2 && p[0] == '-' && p[1] == '-')
		return 1;
	if (p < *until)
		return 0;
	for (q = next; q < end && !mail_is_empty_line(q, end, cr); q = n) {
		n = mail_line_next(q, end, cr);
		if (mail_is_header_line(q, n)) {
			*until = q;
			return 0;
		}
	}
	return 1;
}

/*
 * mail_cut - where to stop reading so that GMime makes at most
 * MAIL_MAX_FIELDS header fields and parts: each costs it about a kilobyte,
 * so 100 MB of "X: y" lines or of empty parts would need gigabytes. Lines
 * starting with "--" may be boundaries; "Field:" lines count from there
 * (or the start) up to the next empty line.
 */
static const char *
mail_cut(const char *p, const char *end, int cr)
{
	const char *next;
	size_t fields = 0;
	int inhdr = 1;

	for (; p < end; p = next) {
		next = mail_line_next(p, end, cr);
		if (next - p >= 2 && p[0] == '-' && p[1] == '-') {
			inhdr = 1;
			fields++;
		} else if (mail_is_empty_line(p, end, cr))
			inhdr = 0;
		else if (inhdr && mail_is_header_line(p, next))
			fields++;
		if (fields > MAIL_MAX_FIELDS)
			return p;
	}
	return end;
}

/* mail_copy - append p[0..n) to w (CR alone made LF in cr mode, NUL bytes
 * dropped unless nul); returns the new end of w */
static guint8 *
mail_copy(guint8 *w, const char *p, size_t n, int cr, int nul)
{
	size_t i;

	if (!cr && nul) {
		memcpy(w, p, n);
		return w + n;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == '\0' && !nul)
			continue;
		if (p[i] == '\r' && cr && (i + 1 == n || p[i + 1] != '\n'))
			*w++ = '\n';
		else
			*w++ = (guint8)p[i];
	}
	return w;
}

/* mail_prepare - the bytes GMime is to read (see the file header); each
 * repair counts in *defects */
GByteArray *
mail_prepare(const char *raw, size_t len, int *defects)
{
	const char *p = raw, *end, *q, *next, *until;
	size_t lf = 0, lonecr = 0;
	GByteArray *ga;
	guint8 *w;
	int cr;

	if (len > MAIL_MAX_INPUT) {
		len = MAIL_MAX_INPUT;
		(*defects)++;
	}
	end = raw + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;

	/* a file from an old Mac ends its lines with CR alone */
	for (q = p; q < end; q++) {
		if (*q == '\n')
			lf++;
		else if (*q == '\r' && (q + 1 == end || q[1] != '\n'))
			lonecr++;
	}
	cr = lonecr > lf;

	/* blank-looking lines before the headers, then an mbox From_ line */
	for (;;) {
		next = mail_line_next(p, end, cr);
		for (q = p; q < next && (*q == ' ' || *q == '\t'); q++)
			;
		if (q == p || (q < next && *q != '\r' && *q != '\n') ||
		    !mail_is_header_line(next, end))
			break;
		p = next;
	}
	if (end - p >= 5 && memcmp(p, "From ", 5) == 0)
		p = mail_line_next(p, end, cr);
	if ((q = mail_cut(p, end, cr)) != end) {
		end = q;
		(*defects)++;
	}

	/* room for the input and one inserted empty line */
	ga = g_byte_array_sized_new((guint)(end - p) + 2);
	g_byte_array_set_size(ga, (guint)(end - p) + 1);
	w = ga->data;

	/* the header block, line by line, without NUL bytes */
	for (until = p; p < end; p = next) {
		next = mail_line_next(p, end, cr);
		if (mail_is_empty_line(p, end, cr))
			break;
		if (*p != ' ' && *p != '\t' && !mail_is_header_line(p, next)) {
			if (mail_body_starts(p, next, end, cr, &until)) {
				*w++ = '\n';	/* the missing empty line */
				(*defects)++;
				break;
			}
			if (w == ga->data) {
				(*defects)++;	/* junk before the first field */
				continue;
			}
		}
		w = mail_copy(w, p, (size_t)(next - p), cr, 0);
	}
	w = mail_copy(w, p, (size_t)(end - p), cr, 1);
	g_byte_array_set_size(ga, (guint)(w - ga->data));
	return ga;
}

/* mail_construct - parse ga with GMime; NULL when GMime gives up */
GMimeMessage *
mail_construct(GByteArray *ga, GMimeParserOptions *opt)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	stream = g_mime_stream_mem_new_with_byte_array(ga);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, opt);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

/* mail_cp1252 - append s[0..n) read as Windows-1252, as UTF-8 */
static void
mail_cp1252(struct buf *b, const char *s, size_t n)
{
	/* 0x80-0x9f; the five holes keep their Latin-1 (C1) meaning */
	static const unsigned short c1[32] = {
		0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
		0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178
	};
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int u = (unsigned char)s[i];

		if (u >= 0x80 && u < 0xa0)
			u = c1[u - 0x80];
		if (u < 0x80)
			buf_addc(b, (int)u);
		else if (u < 0x800) {
			buf_addc(b, (int)(0xc0 | (u >> 6)));
			buf_addc(b, (int)(0x80 | (u & 0x3f)));
		} else {
			buf_addc(b, (int)(0xe0 | (u >> 12)));
			buf_addc(b, (int)(0x80 | ((u >> 6) & 0x3f)));
			buf_addc(b, (int)(0x80 | (u & 0x3f)));
		}
	}
}

/* mail_hdr - a header value as one clean UTF-8 line (never NULL) */
static char *
mail_hdr(const char *s)
{
	struct buf *b, *u = NULL;
	const char *p, *end;
	size_t n;

	if (s == NULL)
		return xstrdup("");
	n = strlen(s);
	if (!utf8_valid(s, n)) {
		u = buf_new(n * 2);
		mail_cp1252(u, s, n);
		s = u->data;
		n = u->len;
	}
	b = buf_new(n);
	end = s + n;
	for (p = s; p < end; p++) {
		if (*p == '\t')
			buf_addc(b, ' ');
		else if ((unsigned char)*p >= ' ')
			buf_addc(b, *p);
	}
	buf_free(u);
	/* trim blanks at both ends */
	for (n = 0; n < b->len && b->data[n] == ' '; n++)
		;
	if (n > 0) {
		memmove(b->data, b->data + n, b->len - n + 1);
		b->len -= n;
	}
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	return buf_export(b, NULL);
}

/* mail_lower - lower-case the ASCII letters of s in place; returns s */
static char *
mail_lower(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* mail_hdr_addr - a clean, lower-cased addr-spec */
static char *
mail_hdr_addr(const char *addr)
{
	return mail_lower(mail_hdr(addr));
}

/* mail_b64_rank - value of a base64 digit, -1 for anything else */
static int
mail_b64_rank(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	return c == '/' ? 63 : -1;
}

/*
 * mail_b64 - decode base64, appending to out (or only counting, out NULL).
 * Unlike GMime 3.2.13's decoder, which stops at the first '=' (fixed in
 * 3.2.14), decoding goes on after padding: some mailers send base64 in
 * separately padded chunks. Returns the number of bytes produced.
 */
static size_t
mail_b64(struct mail_b64 *st, const char *in, size_t len, struct buf *out)
{
	unsigned char o[3];
	size_t i, k, total = 0;
	int v;

	for (i = 0; i < len; i++) {
		if ((v = mail_b64_rank((unsigned char)in[i])) >= 0) {
			st->bits = (st->bits << 6) | (unsigned int)v;
			if (++st->n < 4)
				continue;
			o[0] = (unsigned char)(st->bits >> 16);
			o[1] = (unsigned char)(st->bits >> 8);
			o[2] = (unsigned char)st->bits;
			k = 3;
		} else if (in[i] == '=' && st->n >= 2) {
			/* padding ends a short quartet of 1 or 2 bytes */
			o[0] = (unsigned char)(st->bits >> (st->n == 2 ? 4 : 10));
			o[1] = (unsigned char)(st->bits >> 2);
			k = (size_t)st->n - 1;
		} else
			continue;
		st->n = 0;
		st->bits = 0;
		if (out != NULL)
			buf_add(out, o, k);
		total += k;
	}
	return total;
}

/* mail_eword - is s a base64 encoded-word "=?cs?B?text?="? fill w */
static int
mail_eword(const char *s, struct mail_eword *w)
{
	const char *p;

	if (s[0] != '=' || s[1] != '?')
		return 0;
	for (p = w->cs = s + 2; *p != '\0' && *p != '?' && *p > ' '; p++)
		;
	w->cslen = (size_t)(p - w->cs);
	if (w->cslen == 0 || p[0] != '?' || (p[1] != 'B' && p[1] != 'b') ||
	    p[2] != '?')
		return 0;
	for (p = w->text = p + 3; *p != '\0' && *p != '?' && *p > ' '; p++)
		;
	w->tlen = (size_t)(p - w->text);
	if (p[0] != '?' || p[1] != '=')
		return 0;
	w->end = p + 2;
	return 1;
}

/*
 * mail_2047_fix - work around GMime 3.2.13 (fixed in 3.2.14): in a run of
 * adjacent base64 encoded-words of one charset, the words after one that
 * ends in '=' padding decode to nothing, and long subjects and names come
 * in such runs. Each run is rewritten as one encoded-word carrying the same
 * bytes (what RFC 2047 section 6.2 says the run means). NULL: no run in s.
 */
static char *
mail_2047_fix(const char *s)
{
	struct buf *out = NULL, *bytes;
	struct mail_b64 st;
	struct mail_eword w, w2;
	const char *p = s, *done = s, *q, *r;
	char *enc;

	while ((p = strstr(p, "=?")) != NULL) {
		if (!mail_eword(p, &w)) {
			p += 2;
			continue;
		}
		bytes = NULL;
		for (q = w.end;; q = w2.end) {
			for (r = q; *r == ' ' || *r == '\t' || *r == '\r' ||
			    *r == '\n'; r++)
				;
			if (!mail_eword(r, &w2) || w2.cslen != w.cslen ||
			    g_ascii_strncasecmp(w.cs, w2.cs, w.cslen) != 0)
				break;
			if (bytes == NULL) {
				bytes = buf_new(w.tlen);
				memset(&st, 0, sizeof(st));
				(void)mail_b64(&st, w.text, w.tlen, bytes);
			}
			memset(&st, 0, sizeof(st));
			(void)mail_b64(&st, w2.text, w2.tlen, bytes);
		}
		if (bytes == NULL) {
			p = q;
			continue;
		}
		if (out == NULL)
			out = buf_new(strlen(s));
		buf_add(out, done, (size_t)(p - done));
		enc = g_base64_encode((const guchar *)bytes->data, bytes->len);
		buf_adds(out, "=?");
		buf_add(out, w.cs, w.cslen);
		buf_printf(out, "?B?%s?=", enc);
		g_free(enc);
		buf_free(bytes);
		done = p = q;
	}
	if (out == NULL)
		return NULL;
	buf_adds(out, done);
	return buf_export(out, NULL);
}

/* mail_hval - first header name of obj, unfolded, repaired; NULL: none */
static char *
mail_hval(GMimeObject *obj, const char *name)
{
	GMimeHeader *h;
	const char *raw;
	char *unfolded, *fixed;

	h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj),
	    name);
	if (h == NULL || (raw = g_mime_header_get_raw_value(h)) == NULL)
		return NULL;
	unfolded = g_mime_utils_header_unfold(raw);
	if ((fixed = mail_2047_fix(unfolded)) == NULL)
		fixed = xstrdup(unfolded);
	g_free(unfolded);
	return fixed;
}

/* mail_hdr_text - an unstructured header, RFC 2047 decoded and clean */
static char *
mail_hdr_text(GMimeParserOptions *opt, GMimeObject *obj, const char *name)
{
	char *v, *d, *t;

	if ((v = mail_hval(obj, name)) == NULL)
		return xstrdup("");
	d = g_mime_utils_header_decode_text(opt, v);
	t = mail_hdr(d);
	g_free(d);
	free(v);
	return t;
}

/* mail_hdr_list - an address header parsed (g_object_unref it); NULL if none */
static InternetAddressList *
mail_hdr_list(GMimeParserOptions *opt, GMimeObject *obj, const char *name)
{
	InternetAddressList *list;
	char *v;

	if ((v = mail_hval(obj, name)) == NULL)
		return NULL;
	list = internet_address_list_parse(opt, v);
	free(v);
	return list;
}

/* mail_filename - a part's file name, UTF-8, "" when none (caller frees) */
static char *
mail_filename(GMimeParserOptions *opt, GMimeObject *obj)
{
	GMimeContentDisposition *d;
	GMimeContentType *ct;
	const char *name;
	char *v, *res = NULL;

	/* parsed again from the repaired header: see mail_2047_fix() */
	v = mail_hval(obj, "Content-Disposition");
	if (v != NULL && strstr(v, "=?") != NULL) {
		d = g_mime_content_disposition_parse(opt, v);
		name = g_mime_content_disposition_get_parameter(d, "filename");
		res = name != NULL ? mail_hdr(name) : NULL;
		g_object_unref(d);
	}
	free(v);
	v = res == NULL ? mail_hval(obj, "Content-Type") : NULL;
	if (v != NULL && strstr(v, "=?") != NULL) {
		ct = g_mime_content_type_parse(opt, v);
		name = g_mime_content_type_get_parameter(ct, "name");
		res = name != NULL ? mail_hdr(name) : NULL;
		g_object_unref(ct);
	}
	free(v);
	if (res != NULL)
		return res;
	if (GMIME_IS_PART(obj))
		name = g_mime_part_get_filename(GMIME_PART(obj));
	else if ((name = g_mime_object_get_content_disposition_parameter(obj,
	    "filename")) == NULL)
		name = g_mime_object_get_content_type_parameter(obj, "name");
	return mail_hdr(name);
}

/* mail_mailbox - the first mailbox of a list, looking into groups */
static InternetAddressMailbox *
mail_mailbox(InternetAddressList *list)
{
	InternetAddressList *members;
	InternetAddress *ia;
	int i, j, n;

	n = list != NULL ? internet_address_list_length(list) : 0;
	for (i = 0; i < n; i++) {
		ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			return INTERNET_ADDRESS_MAILBOX(ia);
		if (!INTERNET_ADDRESS_IS_GROUP(ia))
			continue;
		members = internet_address_group_get_members(
		    INTERNET_ADDRESS_GROUP(ia));
		for (j = 0; j < internet_address_list_length(members); j++) {
			ia = internet_address_list_get_address(members, j);
			if (INTERNET_ADDRESS_IS_MAILBOX(ia))
				return INTERNET_ADDRESS_MAILBOX(ia);
		}
	}
	return NULL;
}

/* mail_addrlist_text - an address header as decoded text */
static char *
mail_addrlist_text(GMimeParserOptions *opt, GMimeObject *obj,
    const char *name)
{
	InternetAddressList *list = mail_hdr_list(opt, obj, name);
	char *s, *t = NULL;

	if (list != NULL && internet_address_list_length(list) > 0) {
		s = internet_address_list_to_string(list, NULL, FALSE);
		t = mail_hdr(s);
		g_free(s);
		if (*t == '\0') {
			free(t);
			t = NULL;
		}
	}
	if (list != NULL)
		g_object_unref(list);
	return t != NULL ? t : mail_hdr_text(opt, obj, name);
}

/* mail_msgid_fallback - an unparsable Message-ID, trimmed, without <> */
static char *
mail_msgid_fallback(const char *raw)
{
	char *s = mail_hdr(raw);
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	return s;
}

/* mail_header_list - every top-level field, decoded (for intake rules) */
static void
mail_header_list(struct mail_ctx *c, GMimeObject *obj, struct pd_msg *m)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int i, n = g_mime_header_list_get_count(hl);
	GMimeHeader *h;
	const char *name, *raw;
	char *unfolded, *d;

	if (n > MAIL_MAX_HEADERS) {
		c->defects++;
		n = MAIL_MAX_HEADERS;
	}
	m->headers = xcalloc((size_t)n + 1, sizeof(*m->headers));
	for (i = 0; i < n; i++) {
		h = g_mime_header_list_get_header_at(hl, i);
		if (h == NULL || (name = g_mime_header_get_name(h)) == NULL ||
		    (raw = g_mime_header_get_raw_value(h)) == NULL)
			continue;
		unfolded = g_mime_utils_header_unfold(raw);
		d = g_mime_utils_header_decode_text(c->opt, unfolded);
		m->headers[m->nheaders].name = mail_hdr(name);
		m->headers[m->nheaders].value = mail_hdr(d != NULL ? d : "");
		m->nheaders++;
		g_free(d);
		g_free(unfolded);
	}
}

/* mail_references - References ids, then In-Reply-To's, each once */
static void
mail_references(struct pd_msg *m, GMimeObject *obj, GMimeParserOptions *opt)
{
	static const char *const names[] = { "References", "In-Reply-To" };
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GMimeReferences *refs;
	GMimeHeader *h;
	const char *raw;
	size_t k, cap = 0;
	int i, n;
	char *id;

	for (k = 0; k < 2; k++) {
		h = g_mime_header_list_get_header(hl, names[k]);
		if (h == NULL || (raw = g_mime_header_get_raw_value(h)) == NULL)
			continue;
		refs = g_mime_references_parse(opt, raw);
		n = refs != NULL ? g_mime_references_length(refs) : 0;
		for (i = 0; i < n; i++) {
			id = mail_hdr(g_mime_references_get_message_id(refs,
			    i));
			if (k == 1 && m->in_reply_to == NULL)
				m->in_reply_to = xstrdup(id);
			if (*id == '\0' || g_hash_table_contains(seen, id) ||
			    (k == 1 && i > 0)) {
				free(id);
				continue;
			}
			if (m->nreferences == cap) {
				cap = cap ? cap * 2 : 8;
				m->references = xrealloc(m->references,
				    cap * sizeof(*m->references));
			}
			m->references[m->nreferences++] = id;
			g_hash_table_add(seen, id);
		}
		if (refs != NULL)
			g_mime_references_free(refs);
	}
	g_hash_table_destroy(seen);
}

/* mail_headers - copy the header fields of msg into m */
static void
mail_headers(struct mail_ctx *c, GMimeMessage *msg, struct pd_msg *m)
{
	static const struct {
		const char *name;
		size_t off;
	} plain[] = {
		{ "Subject", offsetof(struct pd_msg, subject) },
		{ "Auto-Submitted", offsetof(struct pd_msg, auto_submitted) },
		{ "Precedence", offsetof(struct pd_msg, precedence) },
		{ "List-Id", offsetof(struct pd_msg, list_id) },
		{ "X-Loop", offsetof(struct pd_msg, x_loop) },
		{ "X-Autoreply", offsetof(struct pd_msg, x_autoreply) },
		{ "X-Autorespond", offsetof(struct pd_msg, x_autoreply) },
		{ "X-Spam-Flag", offsetof(struct pd_msg, x_spam_flag) },
		{ "X-Spam-Status", offsetof(struct pd_msg, x_spam_status) },
		{ "X-Spam-Score", offsetof(struct pd_msg, x_spam_score) },
		{ "X-Rspamd-Score", offsetof(struct pd_msg, x_spam_score) },
		{ "X-Customer-ID", offsetof(struct pd_msg, x_customer_id) },
		{ "Authentication-Results",
		    offsetof(struct pd_msg, authentication_results) },
	};
	GMimeObject *obj = GMIME_OBJECT(msg);
	InternetAddressMailbox *mb;
	InternetAddressList *list;
	GDateTime *dt;
	const char *v;
	size_t i;

	list = mail_hdr_list(c->opt, obj, "From");
	if ((mb = mail_mailbox(list)) != NULL) {
		m->from_addr = mail_hdr_addr(
		    internet_address_mailbox_get_addr(mb));
		m->from_name = mail_hdr(
		    internet_address_get_name(INTERNET_ADDRESS(mb)));
	} else if ((v = g_mime_object_get_header(obj, "From")) != NULL &&
	    strchr(v, '@') != NULL)
		m->from_addr = mail_addr_normalize(v);
	if (list != NULL)
		g_object_unref(list);
	list = mail_hdr_list(c->opt, obj, "Reply-To");
	if ((mb = mail_mailbox(list)) != NULL)
		m->reply_to = mail_hdr_addr(
		    internet_address_mailbox_get_addr(mb));
	if (list != NULL)
		g_object_unref(list);
	m->to = mail_addrlist_text(c->opt, obj, "To");
	m->cc = mail_addrlist_text(c->opt, obj, "Cc");
	/* several names may feed one field: the first present one wins */
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char **slot = (char **)((char *)m + plain[i].off);

		if (*slot == NULL && g_mime_object_get_header(obj,
		    plain[i].name) != NULL)
			*slot = mail_hdr_text(c->opt, obj, plain[i].name);
	}

	v = g_mime_object_get_header(obj, "Date");
	m->date = mail_hdr(v);
	if ((dt = g_mime_message_get_date(msg)) != NULL)
		m->date_t = (time_t)g_date_time_to_unix(dt);
	else if (*m->date != '\0')
		c->defects++;

	if ((v = g_mime_message_get_message_id(msg)) != NULL)
		m->message_id = mail_hdr(v);
	else
		m->message_id = mail_msgid_fallback(
		    g_mime_object_get_header(obj, "Message-ID"));
	mail_references(m, obj, c->opt);
	mail_header_list(c, obj, m);
}

/* mail_walk - collect the leaf parts below obj in document order */
static void
mail_walk(struct mail_ctx *c, GMimeObject *obj, int depth)
{
	GMimeMultipart *mp;
	int i, n;

	if (obj == NULL)
		return;
	if (depth > MAIL_MAX_DEPTH) {
		c->defects++;
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		mp = GMIME_MULTIPART(obj);
		n = g_mime_multipart_get_count(mp);
		if (n == 0 && c->bare == NULL)
			c->bare = mp;
		for (i = 0; i < n; i++)
			mail_walk(c, g_mime_multipart_get_part(mp, i),
			    depth + 1);
		return;
	}
	if (c->nleaf == c->aleaf) {
		c->aleaf = c->aleaf ? c->aleaf * 2 : 16;
		c->leaf = xrealloc(c->leaf, c->aleaf * sizeof(*c->leaf));
	}
	c->leaf[c->nleaf++] = obj;
}

/* mail_is_attachment - Content-Disposition: attachment? */
static int
mail_is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

/* mail_is_text - a text/<subtype> part that is not an attachment? */
static int
mail_is_text(GMimeObject *obj, const char *subtype)
{
	return GMIME_IS_PART(obj) &&
	    g_mime_content_type_is_type(g_mime_object_get_content_type(obj),
	    "text", subtype) && !mail_is_attachment(obj);
}

/* mail_charset_kind - how to read the bytes of a declared charset */
static enum mail_cs
mail_charset_kind(const char *cs)
{
	static const char *const autos[] = { "us-ascii", "ascii", "us_ascii",
	    "ansi_x3.4-1968", "iso646-us", "unknown-8bit", "x-unknown",
	    "unknown", "default", "x-user-defined", "none", NULL };
	static const char *const utf8[] = { "utf-8", "utf8", "x-utf-8",
	    "unicode-1-1-utf-8", NULL };
	static const char *const w1252[] = { "iso-8859-1", "iso8859-1",
	    "iso_8859-1", "latin1", "latin-1", "l1", "windows-1252",
	    "cp1252", "x-cp1252", "cp819", "ibm819", "iso-ir-100", NULL };
	int i;

	if (cs == NULL || *cs == '\0')
		return MAIL_CS_AUTO;
	for (i = 0; autos[i] != NULL; i++)
		if (g_ascii_strcasecmp(cs, autos[i]) == 0)
			return MAIL_CS_AUTO;
	for (i = 0; utf8[i] != NULL; i++)
		if (g_ascii_strcasecmp(cs, utf8[i]) == 0)
			return MAIL_CS_UTF8;
	for (i = 0; w1252[i] != NULL; i++)
		if (g_ascii_strcasecmp(cs, w1252[i]) == 0)
			return MAIL_CS_1252;
	return MAIL_CS_ICONV;
}

/* mail_iconv - append in[0..len) converted by cd; bad input becomes U+FFFD */
static void
mail_iconv(struct mail_ctx *c, iconv_t cd, const char *in, size_t len,
    struct buf *out)
{
	char *ip = (char *)in, *op;
	size_t il = len, ol, r;
	int bad = 0;

	while (il > 0) {
		op = buf_reserve(out, MAIL_ICONV_STEP);
		ol = MAIL_ICONV_STEP;
		r = iconv(cd, &ip, &il, &op, &ol);
		out->len += MAIL_ICONV_STEP - ol;
		out->data[out->len] = '\0';
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		buf_adds(out, MAIL_FFFD);
		bad = 1;
		if (errno != EILSEQ)
			break;		/* EINVAL: cut off at the end */
		ip++;
		il--;
	}
	op = buf_reserve(out, 64);
	ol = 64;
	(void)iconv(cd, NULL, NULL, &op, &ol);	/* end a stateful charset */
	out->len += 64 - ol;
	out->data[out->len] = '\0';
	if (bad)
		c->defects++;
}

/*
 * mail_text_clean - s[0..n) (meant to be UTF-8) as body text: NUL bytes
 * dropped, CRLF and CR made LF, invalid UTF-8 replaced with U+FFFD.
 */
static char *
mail_text_clean(struct mail_ctx *c, const char *s, size_t n, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf *b = buf_new(n);
	size_t i = 0, k, run;
	int bad = 0;

	while (i < n) {
		/* copy plain ASCII runs at once */
		for (run = i; run < n && p[run] < 0x80 && p[run] != '\0' &&
		    p[run] != '\r'; run++)
			;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		if (p[i] == '\0') {
			i++;
		} else if (p[i] == '\r') {
			if (i + 1 == n || p[i + 1] != '\n')
				buf_addc(b, '\n');
			i++;
		} else if ((k = utf8_seq(p + i, n - i)) > 0) {
			buf_add(b, s + i, k);
			i += k;
		} else {
			buf_adds(b, MAIL_FFFD);
			bad = 1;
			i++;
		}
	}
	if (bad)
		c->defects++;
	return buf_export(b, outlen);
}

/* mail_bytes_text - bytes in charset cs as clean UTF-8 text */
static char *
mail_bytes_text(struct mail_ctx *c, const char *s, size_t n, const char *cs,
    size_t *outlen)
{
	enum mail_cs kind = mail_charset_kind(cs);
	struct buf *u;
	iconv_t cd;
	char *text;

	if (kind == MAIL_CS_ICONV) {
		cd = g_mime_iconv_open("UTF-8", cs);
		if (cd == (iconv_t)-1) {
			c->defects++;	/* unknown charset */
			kind = MAIL_CS_AUTO;
		} else {
			u = buf_new(n + n / 2);
			mail_iconv(c, cd, s, n, u);
			g_mime_iconv_close(cd);
			text = mail_text_clean(c, u->data, u->len, outlen);
			buf_free(u);
			return text;
		}
	}
	if (kind == MAIL_CS_AUTO)
		kind = utf8_valid(s, n) ? MAIL_CS_UTF8 : MAIL_CS_1252;
	if (kind == MAIL_CS_UTF8)
		return mail_text_clean(c, s, n, outlen);
	u = buf_new(n + n / 2);
	mail_cp1252(u, s, n);
	text = mail_text_clean(c, u->data, u->len, outlen);
	buf_free(u);
	return text;
}

/* mail_html_charset - charset=... from the start of an HTML document */
static char *
mail_html_charset(const char *s, size_t n)
{
	size_t i, j;

	if (n > 4096)
		n = 4096;
	for (i = 0; i + 8 < n; i++) {
		if (g_ascii_strncasecmp(s + i, "charset=", 8) != 0)
			continue;
		i += 8;
		while (i < n && (s[i] == '"' || s[i] == '\'' || s[i] == ' '))
			i++;
		for (j = i; j < n && j - i < 40 && (g_ascii_isalnum(s[j]) ||
		    s[j] == '-' || s[j] == '_' || s[j] == '.' || s[j] == ':');
		    j++)
			;
		return j > i ? xstrndup(s + i, j - i) : NULL;
	}
	return NULL;
}

/* mail_part_decode - a part's content without transfer encoding; its size */
static size_t
mail_part_decode(struct mail_ctx *c, GMimePart *part, struct buf *out)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *stream;
	struct mail_b64 st;
	char chunk[8192];
	ssize_t got;
	size_t n = 0;

	if (content == NULL)
		return 0;
	if (g_mime_data_wrapper_get_encoding(content) !=
	    GMIME_CONTENT_ENCODING_BASE64) {
		stream = out != NULL ? g_mime_stream_mem_new() :
		    g_mime_stream_null_new();
		if (g_mime_data_wrapper_write_to_stream(content, stream) < 0)
			c->defects++;
		if (out != NULL) {
			GByteArray *ba = g_mime_stream_mem_get_byte_array(
			    GMIME_STREAM_MEM(stream));

			buf_add(out, ba->data, ba->len);
			n = ba->len;
		} else
			n = GMIME_STREAM_NULL(stream)->written;
		g_object_unref(stream);
		return n;
	}

	/* base64 ourselves: see mail_b64() */
	stream = g_mime_data_wrapper_get_stream(content);
	if (g_mime_stream_reset(stream) < 0)
		c->defects++;
	memset(&st, 0, sizeof(st));
	while ((got = g_mime_stream_read(stream, chunk, sizeof(chunk))) > 0)
		n += mail_b64(&st, chunk, (size_t)got, out);
	return n;
}

/* mail_part_text - the decoded, UTF-8 text of a text part */
static char *
mail_part_text(struct mail_ctx *c, GMimePart *part, int html)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	struct buf *raw = buf_new(4096);
	const char *cs;
	char *sniffed = NULL, *text, *plain;
	size_t len;

	if (g_mime_object_get_header(obj, "Content-Transfer-Encoding") !=
	    NULL && g_mime_part_get_content_encoding(part) ==
	    GMIME_CONTENT_ENCODING_DEFAULT)
		c->defects++;		/* an encoding GMime does not know */
	(void)mail_part_decode(c, part, raw);
	cs = g_mime_object_get_content_type_parameter(obj, "charset");
	if (cs == NULL && html)
		cs = sniffed = mail_html_charset(raw->data, raw->len);
	text = mail_bytes_text(c, raw->data, raw->len, cs, &len);
	free(sniffed);
	buf_free(raw);
	if (!html)
		return text;
	plain = mail_html_to_text(text, len);
	free(text);
	return plain;
}

/* mail_part_size - decoded size of a leaf part in bytes */
static size_t
mail_part_size(struct mail_ctx *c, GMimeObject *obj)
{
	GMimeStream *null;
	GMimeMessage *inner;
	size_t n = 0;

	if (GMIME_IS_PART(obj))
		return mail_part_decode(c, GMIME_PART(obj), NULL);
	if (GMIME_IS_MESSAGE_PART(obj) && (inner =
	    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj))) != NULL) {
		null = g_mime_stream_null_new();
		(void)g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL,
		    null);
		n = GMIME_STREAM_NULL(null)->written;
		g_object_unref(null);
	}
	return n;
}

/* mail_attach_add - list one leaf part as an attachment */
static void
mail_attach_add(struct mail_ctx *c, struct pd_msg *m, GMimeObject *obj,
    size_t *cap)
{
	struct pd_attach *a;
	char *type;

	if (m->nattach == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		m->attach = xrealloc(m->attach, *cap * sizeof(*m->attach));
	}
	a = &m->attach[m->nattach++];
	a->name = mail_filename(c->opt, obj);
	type = g_mime_content_type_get_mime_type(
	    g_mime_object_get_content_type(obj));
	a->type = mail_lower(mail_hdr(type));
	g_free(type);
	a->size = mail_part_size(c, obj);
}

/* mail_body - choose the body text and list the attachments */
static void
mail_body(struct mail_ctx *c, GMimeMessage *msg, struct pd_msg *m)
{
	GMimeObject *top = g_mime_message_get_mime_part(msg), *obj;
	size_t i, body = SIZE_MAX, cap = 0;
	const char *pro, *name;
	int html = 0;

	if (top != NULL) {
		char *t = g_mime_content_type_get_mime_type(
		    g_mime_object_get_content_type(top));

		m->content_type = mail_lower(mail_hdr(t));
		g_free(t);
	}
	mail_walk(c, top, 0);
	for (i = 0; i < c->nleaf && body == SIZE_MAX; i++)
		if (mail_is_text(c->leaf[i], "plain"))
			body = i;
	for (i = 0; i < c->nleaf && body == SIZE_MAX; i++)
		if (mail_is_text(c->leaf[i], "html")) {
			body = i;
			html = 1;
		}
	if (body != SIZE_MAX && !html) {
		m->text = mail_part_text(c, GMIME_PART(c->leaf[body]), 0);
		/* an empty text/plain beside the real HTML: take the HTML */
		for (i = body + 1; mail_blank(m->text) && i < c->nleaf; i++)
			if (mail_is_text(c->leaf[i], "html")) {
				free(m->text);
				body = i;
				html = 1;
				break;
			}
	}
	if (body != SIZE_MAX && html) {
		m->text = mail_part_text(c, GMIME_PART(c->leaf[body]), 1);
		m->text_from_html = 1;
	}
	if (body == SIZE_MAX && c->bare != NULL &&
	    (pro = g_mime_multipart_get_prologue(c->bare)) != NULL) {
		/* a multipart whose boundary never came: its text is all here */
		m->text = mail_bytes_text(c, pro, strlen(pro), NULL, NULL);
	}

	for (i = 0; i < c->nleaf; i++) {
		obj = c->leaf[i];
		if (i == body)
			continue;
		/* the other renderings of the body are not attachments */
		if ((mail_is_text(obj, "plain") || mail_is_text(obj, "html")) &&
		    ((name = g_mime_part_get_filename(GMIME_PART(obj))) ==
		    NULL || *name == '\0'))
			continue;
		if (m->nattach == MAIL_MAX_ATTACH) {
			c->defects++;
			break;
		}
		mail_attach_add(c, m, obj, &cap);
	}
}

/* mail_blank - nothing but white space in s? */
static int
mail_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return 0;
	return 1;
}

/* mail_fill - "" for every string field still NULL */
static void
mail_fill(struct pd_msg *m)
{
	char **f[] = { &m->from_addr, &m->from_name, &m->reply_to, &m->to,
	    &m->cc, &m->subject, &m->date, &m->message_id, &m->in_reply_to,
	    &m->auto_submitted, &m->precedence, &m->list_id, &m->x_loop,
	    &m->content_type, &m->text, &m->x_autoreply, &m->x_spam_flag,
	    &m->x_spam_status, &m->x_spam_score, &m->x_customer_id,
	    &m->authentication_results };
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (*f[i] == NULL)
			*f[i] = xstrdup("");
	if (*m->content_type == '\0') {
		free(m->content_type);
		m->content_type = xstrdup("text/plain");
	}
}

/* mail_parse - parse len bytes at raw; 0 ok (always, unless out of memory) */
int
mail_parse(const char *raw, size_t len, struct pd_msg **out,
    struct pd_err *err)
{
	struct mail_ctx c;
	GMimeMessage *msg;
	GByteArray *ga;
	struct pd_msg *m;

	if (err != NULL)
		err_clear(err);
	mail_init();
	memset(&c, 0, sizeof(c));
	m = xcalloc(1, sizeof(*m));
	mail_options(&c);
	ga = mail_prepare(raw != NULL ? raw : "", raw != NULL ? len : 0,
	    &c.defects);
	if ((msg = mail_construct(ga, c.opt)) != NULL) {
		mail_headers(&c, msg, m);
		mail_body(&c, msg, m);
		g_object_unref(msg);
	} else {
		/* no header block GMime accepts: it is all body */
		c.defects++;
		m->text = mail_bytes_text(&c, (const char *)ga->data, ga->len,
		    NULL, NULL);
	}
	g_byte_array_free(ga, TRUE);
	g_mime_parser_options_free(c.opt);
	free(c.leaf);
	mail_fill(m);
	m->defects = c.defects;
	*out = m;
	return 0;
}

/* mail_msg_free - release a parsed message; accepts NULL, returns NULL */
struct pd_msg *
mail_msg_free(struct pd_msg *m)
{
	size_t i;

	if (m == NULL)
		return NULL;
	free(m->from_addr);
	free(m->from_name);
	free(m->reply_to);
	free(m->to);
	free(m->cc);
	free(m->subject);
	free(m->date);
	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->auto_submitted);
	free(m->precedence);
	free(m->list_id);
	free(m->x_loop);
	for (size_t k = 0; m->headers != NULL && k < m->nheaders; k++) {
		free(m->headers[k].name);
		free(m->headers[k].value);
	}
	free(m->headers);
	free(m->x_autoreply);
	free(m->x_spam_flag);
	free(m->x_spam_status);
	free(m->x_spam_score);
	free(m->x_customer_id);
	free(m->authentication_results);
	free(m->content_type);
	free(m->text);
	for (i = 0; i < m->nattach; i++) {
		free(m->attach[i].name);
		free(m->attach[i].type);
	}
	free(m->attach);
	free(m);
	return NULL;
}

/* mail_addr_normalize - lower-cased addr-spec of "Name <a@B>" or "a@B" */
char *
mail_addr_normalize(const char *s)
{
	const char *lt, *gt;
	char *span, *clean, *w, *r;
	int depth = 0;

	if (s == NULL)
		return xstrdup("");
	if ((lt = strrchr(s, '<')) != NULL) {
		gt = strchr(lt + 1, '>');
		span = gt != NULL ? xstrndup(lt + 1, (size_t)(gt - lt - 1)) :
		    xstrdup(lt + 1);
	} else {
		/* a bare address: drop "(comments)" */
		span = xstrdup(s);
		for (r = w = span; *r != '\0'; r++) {
			if (*r == '(')
				depth++;
			else if (*r == ')' && depth > 0)
				depth--;
			else if (depth == 0)
				*w++ = *r;
		}
		*w = '\0';
	}
	clean = mail_lower(mail_hdr(span));
	free(span);
	return clean;
}

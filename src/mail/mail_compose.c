/*
 * mail_compose.c - outgoing mail (GMime 3): one text/plain UTF-8 message
 *
 * Exports mail_compose(); the contract is in mail_compose.h. Every string
 * from the caller may hold what a customer typed, so nothing reaches GMime
 * unchecked:
 *
 *   compose_line   header text: valid UTF-8 (U+FFFD for bad bytes), C0,
 *                  DEL, C1, U+2028 and U+2029 made spaces, trimmed
 *   compose_addr   addresses: a bare addr-spec or PD_EDATA (never
 *                  repaired: a wrong recipient is worse than none)
 *   compose_msgid  Message-IDs: printable ASCII without <>, blanks or
 *                  specials GMime's parser would read as structure
 *   compose_body   the text: valid UTF-8, CRLF and CR made LF, and a
 *                  final LF
 *
 * The message is a GMimeMessage with pretty headers (GMime's standard
 * order), the addresses as InternetAddressMailbox objects with charset
 * utf-8, and a GMimeTextPart whose content is the UTF-8 bytes as given.
 * g_mime_text_part_set_text() is not used: it relabels Latin-1-only text
 * as iso-8859-1 and picks 8bit without looking at line lengths. Instead
 * the transfer encoding is g_mime_part_get_best_content_encoding() under
 * GMIME_ENCODING_CONSTRAINT_7BIT: 7bit for short ASCII lines,
 * quoted-printable for some 8-bit text or a line over 998 octets (or a
 * "From " line), base64 for mostly 8-bit text.
 *
 * References keep the first entry and the last MAIL_MAX_REFS - 1 (a long
 * thread must not grow the header without bound); In-Reply-To is added
 * at the end when it is not among them.
 *
 * Last, compose_verify() reads the result back as a mail reader would:
 * every line at most 998 octets, the header block 7-bit printable and
 * made only of the fields we set. A failure there is PD_EBUG: it would be
 * our bug or GMime's, and such a message must not leave.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "util/utf8.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "mail_compose.h"

#define MAIL_MAX_LINE	998		/* octets, RFC 5322 section 2.1.1 */
#define MAIL_MAX_ADDR	254		/* octets in an addr-spec */
#define MAIL_MAX_MSGID	250		/* octets in a Message-ID */
#define MAIL_MAX_REFS	20		/* entries kept in References */
#define MAIL_FFFD	"\xef\xbf\xbd"	/* U+FFFD REPLACEMENT CHARACTER */
#define MAIL_SPECIALS	"<>()[],;:\"\\"	/* never in an address we send */
#define MAIL_ID_BAD	"<>()[],;:\"\\"	/* never in a msg-id we write */

static char *compose_line(const char *);
static char *compose_body(const char *, size_t *);
static int compose_addr_ok(const char *);
static int compose_msgid_ok(const char *, int);
static int compose_mailbox(GMimeMessage *, GMimeAddressType, const char *,
		    const char *, const char *, struct pd_err *);
static int compose_cc(GMimeMessage *, const char *, struct pd_err *);
static void compose_header(GMimeObject *, const char *, const char *);
static void compose_refs(GMimeObject *, const struct mail_out *);
static GMimeObject *compose_part(const char *);
static int compose_verify(const char *, size_t, struct pd_err *);
static char *compose_show(const char *);

/*
 * compose_line - s made safe for one header line (caller frees)
 *
 * NULL gives "". Runs of blanks are kept; only the ends are trimmed.
 */
static char *
compose_line(const char *s)
{
	const unsigned char *p, *end;
	struct buf *b;
	size_t k, skip;

	if (s == NULL)
		return xstrdup("");
	p = (const unsigned char *)s;
	end = p + strlen(s);
	b = buf_new(end - p);
	while (p < end) {
		if ((k = utf8_seq(p, end - p)) == 0) {
			buf_adds(b, MAIL_FFFD);
			p++;
		} else if (*p < 0x20 || *p == 0x7f ||
		    (k == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||
		    (k == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9))) {
			buf_addc(b, ' ');
			p += k;
		} else {
			buf_add(b, p, k);
			p += k;
		}
	}
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	for (skip = 0; b->data[skip] == ' '; skip++)
		;
	memmove(b->data, b->data + skip, b->len - skip + 1);
	b->len -= skip;
	return buf_export(b, NULL);
}

/* compose_body - the text as valid UTF-8 with LF line ends (caller frees) */
static char *
compose_body(const char *s, size_t *lenp)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	struct buf *b = buf_new(end - p + 1);
	size_t k;

	while (p < end) {
		if ((k = utf8_seq(p, end - p)) == 0) {
			buf_adds(b, MAIL_FFFD);
			p++;
		} else if (*p == '\r') {
			if (p + 1 == end || p[1] != '\n')
				buf_addc(b, '\n');
			p++;
		} else {
			buf_add(b, p, k);
			p += k;
		}
	}
	if (b->len > 0 && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
	return buf_export(b, lenp);
}

/*
 * compose_addr_ok - 1 when a is an addr-spec we are willing to send to
 *
 * The local part is ASCII (anything else needs SMTPUTF8); a UTF-8 domain
 * is fine, GMime writes it as IDNA (xn--).
 */
static int
compose_addr_ok(const char *a)
{
	const unsigned char *p = (const unsigned char *)a;
	const char *at = strchr(a, '@');
	size_t n = strlen(a), k;

	if (n == 0 || n > MAIL_MAX_ADDR || at == NULL || at == a ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	while (*p != '\0') {
		if (*p <= ' ' || *p == 0x7f ||
		    strchr(MAIL_SPECIALS, *p) != NULL)
			return 0;
		if (*p >= 0x80 && (const char *)p < at)
			return 0;	/* would need SMTPUTF8 */
		if ((k = utf8_seq(p, strlen((const char *)p))) == 0)
			return 0;
		if (k == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			return 0;	/* C1 control */
		p += k;
	}
	return 1;
}

/* compose_msgid_ok - 1 when id can be written as <id> (need_at: has "@") */
static int
compose_msgid_ok(const char *id, int need_at)
{
	const unsigned char *p;

	if (id == NULL || *id == '\0' || strlen(id) > MAIL_MAX_MSGID)
		return 0;
	if (need_at && strchr(id, '@') == NULL)
		return 0;
	for (p = (const unsigned char *)id; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr(MAIL_ID_BAD, *p) != NULL)
			return 0;
	return 1;
}

/* compose_show - a printable copy of s for an error text (caller frees) */
static char *
compose_show(const char *s)
{
	char *c = compose_line(s);
	size_t n = strlen(c);

	if (n > 80) {
		/* cut on a character boundary */
		for (n = 80; n > 0 && ((unsigned char)c[n] & 0xc0) == 0x80; n--)
			;
		c[n] = '\0';
	}
	return c;
}

/*
 * compose_mailbox - add one mailbox (addr must be an addr-spec)
 *
 * what names the field in the error text ("From address").
 */
static int
compose_mailbox(GMimeMessage *msg, GMimeAddressType type, const char *what,
    const char *name, const char *addr, struct pd_err *err)
{
	InternetAddressList *list;
	InternetAddress *ia;
	char *n, *shown;

	if (!compose_addr_ok(addr)) {
		shown = compose_show(addr);
		err_set(err, PD_EDATA, "%s \"%s\" is not a plain mail address",
		    what, shown);
		free(shown);
		return -1;
	}
	n = compose_line(name);
	ia = internet_address_mailbox_new(*n != '\0' ? n : NULL, addr);
	internet_address_set_charset(ia, "utf-8");
	list = g_mime_message_get_addresses(msg, type);	/* (transfer none) */
	internet_address_list_add(list, ia);
	g_object_unref(ia);
	free(n);
	return 0;
}

/* compose_cc - add each mailbox of the address list cc */
static int
compose_cc(GMimeMessage *msg, const char *cc, struct pd_err *err)
{
	InternetAddressList *list;
	InternetAddress *ia;
	const unsigned char *p;
	char *shown;
	int i, n, rc = 0;

	for (p = (const unsigned char *)cc; *p != '\0'; p++)
		if (*p < ' ' || *p == 0x7f)
			break;
	list = *p == '\0' ? internet_address_list_parse(NULL, cc) : NULL;
	n = list != NULL ? internet_address_list_length(list) : 0;
	for (i = 0; i < n && rc == 0; i++) {
		ia = internet_address_list_get_address(list, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			break;
		rc = compose_mailbox(msg, GMIME_ADDRESS_TYPE_CC, "Cc address",
		    internet_address_get_name(ia),
		    internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia)), err);
	}
	if (list != NULL)
		g_object_unref(list);
	if (rc == 0 && (n == 0 || i < n)) {
		shown = compose_show(cc);
		rc = err_set(err, PD_EDATA, "Cc \"%s\" is not a list of mail "
		    "addresses", shown);
		free(shown);
	}
	return rc;
}

/* compose_header - set a text header from a caller's value, unless empty */
static void
compose_header(GMimeObject *obj, const char *name, const char *value)
{
	char *v = compose_line(value);

	if (*v != '\0')
		g_mime_object_set_header(obj, name, v, "utf-8");
	free(v);
}

/* compose_refs - In-Reply-To and References from the valid entries */
static void
compose_refs(GMimeObject *obj, const struct mail_out *m)
{
	const char *irt = m->in_reply_to;
	const char **keep;
	struct buf *b;
	size_t i, n = 0, first;

	if (!compose_msgid_ok(irt, 0))
		irt = NULL;
	keep = xcalloc(m->nreferences + 1, sizeof(*keep));
	for (i = 0; i < m->nreferences; i++)
		if (compose_msgid_ok(m->references[i], 0))
			keep[n++] = m->references[i];
	for (i = 0; irt != NULL && i < n && strcmp(keep[i], irt) != 0; i++)
		;
	if (irt != NULL && i == n)
		keep[n++] = irt;
	b = buf_new(256);
	if (irt != NULL) {
		buf_printf(b, "<%s>", irt);
		g_mime_object_set_header(obj, "In-Reply-To", b->data, NULL);
	}
	if (n > 0) {
		buf_reset(b);
		/* the thread's root, then the most recent ones */
		first = n > MAIL_MAX_REFS ? n - (MAIL_MAX_REFS - 1) : 1;
		buf_printf(b, "<%s>", keep[0]);
		for (i = first; i < n; i++)
			buf_printf(b, " <%s>", keep[i]);
		g_mime_object_set_header(obj, "References", b->data, NULL);
	}
	buf_free(b);
	free(keep);
}

/* compose_part - the text/plain part for body (a new reference) */
static GMimeObject *
compose_part(const char *body)
{
	GMimeContentEncoding enc;
	GMimeDataWrapper *content;
	GMimeTextPart *part;
	GMimeStream *stream;
	char *text;
	size_t len;

	text = compose_body(body, &len);
	part = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_charset(part, "utf-8");
	stream = g_mime_stream_mem_new_with_buffer(text, len);	/* copies */
	free(text);
	content = g_mime_data_wrapper_new_with_stream(stream,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	g_object_unref(stream);
	g_mime_part_set_content(GMIME_PART(part), content);
	g_object_unref(content);
	enc = g_mime_part_get_best_content_encoding(GMIME_PART(part),
	    GMIME_ENCODING_CONSTRAINT_7BIT);
	if (enc == GMIME_CONTENT_ENCODING_DEFAULT)
		enc = GMIME_CONTENT_ENCODING_7BIT;
	g_mime_part_set_content_encoding(GMIME_PART(part), enc);
	return GMIME_OBJECT(part);
}

/*
 * compose_verify - check the finished message the way a reader would
 *
 * Every line at most MAIL_MAX_LINE octets; the header block only printable
 * ASCII and TAB, each field one we set (a continuation starts with a
 * blank), each of them once.
 */
static int
compose_verify(const char *msg, size_t len, struct pd_err *err)
{
	static const char *const fields[] = {
		"Date", "From", "Reply-To", "Subject", "To", "Cc",
		"Message-Id", "In-Reply-To", "References", "Auto-Submitted",
		"X-Loop", "Precedence", "MIME-Version", "Content-Type",
		"Content-Transfer-Encoding",
	};
	const size_t nfields = sizeof(fields) / sizeof(fields[0]);
	const char *p = msg, *end = msg + len, *nl, *c;
	unsigned int seen = 0;
	int in_header = 1;
	size_t i, n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if ((size_t)(nl - p) > MAIL_MAX_LINE)
			return err_set(err, PD_EBUG, "composed a line of %zu "
			    "octets", (size_t)(nl - p));
		if (!in_header)
			continue;
		if (nl == p) {
			in_header = 0;
			continue;
		}
		for (c = p; c < nl; c++)
			if ((*c < ' ' && *c != '\t') ||
			    (unsigned char)*c >= 0x7f)
				return err_set(err, PD_EBUG, "composed a "
				    "header with byte 0x%02x",
				    (unsigned int)(unsigned char)*c);
		if (*p == ' ' || *p == '\t')
			continue;
		for (i = 0; i < nfields; i++) {
			n = strlen(fields[i]);
			if ((size_t)(nl - p) > n && p[n] == ':' &&
			    strncasecmp(p, fields[i], n) == 0)
				break;
		}
		if (i == nfields || (seen & (1u << i)) != 0)
			return err_set(err, PD_EBUG, "composed an unexpected "
			    "header line \"%.40s\"", p);
		seen |= 1u << i;
	}
	if (in_header)
		return err_set(err, PD_EBUG, "composed a message without body");
	return 0;
}

/* mail_compose - build the message */
int
mail_compose(const struct mail_out *m, char **out, size_t *len,
    struct pd_err *err)
{
	GMimeMessage *msg = NULL;
	GMimeObject *obj, *part;
	GMimeStream *stream = NULL;
	GByteArray *bytes;
	GDateTime *dt;
	char *s;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (m->from_addr == NULL || m->to_addr == NULL ||
	    m->message_id == NULL || m->subject == NULL || m->body == NULL)
		return err_set(err, PD_EBUG, "mail_compose: a required field "
		    "is missing");
	if (!compose_msgid_ok(m->message_id, 1)) {
		s = compose_show(m->message_id);
		err_set(err, PD_EDATA, "Message-ID \"%s\" is not id@host in "
		    "printable ASCII", s);
		free(s);
		return -1;
	}
	msg = g_mime_message_new(TRUE);
	obj = GMIME_OBJECT(msg);
	if (compose_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, "From address",
	    m->from_name, m->from_addr, err) < 0 ||
	    compose_mailbox(msg, GMIME_ADDRESS_TYPE_TO, "To address",
	    m->to_name, m->to_addr, err) < 0)
		goto out;
	if (m->reply_to != NULL && *m->reply_to != '\0' &&
	    compose_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO,
	    "Reply-To address", NULL, m->reply_to, err) < 0)
		goto out;
	if (m->cc != NULL && *m->cc != '\0' && compose_cc(msg, m->cc, err) < 0)
		goto out;

	s = compose_line(m->subject);
	g_mime_message_set_subject(msg, s, "utf-8");
	free(s);
	dt = g_date_time_new_from_unix_local(m->date != 0 ? m->date :
	    clock_now());
	g_mime_message_set_date(msg, dt);
	g_date_time_unref(dt);
	g_mime_message_set_message_id(msg, m->message_id);
	compose_refs(obj, m);
	compose_header(obj, "Auto-Submitted", m->auto_submitted);
	compose_header(obj, "X-Loop", m->x_loop);
	compose_header(obj, "Precedence", m->precedence);

	part = compose_part(m->body);
	g_mime_message_set_mime_part(msg, part);
	g_object_unref(part);

	stream = g_mime_stream_mem_new();
	if (g_mime_object_write_to_stream(obj, NULL, stream) < 0) {
		err_set(err, PD_ETEMP, "GMime could not write the message");
		goto out;
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	if (compose_verify((const char *)bytes->data, bytes->len, err) < 0)
		goto out;
	*out = xmalloc(bytes->len + 1);
	memcpy(*out, bytes->data, bytes->len);
	(*out)[bytes->len] = '\0';
	*len = bytes->len;
	rc = 0;
out:
	if (stream != NULL)
		g_object_unref(stream);
	g_object_unref(msg);
	return rc;
}

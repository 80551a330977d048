/*
 * t_compose.c - unit tests of outgoing mail (src/mail/mail_compose.c)
 *
 * Each message is composed, checked as raw text (LF line ends, no line
 * over 998 octets, a 7-bit header block, exactly the expected header
 * fields, each once), then read back with the project's parser
 * (mail_parse) and compared field by field with what went in. Covered:
 *
 *   every field round-trips (From name and address, To, Cc, Reply-To,
 *   Subject, Date, Message-ID, In-Reply-To, References, Auto-Submitted,
 *   X-Loop, Precedence, body); UTF-8 subjects with umlauts, emoji and
 *   CJK; subjects of 500 and 2000 characters, with and without blanks;
 *   long names; names with quotes, commas and angle brackets; bodies
 *   with a 5000-octet line (ASCII and not), "From " lines, CRLF; header
 *   injection through CR, LF, NUL and other controls in every value;
 *   invalid addresses, Cc lists and Message-IDs (PD_EDATA), missing
 *   fields (PD_EBUG); invalid UTF-8 becoming U+FFFD; References
 *   trimming and the skipping of unusable ids; the date from
 *   POSTDESK_NOW.
 *
 * Output is TAP (tap.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gmime/gmime.h>

#include "util/err.h"
#include "util/xalloc.h"
#include "mail/mail_compose.h"
#include "mail/mail_parse.h"

#include "tap.h"

#define FFFD	"\xef\xbf\xbd"

/* What the raw text of a composed message looks like. */
struct raw_info {
	size_t	maxline;	/* longest line, octets */
	int	has_cr;		/* a CR anywhere */
	int	header_8bit;	/* a byte >= 0x7f or control in the header */
	int	lf_end;		/* ends with LF */
	char	names[40][40];	/* header field names, in order */
	int	nnames;
};

static const char *const refs3[] = {
	"root.1@customer.example", "pd.7.1.abcdefghijklmnop@help.example.org",
	"reply.2@customer.example",
};

/* base - a complete, plain message to vary */
static struct mail_out
base(void)
{
	struct mail_out m;

	memset(&m, 0, sizeof(m));
	m.from_name = "Example Support";
	m.from_addr = "support@help.example.org";
	m.to_name = "Jane Doe";
	m.to_addr = "jane@customer.example";
	m.reply_to = "support+7.abcdefghijklmnop@help.example.org";
	m.subject = "[#7] Printer broken";
	m.message_id = "pd.7.3.qrstuvwxyz234567@help.example.org";
	m.in_reply_to = "reply.2@customer.example";
	m.references = refs3;
	m.nreferences = 3;
	m.auto_submitted = "auto-replied";
	m.x_loop = "support@help.example.org";
	m.precedence = NULL;
	m.body = "Hello Jane,\n\nwe are on it.\n";
	m.date = 1795341600;	/* 2026-11-22T10:00:00Z */
	return m;
}

/* scan - measure the raw message */
static void
scan(const char *raw, size_t len, struct raw_info *ri)
{
	const char *p = raw, *end = raw + len, *nl, *c;
	int in_header = 1;
	size_t n;

	memset(ri, 0, sizeof(*ri));
	ri->has_cr = memchr(raw, '\r', len) != NULL;
	ri->lf_end = len > 0 && raw[len - 1] == '\n';
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if ((size_t)(nl - p) > ri->maxline)
			ri->maxline = nl - p;
		if (!in_header)
			continue;
		if (nl == p) {
			in_header = 0;
			continue;
		}
		for (c = p; c < nl; c++)
			if ((unsigned char)*c >= 0x7f ||
			    ((unsigned char)*c < ' ' && *c != '\t'))
				ri->header_8bit = 1;
		if (*p == ' ' || *p == '\t')
			continue;
		c = memchr(p, ':', nl - p);
		n = c != NULL ? (size_t)(c - p) : (size_t)(nl - p);
		if (ri->nnames < 40) {
			snprintf(ri->names[ri->nnames], sizeof(ri->names[0]),
			    "%.*s", (int)(n > 39 ? 39 : n), p);
			ri->nnames++;
		}
	}
}

/* count - how many header fields are called name */
static int
count(const struct raw_info *ri, const char *name)
{
	int i, n = 0;

	for (i = 0; i < ri->nnames; i++)
		if (strcasecmp(ri->names[i], name) == 0)
			n++;
	return n;
}

/* names_are - 1 when the header fields are exactly want (in any order) */
static int
names_are(const struct raw_info *ri, const char *const *want)
{
	int i, n = 0;

	for (i = 0; want[i] != NULL; i++, n++)
		if (count(ri, want[i]) != 1)
			return 0;
	return n == ri->nnames;
}

/* header_value - the unfolded raw value of a header field (caller frees) */
static char *
header_value(const char *raw, const char *name)
{
	const char *p = raw, *nl;
	size_t n = strlen(name);
	char *v = NULL, *tmp;

	for (; *p != '\0' && *p != '\n'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (v != NULL && (*p == ' ' || *p == '\t')) {
			tmp = xasprintf("%s%.*s", v, (int)(nl - p), p);
			free(v);
			v = tmp;
			continue;
		}
		if (v != NULL)
			break;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			v = xstrndup(p + n + 1, nl - p - n - 1);
	}
	return v;
}

/*
 * roundtrip - compose m, check the raw text, parse it back
 *
 * Returns the parsed message (NULL when composing failed); *rawp gets
 * the raw text when wanted.
 */
static struct pd_msg *
roundtrip(const struct mail_out *m, const char *label, char **rawp)
{
	struct pd_err err;
	struct raw_info ri;
	struct pd_msg *msg = NULL;
	char *raw = NULL;
	size_t len = 0;

	err_clear(&err);
	if (mail_compose(m, &raw, &len, &err) < 0) {
		OK(0, "%s: composes (%s)", label, err.text);
		return NULL;
	}
	scan(raw, len, &ri);
	OK(ri.maxline <= 998 && !ri.has_cr && ri.lf_end && !ri.header_8bit &&
	    strlen(raw) == len, "%s: raw text: LF ends, longest line %zu, "
	    "7-bit header", label, ri.maxline);
	OK(count(&ri, "From") == 1 && count(&ri, "To") == 1 &&
	    count(&ri, "Subject") == 1 && count(&ri, "Date") == 1 &&
	    count(&ri, "Message-ID") == 1 && count(&ri, "MIME-Version") == 1 &&
	    count(&ri, "Bcc") == 0, "%s: one From, To, Subject, Date, "
	    "Message-ID, MIME-Version; no Bcc", label);
	err_clear(&err);
	if (mail_parse(raw, len, &msg, &err) < 0 || msg == NULL) {
		OK(0, "%s: parses (%s)", label, err.text);
		free(raw);
		return NULL;
	}
	IS_INT(msg->defects, 0, "%s: the parser finds no defect", label);
	if (rawp != NULL)
		*rawp = raw;
	else
		free(raw);
	return msg;
}

/* test_fields - every field round-trips */
static void
test_fields(void)
{
	static const char *const want_names[] = {
		"Date", "From", "Reply-To", "Subject", "To", "Message-Id",
		"In-Reply-To", "References", "Auto-Submitted", "X-Loop",
		"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
		NULL
	};
	struct mail_out m = base();
	struct raw_info ri;
	struct pd_msg *msg;
	char *raw = NULL, *v;
	size_t i;

	msg = roundtrip(&m, "plain", &raw);
	if (msg == NULL)
		return;
	scan(raw, strlen(raw), &ri);
	OK(names_are(&ri, want_names), "plain: exactly the expected fields");
	IS_STR(msg->from_addr, m.from_addr, "From address");
	IS_STR(msg->from_name, m.from_name, "From name");
	IS_STR(msg->reply_to, m.reply_to, "Reply-To");
	IS_STR(msg->to, "Jane Doe <jane@customer.example>", "To");
	IS_STR(msg->subject, m.subject, "Subject");
	IS_INT(msg->date_t, m.date, "Date");
	IS_STR(msg->message_id, m.message_id, "Message-ID");
	IS_STR(msg->in_reply_to, m.in_reply_to, "In-Reply-To");
	IS_INT(msg->nreferences, 3, "References: three");
	for (i = 0; i < 3 && i < msg->nreferences; i++)
		IS_STR(msg->references[i], refs3[i], "References[%zu]", i);
	IS_STR(msg->auto_submitted, "auto-replied", "Auto-Submitted");
	IS_STR(msg->x_loop, m.x_loop, "X-Loop");
	IS_STR(msg->precedence, "", "no Precedence unless asked");
	IS_STR(msg->text, m.body, "body");
	v = header_value(raw, "Content-Type");
	IS_STR(v, " text/plain; charset=utf-8", "Content-Type");
	free(v);
	v = header_value(raw, "Content-Transfer-Encoding");
	IS_STR(v, " 7bit", "ASCII body: 7bit");
	free(v);
	v = header_value(raw, "MIME-Version");
	IS_STR(v, " 1.0", "MIME-Version");
	free(v);
	v = header_value(raw, "References");
	OK(v != NULL && strstr(v, "<root.1@customer.example>") != NULL,
	    "References written with <>");
	free(v);
	free(raw);
	mail_msg_free(msg);

	/* optional fields absent; Precedence and Cc present */
	m.reply_to = NULL;
	m.in_reply_to = "";
	m.references = NULL;
	m.nreferences = 0;
	m.auto_submitted = NULL;
	m.x_loop = "";
	m.to_name = NULL;
	m.from_name = "";
	m.precedence = "bulk";
	m.auto_submitted = "auto-generated";
	m.cc = "boss@help.example.org, \"Smith, Ann\" <ann@help.example.org>";
	msg = roundtrip(&m, "optional", &raw);
	if (msg == NULL)
		return;
	scan(raw, strlen(raw), &ri);
	OK(count(&ri, "Reply-To") == 0 && count(&ri, "In-Reply-To") == 0 &&
	    count(&ri, "References") == 0 && count(&ri, "X-Loop") == 0 &&
	    count(&ri, "Precedence") == 1 && count(&ri, "Cc") == 1,
	    "optional: absent fields are not written");
	IS_STR(msg->precedence, "bulk", "Precedence");
	IS_STR(msg->auto_submitted, "auto-generated", "Auto-Submitted");
	IS_STR(msg->from_name, "", "no From name");
	IS_STR(msg->to, "jane@customer.example", "To without a name");
	IS_STR(msg->cc, "boss@help.example.org, \"Smith, Ann\" "
	    "<ann@help.example.org>", "Cc list");
	free(raw);
	mail_msg_free(msg);
}

/* test_subjects - UTF-8 and long subjects */
static void
test_subjects(void)
{
	static const struct {
		const char *label;
		const char *subject;
	} cases[] = {
		{ "umlauts", "Ärger mit der Drucker-Übergröße" },
		{ "emoji", "😀 Danke! 👍🏽 Grüße" },
		{ "CJK", "プリンターが壊れました 打印机坏了" },
		{ "leading specials", "\"quoted\" (comment) <angle> ; : ," },
		{ "empty", "" },
	};
	struct mail_out m = base();
	struct pd_msg *msg;
	char *raw, *s, *v, label[80];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.subject = cases[i].subject;
		snprintf(label, sizeof(label), "subject %s", cases[i].label);
		if ((msg = roundtrip(&m, label, NULL)) == NULL)
			continue;
		IS_STR(msg->subject, cases[i].subject, "%s round-trips", label);
		mail_msg_free(msg);
	}

	/* 500 characters with blanks and umlauts: folded */
	s = xmalloc(2001);
	for (n = 0; n < 500; n += 10)
		memcpy(s + n, n % 20 ? "Grüße ab " : "Hello all ", 10);
	s[500] = '\0';
	s[499] = 'x';
	m.subject = s;
	if ((msg = roundtrip(&m, "500-character subject", &raw)) != NULL) {
		IS_STR(msg->subject, s, "500-character subject round-trips");
		v = header_value(raw, "Subject");
		OK(strstr(raw, "\nSubject: ") != NULL && v != NULL &&
		    strlen(v) > 500, "500-character subject is folded and "
		    "encoded");
		free(v);
		free(raw);
		mail_msg_free(msg);
	}
	/* one 2000-character word, ASCII, and one of 700 umlauts */
	memset(s, 'y', 2000);
	s[2000] = '\0';
	if ((msg = roundtrip(&m, "2000-character word", NULL)) != NULL) {
		IS_STR(msg->subject, s, "2000-character word round-trips");
		mail_msg_free(msg);
	}
	for (n = 0; n < 700; n++)
		memcpy(s + 2 * n, "\xc3\xbc", 2);
	s[1400] = '\0';
	if ((msg = roundtrip(&m, "700 umlauts", NULL)) != NULL) {
		IS_STR(msg->subject, s, "700 umlauts in one word round-trip");
		mail_msg_free(msg);
	}
	free(s);
}

/* test_names - display names with specials, long names */
static void
test_names(void)
{
	static const char *const names[] = {
		"Jörg \"JJ\" Müller, Dr.",
		"Smith, John \"Johnny\"",
		"O'Brien (Sales) <sales@evil.example>",
		"back\\slash; semi: colon @ at",
		"Ünïcödé 日本 😀",
	};
	struct mail_out m = base();
	InternetAddressList *list;
	InternetAddress *ia;
	struct pd_msg *msg;
	char label[80], *longname;
	const char *got;
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		m.from_name = names[i];
		m.to_name = names[i];
		snprintf(label, sizeof(label), "name %zu", i + 1);
		if ((msg = roundtrip(&m, label, NULL)) == NULL)
			continue;
		IS_STR(msg->from_name, names[i], "%s: From name round-trips",
		    label);
		IS_STR(msg->from_addr, m.from_addr, "%s: From address kept",
		    label);
		/* To is given as text: read it as an address list */
		list = internet_address_list_parse(NULL, msg->to);
		ia = list != NULL && internet_address_list_length(list) == 1 ?
		    internet_address_list_get_address(list, 0) : NULL;
		got = ia != NULL ? internet_address_get_name(ia) : NULL;
		IS_STR(got, names[i], "%s: To name round-trips", label);
		OK(ia != NULL && INTERNET_ADDRESS_IS_MAILBOX(ia) &&
		    strcmp(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia)), m.to_addr) == 0,
		    "%s: one To address, the right one", label);
		if (list != NULL)
			g_object_unref(list);
		mail_msg_free(msg);
	}
	/* 300 characters of name */
	longname = xmalloc(601);
	for (n = 0; n < 300; n++)
		memcpy(longname + 2 * n, n % 7 == 6 ? " a" : "\xc3\xa9", 2);
	longname[600] = '\0';
	m.from_name = longname;
	if ((msg = roundtrip(&m, "long name", NULL)) != NULL) {
		IS_STR(msg->from_name, longname, "long name round-trips");
		mail_msg_free(msg);
	}
	free(longname);
}

/* test_bodies - long lines, 8-bit text, "From " lines, CRLF */
static void
test_bodies(void)
{
	struct mail_out m = base();
	struct pd_msg *msg;
	char *body, *want, *raw, *v;
	size_t i;

	body = xmalloc(20000);
	/* a 5000-character ASCII line between short ones */
	strcpy(body, "first\n");
	for (i = 0; i < 5000; i++)
		body[6 + i] = "abcdefghij klmnop"[i % 17];
	strcpy(body + 5006, "\nlast\n");
	m.body = body;
	if ((msg = roundtrip(&m, "5000-character line", &raw)) != NULL) {
		IS_STR(msg->text, body, "5000-character line round-trips");
		v = header_value(raw, "Content-Transfer-Encoding");
		IS_STR(v, " quoted-printable", "long ASCII line: "
		    "quoted-printable");
		free(v);
		free(raw);
		mail_msg_free(msg);
	}
	/* the same with 8-bit text: one 5000-octet line of ü */
	for (i = 0; i < 2500; i++)
		memcpy(body + 2 * i, "\xc3\xbc", 2);
	strcpy(body + 5000, "\n");
	if ((msg = roundtrip(&m, "5000-octet UTF-8 line", &raw)) != NULL) {
		IS_STR(msg->text, body, "5000-octet UTF-8 line round-trips");
		v = header_value(raw, "Content-Transfer-Encoding");
		IS_STR(v, " base64", "mostly 8-bit: base64");
		free(v);
		free(raw);
		mail_msg_free(msg);
	}
	/* some 8-bit text: quoted-printable, charset utf-8 (not Latin-1) */
	m.body = "Grüße aus Köln, das Wetter ist heute wieder einmal sehr "
	    "schön und warm.\n";
	if ((msg = roundtrip(&m, "Latin-1-only text", &raw)) != NULL) {
		IS_STR(msg->text, m.body, "Latin-1-only text round-trips");
		v = header_value(raw, "Content-Type");
		IS_STR(v, " text/plain; charset=utf-8", "still charset=utf-8");
		free(v);
		v = header_value(raw, "Content-Transfer-Encoding");
		IS_STR(v, " quoted-printable", "little 8-bit: "
		    "quoted-printable");
		free(v);
		free(raw);
		mail_msg_free(msg);
	}
	/* a "From " line (GMime picks quoted-printable for it) */
	m.body = "From the team:\nhello\n";
	if ((msg = roundtrip(&m, "From line", &raw)) != NULL) {
		IS_STR(msg->text, m.body, "\"From \" line round-trips");
		free(raw);
		mail_msg_free(msg);
	}
	/* CRLF and CR in, LF out; a final LF added; empty body */
	m.body = "a\r\nb\rc";
	if ((msg = roundtrip(&m, "CRLF body", NULL)) != NULL) {
		IS_STR(msg->text, "a\nb\nc\n", "CRLF and CR become LF");
		mail_msg_free(msg);
	}
	m.body = "";
	if ((msg = roundtrip(&m, "empty body", NULL)) != NULL) {
		IS_STR(msg->text, "", "empty body");
		mail_msg_free(msg);
	}
	/* invalid UTF-8 in the body */
	m.body = "caf\xe9 \xff\xfe ok \xe2\x82\n";
	want = "caf" FFFD " " FFFD FFFD " ok " FFFD FFFD "\n";
	if ((msg = roundtrip(&m, "invalid UTF-8 body", NULL)) != NULL) {
		IS_STR(msg->text, want, "invalid UTF-8 in the body: U+FFFD");
		mail_msg_free(msg);
	}
	free(body);
}

/* test_injection - controls in values never add or break a header */
static void
test_injection(void)
{
	static const char *const want_names[] = {
		"Date", "From", "Reply-To", "Subject", "To", "Message-Id",
		"In-Reply-To", "References", "Auto-Submitted", "X-Loop",
		"Precedence", "MIME-Version", "Content-Type",
		"Content-Transfer-Encoding", NULL
	};
	struct mail_out m = base();
	struct raw_info ri;
	struct pd_msg *msg;
	struct pd_err err;
	char *raw;
	size_t len;

	m.from_name = "Support\r\nBcc: victim@evil.example";
	m.to_name = "Jane\nTo: second@evil.example\n";
	m.subject = "Hi\r\nBcc: victim@evil.example\r\n\r\nfake body";
	m.auto_submitted = "auto-replied\nBcc: a@evil.example";
	m.x_loop = "loop\r\n X-Injected: 1";
	m.precedence = "bulk\rBcc: b@evil.example";
	msg = roundtrip(&m, "CR/LF injection", &raw);
	if (msg == NULL)
		return;
	scan(raw, strlen(raw), &ri);
	OK(names_are(&ri, want_names), "CR/LF injection: exactly the "
	    "expected header fields");
	OK(strstr(raw, "\nBcc:") == NULL && strstr(raw, "\nX-Injected") ==
	    NULL, "CR/LF injection: no Bcc or X-Injected line");
	IS_STR(msg->from_name, "Support  Bcc: victim@evil.example",
	    "From name: controls became spaces");
	IS_STR(msg->subject, "Hi  Bcc: victim@evil.example    fake body",
	    "Subject: one line");
	IS_STR(msg->auto_submitted, "auto-replied Bcc: a@evil.example",
	    "Auto-Submitted: one line");
	IS_STR(msg->x_loop, "loop   X-Injected: 1", "X-Loop: one line");
	IS_STR(msg->text, m.body, "body untouched");
	free(raw);
	mail_msg_free(msg);

	/* NUL ends a C string: nothing after it is seen */
	m = base();
	m.from_name = "Evil\0\r\nBcc: victim@evil.example";
	m.subject = "Sub\0ject\nBcc: x@evil.example";
	msg = roundtrip(&m, "NUL injection", &raw);
	if (msg != NULL) {
		scan(raw, strlen(raw), &ri);
		IS_STR(msg->from_name, "Evil", "NUL: name cut there");
		IS_STR(msg->subject, "Sub", "NUL: subject cut there");
		OK(count(&ri, "Bcc") == 0, "NUL: no Bcc");
		free(raw);
		mail_msg_free(msg);
	}
	/* other controls, C1 and line separators */
	m = base();
	m.subject = "a\tb\x01" "c\x1b" "d\x7f" "e\xc2\x85" "f\xe2\x80\xa8" "g";
	if ((msg = roundtrip(&m, "other controls", NULL)) != NULL) {
		IS_STR(msg->subject, "a b c d e f g", "controls, NEL, U+2028 "
		    "become spaces");
		mail_msg_free(msg);
	}
	/* addresses and ids with CR/LF are refused, not repaired */
	m = base();
	m.reply_to = "support@help.example.org\r\nBcc: victim@evil.example";
	err_clear(&err);
	OK(mail_compose(&m, &raw, &len, &err) == -1 && err.class == PD_EDATA &&
	    raw == NULL, "Reply-To with CRLF: PD_EDATA (%s)", err.text);
	OK(strpbrk(err.text, "\r\n") == NULL, "error text is one line");
	m = base();
	m.message_id = "x@y>\r\nBcc: victim@evil.example";
	err_clear(&err);
	OK(mail_compose(&m, &raw, &len, &err) == -1 && err.class == PD_EDATA,
	    "Message-ID with CRLF: PD_EDATA");
	m = base();
	m.cc = "a@b.example\r\nBcc: victim@evil.example";
	err_clear(&err);
	OK(mail_compose(&m, &raw, &len, &err) == -1 && err.class == PD_EDATA,
	    "Cc with CRLF: PD_EDATA");
	/* foreign ids with controls are left out, not written */
	m = base();
	m.in_reply_to = "x@y>\nBcc: victim@evil.example";
	m.nreferences = 0;
	if ((msg = roundtrip(&m, "bad In-Reply-To", &raw)) != NULL) {
		scan(raw, strlen(raw), &ri);
		OK(count(&ri, "In-Reply-To") == 0 && count(&ri, "Bcc") == 0 &&
		    count(&ri, "References") == 0, "bad In-Reply-To left out");
		free(raw);
		mail_msg_free(msg);
	}
}

/* test_addresses - what is refused, what is accepted */
static void
test_addresses(void)
{
	static const char *const bad[] = {
		"", "plain", "@example.org", "jane@", "ja ne@example.org",
		"<jane@example.org>", "jane@example.org,bob@example.org",
		"a@b@example.org", "jane@example.org\n", "\tjane@example.org",
		"jörg@example.de", "ja\"ne@example.org", "jane@example.org;",
		"Jane <jane@example.org>", "jane@exa mple.org",
		"jane\x7f@example.org", "jane@\xc3" "example.org",
		"jane(comment)@example.org",
	};
	static const char *const badcc[] = {
		"not an address", "a@b.example, garbage",
		"team: a@b.example, c@d.example;", ",,,", "a@b.example,\n",
	};
	static const struct {
		const char *in;
		const char *want;	/* as parsed back */
	} good[] = {
		{ "jane.doe+tag@sub.example.co.uk",
		    "jane.doe+tag@sub.example.co.uk" },
		{ "Jane@Example.ORG", "jane@example.org" },
		{ "a@müller.example", "a@müller.example" },
		{ "o'brien@example.ie", "o'brien@example.ie" },
	};
	struct mail_out m = base();
	struct pd_err err;
	struct pd_msg *msg;
	char *raw, *longaddr;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = base();
		m.to_addr = bad[i];
		err_clear(&err);
		raw = NULL;
		OK(mail_compose(&m, &raw, &len, &err) == -1 &&
		    err.class == PD_EDATA && raw == NULL &&
		    strstr(err.text, "To address") != NULL,
		    "bad To address %zu: PD_EDATA (%s)", i + 1, err.text);
		m = base();
		m.from_addr = bad[i];
		err_clear(&err);
		OK(mail_compose(&m, &raw, &len, &err) == -1 &&
		    err.class == PD_EDATA, "bad From address %zu", i + 1);
		m = base();
		m.reply_to = bad[i];
		err_clear(&err);
		/* "" means no Reply-To */
		OK((mail_compose(&m, &raw, &len, &err) == -1 &&
		    err.class == PD_EDATA) == (*bad[i] != '\0'),
		    "bad Reply-To %zu", i + 1);
		if (raw != NULL)
			free(raw);
	}
	for (i = 0; i < sizeof(badcc) / sizeof(badcc[0]); i++) {
		m = base();
		m.cc = badcc[i];
		err_clear(&err);
		raw = NULL;
		OK(mail_compose(&m, &raw, &len, &err) == -1 &&
		    err.class == PD_EDATA && raw == NULL,
		    "bad Cc %zu: PD_EDATA (%s)", i + 1, err.text);
	}
	longaddr = xmalloc(300);
	memset(longaddr, 'a', 299);
	longaddr[299] = '\0';
	longaddr[100] = '@';
	m = base();
	m.to_addr = longaddr;
	err_clear(&err);
	OK(mail_compose(&m, &raw, &len, &err) == -1 && err.class == PD_EDATA,
	    "299-octet address: PD_EDATA");
	free(longaddr);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		m = base();
		m.from_addr = good[i].in;
		m.reply_to = good[i].in;
		if ((msg = roundtrip(&m, good[i].in, &raw)) == NULL)
			continue;
		IS_STR(msg->from_addr, good[i].want, "good address %s: From",
		    good[i].in);
		if (strstr(good[i].in, "ü") != NULL)
			OK(strstr(raw, "<a@xn--mller-kva.example>") != NULL,
			    "UTF-8 domain written as IDNA");
		free(raw);
		IS_STR(msg->reply_to, good[i].want, "good address %s: "
		    "Reply-To", good[i].in);
		mail_msg_free(msg);
	}
}

/* test_errors - missing fields, bad Message-IDs */
static void
test_errors(void)
{
	static const char *const badids[] = {
		"", "no-at-sign", "two words@example.org", "<a@example.org>",
		"a@example.org>", "caf\xc3\xa9@example.org", "a(b)@example.org",
	};
	struct mail_out m;
	struct pd_err err;
	char *raw;
	size_t i, len;

	for (i = 0; i < 5; i++) {
		m = base();
		if (i == 0)
			m.from_addr = NULL;
		else if (i == 1)
			m.to_addr = NULL;
		else if (i == 2)
			m.message_id = NULL;
		else if (i == 3)
			m.subject = NULL;
		else
			m.body = NULL;
		err_clear(&err);
		OK(mail_compose(&m, &raw, &len, &err) == -1 &&
		    err.class == PD_EBUG, "missing required field %zu: PD_EBUG",
		    i + 1);
	}
	for (i = 0; i < sizeof(badids) / sizeof(badids[0]); i++) {
		m = base();
		m.message_id = badids[i];
		err_clear(&err);
		OK(mail_compose(&m, &raw, &len, &err) == -1 &&
		    err.class == PD_EDATA, "bad Message-ID %zu: PD_EDATA (%s)",
		    i + 1, err.text);
	}
}

/* test_utf8 - invalid bytes in header values become U+FFFD */
static void
test_utf8(void)
{
	struct mail_out m = base();
	struct pd_msg *msg;

	m.subject = "Gr\xfc\xdf" "e caf\xc3\xa9 \xe2\x82 end \xf0\x9f\x98";
	m.from_name = "J\xf6rg M\xc3\xbcller";
	m.x_loop = "x\xff" "y";
	if ((msg = roundtrip(&m, "invalid UTF-8", NULL)) == NULL)
		return;
	IS_STR(msg->subject, "Gr" FFFD FFFD "e caf\xc3\xa9 " FFFD FFFD
	    " end " FFFD FFFD FFFD, "Subject: U+FFFD, valid text kept");
	IS_STR(msg->from_name, "J" FFFD "rg M\xc3\xbcller", "name: U+FFFD");
	IS_STR(msg->x_loop, "x" FFFD "y", "X-Loop: U+FFFD");
	mail_msg_free(msg);
}

/* test_refs - References trimming, unusable ids skipped */
static void
test_refs(void)
{
	struct mail_out m = base();
	struct pd_msg *msg;
	const char *refs[33];
	char *ids[30], *raw, *v;
	size_t i, k;

	for (i = 0; i < 30; i++) {
		ids[i] = xasprintf("msg.%zu.%s@customer.example", i,
		    "abcdefghijklmnopqrstuvwxyz");
		refs[i] = ids[i];
	}
	refs[30] = "with space@x";
	refs[31] = "";
	refs[32] = "ctl\x01@x";
	m.references = refs;
	m.nreferences = 33;
	m.in_reply_to = ids[29];
	if ((msg = roundtrip(&m, "30 references", &raw)) != NULL) {
		IS_INT(msg->nreferences, 20, "References: first and last 19");
		OK(msg->nreferences > 0 &&
		    strcmp(msg->references[0], ids[0]) == 0, "root kept");
		for (i = 1, k = 11; i < msg->nreferences && k < 30; i++, k++)
			if (strcmp(msg->references[i], ids[k]) != 0)
				break;
		OK(i == 20 && k == 30, "then references 11..29 in order");
		IS_STR(msg->in_reply_to, ids[29], "In-Reply-To");
		v = header_value(raw, "References");
		OK(v != NULL && strstr(v, "with space") == NULL &&
		    strstr(v, "ctl") == NULL, "unusable ids left out");
		free(v);
		free(raw);
		mail_msg_free(msg);
	}
	/* In-Reply-To not in References: added at the end */
	m.references = refs;
	m.nreferences = 2;
	m.in_reply_to = "parent@customer.example";
	if ((msg = roundtrip(&m, "In-Reply-To added", NULL)) != NULL) {
		IS_INT(msg->nreferences, 3, "References: two plus In-Reply-To");
		if (msg->nreferences == 3)
			IS_STR(msg->references[2], "parent@customer.example",
			    "In-Reply-To last");
		mail_msg_free(msg);
	}
	for (i = 0; i < 30; i++)
		free(ids[i]);
}

/* test_date - date 0 takes clock_now(), which honours POSTDESK_NOW */
static void
test_date(void)
{
	struct mail_out m = base();
	struct pd_msg *msg;
	struct tm tm;
	time_t want;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2027 - 1900;
	tm.tm_mon = 1;
	tm.tm_mday = 3;
	tm.tm_hour = 4;
	tm.tm_min = 5;
	tm.tm_sec = 6;
	want = timegm(&tm);
	setenv("POSTDESK_NOW", "2027-02-03T04:05:06Z", 1);
	m.date = 0;
	if ((msg = roundtrip(&m, "date from the clock", NULL)) != NULL) {
		IS_INT(msg->date_t, want, "Date from POSTDESK_NOW");
		mail_msg_free(msg);
	}
	unsetenv("POSTDESK_NOW");
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	m.date = want;
	if ((msg = roundtrip(&m, "local time zone", NULL)) != NULL) {
		IS_INT(msg->date_t, want, "Date in local time, same instant");
		OK(strstr(msg->date, "+0100") != NULL, "Date \"%s\" has the "
		    "zone offset", msg->date);
		mail_msg_free(msg);
	}
	unsetenv("TZ");
	tzset();
}

int
main(void)
{
	mail_init();
	test_fields();
	test_subjects();
	test_names();
	test_bodies();
	test_injection();
	test_addresses();
	test_errors();
	test_utf8();
	test_refs();
	test_date();
	mail_shutdown();
	return tap_done();
}

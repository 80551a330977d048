/*
 * t_tpl.c - unit tests of the notification templates (src/notify/tpl.c)
 *
 * Template files are written into a mkdtemp() directory (an operator's
 * directory "op" and a shipped one "ship"), loaded and rendered. Covered:
 *
 *   both placeholder syntaxes, blanks inside them, literal "<<<", "<<" and
 *   "{{{"; CRLF files, a BOM, folded Subject, Cc and Bcc; lookup order
 *   (operator beats shipped, LANG -> primary -> en, bad LANG names);
 *   every kind of bad file with its exact "FILE:LINE: reason" (unknown
 *   placeholder, missing Subject, unknown header, invalid UTF-8, NUL,
 *   ...); missing template, unknown event, I/O errors; rendering: a
 *   missing value is PD_EBUG, a value cannot add a line to the Subject
 *   (CR, LF, NUL, TAB, C1, U+2028), invalid UTF-8 becomes U+FFFD;
 *   tpl_check() on a broken tree (each problem reported once) and on the
 *   SHIPPED templates ($top_srcdir/templates, default /work/main): no
 *   problem, and each of them renders with its marker, URL and tag.
 *
 * Output is TAP (tap.h).
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xalloc.h"
#include "notify/tpl.h"

#include "tap.h"

#define MARKER	"##- Please type your reply above this line -##"
#define URL	"https://help.example.org/t/4711/abcdefghijklmnop"

/* One bad template: what is in the file, and the error after "FILE:". */
struct bad_case {
	const char *label;
	const char *data;
	size_t	len;		/* 0: strlen(data) */
	const char *want;	/* "LINE: reason" */
};

/* Collected tpl_check() reports. */
struct reports {
	char	*text[64];
	int	n;
};

static char tmpdir[] = "/tmp/t_tpl.XXXXXX";
static char *opdir, *shipdir;

static const struct bad_case bad_cases[] = {
	{ "unknown placeholder in the body",
	    "Subject: x\n\nline 3\nline 4\nsee <<ticket_nr>> here\n", 0,
	    "5: unknown placeholder \"ticket_nr\"" },
	{ "unknown placeholder in the Subject",
	    "Cc: a@b.example\nSubject: [#{{ticket}}]\n\nbody\n", 0,
	    "2: unknown placeholder \"ticket\"" },
	{ "unknown {{ dotted.name }} from another helpdesk",
	    "Subject: x\n\nHello {{ customer.name }}\n", 0,
	    "3: unknown placeholder \"customer.name\"" },
	{ "unknown placeholder with a hyphen",
	    "Subject: x\n\n\n\n<<ticket-url>>\n", 0,
	    "5: unknown placeholder \"ticket-url\"" },
	{ "placeholder names are case-sensitive",
	    "Subject: <<Subject>>\n\nx\n", 0,
	    "1: unknown placeholder \"Subject\"" },
	{ "mismatched brackets",
	    "Subject: x\n\n<<ticket_id}}\n", 0,
	    "3: placeholder \"ticket_id\" opens with << and closes with }}" },
	{ "missing Subject",
	    "Cc: boss@example.org\n\nHello\n", 0,
	    "2: no Subject header in the header block" },
	{ "no header block at all",
	    "Hello <<customer_name>>,\n\nthanks.\n", 0,
	    "1: expected a header line (\"Subject: ...\") or the blank line "
	    "that starts the body" },
	{ "unknown header",
	    "Subject: x\nFrom: evil@example.org\n\nbody\n", 0,
	    "2: unknown header \"From\" (a template has Subject, and may "
	    "have Cc and Bcc)" },
	{ "To is not a template header",
	    "To: <<customer_email>>\nSubject: x\n\nbody\n", 0,
	    "1: unknown header \"To\"" },
	{ "second Subject",
	    "Subject: a\nsubject: b\n\nbody\n", 0,
	    "2: second Subject header (the first is at line 1)" },
	{ "empty Subject",
	    "Subject:   \n\nbody\n", 0, "1: empty Subject" },
	{ "placeholder in Cc",
	    "Subject: x\nCc: <<customer_email>>\n\nbody\n", 0,
	    "2: placeholders are not expanded in Cc: write the addresses" },
	{ "Bcc without an address",
	    "Subject: x\nBcc: nobody\n\nbody\n", 0,
	    "2: Bcc needs one or more mail addresses" },
	{ "continuation line first",
	    " Subject: x\n\nbody\n", 0,
	    "1: continuation line without a header above it" },
	{ "no blank line after the headers",
	    "Subject: x\nCc: a@b.example\n", 0,
	    "2: no blank line between the header block and the body" },
	{ "invalid UTF-8 (Latin-1 byte)",
	    "Subject: x\n\nline 3\nGr\xfc\xdf Gott\n", 0,
	    "4: invalid UTF-8 (byte 0xfc)" },
	{ "invalid UTF-8 (overlong slash)",
	    "Subject: x\n\n\xc0\xaf\n", 0, "3: invalid UTF-8 (byte 0xc0)" },
	{ "invalid UTF-8 (surrogate)",
	    "Subject: \xed\xa0\x80\n\nx\n", 0, "1: invalid UTF-8 (byte 0xed)" },
	{ "invalid UTF-8 (truncated at the end)",
	    "Subject: x\n\nend \xe2\x82", 0, "3: invalid UTF-8 (byte 0xe2)" },
	{ "NUL byte",
	    "Subject: x\n\nab\0cd\n", 19, "3: NUL byte" },
	{ "escape character",
	    "Subject: x\n\n\x1b[31mred\n", 0, "3: control character 0x1b" },
	{ "carriage return alone",
	    "Subject: x\r\n\r\nline\rmore\r\n", 0,
	    "3: carriage return not followed by a line feed" },
};

/* bail - give up on the environment */
static void
bail(const char *what, const char *p)
{
	printf("Bail out! %s %s: %s\n", what, p, strerror(errno));
	exit(99);
}

/* put - write a file under the test directory, creating its directory */
static char *
put(const char *rel, const char *data, size_t len)
{
	char *p = xasprintf("%s/%s", tmpdir, rel), *slash;
	int fd;

	for (slash = strchr(p + strlen(tmpdir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			bail("mkdir", p);
		*slash = '/';
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0)
		bail("write", p);
	return p;
}

/* puts_tpl - put() a C string, return nothing */
static void
puts_tpl(const char *rel, const char *data)
{
	free(put(rel, data, strlen(data)));
}

/* render - load event for lang and render it with vars; NULL on error */
static char *
render(const char *op, const char *ship, const char *lang, const char *event,
    const struct tpl_var *vars, size_t nvars, char **body, char **path,
    struct pd_err *err)
{
	struct tpl *t;
	char *subject = NULL;

	*body = NULL;
	if (path != NULL)
		*path = NULL;
	err_clear(err);
	if (tpl_load(op, ship, lang, event, &t, err) < 0)
		return NULL;
	if (path != NULL)
		*path = xstrdup(tpl_path(t));
	if (tpl_render(t, vars, nvars, &subject, body, err) < 0)
		subject = NULL;
	tpl_free(t);
	return subject;
}

/* test_syntax - both placeholder syntaxes, blanks, literal text */
static void
test_syntax(void)
{
	static const struct tpl_var v[] = {
		{ "ticket_id", "42" }, { "subject", "Printer broken" },
		{ "customer_name", "Jörg" }, { "ticket_url", URL },
		{ "reply_marker", MARKER },
	};
	struct pd_err err;
	char *s, *b;

	puts_tpl("ship/en/customer_new.tpl",
	    "Subject: [#<<ticket_id>>] {{ subject }}\n"
	    "\n"
	    "<<reply_marker>>\n"
	    "Hi {{customer_name}}, see << ticket_url >> or "
	    "{{\tticket_url\t}}.\n"
	    "Literal: <<<ticket_id>>> a << b c >> {{{subject}}} <<>> {{ }}\n"
	    "Edge: <<ticket_id>>> <<ticket_id>><<ticket_id>> <<ticket_id\n"
	    "<<ticket_id>>\n");
	s = render(NULL, shipdir, "en", "customer_new", v, 5, &b, NULL, &err);
	IS_STR(s, "[#42] Printer broken", "both syntaxes in the Subject");
	IS_STR(b, MARKER "\n"
	    "Hi Jörg, see " URL " or " URL ".\n"
	    "Literal: <<<ticket_id>>> a << b c >> {{{subject}}} <<>> {{ }}\n"
	    "Edge: 42> 4242 <<ticket_id\n"
	    "42\n", "body: placeholders, blanks inside, literal text");
	free(s);
	free(b);

	/* CRLF, a BOM, a folded Subject, Cc and Bcc, header name case */
	puts_tpl("ship/en/agent_new.tpl",
	    "\xef\xbb\xbfsubject: [#<<ticket_id>>]\r\n"
	    "\t{{subject}}  \r\n"
	    "CC:  boss@example.org, Team <team@example.org> \r\n"
	    "bcc: archive@example.org\r\n"
	    "\r\n"
	    "line 1\r\n"
	    "\r\n"
	    "line 3 <<ticket_id>>\r\n");
	{
		struct tpl *t = NULL;

		err_clear(&err);
		OK(tpl_load(NULL, shipdir, "en", "agent_new", &t, &err) == 0,
		    "CRLF file with BOM loads (%s)", err.text);
		if (t != NULL) {
			IS_STR(tpl_cc(t), "boss@example.org, Team "
			    "<team@example.org>", "Cc returned, trimmed");
			IS_STR(tpl_bcc(t), "archive@example.org",
			    "Bcc returned");
			OK(tpl_uses(t, "subject") && !tpl_uses(t, "agent_name"),
			    "tpl_uses");
			s = b = NULL;
			OK(tpl_render(t, v, 5, &s, &b, &err) == 0, "render");
			IS_STR(s, "[#42] Printer broken", "folded Subject "
			    "joined with one space");
			IS_STR(b, "line 1\n\nline 3 42\n", "CRLF read as LF");
			free(s);
			free(b);
			tpl_free(t);
		}
	}
	/* no Cc, no Bcc: empty strings */
	{
		struct tpl *t = NULL;

		OK(tpl_load(NULL, shipdir, "en", "customer_new", &t, &err) ==
		    0 && t != NULL && strcmp(tpl_cc(t), "") == 0 &&
		    strcmp(tpl_bcc(t), "") == 0, "absent Cc and Bcc are \"\"");
		tpl_free(t);
	}
}

/* test_lookup - operator beats shipped, language fallback */
static void
test_lookup(void)
{
	static const struct tpl_var v[] = { { "ticket_id", "7" } };
	static const struct {
		const char *label;
		const char *op;		/* NULL: no operator dir */
		const char *lang;
		const char *event;
		const char *want;	/* the Subject, names the file */
	} cases[] = {
		{ "shipped en", NULL, "en", "customer_reply", "ship en 7" },
		{ "operator en beats shipped en", "op", "en",
		    "customer_reply", "op en 7" },
		{ "operator de beats shipped de", "op", "de",
		    "customer_reply", "op de 7" },
		{ "shipped de when the operator has no de", "op", "de",
		    "customer_closed", "ship de 7" },
		{ "de falls back to shipped en", "op", "de", "agent_reply",
		    "ship en 7" },
		{ "operator en beats shipped de (operator first)", "op", "de",
		    "agent_new", "op en 7" },
		{ "de-AT: primary language de", NULL, "de-AT",
		    "customer_closed", "ship de 7" },
		{ "de_CH: primary language de", NULL, "de_CH",
		    "customer_closed", "ship de 7" },
		{ "DE upper case", NULL, "DE", "customer_closed", "ship de 7" },
		{ "pt-br exact directory", NULL, "pt-BR", "customer_closed",
		    "ship pt-br 7" },
		{ "unknown language: en", NULL, "fr", "customer_closed",
		    "ship en 7" },
		{ "empty language: en", NULL, "", "customer_closed",
		    "ship en 7" },
		{ "NULL language: en", NULL, NULL, "customer_closed",
		    "ship en 7" },
		{ "path in language: en", NULL, "../ship/de",
		    "customer_closed", "ship en 7" },
		{ "dot language: en", NULL, "..", "customer_closed",
		    "ship en 7" },
		{ "empty operator dir means none", "", "en",
		    "customer_reply", "ship en 7" },
	};
	struct pd_err err;
	char *s, *b, *op;
	size_t i;

	puts_tpl("ship/en/customer_reply.tpl", "Subject: ship en <<ticket_id>>"
	    "\n\nx\n");
	puts_tpl("ship/de/customer_reply.tpl", "Subject: ship de <<ticket_id>>"
	    "\n\nx\n");
	puts_tpl("ship/en/customer_closed.tpl", "Subject: ship en "
	    "<<ticket_id>>\n\nx\n");
	puts_tpl("ship/de/customer_closed.tpl", "Subject: ship de "
	    "<<ticket_id>>\n\nx\n");
	puts_tpl("ship/pt-br/customer_closed.tpl", "Subject: ship pt-br "
	    "<<ticket_id>>\n\nx\n");
	puts_tpl("ship/en/agent_reply.tpl", "Subject: ship en <<ticket_id>>"
	    "\n\nx\n");
	puts_tpl("ship/de/agent_new.tpl", "Subject: ship de <<ticket_id>>"
	    "\n\nx\n");
	puts_tpl("op/en/agent_new.tpl", "Subject: op en <<ticket_id>>\n\nx\n");
	puts_tpl("op/en/customer_reply.tpl", "Subject: op en <<ticket_id>>"
	    "\n\nx\n");
	puts_tpl("op/de/customer_reply.tpl", "Subject: op de <<ticket_id>>"
	    "\n\nx\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		op = cases[i].op == NULL ? NULL : *cases[i].op == '\0' ?
		    xstrdup("") : xasprintf("%s/%s", tmpdir, cases[i].op);
		s = render(op, shipdir, cases[i].lang, cases[i].event, v, 1,
		    &b, NULL, &err);
		IS_STR(s, cases[i].want, "lookup: %s%s%s", cases[i].label,
		    s == NULL ? " - " : "", s == NULL ? err.text : "");
		free(s);
		free(b);
		free(op);
	}
}

/* test_bad - every kind of bad file gives FILE:LINE: reason */
static void
test_bad(void)
{
	const struct bad_case *c;
	struct pd_err err;
	struct tpl *t;
	char *p, *want, *dir = xasprintf("%s/bad", tmpdir);
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		c = &bad_cases[i];
		p = put("bad/en/customer_new.tpl", c->data, c->len ? c->len :
		    strlen(c->data));
		err_clear(&err);
		t = NULL;
		rc = tpl_load(NULL, dir, "en", "customer_new", &t, &err);
		want = xasprintf("%s:%s", p, c->want);
		OK(rc == -1 && t == NULL && err.class == PD_ECONFIG &&
		    strncmp(err.text, want, strlen(want)) == 0,
		    "bad file: %s", c->label);
		if (strncmp(err.text, want, strlen(want)) != 0)
			printf("#   got:  %s\n#   want: %s...\n", err.text,
			    want);
		tpl_free(t);
		free(want);
		free(p);
	}
	free(dir);
}

/* test_errors - missing template, unknown event, I/O errors */
static void
test_errors(void)
{
	static const struct tpl_var v[] = { { "ticket_id", "1" } };
	struct pd_err err;
	struct tpl *t = NULL;
	char *want, *op = xasprintf("%s/op", tmpdir), *p, *s, *b;

	err_clear(&err);
	OK(tpl_load(op, shipdir, "de", "customer_new", &t, &err) == 0,
	    "customer_new loads from ship/en");
	tpl_free(t);
	t = NULL;
	/* nothing anywhere for this one */
	want = xasprintf("no template for event customer_new (language de) "
	    "in %s or %s/none", op, tmpdir);
	{
		char *none = xasprintf("%s/none", tmpdir);

		err_clear(&err);
		OK(tpl_load(op, none, "de", "customer_new", &t, &err) == -1 &&
		    t == NULL, "missing template fails");
		IS_INT(err.class, PD_ECONFIG, "missing template: PD_ECONFIG");
		IS_STR(err.text, want, "missing template: the message");
		free(want);
		err_clear(&err);
		tpl_load("", none, NULL, "agent_reply", &t, &err);
		want = xasprintf("no template for event agent_reply (language "
		    "en) in %s", none);
		IS_STR(err.text, want, "missing template, no operator dir");
		free(want);
		free(none);
	}
	err_clear(&err);
	OK(tpl_load(op, shipdir, "en", "customer_gone", &t, &err) == -1 &&
	    err.class == PD_EBUG, "unknown event is PD_EBUG (%s)", err.text);
	OK(tpl_load(op, shipdir, "en", NULL, &t, &err) == -1 &&
	    err.class == PD_EBUG, "NULL event is PD_EBUG");

	/* an I/O error other than "not there" stops the lookup */
	p = xasprintf("%s/loop/en/customer_closed.tpl", tmpdir);
	free(put("loop/en/x", "", 0));
	OK(symlink(p, p) == 0, "make a symlink loop");
	err_clear(&err);
	want = xasprintf("%s: ", p);
	{
		char *loop = xasprintf("%s/loop", tmpdir);

		OK(tpl_load(loop, shipdir, "en", "customer_closed", &t, &err) ==
		    -1 && err.class == PD_ETEMP && strncmp(err.text, want,
		    strlen(want)) == 0, "symlink loop: PD_ETEMP naming the "
		    "file, no fallback to shipped (%s)", err.text);
		free(loop);
	}
	free(want);
	free(p);
	/* a directory where the file should be */
	p = xasprintf("%s/dir/en/customer_closed.tpl", tmpdir);
	free(put("dir/en/customer_closed.tpl/x", "", 0));
	{
		char *dir = xasprintf("%s/dir", tmpdir);

		err_clear(&err);
		want = xasprintf("%s: not a regular file", p);
		OK(tpl_load(dir, shipdir, "en", "customer_closed", &t, &err) ==
		    -1 && err.class == PD_ECONFIG, "directory: PD_ECONFIG");
		IS_STR(err.text, want, "directory: the message");
		free(want);
		free(dir);
	}
	free(p);

	/* rendering: a placeholder without a value is a bug */
	puts_tpl("r/en/customer_reply.tpl", "Subject: <<ticket_id>>\n\n"
	    "<<agent_name>> wrote\n");
	p = xasprintf("%s/r", tmpdir);
	s = render(p, shipdir, "en", "customer_reply", v, 1, &b, NULL, &err);
	OK(s == NULL && b == NULL && err.class == PD_EBUG &&
	    strstr(err.text, "no value for placeholder \"agent_name\"") !=
	    NULL, "missing value: PD_EBUG naming it (%s)", err.text);
	{
		static const struct tpl_var vn[] = {
			{ "ticket_id", "1" }, { "agent_name", NULL },
		};

		s = render(p, shipdir, "en", "customer_reply", vn, 2, &b,
		    NULL, &err);
		OK(s == NULL && err.class == PD_EBUG, "NULL value counts as "
		    "missing");
	}
	{
		static const struct tpl_var vx[] = {
			{ "ticket_id", "1" }, { "unused", "x" },
			{ "agent_name", "" }, { "agent_name", "second" },
		};

		s = render(p, shipdir, "en", "customer_reply", vx, 4, &b,
		    NULL, &err);
		IS_STR(b, " wrote\n", "empty value, unknown var ignored, first "
		    "var wins");
		free(s);
		free(b);
	}
	free(p);
	free(op);
}

/* test_values - values cannot break the Subject; UTF-8 repaired */
static void
test_values(void)
{
	static const struct {
		const char *label;
		const char *subject;	/* the subject value */
		const char *want_subj;
		const char *text;	/* the message_text value */
		const char *want_body;
	} cases[] = {
		{ "CRLF Bcc injection", "Help\r\nBcc: x@evil.example",
		    "[#9] Help  Bcc: x@evil.example", "a\r\nb\rc\n",
		    "a\nb\nc\n" },
		{ "LF header injection", "x\nTo: y@evil.example\n",
		    "[#9] x To: y@evil.example", "tab\there", "tab\there" },
		{ "controls", "a\tb\x01" "c\x7f" "d\x1b",
		    "[#9] a b c d", "bell\x07!", "bell !" },
		{ "C1 NEL and U+2028/2029", "a\xc2\x85" "b\xe2\x80\xa8"
		    "c\xe2\x80\xa9" "d", "[#9] a b c d",
		    "nel\xc2\x85" "ls\xe2\x80\xa8", "nel ls\xe2\x80\xa8" },
		{ "invalid UTF-8", "Gr\xfc\xdf" "e caf\xc3\xa9",
		    "[#9] Gr\xef\xbf\xbd\xef\xbf\xbd" "e caf\xc3\xa9",
		    "\xff" "ok\xe2\x82", "\xef\xbf\xbdok\xef\xbf\xbd"
		    "\xef\xbf\xbd" },
		{ "leading and trailing blanks trimmed", "  \r\n x \t\n",
		    "[#9]      x", "\n x \n", "\n x \n" },
		{ "emoji and umlauts kept", "Grüße 😀 日本",
		    "[#9] Grüße 😀 日本",
		    "Grüße 😀", "Grüße 😀" },
	};
	struct tpl_var v[3] = {
		{ "ticket_id", "9" }, { "subject", NULL },
		{ "message_text", NULL },
	};
	struct pd_err err;
	char *p, *s, *b;
	size_t i;

	puts_tpl("v/en/agent_reply.tpl", "Subject: [#<<ticket_id>>] "
	    "<<subject>>\n\n<<message_text>>");
	p = xasprintf("%s/v", tmpdir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v[1].value = cases[i].subject;
		v[2].value = cases[i].text;
		s = render(p, shipdir, "en", "agent_reply", v, 3, &b, NULL,
		    &err);
		IS_STR(s, cases[i].want_subj, "Subject value: %s",
		    cases[i].label);
		OK(s != NULL && strpbrk(s, "\r\n\t") == NULL, "Subject is one "
		    "line: %s", cases[i].label);
		IS_STR(b, cases[i].want_body, "body value: %s",
		    cases[i].label);
		free(s);
		free(b);
	}
	free(p);
}

/* collect - tpl_check report callback: remember "FILE:LINE: reason" */
static void
collect(const char *file, int line, const char *reason, void *arg)
{
	struct reports *r = arg;
	const char *rel = file;

	if (strncmp(file, tmpdir, strlen(tmpdir)) == 0)
		rel = file + strlen(tmpdir) + 1;
	if (r->n < 64)
		r->text[r->n++] = xasprintf("%s:%d: %s", rel, line, reason);
}

/* has_report - 1 when a report starts with want */
static int
has_report(const struct reports *r, const char *want)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (strncmp(r->text[i], want, strlen(want)) == 0)
			return 1;
	return 0;
}

/* reports_free - release collected reports */
static void
reports_free(struct reports *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->text[i]);
	r->n = 0;
}

/* test_check - tpl_check on a broken tree */
static void
test_check(void)
{
	static const char *const want[] = {
		"ck/op/en/customer_new.tpl:1: unknown header \"From\"",
		"ck/op/en/customer_new.tpl:4: unknown placeholder \"nme\"",
		"ck/op/en/customer_new.tpl:6: invalid UTF-8 (byte 0xe4)",
		"ck/op/en/customer_new.tpl:7: unknown placeholder \"x\"",
		"ck/op/en/customer_reply.tpl:2: no Subject header",
		"ck/op/de/custmer_reply.tpl:0: \"custmer_reply\" is not an "
		    "event",
		"ck/op/stray.tpl:0: never used: templates go in a language "
		    "directory",
		"ck/ship/de/agent_new.tpl:3: unknown placeholder "
		    "\"Ticket_URL\"",
		"ck/ship/en/agent_reply.tpl:0: no template for event "
		    "agent_reply (language de)",
		"ck/op/en/agent_new.tpl:0: Too many levels of symbolic links",
	};
	const char *const *ev;
	struct reports r;
	char *op, *ship, *bogus;
	size_t i;
	int n;

	memset(&r, 0, sizeof(r));
	puts_tpl("ck/op/en/customer_new.tpl", "From: x@y.example\n"
	    "Subject: ok\n\nHello <<nme>>,\n\nsch\xe4n\n<<x>> <<ticket_id>>\n");
	puts_tpl("ck/op/en/customer_reply.tpl", "Cc: a@b.example\n\nx\n");
	puts_tpl("ck/op/de/custmer_reply.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/op/de/README", "not a template\n");
	puts_tpl("ck/op/de/.customer_new.tpl", "editor backup\n");
	puts_tpl("ck/op/stray.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/customer_new.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/customer_reply.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/customer_closed.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/agent_new.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/customer_session.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/agent_note.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/agent_result.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/agent_control.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/en/agent_bounce.tpl", "Subject: x\n\nx\n");
	puts_tpl("ck/ship/de/agent_new.tpl", "Subject: x\n\n<<Ticket_URL>>\n");
	puts_tpl("ck/ship/fr/agent_new.tpl", "Subject: <<nope>>\n\nx\n");
	op = xasprintf("%s/ck/op", tmpdir);
	ship = xasprintf("%s/ck/ship", tmpdir);
	bogus = xasprintf("%s/en/agent_new.tpl", op);
	if (symlink(bogus, bogus) < 0)
		bail("symlink", bogus);
	free(bogus);
	n = tpl_check(op, ship, "de", collect, &r);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		OK(has_report(&r, want[i]), "check reports %s", want[i]);
	IS_INT(n, sizeof(want) / sizeof(want[0]), "check: problem count");
	IS_INT(r.n, n, "check: one report per problem");
	for (i = 0; (int)i < r.n; i++)
		printf("# %s\n", r.text[i]);
	OK(!has_report(&r, "ck/ship/fr/"), "check for de does not read fr");
	reports_free(&r);

	/* lang NULL: every language directory, missing en reported once */
	n = tpl_check(op, ship, NULL, collect, &r);
	OK(has_report(&r, "ck/ship/fr/agent_new.tpl:1: unknown placeholder "
	    "\"nope\""), "check all languages reads fr");
	OK(has_report(&r, "ck/ship/de/agent_new.tpl:3:"), "... and de");
	OK(has_report(&r, "ck/ship/en/agent_reply.tpl:0: no template for "
	    "event agent_reply (language en)"), "... and the missing one");
	IS_INT(n, sizeof(want) / sizeof(want[0]) + 1, "check all: count");
	reports_free(&r);

	/* same directory twice is scanned once; NULL report is fine */
	n = tpl_check(ship, ship, "en", collect, &r);
	IS_INT(n, 1, "opdir == shipdir: each problem once (%s)",
	    r.n > 0 ? r.text[0] : "");
	reports_free(&r);
	IS_INT(tpl_check(ship, ship, "en", NULL, NULL), 1, "NULL report");

	/* a configured operator directory that does not exist */
	bogus = xasprintf("%s/ck/typo", tmpdir);
	n = tpl_check(bogus, ship, "en", collect, &r);
	OK(has_report(&r, "ck/typo:0: template directory: No such file"),
	    "missing operator directory reported");
	IS_INT(n, 2, "missing operator directory: count");
	reports_free(&r);
	free(bogus);

	/* a rejected header's continuation lines are not more problems */
	puts_tpl("ck2/en/customer_new.tpl", "X-Foo: a\n b\n\tc\nSubject: "
	    "x\n  <<subject>>\n\n<<ticket_id>>\n");
	bogus = xasprintf("%s/ck2", tmpdir);
	n = tpl_check(bogus, ship, "en", collect, &r);
	OK(has_report(&r, "ck2/en/customer_new.tpl:1: unknown header "
	    "\"X-Foo\""), "unknown folded header reported");
	IS_INT(n, 2, "... once (plus the missing agent_reply)");
	reports_free(&r);
	free(bogus);

	/* the event and variable lists */
	for (n = 0, ev = tpl_events(); *ev != NULL; ev++)
		n++;
	IS_INT(n, 10, "ten events");
	free(op);
	free(ship);
}

/* test_shipped - the templates in the source tree */
static void
test_shipped(void)
{
	static const char *const langs[] = { "en", "de" };
	static const char *const needed[] = {
		"ticket_id", "ticket_url", "subject", "status",
		"status_label", "customer_name", "customer_email",
		"agent_name", "message_text", "reply_marker", "site_name",
		"support_address",
	};
	const char *top = getenv("top_srcdir");
	const char *const *ev, *const *name;
	struct tpl_var vars[32];
	struct reports r;
	struct pd_err err;
	char *ship, *s, *b, *path, *want, *tag;
	size_t i, nv = 0;
	int n, control, notice;

	if (top == NULL || *top == '\0')
		top = "/work/main";
	ship = xasprintf("%s/templates", top);
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		for (name = tpl_vars(); *name != NULL &&
		    strcmp(*name, needed[i]) != 0; name++)
			;
		OK(*name != NULL, "placeholder %s is known", needed[i]);
	}
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 2; i++) {
		n = tpl_check("", ship, langs[i], collect, &r);
		IS_INT(n, 0, "tpl_check of the shipped %s templates: no "
		    "problem", langs[i]);
		for (n = 0; n < r.n; n++)
			printf("#   %s\n", r.text[n]);
		reports_free(&r);
	}
	IS_INT(tpl_check(NULL, ship, NULL, collect, &r), 0, "tpl_check of "
	    "all shipped languages");
	reports_free(&r);

	/* a distinct value for every placeholder */
	for (name = tpl_vars(); *name != NULL && nv < 32; name++, nv++) {
		vars[nv].name = *name;
		vars[nv].value = strcmp(*name, "ticket_id") == 0 ? "4711" :
		    strcmp(*name, "ticket_url") == 0 ? URL :
		    strcmp(*name, "reply_marker") == 0 ? MARKER :
		    strcmp(*name, "message_text") == 0 ?
		    "My printer prints only blank pages.\nPlease help." :
		    strcmp(*name, "status_label") == 0 ? "Awaiting agent" :
		    strcmp(*name, "subject") == 0 ? "Printer broken" :
		    strcmp(*name, "site_name") == 0 ? "Example Ltd" :
		    *name;
	}
	tag = "[#4711] ";
	for (i = 0; i < 2; i++) {
		for (ev = tpl_events(); *ev != NULL; ev++) {
			s = render("", ship, langs[i], *ev, vars, nv, &b, &path,
			    &err);
			want = xasprintf("%s/%s/%s.tpl", ship, langs[i], *ev);
			IS_STR(path, want, "%s/%s: its own file", langs[i],
			    *ev);
			free(want);
			OK(s != NULL && b != NULL, "%s/%s renders (%s)",
			    langs[i], *ev, s == NULL ? err.text : "ok");
			if (s == NULL || b == NULL) {
				free(path);
				continue;
			}
			OK(strncmp(b, MARKER "\n", strlen(MARKER) + 1) == 0,
			    "%s/%s: body starts with the marker line",
			    langs[i], *ev);
			/* the control address's answer names no ticket */
			control = strcmp(*ev, "agent_control") == 0;
			notice = strcmp(*ev, "agent_new") == 0 ||
			    strcmp(*ev, "agent_reply") == 0;
			OK(control || strstr(b, URL) != NULL,
			    "%s/%s: has ticket_url", langs[i], *ev);
			OK(control || (strncmp(s, tag, strlen(tag)) == 0 &&
			    strstr(s, "Printer broken") != NULL),
			    "%s/%s: Subject \"%s\" has the tag and subject",
			    langs[i], *ev, s);
			OK(strstr(s, "<<") == NULL && strstr(b, "<<") == NULL &&
			    strstr(b, "{{") == NULL, "%s/%s: nothing left "
			    "unrendered", langs[i], *ev);
			if (strncmp(*ev, "customer_", 9) == 0)
				IS_STR(s, "[#4711] Printer broken", "%s/%s: "
				    "customer Subject exactly \"[#id] "
				    "subject\"", langs[i], *ev);
			if (strncmp(*ev, "agent_", 6) == 0 && !control)
				OK(strstr(b, "My printer prints only blank "
				    "pages.\nPlease help.") != NULL,
				    "%s/%s: has message_text", langs[i], *ev);
			if (notice) {
				OK(strstr(b, "My printer prints only blank "
				    "pages.\nPlease help.") != NULL &&
				    strstr(b, "Awaiting agent") != NULL,
				    "%s/%s: has message_text and status_label",
				    langs[i], *ev);
				OK(strstr(b, "#status pending, #assign me, "
				    "#note (") != NULL, "%s/%s: says how to "
				    "act by reply", langs[i], *ev);
			}
			if (strcmp(*ev, "customer_reply") == 0)
				OK(strstr(b, "My printer prints only blank "
				    "pages.\nPlease help.") != NULL,
				    "%s/%s: has the reply text", langs[i], *ev);
			if (strcmp(langs[i], "en") == 0 && notice)
				OK(strstr(b, "Reply to this mail to answer the "
				    "customer.") != NULL, "%s/%s: English "
				    "instruction", langs[i], *ev);
			free(s);
			free(b);
			free(path);
		}
	}
	free(ship);
}

/* rm_tree - remove the test directory */
static void
rm_tree(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(cmd);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		bail("mkdtemp", tmpdir);
	opdir = xasprintf("%s/op", tmpdir);
	shipdir = xasprintf("%s/ship", tmpdir);
	test_syntax();
	test_lookup();
	test_bad();
	test_errors();
	test_values();
	test_check();
	test_shipped();
	rm_tree();
	free(opdir);
	free(shipdir);
	return tap_done();
}

/*
 * t_reply.c - unit test of mail/mail_text.c: mail_reply_split()
 *
 * 1. A table of edge cases written here: empty and blank bodies, a body
 *    that is only a signature or only a quote (returned whole), CRLF
 *    leftovers, "wrote:" inside a sentence (no cut), hints absent.
 * 2. Bodies of 1 MB built at run time (many ">" blocks, one long line,
 *    header-like lines, attribution-like lines, a long known text): each
 *    must be split in under T_SECONDS of CPU time, which only a linear
 *    algorithm does (a quadratic one needs hours on 1 MB).
 * 3. The reply set: the directory $PD_REPLY_DATA, else
 *    $top_srcdir/tests/reply (top_srcdir defaults to /work/main). Each
 *    subdirectory is a layout; each *.txt file in it one reply:
 *
 *        @@@@ marker TEXT     optional: the marker hint (default below;
 *                             "@@@@ marker" alone: no marker)
 *        @@@@ known           optional, repeatable: a text postdesk sent
 *        @@@@ body            the body, as received (LF line ends)
 *        @@@@ expect RULE     the new text expected; RULE is optional
 *        @@@@ signature       optional: the signature expected
 *        @@@@ note ...        ignored
 *
 *    Each section runs to the next line starting with "@@@@ "; trailing
 *    blank lines of the expected texts are ignored. One TAP line per
 *    reply (text, and the rule and signature when given, must agree);
 *    at the end "# reply-text accuracy: N/M exact (P%) — per layout: ...",
 *    exact meaning the text alone.
 *
 * Output is TAP (tests/unit/tap.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/mail_text.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include "tap.h"

#define T_MARKER	"##- Please type your reply above this line -##"
#define T_SECONDS	10.0	/* CPU seconds allowed for 1 MB, valgrind too */
#define T_MB		(1024 * 1024)

struct t_case {
	const char *label;
	const char *body;
	const char *marker;
	const char *known;
	const char *text;		/* expected new text */
	const char *rule;		/* NULL: not checked */
	const char *sig;		/* NULL: not checked */
};

static const struct t_case t_cases[] = {
	{ "empty body", "", T_MARKER, NULL, "", "none", "" },
	{ "NULL body", NULL, T_MARKER, NULL, "", "none", "" },
	{ "blank lines only", "\n \n\t\n\n", T_MARKER, NULL, "", "none", "" },
	{ "only a signature: kept whole",
	  "-- \nJane Doe\nAcme Ltd.\n", T_MARKER, NULL,
	  "-- \nJane Doe\nAcme Ltd.", "none", "" },
	{ "only a quote: kept whole",
	  "> Hello Jane,\n>\n> your order has shipped.\n", T_MARKER, NULL,
	  "> Hello Jane,\n>\n> your order has shipped.", "none", "" },
	{ "only an attribution and a quote: kept whole",
	  "On Mon, Nov 23, 2026 at 9:02 AM Acme <help@acme.example> wrote:\n"
	  "> Your order has shipped.\n", T_MARKER, NULL,
	  "On Mon, Nov 23, 2026 at 9:02 AM Acme <help@acme.example> wrote:\n"
	  "> Your order has shipped.", "none", NULL },
	{ "forward without a comment: kept whole",
	  "---------- Forwarded message ---------\n"
	  "From: Bob <bob@example.com>\nDate: Mon, Nov 23, 2026\n"
	  "Subject: invoice\nTo: help@acme.example\n\nPlease pay.\n",
	  T_MARKER, NULL,
	  "---------- Forwarded message ---------\n"
	  "From: Bob <bob@example.com>\nDate: Mon, Nov 23, 2026\n"
	  "Subject: invoice\nTo: help@acme.example\n\nPlease pay.",
	  "none", NULL },
	{ "only a mobile footer: kept", "Sent from my iPhone\n", T_MARKER,
	  NULL, "Sent from my iPhone", "none", "" },
	{ "CRLF leftovers",
	  "Thanks, it works now.\r\n\r\n"
	  "On Mon, Nov 23, 2026 at 9:02 AM Acme <help@acme.example> wrote:\r\n"
	  "> Please try again.\r\n>\r\n> Acme\r\n", T_MARKER, NULL,
	  "Thanks, it works now.", "on-wrote:en", "" },
	{ "CRLF signature",
	  "Done.\r\n-- \r\nJane\r\n", T_MARKER, NULL, "Done.",
	  "signature-dashes", "Jane" },
	{ "\"wrote:\" inside a sentence does not cut",
	  "As you wrote: the update fixes it. It did not.\n"
	  "Can you call me?\n", T_MARKER, NULL,
	  "As you wrote: the update fixes it. It did not.\n"
	  "Can you call me?", "none", "" },
	{ "\"On ... wrote:\" without date or address does not cut",
	  "On Monday my colleague wrote:\nthe printer is fixed.\n"
	  "It is not.\n", T_MARKER, NULL,
	  "On Monday my colleague wrote:\nthe printer is fixed.\n"
	  "It is not.", "none", "" },
	{ "a sentence ending in \"wrote:\" before a quote stays",
	  "Here is what your colleague wrote:\n> reboot the router\n\n"
	  "I did, twice.\n", T_MARKER, NULL,
	  "Here is what your colleague wrote:\n\nI did, twice.",
	  "quote-prefix", "" },
	{ "a German sentence with \"schrieb\" before a colon does not cut",
	  "Hallo,\n\nAm 24.11. schrieb ich Ihnen:\nDer Drucker ist kaputt.\n"
	  "Er ist es noch.\n", T_MARKER, NULL,
	  "Hallo,\n\nAm 24.11. schrieb ich Ihnen:\nDer Drucker ist kaputt.\n"
	  "Er ist es noch.", "none", "" },
	{ "\"On <date> I wrote:\" does not cut",
	  "On 24.11. at 10:00 I wrote:\nThe printer is broken.\n", T_MARKER,
	  NULL, "On 24.11. at 10:00 I wrote:\nThe printer is broken.", "none",
	  "" },
	{ "a real attribution after those sentences does",
	  "Op 24-11 om 10:00 schreef ik:\nDe printer is kapot.\n\n"
	  "Op di 24 nov. 2026 om 16:05 schreef Eva Smit <eva@tulp.example>:\n"
	  "\nBeste Jan,\n", T_MARKER, NULL,
	  "Op 24-11 om 10:00 schreef ik:\nDe printer is kapot.", "on-wrote:nl",
	  "" },
	{ "From:/To:/Date: lines of the customer's own do not cut",
	  "Please check this transfer:\nFrom: account 1234\n"
	  "To: account 5678\nDate: 12.11.2026\n\nThanks\n", T_MARKER, NULL,
	  "Please check this transfer:\nFrom: account 1234\n"
	  "To: account 5678\nDate: 12.11.2026\n\nThanks", "none", "" },
	{ "an empty signature after \"-- \"",
	  "Thanks\n-- \n", T_MARKER, NULL, "Thanks", "signature-dashes", "" },
	{ "the marker needs the hint",
	  "Thanks!\n\n##- Please type your reply above this line -##\n"
	  "Hello\n", NULL, NULL,
	  "Thanks!\n\n##- Please type your reply above this line -##\nHello",
	  "none", "" },
	{ "a custom marker, spaces differing",
	  "Yes, please close it.\n\n"
	  "--  Reply  ABOVE this line --\nTicket 4 was updated.\n",
	  "-- Reply above this line --", NULL, "Yes, please close it.",
	  "marker", "" },
	{ "marker on the first line: kept whole",
	  "##- Please type your reply above this line -##\nHello Jane\n",
	  T_MARKER, NULL,
	  "##- Please type your reply above this line -##\nHello Jane",
	  "none", "" },
	{ "\"--\" before a long block is not a signature",
	  "Steps:\n--\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n",
	  T_MARKER, NULL,
	  "Steps:\n--\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13",
	  "none", "" },
	{ "\"--\" before a short block is",
	  "See you.\n--\nJane Doe\nAcme\n", T_MARKER, NULL, "See you.",
	  "signature-dashes", "Jane Doe\nAcme" },
	{ "footer inside a sentence stays",
	  "Sent from my iPhone, the app crashes on start.\n", T_MARKER,
	  NULL, "Sent from my iPhone, the app crashes on start.", "none", "" },
	{ "footer on the last line goes",
	  "Fine by me.\n\nSent from my iPhone\n", T_MARKER, NULL,
	  "Fine by me.", "mobile-footer", "Sent from my iPhone" },
	{ "interleaved answers",
	  "> Which model?\nThe X200.\n> Since when?\n\nSince Monday.\n"
	  "> Anything else?\n", T_MARKER, NULL,
	  "The X200.\n\nSince Monday.", "quote-prefix", "" },
	{ "a known text too short to count",
	  "Thanks\n\nOK then\n", T_MARKER, "OK then", "Thanks\n\nOK then",
	  "none", "" },
	{ "blank lines inside the text are kept",
	  "First.\n\n\nSecond.\n\n> old\n", T_MARKER, NULL,
	  "First.\n\n\nSecond.", "quote-prefix", "" },
};

/* A reply of the data set. */
struct t_reply {
	char	*marker;
	int	nomarker;
	char	*known[8];
	size_t	nknown;
	char	*body;
	char	*expect;
	char	*rule;
	char	*sig;
};

struct t_layout {
	char	name[256];
	int	total;
	int	exact;
};

static int t_check(const char *, const struct mail_reply *, const char *,
	    const char *, const char *);
static void t_table(void);
static double t_time(const char *, const struct mail_reply_hints *,
	    struct mail_reply *);
static void t_big(void);
static char *t_slurp(const char *);
static char *t_trim(struct buf *);
static int t_parse(char *, struct t_reply *);
static void t_reply_free(struct t_reply *);
static void t_one(const char *, const char *, const char *,
	    struct t_layout *, int *);
static int t_txt(const struct dirent *);
static int t_dir(const struct dirent *);
static void t_data(void);

/* t_check - compare a split with what is wanted; prints the difference */
static int
t_check(const char *label, const struct mail_reply *got, const char *text,
    const char *rule, const char *sig)
{
	int ok = strcmp(got->text, text) == 0 &&
	    (rule == NULL || strcmp(got->rule, rule) == 0) &&
	    (sig == NULL || strcmp(got->signature, sig) == 0);

	OK(ok, "%s", label);
	if (!ok) {
		printf("#   got rule %s, sig_rule %s; want rule %s\n",
		    got->rule, got->sig_rule ? got->sig_rule : "-",
		    rule ? rule : "-");
		printf("#   got text:\n%s\n#   want text:\n%s\n", got->text,
		    text);
		if (sig != NULL)
			printf("#   got signature:\n%s\n#   want:\n%s\n",
			    got->signature, sig);
	}
	return ok;
}

/* t_table - the edge cases */
static void
t_table(void)
{
	struct mail_reply_hints h;
	struct mail_reply out;
	const char *known[2];
	size_t i;

	for (i = 0; i < sizeof(t_cases) / sizeof(t_cases[0]); i++) {
		const struct t_case *c = &t_cases[i];

		memset(&h, 0, sizeof(h));
		h.marker = c->marker;
		if (c->known != NULL) {
			known[0] = c->known;
			known[1] = NULL;	/* NULL entries are skipped */
			h.known_quoted = known;
			h.nknown = 2;
		}
		IS_INT(mail_reply_split(c->body, &h, &out), 0,
		    "%s: returns 0", c->label);
		t_check(c->label, &out, c->text, c->rule, c->sig);
		mail_reply_free(&out);
		OK(out.text == NULL && out.quoted == NULL, "%s: freed",
		    c->label);
	}
	mail_reply_split("Fine.\n\n> old\n", NULL, &out);
	IS_STR(out.text, "Fine.", "no hints at all");
	IS_STR(out.quoted, "> old", "no hints at all: the quote is kept");
	mail_reply_free(&out);
	mail_reply_free(NULL);
	OK(1, "mail_reply_free(NULL) returns");
}

/* t_time - split body, return the CPU seconds it took */
static double
t_time(const char *body, const struct mail_reply_hints *h,
    struct mail_reply *out)
{
	clock_t t0 = clock();

	mail_reply_split(body, h, out);
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

/* t_big - bodies of 1 MB shaped against each step */
static void
t_big(void)
{
	static const char *const unit[][2] = {
		{ "> blocks and answers", "> quoted line\nanswer line\n" },
		{ "header lines", "From: a@b\nSent: x\n" },
		{ "attributions", "On 1.2.2026 10:00, Bob <b@x> wrote:\n" },
		{ "signature lines", "-- \n\n\n" },
		{ "broken attributions", "Am 1.2. um 10:00\nschrieb\n" },
		{ "one word", "a a a a a a a a\n" },
		{ "underscores", "________________\nFrom: x\n\n\n" },
		{ "footers", "Sent from my iPhone\n\n" },
		{ "attributed blocks and answers",
		  "On 1.2.2026 10:00, Bob <b@x> wrote:\n> q\nanswer\n" },
		{ "long lines ending in a colon", NULL },
	};
	char *longline;
	struct mail_reply_hints h;
	struct mail_reply out;
	struct buf *b, *k;
	const char *known[1];
	double secs;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.marker = T_MARKER;
	longline = xmalloc(300);
	memset(longline, 'w', 298);
	memcpy(longline, "so 1, wrote on", 14);
	memcpy(longline + 290, " wrote :\n", 9);
	longline[299] = '\0';
	for (i = 0; i < sizeof(unit) / sizeof(unit[0]); i++) {
		b = buf_new(T_MB + 64);
		while (b->len < T_MB)
			buf_adds(b, unit[i][1] ? unit[i][1] : longline);
		buf_adds(b, "\nlast words\n");
		secs = t_time(b->data, &h, &out);
		OK(secs < T_SECONDS, "1 MB of %s: %.3f s", unit[i][0], secs);
		OK(out.text[0] != '\0', "1 MB of %s: text kept", unit[i][0]);
		mail_reply_free(&out);
		buf_free(b);
	}

	free(longline);

	/* one line of 1 MB, no line end */
	b = buf_new(T_MB + 1);
	while (b->len < T_MB)
		buf_adds(b, "On wrote: ##- ");
	secs = t_time(b->data, &h, &out);
	OK(secs < T_SECONDS, "one 1 MB line: %.3f s", secs);
	IS_INT(strlen(out.text), b->len, "one 1 MB line: kept whole");
	mail_reply_free(&out);

	/* a known text of 100 KB of one word against 1 MB of it */
	k = buf_new(100 * 1024);
	while (k->len < 100 * 1024)
		buf_adds(k, "word ");
	known[0] = k->data;
	h.known_quoted = known;
	h.nknown = 1;
	buf_reset(b);
	buf_adds(b, "My answer.\n\n");
	while (b->len < T_MB)
		buf_adds(b, "> word word word word word word word\n");
	secs = t_time(b->data, &h, &out);
	OK(secs < T_SECONDS, "1 MB against a 100 KB known text: %.3f s",
	    secs);
	IS_STR(out.text, "My answer.", "1 MB against a known text: cut");
	mail_reply_free(&out);

	/* the same known text against 1 MB that never matches it */
	buf_reset(b);
	while (b->len < T_MB)
		buf_adds(b, "word word other word word else\n");
	secs = t_time(b->data, &h, &out);
	OK(secs < T_SECONDS, "1 MB of near misses: %.3f s", secs);
	OK(out.text[0] != '\0', "1 MB of near misses: text kept");
	mail_reply_free(&out);
	buf_free(k);
	buf_free(b);
}

/* t_slurp - a whole file as a string, NULL if unreadable */
static char *
t_slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct buf *b;
	char tmp[8192];
	size_t n;

	if (fp == NULL)
		return NULL;
	b = buf_new(sizeof(tmp));
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(b, tmp, n);
	fclose(fp);
	return buf_export(b, NULL);
}

/* t_trim - the buffer's text without trailing line ends (buffer freed) */
static char *
t_trim(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
	return buf_export(b, NULL);
}

/*
 * t_parse - read the sections of a reply file (modified in place);
 * returns 0, -1 when the body or the expected text is missing
 */
static int
t_parse(char *s, struct t_reply *t)
{
	struct buf *cur = NULL;
	char **dst = NULL, *line, *nl;
	int kind;

	memset(t, 0, sizeof(*t));
	for (line = s; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (strncmp(line, "@@@@ ", 5) != 0 &&
		    strcmp(line, "@@@@") != 0) {
			if (cur != NULL) {
				buf_adds(cur, line);
				buf_addc(cur, '\n');
			}
			continue;
		}
		if (cur != NULL)
			*dst = kind == 'b' ? buf_export(cur, NULL) :
			    t_trim(cur);
		cur = NULL;
		line += strlen(line) > 5 ? 5 : strlen(line);
		if (strncmp(line, "marker", 6) == 0) {
			line += 6;
			line += strspn(line, " ");
			if (*line == '\0')
				t->nomarker = 1;
			else
				t->marker = xstrdup(line);
			continue;
		}
		if (strncmp(line, "expect", 6) == 0) {
			line += 6;
			line += strspn(line, " ");
			if (*line != '\0')
				t->rule = xstrdup(line);
			dst = &t->expect;
			kind = 'e';
		} else if (strcmp(line, "body") == 0) {
			dst = &t->body;
			kind = 'b';
		} else if (strcmp(line, "signature") == 0) {
			dst = &t->sig;
			kind = 's';
		} else if (strcmp(line, "known") == 0 && t->nknown < 8) {
			dst = &t->known[t->nknown++];
			kind = 'k';
		} else
			continue;		/* note, or unknown */
		cur = buf_new(1024);
	}
	if (cur != NULL)
		*dst = kind == 'b' ? buf_export(cur, NULL) : t_trim(cur);
	return t->body != NULL && t->expect != NULL ? 0 : -1;
}

/* t_reply_free - free a parsed reply */
static void
t_reply_free(struct t_reply *t)
{
	size_t i;

	free(t->marker);
	for (i = 0; i < t->nknown; i++)
		free(t->known[i]);
	free(t->body);
	free(t->expect);
	free(t->rule);
	free(t->sig);
}

/* t_one - run the reply file path, count it in its layout */
static void
t_one(const char *dir, const char *layout, const char *file,
    struct t_layout *lay, int *rules)
{
	struct mail_reply_hints h;
	struct mail_reply out;
	struct t_reply t;
	char *path, *label, *s;

	path = xasprintf("%s/%s/%s", dir, layout, file);
	label = xasprintf("reply/%s/%s", layout, file);
	s = t_slurp(path);
	if (s == NULL || t_parse(s, &t) != 0) {
		OK(0, "%s: readable, with body and expect sections", label);
		lay->total++;
		if (s != NULL)
			t_reply_free(&t);
		goto out;
	}
	memset(&h, 0, sizeof(h));
	h.marker = t.nomarker ? NULL : t.marker ? t.marker : T_MARKER;
	h.known_quoted = (const char *const *)t.known;
	h.nknown = t.nknown;
	mail_reply_split(t.body, &h, &out);
	lay->total++;
	if (strcmp(out.text, t.expect) == 0)
		lay->exact++;
	if (t.rule == NULL || strcmp(out.rule, t.rule) == 0)
		(*rules)++;
	t_check(label, &out, t.expect, t.rule, t.sig);
	mail_reply_free(&out);
	t_reply_free(&t);
out:
	free(s);
	free(path);
	free(label);
}

/* t_txt - scandir filter: the reply files */
static int
t_txt(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    strcmp(d->d_name + n - 4, ".txt") == 0;
}

/* t_dir - scandir filter: the layout directories */
static int
t_dir(const struct dirent *d)
{
	return d->d_name[0] != '.' && strchr(d->d_name, '.') == NULL;
}

/* t_data - every reply of the data set, then the accuracy line */
static void
t_data(void)
{
	struct t_layout lay[64];
	struct dirent **ds, **fs;
	struct buf *line;
	const char *top, *env;
	char *dir, *sub;
	int nd, nf, i, j, nl = 0, total = 0, exact = 0, rules = 0;

	top = getenv("top_srcdir") ? getenv("top_srcdir") : "/work/main";
	env = getenv("PD_REPLY_DATA");
	dir = env ? xstrdup(env) : xasprintf("%s/tests/reply", top);
	nd = scandir(dir, &ds, t_dir, alphasort);
	OK(nd > 0, "reply data in %s", dir);
	for (i = 0; i < nd; i++) {
		sub = xasprintf("%s/%s", dir, ds[i]->d_name);
		nf = scandir(sub, &fs, t_txt, alphasort);
		if (nf > 0 && nl < 64) {
			memset(&lay[nl], 0, sizeof(lay[nl]));
			snprintf(lay[nl].name, sizeof(lay[nl].name), "%s",
			    ds[i]->d_name);
			for (j = 0; j < nf; j++)
				t_one(dir, ds[i]->d_name, fs[j]->d_name,
				    &lay[nl], &rules);
			total += lay[nl].total;
			exact += lay[nl].exact;
			nl++;
		}
		for (j = 0; j < nf; j++)
			free(fs[j]);
		if (nf >= 0)
			free(fs);
		free(sub);
		free(ds[i]);
	}
	if (nd >= 0)
		free(ds);
	line = buf_new(1024);
	buf_printf(line, "# reply-text accuracy: %d/%d exact (%.1f%%) "
	    "\xe2\x80\x94 per layout:", exact, total,
	    total ? 100.0 * exact / total : 0.0);
	for (i = 0; i < nl; i++)
		buf_printf(line, "%s %s %d/%d", i ? "," : "", lay[i].name,
		    lay[i].exact, lay[i].total);
	printf("%s\n", line->data);
	printf("# rules agreed: %d/%d\n", rules, total);
	for (i = 0; i < nl; i++)
		OK(lay[i].total >= 40, "layout %s has %d replies (>= 40)",
		    lay[i].name, lay[i].total);
	buf_free(line);
	free(dir);
}

int
main(void)
{
	t_table();
	t_big();
	t_data();
	return tap_done();
}

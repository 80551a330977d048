/*
 * t_rules.c - rules/: the rule language, load errors, the shipped filters
 *
 * Every case writes real files into a private temporary directory and
 * goes through rules_load() / rules_check() / rules_match() as intake and
 * "postdesk check" will. Match cases are one table: a rule file, an
 * envelope and headers ("Name: value" lines), and the outcome written as
 * one line ("queue=billing tags=a,b skip fired=1,3", "" when no rule
 * fired), so a failure prints both sides. Error cases give the text and
 * the "t.rules:LINE: reason" the operator must see.
 *
 * The shipped files are read from $top_srcdir/filters (default
 * /work/main): they must load with no problem and do what their comments
 * promise on sample mail; the departments example is copied into an
 * operator directory to be tried. Random garbage must never crash the
 * loader, and rules_check() must agree with rules_load().
 */
#include <sys/stat.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "rules/rules.h"
#include "tap.h"

#define MAXHDR	16
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static char tmp[256];

/* A parsed "Name: value" list. */
struct hdrs {
	char	buf[2048];
	struct rules_header h[MAXHDR];
	size_t	n;
};

struct mcase {
	const char *label;
	const char *rules;	/* the text of t.rules */
	const char *sender;
	const char *rcpt;
	const char *headers;	/* "Name: value\n" lines */
	const char *want;	/* summary(), "" when nothing fired */
};

static const struct mcase mcases[] = {
	/* subjects and comparisons */
	{"sender is: exact", "if sender is alice@example.com then tag a\n",
	    "alice@example.com", "support@x", "", "tags=a fired=1"},
	{"sender is: case matters", "if sender is alice@example.com then "
	    "tag a\n", "Alice@Example.com", "support@x", "", ""},
	{"sender nocase is", "if sender nocase is alice@example.com then "
	    "tag a\n", "Alice@Example.COM", "support@x", "", "tags=a fired=1"},
	{"is compares the whole value", "if sender is alice then tag a\n",
	    "alice@example.com", "support@x", "", ""},
	{"recipient glob", "if recipient glob \"billing@*\" then queue b\n",
	    "c@x", "billing@example.com", "", "queue=b fired=1"},
	{"recipient glob: case matters", "if recipient glob \"billing@*\" "
	    "then queue b\n", "c@x", "Billing@example.com", "", ""},
	{"recipient nocase glob", "if recipient nocase glob \"billing@*\" "
	    "then queue b\n", "c@x", "BILLING@EXAMPLE.COM", "",
	    "queue=b fired=1"},
	{"glob ? and [..]", "if recipient glob \"sales-[0-9]?@*\" then "
	    "queue s\n", "c@x", "sales-4a@example.com", "", "queue=s fired=1"},
	{"glob must match the whole value", "if recipient glob \"sales*\" "
	    "then queue s\n", "c@x", "presales@example.com", "", ""},
	{"header contains", "if header Subject contains invoice then tag i\n",
	    "c@x", "s@x", "Subject: Your invoice 42\n", "tags=i fired=1"},
	{"header contains: case matters", "if header Subject contains "
	    "invoice then tag i\n", "c@x", "s@x", "Subject: INVOICE\n", ""},
	{"header nocase contains", "if header Subject nocase contains "
	    "invoice then tag i\n", "c@x", "s@x", "Subject: INVOICE\n",
	    "tags=i fired=1"},
	{"regex, backslash kept in quotes", "if header Subject regex "
	    "\"^Re: \\[#[0-9]+\\]\" then tag r\n", "c@x", "s@x",
	    "Subject: Re: [#12] help\n", "tags=r fired=1"},
	{"regex does not match", "if header Subject regex "
	    "\"^Re: \\[#[0-9]+\\]\" then tag r\n", "c@x", "s@x",
	    "Subject: Re: [#x] help\n", ""},
	{"regex: case matters", "if header Subject regex \"^hello\" then "
	    "tag r\n", "c@x", "s@x", "Subject: HELLO\n", ""},
	{"nocase regex", "if header Subject nocase regex \"^hello\" then "
	    "tag r\n", "c@x", "s@x", "Subject: HELLO\n", "tags=r fired=1"},
	{"regex alternatives", "if header Precedence regex "
	    "\"^(bulk|junk)$\" then skip-notify\n", "c@x", "s@x",
	    "Precedence: junk\n", "skip fired=1"},
	{"exists with an empty value", "if header X-Foo exists then tag e\n",
	    "c@x", "s@x", "X-Foo:\n", "tags=e fired=1"},
	{"exists: field names ignore case", "if header X-Foo exists then "
	    "tag e\n", "c@x", "s@x", "x-fOO: 1\n", "tags=e fired=1"},
	{"exists: absent", "if header X-Foo exists then tag e\n", "c@x",
	    "s@x", "X-Foobar: 1\n", ""},
	{"not exists", "if not header X-Foo exists then tag n\n", "c@x",
	    "s@x", "Subject: x\n", "tags=n fired=1"},
	{"not: present", "if not header X-Foo exists then tag n\n", "c@x",
	    "s@x", "X-Foo: 1\n", ""},
	{"several fields of one name: any matches", "if header Received "
	    "contains evil then tag v\n", "c@x", "s@x",
	    "Received: from good\nReceived: from evil\nReceived: from ok\n",
	    "tags=v fired=1"},
	{"not over several fields: none may match", "if not header X "
	    "is a then tag n\n", "c@x", "s@x", "X: b\nX: a\n", ""},
	{"not over several fields: none matches", "if not header X "
	    "is a then tag n\n", "c@x", "s@x", "X: b\nX: c\n",
	    "tags=n fired=1"},
	{"empty sender is \"\"", "if sender is \"\" then tag bounce\n", "",
	    "s@x", "", "tags=bounce fired=1"},
	{"NULL sender reads as \"\"", "if sender is \"\" then tag bounce\n",
	    NULL, "s@x", "", "tags=bounce fired=1"},
	{"quoted value with escapes", "if header Subject is "
	    "\"say \\\"hi\\\" \\\\o/\" then tag q\n", "c@x", "s@x",
	    "Subject: say \"hi\" \\o/\n", "tags=q fired=1"},
	{"a quoted keyword is a value", "if header Subject is \"then\" then "
	    "tag q\n", "c@x", "s@x", "Subject: then\n", "tags=q fired=1"},
	{"UTF-8 value", "if header Subject contains \"Rechnung für\" then "
	    "tag de\n", "c@x", "s@x", "Subject: Ihre Rechnung für März\n",
	    "tags=de fired=1"},
	/* numbers */
	{"> : above", "if header S > 8 then tag n\n", "c@x", "s@x",
	    "S: 12.314971\n", "tags=n fired=1"},
	{"> : equal is not above", "if header S > 8 then tag n\n", "c@x",
	    "s@x", "S: 8\n", ""},
	{"> : fraction", "if header S > 8 then tag n\n", "c@x", "s@x",
	    "S: 8.01\n", "tags=n fired=1"},
	{"> : negative", "if header S > 8 then tag n\n", "c@x", "s@x",
	    "S: -0.889991\n", ""},
	{"> : leading blanks and a tail", "if header S > 8 then tag n\n",
	    "c@x", "s@x", "S:   9.5 / 15.0\n", "tags=n fired=1"},
	{"> : not a number", "if header S > 8 then tag n\n", "c@x", "s@x",
	    "S: high\n", ""},
	{"> : digits then letters are no number", "if header S > 8 then "
	    "tag n\n", "c@x", "s@x", "S: 9abc\n", ""},
	{"> : 1.2.3 is no number", "if header S > 0 then tag n\n", "c@x",
	    "s@x", "S: 1.2.3\n", ""},
	{"> : any of several fields", "if header S > 8 then tag n\n", "c@x",
	    "s@x", "S: 1\nS: 20\n", "tags=n fired=1"},
	{">= : equal", "if header S >= 8 then tag n\n", "c@x", "s@x",
	    "S: 8.0\n", "tags=n fired=1"},
	{"< : negative threshold", "if header S < -1.5 then tag n\n", "c@x",
	    "s@x", "S: -2\n", "tags=n fired=1"},
	{"<= : equal", "if header S <= 3 then tag n\n", "c@x", "s@x",
	    "S: 3\n", "tags=n fired=1"},
	{"= : 5 and 5.0", "if header S = 5 then tag n\n", "c@x", "s@x",
	    "S: 5.0\n", "tags=n fired=1"},
	{"not > on a missing field", "if not header S > 8 then tag n\n",
	    "c@x", "s@x", "", "tags=n fired=1"},
	/* conditions combine */
	{"and: all hold", "if sender glob \"*@a.example\" and header X "
	    "exists then tag both\n", "u@a.example", "s@x", "X: 1\n",
	    "tags=both fired=1"},
	{"and: one fails", "if sender glob \"*@a.example\" and header X "
	    "exists then tag both\n", "u@b.example", "s@x", "X: 1\n", ""},
	/* actions */
	{"every action", "if sender is a@x then queue billing priority high "
	    "status spam tag t1 tag t2 assign Bob@Example.COM skip-notify\n",
	    "a@x", "s@x", "", "queue=billing priority=high status=spam "
	    "assign=bob@example.com tags=t1,t2 skip fired=1"},
	{"department is queue", "if sender is a@x then department sales\n",
	    "a@x", "s@x", "", "queue=sales fired=1"},
	{"priorities", "if sender is a@x then priority low\n"
	    "if sender is a@x then priority urgent\n", "a@x", "s@x", "",
	    "priority=urgent fired=1,2"},
	{"later rules win, tags add up once",
	    "if sender is a@x then queue one tag t\n"
	    "if header X exists then queue two tag t tag u\n",
	    "a@x", "s@x", "X: 1\n", "queue=two tags=t,u fired=1,2"},
	{"a rule that does not fire changes nothing",
	    "if sender is a@x then queue one\n"
	    "if sender is b@x then queue two\n", "a@x", "s@x", "",
	    "queue=one fired=1"},
	{"stop ends evaluation",
	    "if sender is a@x then queue one stop\n"
	    "if sender is a@x then queue two\n", "a@x", "s@x", "",
	    "queue=one stop fired=1"},
	{"stop applies only when its rule fires",
	    "if sender is b@x then queue one stop\n"
	    "if sender is a@x then queue two\n", "a@x", "s@x", "",
	    "queue=two fired=2"},
	{"drop, and drop stops",
	    "if header Subject is test then drop\n"
	    "if sender is a@x then queue two\n", "a@x", "s@x",
	    "Subject: test\n", "drop stop fired=1"},
	/* layout */
	{"keywords ignore case", "IF Header X EXISTS Then TAG t "
	    "Skip-Notify\n", "a@x", "s@x", "X: 1\n", "tags=t skip fired=1"},
	{"continuation lines, comments, blank lines",
	    "# a comment\n\n"
	    "if sender is a@x   # trailing comment\n"
	    "  # an indented comment\n"
	    "\tand header X exists\n"
	    "\n"
	    "    then tag t\n"
	    "if sender is b@x then tag u\n",
	    "a@x", "s@x", "X: 1\n", "tags=t fired=3"},
	{"# inside a word is not a comment", "if header S is a#b then "
	    "tag h\n", "a@x", "s@x", "S: a#b\n", "tags=h fired=1"},
	{"CRLF line ends", "# dos\r\nif sender is a@x\r\n then tag c\r\n",
	    "a@x", "s@x", "", "tags=c fired=2"},
	{"no newline at the end", "if sender is a@x then tag c", "a@x",
	    "s@x", "", "tags=c fired=1"},
	{"UTF-8 byte order mark", "\xef\xbb\xbfif sender is a@x then tag c\n",
	    "a@x", "s@x", "", "tags=c fired=1"},
	{"empty file", "", "a@x", "s@x", "", ""},
};

struct ecase {
	const char *label;
	const char *rules;
	const char *want;	/* err->text after the directory */
};

static const struct ecase ecases[] = {
	{"unknown keyword at the start", "# x\niff sender is a then tag a\n",
	    "t.rules:2: unknown keyword \"iff\": a rule starts with \"if\""},
	{"unknown subject", "if from is a then tag a\n",
	    "t.rules:1: unknown keyword \"from\": expected \"sender\", "
	    "\"recipient\" or \"header\""},
	{"unknown comparison", "if sender equals a then tag a\n",
	    "t.rules:1: unknown keyword \"equals\": expected is, contains, "
	    "glob, regex, exists, >, >=, <, <= or ="},
	{"unknown action", "if sender is a then frob\n",
	    "t.rules:1: unknown keyword \"frob\": expected an action (queue, "
	    "department, priority, status, tag, assign, skip-notify, drop "
	    "or stop)"},
	{"missing then", "if sender is a\n", "t.rules:1: missing \"then\""},
	{"action without then", "if sender is a tag x\n",
	    "t.rules:1: unknown keyword \"tag\": expected \"and\" or \"then\""},
	{"missing action", "\n\nif sender is a\n  then\n",
	    "t.rules:4: missing action after \"then\""},
	{"missing condition", "if\n", "t.rules:1: missing condition after "
	    "\"if\""},
	{"missing condition after and", "if sender is a and then tag x\n",
	    "t.rules:1: unknown keyword \"then\": expected \"sender\", "
	    "\"recipient\" or \"header\""},
	{"missing value", "if header X is\n",
	    "t.rules:1: missing value after \"is\""},
	{"missing action value", "if sender is a then queue\n",
	    "t.rules:1: missing value after \"queue\""},
	{"bad regex", "if sender is a then tag x\n"
	    "if header S regex \"a(\" then tag x\n",
	    "t.rules:2: bad regex \"a(\": "},
	{"back-reference", "if header S regex \"(a)\\1\" then tag x\n",
	    "t.rules:1: bad regex \"(a)\\1\": back-references are not "
	    "supported"},
	{"bad number", "if header S > eight then tag x\n",
	    "t.rules:1: bad number \"eight\""},
	{"bad number: two dots", "if header S > 8.5.1 then tag x\n",
	    "t.rules:1: bad number \"8.5.1\""},
	{"bad number: too many digits", "if header S > 1234567890123456 "
	    "then tag x\n", "t.rules:1: bad number \"1234567890123456\""},
	{"bad number: 1e5", "if header S < 1e5 then tag x\n",
	    "t.rules:1: bad number \"1e5\""},
	{"missing number", "if header S >=\n",
	    "t.rules:1: missing value after \">=\""},
	{"nocase with a number", "if header S nocase > 1 then tag x\n",
	    "t.rules:1: \"nocase\" does not apply to \">\""},
	{"exists on the envelope", "if sender exists then tag x\n",
	    "t.rules:1: \"exists\" applies to header fields only"},
	{"bad header name", "if header \"X Y\" exists then tag x\n",
	    "t.rules:1: bad header field name \"X Y\""},
	{"header name with a colon", "if header Subject: is a then tag x\n",
	    "t.rules:1: bad header field name \"Subject:\""},
	{"bad queue name", "if sender is a then queue Billing\n",
	    "t.rules:1: bad queue name \"Billing\": use 1 to 64 lower-case "
	    "letters, digits, '.', '_' or '-'"},
	{"empty status name", "if sender is a then status \"\"\n",
	    "t.rules:1: bad status name \"\": use 1 to 64 lower-case "
	    "letters, digits, '.', '_' or '-'"},
	{"bad priority", "if sender is a then priority asap\n",
	    "t.rules:1: bad priority \"asap\": use low, normal, high or "
	    "urgent"},
	{"bad agent address", "if sender is a then assign bob\n",
	    "t.rules:1: bad agent address \"bob\""},
	{"action twice", "if sender is a then queue a\n   queue b\n",
	    "t.rules:2: \"queue\" given twice in one rule"},
	{"unterminated string", "if sender is \"abc then tag x\n",
	    "t.rules:1: unterminated quoted string"},
	{"quote inside a word", "if sender is ab\"c\" then tag x\n",
	    "t.rules:1: a quote must start or end a word"},
	{"text after a quote", "if sender is \"ab\"c then tag x\n",
	    "t.rules:1: a quote must start or end a word"},
	{"continuation without a rule", "  if sender is a then tag x\n",
	    "t.rules:1: line starts with white space but no rule is open "
	    "(a rule starts in column 1)"},
	{"error on a continuation line", "# one\nif sender is a\n"
	    "  and header X exists\n  and header Y regex \"(\"\n  then tag x\n",
	    "t.rules:4: bad regex \"(\": "},
	{"control character", "if sender is a then tag x\n"
	    "if sender is \x01\x02 then tag y\n",
	    "t.rules:2: control character 0x01"},
	{"invalid UTF-8", "if sender is \xff\xfe then tag x\n",
	    "t.rules:1: invalid UTF-8"},
	{"overlong UTF-8", "if sender is \xc0\xaf then tag x\n",
	    "t.rules:1: invalid UTF-8"},
	{"UTF-16 surrogate", "if sender is \xed\xa0\x80 then tag x\n",
	    "t.rules:1: invalid UTF-8"},
};

/* rmtree - remove a directory tree of plain files */
static void
rmtree(const char *dir)
{
	DIR *dp;
	struct dirent *de;
	char path[512];
	struct stat st;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rmtree(path);
		else
			unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

/* put - write len bytes as dir/name (dir under tmp) */
static void
put(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(99);
	}
	if (len > 0 && fwrite(text, 1, len, fp) != len) {
		perror(path);
		exit(99);
	}
	fclose(fp);
}

/* fresh - an empty directory tmp/name; returns its path (static) */
static const char *
fresh(const char *name)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];

	snprintf(p, 512, "%s/%s", tmp, name);
	rmtree(p);
	if (mkdir(p, 0700) < 0) {
		perror(p);
		exit(99);
	}
	return p;
}

/* load_text - t.rules with text in a fresh directory, loaded */
static int
load_text(const char *text, size_t len, struct pd_rules **rs,
    struct pd_err *err)
{
	const char *dir = fresh("one");

	put(dir, "t.rules", text, len);
	return rules_load(&dir, 1, rs, err);
}

/* parse_headers - "Name: value\n" lines into h */
static void
parse_headers(const char *text, struct hdrs *h)
{
	char *p, *nl, *colon;

	snprintf(h->buf, sizeof(h->buf), "%s", text);
	h->n = 0;
	for (p = h->buf; *p != '\0' && h->n < MAXHDR; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((colon = strchr(p, ':')) == NULL)
			continue;
		*colon++ = '\0';
		while (*colon == ' ')
			colon++;
		h->h[h->n].name = p;
		h->h[h->n].value = colon;
		h->n++;
	}
}

/* summary - the outcome as one line */
static const char *
summary(const struct rules_result *r)
{
	static char s[1024];
	size_t i, n = 0;
	const char *colon;

	s[0] = '\0';
#define ADD(...) n += (size_t)snprintf(s + n, sizeof(s) - n, __VA_ARGS__)
	if (r->queue)
		ADD("queue=%s ", r->queue);
	if (r->priority)
		ADD("priority=%s ", r->priority);
	if (r->status)
		ADD("status=%s ", r->status);
	if (r->assign)
		ADD("assign=%s ", r->assign);
	for (i = 0; i < r->ntags; i++)
		ADD("%s%s", i ? "," : "tags=", r->tags[i]);
	if (r->ntags)
		ADD(" ");
	if (r->skip_notify)
		ADD("skip ");
	if (r->drop)
		ADD("drop ");
	if (r->stopped)
		ADD("stop ");
	for (i = 0; i < r->nfired; i++) {
		colon = strrchr(r->fired[i], ':');
		ADD("%s%s", i ? "," : "fired=", colon ? colon + 1 : "?");
	}
	if (r->truncated)
		ADD(" truncated");
#undef ADD
	if (n > 0 && s[n - 1] == ' ')
		s[n - 1] = '\0';
	return s;
}

/* run - match one message against a rule set; the summary */
static const char *
run(const struct pd_rules *rs, const char *sender, const char *rcpt,
    const char *headers)
{
	struct rules_input in;
	struct rules_result res;
	struct hdrs h;
	int rc;

	parse_headers(headers, &h);
	in.sender = sender;
	in.recipient = rcpt;
	in.headers = h.h;
	in.nheaders = h.n;
	rc = rules_match(rs, &in, &res);
	if (rc != (res.nfired > 0))
		return "rules_match return value disagrees with fired[]";
	return summary(&res);
}

/* test_match - the match table */
static void
test_match(void)
{
	struct pd_rules *rs;
	struct pd_err err;
	size_t i;

	for (i = 0; i < NELEM(mcases); i++) {
		const struct mcase *mc = &mcases[i];

		if (load_text(mc->rules, strlen(mc->rules), &rs, &err) < 0) {
			OK(0, "match: %s: loads (%s)", mc->label, err.text);
			continue;
		}
		IS_STR(run(rs, mc->sender, mc->rcpt, mc->headers), mc->want,
		    "match: %s", mc->label);
		rules_free(rs);
	}
}

/* test_details - labels, NULL inputs, value lifetime, limits */
static void
test_details(void)
{
	static const char text[] = "# c\nif header X exists then tag a\n";
	struct rules_header hv[1] = {{"X", NULL}};
	struct rules_input in = {NULL, NULL, hv, 1};
	struct rules_result res;
	struct pd_rules *rs;
	struct pd_err err;
	struct hdrs h;
	char want[600], big[4096];
	size_t i, n;

	OK(load_text(text, strlen(text), &rs, &err) == 0, "details: loads");
	IS_INT(rules_count(rs), 1, "details: one rule");
	OK(rules_match(rs, &in, &res) == 1, "details: NULL value and NULL "
	    "envelope are fine");
	snprintf(want, sizeof(want), "%s/one/t.rules:2", tmp);
	IS_STR(res.nfired ? res.fired[0] : "", want, "details: the label is "
	    "FILE:LINE of the rule");
	hv[0].name = NULL;
	OK(rules_match(rs, &in, &res) == 0, "details: a NULL header name "
	    "matches nothing");
	rules_free(rs);

	memset(&res, 0x55, sizeof(res));
	OK(rules_match(NULL, &in, &res) == 0 && res.nfired == 0 &&
	    res.queue == NULL && res.ntags == 0, "details: a NULL set matches "
	    "nothing and clears the result");
	OK(rules_free(NULL) == NULL, "details: rules_free(NULL)");
	IS_INT(rules_count(NULL), 0, "details: rules_count(NULL)");

	/* more tags than fit: the first ones stay, truncated is set */
	n = 0;
	for (i = 0; i < RULES_MAX_TAGS + 3; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "if sender is a@x then tag t%zu\n", i);
	OK(load_text(big, n, &rs, &err) == 0, "details: many tag rules load");
	parse_headers("", &h);
	in.sender = "a@x";
	in.headers = h.h;
	in.nheaders = 0;
	rules_match(rs, &in, &res);
	OK(res.ntags == RULES_MAX_TAGS && res.truncated &&
	    strcmp(res.tags[0], "t0") == 0 && res.nfired == RULES_MAX_TAGS + 3,
	    "details: tags beyond %d are cut and flagged", RULES_MAX_TAGS);
	rules_free(rs);
}

/* test_errors - every load error names FILE:LINE and the reason */
static void
test_errors(void)
{
	struct pd_rules *rs;
	struct pd_err err;
	char want[600];
	size_t i;

	for (i = 0; i < NELEM(ecases); i++) {
		const struct ecase *ec = &ecases[i];
		int rc;

		rs = (struct pd_rules *)&err;	/* must become NULL */
		rc = load_text(ec->rules, strlen(ec->rules), &rs, &err);
		snprintf(want, sizeof(want), "%s/one/%s", tmp, ec->want);
		OK(rc == -1 && rs == NULL && err.class == PD_ECONFIG,
		    "error: %s: refused with PD_ECONFIG", ec->label);
		OK(strncmp(err.text, want, strlen(want)) == 0 &&
		    (strlen(want) == strlen(err.text) ||
		    want[strlen(want) - 1] == ' '), "error: %s: text",
		    ec->label);
		if (strncmp(err.text, want, strlen(want)) != 0)
			printf("#   got:  \"%s\"\n#   want: \"%s\"\n", err.text,
			    want);
	}
}

/* long_rule - one rule on one line of exactly len bytes, then "\n" */
static size_t
long_rule(char *out, size_t len)
{
	size_t n;

	n = (size_t)sprintf(out, "if header S is \"");
	memset(out + n, 'a', len - n - 12);
	n = len - 12;
	n += (size_t)sprintf(out + n, "\" then tag y\n");
	return n;
}

/* test_limits - too long, too large, too many, binary, not a file */
static void
test_limits(void)
{
	struct pd_rules *rs;
	struct pd_err err;
	char *text, want[600];
	const char *dir;
	size_t n, i;

	/* a line one byte over the limit, in the second rule */
	text = malloc(RULES_LINE_MAX + 200);
	n = (size_t)sprintf(text, "if sender is a then tag x\n");
	n += long_rule(text + n, RULES_LINE_MAX + 1);
	OK(load_text(text, n, &rs, &err) < 0 && strstr(err.text,
	    "t.rules:2: line too long (limit 4096 bytes)") != NULL,
	    "limits: line too long names its line (%s)", err.text);
	/* exactly at the limit is fine */
	n = long_rule(text, RULES_LINE_MAX);
	OK(load_text(text, n, &rs, &err) == 0 && rules_count(rs) == 1,
	    "limits: a line of exactly %d bytes loads", RULES_LINE_MAX);
	rules_free(rs);
	free(text);

	/* a NUL byte: binary data, on line 3 */
	OK(load_text("# a\n# b\nif \0 x\n", 14, &rs, &err) < 0 &&
	    strstr(err.text, "t.rules:3: NUL byte: not a text file") != NULL,
	    "limits: NUL byte refused with its line (%s)", err.text);

	/* a file over RULES_FILE_MAX */
	text = malloc(RULES_FILE_MAX + 10);
	memset(text, '#', RULES_FILE_MAX + 10);
	for (i = 60; i < RULES_FILE_MAX + 10; i += 61)
		text[i] = '\n';
	OK(load_text(text, RULES_FILE_MAX + 10, &rs, &err) < 0 &&
	    strstr(err.text, "t.rules: file too large") != NULL,
	    "limits: a file over %d bytes is refused (%s)", RULES_FILE_MAX,
	    err.text);

	/* RULES_MAX + 1 rules */
	n = 0;
	for (i = 0; i <= RULES_MAX; i++)
		n += (size_t)sprintf(text + n, "if sender is a then stop\n");
	snprintf(want, sizeof(want), "t.rules:%d: too many rules (limit %d)",
	    RULES_MAX + 1, RULES_MAX);
	OK(load_text(text, n, &rs, &err) < 0 && strstr(err.text, want),
	    "limits: rule %d is refused (%s)", RULES_MAX + 1, err.text);
	n -= strlen("if sender is a then stop\n");
	OK(load_text(text, n, &rs, &err) == 0 && rules_count(rs) == RULES_MAX,
	    "limits: %d rules load", RULES_MAX);
	rules_free(rs);

	/* more words than RULES_WORDS_MAX in one rule */
	n = (size_t)sprintf(text, "if sender is a\n");
	for (i = 0; i < RULES_WORDS_MAX / 4; i++)
		n += (size_t)sprintf(text + n, "  and header X exists\n");
	n += (size_t)sprintf(text + n, "  then stop\n");
	OK(load_text(text, n, &rs, &err) < 0 && strstr(err.text,
	    "rule too long (limit 256 words)") != NULL,
	    "limits: too many words (%s)", err.text);
	free(text);

	/* a directory named x.rules */
	dir = fresh("one");
	snprintf(want, sizeof(want), "%s/d.rules", dir);
	mkdir(want, 0700);
	OK(rules_load(&dir, 1, &rs, &err) < 0 && strstr(err.text,
	    "d.rules: not a regular file") != NULL,
	    "limits: a directory named *.rules (%s)", err.text);
}

/* test_order - name order within, directory order across, replacement */
static void
test_order(void)
{
	const char *dirs[5];
	struct pd_rules *rs;
	struct pd_err err;
	struct rules_input in = {"a@x", "s@x", NULL, 0};
	struct rules_result res;
	char want[1024];

	dirs[0] = fresh("shipped");
	dirs[1] = "";
	dirs[2] = NULL;
	dirs[3] = fresh("site");
	dirs[4] = "/nonexistent/postdesk/rules";
	put(dirs[0], "20-b.rules", "if sender is a@x then queue b tag b\n", 36);
	put(dirs[0], "10-a.rules", "\nif sender is a@x then queue a tag a\n",
	    37);
	put(dirs[0], "30-c.rules", "if sender is a@x then queue c tag c\n", 36);
	put(dirs[0], "90-x.rules.example", "garbage\n", 8);
	put(dirs[0], ".hidden.rules", "garbage\n", 8);
	put(dirs[0], "README", "garbage\n", 8);
	put(dirs[0], ".rules", "garbage\n", 8);
	put(dirs[3], "05-s.rules", "if sender is a@x then queue s tag s\n", 36);
	put(dirs[3], "30-c.rules", "", 0);	/* switches the shipped off */
	OK(rules_load(dirs, 5, &rs, &err) == 0, "order: loads, skipping "
	    "other names, \"\", NULL and a missing directory (%s)", err.text);
	rules_match(rs, &in, &res);
	IS_STR(summary(&res), "queue=s tags=a,b,s fired=2,1,1", "order: "
	    "name order in a directory, then the next directory; a same-named "
	    "file replaces the shipped one");
	snprintf(want, sizeof(want), "%s/10-a.rules:2 %s/20-b.rules:1 "
	    "%s/05-s.rules:1", dirs[0], dirs[0], dirs[3]);
	{
		char got[1024];

		snprintf(got, sizeof(got), "%s %s %s", res.fired[0],
		    res.fired[1], res.fired[2]);
		IS_STR(got, want, "order: labels name the files");
	}
	rules_free(rs);

	put(dirs[3], "30-c.rules", "if sender is a@x then queue z\n", 30);
	OK(rules_load(dirs, 5, &rs, &err) == 0, "order: replacement loads");
	rules_match(rs, &in, &res);
	IS_STR(summary(&res), "queue=z tags=a,b,s fired=2,1,1,1",
	    "order: the replacement is read in its own directory's order");
	rules_free(rs);
	OK(rules_load(NULL, 0, &rs, &err) == 0 && rules_count(rs) == 0,
	    "order: no directories is an empty set");
	rules_free(rs);
}

struct collect {
	int	n;
	char	lines[40][600];
};

/* collect - the report callback of rules_check() for the tests */
static void
collect(const char *problem, void *arg)
{
	struct collect *c = arg;

	if (c->n < 40)
		snprintf(c->lines[c->n], sizeof(c->lines[0]), "%s", problem);
	c->n++;
}

/* test_check - rules_check() reports every problem, load the first */
static void
test_check(void)
{
	static const char text[] =
	    "if sender is a then tag ok\n"		/* 1 fine */
	    "if sender is a then frob\n"		/* 2 */
	    "if header S regex \"(\" then tag x\n"	/* 3 */
	    "# fine\n"
	    "if sender is a\n"				/* 5 */
	    "  then tag ok\n"
	    "if header S > x then tag y\n"		/* 7 */
	    "if sender is a then tag also-ok\n";	/* 8 fine */
	const char *dir;
	struct collect c;
	struct pd_rules *rs;
	struct pd_err err;
	char want[600], *buf;
	size_t n, i;
	int got;

	dir = fresh("one");
	put(dir, "t.rules", text, strlen(text));
	memset(&c, 0, sizeof(c));
	got = rules_check(&dir, 1, collect, &c);
	IS_INT(got, 3, "check: three problems counted");
	IS_INT(c.n, 3, "check: three problems reported");
	snprintf(want, sizeof(want), "%s/t.rules:2: unknown keyword", dir);
	OK(strncmp(c.lines[0], want, strlen(want)) == 0, "check: line 2 (%s)",
	    c.lines[0]);
	snprintf(want, sizeof(want), "%s/t.rules:3: bad regex", dir);
	OK(strncmp(c.lines[1], want, strlen(want)) == 0, "check: line 3 (%s)",
	    c.lines[1]);
	snprintf(want, sizeof(want), "%s/t.rules:7: bad number", dir);
	OK(strncmp(c.lines[2], want, strlen(want)) == 0, "check: line 7 (%s)",
	    c.lines[2]);
	OK(rules_load(&dir, 1, &rs, &err) < 0 && strcmp(err.text,
	    c.lines[0]) == 0, "check: rules_load fails with the first one");

	/* a second file's problems are reported too */
	put(dir, "u.rules", "if x\n", 5);
	memset(&c, 0, sizeof(c));
	IS_INT(rules_check(&dir, 1, collect, &c), 4, "check: both files");
	OK(c.n == 4 && strstr(c.lines[3], "/u.rules:1: ") != NULL,
	    "check: names the second file (%s)", c.lines[3]);

	/* a file of only errors: reports stop after a while, with a note */
	buf = malloc(100 * 40);
	for (n = 0, i = 0; i < 60; i++)
		n += (size_t)sprintf(buf + n, "bad %zu\n", i);
	dir = fresh("one");
	put(dir, "t.rules", buf, n);
	memset(&c, 0, sizeof(c));
	got = rules_check(&dir, 1, collect, &c);
	OK(got >= 25 && c.n == 26 && strstr(c.lines[25], "too many problems"),
	    "check: a garbage file gives 25 problems and a note (%d, %d)",
	    got, c.n);
	free(buf);

	/* a clean directory */
	dir = fresh("one");
	put(dir, "t.rules", "if sender is a then tag x\n", 26);
	memset(&c, 0, sizeof(c));
	IS_INT(rules_check(&dir, 1, collect, &c), 0, "check: clean is 0");
}

/* test_garbage - random bytes and random words never crash the loader */
static void
test_garbage(void)
{
	static const char *words[] = {
		"if", "then", "and", "not", "header", "sender", "recipient",
		"X", "is", "glob", "regex", "contains", "exists", "nocase",
		">", ">=", "8", "-1.5", "\"a b\"", "\"(\"", "\"[\"", "\"*\"",
		"queue", "q", "tag", "t", "priority", "high", "status", "spam",
		"assign", "a@b", "skip-notify", "drop", "stop", "#", "\"",
		"\n", "\n", "\n  ", "\n\t", "\\", "\xc3\xa9", "\xff", "\x01",
	};
	static char buf[8192];
	unsigned long seed = 12345;
	struct pd_rules *rs;
	struct pd_err err;
	struct collect c;
	const char *dir;
	size_t n, i, len, k;
	int bad = 0, agree = 1, fired = 0, loaded;

	for (i = 0; i < 300; i++) {
		n = 0;
		len = (seed = seed * 1103515245 + 12345) >> 16 & 2047;
		for (k = 0; k < len && n < sizeof(buf) - 16; k++) {
			seed = seed * 1103515245 + 12345;
			if (i % 3 == 0)
				buf[n++] = (char)(seed >> 16);
			else
				n += (size_t)sprintf(buf + n, "%s ",
				    words[(seed >> 16) % NELEM(words)]);
		}
		dir = fresh("one");
		put(dir, "t.rules", buf, n);
		memset(&c, 0, sizeof(c));
		loaded = rules_load(&dir, 1, &rs, &err) == 0;
		if (loaded != (rules_check(&dir, 1, collect, &c) == 0))
			agree = 0;
		if (loaded) {
			struct rules_header h = {"X", "8.5"};
			struct rules_input in = {"a@b", "q@b", &h, 1};
			struct rules_result res;

			fired += rules_match(rs, &in, &res);
		} else
			bad++;
		rules_free(rs);
	}
	OK(agree, "garbage: rules_check agrees with rules_load on 300 files "
	    "(%d refused, %d loaded rule sets fired)", bad, fired);
	OK(bad > 0, "garbage: random files are refused, not crashed on");
}

struct scase {
	const char *label;
	const char *sender;
	const char *rcpt;
	const char *headers;
	const char *want;	/* summary() minus fired= */
};

/* What the comments of the shipped files promise. */
static const struct scase shipped[] = {
	{"a customer's mail: nothing", "jane@customer.example",
	    "support@example.com", "From: Jane <jane@customer.example>\n"
	    "Subject: printer on fire\nContent-Type: text/plain\n", ""},
	{"10: Auto-Submitted: auto-replied", "jane@c.example", "s@x",
	    "Auto-Submitted: auto-replied\n", "tags=autoreply skip"},
	{"10: Auto-Submitted: auto-generated; owner", "jane@c.example", "s@x",
	    "Auto-Submitted: auto-generated; owner-email=x@y\n",
	    "tags=autoreply skip"},
	{"10: Auto-Submitted: no", "jane@c.example", "s@x",
	    "Auto-Submitted: no\n", ""},
	{"10: Auto-Submitted: No (a person)", "jane@c.example", "s@x",
	    "Auto-Submitted: No (typed by hand)\n", ""},
	{"10: X-Autoreply", "jane@c.example", "s@x", "X-Autoreply: yes\n",
	    "tags=autoreply skip"},
	{"10: X-Autorespond", "jane@c.example", "s@x", "X-Autorespond: x\n",
	    "tags=autoreply skip"},
	{"10: X-Auto-Response-Suppress", "jane@c.example", "s@x",
	    "X-Auto-Response-Suppress: All\n", "tags=autoreply skip"},
	{"10: Precedence: bulk", "news@c.example", "s@x",
	    "Precedence: bulk\n", "tags=bulk skip"},
	{"10: Precedence: Junk", "news@c.example", "s@x",
	    "Precedence: Junk\n", "tags=bulk skip"},
	{"10: Precedence: list", "news@c.example", "s@x",
	    "Precedence: list\n", "tags=bulk skip"},
	{"10: Precedence: first-class", "news@c.example", "s@x",
	    "Precedence: first-class\n", ""},
	{"10: a foreign X-Loop", "jane@c.example", "s@x",
	    "X-Loop: procmail@c.example\n", "tags=loop skip"},
	{"20: null sender \"\"", "", "s@x", "", "tags=bounce skip"},
	{"20: null sender <>", "<>", "s@x", "", "tags=bounce skip"},
	{"20: MAILER-DAEMON", "MAILER-DAEMON", "s@x", "", "tags=bounce skip"},
	{"20: From mailer-daemon", "bounces+x@relay.example", "s@x",
	    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n",
	    "tags=bounce skip"},
	{"20: multipart/report", "x@relay.example", "s@x",
	    "Content-Type: Multipart/Report; report-type=delivery-status\n",
	    "tags=bounce skip"},
	{"30: X-Spam-Flag: YES", "x@spam.example", "s@x",
	    "X-Spam-Flag: YES\n", "status=spam tags=spam skip"},
	{"30: X-Spam-Flag: NO", "x@c.example", "s@x", "X-Spam-Flag: NO\n",
	    ""},
	{"30: X-Spam-Status: Yes, score=", "x@spam.example", "s@x",
	    "X-Spam-Status: Yes, score=9.1 required=5.0 tests=A,B\n",
	    "status=spam tags=spam skip"},
	{"30: X-Spam-Status: No, score=", "x@c.example", "s@x",
	    "X-Spam-Status: No, score=-0.50\n", ""},
	{"30: X-Spam: Yes", "x@spam.example", "s@x", "X-Spam: Yes\n",
	    "status=spam tags=spam skip"},
	{"30: X-Rspamd-Score over 8", "x@spam.example", "s@x",
	    "X-Rspamd-Score: 12.314971\n", "status=spam tags=spam skip"},
	{"30: X-Rspamd-Score 8.5 is over", "x@spam.example", "s@x",
	    "X-Rspamd-Score: 8.5\n", "status=spam tags=spam skip"},
	{"30: X-Rspamd-Score 8 is not over", "x@c.example", "s@x",
	    "X-Rspamd-Score: 8\n", ""},
	{"30: X-Rspamd-Score negative", "x@c.example", "s@x",
	    "X-Rspamd-Score: -0.889991\n", ""},
	{"90 is only an example: billing@ untouched", "jane@c.example",
	    "billing@example.com", "", ""},
	{"several: a spam bounce", "", "s@x",
	    "X-Spam-Flag: YES\nContent-Type: multipart/report\n",
	    "status=spam tags=bounce,spam skip"},
};

/* What the departments example promises, once copied into place. */
static const struct scase departments[] = {
	{"90: billing@", "jane@c.example", "Billing@Example.com", "",
	    "queue=billing"},
	{"90: sales@", "jane@c.example", "sales@example.com", "",
	    "queue=sales tags=presales"},
	{"90: urgent@", "jane@c.example", "urgent@example.com", "",
	    "queue=support priority=urgent assign=oncall@example.com"},
	{"90: support@ stays", "jane@c.example", "support@example.com", "",
	    ""},
	{"90: supplier invoices stop", "ar@invoices.supplier.example",
	    "support@example.com", "Subject: Invoice 2026-11\n",
	    "queue=billing tags=invoice stop"},
	{"90: monitoring test mail is dropped", "monitor@example.com",
	    "support@example.com", "Subject: postdesk delivery test\n",
	    "drop stop"},
	{"90: other mail from monitoring is kept", "monitor@example.com",
	    "support@example.com", "Subject: disk full\n", ""},
};

/* strip_fired - the summary without " fired=..." */
static const char *
strip_fired(const char *s)
{
	static char out[1024];
	char *f;

	snprintf(out, sizeof(out), "%s", s);
	if ((f = strstr(out, "fired=")) != NULL) {
		*f = '\0';
		if (f > out && f[-1] == ' ')
			f[-1] = '\0';
	}
	return out;
}

/* test_shipped - the files in filters/ load cleanly and keep promises */
static void
test_shipped(void)
{
	const char *top = getenv("top_srcdir");
	char fdir[512], path[600], text[16384];
	const char *dirs[2];
	struct collect c;
	struct pd_rules *rs;
	struct pd_err err;
	FILE *fp;
	size_t i, n;

	snprintf(fdir, sizeof(fdir), "%s/filters",
	    top != NULL && *top != '\0' ? top : "/work/main");
	dirs[0] = fdir;
	memset(&c, 0, sizeof(c));
	IS_INT(rules_check(dirs, 1, collect, &c), 0, "shipped: %s has no "
	    "problems%s%s", fdir, c.n ? ": " : "", c.n ? c.lines[0] : "");
	if (rules_load(dirs, 1, &rs, &err) < 0) {
		OK(0, "shipped: loads (%s)", err.text);
		return;
	}
	OK(rules_count(rs) >= 12, "shipped: %zu rules", rules_count(rs));
	for (i = 0; i < NELEM(shipped); i++)
		IS_STR(strip_fired(run(rs, shipped[i].sender, shipped[i].rcpt,
		    shipped[i].headers)), shipped[i].want, "shipped: %s",
		    shipped[i].label);
	rules_free(rs);

	/* the example, installed by an operator under a .rules name */
	snprintf(path, sizeof(path), "%s/90-departments.rules.example", fdir);
	if ((fp = fopen(path, "r")) == NULL) {
		OK(0, "shipped: %s exists", path);
		return;
	}
	n = fread(text, 1, sizeof(text), fp);
	fclose(fp);
	dirs[1] = fresh("site");
	put(dirs[1], "90-departments.rules", text, n);
	memset(&c, 0, sizeof(c));
	IS_INT(rules_check(dirs, 2, collect, &c), 0, "shipped: the example "
	    "has no problems%s%s", c.n ? ": " : "", c.n ? c.lines[0] : "");
	if (rules_load(dirs, 2, &rs, &err) < 0) {
		OK(0, "shipped: example loads (%s)", err.text);
		return;
	}
	for (i = 0; i < NELEM(departments); i++)
		IS_STR(strip_fired(run(rs, departments[i].sender,
		    departments[i].rcpt, departments[i].headers)),
		    departments[i].want, "shipped: %s", departments[i].label);
	rules_free(rs);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmp, sizeof(tmp), "%s/t_rules.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmp) == NULL) {
		perror(tmp);
		return 99;
	}
	test_match();
	test_details();
	test_errors();
	test_limits();
	test_order();
	test_check();
	test_garbage();
	test_shipped();
	rmtree(tmp);
	return tap_done();
}

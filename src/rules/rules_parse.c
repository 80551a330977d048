/*
 * rules_parse.c - read rule files into a struct pd_rules; see rules.h
 *
 * Reading happens in three steps. list_dir() lists the *.rules files of
 * each directory and sorts them by name (strcmp, not the locale's order,
 * so the order never depends on the environment); a file is skipped when
 * a later directory has one of the same name (replaced()), which is how an
 * operator replaces or switches off a shipped file. load_file() reads one
 * file whole (at most RULES_FILE_MAX bytes), refuses binary data, and cuts
 * it into physical lines; a line that starts in column 1 opens a rule, a
 * line that starts with white space continues it, blank and "#" lines are
 * skipped. Each line is split into words (bare, or "quoted"), remembered
 * with their line number. rule_parse() then turns the words of one rule
 * into conditions and actions, compiling regular expressions on the way.
 *
 * Every problem goes to one function, problem(), as "FILE:LINE: reason",
 * and reading goes on with the next rule: rules_check() wants them all.
 * rules_load() keeps the first and throws the set away if there was any.
 * After RULES_ERRORS_MAX problems in one file the rest of it is skipped.
 *
 * Bounds (rules.h) are checked where the data comes in, before anything
 * is allocated from it; nothing read from a file is trusted to be text,
 * short, or well formed.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xalloc.h"
#include "rules/rules.h"
#include "rules/rules_int.h"

#define RULES_ERRORS_MAX 25	/* problems reported per file */
#define RULES_NAME_MAX	64	/* queue, status and tag names */
#define RULES_FIELD_MAX	128	/* header field names */
#define RULES_ADDR_MAX	254	/* agent addresses */

/* One word of a rule, as written. */
struct word {
	char	*text;
	int	quoted;		/* written in double quotes: never a keyword */
	int	line;
};

/* The state of reading one rule set. */
struct loader {
	struct pd_rules *rules;
	void	(*report)(const char *, void *);
	void	*arg;
	int	nproblems;
	int	full;		/* RULES_MAX reached and reported */
	const char *file;	/* the file being read */
	int	file_problems;
	struct word *words;	/* the open rule: RULES_WORDS_MAX of them */
	size_t	nwords;
	int	rule_line;	/* its first line; 0 when no rule is open */
	int	broken;		/* a problem was reported for it */
};

/* The rule files of one directory, sorted by name. */
struct dirlist {
	char	**names;
	size_t	n;
};

/* The first problem, for rules_load(). */
struct first {
	struct pd_err *err;
	int	have;
};

static void problem(struct loader *, int, const char *, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct loader *, int, const char *, ...)
	__attribute__((format(printf, 3, 4)));
static void first_problem(const char *, void *);
static int load_all(const char *const *, size_t, struct pd_rules **,
	    void (*)(const char *, void *), void *);
static void list_dir(struct loader *, const char *, struct dirlist *);
static int replaced(const struct dirlist *, size_t, size_t, const char *);
static int name_cmp(const void *, const void *);
static int file_name_ok(const char *);
static void load_file(struct loader *, const char *);
static int read_file(struct loader *, const char *, char **, size_t *);
static void load_text(struct loader *, const char *, size_t);
static int line_kind(const char *, size_t);
static void line_broken(struct loader *, int, int);
static int line_ok(struct loader *, const char *, size_t, int);
static int utf8_len(const unsigned char *, size_t);
static void split_line(struct loader *, const char *, size_t, int, int);
static void add_word(struct loader *, const char *, size_t, int, int);
static void rule_open(struct loader *, int);
static void rule_close(struct loader *);
static int rule_parse(struct loader *, struct rules_rule *);
static int cond_parse(struct loader *, size_t *, struct rules_cond *);
static int value_parse(struct loader *, size_t *, struct rules_cond *,
	    const char *);
static int regex_compile(struct loader *, const struct word *,
	    struct rules_cond *);
static int action_parse(struct loader *, size_t *, struct rules_action *,
	    unsigned *);
static int name_ok(const char *);
static int addr_ok(const char *);
static int field_ok(const char *);
static int is_kw(const struct word *, const char *);
static void rule_clear(struct rules_rule *);

/* Comparisons, as written after the subject. */
static const struct {
	const char *word;
	int	op;
} ops[] = {
	{"exists", RO_EXISTS}, {"is", RO_IS}, {"contains", RO_CONTAINS},
	{"glob", RO_GLOB}, {"regex", RO_REGEX}, {">", RO_GT}, {">=", RO_GE},
	{"<", RO_LT}, {"<=", RO_LE}, {"=", RO_EQ},
};

/* What a physical line does. */
enum { LINE_SKIP = 0, LINE_START, LINE_MORE };

/* What an action's argument must look like. */
enum { ARG_NONE = 0, ARG_NAME, ARG_PRIORITY, ARG_ADDR };

static const struct {
	const char *word;
	int	kind;
	int	arg;
} acts[] = {
	{"queue", RA_QUEUE, ARG_NAME}, {"department", RA_QUEUE, ARG_NAME},
	{"priority", RA_PRIORITY, ARG_PRIORITY},
	{"status", RA_STATUS, ARG_NAME},
	{"tag", RA_TAG, ARG_NAME}, {"assign", RA_ASSIGN, ARG_ADDR},
	{"skip-notify", RA_SKIP_NOTIFY, ARG_NONE}, {"drop", RA_DROP, ARG_NONE},
	{"stop", RA_STOP, ARG_NONE},
};

static const char *priorities[] = {"low", "normal", "high", "urgent", NULL};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* problem - report one problem of the current file at line (0: none) */
static void
problem(struct loader *ld, int line, const char *fmt, ...)
{
	char reason[320];
	char *msg;
	va_list ap;

	ld->nproblems++;
	if (++ld->file_problems > RULES_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (line > 0)
		msg = xasprintf("%s:%d: %s", ld->file, line, reason);
	else
		msg = xasprintf("%s: %s", ld->file, reason);
	ld->report(msg, ld->arg);
	free(msg);
	if (ld->file_problems == RULES_ERRORS_MAX) {
		msg = xasprintf("%s: too many problems; the rest of the file "
		    "is not checked", ld->file);
		ld->report(msg, ld->arg);
		free(msg);
	}
}

/* bad - problem() that returns -1, for the parser */
static int
bad(struct loader *ld, int line, const char *fmt, ...)
{
	char reason[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	problem(ld, line, "%s", reason);
	return -1;
}

/* first_problem - keep the first problem in a struct pd_err */
static void
first_problem(const char *text, void *arg)
{
	struct first *f = arg;

	if (!f->have)
		err_set(f->err, PD_ECONFIG, "%s", text);
	f->have = 1;
}

/* rules_load - read the rule set; fail at any problem */
int
rules_load(const char *const *dirs, size_t ndirs, struct pd_rules **out,
    struct pd_err *err)
{
	struct first f = {err, 0};
	struct pd_rules *rules;

	*out = NULL;
	err_clear(err);
	if (load_all(dirs, ndirs, &rules, first_problem, &f) > 0) {
		rules_free(rules);
		return -1;
	}
	*out = rules;
	return 0;
}

/* rules_check - read the rule set; report every problem */
int
rules_check(const char *const *dirs, size_t ndirs,
    void (*report)(const char *, void *), void *arg)
{
	struct pd_rules *rules;
	int n;

	n = load_all(dirs, ndirs, &rules, report, arg);
	rules_free(rules);
	return n;
}

/* load_all - read every directory; returns the number of problems */
static int
load_all(const char *const *dirs, size_t ndirs, struct pd_rules **out,
    void (*report)(const char *, void *), void *arg)
{
	struct loader ld;
	struct dirlist *dl;
	char *path;
	const char *dir;
	size_t i, k;

	memset(&ld, 0, sizeof(ld));
	ld.rules = xcalloc(1, sizeof(*ld.rules));
	ld.report = report;
	ld.arg = arg;
	ld.words = xcalloc(RULES_WORDS_MAX, sizeof(*ld.words));
	if (dirs == NULL)
		ndirs = 0;
	dl = xcalloc(ndirs + 1, sizeof(*dl));
	for (i = 0; i < ndirs; i++)
		list_dir(&ld, dirs[i], &dl[i]);
	for (i = 0; i < ndirs; i++) {
		dir = dirs[i];
		for (k = 0; k < dl[i].n; k++) {
			if (!replaced(dl, i + 1, ndirs, dl[i].names[k])) {
				path = xasprintf("%s%s%s", dir,
				    dir[strlen(dir) - 1] == '/' ? "" : "/",
				    dl[i].names[k]);
				load_file(&ld, path);
				free(path);
			}
			free(dl[i].names[k]);
		}
		free(dl[i].names);
	}
	free(dl);
	free(ld.words);
	*out = ld.rules;
	return ld.nproblems;
}

/* list_dir - the sorted *.rules names of one directory; none if missing */
static void
list_dir(struct loader *ld, const char *dir, struct dirlist *dl)
{
	DIR *dp;
	struct dirent *de;

	if (dir == NULL || *dir == '\0')
		return;
	ld->file = dir;
	ld->file_problems = 0;
	if ((dp = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			problem(ld, 0, "cannot open directory: %s",
			    strerror(errno));
		return;
	}
	for (errno = 0; (de = readdir(dp)) != NULL; errno = 0) {
		if (!file_name_ok(de->d_name))
			continue;
		if (dl->n == RULES_FILES_MAX) {
			problem(ld, 0, "more than %d rule files",
			    RULES_FILES_MAX);
			break;
		}
		dl->names = xrealloc(dl->names, (dl->n + 1) *
		    sizeof(*dl->names));
		dl->names[dl->n++] = xstrdup(de->d_name);
	}
	if (de == NULL && errno != 0)
		problem(ld, 0, "cannot read directory: %s", strerror(errno));
	closedir(dp);
	if (dl->n > 0)
		qsort(dl->names, dl->n, sizeof(*dl->names), name_cmp);
}

/* replaced - a later directory has a file of this name: it replaces ours */
static int
replaced(const struct dirlist *dl, size_t from, size_t ndirs,
    const char *name)
{
	size_t j;

	for (j = from; j < ndirs; j++)
		if (dl[j].n > 0 && bsearch(&name, dl[j].names, dl[j].n,
		    sizeof(*dl[j].names), name_cmp) != NULL)
			return 1;
	return 0;
}

/* name_cmp - byte order of two file names, for qsort */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* file_name_ok - "x.rules", not hidden */
static int
file_name_ok(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 6 &&
	    strcmp(name + len - 6, ".rules") == 0;
}

/* load_file - read one rule file into the set */
static void
load_file(struct loader *ld, const char *path)
{
	char *text = NULL;
	size_t len = 0;

	ld->file = path;
	ld->file_problems = 0;
	if (read_file(ld, path, &text, &len) < 0)
		return;
	load_text(ld, text, len);
	free(text);
}

/* read_file - the whole file, bounded; -1 after reporting a problem */
static int
read_file(struct loader *ld, const char *path, char **textp, size_t *lenp)
{
	struct stat st;
	char *text;
	size_t len = 0, cap;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO named x.rules must not hang the filter. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return bad(ld, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return bad(ld, 0, "cannot stat: %s", strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return bad(ld, 0, "not a regular file");
	}
	if (st.st_size > RULES_FILE_MAX) {
		close(fd);
		return bad(ld, 0, "file too large (limit %d bytes)",
		    RULES_FILE_MAX);
	}
	/* st_size is a hint: the file may change while we read it */
	cap = (size_t)st.st_size + 1;
	text = xmalloc(cap + 1);
	while ((n = read(fd, text + len, cap - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			free(text);
			return bad(ld, 0, "read error: %s", strerror(errno));
		}
		len += (size_t)n;
		if (len > RULES_FILE_MAX) {
			close(fd);
			free(text);
			return bad(ld, 0, "file too large (limit %d bytes)",
			    RULES_FILE_MAX);
		}
		if (len == cap) {
			cap = cap * 2 > RULES_FILE_MAX + 1 ?
			    RULES_FILE_MAX + 1 : cap * 2;
			text = xrealloc(text, cap + 1);
		}
	}
	close(fd);
	text[len] = '\0';
	*textp = text;
	*lenp = len;
	return 0;
}

/* load_text - cut a file into lines, rules into words, words into rules */
static void
load_text(struct loader *ld, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *nul;
	size_t n;
	int line = 0, kind;

	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (p = text; p < nul; p++)
			if (*p == '\n')
				line++;
		problem(ld, line + 1, "NUL byte: not a text file; "
		    "file ignored");
		return;
	}
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;			/* a UTF-8 byte order mark */
	for (; p < end && ld->file_problems < RULES_ERRORS_MAX; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		kind = line_kind(p, n);
		if (n > RULES_LINE_MAX) {
			problem(ld, line, "line too long (limit %d bytes)",
			    RULES_LINE_MAX);
			line_broken(ld, kind, line);
		} else if (!line_ok(ld, p, n, line))
			line_broken(ld, kind, line);
		else
			split_line(ld, p, n, line, kind);
	}
	rule_close(ld);
}

/* line_kind - LINE_SKIP (blank, comment), LINE_START or LINE_MORE */
static int
line_kind(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	if (i == n || p[i] == '#')
		return LINE_SKIP;
	return i == 0 ? LINE_START : LINE_MORE;
}

/* line_broken - after a bad line: the rule it starts or continues is lost */
static void
line_broken(struct loader *ld, int kind, int line)
{
	if (kind == LINE_START)
		rule_open(ld, line);
	if (kind != LINE_SKIP && ld->rule_line != 0)
		ld->broken = 1;
}

/* line_ok - 1 when a line is UTF-8 text without control characters */
static int
line_ok(struct loader *ld, const char *s, size_t n, int line)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int k;

	while (i < n) {
		if (p[i] < 0x20 && p[i] != '\t') {
			problem(ld, line, "control character 0x%02x", p[i]);
			return 0;
		}
		if (p[i] == 0x7f) {
			problem(ld, line, "control character 0x7f");
			return 0;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_len(p + i, n - i)) == 0) {
			problem(ld, line, "invalid UTF-8");
			return 0;
		}
		i += (size_t)k;
	}
	return 1;
}

/* utf8_len - length of the well-formed UTF-8 sequence at p, 0 if none */
static int
utf8_len(const unsigned char *p, size_t n)
{
	unsigned cp;
	int k, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < (size_t)k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return k;
}

/* split_line - add the words of one physical line to the open rule */
static void
split_line(struct loader *ld, const char *p, size_t n, int line, int kind)
{
	const char *end = p + n, *start;
	char *val;
	size_t len;

	if (kind == LINE_SKIP)
		return;
	if (kind == LINE_START)
		rule_open(ld, line);
	else if (ld->rule_line == 0) {
		problem(ld, line, "line starts with white space but no rule "
		    "is open (a rule starts in column 1)");
		return;
	}
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || *p == '#')
			return;
		if (*p != '"') {
			for (start = p; p < end && *p != ' ' && *p != '\t';
			    p++)
				if (*p == '"')
					goto quote_inside;
			add_word(ld, start, (size_t)(p - start), 0, line);
			continue;
		}
		/* "...": \" and \\ are escapes, any other \ is kept */
		val = xmalloc((size_t)(end - p));
		for (len = 0, p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end &&
			    (p[1] == '"' || p[1] == '\\'))
				p++;
			val[len++] = *p;
		}
		if (p == end) {
			free(val);
			if (!ld->broken)
				problem(ld, line, "unterminated quoted string");
			ld->broken = 1;
			return;
		}
		p++;
		if (p < end && *p != ' ' && *p != '\t') {
			free(val);
			goto quote_inside;
		}
		add_word(ld, val, len, 1, line);
		free(val);
	}
quote_inside:
	if (!ld->broken)
		problem(ld, line, "a quote must start or end a word");
	ld->broken = 1;
}

/* add_word - append one word to the open rule */
static void
add_word(struct loader *ld, const char *s, size_t len, int quoted, int line)
{
	struct word *w;

	if (ld->broken)
		return;
	if (ld->nwords == RULES_WORDS_MAX) {
		problem(ld, line, "rule too long (limit %d words)",
		    RULES_WORDS_MAX);
		ld->broken = 1;
		return;
	}
	w = &ld->words[ld->nwords++];
	w->text = xstrndup(s, len);
	w->quoted = quoted;
	w->line = line;
}

/* rule_open - close the open rule and start one at line */
static void
rule_open(struct loader *ld, int line)
{
	rule_close(ld);
	ld->rule_line = line;
}

/* rule_close - parse the open rule's words and add the rule to the set */
static void
rule_close(struct loader *ld)
{
	struct pd_rules *rs = ld->rules;
	struct rules_rule r;
	size_t i;

	if (ld->rule_line != 0 && !ld->broken && ld->nwords > 0) {
		memset(&r, 0, sizeof(r));
		if (rule_parse(ld, &r) < 0) {
			rule_clear(&r);
		} else if (rs->nrules == RULES_MAX) {
			if (!ld->full)
				problem(ld, ld->rule_line, "too many rules "
				    "(limit %d)", RULES_MAX);
			ld->full = 1;
			rule_clear(&r);
		} else {
			if (rs->nrules == rs->cap) {
				rs->cap = rs->cap ? rs->cap * 2 : 32;
				rs->rule = xrealloc(rs->rule,
				    rs->cap * sizeof(*rs->rule));
			}
			r.label = xasprintf("%s:%d", ld->file, ld->rule_line);
			rs->rule[rs->nrules++] = r;
		}
	}
	for (i = 0; i < ld->nwords; i++)
		free(ld->words[i].text);
	ld->nwords = 0;
	ld->rule_line = 0;
	ld->broken = 0;
}

/* rule_parse - "if" COND {"and" COND} "then" ACTION {ACTION} */
static int
rule_parse(struct loader *ld, struct rules_rule *r)
{
	const struct word *w = ld->words;
	size_t n = ld->nwords, i = 1;
	unsigned seen = 0;

	if (!is_kw(&w[0], "if"))
		return bad(ld, w[0].line, "unknown keyword \"%.60s\": a rule "
		    "starts with \"if\"", w[0].text);
	for (;;) {
		if (i == n)
			return bad(ld, w[i - 1].line, "missing condition "
			    "after \"%.60s\"", w[i - 1].text);
		r->cond = xrealloc(r->cond, (r->ncond + 1) * sizeof(*r->cond));
		memset(&r->cond[r->ncond], 0, sizeof(*r->cond));
		if (cond_parse(ld, &i, &r->cond[r->ncond++]) < 0)
			return -1;
		if (i == n)
			return bad(ld, w[i - 1].line, "missing \"then\"");
		if (is_kw(&w[i], "and")) {
			i++;
			continue;
		}
		if (is_kw(&w[i], "then"))
			break;
		return bad(ld, w[i].line, "unknown keyword \"%.60s\": "
		    "expected \"and\" or \"then\"", w[i].text);
	}
	if (++i == n)
		return bad(ld, w[i - 1].line, "missing action after \"then\"");
	while (i < n) {
		r->act = xrealloc(r->act, (r->nact + 1) * sizeof(*r->act));
		memset(&r->act[r->nact], 0, sizeof(*r->act));
		if (action_parse(ld, &i, &r->act[r->nact++], &seen) < 0)
			return -1;
	}
	return 0;
}

/* cond_parse - ["not"] SUBJECT TEST, starting at words[*ip] */
static int
cond_parse(struct loader *ld, size_t *ip, struct rules_cond *c)
{
	const struct word *w = ld->words;
	size_t n = ld->nwords, i = *ip, k;

	if (is_kw(&w[i], "not")) {
		c->negate = 1;
		if (++i == n)
			return bad(ld, w[i - 1].line, "missing condition "
			    "after \"not\"");
	}
	if (is_kw(&w[i], "sender"))
		c->subject = RS_SENDER;
	else if (is_kw(&w[i], "recipient"))
		c->subject = RS_RECIPIENT;
	else if (is_kw(&w[i], "header")) {
		c->subject = RS_HEADER;
		if (++i == n)
			return bad(ld, w[i - 1].line, "missing field name "
			    "after \"header\"");
		if (!field_ok(w[i].text))
			return bad(ld, w[i].line, "bad header field name "
			    "\"%.60s\"", w[i].text);
		c->header = xstrdup(w[i].text);
	} else
		return bad(ld, w[i].line, "unknown keyword \"%.60s\": expected "
		    "\"sender\", \"recipient\" or \"header\"", w[i].text);
	if (++i == n)
		return bad(ld, w[i - 1].line, "missing comparison after "
		    "\"%.60s\"", w[i - 1].text);
	if (is_kw(&w[i], "nocase")) {
		c->nocase = 1;
		if (++i == n)
			return bad(ld, w[i - 1].line, "missing comparison "
			    "after \"nocase\"");
	}
	for (k = 0; k < NELEM(ops) && !is_kw(&w[i], ops[k].word); k++)
		;
	if (k == NELEM(ops))
		return bad(ld, w[i].line, "unknown keyword \"%.60s\": expected "
		    "is, contains, glob, regex, exists, >, >=, <, <= or =",
		    w[i].text);
	c->op = ops[k].op;
	if (c->op == RO_EXISTS && c->subject != RS_HEADER)
		return bad(ld, w[i].line, "\"exists\" applies to header "
		    "fields only");
	if (c->nocase && (c->op == RO_EXISTS || c->op >= RO_GT))
		return bad(ld, w[i].line, "\"nocase\" does not apply to "
		    "\"%s\"", ops[k].word);
	i++;
	if (c->op != RO_EXISTS && value_parse(ld, &i, c, ops[k].word) < 0)
		return -1;
	*ip = i;
	return 0;
}

/* value_parse - the operand of a comparison: a number, text or regex */
static int
value_parse(struct loader *ld, size_t *ip, struct rules_cond *c,
    const char *op)
{
	const struct word *w = &ld->words[*ip];
	const char *end;

	if (*ip == ld->nwords)
		return bad(ld, w[-1].line, "missing value after \"%s\"", op);
	(*ip)++;
	if (c->op >= RO_GT) {
		if (rules_number(w->text, &c->number, &end) < 0 ||
		    *end != '\0' || w->text[0] == ' ' || w->text[0] == '\t')
			return bad(ld, w->line, "bad number \"%.60s\"",
			    w->text);
		return 0;
	}
	c->value = xstrdup(w->text);
	if (c->op == RO_REGEX)
		return regex_compile(ld, w, c);
	return 0;
}

/* regex_compile - compile a condition's regex; no back-references */
static int
regex_compile(struct loader *ld, const struct word *w, struct rules_cond *c)
{
	char msg[160];
	const char *p;
	int rc;

	/* back-references can take exponential time on a hostile header */
	for (p = w->text; *p != '\0'; p++)
		if (p[0] == '\\' && p[1] >= '1' && p[1] <= '9')
			return bad(ld, w->line, "bad regex \"%.60s\": "
			    "back-references are not supported", w->text);
		else if (p[0] == '\\' && p[1] != '\0')
			p++;
	rc = regcomp(&c->re, w->text, REG_EXTENDED | REG_NOSUB |
	    (c->nocase ? REG_ICASE : 0));
	if (rc != 0) {
		regerror(rc, &c->re, msg, sizeof(msg));
		return bad(ld, w->line, "bad regex \"%.60s\": %s", w->text,
		    msg);
	}
	c->have_re = 1;
	return 0;
}

/* action_parse - one action and its argument, starting at words[*ip] */
static int
action_parse(struct loader *ld, size_t *ip, struct rules_action *a,
    unsigned *seen)
{
	const struct word *w = &ld->words[*ip];
	size_t k, j;

	for (k = 0; k < NELEM(acts) && !is_kw(w, acts[k].word); k++)
		;
	if (k == NELEM(acts))
		return bad(ld, w->line, "unknown keyword \"%.60s\": expected "
		    "an action (queue, department, priority, status, tag, "
		    "assign, skip-notify, drop or stop)", w->text);
	a->kind = acts[k].kind;
	if (a->kind != RA_TAG && (*seen & (1u << a->kind)))
		return bad(ld, w->line, "\"%s\" given twice in one rule",
		    acts[k].word);
	*seen |= 1u << a->kind;
	(*ip)++;
	if (acts[k].arg == ARG_NONE)
		return 0;
	if (*ip == ld->nwords)
		return bad(ld, w->line, "missing value after \"%s\"",
		    acts[k].word);
	w++;
	(*ip)++;
	switch (acts[k].arg) {
	case ARG_NAME:
		if (!name_ok(w->text))
			return bad(ld, w->line, "bad %s name \"%.60s\": use "
			    "1 to %d lower-case letters, digits, '.', '_' "
			    "or '-'", acts[k].word, w->text, RULES_NAME_MAX);
		break;
	case ARG_PRIORITY:
		for (j = 0; priorities[j] != NULL &&
		    strcmp(w->text, priorities[j]) != 0; j++)
			;
		if (priorities[j] == NULL)
			return bad(ld, w->line, "bad priority \"%.60s\": use "
			    "low, normal, high or urgent", w->text);
		break;
	case ARG_ADDR:
		if (!addr_ok(w->text))
			return bad(ld, w->line, "bad agent address \"%.60s\"",
			    w->text);
		break;
	}
	a->arg = xstrdup(w->text);
	if (a->kind == RA_ASSIGN)
		for (j = 0; a->arg[j] != '\0'; j++)
			if (a->arg[j] >= 'A' && a->arg[j] <= 'Z')
				a->arg[j] += 'a' - 'A';
	return 0;
}

/* name_ok - a queue, status or tag name */
static int
name_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '.' || s[n] == '_' || s[n] == '-'))
			return 0;
	return n >= 1 && n <= RULES_NAME_MAX;
}

/* addr_ok - local@domain, printable ASCII, nothing that needs quoting */
static int
addr_ok(const char *s)
{
	const char *at = strrchr(s, '@');
	size_t n;

	if (at == NULL || at == s || at[1] == '\0' || strchr(s, '@') != at)
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (s[n] <= ' ' || s[n] >= 0x7f || strchr("<>()[],;:\\\"",
		    s[n]) != NULL)
			return 0;
	return n <= RULES_ADDR_MAX;
}

/* field_ok - an RFC 5322 field name: printable ASCII but ':' */
static int
field_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (s[n] <= ' ' || s[n] >= 0x7f || s[n] == ':')
			return 0;
	return n >= 1 && n <= RULES_FIELD_MAX;
}

/* is_kw - the word is this keyword (unquoted, any case) */
static int
is_kw(const struct word *w, const char *kw)
{
	return !w->quoted && strcasecmp(w->text, kw) == 0;
}

/* rule_clear - free what a (maybe half-parsed) rule owns */
static void
rule_clear(struct rules_rule *r)
{
	size_t i;

	for (i = 0; i < r->ncond; i++) {
		free(r->cond[i].header);
		free(r->cond[i].value);
		if (r->cond[i].have_re)
			regfree(&r->cond[i].re);
	}
	for (i = 0; i < r->nact; i++)
		free(r->act[i].arg);
	free(r->cond);
	free(r->act);
	free(r->label);
	memset(r, 0, sizeof(*r));
}

/* rules_count - the number of rules in the set */
size_t
rules_count(const struct pd_rules *rs)
{
	return rs == NULL ? 0 : rs->nrules;
}

/* rules_free - release a rule set; accepts NULL */
struct pd_rules *
rules_free(struct pd_rules *rs)
{
	size_t i;

	if (rs == NULL)
		return NULL;
	for (i = 0; i < rs->nrules; i++)
		rule_clear(&rs->rule[i]);
	free(rs->rule);
	free(rs);
	return NULL;
}

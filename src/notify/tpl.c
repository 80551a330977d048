/*
 * tpl.c - notification templates (see tpl.h for the file format)
 *
 * Exports tpl_load(), tpl_render(), tpl_check(), tpl_events(), tpl_vars(),
 * tpl_path(), tpl_cc(), tpl_bcc(), tpl_uses() and tpl_free().
 *
 * A file is read whole (at most TPL_MAX_SIZE bytes) and parsed in three
 * passes, each of which reports every problem it finds (TPL_MAX_PROBLEMS
 * per file, then gives up) through a callback, so tpl_check() can list
 * them all while tpl_load() keeps the first:
 *
 *   tpl_text     bytes: skip a BOM, CRLF -> LF; NUL, invalid UTF-8, a
 *                stray CR and control characters other than TAB refused
 *   tpl_headers  the header block: Subject, Cc, Bcc, continuation lines
 *   tpl_compile  Subject and body into segments: literal text, or the
 *                index of a placeholder in tpl_var_names[]
 *
 * Rendering joins the segments. Values are the caller's and untrusted
 * (a customer's name or subject): tpl_put() makes them valid UTF-8 and
 * keeps control characters out of the Subject, so a value can never add
 * a line to the header of the mail built from it.
 *
 * Lookup order and language names: tpl.h. A missing file (ENOENT or
 * ENOTDIR on the way) moves to the next candidate; any other failure to
 * read one stops the lookup (PD_ETEMP), so a transient error never makes
 * us pick a different template. This layer never logs.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/utf8.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "tpl.h"

#define TPL_MAX_SIZE	(1024 * 1024)	/* bytes in one template file */
#define TPL_MAX_PROBLEMS 20		/* reported per file, then give up */
#define TPL_LANG_MAX	35		/* characters in a language name */
#define TPL_MAX_LANGS	3		/* LANG, PRIMARY, en */
#define TPL_MAX_CAND	(2 * TPL_MAX_LANGS)	/* files tried by a lookup */
#define TPL_MAX_DIRS	256		/* directories tpl_check() remembers */
#define TPL_SUFFIX	".tpl"
#define TPL_FFFD	"\xef\xbf\xbd"	/* U+FFFD REPLACEMENT CHARACTER */

/* One piece of a Subject or body: literal text, or a placeholder. */
struct tpl_seg {
	const char *text;	/* literal: len bytes (into tpl_part.src) */
	size_t	len;
	int	var;		/* placeholder: tpl_var_names index; else -1 */
};

struct tpl_part {
	char	*src;		/* the text the literal segments point into */
	struct tpl_seg *seg;
	size_t	nseg;
	size_t	aseg;
};

struct tpl {
	char	*t_path;
	char	*t_cc;		/* "" when absent */
	char	*t_bcc;
	struct tpl_part t_subject;
	struct tpl_part t_body;
};

/* Where a parse reports its problems. */
struct tpl_parse {
	const char *path;
	void	(*report)(const char *, int, const char *, void *);
	void	*arg;
	int	problems;
};

/* A header line being collected (tpl_headers). */
struct tpl_hdr {
	const char *name;	/* as it must be spelled in messages */
	struct buf *value;	/* NULL when absent */
	int	line;
};

/* The state of one tpl_check() run. */
struct tpl_checker {
	void	(*report)(const char *, int, const char *, void *);
	void	*arg;
	int	problems;
	dev_t	dev[TPL_MAX_DIRS];	/* directories already scanned */
	ino_t	ino[TPL_MAX_DIRS];
	size_t	ndirs;
};

static const char *const tpl_event_names[] = {
	"customer_new",		/* a new ticket: acknowledgement */
	"customer_reply",	/* an agent's public reply */
	"customer_closed",	/* the ticket was resolved or closed */
	"customer_session",	/* chatdesk out of hours: a ticket session */
	"agent_new",		/* notice to agents: a new ticket */
	"agent_reply",		/* notice to agents: the customer replied */
	"agent_note",		/* notice to agents: a colleague's internal note */
	"agent_result",		/* to an agent: what their mail did */
	"agent_control",	/* to an agent: the control address's answer */
	"agent_bounce",		/* to agents: our mail for a ticket bounced */
	NULL
};

static const char *const tpl_var_names[] = {
	"ticket_id", "ticket_url", "subject", "status", "status_label",
	"customer_name", "customer_email", "agent_name", "message_text",
	"reply_marker", "site_name", "support_address",
	NULL
};

static void tpl_problem(struct tpl_parse *, int, const char *, ...)
	__attribute__((format(printf, 3, 4)));
static int tpl_name_index(const char *const *, const char *, size_t);
static char *tpl_text(struct tpl_parse *, const char *, size_t, size_t *);
static const char *tpl_line_end(const char *);
static char *tpl_trim(char *);
static int tpl_is_blank(int);
static int tpl_is_word(int);
static void tpl_headers(struct tpl_parse *, struct tpl *, const char *,
		    const char **, int *, int *);
static void tpl_header_add(struct tpl_parse *, struct tpl_hdr *, size_t,
		    const char *, size_t, const char *, int);
static void tpl_seg_add(struct tpl_part *, const char *, size_t, int);
static size_t tpl_placeholder(struct tpl_parse *, const char *, int, int *);
static void tpl_compile(struct tpl_parse *, struct tpl_part *, char *, int);
static struct tpl *tpl_parse(struct tpl_parse *, const char *, size_t);
static int tpl_read(const char *, char **, size_t *, struct pd_err *);
static size_t tpl_langs(const char *, char [TPL_MAX_LANGS][TPL_LANG_MAX + 1]);
static size_t tpl_candidates(const char *, const char *, const char *,
		    const char *, char **);
static void tpl_first_problem(const char *, int, const char *, void *);
static void tpl_put(struct buf *, const char *, size_t, int);
static void tpl_check_problem(struct tpl_checker *, const char *, int,
		    const char *);
static void tpl_check_report(const char *, int, const char *, void *);
static void tpl_check_file(struct tpl_checker *, const char *);
static int tpl_check_seen(struct tpl_checker *, const struct stat *);
static void tpl_check_dir(struct tpl_checker *, const char *, int);
static int tpl_namecmp(const void *, const void *);
static void tpl_check_langdirs(const char *, char ***, size_t *);
static int tpl_exists(const char *);

/* tpl_events - the event names, NULL-terminated */
const char *const *
tpl_events(void)
{
	return tpl_event_names;
}

/* tpl_vars - the placeholder names, NULL-terminated */
const char *const *
tpl_vars(void)
{
	return tpl_var_names;
}

/* tpl_problem - report one problem at line (0: the whole file) */
static void
tpl_problem(struct tpl_parse *ps, int line, const char *fmt, ...)
{
	char reason[200];
	va_list ap;

	ps->problems++;
	if (ps->problems > TPL_MAX_PROBLEMS + 1)
		return;
	if (ps->problems == TPL_MAX_PROBLEMS + 1) {
		snprintf(reason, sizeof(reason), "too many problems, "
		    "not reporting more");
		line = 0;
	} else {
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	if (ps->report != NULL)
		ps->report(ps->path, line, reason, ps->arg);
}

/* tpl_name_index - index of the n-byte name s in list, -1 when absent */
static int
tpl_name_index(const char *const *list, const char *s, size_t n)
{
	int i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return i;
	return -1;
}

/*
 * tpl_text - the file as a C string with LF line ends; bad bytes reported
 *
 * Each line reports at most its first problem, so a binary file gives a
 * bounded list. The copy keeps the bad bytes: later passes still run, and
 * the result is not used when anything was reported.
 */
static char *
tpl_text(struct tpl_parse *ps, const char *raw, size_t len, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)raw;
	const unsigned char *end = p + len;
	struct buf *b = buf_new(len);
	int line = 1, bad = 0;
	size_t n;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		if (*p == '\n') {
			buf_addc(b, '\n');
			line++;
			bad = 0;
			p++;
			continue;
		}
		if (*p == '\r' && p + 1 < end && p[1] == '\n') {
			p++;
			continue;
		}
		if (*p < 0x20 && *p != '\t') {
			if (!bad)
				tpl_problem(ps, line, *p == '\0' ? "NUL byte" :
				    *p == '\r' ? "carriage return not "
				    "followed by a line feed" :
				    "control character 0x%02x", *p);
			bad = 1;
			p++;
			continue;
		}
		if (*p == 0x7f || (n = utf8_seq(p, end - p)) == 0) {
			if (!bad)
				tpl_problem(ps, line, *p == 0x7f ?
				    "control character 0x7f" :
				    "invalid UTF-8 (byte 0x%02x)", *p);
			bad = 1;
			p++;
			continue;
		}
		buf_add(b, p, n);
		p += n;
	}
	return buf_export(b, outlen);
}

/* tpl_line_end - the LF or NUL that ends the line at s */
static const char *
tpl_line_end(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl != NULL ? nl : s + strlen(s);
}

/* tpl_is_blank - space or tab */
static int
tpl_is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* tpl_is_word - a character of a placeholder name */
static int
tpl_is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* tpl_trim - remove blanks at both ends, in place */
static char *
tpl_trim(char *s)
{
	size_t skip, n;

	for (skip = 0; tpl_is_blank(s[skip]); skip++)
		;
	n = strlen(s + skip);
	memmove(s, s + skip, n + 1);
	while (n > 0 && tpl_is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* tpl_header_add - one "Name: value" line (name is nlen bytes) */
static void
tpl_header_add(struct tpl_parse *ps, struct tpl_hdr *hdr, size_t nhdr,
    const char *name, size_t nlen, const char *value, int line)
{
	size_t i;

	for (i = 0; i < nhdr; i++)
		if (strlen(hdr[i].name) == nlen &&
		    strncasecmp(hdr[i].name, name, nlen) == 0)
			break;
	if (i == nhdr) {
		tpl_problem(ps, line, "unknown header \"%.*s\" (a template "
		    "has Subject, and may have Cc and Bcc)", (int)(nlen > 60 ?
		    60 : nlen), name);
		return;
	}
	if (hdr[i].value != NULL) {
		tpl_problem(ps, line, "second %s header (the first is at "
		    "line %d)", hdr[i].name, hdr[i].line);
		return;
	}
	hdr[i].value = buf_new(64);
	buf_adds(hdr[i].value, value);
	hdr[i].line = line;
}

/*
 * tpl_headers - parse the header block of text into t
 *
 * Sets *body to the text after the blank line, *bodyline to its line
 * number and *subjline to the line of the Subject header.
 */
static void
tpl_headers(struct tpl_parse *ps, struct tpl *t, const char *text,
    const char **body, int *bodyline, int *subjline)
{
	struct tpl_hdr hdr[] = {
		{ "Subject", NULL, 0 }, { "Cc", NULL, 0 }, { "Bcc", NULL, 0 },
	};
	const size_t nhdr = sizeof(hdr) / sizeof(hdr[0]);
	struct tpl_hdr *last = NULL;
	const char *p = text, *e, *colon;
	char *line_copy;
	int line = 1, rejected = 0;
	size_t i, n;

	*body = NULL;
	for (; *p != '\0'; p = *e ? e + 1 : e, line++) {
		e = tpl_line_end(p);
		if (e == p) {
			*body = e + 1;
			break;
		}
		line_copy = xstrndup(p, e - p);
		if (tpl_is_blank(*p)) {
			/* a folded header line continues the one above */
			if (rejected)
				;	/* that one is reported already */
			else if (last == NULL)
				tpl_problem(ps, line, "continuation line "
				    "without a header above it");
			else {
				buf_addc(last->value, ' ');
				buf_adds(last->value, tpl_trim(line_copy));
			}
			free(line_copy);
			continue;
		}
		for (n = 0; tpl_is_word(line_copy[n]) && line_copy[n] != '.' &&
		    line_copy[n] != '_'; n++)
			;
		colon = line_copy + n;
		last = NULL;
		if (n == 0 || *colon != ':')
			tpl_problem(ps, line, "expected a header line "
			    "(\"Subject: ...\") or the blank line that "
			    "starts the body");
		else {
			tpl_header_add(ps, hdr, nhdr, line_copy, n,
			    tpl_trim(line_copy + n + 1), line);
			for (i = 0; i < nhdr; i++)
				if (hdr[i].line == line)
					last = &hdr[i];
		}
		rejected = last == NULL;
		free(line_copy);
	}
	*bodyline = line + 1;
	if (*body == NULL) {
		line = line > 1 ? line - 1 : 1;
		tpl_problem(ps, line, "no blank line between the header "
		    "block and the body");
		*body = p;
	}
	*subjline = hdr[0].line > 0 ? hdr[0].line : 1;
	if (hdr[0].value == NULL)
		tpl_problem(ps, line, "no Subject header in the header block");
	else if (*tpl_trim(hdr[0].value->data) == '\0')
		tpl_problem(ps, hdr[0].line, "empty Subject");
	for (i = 1; i < nhdr; i++) {
		if (hdr[i].value == NULL)
			continue;
		tpl_trim(hdr[i].value->data);
		if (strstr(hdr[i].value->data, "<<") != NULL ||
		    strstr(hdr[i].value->data, "{{") != NULL)
			tpl_problem(ps, hdr[i].line, "placeholders are not "
			    "expanded in %s: write the addresses", hdr[i].name);
		else if (strchr(hdr[i].value->data, '@') == NULL)
			tpl_problem(ps, hdr[i].line, "%s needs one or more "
			    "mail addresses", hdr[i].name);
	}
	t->t_subject.src = hdr[0].value != NULL ?
	    buf_export(hdr[0].value, NULL) : xstrdup("");
	t->t_cc = hdr[1].value != NULL ? buf_export(hdr[1].value, NULL) :
	    xstrdup("");
	t->t_bcc = hdr[2].value != NULL ? buf_export(hdr[2].value, NULL) :
	    xstrdup("");
}

/* tpl_seg_add - append a literal (var -1) or placeholder segment */
static void
tpl_seg_add(struct tpl_part *part, const char *text, size_t len, int var)
{
	struct tpl_seg *s;

	if (var < 0 && len == 0)
		return;
	if (var < 0 && part->nseg > 0 && part->seg[part->nseg - 1].var < 0 &&
	    part->seg[part->nseg - 1].text + part->seg[part->nseg - 1].len ==
	    text) {
		part->seg[part->nseg - 1].len += len;
		return;
	}
	if (part->nseg == part->aseg) {
		part->aseg = part->aseg ? 2 * part->aseg : 8;
		part->seg = xrealloc(part->seg, part->aseg * sizeof(*s));
	}
	s = &part->seg[part->nseg++];
	s->text = text;
	s->len = len;
	s->var = var;
}

/*
 * tpl_placeholder - length of the placeholder at p, or 0 if p is literal
 *
 * p points at "<<" or "{{" that is not part of a longer run. *var gets the
 * name's index; an unknown name is reported (and gets -1, still length>0).
 */
static size_t
tpl_placeholder(struct tpl_parse *ps, const char *p, int line, int *var)
{
	const char *q = p + 2, *name;
	char close = p[0] == '<' ? '>' : '}';
	char other = p[0] == '<' ? '}' : '>';
	size_t n;

	while (tpl_is_blank(*q))
		q++;
	for (name = q; tpl_is_word(*q); q++)
		;
	n = q - name;
	while (tpl_is_blank(*q))
		q++;
	if (n == 0)
		return 0;
	if (q[0] == other && q[1] == other) {
		tpl_problem(ps, line, "placeholder \"%.*s\" opens with %c%c "
		    "and closes with %c%c", (int)(n > 60 ? 60 : n), name, p[0],
		    p[1], other, other);
		*var = -1;
		return q + 2 - p;
	}
	if (q[0] != close || q[1] != close)
		return 0;
	if ((*var = tpl_name_index(tpl_var_names, name, n)) < 0)
		tpl_problem(ps, line, "unknown placeholder \"%.*s\"",
		    (int)(n > 60 ? 60 : n), name);
	return q + 2 - p;
}

/* tpl_compile - split src (owned by part afterwards) into segments */
static void
tpl_compile(struct tpl_parse *ps, struct tpl_part *part, char *src,
    int line)
{
	const char *p = src, *lit = src;
	size_t run, n;
	int var;

	part->src = src;
	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
			continue;
		}
		if ((*p != '<' && *p != '{') || p[1] != *p) {
			p++;
			continue;
		}
		for (run = 0; p[run] == *p; run++)
			;
		if (run != 2 || (n = tpl_placeholder(ps, p, line, &var)) == 0) {
			p += run;	/* "<<<", or "<<" not around a name */
			continue;
		}
		tpl_seg_add(part, lit, p - lit, -1);
		if (var >= 0)
			tpl_seg_add(part, NULL, 0, var);
		p += n;
		lit = p;
	}
	tpl_seg_add(part, lit, p - lit, -1);
}

/* tpl_parse - a template from the len bytes at raw, or NULL (reported) */
static struct tpl *
tpl_parse(struct tpl_parse *ps, const char *raw, size_t len)
{
	struct tpl *t = xcalloc(1, sizeof(*t));
	const char *body;
	char *text;
	int bodyline, subjline;

	t->t_path = xstrdup(ps->path);
	text = tpl_text(ps, raw, len, NULL);
	tpl_headers(ps, t, text, &body, &bodyline, &subjline);
	/* XXX a placeholder on a folded Subject line is reported at the
	 * Subject's first line */
	tpl_compile(ps, &t->t_subject, t->t_subject.src, subjline);
	tpl_compile(ps, &t->t_body, xstrdup(body), bodyline);
	free(text);
	if (ps->problems > 0)
		return tpl_free(t);
	return t;
}

/*
 * tpl_read - read the file at path
 *
 * Returns 1 (text and len set; caller frees text), 0 when it does not
 * exist, -1 with err holding only the reason (the caller adds the path):
 * PD_ETEMP for I/O errors, PD_ECONFIG when it is not a regular file or is
 * too large.
 */
static int
tpl_read(const char *path, char **text, size_t *len, struct pd_err *err)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	char *data;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_set(err, PD_ETEMP, "%s", strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		err_set(err, PD_ETEMP, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TPL_MAX_SIZE) {
		err_set(err, PD_ECONFIG, S_ISREG(st.st_mode) ? "larger than "
		    "%d bytes" : "not a regular file", TPL_MAX_SIZE);
		close(fd);
		return -1;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (got <= (size_t)st.st_size) {
		/* read one byte more than expected to see a growing file */
		n = read(fd, data + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, PD_ETEMP, "%s", strerror(errno));
			free(data);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got > (size_t)st.st_size) {
		free(data);
		return err_set(err, PD_ETEMP, "changed while being read");
	}
	data[got] = '\0';
	*text = data;
	*len = got;
	return 1;
}

/*
 * tpl_langs - the language directories to try, in order
 *
 * "de-AT" gives "de-at", "de", "en"; anything not [A-Za-z0-9_-]{1,35}
 * gives "en" alone. Returns the count.
 */
static size_t
tpl_langs(const char *lang, char out[TPL_MAX_LANGS][TPL_LANG_MAX + 1])
{
	size_t n = 0, i, len = lang != NULL ? strlen(lang) : 0;
	char *sep;
	int ok = len > 0 && len <= TPL_LANG_MAX;

	for (i = 0; ok && i < len; i++)
		ok = tpl_is_word(lang[i]) && lang[i] != '.';
	if (ok) {
		for (i = 0; i <= len; i++)
			out[n][i] = (lang[i] >= 'A' && lang[i] <= 'Z') ?
			    lang[i] - 'A' + 'a' : lang[i];
		n++;
		if ((sep = strpbrk(out[0], "-_")) != NULL && sep > out[0]) {
			memcpy(out[n], out[0], sep - out[0]);
			out[n][sep - out[0]] = '\0';
			n++;
		}
	}
	for (i = 0; i < n && strcmp(out[i], "en") != 0; i++)
		;
	if (i == n)
		strcpy(out[n++], "en");
	else
		n = i + 1;	/* "en" itself, and nothing after it */
	return n;
}

/* tpl_candidates - the paths a lookup tries, in order (caller frees each) */
static size_t
tpl_candidates(const char *opdir, const char *shipdir, const char *lang,
    const char *event, char **paths)
{
	char langs[TPL_MAX_LANGS][TPL_LANG_MAX + 1];
	const char *dirs[2] = { opdir, shipdir };
	size_t nlang = tpl_langs(lang, langs), n = 0, d, l;

	for (d = 0; d < 2; d++) {
		if (dirs[d] == NULL || *dirs[d] == '\0')
			continue;
		for (l = 0; l < nlang; l++)
			paths[n++] = xasprintf("%s/%s/%s%s", dirs[d], langs[l],
			    event, TPL_SUFFIX);
	}
	return n;
}

/* tpl_first_problem - tpl_load's report: keep the first problem in err */
static void
tpl_first_problem(const char *file, int line, const char *reason, void *arg)
{
	struct pd_err *err = arg;

	if (err->class != PD_OK)
		return;
	if (line > 0)
		err_set(err, PD_ECONFIG, "%s:%d: %s", file, line, reason);
	else
		err_set(err, PD_ECONFIG, "%s: %s", file, reason);
}

/* tpl_load - find and parse the template of event for lang */
int
tpl_load(const char *opdir, const char *shipdir, const char *lang,
    const char *event, struct tpl **out, struct pd_err *err)
{
	char *paths[TPL_MAX_CAND];
	struct tpl_parse ps;
	struct pd_err rerr;
	size_t n, i;
	char *text = NULL;
	size_t len = 0;
	int rc = 0, found = -1;

	*out = NULL;
	if (event == NULL || tpl_name_index(tpl_event_names, event,
	    strlen(event)) < 0)
		return err_set(err, PD_EBUG, "no such template event \"%s\"",
		    event != NULL ? event : "(null)");
	n = tpl_candidates(opdir, shipdir, lang, event, paths);
	for (i = 0; i < n && found < 0; i++) {
		err_clear(&rerr);
		if ((rc = tpl_read(paths[i], &text, &len, &rerr)) < 0) {
			err_set(err, rerr.class, "%s: %s", paths[i], rerr.text);
			break;
		}
		if (rc > 0)
			found = (int)i;
	}
	if (found >= 0) {
		err_clear(err);
		ps.path = paths[found];
		ps.report = tpl_first_problem;
		ps.arg = err;
		ps.problems = 0;
		*out = tpl_parse(&ps, text, len);
		free(text);
		rc = *out != NULL ? 0 : -1;
	} else if (rc == 0) {
		if (opdir == NULL || *opdir == '\0')
			opdir = shipdir;
		else if (shipdir == NULL || *shipdir == '\0')
			shipdir = opdir;
		rc = err_set(err, PD_ECONFIG, "no template for event %s "
		    "(language %s) in %s%s%s", event, lang != NULL &&
		    *lang != '\0' ? lang : "en", opdir != NULL ? opdir : "",
		    opdir != shipdir ? " or " : "", opdir != shipdir ?
		    shipdir : "");
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	return rc;
}

/*
 * tpl_put - append n bytes of value s, cleaned
 *
 * Invalid UTF-8 becomes U+FFFD. oneline (a Subject): C0 controls, DEL,
 * C1 controls, U+2028 and U+2029 become spaces. Otherwise (a body): CRLF
 * and CR become LF, TAB and LF stay, other C0, DEL and C1 become spaces.
 */
static void
tpl_put(struct buf *b, const char *s, size_t n, int oneline)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	size_t k;

	while (p < end) {
		if ((k = utf8_seq(p, end - p)) == 0) {
			buf_adds(b, TPL_FFFD);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			if (oneline || (*p != '\n' && *p != '\t' && *p != '\r'))
				buf_addc(b, ' ');
			else if (*p != '\r')
				buf_addc(b, *p);
			else if (p + 1 == end || p[1] != '\n')
				buf_addc(b, '\n');
			p++;
		} else if ((k == 2 && p[0] == 0xc2 && p[1] < 0xa0) ||
		    (oneline && k == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0xa8 || p[2] == 0xa9))) {
			buf_addc(b, ' ');
			p += k;
		} else {
			buf_add(b, p, k);
			p += k;
		}
	}
}

/* tpl_render - fill in the placeholders of the Subject and the body */
int
tpl_render(const struct tpl *t, const struct tpl_var *vars, size_t nvars,
    char **subject, char **body, struct pd_err *err)
{
	const struct tpl_part *parts[2] = { &t->t_subject, &t->t_body };
	const struct tpl_seg *s;
	struct buf *b[2];
	const char *name;
	size_t i, j, k;
	char *subj;

	b[0] = buf_new(128);
	b[1] = buf_new(1024);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < parts[i]->nseg; j++) {
			s = &parts[i]->seg[j];
			if (s->var < 0) {
				tpl_put(b[i], s->text, s->len, i == 0);
				continue;
			}
			name = tpl_var_names[s->var];
			for (k = 0; k < nvars; k++)
				if (vars[k].name != NULL &&
				    strcmp(vars[k].name, name) == 0 &&
				    vars[k].value != NULL)
					break;
			if (k == nvars) {
				buf_free(b[0]);
				buf_free(b[1]);
				return err_set(err, PD_EBUG, "%s: no value for "
				    "placeholder \"%s\"", t->t_path, name);
			}
			tpl_put(b[i], vars[k].value, strlen(vars[k].value),
			    i == 0);
		}
	}
	subj = buf_export(b[0], NULL);
	tpl_trim(subj);
	*subject = subj;
	*body = buf_export(b[1], NULL);
	return 0;
}

/* tpl_uses - 1 when the template has placeholder name */
int
tpl_uses(const struct tpl *t, const char *name)
{
	const struct tpl_part *parts[2] = { &t->t_subject, &t->t_body };
	size_t i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < parts[i]->nseg; j++)
			if (parts[i]->seg[j].var >= 0 && strcmp(name,
			    tpl_var_names[parts[i]->seg[j].var]) == 0)
				return 1;
	return 0;
}

/* tpl_path - the file the template came from */
const char *
tpl_path(const struct tpl *t)
{
	return t->t_path;
}

/* tpl_cc - the literal Cc value, "" when absent */
const char *
tpl_cc(const struct tpl *t)
{
	return t->t_cc;
}

/* tpl_bcc - the literal Bcc value, "" when absent */
const char *
tpl_bcc(const struct tpl *t)
{
	return t->t_bcc;
}

/* tpl_free - release a template; accepts NULL */
struct tpl *
tpl_free(struct tpl *t)
{
	if (t == NULL)
		return NULL;
	free(t->t_path);
	free(t->t_cc);
	free(t->t_bcc);
	free(t->t_subject.src);
	free(t->t_subject.seg);
	free(t->t_body.src);
	free(t->t_body.seg);
	free(t);
	return NULL;
}

/* tpl_check_problem - count and report one problem */
static void
tpl_check_problem(struct tpl_checker *ck, const char *file, int line,
    const char *reason)
{
	ck->problems++;
	if (ck->report != NULL)
		ck->report(file, line, reason, ck->arg);
}

/* tpl_check_report - a parse's report callback inside tpl_check */
static void
tpl_check_report(const char *file, int line, const char *reason, void *arg)
{
	tpl_check_problem(arg, file, line, reason);
}

/* tpl_check_file - read and parse one template file, reporting problems */
static void
tpl_check_file(struct tpl_checker *ck, const char *path)
{
	struct tpl_parse ps;
	struct pd_err err;
	struct tpl *t;
	char *text;
	size_t len;
	int rc;

	err_clear(&err);
	if ((rc = tpl_read(path, &text, &len, &err)) <= 0) {
		tpl_check_problem(ck, path, 0, rc < 0 ? err.text :
		    "vanished while being checked");
		return;
	}
	ps.path = path;
	ps.report = tpl_check_report;
	ps.arg = ck;
	ps.problems = 0;
	t = tpl_parse(&ps, text, len);
	tpl_free(t);
	free(text);
}

/* tpl_check_seen - 1 when the directory st was scanned already, else note it */
static int
tpl_check_seen(struct tpl_checker *ck, const struct stat *st)
{
	size_t i;

	for (i = 0; i < ck->ndirs; i++)
		if (ck->dev[i] == st->st_dev && ck->ino[i] == st->st_ino)
			return 1;
	if (ck->ndirs < sizeof(ck->dev) / sizeof(ck->dev[0])) {
		ck->dev[ck->ndirs] = st->st_dev;
		ck->ino[ck->ndirs] = st->st_ino;
		ck->ndirs++;
	}
	return 0;
}

/* tpl_namecmp - qsort comparison of two char * */
static int
tpl_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * tpl_check_dir - check every *.tpl file in dir
 *
 * A language directory that does not exist is fine (no templates for that
 * language there); a base directory (opdir, shipdir) must exist, and a
 * template directly in it is never used. Files are checked in name order.
 */
static void
tpl_check_dir(struct tpl_checker *ck, const char *dir, int base)
{
	char **names = NULL, *path, reason[200];
	const char *const *ev;
	size_t n = 0, cap = 0, i, len;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (stat(dir, &st) < 0) {
		if (base || (errno != ENOENT && errno != ENOTDIR)) {
			snprintf(reason, sizeof(reason), "template directory: "
			    "%s", strerror(errno));
			tpl_check_problem(ck, dir, 0, reason);
		}
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		tpl_check_problem(ck, dir, 0, "template directory: not a "
		    "directory");
		return;
	}
	if (tpl_check_seen(ck, &st))
		return;
	if ((d = opendir(dir)) == NULL) {
		snprintf(reason, sizeof(reason), "template directory: %s",
		    strerror(errno));
		tpl_check_problem(ck, dir, 0, reason);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= strlen(TPL_SUFFIX) ||
		    strcmp(de->d_name + len - strlen(TPL_SUFFIX),
		    TPL_SUFFIX) != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), tpl_namecmp);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		len = strlen(names[i]) - strlen(TPL_SUFFIX);
		if (base)
			tpl_check_problem(ck, path, 0, "never used: templates "
			    "go in a language directory such as en/");
		else if (tpl_name_index(tpl_event_names, names[i], len) < 0) {
			snprintf(reason, sizeof(reason), "\"%.*s\" is not an "
			    "event (", (int)(len > 60 ? 60 : len), names[i]);
			for (ev = tpl_event_names; *ev != NULL; ev++)
				snprintf(reason + strlen(reason),
				    sizeof(reason) - strlen(reason), "%s%s",
				    *ev, ev[1] != NULL ? ", " : ")");
			tpl_check_problem(ck, path, 0, reason);
		} else
			tpl_check_file(ck, path);
		free(path);
		free(names[i]);
	}
	free(names);
}

/* tpl_check_langdirs - add the language subdirectories of base to a list */
static void
tpl_check_langdirs(const char *base, char ***list, size_t *n)
{
	char one[TPL_MAX_LANGS][TPL_LANG_MAX + 1];
	struct dirent *de;
	struct stat st;
	char *path;
	size_t i;
	DIR *d;

	if (base == NULL || *base == '\0' || (d = opendir(base)) == NULL)
		return;		/* tpl_check_dir reports it */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    tpl_langs(de->d_name, one) < 2 ||
		    strcmp(one[0], de->d_name) != 0)
			continue;	/* not a lower-case language name */
		path = xasprintf("%s/%s", base, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			for (i = 0; i < *n && strcmp((*list)[i],
			    de->d_name) != 0; i++)
				;
			if (i == *n) {
				*list = xrealloc(*list, (*n + 1) *
				    sizeof(**list));
				(*list)[(*n)++] = xstrdup(de->d_name);
			}
		}
		free(path);
	}
	closedir(d);
}

/* tpl_exists - 1 unless path is certainly absent (ENOENT, ENOTDIR) */
static int
tpl_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

/* tpl_check - report every problem with the templates of one language */
int
tpl_check(const char *opdir, const char *shipdir, const char *lang,
    void (*report)(const char *, int, const char *, void *), void *arg)
{
	char langs[TPL_MAX_LANGS][TPL_LANG_MAX + 1];
	const char *bases[2] = { opdir, shipdir };
	struct tpl_checker ck;
	char **list = NULL, *cand[TPL_MAX_CAND], *dir, reason[200];
	const char *const *ev;
	size_t nlist = 0, i, b, n;
	int found;

	memset(&ck, 0, sizeof(ck));
	ck.report = report;
	ck.arg = arg;
	if (lang != NULL) {
		n = tpl_langs(lang, langs);
		for (i = 0; i < n; i++) {
			list = xrealloc(list, (nlist + 1) * sizeof(*list));
			list[nlist++] = xstrdup(langs[i]);
		}
	} else {
		list = xmalloc(sizeof(*list));
		list[nlist++] = xstrdup("en");
		for (b = 0; b < 2; b++)
			tpl_check_langdirs(bases[b], &list, &nlist);
	}
	for (b = 0; b < 2; b++) {
		if (bases[b] == NULL || *bases[b] == '\0')
			continue;
		tpl_check_dir(&ck, bases[b], 1);
		for (i = 0; i < nlist; i++) {
			dir = xasprintf("%s/%s", bases[b], list[i]);
			tpl_check_dir(&ck, dir, 0);
			free(dir);
		}
	}
	/* every language falls back to en: a lookup for lang covers them */
	for (ev = tpl_event_names; *ev != NULL; ev++) {
		n = tpl_candidates(opdir, shipdir, lang, *ev, cand);
		for (found = 0, i = 0; i < n; i++) {
			found = found || tpl_exists(cand[i]);
			if (i + 1 < n)
				free(cand[i]);
		}
		if (!found) {
			snprintf(reason, sizeof(reason), "no template for "
			    "event %s (language %s)", *ev, lang != NULL ?
			    lang : "en");
			tpl_check_problem(&ck, n > 0 ? cand[n - 1] : *ev, 0,
			    reason);
		}
		if (n > 0)
			free(cand[n - 1]);
	}
	for (i = 0; i < nlist; i++)
		free(list[i]);
	free(list);
	return ck.problems;
}

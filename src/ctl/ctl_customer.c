/*
 * ctl_customer.c - postdesk customer: import from a CRM's CSV, list, show
 *
 *   postdesk customer import FILE.csv [--dry-run]
 *   postdesk customer list [--json]
 *   postdesk customer show EMAIL|--id EXTID [--json]
 *
 * import reads the whole file first (before switching to the store's
 * owner, so a file only the caller can read is fine), parses it with
 * libcsv and only then writes: a file that cannot be parsed at all (empty,
 * no header naming an email column, a quoted field never closed, a header
 * that is not UTF-8) writes nothing and exits 65. The header row names the
 * columns, in any case, with spaces, dashes or underscores: email (also
 * e-mail, mail, email_address); name (also full_name, or first_name plus
 * last_name); external_id (also id, customer_id, external id);
 * organisation (also organization, company); phone (also telephone,
 * mobile); notes (also note, comment(s)). Other columns are ignored and
 * named once on stderr. A UTF-8 BOM is skipped; quoted fields may hold
 * commas, quotes ("") and line ends.
 *
 * Each row upserts by the lower-cased email: a new customer is created; an
 * existing one takes the row's non-empty cells (an empty cell keeps what
 * is stored; CRM exports often leave columns blank) and is counted as
 * updated. Bad rows are reported on stderr as "FILE:LINE: reason" (the
 * line the row starts on) and skipped: no email, an invalid address, text
 * that is not UTF-8 or holds a NUL byte, an external id that belongs to
 * another customer. Rows with every cell empty are ignored. Rows are
 * written 1,000 per transaction; a store error stops the import (exit 75)
 * with the earlier transactions kept, and says how far it got. With a
 * terminal on stderr a progress bar is drawn there after each transaction.
 * The summary "imported N, updated M, skipped K" goes to stdout. --dry-run
 * does the same in one transaction that is never committed.
 *
 * list prints every customer in email order with the number of tickets;
 * show one customer, found by email or external id, with its tickets.
 * Both read in one read-only transaction; --json prints one document.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <csv.h>
#include <jansson.h>

#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/priv.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "store/store.h"
#include "ctl/ctl.h"

#define CUST_BATCH	1000		/* rows per write transaction */
#define CUST_BAR	20		/* width of the progress bar */
#define CUST_MAX_FILE	((size_t)1 << 31)	/* bytes of CSV read */
#define CUST_CSV_FIELD_BEGUN 2	/* libcsv 3's parser state: in a field */

/* The columns we know. */
enum cust_col {
	COL_EMAIL, COL_NAME, COL_FIRST, COL_LAST, COL_EXT, COL_ORG, COL_PHONE,
	COL_NOTES, COL_NCOLS
};

static const struct {
	const char *name;	/* normalised header: lower case, '_' */
	int	col;
} cust_headers[] = {
	{ "email", COL_EMAIL }, { "e_mail", COL_EMAIL }, { "mail", COL_EMAIL },
	{ "email_address", COL_EMAIL }, { "name", COL_NAME },
	{ "full_name", COL_NAME }, { "first_name", COL_FIRST },
	{ "firstname", COL_FIRST }, { "last_name", COL_LAST },
	{ "lastname", COL_LAST }, { "external_id", COL_EXT },
	{ "externalid", COL_EXT }, { "id", COL_EXT },
	{ "customer_id", COL_EXT },
	{ "organisation", COL_ORG }, { "organization", COL_ORG },
	{ "company", COL_ORG }, { "phone", COL_PHONE },
	{ "telephone", COL_PHONE }, { "phone_number", COL_PHONE },
	{ "mobile", COL_PHONE }, { "notes", COL_NOTES }, { "note", COL_NOTES },
	{ "comment", COL_NOTES }, { "comments", COL_NOTES },
};

/* One row of the file: its cells, and the line it starts on. */
struct cust_row {
	size_t	line;
	char	**cell;
	size_t	*len;
	size_t	ncell;
};

/* What the CSV parser collects. */
struct cust_csv {
	struct cust_row *rows;
	size_t	nrows;
	size_t	cap;
	struct cust_row cur;	/* the row being read */
	size_t	curcap;
	size_t	line;		/* the line being fed */
	int	between;	/* no row begun yet */
};

/* One import: the rows as customers, the counts, the messages. */
struct cust_import {
	const char *file;
	int	idx[COL_NCOLS];	/* cell index of each column, -1 absent */
	struct cust_row *rows;	/* the data rows */
	size_t	nrows;
	size_t	from, to;	/* the rows of this transaction */
	time_t	now;
	int	dry;
	int	dry_done;	/* the dry run's callback got to its end */
	size_t	done;		/* rows handled in committed transactions */
	size_t	imported, updated, skipped;	/* committed counts */
	size_t	b_imported, b_updated, b_skipped;	/* this transaction */
	char	**msgs;		/* this transaction's bad rows */
	size_t	nmsgs;
};

static void csv_cell(void *, size_t, void *);
static void csv_row_end(int, void *);
static int cust_utf8(const char *, size_t);
static char *cust_trim(const char *, size_t, int);
static int cust_email_ok(const char *, const char **);
static int cust_read(const char *, char **, size_t *);
static int cust_parse(const char *, const char *, size_t,
		      struct cust_csv *);
static void cust_rows_free(struct cust_row *, size_t);
static int cust_header(struct cust_import *, const struct cust_row *);
static const char *cust_cell(const struct cust_import *,
			     const struct cust_row *, int, size_t *);
static char *cust_row_check(const struct cust_import *,
			    const struct cust_row *, struct pd_customer *);
static int cust_merge(struct pd_customer *, const struct pd_customer *);
static void cust_msg(struct cust_import *, size_t, const char *);
static void cust_msgs_clear(struct cust_import *);
static int cust_batch(struct store_txn *, void *, struct pd_err *);
static void cust_progress(const struct cust_import *, int);
static int cust_import(struct ctl *, int, char **);
static int cust_open(struct ctl *, struct store **, struct pd_err *);
static json_t *cust_js(const char *);
static json_t *cust_jtime(time_t);
static json_t *cust_json(const struct pd_customer *);
static char *cust_safe(const char *);
static void cust_puts(const char *);
static int cust_list_one(const struct pd_customer *, void *);
static int cust_list(struct ctl *, int, char **);
static int cust_show(struct ctl *, int, char **);

/* csv_cell - libcsv: one cell of the current row */
static void
csv_cell(void *s, size_t len, void *arg)
{
	struct cust_csv *p = arg;
	struct cust_row *r = &p->cur;

	if (r->ncell == p->curcap) {
		p->curcap = p->curcap ? p->curcap * 2 : 8;
		r->cell = xrealloc(r->cell, p->curcap * sizeof(*r->cell));
		r->len = xrealloc(r->len, p->curcap * sizeof(*r->len));
	}
	r->cell[r->ncell] = xmalloc(len + 1);
	if (len > 0)
		memcpy(r->cell[r->ncell], s, len);
	r->cell[r->ncell][len] = '\0';
	r->len[r->ncell++] = len;
}

/* csv_row_end - libcsv: the current row is complete */
static void
csv_row_end(int c, void *arg)
{
	struct cust_csv *p = arg;

	(void)c;
	if (p->nrows == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->rows = xrealloc(p->rows, p->cap * sizeof(*p->rows));
	}
	p->rows[p->nrows++] = p->cur;
	memset(&p->cur, 0, sizeof(p->cur));
	p->curcap = 0;
	p->between = 1;
}

/* cust_utf8 - is s[0..n) valid UTF-8 without NUL bytes? */
static int
cust_utf8(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && utf8_valid(s, n);
}

/* cust_trim - a copy without surrounding white space; with oneline, line
 * ends and tabs inside become spaces and other controls are dropped */
static char *
cust_trim(const char *s, size_t n, int oneline)
{
	char *out, *w;
	size_t i;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	out = w = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\r' && !oneline && i + 1 < n && s[i + 1] == '\n')
			continue;	/* CRLF in notes: LF */
		if (oneline && (ch == '\n' || ch == '\r' || ch == '\t'))
			*w++ = ' ';
		else if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			continue;
		else
			*w++ = (char)ch;
	}
	*w = '\0';
	return out;
}

/*
 * cust_email_ok - an addr-spec a customer can be mailed at: one '@'; a
 * local part of atext and dots (UTF-8 allowed), at most 64 bytes, no
 * leading, trailing or double dot; a domain of two or more labels of
 * letters, digits, '-' (UTF-8 allowed), none empty or longer than 63, not
 * starting or ending with '-'; 254 bytes in all. *why says what is wrong.
 */
static int
cust_email_ok(const char *a, const char **why)
{
	static const char atext[] = "!#$%&'*+/=?^_`{|}~-.";
	const char *at = strchr(a, '@'), *p, *label;
	size_t labels = 0;

	*why = "invalid email address";
	if (strlen(a) > 254 || at == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	if (at == a || at - a > 64 || *a == '.' || at[-1] == '.')
		return 0;
	for (p = a; p < at; p++) {
		if (*p == '.' && p[1] == '.')
			return 0;
		if (!isalnum((unsigned char)*p) && (unsigned char)*p < 0x80 &&
		    strchr(atext, *p) == NULL)
			return 0;
	}
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				return 0;
			labels++;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' &&
		    (unsigned char)*p < 0x80)
			return 0;
	}
	if (labels < 2) {
		*why = "invalid email address (no domain with a dot)";
		return 0;
	}
	return 1;
}

/* cust_read - the whole file; 0, or a sysexits status (reported) */
static int
cust_read(const char *file, char **data, size_t *len)
{
	FILE *fp;
	size_t cap = 65536, n;
	char *b;

	*data = NULL;
	*len = 0;
	if ((fp = fopen(file, "rb")) == NULL) {
		fprintf(stderr, "postdesk: %s: %s\n", file, strerror(errno));
		return EX_NOINPUT;
	}
	b = xmalloc(cap + 1);
	while ((n = fread(b + *len, 1, cap - *len, fp)) > 0) {
		*len += n;
		if (*len == cap) {
			if (cap >= CUST_MAX_FILE) {
				fprintf(stderr, "postdesk: %s: larger than %zu "
				    "bytes\n", file, CUST_MAX_FILE);
				fclose(fp);
				free(b);
				return EX_DATAERR;
			}
			cap *= 2;
			b = xrealloc(b, cap + 1);
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, "postdesk: %s: %s\n", file, strerror(errno));
		fclose(fp);
		free(b);
		return EX_IOERR;
	}
	fclose(fp);
	b[*len] = '\0';
	*data = b;
	return 0;
}

/*
 * cust_parse - every row of the file, each with the line it starts on:
 * the data is fed to libcsv a line at a time, and a row begins on the
 * first line that is not blank after the previous row ended. 0, or
 * EX_DATAERR (reported) for a quoted field that is never closed.
 */
static int
cust_parse(const char *file, const char *data, size_t len,
	   struct cust_csv *p)
{
	struct csv_parser csv;
	const char *s = data, *end = data + len, *nl, *q;
	size_t n, quote_line = 0;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->between = 1;
	if (csv_init(&csv, CSV_APPEND_NULL) != 0) {
		fprintf(stderr, "postdesk: %s: libcsv failed to start\n",
		    file);
		return EX_SOFTWARE;
	}
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	for (p->line = 1; s < end; p->line++, s += n) {
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl != NULL ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		for (q = s; q < s + n && (*q == '\r' || *q == '\n'); q++)
			;
		if (p->between && q < s + n) {
			p->cur.line = p->line;
			p->between = 0;
			quote_line = p->line;
		}
		if (csv_parse(&csv, s, n, csv_cell, csv_row_end, p) != n) {
			fprintf(stderr, "postdesk: %s:%zu: %s\n", file, p->line,
			    csv_strerror(csv_error(&csv)));
			rc = EX_DATAERR;
			break;
		}
	}
	/* libcsv's own check (CSV_STRICT_FINI) needs CSV_STRICT too, which
	 * would refuse any stray quote: look at its state instead */
	if (rc == 0 && csv.quoted && csv.pstate == CUST_CSV_FIELD_BEGUN) {
		fprintf(stderr, "postdesk: %s:%zu: a quoted field is never "
		    "closed\n", file, quote_line);
		rc = EX_DATAERR;
	}
	if (rc == 0 && csv_fini(&csv, csv_cell, csv_row_end, p) != 0) {
		fprintf(stderr, "postdesk: %s: %s\n", file,
		    csv_strerror(csv_error(&csv)));
		rc = EX_DATAERR;
	}
	csv_free(&csv);
	cust_rows_free(&p->cur, 1);
	return rc;
}

/* cust_rows_free - release rows */
static void
cust_rows_free(struct cust_row *rows, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < rows[i].ncell; k++)
			free(rows[i].cell[k]);
		free(rows[i].cell);
		free(rows[i].len);
	}
}

/* cust_header - map the header's cells to columns; 0, or EX_DATAERR */
static int
cust_header(struct cust_import *im, const struct cust_row *h)
{
	char *name, *p, *ignored = NULL, *tmp;
	size_t k, j;
	int col;

	for (k = 0; k < COL_NCOLS; k++)
		im->idx[k] = -1;
	for (k = 0; k < h->ncell; k++) {
		if (!cust_utf8(h->cell[k], h->len[k])) {
			fprintf(stderr, "postdesk: %s:%zu: the header is not "
			    "UTF-8\n", im->file, h->line);
			free(ignored);
			return EX_DATAERR;
		}
		name = cust_trim(h->cell[k], h->len[k], 1);
		for (p = name; *p != '\0'; p++)
			*p = *p == ' ' || *p == '-' ? '_' :
			    (char)tolower((unsigned char)*p);
		col = -1;
		for (j = 0; j < sizeof(cust_headers) / sizeof(*cust_headers);
		    j++)
			if (strcmp(name, cust_headers[j].name) == 0)
				col = cust_headers[j].col;
		if (col >= 0 && im->idx[col] < 0)
			im->idx[col] = (int)k;
		else if (col < 0 && *name != '\0') {
			tmp = xasprintf("%s%s\"%s\"", ignored ? ignored : "",
			    ignored ? ", " : "", name);
			free(ignored);
			ignored = tmp;
		}
		free(name);
	}
	if (im->idx[COL_EMAIL] < 0) {
		fprintf(stderr, "postdesk: %s:%zu: no email column in the "
		    "header (the first row must name the columns: email, "
		    "name, external_id, organisation, phone, notes)\n",
		    im->file, h->line);
		free(ignored);
		return EX_DATAERR;
	}
	if (ignored != NULL)
		fprintf(stderr, "postdesk: %s: ignoring the columns %s\n",
		    im->file, ignored);
	free(ignored);
	return 0;
}

/* cust_cell - a row's cell of a column, or NULL when absent */
static const char *
cust_cell(const struct cust_import *im, const struct cust_row *r, int col,
	  size_t *len)
{
	int k = im->idx[col];

	if (k < 0 || (size_t)k >= r->ncell)
		return NULL;
	*len = r->len[k];
	return r->cell[k];
}

/*
 * cust_row_check - a row as a customer (fields "" when absent or empty);
 * NULL, or why the row is bad (caller frees). An all-empty row gives ""
 * (to be ignored).
 */
static char *
cust_row_check(const struct cust_import *im, const struct cust_row *r,
	       struct pd_customer *c)
{
	static const int cols[] = { COL_EMAIL, COL_NAME, COL_FIRST, COL_LAST,
	    COL_EXT, COL_ORG, COL_PHONE, COL_NOTES };
	char *v[COL_NCOLS], *p;
	const char *s, *why;
	size_t i, len;
	int any = 0;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < r->ncell; i++) {
		if (!cust_utf8(r->cell[i], r->len[i]))
			return xstrdup(memchr(r->cell[i], '\0', r->len[i]) ?
			    "a NUL byte in a cell" : "text that is not UTF-8");
		for (len = 0; len < r->len[i]; len++)
			any |= !isspace((unsigned char)r->cell[i][len]);
	}
	if (!any)
		return xstrdup("");
	for (i = 0; i < sizeof(cols) / sizeof(*cols); i++) {
		s = cust_cell(im, r, cols[i], &len);
		v[cols[i]] = s == NULL ? xstrdup("") :
		    cust_trim(s, len, cols[i] != COL_NOTES);
	}
	c->email = v[COL_EMAIL];
	for (p = c->email; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	if (*v[COL_NAME] == '\0' && (*v[COL_FIRST] || *v[COL_LAST])) {
		free(v[COL_NAME]);
		v[COL_NAME] = xasprintf("%s%s%s", v[COL_FIRST],
		    *v[COL_FIRST] && *v[COL_LAST] ? " " : "", v[COL_LAST]);
	}
	free(v[COL_FIRST]);
	free(v[COL_LAST]);
	c->name = v[COL_NAME];
	c->external_id = v[COL_EXT];
	c->organisation = v[COL_ORG];
	c->phone = v[COL_PHONE];
	c->notes = v[COL_NOTES];
	if (*c->email == '\0')
		return xstrdup("no email address");
	if (!cust_email_ok(c->email, &why))
		return xasprintf("%s \"%.200s\"", why, c->email);
	return NULL;
}

/* cust_merge - the row's non-empty cells over the stored customer; 1 when
 * anything changed */
static int
cust_merge(struct pd_customer *old, const struct pd_customer *row)
{
	char **dst[5] = { &old->name, &old->external_id, &old->organisation,
	    &old->phone, &old->notes };
	char *const src[5] = { row->name, row->external_id, row->organisation,
	    row->phone, row->notes };
	int i, changed = 0;

	for (i = 0; i < 5; i++) {
		if (*src[i] == '\0' || strcmp(*dst[i], src[i]) == 0)
			continue;
		free(*dst[i]);
		*dst[i] = xstrdup(src[i]);
		changed = 1;
	}
	return changed;
}

/* cust_msg - remember a bad row of this transaction */
static void
cust_msg(struct cust_import *im, size_t line, const char *why)
{
	im->msgs = xrealloc(im->msgs, (im->nmsgs + 1) * sizeof(*im->msgs));
	im->msgs[im->nmsgs++] = xasprintf("%s:%zu: %s", im->file, line, why);
}

/* cust_msgs_clear - forget this transaction's messages */
static void
cust_msgs_clear(struct cust_import *im)
{
	size_t i;

	for (i = 0; i < im->nmsgs; i++)
		free(im->msgs[i]);
	im->nmsgs = 0;
}

/*
 * cust_batch - store_write callback: rows from..to. store_write may run it
 * again after growing the map, so it starts its counts afresh each time.
 */
static int
cust_batch(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct cust_import *im = arg;
	struct pd_customer row, *old;
	struct pd_err e;
	char *why;
	size_t i;
	int r;

	im->b_imported = im->b_updated = im->b_skipped = 0;
	cust_msgs_clear(im);
	for (i = im->from; i < im->to; i++) {
		why = cust_row_check(im, &im->rows[i], &row);
		if (why != NULL) {
			if (*why != '\0') {
				cust_msg(im, im->rows[i].line, why);
				im->b_skipped++;
			}
			free(why);
			free(row.email);
			free(row.name);
			free(row.external_id);
			free(row.organisation);
			free(row.phone);
			free(row.notes);
			continue;
		}
		if ((r = store_customer_get_by_email(t, row.email, &old,
		    err)) < 0)
			goto fail;
		err_clear(&e);
		if (old == NULL) {
			row.created = row.updated = im->now;
			r = store_customer_put(t, &row, &e);
			im->b_imported += r == 0;
		} else {
			r = 0;
			if (cust_merge(old, &row)) {
				old->updated = im->now;
				r = store_customer_put(t, old, &e);
			}
			im->b_updated += r == 0;
		}
		store_customer_free(old);
		if (r < 0 && e.class != PD_EDATA) {
			*err = e;
			goto fail;
		}
		if (r < 0) {
			cust_msg(im, im->rows[i].line, e.text);
			im->b_skipped++;
		}
		free(row.email);
		free(row.name);
		free(row.external_id);
		free(row.organisation);
		free(row.phone);
		free(row.notes);
	}
	/* a dry run ends here: nothing is committed */
	im->dry_done = im->dry;
	return im->dry ? -1 : 0;

fail:
	free(row.email);
	free(row.name);
	free(row.external_id);
	free(row.organisation);
	free(row.phone);
	free(row.notes);
	return -1;
}

/* cust_progress - "imported 12000/50000 [####      ] 24%" on stderr */
static void
cust_progress(const struct cust_import *im, int last)
{
	char bar[CUST_BAR + 1];
	size_t fill, pct;

	pct = im->nrows ? im->done * 100 / im->nrows : 100;
	fill = im->nrows ? im->done * CUST_BAR / im->nrows : CUST_BAR;
	memset(bar, '#', fill);
	memset(bar + fill, ' ', CUST_BAR - fill);
	bar[CUST_BAR] = '\0';
	fprintf(stderr, "\rimported %zu/%zu [%s] %zu%%%s", im->done, im->nrows,
	    bar, pct, last ? "\n" : "");
	fflush(stderr);
}

/* cust_import - postdesk customer import FILE.csv [--dry-run] */
static int
cust_import(struct ctl *c, int argc, char **argv)
{
	struct cust_import im;
	struct cust_csv csv;
	struct store *st = NULL;
	struct pd_err err;
	char *data = NULL;
	size_t len, i;
	int rc, tty = isatty(STDERR_FILENO), k;

	memset(&im, 0, sizeof(im));
	memset(&csv, 0, sizeof(csv));
	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--dry-run") == 0)
			im.dry = 1;
		else if (im.file == NULL && argv[k][0] != '-')
			im.file = argv[k];
		else
			im.file = NULL, k = argc + 1;
	}
	if (im.file == NULL || k > argc) {
		fprintf(stderr, "usage: postdesk customer import FILE.csv "
		    "[--dry-run]\n");
		return EX_USAGE;
	}
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	/* the caller's file, read before becoming the store's owner */
	if ((rc = cust_read(im.file, &data, &len)) != 0)
		return rc;
	if ((rc = cust_parse(im.file, data, len, &csv)) != 0)
		goto out;
	if (csv.nrows == 0) {
		fprintf(stderr, "postdesk: %s: no rows (the first row must "
		    "name the columns)\n", im.file);
		rc = EX_DATAERR;
		goto out;
	}
	if ((rc = cust_header(&im, &csv.rows[0])) != 0)
		goto out;
	im.rows = csv.rows + 1;
	im.nrows = csv.nrows - 1;
	im.now = clock_now();
	err_clear(&err);
	if (ctl_store(c, 0, &st, &err) < 0) {
		rc = ctl_status(&err);
		goto out;
	}
	im.from = 0;
	do {
		im.to = im.dry ? im.nrows : im.from + CUST_BATCH;
		if (im.to > im.nrows)
			im.to = im.nrows;
		im.dry_done = 0;
		rc = store_write(st, cust_batch, &im, &err);
		for (i = 0; i < im.nmsgs; i++)
			fprintf(stderr, "%s%s\n", tty ? "\r" : "", im.msgs[i]);
		if (rc < 0 && !im.dry_done) {
			if (tty && im.done > 0)
				fputc('\n', stderr);
			fprintf(stderr, "postdesk: %s (after %zu of %zu rows%s)"
			    "\n", err.text, im.done, im.nrows, im.done > 0 &&
			    !im.dry ? "; those are stored" : "");
			rc = err.class == PD_ECONFIG ? EX_CONFIG : EX_TEMPFAIL;
			goto out;
		}
		im.imported += im.b_imported;
		im.updated += im.b_updated;
		im.skipped += im.b_skipped;
		im.done = im.to;
		if (tty)
			cust_progress(&im, im.done == im.nrows);
		im.from = im.to;
	} while (im.from < im.nrows);
	printf("imported %zu, updated %zu, skipped %zu\n", im.imported,
	    im.updated, im.skipped);
	if (im.dry)
		printf("(dry run: nothing was written)\n");
	rc = 0;
out:
	cust_msgs_clear(&im);
	free(im.msgs);
	cust_rows_free(csv.rows, csv.nrows);
	free(csv.rows);
	free(data);
	store_close(st);
	return rc;
}

/* cust_open - configuration, owner, store (read-only) */
static int
cust_open(struct ctl *c, struct store **st, struct pd_err *err)
{
	int rc;

	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	if (ctl_store(c, STORE_RDONLY, st, err) < 0)
		return ctl_status(err);
	return 0;
}

/* cust_js - a JSON string, never NULL */
static json_t *
cust_js(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");

	return j != NULL ? j : json_string("\xEF\xBF\xBD");
}

/* cust_jtime - ISO 8601 UTC, null for 0 */
static json_t *
cust_jtime(time_t t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	return cust_js(clock_format_iso(t, buf, sizeof(buf)));
}

/* cust_json - one customer as an object */
static json_t *
cust_json(const struct pd_customer *cu)
{
	json_t *o = json_object();

	json_object_set_new(o, "email", cust_js(cu->email));
	json_object_set_new(o, "name", cust_js(cu->name));
	json_object_set_new(o, "external_id", cust_js(cu->external_id));
	json_object_set_new(o, "organisation", cust_js(cu->organisation));
	json_object_set_new(o, "phone", cust_js(cu->phone));
	json_object_set_new(o, "notes", cust_js(cu->notes));
	json_object_set_new(o, "created", cust_jtime(cu->created));
	json_object_set_new(o, "updated", cust_jtime(cu->updated));
	return o;
}

/* cust_safe - a copy for one line of a terminal: controls become '?' */
static char *
cust_safe(const char *s)
{
	char *c = xstrdup(s != NULL ? s : ""), *p;

	for (p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

/* cust_puts - text for a terminal: no control characters but \n */
static void
cust_puts(const char *s)
{
	for (; *s != '\0'; s++)
		putchar((unsigned char)*s < 0x20 && *s != '\n' ? '?' :
		    *s == 0x7f ? '?' : *s);
}

/* What list collects. */
struct cust_list_arg {
	struct store_txn *t;
	json_t	*arr;
	struct pd_err *err;
	size_t	n;
};

/* cust_list_one - iterator callback: one customer */
static int
cust_list_one(const struct pd_customer *cu, void *arg)
{
	struct cust_list_arg *la = arg;
	uint64_t *ids;
	size_t n;
	json_t *o;
	char *name, *ext, *org;

	if (store_customer_tickets(la->t, cu->email, &ids, &n, la->err) < 0)
		return -1;
	free(ids);
	la->n++;
	if (la->arr != NULL) {
		o = cust_json(cu);
		json_object_set_new(o, "tickets", json_integer((json_int_t)n));
		json_array_append_new(la->arr, o);
		return 0;
	}
	name = cust_safe(cu->name);
	ext = cust_safe(cu->external_id);
	org = cust_safe(cu->organisation);
	printf("%-32s %-24.24s %-14.14s %-20.20s %zu\n", cu->email, name, ext,
	    org, n);
	free(name);
	free(ext);
	free(org);
	return 0;
}

/* cust_list - postdesk customer list [--json] */
static int
cust_list(struct ctl *c, int argc, char **argv)
{
	struct cust_list_arg la;
	struct store *st = NULL;
	struct pd_err err;
	int rc, json = 0;

	if (argc == 3 && strcmp(argv[2], "--json") == 0)
		json = 1;
	else if (argc != 2) {
		fprintf(stderr, "usage: postdesk customer list [--json]\n");
		return EX_USAGE;
	}
	err_clear(&err);
	memset(&la, 0, sizeof(la));
	la.err = &err;
	if ((rc = cust_open(c, &st, &err)) != 0)
		return rc;
	if (json)
		la.arr = json_array();
	else
		printf("%-32s %-24s %-14s %-20s %s\n", "EMAIL", "NAME",
		    "EXTERNAL ID", "ORGANISATION", "TICKETS");
	if (store_read(st, &la.t, &err) < 0 ||
	    store_customer_iter(la.t, cust_list_one, &la, &err) < 0) {
		rc = ctl_status(&err);
		goto out;
	}
	if (json) {
		json_dumpf(la.arr, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (la.n == 0)
		printf("(no customers)\n");
	rc = 0;
out:
	json_decref(la.arr);
	store_abort(la.t);
	store_close(st);
	return rc;
}

/* cust_show - postdesk customer show EMAIL|--id EXTID [--json] */
static int
cust_show(struct ctl *c, int argc, char **argv)
{
	struct pd_customer *cu = NULL;
	struct pd_ticket *tk;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct pd_err err;
	const char *key = NULL;
	json_t *doc = NULL, *arr;
	uint64_t *ids = NULL;
	size_t n = 0, i;
	char when[32];
	int rc, json = 0, byid = 0, k;

	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--json") == 0)
			json = 1;
		else if (strcmp(argv[k], "--id") == 0 && k + 1 < argc &&
		    key == NULL)
			key = argv[++k], byid = 1;
		else if (key == NULL && argv[k][0] != '-')
			key = argv[k];
		else
			key = NULL, k = argc;
	}
	if (key == NULL || *key == '\0') {
		fprintf(stderr, "usage: postdesk customer show "
		    "EMAIL|--id EXTID [--json]\n");
		return EX_USAGE;
	}
	err_clear(&err);
	if ((rc = cust_open(c, &st, &err)) != 0)
		return rc;
	if (store_read(st, &t, &err) < 0 ||
	    (rc = byid ? store_customer_get_by_external(t, key, &cu, &err) :
	    store_customer_get_by_email(t, key, &cu, &err)) < 0 ||
	    (rc == 1 && store_customer_tickets(t, cu->email, &ids, &n,
	    &err) < 0)) {
		rc = ctl_status(&err);
		goto out;
	}
	if (rc == 0) {
		fprintf(stderr, "postdesk: no customer %s%s\n",
		    byid ? "with external id " : "", key);
		rc = 1;
		goto out;
	}
	doc = cust_json(cu);
	arr = json_array();
	json_object_set_new(doc, "tickets", arr);
	for (i = 0; i < n; i++) {
		json_t *o;

		if ((rc = store_ticket_get(t, ids[i], &tk, &err)) < 0) {
			rc = ctl_status(&err);
			goto out;
		}
		if (rc == 0)
			continue;
		o = json_object();
		json_object_set_new(o, "id", json_integer((json_int_t)tk->id));
		json_object_set_new(o, "status", cust_js(tk->status));
		json_object_set_new(o, "subject", cust_js(tk->subject));
		json_object_set_new(o, "created", cust_jtime(tk->created));
		json_object_set_new(o, "updated", cust_jtime(tk->updated));
		json_array_append_new(arr, o);
		store_ticket_free(tk);
	}
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("Customer:     %s\nName:         ", cu->email);
		cust_puts(cu->name);
		printf("\nExternal ID:  ");
		cust_puts(cu->external_id);
		printf("\nOrganisation: ");
		cust_puts(cu->organisation);
		printf("\nPhone:        ");
		cust_puts(cu->phone);
		printf("\nCreated:      %s\n", cu->created ? clock_format_iso(
		    cu->created, when, sizeof(when)) : "-");
		printf("Updated:      %s\n", cu->updated ? clock_format_iso(
		    cu->updated, when, sizeof(when)) : "-");
		if (*cu->notes != '\0') {
			printf("Notes:\n");
			cust_puts(cu->notes);
			putchar('\n');
		}
		printf("\nTickets (%zu):\n", json_array_size(arr));
		for (i = 0; i < json_array_size(arr); i++) {
			json_t *o = json_array_get(arr, i);

			printf("  #%-6lld %-15s %-20s ", (long long)
			    json_integer_value(json_object_get(o, "id")),
			    json_string_value(json_object_get(o, "status")),
			    json_string_value(json_object_get(o, "updated")));
			cust_puts(json_string_value(json_object_get(o,
			    "subject")));
			putchar('\n');
		}
	}
	rc = 0;
out:
	json_decref(doc);
	free(ids);
	store_customer_free(cu);
	store_abort(t);
	store_close(st);
	return rc;
}

/* ctl_customer - postdesk customer import|list|show */
int
ctl_customer(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return cust_import(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return cust_list(c, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return cust_show(c, argc, argv);
	fprintf(stderr, "usage: postdesk customer import FILE.csv [--dry-run]\n"
	    "       postdesk customer list [--json]\n"
	    "       postdesk customer show EMAIL|--id EXTID [--json]\n");
	return EX_USAGE;
}

/*
 * tpl.h - notification templates: one file per event and language
 *
 * A template file is UTF-8 text: a header block, one blank line, the body.
 *
 *   Subject: [#<<ticket_id>>] <<subject>>
 *   Cc: billing@example.com
 *
 *   <<reply_marker>>
 *   Hello <<customer_name>>, ...
 *
 * Headers: Subject (required), Cc and Bcc (optional, literal address
 * lists, no placeholders); names in any case; a line starting with a
 * blank continues the one above. Any other header is an error.
 * Placeholders: <<name>> or {{name}}, optionally with blanks inside
 * ("<< name >>"); a name is letters, digits, "_", "." and "-", and must be
 * one of tpl_vars(). A run of three or more "<" or "{" and a "<<" that
 * does not enclose a name are literal text. CRLF reads as LF, a leading
 * UTF-8 BOM is skipped; invalid UTF-8, NUL and control characters other
 * than TAB are errors. Every error names the file and line.
 *
 * Lookup (tpl_load): in opdir (NULL or "" = none), then in shipdir, each
 * as DIR/LANG/EVENT.tpl, DIR/PRIMARY/EVENT.tpl (LANG "de-at" -> "de") and
 * DIR/en/EVENT.tpl; the first file that exists is used. LANG is lower-cased;
 * NULL, "" or a LANG that is not [A-Za-z0-9_-]{1,35} means "en" only.
 */
#ifndef PD_TPL_H
#define PD_TPL_H

#include <stddef.h>

struct pd_err;

struct tpl;

struct tpl_var {
	const char *name;	/* one of tpl_vars() */
	const char *value;	/* UTF-8; NULL counts as missing */
};

/*
 * tpl_load - find and parse the template of event for lang
 *
 * Returns 0 and *out (free with tpl_free), or -1 with err:
 *   PD_ECONFIG "FILE:LINE: reason"  bad content (the first problem)
 *   PD_ECONFIG "no template for event E (language L) in DIR1 or DIR2"
 *   PD_ETEMP   "FILE: reason"       an I/O error other than "not there"
 *   PD_EBUG    event is not one of tpl_events()
 */
int	tpl_load(const char *opdir, const char *shipdir, const char *lang,
		 const char *event, struct tpl **out, struct pd_err *);

/*
 * tpl_render - fill in the placeholders
 *
 * Every placeholder the template uses needs a var with a non-NULL value
 * (else -1, PD_EBUG naming it); unused vars are ignored. *subject is one
 * line: control characters (C0, DEL, C1, U+2028/2029) in values become
 * spaces and it is trimmed. In *body, CRLF and CR in values become LF and
 * other controls but TAB spaces. Invalid UTF-8 in values becomes U+FFFD.
 * The caller frees *subject and *body (set only on success).
 */
int	tpl_render(const struct tpl *, const struct tpl_var *vars,
		   size_t nvars, char **subject, char **body,
		   struct pd_err *);

/*
 * tpl_check - report every problem with the templates of one language
 *
 * Parses every *.tpl file in each directory tpl_load() would search for
 * lang (lang NULL: "en" and every language directory present), reports
 * files not named after an event, unreadable files and directories, a
 * missing opdir, and events without a template. report(file, line, reason,
 * arg) is called once per problem (line 0: not at a line; report may be
 * NULL). Returns the number of problems, 0 when all is well.
 */
int	tpl_check(const char *opdir, const char *shipdir, const char *lang,
		  void (*report)(const char *file, int line,
				 const char *reason, void *arg),
		  void *arg);

/* tpl_events - NULL-terminated list of event names (static) */
const char *const *tpl_events(void);
/* tpl_vars - NULL-terminated list of placeholder names (static) */
const char *const *tpl_vars(void);
/* tpl_path - the file the template was read from (owned by the tpl) */
const char *tpl_path(const struct tpl *);
/* tpl_cc, tpl_bcc - the literal Cc/Bcc, "" when absent (owned by the tpl) */
const char *tpl_cc(const struct tpl *);
const char *tpl_bcc(const struct tpl *);
/* tpl_uses - 1 when the template has placeholder name, else 0 */
int	tpl_uses(const struct tpl *, const char *name);
/* tpl_free - release; accepts NULL, returns NULL */
struct tpl *tpl_free(struct tpl *);

#endif

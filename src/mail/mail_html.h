/*
 * mail_html.h - HTML mail bodies as readable plain text (libxml2)
 *
 * mail_html_to_text() reads len bytes of HTML, UTF-8 encoded (a <meta>
 * charset inside the document is ignored: the caller has already converted
 * the MIME part to UTF-8), and returns what a reader would see: scripts,
 * styles and the head are dropped; block elements start new lines; <br>
 * breaks a line; <li> becomes "- item"; a link becomes "text <url>" when the
 * url (http, https or mailto) says more than its text; white space is
 * collapsed as a browser does, except inside <pre>; at most one blank line
 * in a row; no leading or trailing blank space. Entities are decoded.
 *
 * The input may be broken HTML, contain NUL bytes or invalid UTF-8 (those
 * are dropped or replaced with U+FFFD); the result is always valid UTF-8
 * with LF line ends. The cost is linear in len; nesting depth does not use
 * the C stack. Inputs over INT_MAX bytes are cut to INT_MAX (libxml2 takes
 * an int). The function touches no global state of its own; libxml2 may be
 * initialised on first use (mail_init() does it up front).
 *
 * Ownership: the result is malloc()ed, never NULL; the caller frees it.
 */
#ifndef PD_MAIL_HTML_H
#define PD_MAIL_HTML_H

#include <stddef.h>

/* mail_html_to_text - readable UTF-8 text of an HTML document (caller frees) */
char	*mail_html_to_text(const char *html, size_t len);

#endif

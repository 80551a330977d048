/*
 * t_mail.c - unit test of mail/: mail_parse(), mail_html_to_text(),
 * mail_addr_normalize()
 *
 * 1. A table of small inline messages, each with the fields a helpdesk
 *    would look at (sender, subject, body text, attachments, threading
 *    ids) written out by hand.
 * 2. Hostile inputs built at run time: 1000 parts, 300 nested multiparts,
 *    a 3 MB line in the body and in a header, 200000 header fields,
 *    300000 empty parts, binary garbage.
 * 3. mail_html_to_text() and mail_addr_normalize() tables.
 * 4. Spot checks of named files of the real-world corpus, with values
 *    read off the files by hand.
 * 5. Every file of the corpus (directory $PD_CORPUS, else
 *    /work/shared/corpus; skipped when absent): parse returns 0, every
 *    string is valid UTF-8, no header field holds a control character.
 *    One TAP line per file, labelled with its path.
 *
 * Output is TAP (tests/unit/tap.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mail/mail_html.h"
#include "mail/mail_parse.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "tap.h"

/* a message with NUL bytes, so its length cannot come from strlen() */
#define T_NULCASE \
	"From: a@example.com\n" \
	"Subject: Hel\0lo\r there\n" \
	"X-Loop: loop\0@example.com\n" \
	"\n" \
	"body\0text\r\n"

/*
 * One inline message and what a reader expects of it. NULL: not checked;
 * numbers are written as strings so that 0 can be expected too.
 */
struct t_case {
	const char *label;
	const char *raw;
	size_t	len;			/* 0: strlen(raw) */
	const char *from_addr;
	const char *from_name;
	const char *reply_to;
	const char *to;
	const char *cc;
	const char *subject;
	const char *date;		/* the Date header as written */
	const char *date_t;		/* seconds, as a decimal string */
	const char *message_id;
	const char *in_reply_to;
	const char *refs;		/* References, space separated */
	const char *auto_submitted;
	const char *precedence;
	const char *list_id;
	const char *x_loop;
	const char *ctype;
	const char *text;		/* exact body text */
	const char *has;		/* the text contains this */
	const char *hasnt;		/* ... and not this */
	const char *html;		/* text_from_html: "0" or "1" */
	const char *nattach;
	const char *atypes;		/* attachment types, space separated */
	const char *aname;		/* first attachment's name */
	const char *asize;		/* first attachment's size */
	int	min_defects;
};

static const struct t_case cases[] = {
{
	.label = "plain ASCII",
	.raw = "From: John Doe <John.Doe@Example.COM>\n"
	    "Reply-To: Help Desk <Help@Example.COM>, other@example.com\n"
	    "To: Support <support@example.org>\n"
	    "Cc: Jane <jane@example.net>\n"
	    "Subject: Printer on fire\n"
	    "Date: Mon, 01 Jan 2024 12:00:00 +0000\n"
	    "Message-ID: <abc123@example.com>\n"
	    "Auto-Submitted: no\n"
	    "\n"
	    "Hello,\n\nthe printer is on fire.\n",
	.from_addr = "john.doe@example.com", .from_name = "John Doe",
	.reply_to = "help@example.com",
	.to = "Support <support@example.org>", .cc = "Jane <jane@example.net>",
	.subject = "Printer on fire", .date = "Mon, 01 Jan 2024 12:00:00 +0000",
	.date_t = "1704110400",
	.message_id = "abc123@example.com", .in_reply_to = "", .refs = "",
	.auto_submitted = "no", .x_loop = "", .ctype = "text/plain",
	.text = "Hello,\n\nthe printer is on fire.\n", .html = "0", .nattach = "0",
}, {
	.label = "list headers, upper-case content type, zone offset",
	.raw = "From: list-owner@example.com\n"
	    "Subject: [support] weekly digest\n"
	    "Date: Tue, 6 Jun 2006 17:53:38 -0400 (EDT)\n"
	    "Precedence: bulk\n"
	    "List-Id: Support list\n <support.example.com>\n"
	    "X-Loop: support@example.com\n"
	    "Content-Type: TEXT/Plain; charset=US-ASCII\n"
	    "\n"
	    "digest\n",
	.date = "Tue, 6 Jun 2006 17:53:38 -0400 (EDT)",
	.date_t = "1149630818", .precedence = "bulk",
	.list_id = "Support list <support.example.com>",
	.x_loop = "support@example.com", .auto_submitted = "",
	.ctype = "text/plain", .text = "digest\n",
}, {
	.label = "RFC 2047 Q subject (UTF-8), Q display name (ISO-8859-1)",
	.raw = "From: =?ISO-8859-1?Q?Ren=E9_Ma=EEtre?= <rene@example.fr>\n"
	    "Subject: =?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?= ok\n"
	    "\n"
	    "x\n",
	.from_addr = "rene@example.fr", .from_name = "Ren\xc3\xa9 Ma\xc3\xaetre",
	.subject = "Caf\xc3\xa9 cr\xc3\xa8me ok", .text = "x\n",
	.date_t = "0", .html = "0",
}, {
	.label = "RFC 2047 B subject (UTF-8)",
	.raw = "From: a@example.com\n"
	    "Subject: =?utf-8?B?0J/RgNC40LLQtdGCLCDQvNC40YA=?=\n\nx\n",
	.subject = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
	    "\xd0\xbc\xd0\xb8\xd1\x80",
}, {
	.label = "RFC 2047 B subject (ISO-8859-1)",
	.raw = "From: a@example.com\n"
	    "Subject: =?iso-8859-1?b?R3L832UgYXVzIEv2bG4=?=\n\nx\n",
	.subject = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln",
}, {
	/* GMime 3.2.13 drops the second word (its issue #133) */
	.label = "RFC 2047 B subject folded into two padded words",
	.raw = "From: a@example.com\n"
	    "Subject: =?utf-8?b?0KHQvtCx0LXRgNC40YLQtSDQstGB0Y4g0L/QvtGH0YLRgyDQ"
	    "siDRjdGC0L4=?=\n =?utf-8?b?0YIg0Y/RidC40Lo=?=\n\nx\n",
	.subject = "\xd0\xa1\xd0\xbe\xd0\xb1\xd0\xb5\xd1\x80\xd0\xb8\xd1\x82"
	    "\xd0\xb5 \xd0\xb2\xd1\x81\xd1\x8e \xd0\xbf\xd0\xbe\xd1\x87\xd1\x82"
	    "\xd1\x83 \xd0\xb2 \xd1\x8d\xd1\x82\xd0\xbe\xd1\x82 \xd1\x8f\xd1\x89"
	    "\xd0\xb8\xd0\xba",
}, {
	.label = "multipart/alternative: text/plain chosen over text/html",
	.raw = "From: a@example.com\n"
	    "Subject: alt\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"XX\"\n"
	    "\n"
	    "This is a multi-part message in MIME format.\n"
	    "--XX\n"
	    "Content-Type: text/html; charset=utf-8\n"
	    "\n"
	    "<p>HTML version</p>\n"
	    "--XX\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "\n"
	    "Plain version\n"
	    "--XX--\n",
	.ctype = "multipart/alternative", .text = "Plain version",
	.hasnt = "HTML", .html = "0", .nattach = "0",
}, {
	.label = "HTML only: links, breaks, lists; script and style dropped",
	.raw = "From: a@example.com\n"
	    "Subject: html\n"
	    "Content-Type: text/html; charset=utf-8\n"
	    "\n"
	    "<html><head><title>Title</title>\n"
	    "<style>p { color: red }</style></head><body>\n"
	    "<script>alert(\"x\")</script>\n"
	    "<p>Hello&nbsp;&amp;   welcome,<br>second\n line</p>\n"
	    "<ul><li>one</li><li>two</li></ul>\n"
	    "<p>See <a href=\"https://example.com/a\">our site</a> or "
	    "<a href=\"mailto:help@example.com\">help@example.com</a>.</p>\n"
	    "<div>caf&eacute; &lt;ok&gt;</div>\n"
	    "</body></html>\n",
	.ctype = "text/html", .html = "1", .nattach = "0",
	.text = "Hello & welcome,\nsecond line\n\n- one\n- two\n\n"
	    "See our site <https://example.com/a> or help@example.com.\n\n"
	    "caf\xc3\xa9 <ok>",
	.hasnt = "alert",
}, {
	.label = "base64 body, ISO-8859-1",
	.raw = "From: a@example.com\n"
	    "Content-Type: text/plain; charset=ISO-8859-1\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "R3L832UgYXVzIEv2bG4KWndlaXRlIFplaWxlCg==\n",
	.text = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln\nZweite Zeile\n",
	.html = "0", .nattach = "0",
}, {
	.label = "base64 body, UTF-8",
	.raw = "From: a@example.com\n"
	    "Content-Type: text/plain; charset=\"utf-8\"\n"
	    "Content-Transfer-Encoding: BASE64\n"
	    "\n"
	    "zpXOu867zrfOvc65zrrOrCDOus6xzrkg5pel5pys6KqeCg==\n",
	.text = "\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce"
	    "\xac \xce\xba\xce\xb1\xce\xb9 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n",
	.html = "0",
}, {
	/* GMime 3.2.13 stops decoding at the first '=' (its issue #150) */
	.label = "base64 body sent in separately padded chunks",
	.raw = "From: a@example.com\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "SGVsbG8=\nV29ybGQ=\n",
	.text = "HelloWorld",
}, {
	.label = "quoted-printable body, UTF-8, soft line break",
	.raw = "From: a@example.com\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Caf=C3=A9 cr=C3=A8me, a very =\nlong line.\n",
	.text = "Caf\xc3\xa9 cr\xc3\xa8me, a very long line.\n",
	.html = "0",
}, {
	.label = "quoted-printable body, ISO-8859-1 (0x80 read as Euro sign)",
	.raw = "From: a@example.com\n"
	    "Content-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: Quoted-Printable\n"
	    "\n"
	    "Stra=DFe =80 5\n",
	.text = "Stra\xc3\x9f" "e \xe2\x82\xac 5\n",
}, {
	.label = "attachment: name, type, size",
	.raw = "From: a@example.com\n"
	    "Subject: report\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"=-=\"\n"
	    "\n"
	    "--=-=\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "See attached.\n"
	    "--=-=\n"
	    "Content-Type: Application/PDF; name=\"report.pdf\"\n"
	    "Content-Disposition: attachment; filename=\"report.pdf\"\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "SGVsbG8gYXR0YWNobWVudApIZWxsbyBhdHRhY2htZW50CkhlbGxvIGF0dGFjaG1lb"
	    "nQKSGVsbG8g\n"
	    "YXR0YWNobWVudApIZWxsbyBhdHRhY2htZW50CkhlbGxvIGF0dGFjaG1lbnQKSGVsb"
	    "G8gYXR0YWNo\n"
	    "bWVudApIZWxsbyBhdHRhY2htZW50CkhlbGxvIGF0dGFjaG1lbnQKSGVsbG8gYXR0Y"
	    "WNobWVudAo=\n"
	    "--=-=--\n",
	.ctype = "multipart/mixed", .text = "See attached.", .html = "0",
	.nattach = "1", .atypes = "application/pdf", .aname = "report.pdf",
	.asize = "170",
}, {
	.label = "attachment name: RFC 2047 in two padded words",
	.raw = "From: a@example.com\n"
	    "Content-Type: multipart/mixed; boundary=b1\n"
	    "\n"
	    "--b1\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "\n"
	    "body\n"
	    "--b1\n"
	    "Content-Type: application/octet-stream\n"
	    "Content-Disposition: attachment;\n"
	    " filename=\"=?utf-8?B?UmFwcG9ydCDDvGJlcg==?=\n"
	    " =?utf-8?B?IGRhcyBKYWhyLnBkZg==?=\"\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "JVBERi0xLjQK\n"
	    "--b1--\n",
	.text = "body", .nattach = "1", .atypes = "application/octet-stream",
	.aname = "Rapport \xc3\xbc" "ber das Jahr.pdf", .asize = "9",
}, {
	.label = "text/plain attachment is not the body; HTML is",
	.raw = "From: a@example.com\n"
	    "Content-Type: multipart/mixed; boundary=b2\n"
	    "\n"
	    "--b2\n"
	    "Content-Type: text/plain\n"
	    "Content-Disposition: attachment; filename=a.txt\n"
	    "\n"
	    "attached text\n"
	    "--b2\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<p>html body</p>\n"
	    "--b2--\n",
	.text = "html body", .html = "1", .nattach = "1", .atypes = "text/plain",
	.aname = "a.txt", .asize = "13",
}, {
	.label = "bounce: multipart/report, text is the human part",
	.raw = "From: MAILER-DAEMON@Example.org (Mail Delivery System)\n"
	    "Subject: Undelivered Mail Returned to Sender\n"
	    "Auto-Submitted: auto-replied\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"B\"\n"
	    "\n"
	    "--B\n"
	    "Content-Description: Notification\n"
	    "Content-Type: text/plain; charset=us-ascii\n"
	    "\n"
	    "Your message could not be delivered.\n"
	    "--B\n"
	    "Content-Type: message/delivery-status\n"
	    "\n"
	    "Reporting-MTA: dns; mx.example.org\n"
	    "\n"
	    "Final-Recipient: rfc822; nobody@example.net\n"
	    "Action: failed\n"
	    "Status: 5.1.1\n"
	    "--B\n"
	    "Content-Type: message/rfc822\n"
	    "\n"
	    "From: customer@example.net\n"
	    "Subject: original\n"
	    "\n"
	    "The original text.\n"
	    "--B--\n",
	.from_addr = "mailer-daemon@example.org",
	.subject = "Undelivered Mail Returned to Sender",
	.auto_submitted = "auto-replied", .ctype = "multipart/report",
	.text = "Your message could not be delivered.", .hasnt = "original",
	.html = "0", .nattach = "2",
	.atypes = "message/delivery-status message/rfc822", .aname = "",
}, {
	.label = "References and In-Reply-To: order, no duplicates, no <>",
	.raw = "From: a@example.com\n"
	    "Message-ID:\n <m1@example.com>\n"
	    "References: <a@x.example> <b@x.example>\n"
	    "\t<a@x.example> <c@x.example>\n"
	    "In-Reply-To: <d@x.example> (sent by someone)\n"
	    "\n"
	    "x\n",
	.message_id = "m1@example.com", .in_reply_to = "d@x.example",
	.refs = "a@x.example b@x.example c@x.example d@x.example",
}, {
	.label = "In-Reply-To already in References: not repeated",
	.raw = "From: a@example.com\n"
	    "In-Reply-To: <b@x.example>\n"
	    "References: <a@x.example> <b@x.example>\n"
	    "\n"
	    "x\n",
	.in_reply_to = "b@x.example", .refs = "a@x.example b@x.example",
}, {
	.label = "raw 8-bit Latin-1 subject and name",
	.raw = "From: J\xfcrgen M\xfcller <jm@example.de>\n"
	    "Subject: Gr\xfc\xdf" "e \x80 5\n"
	    "\n"
	    "x\n",
	.from_addr = "jm@example.de",
	.from_name = "J\xc3\xbcrgen M\xc3\xbcller",
	.subject = "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac 5",
}, {
	.label = "CRLF line ends",
	.raw = "From: a@example.com\r\n"
	    "Subject: crlf\r\n"
	    " folded\r\n"
	    "\r\n"
	    "line one\r\nline two\r\n",
	.subject = "crlf folded", .text = "line one\nline two\n",
}, {
	.label = "CR-only line ends (old Mac)",
	.raw = "From: a@example.com\rSubject: old mac\r\rline 1\rline 2\r",
	.from_addr = "a@example.com", .subject = "old mac",
	.text = "line 1\nline 2\n",
}, {
	.label = "mbox From_ line first",
	.raw = "From someone@example.com Mon Jan  1 00:00:00 2024\n"
	    "From: a@example.com\n"
	    "Subject: from mbox\n"
	    "\n"
	    "body\n",
	.from_addr = "a@example.com", .subject = "from mbox", .text = "body\n",
}, {
	.label = "UTF-8 byte order mark first",
	.raw = "\xef\xbb\xbf" "From: a@example.com\nSubject: bom\n\nx\n",
	.from_addr = "a@example.com", .subject = "bom", .text = "x\n",
}, {
	.label = "multipart without boundary parameter",
	.raw = "From: a@example.com\n"
	    "Content-Type: multipart/mixed\n"
	    "\n"
	    "Just text here\n",
	.has = "Just text here", .min_defects = 1,
}, {
	.label = "multipart whose boundary never comes",
	.raw = "From: a@example.com\n"
	    "Content-Type: multipart/mixed; boundary=\"nope\"\n"
	    "\n"
	    "--other\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "the text\n",
	.has = "the text", .min_defects = 1,
}, {
	.label = "no empty line after the headers",
	.raw = "From: a@example.com\n"
	    "Subject: no separator\n"
	    "this line is the body\n",
	.subject = "no separator", .text = "this line is the body\n",
	.min_defects = 1,
}, {
	.label = "the empty line after the headers holds a space",
	.raw = "From: a@example.com\n"
	    "Subject: spaced\n"
	    " \n"
	    "The text, not a header.\n"
	    "\n"
	    "More text.\n",
	.subject = "spaced", .text = "The text, not a header.\n\nMore text.\n",
}, {
	.label = "a field folded without white space: next fields still read",
	.raw = "Received: from a.example\n"
	    "by b.example; Mon, 1 Jan 2024 00:00:00 +0000\n"
	    "From: a@example.com\n"
	    "Subject: still read\n"
	    "\n"
	    "body\n",
	.from_addr = "a@example.com", .subject = "still read",
	.text = "body\n",
}, {
	.label = "junk lines before the first header field are dropped",
	.raw = "HELO example.com\n"
	    "MAIL FROM:<a@example.com>\n"
	    "From: a@example.com\n"
	    "Subject: after junk\n"
	    "\n"
	    "body\n",
	.from_addr = "a@example.com", .subject = "after junk",
	.text = "body\n", .min_defects = 1,
}, {
	.label = "a boundary right after the headers",
	.raw = "From: a@example.com\n"
	    "Content-Type: multipart/alternative; boundary=\"b3\"\n"
	    "--b3\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "the plain text\n"
	    "--b3--\n",
	.ctype = "multipart/alternative", .text = "the plain text",
	.nattach = "0",
}, {
	.label = "blank text/plain beside the HTML: the HTML is the text",
	.raw = "From: a@example.com\n"
	    "Content-Type: multipart/alternative; boundary=\"b4\"\n"
	    "\n"
	    "--b4\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "   \n"
	    "\n"
	    "--b4\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<b>real</b> text\n"
	    "--b4--\n",
	.text = "real text", .html = "1", .nattach = "0",
}, {
	.label = "NUL and CR inside header values",
	.raw = T_NULCASE, .len = sizeof(T_NULCASE) - 1,
	.subject = "Hello there", .x_loop = "loop@example.com",
	.text = "bodytext\n",
}, {
	.label = "empty input",
	.raw = "",
	.from_addr = "", .from_name = "", .reply_to = "", .to = "", .cc = "",
	.subject = "", .date_t = "0", .message_id = "", .in_reply_to = "",
	.refs = "", .auto_submitted = "", .x_loop = "", .text = "",
	.html = "0", .nattach = "0",
}, {
	.label = "headers only, no body, no final newline",
	.raw = "From: a@example.com\nSubject: only headers",
	.from_addr = "a@example.com", .subject = "only headers", .text = "",
	.nattach = "0",
}, {
	.label = "no header at all: everything is body",
	.raw = "Just a line of text\nand another\n",
	.from_addr = "", .subject = "",
	.text = "Just a line of text\nand another\n", .min_defects = 1,
}, {
	.label = "unknown charset read as Windows-1252",
	.raw = "From: a@example.com\n"
	    "Content-Type: text/plain; charset=x-no-such-charset\n"
	    "\n"
	    "na\xefve\n",
	.text = "na\xc3\xafve\n", .min_defects = 1,
}, {
	.label = "no charset declared, UTF-8 bytes: kept",
	.raw = "From: a@example.com\n\nna\xc3\xafve \xe2\x82\xac\n",
	.text = "na\xc3\xafve \xe2\x82\xac\n",
}, {
	.label = "no charset declared, 8-bit bytes: read as Windows-1252",
	.raw = "From: a@example.com\n\nna\xefve \x80\n",
	.text = "na\xc3\xafve \xe2\x82\xac\n",
}, {
	.label = "unknown transfer encoding: content kept as is",
	.raw = "From: a@example.com\n"
	    "Content-Transfer-Encoding: x-foo\n"
	    "\n"
	    "hello\n",
	.text = "hello\n", .min_defects = 1,
}, {
	.label = "invalid UTF-8 in a UTF-8 body becomes U+FFFD",
	.raw = "From: a@example.com\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "\n"
	    "ok \xff\xfe end\n",
	.text = "ok \xef\xbf\xbd\xef\xbf\xbd end\n", .min_defects = 1,
},
};

static int t_utf8(const char *, size_t);
static const char *t_insane(const struct pd_msg *);
static void t_str(const char *, const char *, const char *, const char *);
static void t_num(const char *, const char *, long long, const char *);
static char *t_join_refs(const struct pd_msg *);
static char *t_join_types(const struct pd_msg *);
static void t_one_case(const struct t_case *);
static void t_cases(void);
static struct pd_msg *t_parse(const char *, size_t, const char *);
static void t_many_parts(void);
static void t_nesting(void);
static void t_long_lines(void);
static void t_bombs(void);
static void t_garbage(void);
static void t_addr(void);
static void t_html(void);
static char *t_slurp(const char *, size_t *);
static void t_spot(const char *);
static int t_skip_name(const char *);
static void t_corpus_file(const char *, const char *, int *);
static void t_corpus_dir(const char *, const char *, int *);
static void t_corpus(const char *);

/* t_utf8 - is s[0..n) valid UTF-8 without NUL bytes? */
static int
t_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, len;

	while (i < n) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			len = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			len = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			len = 4;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		if ((p[i] == 0xe0 && p[i + 1] < 0xa0) ||
		    (p[i] == 0xed && p[i + 1] > 0x9f) ||
		    (p[i] == 0xf0 && p[i + 1] < 0x90) ||
		    (p[i] == 0xf4 && p[i + 1] > 0x8f))
			return 0;
		i += len;
	}
	return 1;
}

/*
 * t_insane - what is wrong with m by the contract of mail_parse.h, or NULL:
 * strings present and valid UTF-8, no C0 control character in a header.
 */
static const char *
t_insane(const struct pd_msg *m)
{
	const struct {
		const char *name;
		const char *value;
	} hdr[] = {
		{ "from_addr", m->from_addr }, { "from_name", m->from_name },
		{ "reply_to", m->reply_to }, { "to", m->to }, { "cc", m->cc },
		{ "subject", m->subject }, { "date", m->date },
		{ "message_id", m->message_id },
		{ "in_reply_to", m->in_reply_to },
		{ "auto_submitted", m->auto_submitted },
		{ "precedence", m->precedence }, { "list_id", m->list_id },
		{ "x_loop", m->x_loop }, { "content_type", m->content_type },
	};
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		if (hdr[i].value == NULL ||
		    !t_utf8(hdr[i].value, strlen(hdr[i].value)))
			return hdr[i].name;
		for (p = hdr[i].value; *p != '\0'; p++)
			if ((unsigned char)*p < ' ')
				return hdr[i].name;
	}
	if (m->text == NULL || !t_utf8(m->text, strlen(m->text)) ||
	    strchr(m->text, '\r') != NULL)
		return "text";
	for (i = 0; i < m->nreferences; i++)
		if (m->references[i] == NULL || *m->references[i] == '\0' ||
		    !t_utf8(m->references[i], strlen(m->references[i])) ||
		    strpbrk(m->references[i], "\r\n<>") != NULL)
			return "references";
	for (i = 0; i < m->nattach; i++)
		if (m->attach[i].name == NULL || m->attach[i].type == NULL ||
		    !t_utf8(m->attach[i].name, strlen(m->attach[i].name)) ||
		    !t_utf8(m->attach[i].type, strlen(m->attach[i].type)) ||
		    strpbrk(m->attach[i].name, "\r\n") != NULL)
			return "attach";
	if (m->content_type[0] == '\0')
		return "content_type";
	return NULL;
}

/* t_str - check one string field when an expectation is given */
static void
t_str(const char *label, const char *field, const char *got,
    const char *want)
{
	if (want != NULL)
		IS_STR(got, want, "%s: %s", label, field);
}

/* t_num - check one number when an expectation (a decimal string) is given */
static void
t_num(const char *label, const char *field, long long got, const char *want)
{
	if (want != NULL)
		IS_INT(got, strtoll(want, NULL, 10), "%s: %s", label, field);
}

/* t_join_refs - m's references joined by spaces (caller frees) */
static char *
t_join_refs(const struct pd_msg *m)
{
	struct buf *b = buf_new(64);
	size_t i;

	for (i = 0; i < m->nreferences; i++)
		buf_printf(b, "%s%s", i ? " " : "", m->references[i]);
	return buf_export(b, NULL);
}

/* t_join_types - m's attachment types joined by spaces (caller frees) */
static char *
t_join_types(const struct pd_msg *m)
{
	struct buf *b = buf_new(64);
	size_t i;

	for (i = 0; i < m->nattach; i++)
		buf_printf(b, "%s%s", i ? " " : "", m->attach[i].type);
	return buf_export(b, NULL);
}

/* t_one_case - parse one table entry and compare what is expected */
static void
t_one_case(const struct t_case *tc)
{
	struct pd_msg *m = NULL;
	struct pd_err err;
	const char *bad;
	size_t len = tc->len ? tc->len : strlen(tc->raw);
	char *s;
	int rc;

	rc = mail_parse(tc->raw, len, &m, &err);
	IS_INT(rc, 0, "%s: mail_parse returns 0", tc->label);
	if (m == NULL)
		return;
	bad = t_insane(m);
	OK(bad == NULL, "%s: all fields valid UTF-8, clean headers%s%s",
	    tc->label, bad ? ": bad " : "", bad ? bad : "");
	t_str(tc->label, "from_addr", m->from_addr, tc->from_addr);
	t_str(tc->label, "from_name", m->from_name, tc->from_name);
	t_str(tc->label, "reply_to", m->reply_to, tc->reply_to);
	t_str(tc->label, "to", m->to, tc->to);
	t_str(tc->label, "cc", m->cc, tc->cc);
	t_str(tc->label, "subject", m->subject, tc->subject);
	t_str(tc->label, "date", m->date, tc->date);
	t_num(tc->label, "date_t", (long long)m->date_t, tc->date_t);
	t_str(tc->label, "message_id", m->message_id, tc->message_id);
	t_str(tc->label, "in_reply_to", m->in_reply_to, tc->in_reply_to);
	if (tc->refs != NULL) {
		s = t_join_refs(m);
		IS_STR(s, tc->refs, "%s: references", tc->label);
		free(s);
	}
	t_str(tc->label, "auto_submitted", m->auto_submitted,
	    tc->auto_submitted);
	t_str(tc->label, "precedence", m->precedence, tc->precedence);
	t_str(tc->label, "list_id", m->list_id, tc->list_id);
	t_str(tc->label, "x_loop", m->x_loop, tc->x_loop);
	t_str(tc->label, "content_type", m->content_type, tc->ctype);
	t_str(tc->label, "text", m->text, tc->text);
	if (tc->has != NULL)
		OK(strstr(m->text, tc->has) != NULL, "%s: text has the "
		    "expected words", tc->label);
	if (tc->hasnt != NULL)
		OK(strstr(m->text, tc->hasnt) == NULL,
		    "%s: text lacks the unwanted words", tc->label);
	t_num(tc->label, "text_from_html", m->text_from_html, tc->html);
	t_num(tc->label, "nattach", (long long)m->nattach, tc->nattach);
	if (tc->atypes != NULL) {
		s = t_join_types(m);
		IS_STR(s, tc->atypes, "%s: attachment types", tc->label);
		free(s);
	}
	if (tc->aname != NULL)
		IS_STR(m->nattach > 0 ? m->attach[0].name : NULL, tc->aname,
		    "%s: attachment name", tc->label);
	t_num(tc->label, "attachment size",
	    m->nattach > 0 ? (long long)m->attach[0].size : -1, tc->asize);
	if (tc->min_defects > 0)
		OK(m->defects >= tc->min_defects, "%s: defects counted (%d)",
		    tc->label, m->defects);
	m = mail_msg_free(m);
	OK(m == NULL, "%s: mail_msg_free returns NULL", tc->label);
}

/* t_cases - the inline table */
static void
t_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		t_one_case(&cases[i]);
	OK(mail_msg_free(NULL) == NULL, "mail_msg_free(NULL) is NULL");
}

/* t_parse - parse, check rc and sanity; the message, or NULL (caller frees) */
static struct pd_msg *
t_parse(const char *raw, size_t len, const char *label)
{
	struct pd_msg *m = NULL;
	struct pd_err err;
	const char *bad;
	int rc;

	rc = mail_parse(raw, len, &m, &err);
	bad = m != NULL ? t_insane(m) : "no message";
	OK(rc == 0 && bad == NULL, "%s: parsed, fields clean%s%s", label,
	    bad ? ": bad " : "", bad ? bad : "");
	return m;
}

/* t_many_parts - a message of 1000 parts: text first, 999 attachments */
static void
t_many_parts(void)
{
	struct buf *b = buf_new(100000);
	struct pd_msg *m;
	size_t i;
	int names_ok = 1;
	char want[32];

	buf_adds(b, "From: a@example.com\nSubject: many\n"
	    "Content-Type: multipart/mixed; boundary=\"P\"\n\n");
	buf_adds(b, "--P\nContent-Type: text/plain\n\npart 0\n");
	for (i = 1; i < 1000; i++)
		buf_printf(b, "--P\nContent-Type: application/octet-stream; "
		    "name=\"f%zu.bin\"\n\n%zu\n", i, i);
	buf_adds(b, "--P--\n");
	if ((m = t_parse(b->data, b->len, "1000 parts")) != NULL) {
		IS_STR(m->text, "part 0", "1000 parts: body is the first part");
		IS_INT(m->nattach, 999, "1000 parts: 999 attachments");
		for (i = 0; i < m->nattach; i++) {
			snprintf(want, sizeof(want), "f%zu.bin", i + 1);
			if (strcmp(m->attach[i].name, want) != 0)
				names_ok = 0;
		}
		OK(names_ok && m->nattach == 999,
		    "1000 parts: attachments named in order");
		mail_msg_free(m);
	}
	buf_free(b);
}

/* t_nesting - 300 nested multiparts; and text found 10 levels down */
static void
t_nesting(void)
{
	struct buf *b = buf_new(65536);
	struct pd_msg *m;
	int i, depth[] = { 300, 10 };
	size_t k;

	for (k = 0; k < 2; k++) {
		buf_reset(b);
		buf_printf(b, "From: a@example.com\nSubject: deep %d\n",
		    depth[k]);
		for (i = 0; i < depth[k]; i++)
			buf_printf(b, "Content-Type: multipart/mixed; "
			    "boundary=\"n%d\"\n\n--n%d\n", i, i);
		buf_adds(b, "Content-Type: text/plain\n\ndeep text\n");
		for (i = depth[k] - 1; i >= 0; i--)
			buf_printf(b, "--n%d--\n", i);
		m = t_parse(b->data, b->len, depth[k] == 300 ?
		    "300-level nesting" : "10-level nesting");
		if (m == NULL)
			continue;
		if (depth[k] == 300)
			OK(m->defects > 0, "300-level nesting: depth limit "
			    "counted as a defect (%d)", m->defects);
		else
			IS_STR(m->text, "deep text",
			    "10-level nesting: text found");
		mail_msg_free(m);
	}
	buf_free(b);
}

/* t_long_lines - a 3 MB line in the body, in a header, and with no newline */
static void
t_long_lines(void)
{
	const size_t n = 3 * 1024 * 1024;
	struct buf *b = buf_new(n + 256);
	struct pd_msg *m;
	char *line = xmalloc(n + 1);

	memset(line, 'a', n);
	line[n] = '\0';

	buf_adds(b, "From: a@example.com\nSubject: long\n\n");
	buf_add(b, line, n);
	if ((m = t_parse(b->data, b->len, "3 MB body line")) != NULL) {
		IS_INT(strlen(m->text), n, "3 MB body line: text kept whole");
		mail_msg_free(m);
	}

	buf_reset(b);
	buf_adds(b, "From: a@example.com\nSubject: ");
	buf_add(b, line, n);
	buf_adds(b, "\n\nshort body\n");
	if ((m = t_parse(b->data, b->len, "3 MB header line")) != NULL) {
		IS_INT(strlen(m->subject), n, "3 MB header line: subject kept");
		IS_STR(m->text, "short body\n", "3 MB header line: body");
		mail_msg_free(m);
	}

	/* one line, no newline, no colon: not a header, so all body */
	if ((m = t_parse(line, n, "3 MB input, one line")) != NULL) {
		IS_INT(strlen(m->text), n, "3 MB input, one line: as body");
		mail_msg_free(m);
	}
	free(line);
	buf_free(b);
}

/* t_bombs - 200000 header fields, 300000 empty parts: bounded, not fatal */
static void
t_bombs(void)
{
	struct buf *b = buf_new(2000000);
	struct pd_msg *m;
	int i;

	buf_adds(b, "From: a@example.com\nSubject: fields\n");
	for (i = 0; i < 200000; i++)
		buf_adds(b, "X-H: v\n");
	buf_adds(b, "\nbody\n");
	if ((m = t_parse(b->data, b->len, "200000 header fields")) != NULL) {
		IS_STR(m->subject, "fields", "200000 header fields: subject");
		OK(m->defects > 0, "200000 header fields: cut counted (%d)",
		    m->defects);
		mail_msg_free(m);
	}

	buf_reset(b);
	buf_adds(b, "From: a@example.com\nSubject: parts\n"
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/plain\n\nfirst\n");
	for (i = 0; i < 300000; i++)
		buf_adds(b, "--b\n\n");
	buf_adds(b, "--b--\n");
	if ((m = t_parse(b->data, b->len, "300000 empty parts")) != NULL) {
		IS_STR(m->text, "first", "300000 empty parts: text");
		OK(m->defects > 0, "300000 empty parts: cut counted (%d)",
		    m->defects);
		mail_msg_free(m);
	}
	buf_free(b);
}

/* t_garbage - pseudo-random bytes, NULs and 8-bit included */
static void
t_garbage(void)
{
	const size_t n = 256 * 1024;
	unsigned char *g = xmalloc(n);
	unsigned int x = 12345;
	struct pd_msg *m;
	size_t i;
	int seed;

	for (seed = 0; seed < 4; seed++) {
		for (i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			g[i] = (unsigned char)(x >> 16);
			/* seeds 2, 3: mail-like noise with boundaries */
			if (seed >= 2 && (x >> 8) % 7 == 0)
				g[i] = "\n-:=?\r<"[(x >> 4) % 7];
		}
		if (seed == 3)
			memcpy(g, "Content-Type: multipart/mixed; boundary=-\n\n",
			    43);
		m = t_parse((const char *)g, n, seed < 2 ? "binary garbage" :
		    "mail-like garbage");
		mail_msg_free(m);
	}
	free(g);
}

/* t_addr - mail_addr_normalize() */
static void
t_addr(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "Name <A@B.com>", "a@b.com" },
		{ "a@B", "a@b" },
		{ "  Some.One@Example.ORG  ", "some.one@example.org" },
		{ "\"Doe, <John>\" <J.Doe@Example.com>", "j.doe@example.com" },
		{ "x@y.example (Comment Here)", "x@y.example" },
		{ "Broken <Open@Example.com", "open@example.com" },
		{ "<>", "" },
		{ "", "" },
		{ "Garbage Without At", "garbage without at" },
		{ "a\r\n@b\0c", "a@b" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = mail_addr_normalize(t[i].in);
		IS_STR(s, t[i].want, "mail_addr_normalize(\"%s\")", t[i].want);
		free(s);
	}
	s = mail_addr_normalize(NULL);
	IS_STR(s, "", "mail_addr_normalize(NULL) is \"\"");
	free(s);
}

/* t_html - mail_html_to_text() */
static void
t_html(void)
{
	static const struct {
		const char *label, *in, *want;
	} t[] = {
		{ "white space collapsed",
		  "  a \n\n b\t\tc  ", "a b c" },
		{ "pre keeps white space",
		  "<p>x</p><pre>  a  b\n   c</pre><p>y</p>",
		  "x\n\n  a  b\n   c\n\ny" },
		{ "at most one blank line",
		  "a<br><br><br><br>b<p></p><p></p><div></div>c",
		  "a\n\nb\n\nc" },
		{ "link text equal to url: url not repeated",
		  "<a href=\"http://x.example/\">http://x.example/</a>",
		  "http://x.example/" },
		{ "javascript: link not shown",
		  "<a href=\"javascript:evil()\">click</a>", "click" },
		{ "image link shows the url",
		  "<a href=\"https://x.example/p\"><img src=\"i.png\"></a> go",
		  "<https://x.example/p> go" },
		{ "table cells and rows",
		  "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr>"
		  "</table>", "a b\nc" },
		{ "nested lists",
		  "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>",
		  "- a\n- b\n- c" },
		{ "headings and entities",
		  "<h1>T&icirc;tle</h1>text &#8364; &euro;",
		  "T\xc3\xaetle\n\ntext \xe2\x82\xac \xe2\x82\xac" },
		{ "meta charset ignored: input is UTF-8",
		  "<meta charset=\"iso-8859-1\"><p>Gr\xc3\xbc\xc3\x9f" "e</p>",
		  "Gr\xc3\xbc\xc3\x9f" "e" },
		{ "broken markup recovered",
		  "<p>one<p>two</b></i><div>three", "one\n\ntwo\n\nthree" },
		{ "template, noscript kept, comment dropped",
		  "<template>t</template><!-- c --><noscript>n</noscript>",
		  "n" },
		{ "empty input", "", "" },
	};
	struct buf *b;
	size_t i;
	char *s;
	int d;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = mail_html_to_text(t[i].in, strlen(t[i].in));
		IS_STR(s, t[i].want, "html: %s", t[i].label);
		free(s);
	}

	s = mail_html_to_text("a\0b \xff c", 7);
	IS_STR(s, "ab \xef\xbf\xbd c", "html: NUL dropped, invalid UTF-8 "
	    "replaced");
	free(s);

	/* 20000 nested elements: no recursion on the C stack */
	b = buf_new(200000);
	for (d = 0; d < 20000; d++)
		buf_adds(b, "<div><span>");
	buf_adds(b, "deep");
	s = mail_html_to_text(b->data, b->len);
	OK(s != NULL && t_utf8(s, strlen(s)), "html: 20000 nested elements");
	free(s);
	buf_free(b);
}

/* t_slurp - a whole file in memory (caller frees), NULL on error */
static char *
t_slurp(const char *path, size_t *lenp)
{
	struct buf *b;
	FILE *f;
	size_t got;
	char chunk[65536];

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	b = buf_new(sizeof(chunk));
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, got);
	fclose(f);
	return buf_export(b, lenp);
}

/* t_spot - named corpus files, expectations read off the files by hand */
static void
t_spot(const char *dir)
{
	static const struct {
		const char *file, *from_addr, *from_name, *subject;
		const char *ctype, *text_starts, *text_has, *attach_type;
		const char *auto_submitted;
		int html;
	} t[] = {
		/* a bounce: the text is the human part, not the report */
		{ "bounceparser-perl/aol.unknown.msg", "mailer-daemon@aol.com",
		  "Mail Delivery Subsystem", "Returned mail: User unknown",
		  "multipart/report",
		  "The original message was received at Tue, 6 Jun 2006 "
		  "17:53:01 -0400 (EDT)\nfrom somehost.example.com",
		  "550 <recipient@example.net>... User unknown",
		  "message/delivery-status", "auto-generated (failure)", 0 },
		/* HTML only; subject and name RFC 2047 B (UTF-8), folded */
		{ "imap-tools/base.eml", "hello@yandex.ru",
		  "\xd0\xaf\xd0\xbd\xd0\xb4\xd0\xb5\xd0\xba\xd1\x81",
		  "\xd0\xa1\xd0\xbe\xd0\xb1\xd0\xb5\xd1\x80\xd0\xb8\xd1\x82"
		  "\xd0\xb5 \xd0\xb2\xd1\x81\xd1\x8e \xd0\xbf\xd0\xbe\xd1\x87"
		  "\xd1\x82\xd1\x83 \xd0\xb2 \xd1\x8d\xd1\x82\xd0\xbe\xd1\x82 "
		  "\xd1\x8f\xd1\x89\xd0\xb8\xd0\xba",
		  "multipart/related",
		  "\xd0\x97\xd0\xb4\xd1\x80\xd0\xb0\xd0\xb2\xd1\x81\xd1\x82\xd0"
		  "\xb2\xd1\x83\xd0\xb9\xd1\x82\xd0\xb5!",
		  " <https://mail.yandex.ru/neo2/#setup/collectors>",
		  "image/jpeg", "", 1 },
		/* RFC 2047 B subject in two words, QP UTF-8 body */
		{ "flanker/bilingual-simple.eml", "hello@example.com", "Hello",
		  "Simple text. How are you? \xd0\x9a\xd0\xb0\xd0\xba \xd1\x82"
		  "\xd1\x8b \xd0\xbf\xd0\xbe\xd0\xb6\xd0\xb8\xd0\xb2\xd0\xb0\xd0"
		  "\xb5\xd1\x88\xd1\x8c?", "text/plain",
		  "This line is in English\n\xd0\x90 \xd1\x8d\xd1\x82\xd0\xb0 ",
		  NULL, NULL, "", 0 },
		/* CR-only line ends, an RFC 3834 auto-reply */
		{ "sisimai/maildir/mac/rfc3834-01.eml", "kijitora@example.net",
		  "", "Away until May 5", "text/plain",
		  "I am currently away returning to the office on May 5th.",
		  "\n\nKijitora, Nyaan.", NULL, "auto-replied", 0 },
		/* a byte order mark, then an mbox From_ line */
		{ "mimekit/mbox/unmunged.mbox.txt", "jeff@xamarin.com",
		  "Jeffrey Stedfast",
		  "This is a test message with an unmunged From line",
		  "text/plain",
		  "This is my favourite James Bond movie:\n\nFrom Russia with "
		  "love\n", NULL, NULL, "", 0 },
		/* a body in UTF-16LE, sent as binary with NUL bytes */
		{ "stalwart-mail-parser/thirdparty/005.eml", "", "", "",
		  "multipart/mixed", "Test message\n", NULL, NULL, "", 0 },
	};
	struct pd_msg *m;
	char path[4096], *raw;
	size_t i, k, len;
	int found;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, t[i].file);
		if ((raw = t_slurp(path, &len)) == NULL) {
			OK(0, "spot %s: readable", t[i].file);
			continue;
		}
		m = t_parse(raw, len, t[i].file);
		free(raw);
		if (m == NULL)
			continue;
		IS_STR(m->from_addr, t[i].from_addr, "spot %s: from_addr",
		    t[i].file);
		IS_STR(m->from_name, t[i].from_name, "spot %s: from_name",
		    t[i].file);
		IS_STR(m->subject, t[i].subject, "spot %s: subject", t[i].file);
		IS_STR(m->content_type, t[i].ctype, "spot %s: content_type",
		    t[i].file);
		IS_STR(m->auto_submitted, t[i].auto_submitted,
		    "spot %s: auto_submitted", t[i].file);
		IS_INT(m->text_from_html, t[i].html, "spot %s: text_from_html",
		    t[i].file);
		OK(strncmp(m->text, t[i].text_starts,
		    strlen(t[i].text_starts)) == 0, "spot %s: text starts as "
		    "expected", t[i].file);
		if (t[i].text_has != NULL)
			OK(strstr(m->text, t[i].text_has) != NULL,
			    "spot %s: text has the expected words", t[i].file);
		if (t[i].attach_type != NULL) {
			for (found = 0, k = 0; k < m->nattach; k++)
				if (strcmp(m->attach[k].type,
				    t[i].attach_type) == 0)
					found = 1;
			OK(found, "spot %s: attachment %s", t[i].file,
			    t[i].attach_type);
		}
		mail_msg_free(m);
	}
}

/* t_skip_name - corpus files that are not mail */
static int
t_skip_name(const char *name)
{
	return name[0] == '.' || strcmp(name, "CATEGORIES.tsv") == 0 ||
	    strcmp(name, "PROVENANCE.md") == 0 ||
	    strcmp(name, "README.md") == 0;
}

/* t_corpus_file - parse one corpus file; rel is its path below the corpus */
static void
t_corpus_file(const char *path, const char *rel, int *count)
{
	struct pd_msg *m = NULL;
	struct pd_err err;
	const char *bad;
	char *raw;
	size_t len;
	int rc;

	if ((raw = t_slurp(path, &len)) == NULL) {
		OK(0, "corpus %s: readable", rel);
		return;
	}
	rc = mail_parse(raw, len, &m, &err);
	bad = m != NULL ? t_insane(m) : "no message";
	OK(rc == 0 && bad == NULL, "corpus %s%s%s", rel, bad ? ": bad " : "",
	    bad ? bad : "");
	mail_msg_free(m);
	free(raw);
	(*count)++;
}

/* t_corpus_dir - parse every regular file below base/rel, in name order */
static void
t_corpus_dir(const char *base, const char *rel, int *count)
{
	struct dirent **ents;
	struct stat st;
	char *dir, *sub, *path;
	int i, n;

	dir = xasprintf("%s%s%s", base, *rel ? "/" : "", rel);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		OK(0, "corpus: read directory %s", dir);
	free(dir);
	for (i = 0; i < n; i++) {
		if (!t_skip_name(ents[i]->d_name)) {
			sub = xasprintf("%s%s%s", rel, *rel ? "/" : "",
			    ents[i]->d_name);
			path = xasprintf("%s/%s", base, sub);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				t_corpus_dir(base, sub, count);
			else if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				t_corpus_file(path, sub, count);
			free(path);
			free(sub);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/* t_corpus - every file of the real-world corpus */
static void
t_corpus(const char *dir)
{
	int count = 0;

	t_corpus_dir(dir, "", &count);
	OK(count > 0, "corpus: %d files parsed", count);
}

int
main(void)
{
	const char *dir = getenv("PD_CORPUS");
	struct stat st;

	if (dir == NULL || *dir == '\0')
		dir = "/work/shared/corpus";
	mail_init();
	t_cases();
	t_many_parts();
	t_nesting();
	t_long_lines();
	t_bombs();
	t_garbage();
	t_addr();
	t_html();
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		t_spot(dir);
		t_corpus(dir);
	} else
		printf("ok %d # SKIP corpus directory %s not found\n",
		    ++tap_n, dir);
	mail_shutdown();
	return tap_done();
}

/*
 * t_dsn.c - mail/mail_dsn.c: bounces into struct pd_dsn
 *
 * Covers, over the shared corpus ($PD_CORPUS, else ../shared/corpus next
 * to the source tree, else /work/shared/corpus):
 *   - every file tagged "dsn" in CATEGORIES.tsv parses as a report
 *     (is_dsn 1) with a recipient that has an address and a status (an
 *     mbox file: one of its messages); one documented exception whose
 *     fields are all anonymised to "xxx";
 *   - named bounces, RFC 3464 and plain text (qmail, Exim, Exchange,
 *     Domino, a gateway's wrapper), checked against recipient, status and
 *     original Message-ID read by hand from the files;
 *   - every file of the corpus parses without crashing, and every string
 *     it returns is valid UTF-8 without control characters;
 * and without the corpus: a Postfix report on a mail postdesk sent (its
 * Message-ID comes back in orig_message_id, with References and the
 * decoded Subject) in LF, CRLF and CR-only forms and with the whole
 * returned message; a delayed report (hard 0); a report without blank
 * lines between recipients; qmail and Exim text bounces; truncations of a
 * report at every length, random bytes, deep nesting and other garbage.
 * Prints the counts: reports parsed, with a recipient, with the original
 * Message-ID.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_dsn.h"
#include "mail/mail_parse.h"
#include "tap.h"

#define PD_MID	"pd.12.3.abcdefghijklmnop@support.test"

/* A Postfix report on a notification postdesk sent (written for this test). */
static const char postfix_dsn[] =
    "Return-Path: <>\n"
    "Received: by mx.customer.test (Postfix)\n"
    "\tid 4F1A2B3C4D; Mon,  3 Mar 2025 10:00:02 +0100 (CET)\n"
    "Date: Mon,  3 Mar 2025 10:00:02 +0100 (CET)\n"
    "From: MAILER-DAEMON@mx.customer.test (Mail Delivery System)\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "To: support+12.abcdefgh@support.test\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"4F1A2B3C4D.1741000802/mx.customer.test\"\n"
    "Message-Id: <20250303090002.5E6F7A8B9C@mx.customer.test>\n"
    "\n"
    "This is a MIME-encapsulated message.\n"
    "\n"
    "--4F1A2B3C4D.1741000802/mx.customer.test\n"
    "Content-Description: Notification\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "This is the mail system at host mx.customer.test.\n"
    "\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients.\n"
    "\n"
    "<alice@customer.test>: host mailstore.customer.test[192.0.2.7] said: "
    "550 5.1.1\n"
    "    <alice@customer.test>: Recipient address rejected: User unknown\n"
    "\n"
    "--4F1A2B3C4D.1741000802/mx.customer.test\n"
    "Content-Description: Delivery report\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.customer.test\n"
    "X-Postfix-Queue-ID: 4F1A2B3C4D\n"
    "X-Postfix-Sender: rfc822; support+12.abcdefgh@support.test\n"
    "Arrival-Date: Mon,  3 Mar 2025 10:00:01 +0100 (CET)\n"
    "\n"
    "Final-Recipient: rfc822; alice@customer.test\n"
    "Original-Recipient: rfc822;Alice@Customer.test\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mailstore.customer.test\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <alice@customer.test>: Recipient "
    "address\n"
    "    rejected: User unknown in virtual mailbox table\n"
    "\n"
    "--4F1A2B3C4D.1741000802/mx.customer.test\n"
    "Content-Description: Undelivered Message Headers\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Return-Path: <support+12.abcdefgh@support.test>\n"
    "Received: from help.support.test (help.support.test [192.0.2.1])\n"
    "\tby mx.customer.test (Postfix) with ESMTPS id 4F1A2B3C4D\n"
    "\tfor <alice@customer.test>; Mon,  3 Mar 2025 10:00:01 +0100\n"
    "Message-ID: <" PD_MID ">\n"
    "In-Reply-To: <CAF00d1e@mail.customer.test>\n"
    "References: <CAF00d1e@mail.customer.test>\n"
    " <pd.12.1.qrstuvwxyzabcdef@support.test>\n"
    "From: Example Support <support@support.test>\n"
    "To: Alice <alice@customer.test>\n"
    "Subject: =?UTF-8?Q?Re:_[#12]_Dr=C3=BCcker_defekt?=\n"
    "Date: Mon, 3 Mar 2025 10:00:00 +0100\n"
    "\n"
    "--4F1A2B3C4D.1741000802/mx.customer.test--\n";

/* The same report returning the whole message (message/rfc822). */
static const char postfix_full[] =
    "From: MAILER-DAEMON@mx.customer.test (Mail Delivery System)\n"
    "To: support+12.abcdefgh@support.test\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"BB\"\n"
    "\n"
    "--BB\n"
    "Content-Type: text/plain\n"
    "\n"
    "This is the mail system at host mx.customer.test.\n"
    "--BB\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.customer.test\n"
    "\n"
    "Final-Recipient: rfc822; bob@customer.test\n"
    "Action: failed\n"
    "Status: 5.2.2\n"
    "Diagnostic-Code: smtp; 552 5.2.2 mailbox full\n"
    "--BB\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Message-ID: <" PD_MID ">\n"
    "From: Example Support <support@support.test>\n"
    "To: Bob <bob@customer.test>\n"
    "Subject: [#12] Your request\n"
    "Content-Type: text/plain\n"
    "\n"
    "Message-ID: <not-this-one@example.test>\n"
    "--BB--\n";

/* A Postfix delay warning: 4.x.x, will retry. */
static const char delayed_dsn[] =
    "From: MAILER-DAEMON@mx.customer.test (Mail Delivery System)\n"
    "To: support+12.abcdefgh@support.test\n"
    "Subject: Delayed Mail (still being retried)\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"DD\"\n"
    "\n"
    "--DD\n"
    "Content-Type: text/plain\n"
    "\n"
    "This is the mail system at host mx.customer.test.\n"
    "\n"
    "####################################################################\n"
    "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
    "####################################################################\n"
    "--DD\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.customer.test\n"
    "\n"
    "Final-Recipient: rfc822; carol@slow.test\n"
    "Action: delayed\n"
    "Status: 4.4.1\n"
    "Diagnostic-Code: X-Postfix; connect to mx.slow.test[192.0.2.9]:25:\n"
    "    Connection timed out\n"
    "Will-Retry-Until: Mon, 10 Mar 2025 10:00:01 +0100 (CET)\n"
    "--DD\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <pd.40.2.zyxwvutsrqponmlk@support.test>\n"
    "Subject: [#40] Re: invoice\n"
    "--DD--\n";

/* Two recipients without the blank line between their blocks. */
static const char squashed_dsn[] =
    "From: postmaster@relay.test\n"
    "To: support@support.test\n"
    "Subject: Delivery Status Notification\n"
    "Content-Type: multipart/report; report-type=delivery-status;"
    " boundary=\"SS\"\n"
    "\n"
    "--SS\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; relay.test\n"
    "Final-Recipient: rfc822; <dave@one.test>\n"
    "Action: delivered\n"
    "Status: 2.0.0\n"
    "Final-Recipient: rfc822;erin@two.test\n"
    "Action: failed\n"
    "Status: 5.7.1 (rejected by policy)\n"
    "Diagnostic-Code: smtp;554 5.7.1 Spam\n"
    "--SS--\n";

/* qmail: text only, the original header quoted after the notice. */
static const char qmail_bounce[] =
    "From: MAILER-DAEMON@mail.customer.test\n"
    "To: support+12.abcdefgh@support.test\n"
    "Subject: failure notice\n"
    "\n"
    "Hi. This is the qmail-send program at mail.customer.test.\n"
    "I'm afraid I wasn't able to deliver your message to the following "
    "addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n"
    "\n"
    "<frank@customer.test>:\n"
    "Sorry, no mailbox here by that name. (#5.1.1)\n"
    "\n"
    "--- Below this line is a copy of the message.\n"
    "\n"
    "Return-Path: <support+12.abcdefgh@support.test>\n"
    "Message-ID: <" PD_MID ">\n"
    "From: Example Support <support@support.test>\n"
    "To: frank@customer.test\n"
    "Subject: [#12] Hello\n"
    "\n"
    "Hello Frank\n";

/* Exim: X-Failed-Recipients and "The following address(es) failed". */
static const char exim_bounce[] =
    "From: Mail Delivery System <Mailer-Daemon@exim.customer.test>\n"
    "To: support+12.abcdefgh@support.test\n"
    "Subject: Mail delivery failed: returning message to sender\n"
    "X-Failed-Recipients: grace@customer.test\n"
    "Auto-Submitted: auto-replied\n"
    "\n"
    "This message was created automatically by mail delivery software.\n"
    "\n"
    "A message that you sent could not be delivered to one or more of its\n"
    "recipients. This is a permanent error. The following address(es) "
    "failed:\n"
    "\n"
    "  grace@customer.test\n"
    "    mailbox is full: retry timeout exceeded\n"
    "\n"
    "------ This is a copy of the message, including all the headers. "
    "------\n"
    "\n"
    "Message-Id: <pd.77.1.aaaabbbbccccdddd@support.test>\n"
    "From: support@support.test\n"
    "\n"
    "body\n";

/* What the corpus walk counts. */
struct counts {
	int	files;		/* files parsed */
	int	dsn_files;	/* files tagged dsn */
	int	reports;	/* is_dsn 1 */
	int	with_rcpt;	/* a recipient with address and status */
	int	with_mid;	/* orig_message_id found */
	int	bad_strings;	/* invariant violations */
	int	dsn_reports;	/* tagged dsn and read as a report */
	int	dsn_rcpt;	/* ... with a recipient address and status */
	int	dsn_mid;	/* ... with the original Message-ID */
};

/* A file whose report cannot meet the rule, and why. */
static const struct {
	const char *path;
	const char *why;
} dsn_exceptions[] = {
	{ "mimekit/messages/delivery-status.anonymized.eml",
	    "every field value anonymised to x's: no address, no status" },
};

static char corpus[1024];

/* tmalloc - malloc or give up (exit 99: a hard error for the harness) */
static void *
tmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		printf("Bail out! out of memory\n");
		exit(99);
	}
	return p;
}

/* utf8_clean - valid UTF-8 without C0 controls or DEL (tab allowed) */
static int
utf8_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n, i;

	if (s == NULL)
		return 0;
	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return 0;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

/* dsn_sane - every string present and clean; arrays consistent */
static int
dsn_sane(const struct pd_dsn *d)
{
	size_t i;

	if (!utf8_clean(d->reason) || !utf8_clean(d->reporting_mta) ||
	    !utf8_clean(d->orig_message_id) ||
	    !utf8_clean(d->orig_in_reply_to) || !utf8_clean(d->orig_from) ||
	    !utf8_clean(d->orig_to) || !utf8_clean(d->orig_subject) ||
	    d->orig_references == NULL ||
	    d->orig_references[d->norig_references] != NULL)
		return 0;
	for (i = 0; i < d->norig_references; i++)
		if (!utf8_clean(d->orig_references[i]))
			return 0;
	if (d->nrecipients > MAIL_DSN_MAX_RCPT)
		return 0;
	for (i = 0; i < d->nrecipients; i++)
		if (!utf8_clean(d->recipients[i].addr) ||
		    *d->recipients[i].addr == '\0' ||
		    !utf8_clean(d->recipients[i].orig_addr) ||
		    !utf8_clean(d->recipients[i].action) ||
		    !utf8_clean(d->recipients[i].status) ||
		    !utf8_clean(d->recipients[i].diagnostic))
			return 0;
	return (d->is_dsn == 0 || d->is_dsn == 1) &&
	    (d->hard == 0 || d->hard == 1);
}

/* parse - mail_dsn_parse over a string */
static struct pd_dsn *
parse(const char *s, size_t len)
{
	struct pd_dsn *d = NULL;

	if (mail_dsn_parse(s, len, &d, NULL) != 0 || d == NULL) {
		printf("# mail_dsn_parse failed\n");
		exit(99);
	}
	return d;
}

/* rcpt_ok - a recipient with an address and a status */
static int
rcpt_ok(const struct pd_dsn *d)
{
	size_t i;

	for (i = 0; i < d->nrecipients; i++)
		if (*d->recipients[i].addr != '\0' &&
		    *d->recipients[i].status != '\0')
			return 1;
	return 0;
}

/* slurp - a whole file; NULL when unreadable */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	for (;;) {
		if (*len + 65536 + 1 > cap) {
			cap = (*len + 65536 + 1) * 2;
			b = realloc(b, cap);
			if (b == NULL)
				exit(99);
		}
		n = fread(b + *len, 1, 65536, fp);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(fp);
	b[*len] = '\0';
	return b;
}

/* corpus_dir - $PD_CORPUS, else the usual places; 0 when none exists */
static int
corpus_dir(void)
{
	const char *env = getenv("PD_CORPUS");
	const char *tries[] = { env, "../shared/corpus", "../../shared/corpus",
	    "/work/shared/corpus" };
	char path[1200];
	FILE *fp;
	size_t i;

	for (i = 0; i < sizeof(tries) / sizeof(*tries); i++) {
		if (tries[i] == NULL || *tries[i] == '\0')
			continue;
		snprintf(path, sizeof(path), "%s/CATEGORIES.tsv", tries[i]);
		if ((fp = fopen(path, "r")) != NULL) {
			fclose(fp);
			snprintf(corpus, sizeof(corpus), "%s", tries[i]);
			return 1;
		}
	}
	return 0;
}

/* has_tag - is tag one of the comma-separated tags? */
static int
has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);
	const char *p = tags;

	while ((p = strstr(p, tag)) != NULL) {
		if ((p == tags || p[-1] == ',') && (p[n] == ',' ||
		    p[n] == '\0' || p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

/* exception - the reason a dsn file is excused, or NULL */
static const char *
exception(const char *rel)
{
	size_t i;

	for (i = 0; i < sizeof(dsn_exceptions) / sizeof(*dsn_exceptions); i++)
		if (strcmp(rel, dsn_exceptions[i].path) == 0)
			return dsn_exceptions[i].why;
	return NULL;
}

/*
 * check_file - parse one corpus file (each message of an mbox); returns
 * 1 when a message is a report with a usable recipient, counting
 */
static int
check_file(const char *rel, const char *data, size_t len, int mbox,
	   struct counts *ct, int *report, int *mid)
{
	struct pd_dsn *d;
	const char *p = data, *end = data + len, *next;
	int good = 0, sane = 1;

	*report = *mid = 0;
	while (p < end) {
		next = end;
		if (mbox) {
			const char *q = p + 1;

			/* the next "From " line (some mbox files, like this
			 * one with Content-Length, have no empty line before
			 * it) */
			if ((q = strstr(q, "\nFrom ")) != NULL && q < end)
				next = q + 1;
		}
		d = parse(p, (size_t)(next - p));
		sane &= dsn_sane(d);
		if (d->is_dsn) {
			*report = 1;
			ct->reports++;
			if (rcpt_ok(d)) {
				ct->with_rcpt++;
				good = 1;
			}
			if (*d->orig_message_id != '\0') {
				ct->with_mid++;
				*mid = 1;
			}
		}
		mail_dsn_free(d);
		p = next;
	}
	if (!sane) {
		ct->bad_strings++;
		printf("# strings not clean in %s\n", rel);
	}
	return good;
}

/* test_corpus - every file; the dsn-tagged ones must be reports */
static void
test_corpus(void)
{
	struct counts ct;
	char path[6000], line[4096], *tab, *data;
	const char *why;
	FILE *fp;
	size_t len;
	int good, report, dsn, mid;

	memset(&ct, 0, sizeof(ct));
	snprintf(path, sizeof(path), "%s/CATEGORIES.tsv", corpus);
	if ((fp = fopen(path, "r")) == NULL) {
		OK(0, "read %s", path);
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		snprintf(path, sizeof(path), "%s/%s", corpus, line);
		if ((data = slurp(path, &len)) == NULL) {
			OK(0, "read %s", line);
			continue;
		}
		dsn = has_tag(tab, "dsn");
		ct.files++;
		good = check_file(line, data, len, has_tag(tab, "mbox"), &ct,
		    &report, &mid);
		free(data);
		if (!dsn)
			continue;
		ct.dsn_files++;
		ct.dsn_reports += report;
		ct.dsn_rcpt += report && good;
		ct.dsn_mid += report && mid;
		if ((why = exception(line)) != NULL) {
			OK(report, "%s: a report (excused from the recipient "
			    "rule: %s)", line, why);
			continue;
		}
		OK(report && good, "%s: report with a recipient address and "
		    "status", line);
	}
	fclose(fp);
	OK(ct.files >= 900, "the corpus has its files (%d)", ct.files);
	OK(ct.dsn_files >= 100, "... and its reports (%d tagged dsn)",
	    ct.dsn_files);
	IS_INT(ct.bad_strings, 0, "every string of every file is clean "
	    "UTF-8 without control characters");
	printf("# files tagged dsn: %d; DSNs parsed %d, with a recipient "
	    "(address and status) %d, with the original Message-ID %d\n",
	    ct.dsn_files, ct.dsn_reports, ct.dsn_rcpt, ct.dsn_mid);
	printf("# whole corpus (%d files, mbox files per message): reports "
	    "parsed %d, with a recipient %d, with the original Message-ID "
	    "%d\n", ct.files, ct.reports, ct.with_rcpt, ct.with_mid);
}

/* rcpt_find - the recipient with address addr, or NULL */
static const struct pd_dsn_rcpt *
rcpt_find(const struct pd_dsn *d, const char *addr)
{
	size_t i;

	for (i = 0; i < d->nrecipients; i++)
		if (strcmp(d->recipients[i].addr, addr) == 0)
			return &d->recipients[i];
	return NULL;
}

/* The named bounces: what reading each file by hand shows. */
static const struct spot {
	const char *path;
	int	is_dsn;
	int	hard;
	const char *addr;	/* a failed (or delayed) recipient */
	const char *status;	/* its status, "" when none is written */
	const char *mid;	/* the returned message's Message-ID */
	const char *diag_has;	/* a piece of its diagnostic */
} spots[] = {
	{ "bounceparser-perl/aol.unknown.msg", 1, 1, "recipient@example.net",
	    "5.1.1", "200606062115.k56LFe7d012436@somehost.example.com",
	    "MAILBOX NOT FOUND" },
	{ "bounceparser-perl/postfix-orig.msg", 1, 1, "final@dest.example.com",
	    "5.0.0", "20060527213404.GN13012@mta.domain-1.com",
	    "Relay access denied" },
	{ "mimekit/messages/bounce.txt", 1, 1, "netec.test@netecgc.com",
	    "5.1.1", "44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-"
	    "f20b7c4a4cb1@jitbit.com", "User unknown" },
	{ "mail-gem/emails/multipart_report_emails/report_422.eml", 1, 0,
	    "fraser@oooooooo.com.au", "4.2.2",
	    "15655788.13.1200472642578.JavaMail.Administrator@"
	    "mail.ttttt.com.au",
	    "Mailbox full" },
	{ "flanker/bounce/office365.eml", 1, 1, "noname@example.com",
	    "5.1.10", "20171013111011.20866.254C2F3A4D7AA526@ninomail.com",
	    "RecipientNotFound" },
	{ "sisimai/maildir/bsd/lhost-x5-01.eml", 1, 1,
	    "kijitora@neko.example.org", "5.1.1",
	    "2222222222.0000000000002.JavaMail.nekogate@cat.example.jp",
	    "User unknown" },
	{ "sisimai/maildir/bsd/rhost-google-01.eml", 1, 1,
	    "shironeko@example.ne.jp", "5.2.1",
	    "201305110000000000000.r4B003v000000@mail4.example.co.jp",
	    "disabled" },
	{ "enmime/dsn/testdata/multi_recipient_dsn.raw", 1, 1,
	    "johnh@hpnjld.njd.hp.com", "4.0.0", "", "" },
	{ "bounceparser-perl/qmail.unknown.msg", 0, 1, "recipient@example.net",
	    "5.1.1", "200608282008.k7SK8Bbu032023@somehost.example.com",
	    "no mailbox here" },
	{ "sisimai/maildir/bsd/lhost-exim-01.eml", 0, 1,
	    "kijitora@example.ed.jp", "5.7.0",
	    "E1P1ce6-000Egt-GZ@e1.example.org", "Please use the smtp server" },
	{ "bounceparser-perl/exchange.unknown.msg", 0, 1,
	    "recipient@example.net", "",
	    "200602150853.k1F8rvvX006268@somehost.example.com",
	    "not recognized" },
	{ "bounceparser-perl/domino.unknown.msg", 0, 1,
	    "recipient@example.net", "", "", "not listed in Domino Directory" },
};

/* test_spots - the named bounces */
static void
test_spots(void)
{
	const struct pd_dsn_rcpt *r;
	const struct spot *s;
	struct pd_dsn *d;
	char path[2400], *data;
	size_t i, len;

	for (i = 0; i < sizeof(spots) / sizeof(*spots); i++) {
		s = &spots[i];
		snprintf(path, sizeof(path), "%s/%s", corpus, s->path);
		if ((data = slurp(path, &len)) == NULL) {
			OK(0, "read %s", s->path);
			continue;
		}
		d = parse(data, len);
		r = rcpt_find(d, s->addr);
		IS_INT(d->is_dsn, s->is_dsn, "%s: is_dsn %d", s->path,
		    s->is_dsn);
		IS_INT(d->hard, s->hard, "%s: hard %d", s->path, s->hard);
		OK(r != NULL, "%s: recipient %s", s->path, s->addr);
		IS_STR(r ? r->status : NULL, s->status, "%s: status \"%s\"",
		    s->path, s->status);
		IS_STR(d->orig_message_id, s->mid, "%s: original Message-ID",
		    s->path);
		OK(r != NULL && strstr(r->diagnostic, s->diag_has) != NULL,
		    "%s: diagnostic has \"%s\" (%s)", s->path, s->diag_has,
		    r ? r->diagnostic : "-");
		mail_dsn_free(d);
		free(data);
	}
}

/* test_multi - enmime's three recipients, one of them only delayed */
static void
test_multi(void)
{
	const struct pd_dsn_rcpt *r;
	struct pd_dsn *d;
	char path[2400], *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", corpus,
	    "enmime/dsn/testdata/multi_recipient_dsn.raw");
	if ((data = slurp(path, &len)) == NULL) {
		OK(0, "read multi_recipient_dsn.raw");
		return;
	}
	d = parse(data, len);
	IS_INT(d->nrecipients, 3, "multi_recipient_dsn.raw: three recipients");
	r = rcpt_find(d, "arathib@vnet.ibm.com");
	IS_STR(r ? r->action : NULL, "failed", "... arathib failed");
	IS_STR(r ? r->status : NULL, "5.0.0", "... with 5.0.0 (the comment "
	    "\"(permanent failure)\" dropped)");
	r = rcpt_find(d, "johnh@hpnjld.njd.hp.com");
	IS_STR(r ? r->action : NULL, "delayed", "... johnh delayed");
	r = rcpt_find(d, "wsnell@sdcc13.ucsd.edu");
	IS_STR(r ? r->status : NULL, "5.0.0", "... wsnell 5.0.0");
	mail_dsn_free(d);
	free(data);
}

/* check_postfix - what the Postfix report on PD_MID must give */
static void
check_postfix(const char *label, const char *s, size_t len)
{
	struct pd_dsn *d = parse(s, len);

	IS_INT(d->is_dsn, 1, "%s: is_dsn", label);
	IS_INT(d->hard, 1, "%s: hard", label);
	IS_INT(d->nrecipients, 1, "%s: one recipient", label);
	if (d->nrecipients == 1) {
		IS_STR(d->recipients[0].addr, "alice@customer.test",
		    "%s: Final-Recipient without \"rfc822;\"", label);
		IS_STR(d->recipients[0].orig_addr, "alice@customer.test",
		    "%s: Original-Recipient, lower case", label);
		IS_STR(d->recipients[0].action, "failed", "%s: action", label);
		IS_STR(d->recipients[0].status, "5.1.1", "%s: status", label);
		IS_STR(d->recipients[0].diagnostic, "550 5.1.1 "
		    "<alice@customer.test>: Recipient address rejected: User "
		    "unknown in virtual mailbox table",
		    "%s: Diagnostic-Code unfolded, without \"smtp;\"", label);
	}
	IS_STR(d->orig_message_id, PD_MID, "%s: orig_message_id is the "
	    "Message-ID postdesk sent", label);
	IS_STR(d->orig_in_reply_to, "CAF00d1e@mail.customer.test",
	    "%s: its In-Reply-To", label);
	IS_INT(d->norig_references, 2, "%s: its References", label);
	if (d->norig_references == 2)
		IS_STR(d->orig_references[1],
		    "pd.12.1.qrstuvwxyzabcdef@support.test",
		    "%s: ... in order (folded header)", label);
	IS_STR(d->orig_subject, "Re: [#12] Dr\xc3\xbc" "cker defekt",
	    "%s: its Subject, RFC 2047 decoded", label);
	OK(strstr(d->orig_from, "support@support.test") != NULL,
	    "%s: its From (%s)", label, d->orig_from);
	OK(strstr(d->orig_to, "alice@customer.test") != NULL,
	    "%s: its To (%s)", label, d->orig_to);
	IS_STR(d->reporting_mta, "mx.customer.test", "%s: Reporting-MTA",
	    label);
	IS_STR(d->reason, d->recipients ? d->recipients[0].diagnostic : "",
	    "%s: reason is the diagnostic", label);
	OK(dsn_sane(d), "%s: all strings clean", label);
	mail_dsn_free(d);
}

/* line_ends - s with each LF replaced by eol (caller frees) */
static char *
line_ends(const char *s, const char *eol)
{
	size_t n = strlen(s), k = strlen(eol), i;
	char *out = tmalloc(n * k + 1), *w = out;
	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			memcpy(w, eol, k);
			w += k;
		} else
			*w++ = s[i];
	}
	*w = '\0';
	return out;
}

/* test_synthetic - reports and text bounces written for this test */
static void
test_synthetic(void)
{
	static char framed[sizeof(postfix_dsn) + 64];
	struct pd_dsn *d;
	char *s;

	check_postfix("postfix report", postfix_dsn, strlen(postfix_dsn));
	s = line_ends(postfix_dsn, "\r\n");
	check_postfix("postfix report, CRLF", s, strlen(s));
	free(s);
	s = line_ends(postfix_dsn, "\r");
	check_postfix("postfix report, CR only", s, strlen(s));
	free(s);
	/* an mbox From_ line and a BOM in front */
	snprintf(framed, sizeof(framed), "\xef\xbb\xbf" "From MAILER-DAEMON "
	    "Mon Mar  3 10:00:02 2025\n%s", postfix_dsn);
	check_postfix("postfix report after a BOM and a From_ line", framed,
	    strlen(framed));

	d = parse(postfix_full, strlen(postfix_full));
	IS_STR(d->orig_message_id, PD_MID, "whole returned message: its "
	    "Message-ID, not one in its body");
	IS_STR(d->orig_subject, "[#12] Your request", "... its Subject");
	IS_STR(d->nrecipients ? d->recipients[0].status : NULL, "5.2.2",
	    "... the recipient's status");
	mail_dsn_free(d);

	d = parse(delayed_dsn, strlen(delayed_dsn));
	IS_INT(d->is_dsn, 1, "delayed report: is_dsn");
	IS_INT(d->hard, 0, "delayed report (4.4.1): hard 0");
	IS_STR(d->nrecipients ? d->recipients[0].action : NULL, "delayed",
	    "... action delayed");
	IS_STR(d->nrecipients ? d->recipients[0].status : NULL, "4.4.1",
	    "... status 4.4.1");
	IS_STR(d->nrecipients ? d->recipients[0].diagnostic : NULL,
	    "connect to mx.slow.test[192.0.2.9]:25: Connection timed out",
	    "... diagnostic unfolded, without its type");
	IS_STR(d->orig_message_id, "pd.40.2.zyxwvutsrqponmlk@support.test",
	    "... the original Message-ID");
	mail_dsn_free(d);

	d = parse(squashed_dsn, strlen(squashed_dsn));
	IS_INT(d->nrecipients, 2, "two blocks without a blank line: two "
	    "recipients");
	if (d->nrecipients == 2) {
		IS_STR(d->recipients[0].addr, "dave@one.test", "... first "
		    "(angle brackets dropped)");
		IS_STR(d->recipients[0].action, "delivered", "... delivered");
		IS_STR(d->recipients[1].status, "5.7.1", "... second 5.7.1 "
		    "(comment dropped)");
	}
	IS_INT(d->hard, 1, "... one failed: hard");
	mail_dsn_free(d);

	d = parse(qmail_bounce, strlen(qmail_bounce));
	IS_INT(d->is_dsn, 0, "qmail text bounce: not a report");
	IS_STR(d->nrecipients ? d->recipients[0].addr : NULL,
	    "frank@customer.test", "... the failed address");
	IS_STR(d->nrecipients ? d->recipients[0].status : NULL, "5.1.1",
	    "... the status written in the text");
	IS_STR(d->nrecipients ? d->recipients[0].diagnostic : NULL,
	    "Sorry, no mailbox here by that name. (#5.1.1)", "... a one-line "
	    "reason");
	IS_STR(d->orig_message_id, PD_MID, "... the Message-ID of the quoted "
	    "original header");
	IS_INT(d->hard, 1, "... hard");
	OK(rcpt_find(d, "support+12.abcdefgh@support.test") == NULL,
	    "... the original sender is not taken for a recipient");
	mail_dsn_free(d);

	d = parse(exim_bounce, strlen(exim_bounce));
	IS_INT(d->nrecipients, 1, "Exim text bounce: one recipient");
	IS_STR(d->nrecipients ? d->recipients[0].addr : NULL,
	    "grace@customer.test", "... the failed address");
	IS_STR(d->nrecipients ? d->recipients[0].diagnostic : NULL,
	    "mailbox is full: retry timeout exceeded", "... its reason");
	IS_STR(d->nrecipients ? d->recipients[0].status : NULL, "",
	    "... no status, as none is written");
	IS_STR(d->orig_message_id, "pd.77.1.aaaabbbbccccdddd@support.test",
	    "... the quoted Message-ID");
	mail_dsn_free(d);
}

/* xorshift - a small deterministic generator for the garbage */
static uint32_t
xorshift(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

/* test_garbage - nothing crashes, nothing is invented */
static void
test_garbage(void)
{
	struct pd_dsn *d;
	uint32_t st = 2463534242u;
	size_t len, i, k;
	char *s;
	int sane = 1, invented = 0;

	IS_INT(mail_dsn_parse(NULL, 0, &d, NULL), 0, "NULL input: 0");
	OK(d != NULL && d->nrecipients == 0 && d->is_dsn == 0,
	    "... an empty result");
	sane &= dsn_sane(d);
	mail_dsn_free(d);
	OK(mail_dsn_free(NULL) == NULL, "mail_dsn_free(NULL) is NULL");
	IS_INT(mail_dsn_parse("x", 1, NULL, NULL), -1, "no out: -1");

	/* every prefix of a report, every 3rd length */
	len = strlen(postfix_dsn);
	for (i = 0; i <= len; i += 3) {
		d = parse(postfix_dsn, i);
		sane &= dsn_sane(d);
		mail_dsn_free(d);
	}
	/* random bytes, and a report with random bytes stamped on it */
	s = tmalloc(len + 1);
	for (k = 0; k < 200; k++) {
		size_t n = xorshift(&st) % 4096;
		char *g = tmalloc(n + 1);

		for (i = 0; i < n; i++)
			g[i] = (char)(xorshift(&st) & 0xff);
		d = parse(g, n);
		sane &= dsn_sane(d);
		invented |= d->is_dsn || d->nrecipients > 0;
		mail_dsn_free(d);
		free(g);
		memcpy(s, postfix_dsn, len);
		for (i = 0; i < 20; i++)
			s[xorshift(&st) % len] = (char)(xorshift(&st) & 0xff);
		d = parse(s, len);
		sane &= dsn_sane(d);
		mail_dsn_free(d);
	}
	free(s);
	IS_INT(invented, 0, "random bytes are never a report nor a recipient");

	/* multiparts nested 2000 deep, each naming a new boundary */
	{
		size_t depth = 2000, n = 0;
		char *g = tmalloc(depth * 80 + 4096);

		n += (size_t)sprintf(g + n, "From: a@b.test\nContent-Type: "
		    "multipart/report; report-type=delivery-status; "
		    "boundary=\"b0\"\n\n");
		for (i = 1; i < depth; i++)
			n += (size_t)sprintf(g + n, "--b%zu\nContent-Type: "
			    "multipart/mixed; boundary=\"b%zu\"\n\n", i - 1, i);
		n += (size_t)sprintf(g + n, "--b%zu\nContent-Type: "
		    "message/delivery-status\n\nFinal-Recipient: rfc822; "
		    "deep@x.test\nAction: failed\nStatus: 5.0.0\n", depth - 1);
		d = parse(g, n);
		sane &= dsn_sane(d);
		OK(d->nrecipients == 0, "a report nested 2000 deep is not read "
		    "to the bottom (depth bound)");
		mail_dsn_free(d);
		free(g);
	}

	/* a report without boundaries, one huge line, NUL bytes */
	{
		static const char noboundary[] = "Content-Type: multipart/"
		    "report; report-type=delivery-status\n\nFinal-Recipient: "
		    "rfc822; x@y.test\n";
		size_t n = 3 * 1024 * 1024;
		char *g = tmalloc(n);

		d = parse(noboundary, sizeof(noboundary) - 1);
		sane &= dsn_sane(d);
		mail_dsn_free(d);
		memset(g, 'a', n);
		memcpy(g, "Subject: x\n\n", 12);
		g[n / 2] = '@';
		d = parse(g, n);
		sane &= dsn_sane(d);
		OK(d->nrecipients == 0, "a 3 MB line is no recipient");
		mail_dsn_free(d);
		memcpy(g, postfix_dsn, len);
		for (i = 0; i < len; i += 50)
			g[i] = '\0';
		d = parse(g, len);
		sane &= dsn_sane(d);
		mail_dsn_free(d);
		free(g);
	}
	OK(sane, "garbage: every result is well formed (no crash; clean "
	    "strings)");
}

int
main(void)
{
	mail_init();
	test_synthetic();
	test_garbage();
	if (corpus_dir()) {
		printf("# corpus: %s\n", corpus);
		test_spots();
		test_multi();
		test_corpus();
	} else
		printf("# no corpus (set PD_CORPUS): corpus checks skipped\n");
	mail_shutdown();
	return tap_done();
}

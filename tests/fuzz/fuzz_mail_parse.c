/*
 * fuzz_mail_parse.c - libFuzzer target: mail_parse() on arbitrary bytes
 *
 * Any input must parse (mail_parse returns 0: "a customer's mail is never
 * dropped because it is ugly") without a memory error, and the result must
 * keep the contract of mail_parse.h, checked here after every parse:
 *   - every header field of struct pd_msg is valid UTF-8 and has no CR or
 *     LF (NUL cannot be inside a C string);
 *   - from_addr has no upper-case ASCII letter;
 *   - the text is valid UTF-8 with LF line ends only (no CR);
 *   - every reference and attachment string is there and valid UTF-8.
 * A broken rule aborts, which libFuzzer reports as a crash with the input.
 * Built and run by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "mail/mail_parse.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* field - a header field: UTF-8, no CR, no LF */
static void
field(const char *name, const char *s)
{
	if (s == NULL)
		fuzz_fail("%s is NULL", name);
	if (!fuzz_utf8(s))
		fuzz_fail("%s is not valid UTF-8", name);
	if (strpbrk(s, "\r\n") != NULL)
		fuzz_fail("%s has a CR or LF", name);
}

/* check - the contract of mail_parse.h on one parsed message */
static void
check(const struct pd_msg *m)
{
	const char *p;
	size_t i;

	field("from_addr", m->from_addr);
	field("from_name", m->from_name);
	field("reply_to", m->reply_to);
	field("to", m->to);
	field("cc", m->cc);
	field("subject", m->subject);
	field("date", m->date);
	field("message_id", m->message_id);
	field("in_reply_to", m->in_reply_to);
	field("auto_submitted", m->auto_submitted);
	field("precedence", m->precedence);
	field("list_id", m->list_id);
	field("x_loop", m->x_loop);
	field("x_autoreply", m->x_autoreply);
	field("content_type", m->content_type);
	field("x_spam_flag", m->x_spam_flag);
	field("x_spam_status", m->x_spam_status);
	field("x_spam_score", m->x_spam_score);
	field("x_customer_id", m->x_customer_id);
	field("authentication_results", m->authentication_results);
	for (p = m->from_addr; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			fuzz_fail("from_addr has upper case: %s", m->from_addr);
	for (i = 0; i < m->nreferences; i++)
		field("a reference", m->references[i]);
	if (m->text == NULL || !fuzz_utf8(m->text))
		fuzz_fail("text is NULL or not valid UTF-8");
	if (strchr(m->text, '\r') != NULL)
		fuzz_fail("text has a CR");
	for (i = 0; i < m->nattach; i++) {
		field("an attachment name", m->attach[i].name);
		field("an attachment type", m->attach[i].type);
	}
}

/* LLVMFuzzerTestOneInput - parse, check, free */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct pd_msg *m = NULL;
	struct pd_err err;

	if (!ready) {
		mail_init();
		ready = 1;
	}
	err_clear(&err);
	if (mail_parse((const char *)data, size, &m, &err) != 0)
		fuzz_fail("mail_parse failed: %s", err.text);
	check(m);
	mail_msg_free(m);
	return 0;
}

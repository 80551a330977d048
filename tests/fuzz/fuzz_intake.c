/*
 * fuzz_intake.c - libFuzzer target: one message's decisions, in memory
 *
 * What filter/intake.c does before its write transaction, without a
 * store: mail_parse(), core_classify(), the recipient extension and its
 * token (token_reply_verify, token_agent_verify), the signed Message-IDs
 * among the references (token_msgid_verify), the subject tag, then
 * core_thread(). The store is faked: tickets 1..1000 exist, the
 * Message-ID "stored@example.net" is stored on ticket 7, and the sender
 * "customer@example.net" takes part in every ticket.
 *
 * Input: line 1 the envelope recipient, line 2 the envelope sender, the
 * rest the message. The fuzzer cannot make a MAC, so two words are
 * replaced by genuine ones: "TOKEN" in the recipient by ticket 5's reply
 * token, and a reference "OURS" by a Message-ID postdesk signed for
 * ticket 6; the decisions signed evidence leads to are reached too.
 *
 * The oracle: the class is known and has a reason; the decision names the
 * ticket its step's evidence gave (a: the token's, b: a signed reference,
 * c: the stored reference, d: the tag, only from a participant), or a new
 * ticket; step a only for a recipient carrying a genuine token of that
 * ticket. Built and run by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/err.h"
#include "mail/mail_parse.h"
#include "token/token.h"
#include "core/classify.h"
#include "core/thread.h"
#include "fuzz_util.h"

#define TICKETS	1000	/* tickets 1..TICKETS exist */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct pd_keyring *keys;

/* load_keys - one fixed key */
static void
load_keys(void)
{
	static const char text[] = "postdesk-key-v1\n"
	    "1 8f0e1d2c3b4a59687766554433221100"
	    "ffeeddccbbaa99887766554433221100\n";
	char path[4096];
	struct pd_err err;
	int fd;

	mail_init();
	if (token_init() < 0 ||
	    (fd = fuzz_mkstemp(path, sizeof(path), "fuzz_intake")) < 0 ||
	    write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1))
		fuzz_fail("cannot write a key file");
	close(fd);
	keys = keyfile_load(path, &err);
	unlink(path);
	if (keys == NULL)
		fuzz_fail("keyfile_load: %s", err.text);
}

/* line - the next line of the input as a string (at most 300 bytes) */
static char *
line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = fuzz_cstr(*p, n > 300 ? 300 : n);

	*p = nl ? nl + 1 : end;
	return s;
}

/* classify - core_classify as intake.c feeds it */
static void
classify(const struct pd_msg *m, const char *sender, struct pd_classify *c)
{
	struct pd_classify_in in;

	memset(&in, 0, sizeof(in));
	in.sender = sender;
	in.from_addr = m->from_addr;
	in.content_type = m->content_type;
	in.subject = m->subject;
	in.auto_submitted = m->auto_submitted;
	in.precedence = m->precedence;
	in.list_id = m->list_id;
	in.x_loop = m->x_loop;
	in.x_autoreply = m->x_autoreply;
	in.message_id = m->message_id;
	in.our_address = "support@example.com";
	in.our_domain = "example.com";
	in.our_local = "support";
	in.our_host = "example.com";
	core_classify(&in, c);
	if (c->class < PD_CLASS_PERSON || c->class > PD_CLASS_LOOP ||
	    c->reason == NULL || core_class_name(c->class) == NULL)
		fuzz_fail("classify: class %d, reason %p", c->class,
		    (const void *)c->reason);
}

/* evidence - what intake.c would find; returns the token text used */
static char *
evidence(const struct pd_msg *m, const char *rcpt, struct pd_evidence *ev)
{
	char ext[256], aid[TOKEN_AID_CHARS + 1], *tok, *r, *ours = NULL;
	uint64_t t, q;
	size_t i;

	memset(ev, 0, sizeof(ev[0]));
	r = strdup(rcpt);
	if (r == NULL)
		abort();
	if ((tok = strstr(r, "TOKEN")) != NULL) {
		char *g = token_reply(keys, 5), *n;

		if (asprintf(&n, "%.*s%s%s", (int)(tok - r), r, g,
		    tok + 5) < 0)
			abort();
		free(g);
		free(r);
		r = n;
	}
	if (core_rcpt_extension(r, "support", "example.com", '+', ext,
	    sizeof(ext)) &&
	    (token_reply_verify(keys, ext, &t) == 1 ||
	    token_agent_verify(keys, ext, &t, &q, aid) == 1) &&
	    t >= 1 && t <= TICKETS)
		ev->token_ticket = t;
	for (i = m->nreferences; i > 0; i--) {
		const char *ref = m->references[i - 1];

		if (strcmp(ref, "OURS") == 0) {
			free(ours);
			ref = ours = token_msgid(keys, 6, 3, "example.com");
		}
		if (ev->ours_ref_ticket == 0 &&
		    token_msgid_verify(keys, ref, &t, &q) == 1 &&
		    t >= 1 && t <= TICKETS)
			ev->ours_ref_ticket = t;
		if (ev->stored_ref_ticket == 0 &&
		    strcmp(ref, "stored@example.net") == 0)
			ev->stored_ref_ticket = 7;
	}
	free(ours);
	t = core_subject_tag(m->subject);
	if (t >= 1 && t <= TICKETS) {
		ev->tag_ticket = t;
		ev->tag_participant = strcmp(m->from_addr,
		    "customer@example.net") == 0;
	}
	return r;
}

/* decide - core_thread and the oracle on its decision */
static void
decide(const struct pd_evidence *ev, const char *rcpt)
{
	char ext[256], *g;
	struct pd_thread th;
	uint64_t want = 0;

	memset(&th, 0, sizeof(th));
	core_thread(ev, &th);
	if (th.reason == NULL || th.step < 'a' || th.step > 'f')
		fuzz_fail("thread: step %d without a reason", th.step);
	switch (th.step) {
	case 'a':
		want = ev->token_ticket;
		g = token_reply(keys, want);
		if (!core_rcpt_extension(rcpt, "support", "example.com", '+',
		    ext, sizeof(ext)) || g == NULL ||
		    (strcasecmp(ext, g) != 0 &&
		    strncasecmp(ext, g, strchr(g, '.') - g + 1) != 0))
			fuzz_fail("step a for ticket %llu without its token in "
			    "\"%s\"", (unsigned long long)want, rcpt);
		free(g);
		break;
	case 'b':
		want = ev->ours_ref_ticket;
		break;
	case 'c':
		want = ev->stored_ref_ticket;
		break;
	case 'd':
		if (!ev->tag_participant)
			fuzz_fail("step d for a stranger");
		want = ev->tag_ticket;
		break;
	case 'e':
		want = ev->merge_ticket;
		break;
	}
	if (th.is_new != (th.step == 'f') ||
	    (!th.is_new && (th.ticket != want || want == 0)))
		fuzz_fail("thread: step %c, new %d, ticket %llu, evidence %llu",
		    th.step, th.is_new, (unsigned long long)th.ticket,
		    (unsigned long long)want);
}

/* LLVMFuzzerTestOneInput - parse, classify, thread */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct pd_classify cls;
	struct pd_evidence ev;
	struct pd_msg *m = NULL;
	struct pd_err err;
	char *rcpt, *sender, *used;

	if (keys == NULL)
		load_keys();
	rcpt = line(&p, end);
	sender = line(&p, end);
	if (mail_parse((const char *)p, (size_t)(end - p), &m, &err) != 0)
		fuzz_fail("mail_parse failed: %s", err.text);
	classify(m, sender, &cls);
	used = evidence(m, rcpt, &ev);
	decide(&ev, used);
	free(used);
	mail_msg_free(m);
	free(sender);
	free(rcpt);
	return 0;
}

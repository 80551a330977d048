/*
 * intake.c - one inbound message, end to end; see intake.h
 *
 * The order is DESIGN.md section 3: parse and verify outside the
 * transaction (they need no lock), then one short write transaction for
 * everything that must be atomic. The write function may be run more than
 * once (store_write() retries after growing the map), so it keeps no state
 * outside struct intake_work that it does not reset first.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/agents.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/pd_types.h"
#include "util/xalloc.h"
#include "mail/mail_parse.h"
#include "mail/mail_text.h"
#include "mail/mail_dsn.h"
#include "notify/notify.h"
#include "token/token.h"
#include "store/store.h"
#include "core/classify.h"
#include "core/command.h"
#include "rules/rules.h"
#include "core/thread.h"
#include "core/workflow.h"
#include "filter/agent.h"
#include "filter/intake.h"
#include "filter/timeouts.h"

struct intake_work {
	const struct intake_ctx *ctx;
	const struct intake_req *req;
	struct pd_msg *msg;
	uint64_t token_ticket;		/* verified token in the recipient */
	uint64_t *ours;			/* tickets of our Message-IDs, newest first */
	size_t	nours;
	uint64_t tag;			/* [#N] in the subject */
	unsigned char dedup[STORE_HASH_BYTES];
	time_t	now;
	struct intake_result *res;
	struct pd_classify cls;
	struct notify_ctx nctx;
	const struct pd_agent *agent;	/* an authenticated agent wrote it */
	uint32_t seen_seq;		/* from the agent's token */
	int	control;		/* sent to the control address */
	struct mail_reply reply;	/* new text / quote / signature */
	struct pd_command *cmds;
	size_t	ncmds;
	const char *rest;		/* the text after the commands */
	struct agent_act act;
	int	token_seen;		/* the recipient had an extension */
	int	held;			/* unknown sender: held for #approve */
	struct rules_result rr;		/* what the intake rules said */
	struct pd_dsn *dsn;		/* a bounce's report, parsed */
	uint64_t bounce_ticket;		/* ... naming a Message-ID we sent */
	int	session;		/* SESSION_* of chatdesk */
	struct buf *why_pre;		/* explain: what was known before the txn */
	struct buf *why;		/* explain: the whole story (in the txn) */
	const char *auth;		/* how the agent was recognised */
};

#define SESSION_NONE	0	/* no out-of-hours session */
#define SESSION_OPEN	1	/* this mail opened one */
#define SESSION_MORE	2	/* this mail added to one */
#define SESSION_END	3	/* this mail ("//end") ended one */

static int intake_txn(struct store_txn *, void *, struct pd_err *);
static int intake_evidence(struct store_txn *, struct intake_work *,
			   struct pd_evidence *, struct pd_err *);
static int is_trace_header(const char *, size_t);
static int intake_explain_store(struct store_txn *, struct intake_work *,
				struct pd_ticket *, struct pd_err *);

/* intake_open - everything a process needs before its first message */
int
intake_open(struct intake_ctx *ctx, const struct pd_conf *conf,
	    struct pd_err *err)
{
	struct pd_keyring *keys;

	memset(ctx, 0, sizeof(*ctx));
	ctx->conf = conf;
	if ((ctx->wf = workflow_conf(conf, err)) == NULL)
		return -1;
	if (token_init() < 0)
		return err_set(err, PD_ETEMP, "libsodium failed to start");
	if (agents_load(conf->agents_file, &ctx->agents, err) < 0)
		return -1;
	{
		const char *dirs[2] = { conf->shipped_filters,
		    conf->rules_directory };

		if (rules_load(dirs, 2, &ctx->rules, err) < 0) {
			agents_free(&ctx->agents);
			return -1;
		}
	}
	if ((keys = keyfile_load(conf->key_file, err)) == NULL) {
		agents_free(&ctx->agents);
		ctx->rules = rules_free(ctx->rules);
		return -1;
	}
	ctx->keys = keys;
	if (store_open(conf->data_directory, conf->map_size, 0, &ctx->store,
	    err) < 0) {
		ctx->keys = token_keyring_free(keys);
		agents_free(&ctx->agents);
		ctx->rules = rules_free(ctx->rules);
		return -1;
	}
	return 0;
}

/* intake_close - release what intake_open took */
void
intake_close(struct intake_ctx *ctx)
{
	ctx->store = store_close(ctx->store);
	ctx->keys = token_keyring_free((struct pd_keyring *)ctx->keys);
	agents_free(&ctx->agents);
	ctx->rules = rules_free(ctx->rules);
}

/* is_trace_header - headers the MTA adds on each delivery attempt */
static int
is_trace_header(const char *line, size_t len)
{
	static const char *names[] = {
		"return-path:", "received:", "delivered-to:", "x-original-to:",
	};
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (len >= n && strncasecmp(line, names[i], n) == 0)
			return 1;
	}
	return 0;
}

/*
 * intake_dedup_key - Message-ID and recipient; without a Message-ID, the
 * content without the trace headers an MTA adds per delivery, and the
 * recipient.
 */
void
intake_dedup_key(const char *message_id, const char *raw, size_t len,
		 const char *recipient, unsigned char key[STORE_HASH_BYTES])
{
	struct buf *b = buf_new(256);
	const char *p = raw, *end = raw + len;
	int skipping = 0;
	size_t i;

	if (message_id != NULL && *message_id != '\0') {
		buf_adds(b, "mid");
		buf_addc(b, 0);
		buf_adds(b, message_id);
	} else {
		unsigned char h[STORE_HASH_BYTES];
		struct buf *c = buf_new(len);

		/* copy the header block without trace fields, then the rest */
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

			if (n == 1 || (n == 2 && p[0] == '\r')) {
				buf_add(c, p, (size_t)(end - p));
				break;
			}
			if (*p != ' ' && *p != '\t')
				skipping = is_trace_header(p, n);
			if (!skipping)
				buf_add(c, p, n);
			p += n;
		}
		store_hash(c->data, c->len, h);
		buf_free(c);
		buf_adds(b, "raw");
		buf_addc(b, 0);
		buf_add(b, h, sizeof(h));
	}
	buf_addc(b, 0);
	for (i = 0; recipient != NULL && recipient[i] != '\0'; i++)
		buf_addc(b, tolower((unsigned char)recipient[i]));
	store_hash(b->data, b->len, key);
	buf_free(b);
}

struct open_find {
	const char *requester;
	uint64_t id;
};

/* find_open - the requester's open ticket (the oldest) */
static int
find_open(const struct pd_ticket *t, void *arg)
{
	struct open_find *of = arg;

	if (strcasecmp(t->requester, of->requester) != 0 ||
	    t->merged_into != 0)
		return 0;
	of->id = t->id;
	return 1;
}

/* intake_evidence - look up what the message names, for core_thread() */
static int
intake_evidence(struct store_txn *txn, struct intake_work *w,
		struct pd_evidence *ev, struct pd_err *err)
{
	struct pd_ticket *t = NULL;
	uint64_t tk;
	uint32_t seq;
	size_t i;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (w->token_ticket != 0) {
		if ((rc = store_ticket_get(txn, w->token_ticket, &t, err)) < 0)
			return -1;
		if (rc == 1)
			ev->token_ticket = w->token_ticket;
		store_ticket_free(t);
		t = NULL;
	}
	for (i = 0; i < w->nours && ev->ours_ref_ticket == 0; i++) {
		if ((rc = store_ticket_get(txn, w->ours[i], &t, err)) < 0)
			return -1;
		if (rc == 1)
			ev->ours_ref_ticket = w->ours[i];
		store_ticket_free(t);
		t = NULL;
	}
	/* a bounce names the message it returns */
	if (w->dsn != NULL && w->dsn->orig_message_id[0] != '\0') {
		rc = store_msgid_lookup(txn, w->dsn->orig_message_id, &tk,
		    &seq, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			ev->stored_ref_ticket = tk;
	}
	/* newest reference first: In-Reply-To is last in the list */
	for (i = w->msg->nreferences; i > 0 && ev->stored_ref_ticket == 0; i--) {
		rc = store_msgid_lookup(txn, w->msg->references[i - 1], &tk,
		    &seq, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			ev->stored_ref_ticket = tk;
	}
	/* 002: "the new chat message is merged with the existing ticket" */
	if (w->ctx->wf->merge_open && w->cls.class == PD_CLASS_PERSON &&
	    w->msg->from_addr[0] != '\0') {
		struct open_find of;

		memset(&of, 0, sizeof(of));
		of.requester = w->msg->from_addr;
		if (store_ticket_iter(txn, w->ctx->wf->unassigned, find_open,
		    &of, err) < 0 || (of.id == 0 && store_ticket_iter(txn,
		    "assigned", find_open, &of, err) < 0))
			return -1;
		ev->merge_ticket = of.id;
	}
	if (w->tag != 0) {
		if ((rc = store_ticket_get(txn, w->tag, &t, err)) < 0)
			return -1;
		if (rc == 1) {
			ev->tag_ticket = w->tag;
			ev->tag_participant = w->msg->from_addr[0] != '\0' &&
			    store_ticket_is_participant(t, w->msg->from_addr);
		}
		store_ticket_free(t);
	}
	return 0;
}

/* intake_requester - who the ticket is for */
static const char *
intake_requester(const struct intake_work *w)
{
	if (w->msg->from_addr[0] != '\0')
		return w->msg->from_addr;
	if (w->req->sender[0] != '\0' &&
	    strcasecmp(w->req->sender, "MAILER-DAEMON") != 0)
		return w->req->sender;
	return "unknown";
}

/* intake_queue - one notification; remember its outbox id */
static int
intake_queue(struct store_txn *txn, struct intake_work *w,
	     const struct notify_msg *nm, struct pd_err *err)
{
	struct intake_result *res = w->res;
	size_t before = res->noutbox, i;

	if (notify_queue(txn, &w->nctx, nm, &res->outbox, &res->noutbox,
	    err) < 0) {
		if (err->class != PD_EDATA)
			return -1;
		/* too large, a suppressed or unusable address: keep the mail */
		res->suppressed++;
		memcpy(res->suppressed_text, err->text,
		    sizeof(res->suppressed_text));
		res->suppressed_text[sizeof(res->suppressed_text) - 1] = '\0';
		res->suppressed_why = res->suppressed_text;
		buf_printf(w->why, "notification %s to <%s>: not sent: %s\n",
		    nm->event, nm->to_addr, err->text);
		err_clear(err);
		return 0;
	}
	for (i = before; i < res->noutbox; i++)
		buf_printf(w->why, "notification %s to <%s>%s: queued (outbox "
		    "%llu)\n", nm->event, nm->to_addr, i > before ?
		    " (a template Cc/Bcc copy)" : "",
		    (unsigned long long)res->outbox[i]);
	res->queued += (int)(res->noutbox - before);
	return 0;
}

/* intake_notify - who hears about a person's new mail (DESIGN.md section 8) */
static int
intake_notify(struct store_txn *txn, struct intake_work *w,
	      const struct pd_ticket *t, const char *first_msgid,
	      struct pd_err *err)
{
	const struct pd_agents *al = &w->ctx->agents;
	struct intake_result *res = w->res;
	struct notify_msg nm;
	char *held = NULL;
	size_t i;
	int rc;

	memset(&nm, 0, sizeof(nm));
	nm.ticket = t;
	nm.message_text = w->msg->text;
	nm.in_reply_to = w->msg->message_id;
	nm.first_msgid = first_msgid;
	nm.now = w->now;
	if (res->is_new) {
		/* the acknowledgement, unless policy or the rate forbids it */
		if (!w->cls.may_autoreply) {
			res->suppressed++;
			res->suppressed_why = "no automatic answer to this "
			    "sender";
			buf_printf(w->why, "acknowledgement to <%s>: not sent: "
			    "%s\n", t->requester, res->suppressed_why);
		} else if ((rc = notify_rate(txn, w->ctx->conf, t->requester,
		    w->now, err)) < 0) {
			return -1;
		} else if (rc == 0) {
			res->suppressed++;
			res->suppressed_why = "autoreply_limit reached";
			buf_printf(w->why, "acknowledgement to <%s>: not sent: "
			    "autoreply_limit (%zu an hour) reached\n",
			    t->requester, w->ctx->conf->autoreply_limit);
		} else {
			nm.event = w->session == SESSION_OPEN ?
			    "customer_session" : "customer_new";
			nm.to_addr = t->requester;
			nm.to_name = t->requester_name;
			nm.auto_submitted = "auto-replied";
			if (intake_queue(txn, w, &nm, err) < 0)
				return -1;
		}
	}
	if (w->session != SESSION_NONE)
		return 0;	/* agents hear when the session ends */
	nm.event = res->is_new ? "agent_new" : "agent_reply";
	nm.auto_submitted = "auto-generated";
	if (w->held) {
		held = xasprintf("HELD: this mail came from <%s>, who is not "
		    "part of the ticket. The customer sees nothing of it until "
		    "an agent replies with #approve.\n\n%s", w->msg->from_addr,
		    w->reply.text);
		nm.message_text = held;
	}
	for (i = 0; i < al->n; i++) {
		const struct pd_agent *a = &al->v[i];

		if (!agents_in_department(a, t->queue) ||
		    strcasecmp(a->addr, w->msg->from_addr) == 0)
			continue;
		nm.to_addr = a->addr;
		nm.to_name = a->name;
		nm.agent = a;
		if (intake_queue(txn, w, &nm, err) < 0) {
			free(held);
			return -1;
		}
	}
	free(held);
	return 0;
}

/* intake_first_msgid - the Message-ID of a ticket's first message */
static char *
intake_first_msgid(struct store_txn *txn, uint64_t ticket,
		   struct pd_err *err)
{
	struct pd_stored_msg *m = NULL;
	char *id;
	int rc;

	if ((rc = store_msg_get(txn, ticket, 1, &m, err)) < 0)
		return NULL;
	id = xstrdup(rc == 1 ? m->message_id : "");
	store_msg_free(m);
	return id;
}

/* intake_agent - an authenticated agent's mail on a ticket, or at control */
static int
intake_agent(struct store_txn *txn, struct intake_work *w, uint64_t ticket,
	     struct pd_err *err)
{
	struct intake_result *res = w->res;
	struct agent_act *a = &w->act;
	struct pd_ticket *t = NULL;
	int rc;

	a->nctx = &w->nctx;
	a->agent = w->agent;
	a->now = w->now;
	a->seen_seq = w->seen_seq;
	a->cmds = w->cmds;
	a->ncmds = w->ncmds;
	a->text = w->rest;
	a->message_id = w->msg->message_id;
	a->raw = w->req->raw;
	a->rawlen = w->req->len;
	a->queue_id = w->req->queue_id;
	a->result_mail = 1;
	res->is_agent = 1;
	if (w->control) {
		rc = agent_control(txn, a, err);
		res->step = '-';
		res->reason = "control address";
	} else
		rc = agent_on_ticket(txn, a, ticket, err);
	if (rc < 0)
		return -1;
	res->ticket = w->control ? 0 : ticket;
	res->seq = a->seq;
	res->agent_public = a->public_sent;
	res->agent_held = a->held;
	res->agent_refused = a->refused;
	res->outbox = xrealloc(res->outbox, (a->noutbox + 1) *
	    sizeof(*res->outbox));
	memcpy(res->outbox, a->outbox, a->noutbox * sizeof(*a->outbox));
	res->noutbox = a->noutbox;
	res->queued = (int)a->noutbox;
	if (!w->control) {
		if ((rc = store_ticket_get(txn, ticket, &t, err)) < 0)
			return -1;
		if (rc == 1)
			snprintf(res->status, sizeof(res->status), "%s",
			    t->status);
		store_ticket_free(t);
	}
	buf_printf(w->why, "agent: %s (%s)\n%s", w->agent->addr, w->auth,
	    a->report != NULL ? a->report->data : "");
	if (intake_explain_store(txn, w, NULL, err) < 0)
		return -1;
	/* a mail that stored no message (commands only, the control address)
	 * is remembered as (0, 0): seen, nothing to point at */
	return store_dedup_put(txn, w->dedup, a->seq ? res->ticket : 0, a->seq,
	    err);
}

/* intake_queue_of - the department a recipient address stands for:
 * billing@ and billing+x@ are "billing"; the support address is "" */
static char *
intake_queue_of(const struct pd_conf *c, const char *rcpt)
{
	const char *at = strrchr(rcpt, '@');
	size_t n = at != NULL ? (size_t)(at - rcpt) : strlen(rcpt), i;
	char *q;

	for (i = 0; i < n; i++)
		if (rcpt[i] == c->recipient_delimiter[0])
			n = i;
	if (n == strlen(c->support_local) &&
	    strncasecmp(rcpt, c->support_local, n) == 0)
		return xstrdup("");
	q = xstrndup(rcpt, n);
	for (i = 0; q[i]; i++)
		q[i] = (char)tolower((unsigned char)q[i]);
	return q;
}

/* intake_take_outbox - the notifications an agent_act queued, into res */
static void
intake_take_outbox(struct intake_result *res, const struct agent_act *a)
{
	if (a->noutbox == 0)	/* a->outbox is NULL when nothing was queued */
		return;
	res->outbox = xrealloc(res->outbox, (res->noutbox + a->noutbox + 1) *
	    sizeof(*res->outbox));
	memcpy(res->outbox + res->noutbox, a->outbox, a->noutbox *
	    sizeof(*a->outbox));
	res->noutbox += a->noutbox;
	res->queued += (int)a->noutbox;
}

/* intake_act - run an agent_act for what the intake itself does (auto
 * assignment, session end), collecting its notifications */
static int
intake_act(struct store_txn *txn, struct intake_work *w, struct pd_ticket *t,
	   struct pd_err *err)
{
	struct intake_result *res = w->res;
	struct agent_act *a = &w->act;
	int rc;

	a->nctx = &w->nctx;
	a->agent = NULL;
	a->now = w->now;
	agent_act_reset(a);
	if (w->session == SESSION_END)
		rc = agent_notify_all(txn, a, t, "agent_new", a->text, err);
	else
		rc = agent_auto_assign(txn, a, t, err);
	if (rc < 0)
		return -1;
	intake_take_outbox(res, a);
	return 0;
}

struct session_text {
	struct buf *b;
};

/* session_collect - the customer's messages of a session */
static int
session_collect(const struct pd_stored_msg *m, void *arg)
{
	struct session_text *st = arg;

	if (m->author != PD_AUTHOR_CUSTOMER ||
	    strcmp(m->text, "//end") == 0)
		return 0;
	if (st->b->len > 0)
		buf_adds(st->b, "\n\n");
	buf_adds(st->b, m->text);
	return 0;
}

/* intake_session - chatdesk out of hours (seed 002): a new ticket opens a
 * "ticket session" with an auto-responder; the customer's mails join it
 * until "//end" or session_timeout after the last one; only then are the
 * agents told, once, with everything the customer sent */
static int
intake_session(struct store_txn *txn, struct intake_work *w,
	       struct pd_ticket *t, int is_new, struct pd_err *err)
{
	const struct pd_conf *c = w->ctx->conf;
	struct session_text st;
	const char *p;
	int rc;

	if (!w->ctx->wf->sessions)
		return 0;
	if (is_new) {
		if (conf_open_at(c, w->now))
			return 0;
		w->session = SESSION_OPEN;
		t->session_until = w->now + c->session_timeout;
		return agent_event(txn, t, "postdesk", "session",
		    "out of hours: ticket session opened", w->now, err);
	}
	if (t->session_until == 0)
		return 0;
	for (p = w->reply.text; *p == ' ' || *p == '\n' || *p == '\t'; p++)
		;
	if (strncmp(p, "//end", 5) != 0 || p[5 + strspn(p + 5, " \t\r\n")]
	    != '\0') {
		w->session = SESSION_MORE;
		t->session_until = w->now + c->session_timeout;
		return 0;
	}
	/* 002: "//end closes the ticket in Chat Desk." - here the session */
	w->session = SESSION_END;
	t->session_until = 0;
	st.b = buf_new(1024);
	rc = store_msg_iter(txn, t->id, session_collect, &st, err);
	if (rc == 0)
		rc = agent_event(txn, t, "postdesk", "session",
		    "ticket session ended by //end", w->now, err);
	w->act.text = st.b->data;
	if (rc == 0)
		rc = intake_act(txn, w, t, err);
	w->act.text = NULL;
	buf_free(st.b);
	return rc;
}

/* intake_explain_evidence - what threading saw and decided */
static void
intake_explain_evidence(struct intake_work *w, const struct pd_evidence *ev,
			const struct pd_thread *th)
{
	struct buf *b = w->why;

	buf_printf(b, "evidence: reply address token: ");
	if (ev->token_ticket)
		buf_printf(b, "ticket %llu", (unsigned long long)ev->token_ticket);
	else
		buf_printf(b, "%s", w->token_seen ? "invalid or unknown ticket "
		    "(ignored)" : "none");
	buf_printf(b, "; postdesk Message-ID in References: ");
	if (ev->ours_ref_ticket)
		buf_printf(b, "ticket %llu",
		    (unsigned long long)ev->ours_ref_ticket);
	else
		buf_printf(b, "none");
	buf_printf(b, "; stored message in References: ");
	if (ev->stored_ref_ticket)
		buf_printf(b, "ticket %llu",
		    (unsigned long long)ev->stored_ref_ticket);
	else
		buf_printf(b, "none");
	if (ev->tag_ticket)
		buf_printf(b, "; subject tag [#%llu] (sender %s a participant)",
		    (unsigned long long)ev->tag_ticket, ev->tag_participant ?
		    "is" : "is not");
	if (ev->merge_ticket)
		buf_printf(b, "; open ticket of the customer: %llu",
		    (unsigned long long)ev->merge_ticket);
	buf_printf(b, "\nthreading: step %c (%s)", th->step, th->reason);
	if (!th->is_new)
		buf_printf(b, " -> ticket %llu", (unsigned long long)th->ticket);
	buf_addc(b, '\n');
}

/* intake_explain_store - keep the story: an "intake" event on the ticket,
 * and the queue id's pointer (or, for a dropped mail, the story itself) */
static int
intake_explain_store(struct store_txn *txn, struct intake_work *w,
		     struct pd_ticket *t, struct pd_err *err)
{
	const struct intake_result *res = w->res;
	char *val;
	int rc = 0;

	if (res->dropped)
		buf_printf(w->why, "result: not stored (%s)\n", res->reason);
	else
		buf_printf(w->why, "result: %s, ticket %llu, message %u, status "
		    "%s\n", intake_action(res), (unsigned long long)res->ticket,
		    res->seq, res->status);
	if (t != NULL)
		rc = agent_event(txn, t, "postdesk", "intake", w->why->data,
		    w->now, err);
	if (rc == 0 && w->req->queue_id[0] != '\0') {
		val = t != NULL ? xasprintf("ticket %llu message %u",
		    (unsigned long long)res->ticket, res->seq) :
		    xstrdup(w->why->data);
		rc = store_explain_put(txn, w->req->queue_id, w->now, val,
		    err);
		free(val);
	}
	return rc;
}

/* intake_bounce - a bounce of our mail: a system event on the ticket,
 * the assigned agent (or every agent) is told, and a hard-bounced address
 * is not mailed again until it writes in again */
static int
intake_bounce(struct store_txn *txn, struct intake_work *w,
	      struct pd_ticket *t, struct pd_err *err)
{
	const struct pd_dsn *d = w->dsn;
	struct agent_act *a = &w->act;
	struct buf *text = buf_new(256);
	char key[300], val[300];
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < d->nrecipients; i++) {
		const struct pd_dsn_rcpt *r = &d->recipients[i];
		char *detail = xasprintf("mail to %s %s: %s %s", r->addr,
		    d->hard ? "bounced" : "was delayed", r->status,
		    r->diagnostic);

		buf_printf(text, "%s\n", detail);
		rc = agent_event(txn, t, "postdesk", "bounce", detail, w->now,
		    err);
		free(detail);
		if (rc == 0 && d->hard && r->status[0] == '5' &&
		    r->addr[0] != '\0') {
			snprintf(key, sizeof(key), "suppress:%.280s", r->addr);
			snprintf(val, sizeof(val), "%lld %s %.200s",
			    (long long)w->now, r->status, r->diagnostic);
			rc = store_kv_put(txn, key, val, strlen(val), err);
			buf_printf(w->why, "suppressed: <%s> (hard bounce)\n",
			    r->addr);
		}
	}
	if (rc == 0 && d->nrecipients == 0)
		buf_printf(text, "a bounce: %s\n", d->reason);
	if (rc == 0) {
		a->nctx = &w->nctx;
		a->agent = NULL;
		a->now = w->now;
		agent_act_reset(a);
		rc = agent_notify_all(txn, a, t, "agent_bounce", text->data,
		    err);
		if (rc == 0)
			intake_take_outbox(w->res, a);
	}
	buf_free(text);
	return rc;
}

/* intake_txn - the one write transaction of an intake */
static int
intake_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct intake_work *w = arg;
	struct intake_result *res = w->res;
	struct pd_evidence ev;
	struct pd_thread th;
	struct pd_ticket *t = NULL;
	struct pd_stored_msg m;
	const char *who = intake_requester(w), *next = NULL;
	const struct workflow *wf = w->ctx->wf;
	char *detail = NULL, *old = NULL, *first = NULL;
	uint64_t followup = 0;
	int person = w->cls.class == PD_CLASS_PERSON;
	uint64_t tk;
	uint32_t seq;
	int rc;

	/* store_write may run this again: start from a clean result */
	res->duplicate = res->dropped = res->is_new = 0;
	w->session = SESSION_NONE;
	w->held = 0;
	buf_reset(w->why);
	buf_add(w->why, w->why_pre->data, w->why_pre->len);
	res->is_agent = res->agent_public = res->agent_held = 0;
	res->agent_refused = 0;
	res->ticket = 0;
	res->seq = 0;
	res->queued = res->suppressed = 0;
	res->suppressed_why = NULL;
	res->noutbox = 0;
	rc = store_dedup_lookup(txn, w->dedup, &tk, &seq, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		goto duplicate;
	if (intake_evidence(txn, w, &ev, err) < 0)
		return -1;
	core_thread(&ev, &th);
	res->step = th.step;
	res->reason = th.reason;
	intake_explain_evidence(w, &ev, &th);
	if (w->agent != NULL && (w->control || !th.is_new))
		return intake_agent(txn, w, th.ticket, err);
	if (th.is_new && !person) {
		/* bounces and auto-replies never open a ticket */
		res->dropped = 1;
		res->reason = w->cls.reason;
		return intake_explain_store(txn, w, NULL, err);
	}
	if (!th.is_new) {
		if ((rc = store_ticket_get(txn, th.ticket, &t, err)) < 0)
			return -1;
		if (rc == 0)
			return err_set(err, PD_EBUG, "ticket %llu vanished",
			    (unsigned long long)th.ticket);
		/* the same message already on this ticket (another recipient) */
		if (w->msg->message_id[0] != '\0') {
			rc = store_msgid_lookup(txn, w->msg->message_id, &tk,
			    &seq, err);
			if (rc < 0)
				goto fail;
			if (rc == 1 && tk == t->id) {
				store_ticket_free(t);
				goto duplicate;
			}
		}
		if ((first = intake_first_msgid(txn, t->id, err)) == NULL)
			goto fail;
		/* 001: "Resolved Tickets can be re-opened by Agents, and by
		 * Users depending on their Usergroup Permissions": without
		 * customer_can_reopen, a reply opens a new ticket linked to
		 * the old; an archived ticket is read-only the same way */
		/* a valid token, but from someone not on the ticket (a
		 * forwarded notification): unknown_sender_policy */
		if (person && w->agent == NULL && (th.step == 'a' ||
		    th.step == 'b') && !store_ticket_is_participant(t, who)) {
			const char *pol = w->ctx->conf->unknown_sender_policy;

			if (strcmp(pol, "moderate") == 0)
				w->held = 1;
			else if (strcmp(pol, "new_ticket") == 0) {
				store_ticket_free(t);
				t = NULL;
				free(first);
				first = NULL;
				th.is_new = 1;
				res->step = 'f';
				res->reason = "new ticket (unknown sender on a "
				    "ticket's address)";
			}
			buf_printf(w->why, "unknown sender on ticket %llu: "
			    "unknown_sender_policy = %s\n",
			    (unsigned long long)th.ticket, pol);
		}
		if (t != NULL && person && ((wf->reopen_policy &&
		    !w->ctx->conf->customer_can_reopen &&
		    strcmp(t->status, wf->closed) == 0) ||
		    (wf->archive && strcmp(t->status, "archived") == 0))) {
			followup = t->id;
			store_ticket_free(t);
			t = NULL;
			free(first);
			first = NULL;
			th.is_new = 1;
			res->step = 'f';
			res->reason = "new ticket (follow-up of a closed one)";
		}
	}
	if (th.is_new) {
		t = xcalloc(1, sizeof(*t));
		if (store_ticket_new_id(txn, &t->id, err) < 0)
			goto fail;
		t->status = xstrdup("");
		t->subject = xstrdup(w->msg->subject);
		t->requester = xstrdup(who);
		t->requester_name = xstrdup(w->msg->from_name);
		t->queue = intake_queue_of(w->ctx->conf, w->req->recipient);
		t->assignee = xstrdup("");
		t->priority = xstrdup("normal");
		t->lock_holder = xstrdup("");
		t->last_public_agent = xstrdup("");
		t->last_assignee = xstrdup("");
		t->created = w->now;
		t->followup_of = followup;
		/* 004: "Tickets are automatically linked to customers by ...
		 * External ID - matching by the external identifier" */
		if (person && w->msg->x_customer_id[0] != '\0') {
			struct pd_customer *cu = NULL;

			if ((rc = store_customer_get_by_external(txn,
			    w->msg->x_customer_id, &cu, err)) < 0)
				goto fail;
			if (rc == 1 && strcasecmp(cu->email, who) != 0) {
				free(t->requester);
				t->requester = xstrdup(cu->email);
				if (t->requester_name[0] == '\0') {
					free(t->requester_name);
					t->requester_name = xstrdup(cu->name);
				}
				buf_printf(w->why, "customer: %s, by external "
				    "id %s\n", cu->email,
				    w->msg->x_customer_id);
			}
			store_customer_free(cu);
		}
		if (w->rr.queue != NULL) {
			free(t->queue);
			t->queue = xstrdup(w->rr.queue);
		}
		if (w->rr.priority != NULL) {
			free(t->priority);
			t->priority = xstrdup(w->rr.priority);
		}
		if (w->rr.assign != NULL &&
		    agents_by_addr(&w->ctx->agents, w->rr.assign) != NULL) {
			free(t->assignee);
			t->assignee = xstrdup(w->rr.assign);
		}
		res->is_new = 1;
		first = xstrdup(w->msg->message_id);
	}
	memset(&m, 0, sizeof(m));
	if (store_raw_put_ticket(txn, t->id, w->req->raw, w->req->len,
	    m.raw_hash, err) < 0)
		goto fail;
	m.ticket = t->id;
	m.seq = ++t->nmsgs;
	m.received = w->now;
	m.author = person ? PD_AUTHOR_CUSTOMER : PD_AUTHOR_SYSTEM;
	m.from_addr = (char *)who;
	m.from_name = w->msg->from_name;
	m.subject = w->msg->subject;
	m.message_id = w->msg->message_id;
	m.queue_id = (char *)w->req->queue_id;
	m.recipient = (char *)w->req->recipient;
	m.text = res->is_new ? w->msg->text : w->reply.text;
	m.raw_size = w->req->len;
	m.attach = w->msg->attach;
	m.nattach = w->msg->nattach;
	m.visibility = w->held ? PD_VIS_HELD : PD_VIS_PUBLIC;
	if (store_msg_put(txn, &m, err) < 0)
		goto fail;
	if (person && !w->held)
		(void)store_ticket_add_participant(t, who);
	if (person) {
		/* whoever writes in again may be mailed again */
		char skey[300];

		snprintf(skey, sizeof(skey), "suppress:%.280s", who);
		if (store_kv_del(txn, skey, err) < 0)
			goto fail;
	}

	if (person && !w->held)
		next = workflow_next(w->ctx->wf, res->is_new ? NULL :
		    t->status, res->is_new ? WF_EV_CUSTOMER_NEW :
		    WF_EV_CUSTOMER_REPLY);
	/* a rule may choose the status a new ticket starts in (spam) */
	if (res->is_new && w->rr.status != NULL &&
	    workflow_status(wf, w->rr.status) != NULL)
		next = workflow_status(wf, w->rr.status)->name;
	if (res->is_new) {
		detail = xasprintf("status %s", next ? next : "");
		if (agent_event(txn, t, who, "created", detail, w->now,
		    err) < 0)
			goto fail;
	}
	free(detail);
	detail = xasprintf("message %u (%s%s%s)", m.seq,
	    res->is_new ? "new ticket" : th.reason, person ? "" : "; ",
	    person ? "" : w->cls.reason);
	if (agent_event(txn, t, who, person ? "message" :
	    core_class_name(w->cls.class), detail, w->now, err) < 0)
		goto fail;
	if (person)
		t->last_customer = w->now;
	if (next != NULL && strcmp(next, t->status) != 0) {
		old = t->status;
		t->status = xstrdup(next);
		t->status_at = w->now;
		if (!res->is_new) {
			free(detail);
			detail = xasprintf("%s -> %s", old, next);
			if (agent_event(txn, t, who, "status", detail, w->now,
			    err) < 0)
				goto fail;
		}
	}
	t->updated = w->now;
	if (followup != 0) {
		free(detail);
		detail = xasprintf("follow-up of ticket %llu",
		    (unsigned long long)followup);
		if (agent_event(txn, t, who, "followup", detail, w->now,
		    err) < 0)
			goto fail;
	}
	if (person && intake_session(txn, w, t, res->is_new, err) < 0)
		goto fail;
	/* 003: a pending ticket (new, or reopened by the customer) goes to
	 * the last assignee if online, else to another online agent */
	if (person && wf->auto_assign && strcmp(t->status, "pending") == 0) {
		if (t->assignee[0] != '\0') {
			free(t->last_assignee);
			t->last_assignee = t->assignee;
			t->assignee = xstrdup("");
		}
		if (intake_act(txn, w, t, err) < 0)
			goto fail;
	}
	if (w->cls.class == PD_CLASS_BOUNCE && w->dsn != NULL &&
	    intake_bounce(txn, w, t, err) < 0)
		goto fail;
	if (w->rr.ntags > 0) {
		struct buf *tb = buf_new(64);

		for (size_t k = 0; k < w->rr.ntags; k++)
			buf_printf(tb, "%s%s", k ? ", " : "", w->rr.tags[k]);
		rc = agent_event(txn, t, "postdesk", "tags", tb->data,
		    w->now, err);
		buf_free(tb);
		if (rc < 0)
			goto fail;
	}
	if (person && !w->rr.skip_notify && (w->session == SESSION_NONE ||
	    w->session == SESSION_OPEN) &&
	    !workflow_status(wf, t->status)->hidden &&
	    intake_notify(txn, w, t, first, err) < 0)
		goto fail;
	res->ticket = t->id;
	res->seq = m.seq;
	snprintf(res->status, sizeof(res->status), "%s", t->status);
	if (intake_explain_store(txn, w, t, err) < 0 ||
	    store_dedup_put(txn, w->dedup, t->id, m.seq, err) < 0 ||
	    ticket_save(txn, w->ctx->conf, wf, t, err) < 0)
		goto fail;
	free(detail);
	free(old);
	free(first);
	store_ticket_free(t);
	return 0;

duplicate:
	res->duplicate = 1;
	res->ticket = tk;
	res->seq = seq;
	res->reason = "duplicate";
	free(first);
	if (store_ticket_get(txn, tk, &t, err) == 1)
		snprintf(res->status, sizeof(res->status), "%s", t->status);
	store_ticket_free(t);
	buf_printf(w->why, "already stored: this delivery is a duplicate\n");
	return intake_explain_store(txn, w, NULL, err);

fail:
	free(detail);
	free(old);
	free(first);
	store_ticket_free(t);
	return -1;
}

/* intake_action - the word for the log line */
const char *
intake_action(const struct intake_result *res)
{
	if (res->duplicate)
		return "duplicate";
	if (res->dropped)
		return "dropped";
	if (res->is_agent)
		return res->agent_refused ? "agent-refused" : res->agent_held ?
		    "agent-held" : res->agent_public ? "agent-reply" :
		    "agent-command";
	return res->is_new ? "new" : "reply";
}

/* intake_classify - bounce, auto-reply, loop or a person */
static void
intake_classify(struct intake_work *w)
{
	const struct pd_conf *c = w->ctx->conf;
	const struct pd_msg *m = w->msg;
	struct pd_classify_in in;

	memset(&in, 0, sizeof(in));
	in.sender = w->req->sender;
	in.from_addr = m->from_addr;
	in.content_type = m->content_type;
	in.subject = m->subject;
	in.auto_submitted = m->auto_submitted;
	in.precedence = m->precedence;
	in.list_id = m->list_id;
	in.x_loop = m->x_loop;
	in.x_autoreply = m->x_autoreply;
	in.message_id = m->message_id;
	in.our_address = c->support_address;
	in.our_domain = c->support_domain;
	in.our_local = c->support_local;
	in.our_host = c->hostname;
	in.our_bounce = c->bounce_address;
	core_classify(&in, &w->cls);
}

/* dkim_agent - a DKIM pass for the From domain, from our trusted server */
static int
dkim_agent(const struct pd_conf *c, const struct pd_msg *m)
{
	const char *ar = m->authentication_results, *at, *p;
	size_t idlen = strlen(c->trusted_authserv_id);
	char want[300];

	if (idlen == 0 || ar == NULL || (at = strrchr(m->from_addr, '@')) ==
	    NULL)
		return 0;
	while (*ar == ' ' || *ar == '\t')
		ar++;
	if (strncasecmp(ar, c->trusted_authserv_id, idlen) != 0 ||
	    (ar[idlen] != ';' && ar[idlen] != ' '))
		return 0;
	snprintf(want, sizeof(want), "header.d=%s", at + 1);
	for (p = ar; (p = strcasestr(p, "dkim=pass")) != NULL; p += 9) {
		const char *end = strchr(p, ';');
		const char *d = strcasestr(p, want);
		size_t n = strlen(want);

		if (d != NULL && (end == NULL || d < end) &&
		    (d[n] == '\0' || d[n] == ';' || d[n] == ' ' ||
		    d[n] == '\t'))
			return 1;
	}
	return 0;
}

/* intake_identify - is this an authenticated agent's mail? */
static void
intake_identify(struct intake_work *w, const char *ext)
{
	const struct intake_ctx *ctx = w->ctx;
	const struct pd_agents *al = &ctx->agents;
	char aid[TOKEN_AID_CHARS + 1], mine[TOKEN_AID_CHARS + 1];
	uint64_t tk, seq;
	size_t i;

	w->seen_seq = AGENT_SEEN_ALL;
	/* the agent-specific reply address that only that agent was sent */
	if (ext != NULL && token_agent_verify(ctx->keys, ext, &tk, &seq,
	    aid) == 1) {
		for (i = 0; i < al->n; i++) {
			token_agent_id(al->v[i].addr, mine);
			if (strcmp(mine, aid) == 0) {
				w->agent = &al->v[i];
				w->auth = "the agent's own reply address";
				w->seen_seq = seq > UINT32_MAX - 1 ?
				    UINT32_MAX - 1 : (uint32_t)seq;
				return;
			}
		}
	}
	/* SMTP AUTH names the agent */
	if ((w->agent = agents_by_login(al, w->req->sasl_user)) != NULL) {
		w->auth = "SMTP AUTH";
		return;
	}
	/* a DKIM pass from our trusted server for the agent's domain */
	if (agents_by_addr(al, w->msg->from_addr) != NULL &&
	    dkim_agent(ctx->conf, w->msg)) {
		w->agent = agents_by_addr(al, w->msg->from_addr);
		w->auth = "DKIM pass from trusted_authserv_id";
	}
	else if (agents_by_addr(al, w->msg->from_addr) != NULL)
		w->res->agent_unauth = 1;
}

/* explain_only_txn - record the story of a mail that was not stored */
static int
explain_only_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct intake_work *w = arg;

	buf_reset(w->why);
	buf_add(w->why, w->why_pre->data, w->why_pre->len);
	return intake_explain_store(txn, w, NULL, err);
}

/* intake_known_quotes - the texts of the notifications (ours, named in
 * In-Reply-To/References) this mail answers; up to max, newest first */
static size_t
intake_known_quotes(struct intake_work *w, char **out, size_t max)
{
	struct store_txn *txn;
	struct pd_err err;
	uint64_t tk, seq;
	char key[64], *buf;
	size_t i, n = 0, len;

	err_clear(&err);
	if (store_read(w->ctx->store, &txn, &err) < 0)
		return 0;
	buf = xmalloc(NOTIFY_SENT_MAX + 1);
	for (i = w->msg->nreferences; i > 0 && n < max; i--) {
		if (token_msgid_verify(w->ctx->keys, w->msg->references[i - 1],
		    &tk, &seq) != 1)
			continue;
		snprintf(key, sizeof(key), "sent:%llu:%llu",
		    (unsigned long long)tk, (unsigned long long)seq);
		if (store_kv_get(txn, key, buf, NOTIFY_SENT_MAX, &len,
		    &err) == 1) {
			buf[len] = '\0';
			out[n++] = xstrdup(buf);
		}
	}
	free(buf);
	store_abort(txn);
	return n;
}

/* intake_rules - the operator's intake rules (postdesk-rules(5)) */
static void
intake_rules(struct intake_work *w)
{
	struct rules_header *hv;
	struct rules_input in;
	size_t i;

	memset(&w->rr, 0, sizeof(w->rr));
	if (w->ctx->rules == NULL)
		return;
	hv = xcalloc(w->msg->nheaders + 1, sizeof(*hv));
	for (i = 0; i < w->msg->nheaders; i++) {
		hv[i].name = w->msg->headers[i].name;
		hv[i].value = w->msg->headers[i].value;
	}
	in.sender = w->req->sender;
	in.recipient = w->req->recipient;
	in.headers = hv;
	in.nheaders = w->msg->nheaders;
	if (rules_match(w->ctx->rules, &in, &w->rr) == 1) {
		buf_printf(w->why_pre, "rules fired:");
		for (i = 0; i < w->rr.nfired; i++)
			buf_printf(w->why_pre, " %s", w->rr.fired[i]);
		buf_printf(w->why_pre, "%s%s%s%s%s%s%s%s\n",
		    w->rr.queue ? "; queue " : "", w->rr.queue ? w->rr.queue : "",
		    w->rr.status ? "; status " : "",
		    w->rr.status ? w->rr.status : "",
		    w->rr.priority ? "; priority " : "",
		    w->rr.priority ? w->rr.priority : "",
		    w->rr.skip_notify ? "; skip-notify" : "",
		    w->rr.drop ? "; drop" : "");
	}
	free(hv);
}

/* intake_message - parse, verify, decide, store one message; then notify */
int
intake_message(const struct intake_ctx *ctx, const struct intake_req *req,
	       struct intake_result *res, struct pd_err *err)
{
	struct intake_work w;
	char ext[256], aid[TOKEN_AID_CHARS + 1];
	uint64_t tk, seq;
	size_t i;
	int rc = 0, has_ext;

	memset(&w, 0, sizeof(w));
	memset(res, 0, sizeof(*res));
	w.ctx = ctx;
	w.req = req;
	w.res = res;
	w.now = clock_now();
	w.nctx.conf = ctx->conf;
	w.nctx.keys = ctx->keys;
	w.nctx.agents = &ctx->agents;
	w.nctx.wf = ctx->wf;
	if (mail_parse(req->raw, req->len, &w.msg, err) < 0)
		return -1;
	w.why_pre = buf_new(256);
	w.why = buf_new(1024);
	res->defects = w.msg->defects;
	snprintf(res->from, sizeof(res->from), "%s", intake_requester(&w));
	intake_classify(&w);
	res->class = w.cls.class;
	if (w.cls.class == PD_CLASS_LOOP) {
		/* our own mail came back: never process it again */
		res->dropped = 1;
		res->step = '-';
		res->reason = w.cls.reason;
		buf_printf(w.why_pre, "intake: queue id %s, envelope <%s> -> "
		    "<%s>, Message-ID <%s>\nclass: loop (%s)\n",
		    req->queue_id[0] ? req->queue_id : "-", req->sender,
		    req->recipient, w.msg->message_id, w.cls.reason);
		if (req->queue_id[0] != '\0' &&
		    store_write(ctx->store, explain_only_txn, &w, err) < 0) {
			buf_free(w.why_pre);
			buf_free(w.why);
			mail_msg_free(w.msg);
			return -1;
		}
		buf_free(w.why_pre);
		buf_free(w.why);
		mail_msg_free(w.msg);
		if (ctx->committed != NULL)
			ctx->committed(req, res, ctx->sent_arg);
		return 0;
	}

	has_ext = core_rcpt_extension(req->recipient, ctx->conf->support_local,
	    ctx->conf->support_domain, ctx->conf->recipient_delimiter[0],
	    ext, sizeof(ext));
	if (has_ext && (token_reply_verify(ctx->keys, ext, &tk) == 1 ||
	    token_agent_verify(ctx->keys, ext, &tk, &seq, aid) == 1))
		w.token_ticket = tk;
	w.token_seen = has_ext;
	if (w.cls.class == PD_CLASS_BOUNCE) {
		mail_dsn_parse(req->raw, req->len, &w.dsn, err);
		if (w.dsn != NULL && w.dsn->orig_message_id[0] != '\0' &&
		    token_msgid_verify(ctx->keys, w.dsn->orig_message_id, &tk,
		    &seq) == 1)
			w.bounce_ticket = tk;
	}
	intake_identify(&w, has_ext ? ext : NULL);
	buf_printf(w.why_pre, "intake: queue id %s, envelope <%s> -> <%s>, "
	    "Message-ID <%s>\nclass: %s (%s); automatic answers %s\n",
	    req->queue_id[0] ? req->queue_id : "-", req->sender,
	    req->recipient, w.msg->message_id, core_class_name(w.cls.class),
	    w.cls.reason, w.cls.may_autoreply ? "allowed" : "not allowed");
	if (w.agent != NULL)
		buf_printf(w.why_pre, "sender: agent %s, recognised by %s\n",
		    w.agent->addr, w.auth);
	else if (res->agent_unauth)
		buf_printf(w.why_pre, "sender: From names an agent, but "
		    "nothing authenticated it: treated as a customer\n");
	intake_rules(&w);
	if (w.rr.drop) {
		res->dropped = 1;
		res->step = '-';
		res->reason = "dropped by an intake rule";
		if (req->queue_id[0] != '\0')
			rc = store_write(ctx->store, explain_only_txn, &w, err);
		goto done;
	}

	w.control = has_ext && strcasecmp(ext, "control") == 0;
	{
		struct mail_reply_hints hints;
		char *known[2] = { NULL, NULL };

		memset(&hints, 0, sizeof(hints));
		hints.marker = ctx->conf->reply_marker;
		/* the notification this mail answers, as postdesk sent it */
		hints.nknown = intake_known_quotes(&w, known, 2);
		hints.known_quoted = (const char *const *)known;
		mail_reply_split(w.msg->text, &hints, &w.reply);
		free(known[0]);
		free(known[1]);
	}
	if (w.agent != NULL)
		core_commands_parse(w.reply.text, &w.cmds, &w.ncmds, &w.rest);
	else if (w.control) {
		/* the control address takes authenticated agents only */
		res->dropped = 1;
		res->step = '-';
		res->reason = "control address: not an authenticated agent";
		goto done;
	}
	w.ours = xcalloc(w.msg->nreferences + 2, sizeof(*w.ours));
	if (w.bounce_ticket != 0)
		w.ours[w.nours++] = w.bounce_ticket;
	for (i = w.msg->nreferences; i > 0; i--)
		if (token_msgid_verify(ctx->keys, w.msg->references[i - 1],
		    &tk, &seq) == 1)
			w.ours[w.nours++] = tk;
	w.tag = core_subject_tag(w.msg->subject);
	intake_dedup_key(w.msg->message_id, req->raw, req->len,
	    req->recipient, w.dedup);

	rc = store_write(ctx->store, intake_txn, &w, err);
done:
	mail_dsn_free(w.dsn);
	buf_free(w.why_pre);
	buf_free(w.why);
	free(w.ours);
	free(w.cmds);
	mail_reply_free(&w.reply);
	agent_act_free(&w.act);
	mail_msg_free(w.msg);
	/* after the commit: hand the notifications to the MTA; a failure
	 * leaves them queued for postdesk-cron and is not the intake's */
	if (rc == 0 && ctx->committed != NULL)
		ctx->committed(req, res, ctx->sent_arg);
	if (rc == 0 && res->noutbox > 0 && !ctx->no_send) {
		struct pd_err serr;

		err_clear(&serr);
		if (notify_send(ctx->store, ctx->conf, res->outbox,
		    res->noutbox, ctx->sent, ctx->sent_arg, &serr) < 0 &&
		    ctx->sent != NULL) {
			struct notify_result nr;

			memset(&nr, 0, sizeof(nr));
			snprintf(nr.why, sizeof(nr.why), "%s", serr.text);
			ctx->sent(&nr, ctx->sent_arg);
		}
	}
	free(res->outbox);
	res->outbox = NULL;
	return rc;
}

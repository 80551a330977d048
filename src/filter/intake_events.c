/*
 * intake_events.c - what an intake does besides storing the message: the
 * notifications of DESIGN.md section 8, an authenticated agent's mail and
 * commands, chatdesk's out-of-hours sessions, and a bounce of our mail.
 * All of it runs inside intake_txn's transaction; see intake_int.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "core/workflow.h"
#include "filter/intake_int.h"

/* intake_requester - who the ticket is for */
const char *
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
int
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
int
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
char *
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
int
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
char *
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
void
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
int
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
int
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


/* intake_bounce - a bounce of our mail: a system event on the ticket,
 * the assigned agent (or every agent) is told, and a hard-bounced address
 * is not mailed again until it writes in again */
int
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

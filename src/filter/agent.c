/*
 * agent.c - agents' replies, notes, drafts and commands; see agent.h
 */
#include <ctype.h>
#include <inttypes.h>
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
#include "store/store.h"
#include "core/command.h"
#include "core/workflow.h"
#include "notify/notify.h"
#include "filter/agent.h"
#include "filter/timeouts.h"

#define MERGE_DEPTH	8

static int act_queue(struct store_txn *, struct agent_act *,
		     struct notify_msg *, struct pd_err *);

/* agent_event - append one audit event to a ticket (t->nevents moves) */
int
agent_event(struct store_txn *txn, struct pd_ticket *t, const char *actor,
	    const char *kind, const char *detail, time_t now,
	    struct pd_err *err)
{
	struct pd_event e;

	e.ticket = t->id;
	e.seq = ++t->nevents;
	e.time = now;
	e.actor = (char *)actor;
	e.kind = (char *)kind;
	e.detail = (char *)detail;
	return store_event_put(txn, &e, err);
}

/* agent_act_reset - outputs back to empty */
void
agent_act_reset(struct agent_act *a)
{
	if (a->report == NULL)
		a->report = buf_new(512);
	buf_reset(a->report);
	a->public_sent = a->held = a->refused = 0;
	a->noutbox = 0;
	a->seq = 0;
}

/* agent_act_free - release the outputs */
void
agent_act_free(struct agent_act *a)
{
	a->report = buf_free(a->report);
	free(a->outbox);
	a->outbox = NULL;
	a->noutbox = 0;
}

/* act_queue - queue a notification, remember its id */
static int
act_queue(struct store_txn *txn, struct agent_act *a, struct notify_msg *nm,
	  struct pd_err *err)
{
	nm->now = a->now;
	if (notify_queue(txn, a->nctx, nm, &a->outbox, &a->noutbox, err) < 0) {
		if (err->class != PD_EDATA)
			return -1;
		buf_printf(a->report, "(a notification was not sent: %s)\n",
		    err->text);
		err_clear(err);
		return 0;
	}
	return 0;
}

/* find_agent - "me", an address, a login, a local part or a name */
static const struct pd_agent *
find_agent(const struct pd_agents *al, const char *arg,
	   const struct pd_agent *self)
{
	size_t i, n;
	const struct pd_agent *a;

	if (strcasecmp(arg, "me") == 0)
		return self;
	if ((a = agents_by_addr(al, arg)) != NULL ||
	    (a = agents_by_login(al, arg)) != NULL)
		return a;
	n = strlen(arg);
	for (i = 0; i < al->n; i++) {
		const char *addr = al->v[i].addr;

		if ((strncasecmp(addr, arg, n) == 0 && addr[n] == '@') ||
		    (al->v[i].name[0] != '\0' &&
		    strcasecmp(al->v[i].name, arg) == 0))
			return &al->v[i];
	}
	return NULL;
}

/* agent_label - "Name <addr>" or the address, for reports */
static const char *
agent_label(const struct pd_agent *a)
{
	return a->name[0] != '\0' ? a->name : a->addr;
}

/* agent_set_status - change the status with an event; status_at moves;
 * the customer hears when the ticket is closed */
int
agent_set_status(struct store_txn *txn, struct agent_act *a,
		 struct pd_ticket *t, const char *to, struct pd_err *err)
{
	const struct workflow *wf = a->nctx->wf;
	const char *actor = a->agent != NULL ? a->agent->addr : "postdesk";
	struct notify_msg nm;
	char *detail;
	int rc;

	if (strcmp(t->status, to) == 0)
		return 0;
	detail = xasprintf("%s -> %s", t->status, to);
	rc = agent_event(txn, t, actor, "status", detail, a->now, err);
	free(detail);
	if (rc < 0)
		return -1;
	free(t->status);
	t->status = xstrdup(to);
	t->status_at = a->now;
	/* 003: a ticket (re)opened as Pending goes to the last assignee if
	 * online, else to another online agent ("A reopened ticket is
	 * automatically assigned to an available agent or the last assignee
	 * if they're online.") */
	if (wf->auto_assign && strcmp(to, "pending") == 0) {
		if (t->assignee[0] != '\0' && agent_assign(txn, a, t, NULL, 1,
		    err) < 0)
			return -1;
		return agent_auto_assign(txn, a, t, err);
	}
	/* 003: "When the ticket status changes to In Progress, the
	 * assignment of the agent will be canceled." */
	if (wf->auto_assign && strcmp(to, "in_progress") == 0 &&
	    t->assignee[0] != '\0' && agent_assign(txn, a, t, NULL, 0,
	    err) < 0)
		return -1;
	if (strcmp(to, wf->closed) != 0 || !t->requester[0])
		return 0;
	memset(&nm, 0, sizeof(nm));
	nm.event = "customer_closed";
	nm.ticket = t;
	nm.to_addr = t->requester;
	nm.to_name = t->requester_name;
	nm.agent_name = a->agent != NULL && a->agent->name[0] != '\0' ?
	    a->agent->name : a->nctx->conf->site_name;
	nm.auto_submitted = "auto-generated";
	return act_queue(txn, a, &nm, err);
}

/* agent_assign - set or clear the assignee (who NULL); moves the status by
 * the workflow's assign/unassign transitions unless keep_status */
int
agent_assign(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	     const struct pd_agent *who, int keep_status, struct pd_err *err)
{
	const char *actor = a->agent != NULL ? a->agent->addr : "postdesk";
	const char *next;
	char *detail;
	int rc;

	if (strcasecmp(t->assignee, who ? who->addr : "") == 0)
		return 0;
	detail = xasprintf("%s -> %s", t->assignee[0] ? t->assignee :
	    "nobody", who ? who->addr : "nobody");
	if (t->assignee[0] != '\0') {
		free(t->last_assignee);
		t->last_assignee = xstrdup(t->assignee);
	}
	free(t->assignee);
	t->assignee = xstrdup(who ? who->addr : "");
	rc = agent_event(txn, t, actor, "assign", detail, a->now, err);
	free(detail);
	if (rc < 0 || keep_status)
		return rc;
	next = workflow_next(a->nctx->wf, t->status, who ? WF_EV_ASSIGN :
	    WF_EV_UNASSIGN);
	return next != NULL ? agent_set_status(txn, a, t, next, err) : 0;
}

/* agent_online - 1 when the agent said #online */
int
agent_online(struct store_txn *txn, const struct pd_agent *ag,
	     struct pd_err *err)
{
	char key[300], v[16];
	size_t len;
	int rc;

	snprintf(key, sizeof(key), "avail:%.280s", ag->addr);
	if ((rc = store_kv_get(txn, key, v, sizeof(v), &len, err)) <= 0)
		return rc;
	return len == 6 && memcmp(v, "online", 6) == 0;
}

/* agent_auto_assign - sendbird: the last assignee if online, else the
 * next online agent of the ticket's department (round robin) */
int
agent_auto_assign(struct store_txn *txn, struct agent_act *a,
		  struct pd_ticket *t, struct pd_err *err)
{
	const struct pd_agents *al = a->nctx->agents;
	const struct pd_agent *pick = NULL, *last;
	unsigned char rr[4] = { 0, 0, 0, 0 };
	uint32_t start = 0;
	size_t i, len;
	int rc;

	if (!a->nctx->wf->auto_assign || t->assignee[0] != '\0' ||
	    al->n == 0)
		return 0;
	last = agents_by_addr(al, t->last_assignee);
	if (last != NULL && (rc = agent_online(txn, last, err)) != 0) {
		if (rc < 0)
			return -1;
		pick = last;
	}
	if (pick == NULL) {
		if (store_kv_get(txn, "assign_rr", rr, sizeof(rr), &len,
		    err) < 0)
			return -1;
		start = (uint32_t)rr[0] << 24 | (uint32_t)rr[1] << 16 |
		    (uint32_t)rr[2] << 8 | rr[3];
		for (i = 0; i < al->n && pick == NULL; i++) {
			const struct pd_agent *c = &al->v[(start + i) % al->n];

			if (!agents_in_department(c, t->queue))
				continue;
			if ((rc = agent_online(txn, c, err)) < 0)
				return -1;
			if (rc == 1) {
				pick = c;
				start = (uint32_t)((start + i + 1) % al->n);
			}
		}
		rr[0] = (unsigned char)(start >> 24);
		rr[1] = (unsigned char)(start >> 16);
		rr[2] = (unsigned char)(start >> 8);
		rr[3] = (unsigned char)start;
		if (pick != NULL && store_kv_put(txn, "assign_rr", rr,
		    sizeof(rr), err) < 0)
			return -1;
	}
	if (pick == NULL)
		return 0;	/* 003: pending while no agent is online */
	return agent_assign(txn, a, t, pick, 0, err);
}

/* agent_notify_all - one notice to every agent of the ticket's department */
int
agent_notify_all(struct store_txn *txn, struct agent_act *a,
		 struct pd_ticket *t, const char *event, const char *text,
		 struct pd_err *err)
{
	const struct pd_agents *al = a->nctx->agents;
	struct notify_msg nm;
	size_t i;

	memset(&nm, 0, sizeof(nm));
	nm.event = event;
	nm.ticket = t;
	nm.message_text = text;
	nm.auto_submitted = "auto-generated";
	for (i = 0; i < al->n; i++) {
		if (!agents_in_department(&al->v[i], t->queue))
			continue;
		nm.to_addr = al->v[i].addr;
		nm.to_name = al->v[i].name;
		nm.agent = &al->v[i];
		if (act_queue(txn, a, &nm, err) < 0)
			return -1;
	}
	return 0;
}

/* check_command - is this command acceptable here? "" ok, else why */
static const char *
check_command(struct store_txn *txn, struct agent_act *a,
	      const struct pd_ticket *t, const struct pd_command *c,
	      char *why, size_t len, struct pd_err *err, int *fatal)
{
	const struct workflow *wf = a->nctx->wf;
	const struct wf_status *st;
	struct pd_ticket *other = NULL;
	unsigned long long n;
	char *end;
	int rc;

	*why = '\0';
	switch (c->cmd) {
	case CMD_STATUS:
		st = workflow_status(wf, c->arg);
		if (wf->idle && st != NULL && strcmp(st->name, "idle") == 0 &&
		    t->last_customer > t->last_agent)
			snprintf(why, len, "the customer wrote last: an active "
			    "ticket can't be changed to idle (seed 003)");
		else if (st == NULL || st->hidden)
			snprintf(why, len, "unknown status \"%.60s\" in workflow "
			    "%s (postdesk workflow lists them; #spam and "
			    "#delete hide a ticket)", c->arg, wf->name);
		break;
	case CMD_ASSIGN:
		if (find_agent(a->nctx->agents, c->arg, a->agent) == NULL)
			snprintf(why, len, "no agent \"%.60s\"", c->arg);
		/* 002: "Agents cannot transfer tickets to other agents." */
		else if (wf->no_transfer && !a->agent->admin &&
		    find_agent(a->nctx->agents, c->arg, a->agent) != a->agent)
			snprintf(why, len, "in workflow %s agents cannot hand "
			    "a ticket to another agent", wf->name);
		break;
	case CMD_PRIORITY:
		if (!core_priority_valid(c->arg))
			snprintf(why, len, "priority must be low, normal, "
			    "high or urgent");
		break;
	case CMD_UNLOCK:
		if (t->lock_holder[0] != '\0' &&
		    strcasecmp(t->lock_holder, a->agent->addr) != 0 &&
		    !a->agent->admin && t->lock_until > a->now)
			snprintf(why, len, "locked by %s: only they or an "
			    "admin can unlock", t->lock_holder);
		break;
	case CMD_MERGE:
		n = strtoull(c->arg, &end, 10);
		if (c->arg[0] < '1' || c->arg[0] > '9' || *end != '\0')
			snprintf(why, len, "#merge needs a ticket number");
		else if (n == t->id)
			snprintf(why, len, "cannot merge a ticket into itself");
		else if ((rc = store_ticket_get(txn, n, &other, err)) < 0)
			*fatal = 1;
		else if (rc == 0 || other->merged_into != 0)
			snprintf(why, len, "no ticket %llu to merge into", n);
		store_ticket_free(other);
		break;
	case CMD_CC:
		if (strchr(c->arg, '@') == NULL || strpbrk(c->arg, " \t<>,;")
		    != NULL)
			snprintf(why, len, "#cc needs one address");
		break;
	case CMD_UNKNOWN:
		snprintf(why, len, "unknown command");
		break;
	default:
		if (!core_command_on_ticket(c->cmd))
			snprintf(why, len, "only at the control address");
		break;
	}
	return why;
}

/* store_agent_msg - an agent's message on the ticket (any visibility) */
static int
store_agent_msg(struct store_txn *txn, struct agent_act *a,
		struct pd_ticket *t, const char *text, int vis,
		struct pd_err *err)
{
	struct pd_stored_msg m;
	char *subject = xasprintf("Re: %s", t->subject);
	int rc;

	memset(&m, 0, sizeof(m));
	if (a->raw != NULL)
		rc = store_raw_put_ticket(txn, t->id, a->raw, a->rawlen,
		    m.raw_hash, err);
	else
		rc = store_raw_put_ticket(txn, t->id, text, strlen(text),
		    m.raw_hash, err);
	if (rc < 0) {
		free(subject);
		return -1;
	}
	m.ticket = t->id;
	m.seq = ++t->nmsgs;
	m.received = a->now;
	m.author = PD_AUTHOR_AGENT;
	m.from_addr = a->agent->addr;
	m.from_name = a->agent->name;
	m.subject = subject;
	m.message_id = (char *)(a->message_id ? a->message_id : "");
	m.queue_id = (char *)(a->queue_id ? a->queue_id : "");
	m.recipient = "";
	m.text = (char *)text;
	m.raw_size = a->raw != NULL ? a->rawlen : strlen(text);
	m.visibility = vis;
	rc = store_msg_put(txn, &m, err);
	free(subject);
	a->seq = m.seq;
	return rc;
}

/* public_reply - store the reply and send it to the customer's side */
static int
public_reply(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	     const char *text, int status_set, struct pd_err *err)
{
	struct notify_msg nm;
	const char *next;
	char *detail;
	size_t i;

	if (store_agent_msg(txn, a, t, text, PD_VIS_PUBLIC, err) < 0)
		return -1;
	detail = xasprintf("message %u: public reply by %s", a->seq,
	    a->agent->addr);
	if (agent_event(txn, t, a->agent->addr, "reply", detail, a->now,
	    err) < 0) {
		free(detail);
		return -1;
	}
	free(detail);
	t->last_public_seq = t->nevents;
	t->last_agent = a->now;
	free(t->last_public_agent);
	t->last_public_agent = xstrdup(a->agent->addr);
	a->public_sent = 1;
	/* the status first, so the customer's mail shows the new one */
	if (!status_set &&
	    (next = workflow_next(a->nctx->wf, t->status, WF_EV_AGENT_REPLY))
	    != NULL && agent_set_status(txn, a, t, next, err) < 0)
		return -1;
	memset(&nm, 0, sizeof(nm));
	nm.event = "customer_reply";
	nm.ticket = t;
	nm.message_text = text;
	nm.agent_name = a->agent->name[0] != '\0' ? a->agent->name :
	    a->nctx->conf->site_name;
	for (i = 0; i <= t->ncc; i++) {
		nm.to_addr = i == 0 ? t->requester : t->cc[i - 1];
		nm.to_name = i == 0 ? t->requester_name : "";
		if (act_queue(txn, a, &nm, err) < 0)
			return -1;
	}
	return 0;
}

struct draft_find {
	const char *agent;
	uint32_t seq;
	char	*text;
};

/* find_draft - the newest draft of this agent */
static int
find_draft(const struct pd_stored_msg *m, void *arg)
{
	struct draft_find *d = arg;

	if (m->visibility == PD_VIS_DRAFT && m->author == PD_AUTHOR_AGENT &&
	    strcasecmp(m->from_addr, d->agent) == 0) {
		free(d->text);
		d->text = xstrdup(m->text);
		d->seq = m->seq;
	}
	return 0;
}

struct last_public {
	char	*text;
	char	*who;
};

/* find_last_public - the newest public agent reply */
static int
find_last_public(const struct pd_stored_msg *m, void *arg)
{
	struct last_public *lp = arg;

	if (m->visibility == PD_VIS_PUBLIC && m->author == PD_AUTHOR_AGENT) {
		free(lp->text);
		free(lp->who);
		lp->text = xstrdup(m->text);
		lp->who = xstrdup(m->from_addr);
	}
	return 0;
}

/* send_draft - #send: publish the agent's newest draft */
static int
send_draft(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	   int status_set, struct pd_err *err)
{
	struct draft_find d;
	struct pd_stored_msg *m = NULL;
	int rc;

	memset(&d, 0, sizeof(d));
	d.agent = a->agent->addr;
	if (store_msg_iter(txn, t->id, find_draft, &d, err) < 0)
		return -1;
	if (d.text == NULL) {
		buf_printf(a->report, "#send: you have no draft on this "
		    "ticket\n");
		return 0;
	}
	/* the draft stays in the history, marked as sent */
	if ((rc = store_msg_get(txn, t->id, d.seq, &m, err)) == 1) {
		m->visibility = PD_VIS_SENT_DRAFT;
		rc = store_msg_put(txn, m, err);
	}
	store_msg_free(m);
	if (rc < 0 || public_reply(txn, a, t, d.text, status_set, err) < 0) {
		free(d.text);
		return -1;
	}
	buf_printf(a->report, "#send: your draft (message %u) was sent to "
	    "the customer\n", d.seq);
	free(d.text);
	return 0;
}

struct held_find {
	uint32_t seq;
};

/* find_held - the newest held message */
static int
find_held(const struct pd_stored_msg *m, void *arg)
{
	struct held_find *h = arg;

	if (m->visibility == PD_VIS_HELD)
		h->seq = m->seq;
	return 0;
}

/* approve_held - #approve: a held mail from an unknown sender joins */
static int
approve_held(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	     struct pd_err *err)
{
	struct held_find h = { 0 };
	struct pd_stored_msg *m = NULL;
	const char *next;
	char *detail;
	int rc;

	if (store_msg_iter(txn, t->id, find_held, &h, err) < 0)
		return -1;
	if (h.seq == 0) {
		buf_printf(a->report, "#approve: no held mail on this ticket\n");
		return 0;
	}
	if ((rc = store_msg_get(txn, t->id, h.seq, &m, err)) != 1)
		return rc < 0 ? -1 : 0;
	m->visibility = PD_VIS_PUBLIC;
	rc = store_msg_put(txn, m, err);
	if (rc == 0) {
		store_ticket_add_participant(t, m->from_addr);
		detail = xasprintf("message %u from %s approved", m->seq,
		    m->from_addr);
		rc = agent_event(txn, t, a->agent->addr, "approve", detail,
		    a->now, err);
		free(detail);
	}
	if (rc == 0 && (next = workflow_next(a->nctx->wf, t->status,
	    WF_EV_CUSTOMER_REPLY)) != NULL)
		rc = agent_set_status(txn, a, t, next, err);
	buf_printf(a->report, "#approve: message %u from %s is now part of the "
	    "ticket\n", m->seq, m->from_addr);
	store_msg_free(m);
	return rc;
}

/* apply_command - one checked command */
static int
apply_command(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	      const struct pd_command *c, struct pd_err *err)
{
	const struct workflow *wf = a->nctx->wf;
	const struct pd_agent *who;
	struct pd_ticket *into = NULL;
	char *detail = NULL, until[32];
	int rc = 0;

	switch (c->cmd) {
	case CMD_STATUS:
		rc = agent_set_status(txn, a, t, c->arg, err);
		break;
	case CMD_CLOSE:
		rc = agent_set_status(txn, a, t, wf->closed, err);
		break;
	case CMD_SPAM:
		rc = agent_set_status(txn, a, t, WF_SPAM, err);
		break;
	case CMD_DELETE:
		rc = agent_set_status(txn, a, t, WF_DELETED, err);
		break;
	case CMD_RESTORE:
		if (strcmp(t->status, WF_SPAM) == 0 ||
		    strcmp(t->status, WF_DELETED) == 0)
			rc = agent_set_status(txn, a, t, wf->reopen, err);
		break;
	case CMD_ASSIGN:
	case CMD_UNASSIGN:
		who = c->cmd == CMD_ASSIGN ? find_agent(a->nctx->agents,
		    c->arg, a->agent) : NULL;
		rc = agent_assign(txn, a, t, who, 0, err);
		break;
	case CMD_PRIORITY:
		detail = xasprintf("%s -> %s", t->priority[0] ? t->priority :
		    "normal", c->arg);
		free(t->priority);
		t->priority = xstrdup(c->arg);
		rc = agent_event(txn, t, a->agent->addr, "priority", detail,
		    a->now, err);
		break;
	case CMD_LOCK:
		free(t->lock_holder);
		t->lock_holder = xstrdup(a->agent->addr);
		t->lock_until = a->now + a->nctx->conf->lock_timeout;
		clock_format_iso(t->lock_until, until, sizeof(until));
		detail = xasprintf("locked until %s", until);
		rc = agent_event(txn, t, a->agent->addr, "lock", detail,
		    a->now, err);
		if (rc == 0)
			rc = store_due_put(txn, t->lock_until,
			    STORE_DUE_UNLOCK, t->id, err);
		break;
	case CMD_UNLOCK:
		if (t->lock_holder[0] != '\0')
			rc = store_due_del(txn, t->lock_until,
			    STORE_DUE_UNLOCK, t->id, err);
		free(t->lock_holder);
		t->lock_holder = xstrdup("");
		t->lock_until = 0;
		if (rc == 0)
			rc = agent_event(txn, t, a->agent->addr, "unlock", "",
			    a->now, err);
		break;
	case CMD_MERGE:
		t->merged_into = strtoull(c->arg, NULL, 10);
		detail = xasprintf("merged into ticket %" PRIu64,
		    t->merged_into);
		rc = agent_event(txn, t, a->agent->addr, "merge", detail,
		    a->now, err);
		if (rc == 0 && (rc = store_ticket_get(txn, t->merged_into,
		    &into, err)) == 1) {
			free(detail);
			detail = xasprintf("ticket %" PRIu64 " merged into this "
			    "one", t->id);
			rc = agent_event(txn, into, a->agent->addr, "merge",
			    detail, a->now, err);
			for (size_t i = 0; rc == 0 && i < t->nparticipants; i++)
				store_ticket_add_participant(into,
				    t->participants[i]);
			if (rc == 0)
				rc = ticket_save(txn, a->nctx->conf,
				    a->nctx->wf, into, err);
		}
		store_ticket_free(into);
		if (rc >= 0)
			rc = agent_set_status(txn, a, t, wf->closed, err);
		break;
	case CMD_APPROVE:
		rc = approve_held(txn, a, t, err);
		break;
	case CMD_CC:
		t->cc = xrealloc(t->cc, (t->ncc + 2) * sizeof(*t->cc));
		t->cc[t->ncc++] = xstrdup(c->arg);
		t->cc[t->ncc] = NULL;
		rc = agent_event(txn, t, a->agent->addr, "cc", c->arg, a->now,
		    err);
		break;
	default:
		break;
	}
	free(detail);
	if (rc < 0)
		return -1;
	if (c->cmd != CMD_NOTE && c->cmd != CMD_DRAFT && c->cmd != CMD_SEND)
		buf_printf(a->report, "%s: done\n", c->line);
	return 0;
}

/* result_mail - tell the agent what their mail did */
static int
result_mail(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	    struct pd_err *err)
{
	struct notify_msg nm;

	memset(&nm, 0, sizeof(nm));
	nm.event = t->id != 0 ? "agent_result" : "agent_control";
	nm.ticket = t;
	nm.to_addr = a->agent->addr;
	nm.to_name = a->agent->name;
	nm.agent = a->agent;
	nm.message_text = a->report->data;
	nm.auto_submitted = "auto-replied";
	return act_queue(txn, a, &nm, err);
}

/* note_to_agents - an internal note goes to the other agents */
static int
note_to_agents(struct store_txn *txn, struct agent_act *a,
	       struct pd_ticket *t, const char *text, struct pd_err *err)
{
	const struct pd_agents *al = a->nctx->agents;
	struct notify_msg nm;
	size_t i;

	memset(&nm, 0, sizeof(nm));
	nm.event = "agent_note";
	nm.ticket = t;
	nm.message_text = text;
	nm.agent_name = agent_label(a->agent);
	nm.auto_submitted = "auto-generated";
	for (i = 0; i < al->n; i++) {
		if (&al->v[i] == a->agent ||
		    !agents_in_department(&al->v[i], t->queue))
			continue;
		nm.to_addr = al->v[i].addr;
		nm.to_name = al->v[i].name;
		nm.agent = &al->v[i];
		if (act_queue(txn, a, &nm, err) < 0)
			return -1;
	}
	return 0;
}

/* handle_text - note, draft, send, held or public reply */
static int
handle_text(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	    int note, int draft, int send, int status_set, struct pd_err *err)
{
	const char *text = a->text != NULL ? a->text : "";
	struct last_public lp;
	size_t before;
	int rc = 0;

	if (note) {
		if (*text == '\0') {
			buf_printf(a->report, "#note: no text, nothing "
			    "added\n");
			return 0;
		}
		if (store_agent_msg(txn, a, t, text, PD_VIS_INTERNAL, err) < 0 ||
		    agent_event(txn, t, a->agent->addr, "note", "internal "
		    "note", a->now, err) < 0 ||
		    note_to_agents(txn, a, t, text, err) < 0)
			return -1;
		buf_printf(a->report, "#note: added as message %u (agents "
		    "only)\n", a->seq);
		return 0;
	}
	if (draft) {
		if (store_agent_msg(txn, a, t, text, PD_VIS_DRAFT, err) < 0 ||
		    agent_event(txn, t, a->agent->addr, "draft", "draft "
		    "saved", a->now, err) < 0)
			return -1;
		buf_printf(a->report, "#draft: kept as your draft (message "
		    "%u); reply with #send to send it\n", a->seq);
		return 0;
	}
	if (send && *text == '\0')
		return send_draft(txn, a, t, status_set, err);
	if (*text == '\0')
		return 0;
	/* collision: a colleague answered publicly after what this agent saw */
	if (!send && a->seen_seq != AGENT_SEEN_ALL &&
	    t->last_public_seq > a->seen_seq &&
	    strcasecmp(t->last_public_agent, a->agent->addr) != 0) {
		memset(&lp, 0, sizeof(lp));
		if (store_msg_iter(txn, t->id, find_last_public, &lp, err) < 0 ||
		    store_agent_msg(txn, a, t, text, PD_VIS_DRAFT, err) < 0 ||
		    agent_event(txn, t, a->agent->addr, "held", "reply held: "
		    "a colleague answered first", a->now, err) < 0)
			rc = -1;
		else {
			a->held = 1;
			buf_printf(a->report, "Your reply was NOT sent: %s "
			    "answered the customer after the notice you "
			    "replied to. It is kept as your draft (message "
			    "%u); reply with #send to send it anyway.\n\n"
			    "%s wrote to the customer:\n\n%s\n",
			    t->last_public_agent, a->seq, t->last_public_agent,
			    lp.text ? lp.text : "");
		}
		free(lp.text);
		free(lp.who);
		return rc;
	}
	before = a->noutbox;
	if (public_reply(txn, a, t, text, status_set, err) < 0)
		return -1;
	if (a->noutbox > before)
		buf_printf(a->report, "Your reply was sent to the customer "
		    "(message %u).\n", a->seq);
	else
		buf_printf(a->report, "Your reply was stored (message %u) but "
		    "NOT sent: see above.\n", a->seq);
	return 0;
}

/* agent_on_ticket - commands, then the text */
int
agent_on_ticket(struct store_txn *txn, struct agent_act *a, uint64_t id,
		struct pd_err *err)
{
	struct pd_ticket *t = NULL;
	char why[256], until[32];
	size_t i;
	int rc, bad = 0, fatal = 0, note = 0, draft = 0, send = 0;
	int status_set = 0, depth;

	agent_act_reset(a);
	for (depth = 0; depth < MERGE_DEPTH; depth++) {
		store_ticket_free(t);
		t = NULL;
		if ((rc = store_ticket_get(txn, id, &t, err)) < 0)
			return -1;
		if (rc == 0)
			return err_set(err, PD_EBUG, "no ticket %" PRIu64, id);
		if (t->merged_into == 0)
			break;
		buf_printf(a->report, "Ticket %" PRIu64 " was merged into "
		    "ticket %" PRIu64 "; acting on that one.\n", id,
		    t->merged_into);
		id = t->merged_into;
	}
	buf_printf(a->report, "Ticket #%" PRIu64 ": %s\n\n", t->id,
	    t->subject);
	/* a lock held by someone else refuses all but an admin's #unlock */
	if (t->lock_holder[0] != '\0' && t->lock_until > a->now &&
	    strcasecmp(t->lock_holder, a->agent->addr) != 0) {
		int admin_unlock = 0;

		for (i = 0; i < a->ncmds; i++)
			if (a->cmds[i].cmd == CMD_UNLOCK && a->agent->admin)
				admin_unlock = 1;
		if (!admin_unlock) {
			clock_format_iso(t->lock_until, until, sizeof(until));
			buf_printf(a->report, "Ticket #%" PRIu64 " is locked by "
			    "%s until %s: nothing was done, nothing was sent. "
			    "Ask them, or an admin, to #unlock it.\n", t->id,
			    t->lock_holder, until);
			a->refused = 1;
			rc = agent_event(txn, t, a->agent->addr, "refused",
			    "ticket locked", a->now, err);
			if (rc == 0 && a->result_mail)
				rc = result_mail(txn, a, t, err);
			if (rc == 0)
				rc = ticket_save(txn, a->nctx->conf,
				    a->nctx->wf, t, err);
			store_ticket_free(t);
			return rc;
		}
	}
	/* check every command before applying any */
	for (i = 0; i < a->ncmds; i++) {
		check_command(txn, a, t, &a->cmds[i], why, sizeof(why), err,
		    &fatal);
		if (fatal) {
			store_ticket_free(t);
			return -1;
		}
		if (why[0] != '\0') {
			buf_printf(a->report, "%s: error: %s\n",
			    a->cmds[i].line, why);
			bad++;
		}
	}
	if (bad) {
		buf_printf(a->report, "\nNothing was done and nothing was sent "
		    "(%d command%s could not be carried out). Correct and "
		    "send again; #help lists the commands.\n", bad,
		    bad == 1 ? "" : "s");
		a->refused = 1;
		rc = a->result_mail ? result_mail(txn, a, t, err) : 0;
		store_ticket_free(t);
		return rc;
	}
	for (i = 0; i < a->ncmds; i++) {
		note |= a->cmds[i].cmd == CMD_NOTE;
		draft |= a->cmds[i].cmd == CMD_DRAFT;
		send |= a->cmds[i].cmd == CMD_SEND;
		status_set |= a->cmds[i].cmd == CMD_STATUS ||
		    a->cmds[i].cmd == CMD_CLOSE || a->cmds[i].cmd == CMD_SPAM ||
		    a->cmds[i].cmd == CMD_DELETE || a->cmds[i].cmd == CMD_MERGE;
		if (apply_command(txn, a, t, &a->cmds[i], err) < 0)
			goto fail;
	}
	if (handle_text(txn, a, t, note, draft, send, status_set, err) < 0)
		goto fail;
	t->updated = a->now;
	if (ticket_save(txn, a->nctx->conf, a->nctx->wf, t, err) < 0)
		goto fail;
	if (a->result_mail && (a->ncmds > 0 || a->held) &&
	    result_mail(txn, a, t, err) < 0)
		goto fail;
	store_ticket_free(t);
	return 0;
fail:
	store_ticket_free(t);
	return -1;
}

struct accept_scan {
	const struct agent_act *a;
	uint64_t *ids;
	size_t	n;
	size_t	want;
	struct buf *list;
	char	**lines;
	const char *status;
	int	mine;
};

/* scan_accept - the oldest unassigned tickets this agent may see */
static int
scan_accept(const struct pd_ticket *t, void *arg)
{
	struct accept_scan *s = arg;
	const struct wf_status *st = workflow_status(s->a->nctx->wf, t->status);

	if (t->assignee[0] != '\0' || t->merged_into != 0 || st == NULL ||
	    st->hidden || strcmp(t->status, s->a->nctx->wf->closed) == 0 ||
	    !agents_in_department(s->a->agent, t->queue))
		return 0;
	s->ids = xrealloc(s->ids, (s->n + 1) * sizeof(*s->ids));
	s->ids[s->n++] = t->id;
	return s->n >= s->want ? 1 : 0;
}

/* scan_list - tickets for #list */
static int
scan_list(const struct pd_ticket *t, void *arg)
{
	struct accept_scan *s = arg;
	const struct wf_status *st = workflow_status(s->a->nctx->wf, t->status);

	if (s->mine && strcasecmp(t->assignee, s->a->agent->addr) != 0)
		return 0;
	if (s->status == NULL && st != NULL && st->hidden)
		return 0;
	if (!agents_in_department(s->a->agent, t->queue))
		return 0;
	/* 002: "with the most recent at the top": collected, printed reversed */
	s->lines = xrealloc(s->lines, (s->n + 1) * sizeof(*s->lines));
	s->lines[s->n++] = xasprintf("  #%-6" PRIu64 " %-15s %s\n", t->id,
	    t->status, t->subject);
	return 0;
}

/* control_accept - #accept [N] */
static int
control_accept(struct store_txn *txn, struct agent_act *a,
	       const struct pd_command *c, struct pd_err *err)
{
	struct accept_scan s;
	struct pd_ticket *t;
	struct pd_command as;
	size_t i;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.a = a;
	s.want = c->arg[0] ? strtoul(c->arg, NULL, 10) : 1;
	if (s.want == 0 || s.want > 100) {
		buf_printf(a->report, "%s: error: give a number from 1 to "
		    "100\n", c->line);
		return 0;
	}
	if (store_ticket_iter(txn, NULL, scan_accept, &s, err) < 0)
		return -1;
	memset(&as, 0, sizeof(as));
	as.cmd = CMD_ASSIGN;
	snprintf(as.arg, sizeof(as.arg), "me");
	snprintf(as.line, sizeof(as.line), "#assign me");
	buf_printf(a->report, "%s: %zu ticket%s accepted\n", c->line, s.n,
	    s.n == 1 ? "" : "s");
	for (i = 0; rc == 0 && i < s.n; i++) {
		if ((rc = store_ticket_get(txn, s.ids[i], &t, err)) != 1)
			break;
		buf_printf(a->report, "  #%" PRIu64 " %s\n", t->id,
		    t->subject);
		{
			struct buf *keep = a->report;

			/* the assignment's own "done" line is not wanted here */
			a->report = buf_new(64);
			rc = apply_command(txn, a, t, &as, err);
			buf_free(a->report);
			a->report = keep;
		}
		if (rc == 0)
			rc = ticket_save(txn, a->nctx->conf, a->nctx->wf, t,
			    err);
		store_ticket_free(t);
	}
	free(s.ids);
	return rc < 0 ? -1 : 0;
}

struct id_list {
	uint64_t *v;
	size_t	n;
	const char *assignee;	/* only these ("" = unassigned) */
};

/* collect_ids - tickets of one status (and assignee) */
static int
collect_ids(const struct pd_ticket *t, void *arg)
{
	struct id_list *l = arg;

	if (strcasecmp(t->assignee, l->assignee) != 0)
		return 0;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = t->id;
	return 0;
}

/* control_availability - sendbird: an agent leaving hands back their
 * active tickets (003: Active -> Pending "An agent changed their status to
 * Away or Offline after ticket assignment."), which are then assigned to
 * an online colleague; an agent coming online takes pending tickets */
static int
control_availability(struct store_txn *txn, struct agent_act *a, int online,
		     struct pd_err *err)
{
	struct id_list l;
	struct pd_ticket *t;
	const char *next;
	size_t i, moved = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	l.assignee = online ? "" : a->agent->addr;
	rc = store_ticket_iter(txn, online ? "pending" : "active",
	    collect_ids, &l, err);
	for (i = 0; rc == 0 && i < l.n; i++) {
		if ((rc = store_ticket_get(txn, l.v[i], &t, err)) != 1)
			break;
		rc = 0;
		if (!online && (next = workflow_next(a->nctx->wf, t->status,
		    WF_EV_AGENT_AWAY)) != NULL)
			rc = agent_set_status(txn, a, t, next, err);
		if (rc == 0 && !online)
			rc = agent_assign(txn, a, t, NULL, 1, err);
		if (rc == 0)
			rc = agent_auto_assign(txn, a, t, err);
		if (rc == 0)
			rc = ticket_save(txn, a->nctx->conf, a->nctx->wf, t,
			    err);
		moved++;
		store_ticket_free(t);
	}
	free(l.v);
	if (rc < 0)
		return -1;
	if (moved > 0)
		buf_printf(a->report, "  %zu ticket%s %s\n", moved,
		    moved == 1 ? "" : "s", online ? "pending were assigned" :
		    "handed back and reassigned where an agent is online");
	return 0;
}

/* agent_control - the control address */
int
agent_control(struct store_txn *txn, struct agent_act *a, struct pd_err *err)
{
	struct accept_scan s;
	struct pd_ticket *t = NULL, none;
	char key[300];
	size_t i;
	int rc = 0;

	agent_act_reset(a);
	if (a->ncmds == 0)
		buf_printf(a->report, "No command found at the top of your "
		    "mail.\n\n%s", core_commands_help());
	for (i = 0; rc == 0 && i < a->ncmds; i++) {
		const struct pd_command *c = &a->cmds[i];

		switch (c->cmd) {
		case CMD_ACCEPT:
			rc = control_accept(txn, a, c, err);
			break;
		case CMD_ONLINE:
		case CMD_AWAY:
		case CMD_OFFLINE:
			snprintf(key, sizeof(key), "avail:%.280s",
			    a->agent->addr);
			rc = store_kv_put(txn, key, core_command_name(c->cmd),
			    strlen(core_command_name(c->cmd)), err);
			buf_printf(a->report, "%s: you are %s\n", c->line,
			    core_command_name(c->cmd));
			if (rc == 0 && a->nctx->wf->auto_assign)
				rc = control_availability(txn, a,
				    c->cmd == CMD_ONLINE, err);
			break;
		case CMD_LIST:
			memset(&s, 0, sizeof(s));
			s.a = a;
			s.list = buf_new(256);
			s.status = c->arg[0] ? c->arg : NULL;
			s.mine = s.status == NULL;
			rc = store_ticket_iter(txn, s.status, scan_list, &s,
			    err);
			for (size_t k = s.n; k > 0; k--) {
				buf_adds(s.list, s.lines[k - 1]);
				free(s.lines[k - 1]);
			}
			free(s.lines);
			buf_printf(a->report, "%s: %zu ticket%s\n%s", c->line,
			    s.n, s.n == 1 ? "" : "s", s.list->data);
			buf_free(s.list);
			break;
		case CMD_SHOW:
			rc = store_ticket_get(txn, strtoull(c->arg, NULL, 10),
			    &t, err);
			if (rc == 1)
				buf_printf(a->report, "%s: ticket #%" PRIu64
				    ", %s, from %s, assigned to %s, %u "
				    "messages: %s\n", c->line, t->id,
				    t->status, t->requester, t->assignee[0] ?
				    t->assignee : "nobody", t->nmsgs,
				    t->subject);
			else if (rc == 0)
				buf_printf(a->report, "%s: error: no such "
				    "ticket\n", c->line);
			store_ticket_free(t);
			t = NULL;
			rc = rc < 0 ? -1 : 0;
			break;
		case CMD_HELP:
			buf_printf(a->report, "%s\n", core_commands_help());
			break;
		default:
			buf_printf(a->report, "%s: error: %s\n", c->line,
			    c->cmd == CMD_UNKNOWN ? "unknown command" :
			    "acts on a ticket: reply to the ticket's notice");
			break;
		}
	}
	if (rc < 0)
		return -1;
	if (!a->result_mail)
		return 0;
	memset(&none, 0, sizeof(none));
	none.status = none.subject = none.requester = "";
	none.requester_name = none.queue = "";
	return result_mail(txn, a, &none, err);
}

/* agent_new_ticket - an agent writes first (postdesk new) */
int
agent_new_ticket(struct store_txn *txn, struct agent_act *a,
		 const char *customer, const char *subject, uint64_t *idp,
		 struct pd_err *err)
{
	struct pd_ticket *t = xcalloc(1, sizeof(*t));
	const char *st;
	int rc = -1;

	agent_act_reset(a);
	if (store_ticket_new_id(txn, &t->id, err) < 0)
		goto out;
	st = workflow_next(a->nctx->wf, NULL, WF_EV_AGENT_NEW);
	t->status = xstrdup(st != NULL ? st : a->nctx->wf->reopen);
	t->subject = xstrdup(subject);
	t->requester = xstrdup(customer);
	t->requester_name = xstrdup("");
	t->queue = xstrdup("");
	t->assignee = xstrdup(a->agent->addr);
	t->priority = xstrdup("normal");
	t->lock_holder = xstrdup("");
	t->last_public_agent = xstrdup("");
	t->created = t->updated = a->now;
	store_ticket_add_participant(t, customer);
	if (agent_event(txn, t, a->agent->addr, "created", "started by an "
	    "agent", a->now, err) < 0)
		goto out;
	/* the first message is a public reply without a status move */
	t->status_at = a->now;
	t->last_assignee = xstrdup("");
	if (public_reply(txn, a, t, a->text, 1, err) < 0 ||
	    ticket_save(txn, a->nctx->conf, a->nctx->wf, t, err) < 0)
		goto out;
	*idp = t->id;
	rc = 0;
out:
	store_ticket_free(t);
	return rc;
}

/* agent_unlock_due - an expired lock goes away */
int
agent_unlock_due(struct store_txn *txn, uint64_t id, time_t now,
		 struct pd_err *err)
{
	struct pd_ticket *t = NULL;
	int rc;

	if ((rc = store_ticket_get(txn, id, &t, err)) <= 0)
		return rc;
	rc = 0;
	if (t->lock_holder[0] != '\0' && t->lock_until <= now) {
		rc = store_due_del(txn, t->lock_until, STORE_DUE_UNLOCK, id,
		    err);
		free(t->lock_holder);
		t->lock_holder = xstrdup("");
		t->lock_until = 0;
		if (rc == 0)
			rc = agent_event(txn, t, "postdesk-cron", "unlock",
			    "lock_timeout expired", now, err);
		if (rc == 0)
			rc = store_ticket_put(txn, t, err);
		if (rc == 0)
			rc = 1;
	}
	store_ticket_free(t);
	return rc;
}

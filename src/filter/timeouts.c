/*
 * timeouts.c - scheduling and applying timeouts; see timeouts.h
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/agents.h"
#include "util/buf.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/pd_types.h"
#include "util/xalloc.h"
#include "store/store.h"
#include "core/workflow.h"
#include "notify/notify.h"
#include "filter/agent.h"
#include "filter/intake.h"
#include "filter/timeouts.h"

/* ticket_save - due-index entries, then the record */
int
ticket_save(struct store_txn *txn, const struct pd_conf *c,
	    const struct workflow *wf, const struct pd_ticket *t,
	    struct pd_err *err)
{
	int rc = 0;

	if (strcmp(t->status, WF_SPAM) == 0)
		rc = store_due_put(txn, t->status_at + c->purge_spam_after,
		    STORE_DUE_PURGE, t->id, err);
	else if (strcmp(t->status, WF_DELETED) == 0)
		rc = store_due_put(txn, t->status_at + c->purge_deleted_after,
		    STORE_DUE_PURGE, t->id, err);
	if (rc == 0 && wf->idle && strcmp(t->status, "active") == 0 &&
	    t->last_agent != 0 && t->last_agent >= t->last_customer)
		rc = store_due_put(txn, t->last_agent + c->idle_after,
		    STORE_DUE_IDLE, t->id, err);
	if (rc == 0 && wf->idle && c->idle_close_after > 0 &&
	    strcmp(t->status, "idle") == 0)
		rc = store_due_put(txn, t->status_at + c->idle_close_after,
		    STORE_DUE_IDLE_CLOSE, t->id, err);
	if (rc == 0 && wf->archive && strcmp(t->status, wf->closed) == 0)
		rc = store_due_put(txn, t->status_at + c->archive_after,
		    STORE_DUE_ARCHIVE, t->id, err);
	if (rc == 0 && t->session_until != 0)
		rc = store_due_put(txn, t->session_until, STORE_DUE_SESSION,
		    t->id, err);
	if (rc < 0)
		return -1;
	return store_ticket_put(txn, t, err);
}

struct purge_item {
	uint32_t seq;
	char	*message_id;
	char	*recipient;
	unsigned char raw[STORE_HASH_BYTES];
};

struct purge_list {
	struct purge_item *v;
	size_t	n;
};

/* collect_msg - what purge needs of each message */
static int
collect_msg(const struct pd_stored_msg *m, void *arg)
{
	struct purge_list *pl = arg;
	struct purge_item *it;

	pl->v = xrealloc(pl->v, (pl->n + 1) * sizeof(*pl->v));
	it = &pl->v[pl->n++];
	it->seq = m->seq;
	it->message_id = xstrdup(m->message_id);
	it->recipient = xstrdup(m->recipient);
	memcpy(it->raw, m->raw_hash, sizeof(it->raw));
	return 0;
}

struct key_list {
	char	**v;
	size_t	n;
};

/* collect_key - a kv key to delete */
static int
collect_key(const char *key, const void *val, size_t len, void *arg)
{
	struct key_list *kl = arg;

	(void)val;
	(void)len;
	kl->v = xrealloc(kl->v, (kl->n + 1) * sizeof(*kl->v));
	kl->v[kl->n++] = xstrdup(key);
	return 0;
}

/* purge_sent - the kept texts of the ticket's notifications */
static int
purge_sent(struct store_txn *txn, uint64_t id, struct pd_err *err)
{
	struct key_list kl = { NULL, 0 };
	char prefix[48];
	size_t i;
	int rc;

	snprintf(prefix, sizeof(prefix), "sent:%llu:", (unsigned long long)id);
	rc = store_kv_iter(txn, prefix, collect_key, &kl, err);
	for (i = 0; i < kl.n; i++) {
		if (rc == 0)
			rc = store_kv_del(txn, kl.v[i], err);
		free(kl.v[i]);
	}
	free(kl.v);
	return rc;
}

/* ticket_purge - everything of one ticket, so the space is reused */
int
ticket_purge(struct store_txn *txn, const struct pd_ticket *t,
	     struct pd_err *err)
{
	struct purge_list pl = { NULL, 0 };
	unsigned char key[STORE_HASH_BYTES];
	char *raw = NULL;
	size_t i, len;
	int rc;

	rc = store_msg_iter(txn, t->id, collect_msg, &pl, err);
	for (i = 0; rc == 0 && i < pl.n; i++) {
		struct purge_item *it = &pl.v[i];

		/* the duplicate-check entry, recomputed as intake made it */
		if (it->recipient[0] != '\0') {
			if (it->message_id[0] == '\0' && store_raw_get(txn,
			    it->raw, &raw, &len, err) == 1) {
				intake_dedup_key("", raw, len, it->recipient,
				    key);
				free(raw);
				raw = NULL;
			} else
				intake_dedup_key(it->message_id, "", 0,
				    it->recipient, key);
			rc = store_dedup_del(txn, key, err);
		}
		if (rc == 0)
			rc = store_msgid_del(txn, it->message_id, t->id, err);
		if (rc == 0)
			rc = store_raw_del(txn, it->raw, err);
		if (rc == 0)
			rc = store_msg_del(txn, t->id, it->seq, err);
	}
	for (i = 0; i < pl.n; i++) {
		free(pl.v[i].message_id);
		free(pl.v[i].recipient);
	}
	free(pl.v);
	if (rc == 0)
		rc = purge_sent(txn, t->id, err);
	if (rc == 0)
		rc = store_events_del(txn, t->id, t->nevents, err);
	if (rc == 0)
		rc = store_ticket_del(txn, t, err);
	return rc;
}

struct session_text {
	struct buf *b;
};

/* session_collect - everything the customer sent in the session */
static int
session_collect(const struct pd_stored_msg *m, void *arg)
{
	struct session_text *st = arg;

	if (m->author != PD_AUTHOR_CUSTOMER)
		return 0;
	if (st->b->len > 0)
		buf_adds(st->b, "\n\n");
	buf_adds(st->b, m->text);
	return 0;
}

/* session_end - tell the agents, once, with everything the customer sent */
static int
session_end(struct store_txn *txn, struct agent_act *a, struct pd_ticket *t,
	    struct pd_err *err)
{
	struct session_text st;
	int rc;

	st.b = buf_new(1024);
	t->session_until = 0;
	rc = store_msg_iter(txn, t->id, session_collect, &st, err);
	if (rc == 0)
		rc = agent_event(txn, t, "postdesk-cron", "session",
		    "ticket session ended", a->now, err);
	if (rc == 0)
		rc = agent_notify_all(txn, a, t, "agent_new", st.b->data, err);
	buf_free(st.b);
	return rc;
}

/* timeouts_apply - one due entry */
int
timeouts_apply(struct store_txn *txn, struct agent_act *a, int kind,
	       uint64_t id, time_t when, const char **what,
	       struct pd_err *err)
{
	const struct pd_conf *c = a->nctx->conf;
	const struct workflow *wf = a->nctx->wf;
	struct pd_ticket *t = NULL;
	const char *next;
	int rc, done = 0;

	*what = "nothing";
	if (store_due_del(txn, when, kind, id, err) < 0)
		return -1;
	if ((rc = store_ticket_get(txn, id, &t, err)) <= 0)
		return rc;	/* gone (purged): the entry was stale */
	agent_act_reset(a);
	switch (kind) {
	case STORE_DUE_IDLE:
		/* 003: "When the last message in the ticket was sent by a
		 * customer, an Active ticket can't be changed to Idle." */
		if (wf->idle && strcmp(t->status, "active") == 0 &&
		    t->last_agent != 0 && t->last_agent >= t->last_customer &&
		    a->now >= t->last_agent + c->idle_after &&
		    (next = workflow_next(wf, t->status, WF_EV_IDLE)) != NULL) {
			rc = agent_set_status(txn, a, t, next, err);
			done = 1;
			*what = "idle";
		}
		break;
	case STORE_DUE_IDLE_CLOSE:
		/* 003: Idle -> Closed "according to the system settings" */
		if (wf->idle && c->idle_close_after > 0 &&
		    strcmp(t->status, "idle") == 0 &&
		    a->now >= t->status_at + c->idle_close_after &&
		    (next = workflow_next(wf, t->status, WF_EV_IDLE_CLOSE)) !=
		    NULL) {
			rc = agent_set_status(txn, a, t, next, err);
			done = 1;
			*what = "closed (idle_close_after)";
		}
		break;
	case STORE_DUE_ARCHIVE:
		if (wf->archive && strcmp(t->status, wf->closed) == 0 &&
		    a->now >= t->status_at + c->archive_after &&
		    (next = workflow_next(wf, t->status, WF_EV_ARCHIVE)) !=
		    NULL) {
			rc = agent_set_status(txn, a, t, next, err);
			done = 1;
			*what = "archived";
		}
		break;
	case STORE_DUE_SESSION:
		if (t->session_until != 0 && a->now >= t->session_until) {
			rc = session_end(txn, a, t, err);
			done = 1;
			*what = "session ended";
		}
		break;
	case STORE_DUE_PURGE:
		if ((strcmp(t->status, WF_SPAM) == 0 && a->now >= t->status_at +
		    c->purge_spam_after) || (strcmp(t->status, WF_DELETED) ==
		    0 && a->now >= t->status_at + c->purge_deleted_after)) {
			rc = ticket_purge(txn, t, err);
			store_ticket_free(t);
			*what = "purged";
			return rc < 0 ? -1 : 1;
		}
		break;
	default:
		break;
	}
	if (rc == 0 && done)
		rc = ticket_save(txn, c, wf, t, err);
	store_ticket_free(t);
	return rc < 0 ? -1 : done;
}

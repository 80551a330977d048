/*
 * intake.c - one inbound message, end to end; see intake.h
 *
 * The order is DESIGN.md section 3: parse and verify outside the
 * transaction (they need no lock), then one short write transaction for
 * everything that must be atomic. The write function may be run more than
 * once (store_write() retries after growing the map), so it keeps no state
 * outside struct intake_work that it does not reset first.
 *
 * The steps live in intake_classify.c (before the transaction),
 * intake_events.c and intake_explain.c (in it); intake_int.h lists them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/xalloc.h"
#include "token/token.h"
#include "core/workflow.h"
#include "filter/intake_int.h"
#include "filter/timeouts.h"

static int intake_txn(struct store_txn *, void *, struct pd_err *);
static int intake_evidence(struct store_txn *, struct intake_work *,
			   struct pd_evidence *, struct pd_err *);
static int is_trace_header(const char *, size_t);

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
		    store_write(ctx->store, intake_explain_only, &w, err) < 0) {
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
			rc = store_write(ctx->store, intake_explain_only, &w, err);
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

/*
 * notify.c - render a notification and queue it in the outbox; see notify.h
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/agents.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/xalloc.h"
#include "mail/mail_compose.h"
#include "mail/mail_parse.h"
#include "token/token.h"
#include "store/store.h"
#include "core/workflow.h"
#include "notify/notify.h"
#include "notify/tpl.h"

#define RATE_WINDOW	3600

/* notify_reply_address - the ticket's signed reply address */
char *
notify_reply_address(const struct pd_conf *conf,
		     const struct pd_keyring *keys, uint64_t ticket)
{
	char *tok = token_reply(keys, ticket), *addr;

	if (tok == NULL)
		return NULL;
	addr = xasprintf("%s%s%s@%s", conf->support_local,
	    conf->recipient_delimiter, tok, conf->support_domain);
	free(tok);
	return addr;
}

/* agent_reply_address - the address only this agent was sent */
static char *
agent_reply_address(const struct pd_conf *conf,
		    const struct pd_keyring *keys, const struct pd_ticket *t,
		    const struct pd_agent *a)
{
	char aid[TOKEN_AID_CHARS + 1], *tok, *addr;

	token_agent_id(a->addr, aid);
	if ((tok = token_agent(keys, t->id, t->nevents, aid)) == NULL)
		return NULL;
	addr = xasprintf("%s%s%s@%s", conf->support_local,
	    conf->recipient_delimiter, tok, conf->support_domain);
	free(tok);
	return addr;
}

/* notify_render - template → subject and body */
static int
notify_render(const struct notify_ctx *nc, const struct notify_msg *nm,
	      const char *url, char **subject, char **body, char **cc,
	      char **bcc, struct pd_err *err)
{
	const struct pd_conf *c = nc->conf;
	const struct pd_ticket *t = nm->ticket;
	const struct wf_status *st = workflow_status(nc->wf, t->status);
	struct tpl *tp = NULL;
	char id[24];
	int rc;

	snprintf(id, sizeof(id), "%" PRIu64, t->id);
	{
		const struct tpl_var vars[] = {
			{"ticket_id", id},
			{"ticket_url", url},
			{"subject", t->subject},
			{"status", t->status},
			{"status_label", st != NULL ? st->label : t->status},
			{"customer_name", t->requester_name[0] ?
			    t->requester_name : t->requester},
			{"customer_email", t->requester},
			{"agent_name", nm->agent_name ? nm->agent_name :
			    c->site_name},
			{"message_text", nm->message_text ? nm->message_text :
			    ""},
			{"reply_marker", c->reply_marker},
			{"site_name", c->site_name},
			{"support_address", c->support_address},
		};

		if (tpl_load(c->template_directory, c->shipped_templates,
		    c->language, nm->event, &tp, err) < 0)
			return -1;
		rc = tpl_render(tp, vars, sizeof(vars) / sizeof(vars[0]),
		    subject, body, err);
		*cc = xstrdup(tpl_cc(tp));
		*bcc = xstrdup(tpl_bcc(tp));
		tpl_free(tp);
	}
	return rc;
}

/* notify_id - append an outbox id */
static void
notify_id(uint64_t **ids, size_t *nids, uint64_t id)
{
	*ids = xrealloc(*ids, (*nids + 1) * sizeof(**ids));
	(*ids)[(*nids)++] = id;
}

/* notify_copies - one more outbox entry per address of a Cc/Bcc list */
static int
notify_copies(struct store_txn *txn, const struct pd_outbox *orig,
	      const char *list, uint64_t **ids, size_t *nids,
	      struct pd_err *err)
{
	struct pd_outbox o = *orig;
	const char *p = list;
	char *one, *addr;
	size_t n;
	int rc = 0;

	while (rc == 0 && p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		one = xstrndup(p, n);
		addr = mail_addr_normalize(one);
		if (strchr(addr, '@') != NULL) {
			o.id = 0;
			o.recipient = addr;
			if ((rc = store_outbox_add(txn, &o, err)) == 0)
				notify_id(ids, nids, o.id);
		}
		free(addr);
		free(one);
		p += n;
		if (*p == ',')
			p++;
	}
	return rc;
}

/* notify_queue - one notification into the outbox */
int
notify_queue(struct store_txn *txn, const struct notify_ctx *nc,
	     const struct notify_msg *nm, uint64_t **ids, size_t *nids,
	     struct pd_err *err)
{
	const struct pd_conf *c = nc->conf;
	struct pd_outbox o;
	struct mail_out mo;
	const char *refs[2];
	char *subject = NULL, *body = NULL, *url = NULL, *reply_to = NULL;
	char *cc = NULL, *bcc = NULL;
	char *msgid = NULL, *raw = NULL;
	size_t nrefs = 0, len = 0;
	int rc = -1;

	memset(&o, 0, sizeof(o));
	/* an address that hard-bounced gets nothing until it writes in */
	if (nm->agent == NULL && nm->to_addr != NULL) {
		char key[300], val[300];
		size_t vlen;
		int r;

		snprintf(key, sizeof(key), "suppress:%.280s", nm->to_addr);
		if ((r = store_kv_get(txn, key, val, sizeof(val), &vlen,
		    err)) < 0)
			return -1;
		if (r == 1)
			return err_set(err, PD_EDATA, "suppressed: <%s> "
			    "bounced hard; nothing is sent to it until it "
			    "writes in again", nm->to_addr);
	}
	if (store_outbox_new_id(txn, &o.id, err) < 0)
		return -1;
	if (nm->ticket->id == 0) {
		/* no ticket: the control address's answer to an agent */
		url = xstrdup("");
		reply_to = xasprintf("%s%scontrol@%s", c->support_local,
		    c->recipient_delimiter, c->support_domain);
		msgid = xasprintf("pd-control.%" PRIu64 ".%lld@%s", o.id,
		    (long long)nm->now, c->hostname);
	} else {
		url = token_url(nc->keys, c->base_url, nm->ticket->id);
		reply_to = nm->agent != NULL ?
		    agent_reply_address(c, nc->keys, nm->ticket, nm->agent) :
		    notify_reply_address(c, nc->keys, nm->ticket->id);
		msgid = token_msgid(nc->keys, nm->ticket->id, o.id,
		    c->hostname);
	}
	if (url == NULL || reply_to == NULL || msgid == NULL) {
		err_set(err, PD_ETEMP, "cannot sign the notification for "
		    "ticket %" PRIu64 " (key?)", nm->ticket->id);
		goto out;
	}
	if (notify_render(nc, nm, url, &subject, &body, &cc, &bcc, err) < 0)
		goto out;
	if (nm->first_msgid != NULL && *nm->first_msgid != '\0')
		refs[nrefs++] = nm->first_msgid;
	if (nm->in_reply_to != NULL && *nm->in_reply_to != '\0' &&
	    (nrefs == 0 || strcmp(refs[0], nm->in_reply_to) != 0))
		refs[nrefs++] = nm->in_reply_to;
	memset(&mo, 0, sizeof(mo));
	mo.from_name = c->site_name;
	mo.from_addr = c->support_address;
	mo.to_name = nm->to_name != NULL ? nm->to_name : "";
	mo.to_addr = nm->to_addr;
	mo.cc = cc;
	mo.reply_to = reply_to;
	mo.subject = subject;
	mo.message_id = msgid;
	mo.in_reply_to = nm->in_reply_to != NULL ? nm->in_reply_to : "";
	mo.references = refs;
	mo.nreferences = nrefs;
	mo.auto_submitted = nm->auto_submitted;
	mo.x_loop = c->support_address;
	mo.body = body;
	mo.date = nm->now;
	if (mail_compose(&mo, &raw, &len, err) < 0)
		goto out;
	/* keep the text, so a reply that quotes it can be cut there */
	{
		char key[64];
		size_t blen = strlen(body);

		snprintf(key, sizeof(key), "sent:%" PRIu64 ":%" PRIu64,
		    nm->ticket->id, o.id);
		if (nm->ticket->id != 0 && store_kv_put(txn, key, body,
		    blen > NOTIFY_SENT_MAX ? NOTIFY_SENT_MAX : blen, err) < 0)
			goto out;
	}
	if (len > c->message_size_limit) {
		err_set(err, PD_EDATA, "notification over message_size_limit: "
		    "%s for ticket %" PRIu64 " would be %zu bytes (limit %zu)",
		    nm->event, nm->ticket->id, len, c->message_size_limit);
		goto out;
	}
	o.ticket = nm->ticket->id;
	o.event = (char *)nm->event;
	o.recipient = (char *)nm->to_addr;
	o.sender = c->bounce_address;
	o.created = nm->now;
	/* the sender tries first; cron takes over if it could not */
	o.next_try = nm->now + c->sendmail_timeout + 10;
	o.attempts = 0;
	o.last_error = "";
	o.message = raw;
	if ((rc = store_outbox_add(txn, &o, err)) == 0)
		notify_id(ids, nids, o.id);
	/* the template's Cc and Bcc get the same message, each its own entry */
	if (rc == 0)
		rc = notify_copies(txn, &o, cc, ids, nids, err);
	if (rc == 0)
		rc = notify_copies(txn, &o, bcc, ids, nids, err);
out:
	free(cc);
	free(bcc);
	free(subject);
	free(body);
	free(url);
	free(reply_to);
	free(msgid);
	free(raw);
	return rc;
}

/* notify_rate - at most autoreply_limit automatic mails per address and hour */
int
notify_rate(struct store_txn *txn, const struct pd_conf *c,
	    const char *addr, time_t now, struct pd_err *err)
{
	unsigned char v[12];
	char key[300];
	uint64_t start = 0;
	uint32_t count = 0;
	size_t len;
	int rc;

	snprintf(key, sizeof(key), "rate:%.280s", addr);
	if ((rc = store_kv_get(txn, key, v, sizeof(v), &len, err)) < 0)
		return -1;
	if (rc == 1 && len == sizeof(v)) {
		start = (uint64_t)v[0] << 56 | (uint64_t)v[1] << 48 |
		    (uint64_t)v[2] << 40 | (uint64_t)v[3] << 32 |
		    (uint64_t)v[4] << 24 | (uint64_t)v[5] << 16 |
		    (uint64_t)v[6] << 8 | v[7];
		count = (uint32_t)v[8] << 24 | (uint32_t)v[9] << 16 |
		    (uint32_t)v[10] << 8 | v[11];
	}
	if ((uint64_t)now >= start + RATE_WINDOW) {
		start = (uint64_t)now;
		count = 0;
	}
	if (count >= c->autoreply_limit)
		return 0;
	count++;
	for (int i = 0; i < 8; i++)
		v[i] = (unsigned char)(start >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		v[8 + i] = (unsigned char)(count >> (24 - 8 * i));
	if (store_kv_put(txn, key, v, sizeof(v), err) < 0)
		return -1;
	return 1;
}

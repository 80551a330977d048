/*
 * intake_classify.c - what intake decides before its transaction: the
 * class of the mail (bounce, auto-reply, loop, person), whether an agent
 * wrote it, the texts we sent that a reply may quote, and the operator's
 * intake rules; see intake_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "token/token.h"
#include "filter/intake_int.h"

/* intake_classify - bounce, auto-reply, loop or a person */
void
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
void
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


/* intake_known_quotes - the texts of the notifications (ours, named in
 * In-Reply-To/References) this mail answers; up to max, newest first */
size_t
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
void
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

/*
 * intake_explain.c - the story "postdesk explain" tells: what threading
 * saw and decided, kept as an event of the ticket and under the MTA's
 * queue id (store_explain_put); see intake_int.h.
 */
#include <stdlib.h>

#include "util/xalloc.h"
#include "filter/intake_int.h"

/* evidence - one item of the evidence: "LABEL: ticket N", or none */
static void
evidence(struct buf *b, const char *label, uint64_t ticket, const char *none)
{
	if (ticket)
		buf_printf(b, "%s: ticket %llu", label,
		    (unsigned long long)ticket);
	else
		buf_printf(b, "%s: %s", label, none);
}

/* intake_explain_evidence - what threading saw and decided */
void
intake_explain_evidence(struct intake_work *w, const struct pd_evidence *ev,
			const struct pd_thread *th)
{
	struct buf *b = w->why;

	evidence(b, "evidence: reply address token", ev->token_ticket,
	    w->token_seen ? "invalid or unknown ticket (ignored)" : "none");
	evidence(b, "; postdesk Message-ID in References",
	    ev->ours_ref_ticket, "none");
	evidence(b, "; stored message in References", ev->stored_ref_ticket,
	    "none");
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
int
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


/* explain_only_txn - record the story of a mail that was not stored */
int
intake_explain_only(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct intake_work *w = arg;

	buf_reset(w->why);
	buf_add(w->why, w->why_pre->data, w->why_pre->len);
	return intake_explain_store(txn, w, NULL, err);
}

/*
 * agent.h - what an agent's mail or command does to a ticket
 *
 * Both the filter (an authenticated agent's mail) and the command line
 * (postdesk reply/note/assign/status/lock ... --as AGENT) come here, so
 * the rules are the same: commands first (all are checked before any is
 * applied: one bad command changes nothing), then the text: a public
 * reply to the customer (from the support address, never the agent's),
 * an internal note (#note: other agents only), a draft (#draft), or the
 * sending of the agent's draft (#send). Collision (seed 000): a reply
 * from an agent who had not seen a colleague's newer public reply is held
 * as a draft and the agent is told what the colleague said. A ticket
 * locked by another agent refuses everything but an admin's #unlock.
 * Everything runs in the caller's write transaction; notifications are
 * queued in the outbox and their ids collected in act->outbox.
 */
#ifndef PD_AGENT_H
#define PD_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/command.h"

struct buf;
struct pd_agent;
struct pd_err;
struct pd_ticket;
struct notify_ctx;
struct store_txn;

#define AGENT_SEEN_ALL	UINT32_MAX	/* the agent saw everything (CLI) */

struct agent_act {
	/* in */
	const struct notify_ctx *nctx;
	const struct pd_agent *agent;
	time_t	now;
	uint32_t seen_seq;		/* event seq the agent saw */
	const struct pd_command *cmds;
	size_t	ncmds;
	const char *text;		/* the new text, "" none */
	const char *message_id;		/* the agent's mail, "" none */
	const char *raw;		/* its raw bytes, NULL none */
	size_t	rawlen;
	const char *queue_id;
	int	result_mail;		/* mail the outcome to the agent */
	/* out */
	struct buf *report;		/* one line per command and outcome */
	int	public_sent;		/* a reply went to the customer */
	int	held;			/* held as a draft (collision) */
	int	refused;		/* nothing done (lock, bad command) */
	uint64_t *outbox;		/* notification ids queued */
	size_t	noutbox;
	uint32_t seq;			/* the stored message's seq, 0 none */
};

/* agent_on_ticket - apply an agent's commands and text to a ticket */
int	agent_on_ticket(struct store_txn *, struct agent_act *, uint64_t ticket,
			struct pd_err *);
/* agent_control - commands at the control address (no ticket) */
int	agent_control(struct store_txn *, struct agent_act *, struct pd_err *);
/* agent_new_ticket - a ticket an agent starts for a customer */
int	agent_new_ticket(struct store_txn *, struct agent_act *,
			 const char *customer, const char *subject,
			 uint64_t *ticket, struct pd_err *);
/* agent_unlock_due - cron: unlock a ticket whose lock expired (idempotent) */
int	agent_unlock_due(struct store_txn *, uint64_t ticket, time_t now,
			 struct pd_err *);
/* agent_event - append one audit event (t->nevents moves) */
int	agent_event(struct store_txn *, struct pd_ticket *, const char *actor,
		    const char *kind, const char *detail, time_t, struct pd_err *);
/* agent_set_status - status change with event; customer_closed notice */
int	agent_set_status(struct store_txn *, struct agent_act *,
			 struct pd_ticket *, const char *, struct pd_err *);
/* agent_assign - set (who) or clear (NULL) the assignee */
int	agent_assign(struct store_txn *, struct agent_act *, struct pd_ticket *,
		     const struct pd_agent *who, int keep_status,
		     struct pd_err *);
/* agent_auto_assign - sendbird: assign to an online agent if any */
int	agent_auto_assign(struct store_txn *, struct agent_act *,
			  struct pd_ticket *, struct pd_err *);
/* agent_online - 1 when the agent said #online, 0 not, -1 error */
int	agent_online(struct store_txn *, const struct pd_agent *,
		     struct pd_err *);
/* agent_notify_all - a notice to every agent of the ticket's department */
int	agent_notify_all(struct store_txn *, struct agent_act *,
			 struct pd_ticket *, const char *event,
			 const char *text, struct pd_err *);
/* agent_act_reset - clear the outputs (store_write may run a txn again) */
void	agent_act_reset(struct agent_act *);
void	agent_act_free(struct agent_act *);

#endif

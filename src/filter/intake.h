/*
 * intake.h - one inbound message, end to end (DESIGN.md section 3)
 *
 * intake_message() parses the message (before any transaction), verifies
 * the tokens it carries, then in ONE durable LMDB write transaction: checks
 * for a duplicate, gathers the threading evidence, lets core/ decide,
 * stores the raw bytes, the message, the event and the ticket with its new
 * status. Nothing is written unless everything is; a failure leaves the
 * message with the MTA (err class PD_ETEMP). Both front-ends (pipe,
 * milter) call it and map err->class at their edge.
 *
 * The context is shared by many messages of one process; it is read-only
 * during intake_message(), so threads may share it.
 */
#ifndef PD_INTAKE_H
#define PD_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "notify/notify.h"

#include "util/agents.h"

struct pd_conf;
struct pd_err;
struct pd_rules;
struct pd_keyring;
struct store;
struct workflow;

struct intake_req;
struct intake_result;

struct intake_ctx {
	const struct pd_conf *conf;
	struct store *store;
	const struct pd_keyring *keys;
	const struct workflow *wf;
	struct pd_agents agents;
	struct pd_rules *rules;	/* shipped and operator intake rules */
	int	no_send;	/* leave notifications to postdesk-cron */
	/* called once the message is durably stored, before notifications
	 * are handed to the MTA (the pipe front-end stops its lock timer) */
	void	(*committed)(const struct intake_req *,
			    const struct intake_result *, void *);
	/* after the commit: what happened to each notification (may be NULL) */
	void	(*sent)(const struct notify_result *, void *);
	void	*sent_arg;
};

struct intake_req {
	const char *raw;	/* the message as the MTA handed it over */
	size_t	len;
	const char *sender;	/* envelope sender; "" or "MAILER-DAEMON" for <> */
	const char *recipient;	/* one envelope recipient */
	const char *queue_id;	/* "" when unknown */
	const char *sasl_user;	/* SMTP AUTH name, "" when none */
};

struct intake_result {
	int	duplicate;	/* already stored: nothing written */
	int	dropped;	/* not stored: a loop, or an unthreaded bounce or auto-reply */
	int	is_new;		/* a new ticket was opened */
	int	class;		/* enum pd_class (core/classify.h) */
	uint64_t ticket;
	uint32_t seq;
	char	step;		/* threading step 'a'..'f' */
	const char *reason;	/* static text: why this ticket */
	char	status[64];	/* the ticket's status afterwards */
	char	from[256];	/* the sender's address, for the log line */
	int	defects;	/* parse problems (the message was still stored) */
	int	queued;		/* notifications queued */
	int	suppressed;	/* automatic answers not sent (policy, rate) */
	const char *suppressed_why;	/* points into suppressed_text */
	char	suppressed_text[256];
	int	is_agent;	/* an authenticated agent's mail */
	int	agent_public;	/* ... sent a public reply */
	int	agent_held;	/* ... held as a draft (collision) */
	int	agent_refused;	/* ... changed nothing (lock, bad command) */
	int	agent_unauth;	/* From an agent, but not authenticated */
	uint64_t *outbox;	/* ids queued (owned by intake_message) */
	size_t	noutbox;
};

/* intake_action - "new", "reply", "duplicate", "dropped" */
const char *intake_action(const struct intake_result *);

/* intake_open - load key, open store, find workflow for conf; -1 with err */
int	intake_open(struct intake_ctx *, const struct pd_conf *,
		    struct pd_err *);
void	intake_close(struct intake_ctx *);
/* intake_message - store one message for one recipient */
int	intake_message(const struct intake_ctx *, const struct intake_req *,
		       struct intake_result *, struct pd_err *);
/* intake_dedup_key - the duplicate-check key of a message for a recipient */
void	intake_dedup_key(const char *message_id, const char *raw, size_t len,
			 const char *recipient, unsigned char key[32]);

#endif

/*
 * intake_int.h - what the intake_*.c files share: the state of one
 * intake (struct intake_work) and the steps intake.c calls. Not for the
 * front-ends: they use intake.h.
 *
 * intake.c		open, close, the transaction, the whole path
 * intake_classify.c	before the transaction: class, agent, quotes, rules
 * intake_events.c	in it: notifications, agents' commands, sessions,
 *			bounces
 * intake_explain.c	in it: the story "postdesk explain" tells
 */
#ifndef PD_INTAKE_INT_H
#define PD_INTAKE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/buf.h"
#include "util/conf.h"
#include "util/err.h"
#include "mail/mail_parse.h"
#include "mail/mail_text.h"
#include "mail/mail_dsn.h"
#include "notify/notify.h"
#include "store/store.h"
#include "core/classify.h"
#include "core/command.h"
#include "core/thread.h"
#include "rules/rules.h"
#include "filter/agent.h"
#include "filter/intake.h"

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

/* intake_classify.c: before the transaction */
/* intake_classify - bounce, auto-reply, loop or a person (w->cls) */
void	intake_classify(struct intake_work *);
/* intake_identify - an authenticated agent's mail? (w->agent, w->auth) */
void	intake_identify(struct intake_work *, const char *ext);
/* intake_known_quotes - the texts of our notifications the message names,
 * up to max, for the reply-text cut; returns how many */
size_t	intake_known_quotes(struct intake_work *, char **out, size_t max);
/* intake_rules - the operator's intake rules (w->rr) */
void	intake_rules(struct intake_work *);

/* intake_events.c: in the transaction */
/* intake_requester - who the ticket is for */
const char *intake_requester(const struct intake_work *);
/* intake_queue - queue one notification; remember its outbox id */
int	intake_queue(struct store_txn *, struct intake_work *,
		     const struct notify_msg *, struct pd_err *);
/* intake_notify - who hears about a person's new mail */
int	intake_notify(struct store_txn *, struct intake_work *,
		      const struct pd_ticket *, const char *first_msgid,
		      struct pd_err *);
/* intake_first_msgid - the Message-ID of a ticket's first message */
char	*intake_first_msgid(struct store_txn *, uint64_t ticket,
			    struct pd_err *);
/* intake_agent - an authenticated agent's mail on a ticket or at control */
int	intake_agent(struct store_txn *, struct intake_work *, uint64_t ticket,
		     struct pd_err *);
/* intake_queue_of - the department a recipient address stands for */
char	*intake_queue_of(const struct pd_conf *, const char *rcpt);
/* intake_take_outbox - the notifications an agent_act queued, into res */
void	intake_take_outbox(struct intake_result *, const struct agent_act *);
/* intake_act - run an agent_act for what the intake itself does */
int	intake_act(struct store_txn *, struct intake_work *, struct pd_ticket *,
		   struct pd_err *);
/* intake_session - chatdesk out of hours: open, add to, or end a session */
int	intake_session(struct store_txn *, struct intake_work *,
		       struct pd_ticket *, int is_new, struct pd_err *);
/* intake_bounce - a bounce of our mail, on its ticket */
int	intake_bounce(struct store_txn *, struct intake_work *,
		      struct pd_ticket *, struct pd_err *);

/* intake_explain.c: the story */
/* intake_explain_evidence - what threading saw and decided, into w->why */
void	intake_explain_evidence(struct intake_work *,
				const struct pd_evidence *,
				const struct pd_thread *);
/* intake_explain_store - keep the story (ticket event, queue id) */
int	intake_explain_store(struct store_txn *, struct intake_work *,
			     struct pd_ticket *, struct pd_err *);
/* intake_explain_only - a store_write function: the story of a mail that
 * was not stored (arg: the struct intake_work) */
int	intake_explain_only(struct store_txn *, void *, struct pd_err *);

#endif

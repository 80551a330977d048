/*
 * notify.h - notifications: render, queue in the outbox, hand to the MTA
 *
 * notify_queue() runs inside the write transaction of the event it tells
 * about: it renders the event's template (notify/tpl.c), builds the MIME
 * message (mail/mail_compose.c) with a signed Message-ID, the signed
 * Reply-To of its recipient and In-Reply-To/References that chain the
 * ticket's conversation, and adds it to the outbox, due now. After the
 * commit the program calls notify_send() for the ids it queued; whatever
 * fails stays queued, and postdesk-cron calls notify_run_due(), which
 * retries with backoff and gives up after notify_max_age (the entry stays
 * visible in "postdesk outbox" with its last error). A crash between the
 * commit and the delivery loses nothing: the entry is due, so the next
 * cron run sends it; an entry is removed only after sendmail(1) took it
 * (in a store_write_lazy transaction: a system crash may undo the removal,
 * and the entry is sent once more, never lost).
 *
 * Delivery runs sendmail_path as "sendmail -i -f BOUNCE -- RECIPIENT"
 * with the message on stdin, bounded by sendmail_timeout, up to four at
 * once; or, with notify_smtp set, one SMTP session takes the whole batch
 * (notify_smtp.c).
 */
#ifndef PD_NOTIFY_H
#define PD_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/pd_types.h"

struct pd_agent;
struct pd_agents;
struct pd_conf;
struct pd_err;
struct pd_keyring;
struct store;
struct store_txn;
struct workflow;

/* the body of every notification is kept under "sent:TICKET:OUTBOXID" (at
 * most this many bytes), so that reply-text extraction can recognise it
 * when a reply quotes it */
#define NOTIFY_SENT_MAX	65536

struct notify_ctx {
	const struct pd_conf *conf;
	const struct pd_keyring *keys;
	const struct pd_agents *agents;
	const struct workflow *wf;
};

struct notify_msg {
	const char *event;		/* template: "customer_new", ... */
	const struct pd_ticket *ticket;
	const char *to_addr;
	const char *to_name;
	const struct pd_agent *agent;	/* set: the recipient is this agent */
	const char *message_text;	/* the text the notice carries */
	const char *agent_name;		/* who acted, for customer mails */
	const char *in_reply_to;	/* Message-ID it answers, "" none */
	const char *first_msgid;	/* the ticket's first Message-ID */
	const char *auto_submitted;	/* "auto-replied", "auto-generated", NULL */
	time_t	now;
};

/* notify_queue - render one notification and add it to the outbox, with
 * one more entry per address of the template's Cc and Bcc; the new
 * outbox ids are appended to *ids (realloc()ed, *nids grows). PD_EDATA:
 * it cannot be sent (over message_size_limit, an unusable or suppressed
 * address); nothing was queued. */
int	notify_queue(struct store_txn *, const struct notify_ctx *,
		     const struct notify_msg *, uint64_t **ids, size_t *nids,
		     struct pd_err *);

/* notify_rate - count one automatic mail to addr in the current hour:
 * 1 allowed, 0 over autoreply_limit (not counted), -1 error */
int	notify_rate(struct store_txn *, const struct pd_conf *,
		    const char *addr, time_t now, struct pd_err *);

/* what became of one outbox entry, for the program's log line */
struct notify_result {
	uint64_t id;
	uint64_t ticket;
	char	recipient[256];
	char	event[32];
	int	sent;		/* 1 sent, 0 deferred, -1 given up */
	char	why[256];
};

/* notify_send - deliver these entries now; report each (may be NULL) */
int	notify_send(struct store *, const struct pd_conf *, const uint64_t *,
		    size_t, void (*report)(const struct notify_result *,
		    void *), void *, struct pd_err *);
/* notify_run_due - deliver every entry due at now (postdesk-cron) */
int	notify_run_due(struct store *, const struct pd_conf *, time_t now,
		       int dry_run, void (*report)(const struct notify_result *,
		       void *), void *, struct pd_err *);
/* one entry handed over by notify_smtp_send */
struct notify_handover {
	const struct pd_outbox *o;
	int	ok;		/* the server took it */
	char	why[256];	/* else why not */
};

/* notify_smtp_send - hand entries over one SMTP session to notify_smtp;
 * none begun after budget_ms (> 0); returns how many were tried. It lives
 * in the module postdesk_smtp.so (libetpan), which notify_send loads. */
size_t	notify_smtp_send(const struct pd_conf *, struct notify_handover *,
			 size_t n, long budget_ms);
/* notify_smtp_ready - load that module if need be: 0, or -1 with why
 * ("the module ... is not installed in DIR", "cannot load ...") */
int	notify_smtp_ready(char *why, size_t whylen);
/* notify_smtp_probe (the module) and notify_smtp_check (loading it first):
 * connect to notify_smtp, EHLO, QUIT; 0 with the server's greeting in
 * why, or -1 with what went wrong (postdesk check) */
int	notify_smtp_probe(const struct pd_conf *, char *why, size_t whylen);
int	notify_smtp_check(const struct pd_conf *, char *why, size_t whylen);
/* notify_reply_address - support+TOKEN@domain of a ticket (caller frees) */
char	*notify_reply_address(const struct pd_conf *,
			      const struct pd_keyring *, uint64_t ticket);

#endif

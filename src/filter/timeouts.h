/*
 * timeouts.h - what time does to tickets (DESIGN.md sections 7 and 9)
 *
 * ticket_save() is how intake, agents and cron write a ticket: it puts
 * into the due-index whatever the ticket's new state makes due later
 * (idle, the end of a chatdesk session, archive, purge) and stores it.
 * Entries are never updated in place: a state that changes makes a new
 * entry; an entry whose condition no longer holds when it falls due is
 * simply dropped by timeouts_apply(). So postdesk-cron touches only what
 * is due, and running it twice does nothing twice.
 */
#ifndef PD_TIMEOUTS_H
#define PD_TIMEOUTS_H

#include <stdint.h>
#include <time.h>

struct agent_act;
struct pd_conf;
struct pd_err;
struct pd_ticket;
struct store_txn;
struct workflow;

/* ticket_save - schedule what the state makes due, then store the ticket */
int	ticket_save(struct store_txn *, const struct pd_conf *,
		    const struct workflow *, const struct pd_ticket *,
		    struct pd_err *);

/*
 * timeouts_apply - one due-index entry (kind, ticket) that fell due at
 * when: apply it if its condition still holds at now, and drop the entry.
 * Returns 1 applied, 0 nothing to do (stale), -1 error. *what names what
 * was done ("idle", "archived", "purged", "session ended").
 */
int	timeouts_apply(struct store_txn *, struct agent_act *, int kind,
		       uint64_t ticket, time_t when, const char **what,
		       struct pd_err *);

/* ticket_purge - remove a ticket with its messages, raw bytes and indexes */
int	ticket_purge(struct store_txn *, const struct pd_ticket *,
		     struct pd_err *);

#endif

/*
 * thread.h - which ticket a message belongs to (DESIGN.md section 3, step 4)
 *
 * Pure decisions, no I/O: the caller (filter/intake.c) verifies tokens,
 * looks Message-IDs up in the store and fills a struct pd_evidence with
 * tickets that exist; core_thread() applies the order of strength:
 *   a. a valid signed token in a recipient address;
 *   b. References/In-Reply-To naming a Message-ID postdesk sent (signed);
 *   c. References/In-Reply-To naming a message already stored;
 *   d. a subject tag [#N], only when the sender is a participant of N;
 *   e. the workflow's merge policy (e.g. the customer's open ticket);
 *   f. otherwise a new ticket.
 * A forged or stale token never reaches this code as evidence: the caller
 * only passes tickets whose token verified and that exist.
 */
#ifndef PD_THREAD_H
#define PD_THREAD_H

#include <stddef.h>
#include <stdint.h>

struct pd_evidence {
	uint64_t token_ticket;		/* a: 0 when none */
	uint64_t ours_ref_ticket;	/* b */
	uint64_t stored_ref_ticket;	/* c */
	uint64_t tag_ticket;		/* d: the [#N] ticket, when it exists */
	int	tag_participant;	/* d: the sender takes part in tag_ticket */
	uint64_t merge_ticket;		/* e */
};

struct pd_thread {
	int	is_new;			/* 1: open a new ticket */
	uint64_t ticket;		/* the ticket to append to */
	char	step;			/* 'a'..'f' */
	const char *reason;		/* static text for logs and explain */
};

/* core_thread - decide from the evidence */
void	core_thread(const struct pd_evidence *, struct pd_thread *);

/* core_subject_tag - N of the first "[#N]" in a subject, 0 when none */
uint64_t core_subject_tag(const char *subject);

/*
 * core_rcpt_extension - when rcpt is LOCAL<delim>EXT@DOMAIN (local part and
 * domain compared case-insensitively), copy EXT into ext and return 1;
 * return 0 otherwise (also when EXT does not fit).
 */
int	core_rcpt_extension(const char *rcpt, const char *local,
			    const char *domain, char delim, char *ext,
			    size_t extlen);

#endif

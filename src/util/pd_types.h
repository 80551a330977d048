/*
 * pd_types.h - the plain records every layer shares
 *
 * These structs carry no library types (no MDB_val, no GMime object), so
 * core/ can decide on them without a database or a message (DESIGN.md
 * section 2). They live in util/ because store/ (below core/) stores them
 * and core/ decides on them; both may include util/. Strings are UTF-8,
 * NUL-terminated and owned by the struct; each has a free function in the
 * layer that allocates it (store_ticket_free, store_msg_free, ...).
 */
#ifndef PD_TYPES_H
#define PD_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct pd_attach {
	char	*name;		/* filename, UTF-8, "" when none */
	char	*type;		/* "application/pdf" (lower case) */
	size_t	size;		/* decoded size in bytes */
};

/* A ticket: the conversation with one requester. */
struct pd_ticket {
	uint64_t id;
	char	*status;	/* a status name of the workflow, e.g. "awaiting_agent" */
	char	*subject;	/* subject of the first message */
	char	*requester;	/* customer address, lower case */
	char	*requester_name;
	char	*queue;		/* department, "" for the default */
	time_t	created;
	time_t	updated;
	uint32_t nmsgs;		/* messages stored; the last seq */
	uint32_t nevents;	/* events stored; the last event seq */
	char	**participants;	/* lower-cased addresses that wrote to it */
	size_t	nparticipants;
	char	*assignee;	/* agent address, "" when unassigned */
	char	*priority;	/* low, normal, high, urgent */
	char	*lock_holder;	/* agent address, "" when not locked */
	time_t	lock_until;
	uint64_t merged_into;	/* 0, or the ticket this one was merged into */
	uint32_t last_public_seq;	/* event seq of the last public agent reply */
	char	*last_public_agent;	/* who sent it, "" when none */
	char	**cc;		/* extra customer-side addresses (#cc) */
	size_t	ncc;
	time_t	last_customer;	/* the customer's last message */
	time_t	last_agent;	/* an agent's last public message */
	time_t	status_at;	/* when the status last changed */
	time_t	session_until;	/* chatdesk out-of-hours session: open until */
	char	*last_assignee;	/* the assignee before the current one */
	uint64_t followup_of;	/* a new ticket opened by a reply to a closed one */
};

/* Who wrote a stored message. */
enum pd_author { PD_AUTHOR_CUSTOMER = 0, PD_AUTHOR_AGENT, PD_AUTHOR_SYSTEM };

/* Who may see a stored message. */
enum pd_visibility {
	PD_VIS_PUBLIC = 0,	/* the customer sees it (sent or received) */
	PD_VIS_INTERNAL,	/* an internal note: agents only */
	PD_VIS_DRAFT,		/* an agent's draft, not sent yet */
	PD_VIS_SENT_DRAFT,	/* a draft that was sent later (a copy is public) */
	PD_VIS_HELD,		/* from a stranger on a real ticket: held until
				 * an agent approves it (#approve) */
};

/* One message of a ticket, as stored. */
struct pd_stored_msg {
	uint64_t ticket;
	uint32_t seq;		/* 1, 2, ... within the ticket */
	time_t	received;
	int	author;		/* enum pd_author */
	char	*from_addr;
	char	*from_name;
	char	*subject;
	char	*message_id;	/* without <>, "" when none */
	char	*queue_id;	/* the MTA's queue id, "" when unknown */
	char	*recipient;	/* envelope recipient it arrived for */
	char	*text;		/* body text, UTF-8 */
	unsigned char raw_hash[32];	/* key of the raw bytes in the raw database */
	uint64_t raw_size;
	struct pd_attach *attach;
	size_t	nattach;
	int	visibility;	/* enum pd_visibility */
};

/* One event of a ticket's audit trail. */
struct pd_event {
	uint64_t ticket;
	uint32_t seq;
	time_t	time;
	char	*actor;		/* address, "system", or "postdesk" */
	char	*kind;		/* "created", "message", "status", ... */
	char	*detail;	/* "awaiting_agent -> awaiting_user", ... */
};

/* A notification waiting in the outbox (DESIGN.md section 8). */
struct pd_outbox {
	uint64_t id;
	uint64_t ticket;
	char	*event;		/* template event, e.g. "customer_new" */
	char	*recipient;	/* envelope recipient */
	char	*sender;	/* envelope sender (where bounces go) */
	time_t	created;
	time_t	next_try;
	uint32_t attempts;
	char	*last_error;	/* "" until a try failed */
	char	*message;	/* the whole message, RFC 5322, LF line ends */
};

/* A customer (DESIGN.md section 6, seed 004): matched by address or by
 * the id of an external system (CRM, website widget). */
struct pd_customer {
	char	*email;		/* lower-cased address, the key */
	char	*name;
	char	*external_id;	/* the CRM's or widget's id, "" when none */
	char	*organisation;
	char	*phone;
	time_t	created;
	time_t	updated;
	char	*notes;
};

#endif

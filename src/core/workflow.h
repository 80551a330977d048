/*
 * workflow.h - workflows as data: statuses and the status each event leads to
 *
 * A workflow (DESIGN.md section 7) is a table, not code: its statuses
 * (name, label, hidden) and its transitions (event, from-status or "*",
 * to-status). workflow_next() looks the event up; the first matching row
 * wins, so specific rows come before "*" rows. A row whose to-status is
 * NULL means "the event does not change the status".
 */
#ifndef PD_WORKFLOW_H
#define PD_WORKFLOW_H

#include <stddef.h>

enum wf_event {
	WF_EV_CUSTOMER_NEW = 0,	/* a customer's mail opens a ticket */
	WF_EV_CUSTOMER_REPLY,	/* a customer writes on an existing ticket */
	WF_EV_AGENT_NEW,	/* an agent starts a ticket */
	WF_EV_AGENT_REPLY,	/* an agent answers publicly */
	WF_EV_ASSIGN,		/* the ticket got an assignee */
	WF_EV_UNASSIGN,		/* the assignment was cancelled */
	WF_EV_IDLE,		/* silence after an agent's message */
	WF_EV_AGENT_AWAY,	/* the assignee went away or offline */
	WF_EV_ARCHIVE,		/* a closed ticket grew old */
	WF_EV_IDLE_CLOSE,	/* an idle ticket stayed idle (system settings) */
	WF_EV_COUNT
};

struct wf_status {
	const char *name;
	const char *label;
	int	hidden;		/* left out of lists unless asked for */
};

struct wf_transition {
	enum wf_event event;
	const char *from;	/* a status name, or "*" */
	const char *to;		/* NULL: unchanged */
};

struct workflow {
	const char *name;
	const char *seed;	/* the seed document it reproduces */
	const struct wf_status *statuses;
	size_t	nstatuses;
	const struct wf_transition *transitions;
	size_t	ntransitions;
	const char *closed;	/* what #close and "resolved" mean */
	const char *reopen;	/* what #restore and a reopen lead to */
	/* policies: what makes the preset itself (DESIGN.md section 7) */
	int	merge_open;	/* a customer's new mail joins their open ticket */
	int	auto_assign;	/* assign to an online agent by itself */
	int	no_transfer;	/* an agent cannot hand a ticket to another */
	int	sessions;	/* out-of-hours ticket sessions with //end */
	int	reopen_policy;	/* customer_can_reopen decides replies to closed */
	int	idle;		/* active -> idle after idle_after */
	int	archive;	/* closed -> archived after archive_after */
	const char *unassigned;	/* the status of an open unassigned ticket */
};

/* Every preset also has the hidden statuses "spam" and "deleted". */
#define WF_SPAM		"spam"
#define WF_DELETED	"deleted"

/* workflow_find - a preset by name, NULL when unknown */
const struct workflow *workflow_find(const char *name);
/* workflow_conf - the preset the configuration names; NULL with err
 * ("FILE:LINE: workflow: unknown workflow ...") when there is none */
struct pd_conf;
struct pd_err;
const struct workflow *workflow_conf(const struct pd_conf *,
				     struct pd_err *);
/* workflow_names - "deskpro, chatdesk, sendbird, simple" */
const char *workflow_names(void);
/* workflow_next - the status an event leads to from status (NULL = unchanged) */
const char *workflow_next(const struct workflow *, const char *status,
			  enum wf_event);
/* workflow_status - the status row of a name, NULL when not in the workflow */
const struct wf_status *workflow_status(const struct workflow *,
					const char *name);
/* workflow_event_name - "customer_new", ... (for logs) */
const char *workflow_event_name(enum wf_event);

#endif

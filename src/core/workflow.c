/*
 * workflow.c - the workflow presets as tables; see workflow.h
 *
 * Only the events that intake produces so far are in the tables (new
 * ticket and replies). The full transition sets of each seed document,
 * timeouts and policies are added with the workflows work (issue 5).
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "util/conf.h"
#include "util/err.h"
#include "core/workflow.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* deskpro: seeds 000 and 001 */
static const struct wf_status deskpro_statuses[] = {
	{"awaiting_agent", "Awaiting Agent", 0},
	{"awaiting_user", "Awaiting User", 0},
	{"pending", "Pending", 0},
	{"resolved", "Resolved", 0},
	{"spam", "Spam", 1},
	{"deleted", "Deleted", 1},
};

static const struct wf_transition deskpro_transitions[] = {
	/* "A User reports an issue by email, creating a Ticket with Awaiting Agent status." */
	{WF_EV_CUSTOMER_NEW, "*", "awaiting_agent"},
	/* hidden tickets stay hidden whatever is written to them */
	{WF_EV_CUSTOMER_REPLY, "spam", NULL},
	{WF_EV_CUSTOMER_REPLY, "deleted", NULL},
	/* "The User replies to the Agent, setting the status back to Awaiting Agent again." */
	/* "If a User sends another message while a ticket is in Pending status, this will put the ticket back into Awaiting Agent." */
	{WF_EV_CUSTOMER_REPLY, "*", "awaiting_agent"},
	{WF_EV_AGENT_NEW, "*", "awaiting_user"},
	/* "Usually you would reply and set the status to Awaiting User" */
	{WF_EV_AGENT_REPLY, "spam", NULL},
	{WF_EV_AGENT_REPLY, "deleted", NULL},
	{WF_EV_AGENT_REPLY, "*", "awaiting_user"},
};

/* chatdesk: seed 002 */
static const struct wf_status chatdesk_statuses[] = {
	{"unassigned", "Unassigned", 0},
	{"assigned", "Assigned", 0},
	{"closed", "Closed", 0},
	{"archived", "Archived", 1},
	{"spam", "Spam", 1},
	{"deleted", "Deleted", 1},
};

static const struct wf_transition chatdesk_transitions[] = {
	{WF_EV_CUSTOMER_NEW, "*", "unassigned"},
	{WF_EV_CUSTOMER_REPLY, "spam", NULL},
	{WF_EV_CUSTOMER_REPLY, "deleted", NULL},
	{WF_EV_CUSTOMER_REPLY, "archived", NULL},
	{WF_EV_CUSTOMER_REPLY, "closed", "unassigned"},
	{WF_EV_CUSTOMER_REPLY, "*", NULL},
	{WF_EV_AGENT_NEW, "*", "assigned"},
	{WF_EV_AGENT_REPLY, "*", NULL},
	/* 002: "Accepting these tickets moves them to the Assigned tab." */
	{WF_EV_ASSIGN, "unassigned", "assigned"},
	{WF_EV_UNASSIGN, "assigned", "unassigned"},
	/* 002: "Tickets don't expire but are archived after 90 days." */
	{WF_EV_ARCHIVE, "closed", "archived"},
};

/* sendbird: seed 003 */
static const struct wf_status sendbird_statuses[] = {
	{"pending", "Pending", 0},
	{"active", "Active", 0},
	{"proactive", "Proactive", 0},
	{"in_progress", "In Progress", 0},
	{"idle", "Idle", 0},
	{"closed", "Closed", 0},
	{"spam", "Spam", 1},
	{"deleted", "Deleted", 1},
};

static const struct wf_transition sendbird_transitions[] = {
	{WF_EV_CUSTOMER_NEW, "*", "pending"},
	{WF_EV_CUSTOMER_REPLY, "spam", NULL},
	{WF_EV_CUSTOMER_REPLY, "deleted", NULL},
	/* 003: Idle -> Active "A customer sent a response message." */
	{WF_EV_CUSTOMER_REPLY, "idle", "active"},
	/* 003: Proactive -> Active "A customer sent a response message." */
	{WF_EV_CUSTOMER_REPLY, "proactive", "active"},
	/* 003: In Progress -> Pending "A customer sent a message when the
	 * last assignee was offline." (auto-assignment then makes it Active) */
	{WF_EV_CUSTOMER_REPLY, "in_progress", "pending"},
	{WF_EV_CUSTOMER_REPLY, "closed", "pending"},
	{WF_EV_CUSTOMER_REPLY, "*", NULL},
	/* 003: Proactive "A ticket that's created by an agent's message." */
	{WF_EV_AGENT_NEW, "*", "proactive"},
	{WF_EV_AGENT_REPLY, "*", NULL},
	/* 003: Pending -> Active "A ticket was assigned to an agent." */
	{WF_EV_ASSIGN, "pending", "active"},
	/* 003: In Progress -> Active "An admin assigned the ticket to an
	 * online agent." */
	{WF_EV_ASSIGN, "in_progress", "active"},
	/* 003: Closed -> Active "An admin reopened the ticket and the last
	 * assignee was online." */
	{WF_EV_ASSIGN, "closed", "active"},
	{WF_EV_ASSIGN, "*", NULL},
	/* 003: Active -> Idle "A customer hasn't responded to the agent's
	 * message." */
	{WF_EV_IDLE, "active", "idle"},
	/* 003: Active -> Pending "An agent changed their status to Away or
	 * Offline after ticket assignment." */
	{WF_EV_AGENT_AWAY, "active", "pending"},
	/* 003: Idle -> Closed "The ticket status has changed according to
	 * the system settings." (idle_close_after) */
	{WF_EV_IDLE_CLOSE, "idle", "closed"},
};

/* simple: seed 004 */
static const struct wf_status simple_statuses[] = {
	{"new", "New", 0},
	{"in_progress", "In Progress", 0},
	{"waiting", "Waiting", 0},
	{"closed", "Closed", 0},
	{"spam", "Spam", 1},
	{"deleted", "Deleted", 1},
};

static const struct wf_transition simple_transitions[] = {
	{WF_EV_CUSTOMER_NEW, "*", "new"},
	{WF_EV_CUSTOMER_REPLY, "spam", NULL},
	{WF_EV_CUSTOMER_REPLY, "deleted", NULL},
	{WF_EV_CUSTOMER_REPLY, "new", NULL},
	/* 004: "The customer can reopen the ticket by replying to the email" */
	{WF_EV_CUSTOMER_REPLY, "*", "in_progress"},
	{WF_EV_AGENT_NEW, "*", "waiting"},
	{WF_EV_AGENT_REPLY, "spam", NULL},
	{WF_EV_AGENT_REPLY, "deleted", NULL},
	{WF_EV_AGENT_REPLY, "*", "waiting"},
};

static const struct workflow workflows[] = {
	{"deskpro", "000_26d807237faac20d.txt, 001_2a12bef061e80f2d.txt",
	    deskpro_statuses, N(deskpro_statuses),
	    deskpro_transitions, N(deskpro_transitions),
	    "resolved", "awaiting_agent", 0, 0, 0, 0, 1, 0, 0, NULL},
	{"chatdesk", "002_e69c885d0c7e5dcb.txt",
	    chatdesk_statuses, N(chatdesk_statuses),
	    chatdesk_transitions, N(chatdesk_transitions),
	    "closed", "unassigned", 1, 0, 1, 1, 0, 0, 1, "unassigned"},
	{"sendbird", "003_11264d48ece33f3f.txt",
	    sendbird_statuses, N(sendbird_statuses),
	    sendbird_transitions, N(sendbird_transitions),
	    "closed", "pending", 0, 1, 0, 0, 0, 1, 0, "pending"},
	{"simple", "004_be84fce227d4a346.txt",
	    simple_statuses, N(simple_statuses),
	    simple_transitions, N(simple_transitions),
	    "closed", "in_progress", 0, 0, 0, 0, 0, 0, 0, NULL},
};

static const char *event_names[WF_EV_COUNT] = {
	"customer_new", "customer_reply", "agent_new", "agent_reply",
	"assign", "unassign", "idle", "agent_away", "archive", "idle_close",
};

/* workflow_find - look a preset up by name */
const struct workflow *
workflow_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N(workflows); i++)
		if (strcmp(workflows[i].name, name) == 0)
			return &workflows[i];
	return NULL;
}

/* workflow_conf - the configured preset, or NULL and a configuration error
 * naming file, line and key */
const struct workflow *
workflow_conf(const struct pd_conf *conf, struct pd_err *err)
{
	const struct workflow *wf = workflow_find(conf->workflow);
	char w[PATH_MAX + 64];

	if (wf == NULL)
		err_set(err, PD_ECONFIG, "%s: unknown workflow \"%s\" "
		    "(known: %s)", conf_where(conf, "workflow", w, sizeof(w)),
		    conf->workflow, workflow_names());
	return wf;
}

/* workflow_names - the preset names, for error messages */
const char *
workflow_names(void)
{
	return "deskpro, chatdesk, sendbird, simple";
}

/* workflow_next - first matching transition row */
const char *
workflow_next(const struct workflow *wf, const char *status,
	      enum wf_event ev)
{
	size_t i;

	for (i = 0; i < wf->ntransitions; i++) {
		const struct wf_transition *t = &wf->transitions[i];

		if (t->event != ev)
			continue;
		if (strcmp(t->from, "*") == 0 ||
		    (status != NULL && strcmp(t->from, status) == 0))
			return t->to;
	}
	return NULL;
}

/* workflow_status - the row of a status name */
const struct wf_status *
workflow_status(const struct workflow *wf, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < wf->nstatuses; i++)
		if (strcmp(wf->statuses[i].name, name) == 0)
			return &wf->statuses[i];
	return NULL;
}

/* workflow_event_name - printable event name */
const char *
workflow_event_name(enum wf_event ev)
{
	if ((int)ev < 0 || ev >= WF_EV_COUNT)
		return "unknown";
	return event_names[ev];
}

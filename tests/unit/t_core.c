/*
 * t_core.c - core/ decisions: threading order and the workflow tables
 *
 * No database, no message: facts in, a decision out (STYLE.md section 9).
 * Workflow rows quote the seed sentence they implement.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/thread.h"
#include "core/workflow.h"
#include "tap.h"

struct thread_case {
	const char *label;
	struct pd_evidence ev;
	int	is_new;
	uint64_t ticket;
	char	step;
};

static const struct thread_case thread_cases[] = {
	{"nothing known: new ticket", {0, 0, 0, 0, 0, 0}, 1, 0, 'f'},
	{"token wins over everything", {7, 8, 9, 10, 1, 11}, 0, 7, 'a'},
	{"our Message-ID wins over stored refs", {0, 8, 9, 10, 1, 0}, 0, 8, 'b'},
	{"stored reference", {0, 0, 9, 10, 1, 0}, 0, 9, 'c'},
	{"subject tag from a participant", {0, 0, 0, 10, 1, 0}, 0, 10, 'd'},
	{"subject tag from a stranger is ignored", {0, 0, 0, 10, 0, 0}, 1, 0, 'f'},
	{"merge policy", {0, 0, 0, 0, 0, 12}, 0, 12, 'e'},
	{"stranger's tag does not beat merge", {0, 0, 0, 10, 0, 12}, 0, 12, 'e'},
};

struct tag_case {
	const char *subject;
	uint64_t want;
};

static const struct tag_case tag_cases[] = {
	{"Re: [#42] printer on fire", 42},
	{"[#1]", 1},
	{"AW: Re: [Support] [#7] x", 7},
	{"[#0] zero is no ticket", 0},
	{"[# 5] space", 0},
	{"[#5 no bracket", 0},
	{"[#abc]", 0},
	{"[#12345678901234567890] too long", 0},
	{"", 0},
	{"[#x] then [#9]", 9},
};

struct ext_case {
	const char *rcpt;
	int	want;
	const char *ext;
};

static const struct ext_case ext_cases[] = {
	{"support+12.abcdef@example.com", 1, "12.abcdef"},
	{"SUPPORT+12.ABC@Example.COM", 1, "12.ABC"},
	{"support@example.com", 0, NULL},
	{"support+@example.com", 0, NULL},
	{"supportx+1.a@example.com", 0, NULL},
	{"support+1.a@other.example", 0, NULL},
	{"billing+1.a@example.com", 0, NULL},
	{"support+1.a", 0, NULL},
	{"", 0, NULL},
};

struct wf_case {
	const char *workflow;
	const char *quote;
	const char *from;
	enum wf_event ev;
	const char *want;	/* NULL: unchanged */
};

static const struct wf_case wf_cases[] = {
	{"deskpro", "001: \"A User reports an issue by email, creating a "
	    "Ticket with Awaiting Agent status.\"", NULL, WF_EV_CUSTOMER_NEW,
	    "awaiting_agent"},
	{"deskpro", "001: \"The User replies to the Agent, setting the "
	    "status back to Awaiting Agent again.\"", "awaiting_user",
	    WF_EV_CUSTOMER_REPLY, "awaiting_agent"},
	{"deskpro", "001: \"If a User sends another message while a ticket "
	    "is in Pending status, this will put the ticket back into Awaiting "
	    "Agent.\"", "pending", WF_EV_CUSTOMER_REPLY, "awaiting_agent"},
	{"deskpro", "001: \"Usually you would reply and set the status to "
	    "Awaiting User (this is the default option ...)\"",
	    "awaiting_agent", WF_EV_AGENT_REPLY, "awaiting_user"},
	{"deskpro", "001: \"These hidden statuses will not generate "
	    "notifications\" - a reply leaves spam hidden", "spam",
	    WF_EV_CUSTOMER_REPLY, NULL},
	{"simple", "004: New is the status of a new ticket", NULL,
	    WF_EV_CUSTOMER_NEW, "new"},
	{"chatdesk", "002: a new conversation is unassigned", NULL,
	    WF_EV_CUSTOMER_NEW, "unassigned"},
	{"sendbird", "003: a new ticket is pending", NULL,
	    WF_EV_CUSTOMER_NEW, "pending"},
};

int
main(void)
{
	const struct workflow *wf;
	struct pd_thread th;
	char ext[64];
	size_t i;

	for (i = 0; i < sizeof(thread_cases) / sizeof(thread_cases[0]); i++) {
		const struct thread_case *tc = &thread_cases[i];

		core_thread(&tc->ev, &th);
		OK(th.is_new == tc->is_new && th.ticket == tc->ticket &&
		    th.step == tc->step, "thread: %s (step %c, ticket %llu)",
		    tc->label, th.step, (unsigned long long)th.ticket);
	}
	for (i = 0; i < sizeof(tag_cases) / sizeof(tag_cases[0]); i++)
		IS_INT(core_subject_tag(tag_cases[i].subject), tag_cases[i].want,
		    "subject tag of \"%s\"", tag_cases[i].subject);
	OK(core_subject_tag(NULL) == 0, "subject tag of NULL");
	for (i = 0; i < sizeof(ext_cases) / sizeof(ext_cases[0]); i++) {
		const struct ext_case *ec = &ext_cases[i];
		int got = core_rcpt_extension(ec->rcpt, "support",
		    "example.com", '+', ext, sizeof(ext));

		OK(got == ec->want && (!got || strcmp(ext, ec->ext) == 0),
		    "recipient extension of \"%s\"", ec->rcpt);
	}
	OK(core_rcpt_extension("support+0123456789012345678901234567890"
	    "1234567890123456789012345678901234567890@example.com", "support",
	    "example.com", '+', ext, sizeof(ext)) == 0,
	    "an extension longer than the buffer is refused");

	OK(workflow_find("nope") == NULL, "unknown workflow is NULL");
	for (i = 0; i < sizeof(wf_cases) / sizeof(wf_cases[0]); i++) {
		const struct wf_case *wc = &wf_cases[i];
		const char *got;

		wf = workflow_find(wc->workflow);
		if (wf == NULL) {
			OK(0, "%s: workflow exists", wc->workflow);
			continue;
		}
		got = workflow_next(wf, wc->from, wc->ev);
		OK((got == NULL && wc->want == NULL) ||
		    (got != NULL && wc->want != NULL &&
		    strcmp(got, wc->want) == 0), "%s %s: %s", wc->workflow,
		    workflow_event_name(wc->ev), wc->quote);
	}
	wf = workflow_find("deskpro");
	OK(wf != NULL && workflow_status(wf, "spam") != NULL &&
	    workflow_status(wf, "spam")->hidden &&
	    workflow_status(wf, "deleted")->hidden &&
	    !workflow_status(wf, "awaiting_agent")->hidden,
	    "deskpro: 001 \"There are two Ticket statuses that are used for "
	    "Tickets that are hidden from the main filters\": spam, deleted");
	/* every transition of every preset leads to a status of its table */
	{
		static const char *names[] = {"deskpro", "chatdesk",
		    "sendbird", "simple"};
		size_t k, bad = 0;

		for (k = 0; k < 4; k++) {
			wf = workflow_find(names[k]);
			for (i = 0; i < wf->ntransitions; i++) {
				const struct wf_transition *t =
				    &wf->transitions[i];

				if ((t->to && !workflow_status(wf, t->to)) ||
				    (strcmp(t->from, "*") != 0 &&
				    !workflow_status(wf, t->from)))
					bad++;
			}
		}
		IS_INT(bad, 0, "every transition names statuses of its "
		    "workflow");
	}
	return tap_done();
}

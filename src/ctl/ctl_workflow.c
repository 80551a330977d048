/*
 * ctl_workflow.c - postdesk workflow [NAME]: a preset's statuses,
 * transitions and policies as a table (the configured one by default)
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "util/conf.h"
#include "core/workflow.h"
#include "ctl/ctl.h"

/* ctl_workflow - print one preset */
int
ctl_workflow(struct ctl *c, int argc, char **argv)
{
	const struct workflow *wf;
	const char *name;
	size_t i;
	int rc;

	if (argc > 2) {
		fprintf(stderr, "usage: postdesk workflow [NAME]\n");
		return EX_USAGE;
	}
	if (argc == 2)
		name = argv[1];
	else {
		if ((rc = ctl_load_conf(c)) != 0)
			return rc;
		name = c->conf.workflow;
	}
	if ((wf = workflow_find(name)) == NULL) {
		fprintf(stderr, "postdesk: unknown workflow \"%s\" (known: %s)\n",
		    name, workflow_names());
		return EX_USAGE;
	}
	printf("workflow %s (seed %s)\n\nSTATUS           LABEL            "
	    "HIDDEN\n", wf->name, wf->seed);
	for (i = 0; i < wf->nstatuses; i++)
		printf("%-16s %-16s %s\n", wf->statuses[i].name,
		    wf->statuses[i].label, wf->statuses[i].hidden ? "yes" : "");
	printf("\nEVENT            FROM             TO\n");
	for (i = 0; i < wf->ntransitions; i++) {
		const struct wf_transition *t = &wf->transitions[i];

		printf("%-16s %-16s %s\n", workflow_event_name(t->event),
		    strcmp(t->from, "*") == 0 ? "(any)" : t->from,
		    t->to != NULL ? t->to : "(unchanged)");
	}
	printf("\nclosed status: %s; reopen/restore status: %s\n", wf->closed,
	    wf->reopen);
	printf("policies:%s%s%s%s%s%s%s\n",
	    wf->reopen_policy ? " customer_can_reopen" : "",
	    wf->merge_open ? " merge-into-open-ticket" : "",
	    wf->auto_assign ? " auto-assign-online-agent" : "",
	    wf->no_transfer ? " no-transfer-between-agents" : "",
	    wf->sessions ? " out-of-hours-sessions" : "",
	    wf->idle ? " idle_after" : "", wf->archive ? " archive_after" : "");
	printf("timeouts: purge_spam_after, purge_deleted_after%s%s%s\n",
	    wf->idle ? ", idle_after" : "", wf->sessions ?
	    ", session_timeout" : "", wf->archive ? ", archive_after" : "");
	return 0;
}

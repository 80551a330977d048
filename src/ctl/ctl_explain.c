/*
 * ctl_explain - postdesk explain ID | MESSAGE-ID | QUEUE-ID
 *
 * Every intake records what it saw and decided: how the mail was
 * classified, who sent it (agent or customer, and how an agent was
 * recognised), the threading evidence and the step that matched, the
 * notifications queued or suppressed and why, and the result. It is kept
 * as an "intake" event on the ticket, and under the MTA's queue id (for a
 * mail that was not stored, the story itself).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/priv.h"
#include "store/store.h"
#include "ctl/ctl.h"

struct explain_walk {
	uint32_t seq;		/* only the intake of this message, 0 all */
	int	n;
};

/* print_intake - one intake event */
static int
print_intake(const struct pd_event *e, void *arg)
{
	struct explain_walk *ew = arg;
	char when[32], want[32];
	const char *p;

	if (strcmp(e->kind, "intake") != 0)
		return 0;
	if (ew->seq != 0) {
		snprintf(want, sizeof(want), " message %u,", ew->seq);
		if ((p = strstr(e->detail, "\nresult: ")) == NULL ||
		    strstr(p, want) == NULL)
			return 0;
	}
	ew->n++;
	printf("%s--- %s\n", ew->n > 1 ? "\n" : "",
	    clock_format_iso(e->time, when, sizeof(when)));
	fputs(e->detail, stdout);
	return 0;
}

/* ctl_explain - find the intake(s) and print them */
int
ctl_explain(struct ctl *c, int argc, char **argv)
{
	struct explain_walk ew;
	struct store *st = NULL;
	struct store_txn *txn = NULL;
	struct pd_err err;
	static char val[65536];
	char *arg, *end;
	uint64_t ticket = 0;
	uint32_t seq = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: postdesk explain TICKET-ID | "
		    "MESSAGE-ID | QUEUE-ID\n");
		return EX_USAGE;
	}
	arg = argv[1];
	if ((rc = ctl_read(c, &st, &txn)) != 0)
		return rc;
	err_clear(&err);
	memset(&ew, 0, sizeof(ew));
	rc = 1;
	if (arg[0] >= '1' && arg[0] <= '9' && (ticket = strtoull(arg, &end,
	    10), *end == '\0')) {
		/* a ticket number: every intake of it */
	} else if (strchr(arg, '@') != NULL) {
		size_t n = strlen(arg);

		if (arg[0] == '<' && n > 2 && arg[n - 1] == '>') {
			arg[n - 1] = '\0';
			arg++;
		}
		if (store_msgid_lookup(txn, arg, &ticket, &seq, &err) < 0)
			goto fail;
		if (ticket == 0)
			fprintf(stderr, "postdesk: no stored message has "
			    "Message-ID <%s>\n", arg);
	} else {
		rc = store_explain_get(txn, arg, val, sizeof(val), &err);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			if (sscanf(val, "ticket %" SCNu64 " message %" SCNu32,
			    &ticket, &seq) != 2) {
				fputs(val, stdout);	/* not stored: the story */
				rc = 0;
				goto out;
			}
		} else
			fprintf(stderr, "postdesk: nothing known about queue "
			    "id %s\n", arg);
		rc = 1;
	}
	if (ticket != 0) {
		ew.seq = seq;
		if (store_event_iter(txn, ticket, print_intake, &ew, &err) < 0)
			goto fail;
		if (ew.n == 0)
			fprintf(stderr, "postdesk: no intake recorded for "
			    "ticket %" PRIu64 "%s\n", ticket, seq ?
			    " and that message" : "");
		rc = ew.n > 0 ? 0 : 1;
	}
out:
	store_abort(txn);
	store_close(st);
	return rc;
fail:
	store_abort(txn);
	store_close(st);
	return ctl_status(&err);
}

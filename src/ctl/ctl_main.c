/*
 * ctl_main.c - postdesk [-v] [-c FILE] COMMAND [ARGS]
 *
 * Commands: init, list, show, check, url, outbox, reply, note, assign,
 * status, lock, unlock, accept, new, agents, explain, suppressed,
 * workflow, customer (postdesk(1)). Global options come before the
 * command. The configuration file
 * is -c FILE, else $POSTDESK_CONFIG, else SYSCONFDIR/postdesk/postdesk.conf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/priv.h"
#include "store/store.h"
#include "ctl/ctl.h"

struct ctl_cmd {
	const char *name;
	int	(*fn)(struct ctl *, int, char **);
	const char *args;
	const char *help;
};

static const struct ctl_cmd ctl_cmds[] = {
	{"init", ctl_init, "[--owner USER]",
	    "create the data directory, the store and the signing key"},
	{"list", ctl_list, "[--all] [--status S] [--json]",
	    "list tickets, newest first"},
	{"show", ctl_show, "ID [--json]",
	    "show a ticket with its messages and events"},
	{"check", ctl_check, "[--data]",
	    "check configuration, agents, templates, key and store"},
	{"url", ctl_url, "ID | --verify URL",
	    "print a ticket's signed URL, or verify one"},
	{"outbox", ctl_outbox, "[--json] | --retry ID|all | --drop ID|given-up",
	    "notifications waiting for the MTA; send again, or drop"},
	{"reply", ctl_agent, "ID --as AGENT [--status S]",
	    "a public reply (text on stdin)"},
	{"note", ctl_agent, "ID --as AGENT", "an internal note (stdin)"},
	{"assign", ctl_agent, "ID AGENT|none [--as AGENT]",
	    "assign a ticket"},
	{"status", ctl_agent, "ID STATUS [--as AGENT]", "set the status"},
	{"lock", ctl_agent, "ID --as AGENT", "lock a ticket"},
	{"unlock", ctl_agent, "ID --as AGENT", "unlock a ticket"},
	{"accept", ctl_agent, "[N] --as AGENT",
	    "take the N oldest unassigned tickets"},
	{"new", ctl_agent, "--as AGENT --to CUSTOMER --subject S",
	    "start a ticket (text on stdin)"},
	{"agents", ctl_agents, "", "the agents and their availability"},
	{"explain", ctl_explain, "ID|MESSAGE-ID|QUEUE-ID",
	    "what an intake saw and decided"},
	{"suppressed", ctl_suppressed, "[--json] [--remove ADDRESS]",
	    "addresses not mailed after a hard bounce"},
	{"workflow", ctl_workflow, "[NAME]",
	    "a workflow's statuses, transitions and policies"},
	{"customer", ctl_customer, "import FILE | list | show EMAIL",
	    "customers: import a CRM's CSV, list, show with tickets"},
	{"backup", ctl_backup, "DIR",
	    "copy the store and the key into DIR, and check the copy"},
};

#define NCMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

/* ctl_usage - the command summary */
static int
ctl_usage(FILE *fp, int status)
{
	size_t i;

	fprintf(fp, "usage: postdesk [-v] [-c FILE] COMMAND [ARGS]\n\n");
	for (i = 0; i < NCMDS; i++)
		if (strlen(ctl_cmds[i].args) > 32)	/* help below */
			fprintf(fp, "  %-6s %s\n  %-39s %s\n", ctl_cmds[i].name,
			    ctl_cmds[i].args, "", ctl_cmds[i].help);
		else
			fprintf(fp, "  %-6s %-32s %s\n", ctl_cmds[i].name,
			    ctl_cmds[i].args, ctl_cmds[i].help);
	fprintf(fp, "\nSee postdesk(1).\n");
	return status;
}

/* ctl_status - report an error and choose the exit status */
int
ctl_status(const struct pd_err *err)
{
	fprintf(stderr, "postdesk: %s\n", err->text);
	switch (err->class) {
	case PD_OK:
		return EX_OK;
	case PD_ECONFIG:
		return EX_CONFIG;
	case PD_EDATA:
		return EX_DATAERR;
	default:
		return EX_TEMPFAIL;
	}
}

/* ctl_store - switch to the owner of data_directory, open the store */
int
ctl_store(struct ctl *c, int flags, struct store **st, struct pd_err *err)
{
	long uid;

	*st = NULL;
	if (priv_become_owner(c->conf.data_directory, &uid, err) < 0 ||
	    store_open(c->conf.data_directory, c->conf.map_size, flags, st,
	    err) < 0)
		return -1;
	return 0;
}

/* ctl_read - the configuration, then a read transaction on the store (as
 * its owner); 0, or the exit status with the reason printed */
int
ctl_read(struct ctl *c, struct store **st, struct store_txn **txn)
{
	struct pd_err err;
	int rc;

	*st = NULL;
	*txn = NULL;
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	if (ctl_store(c, STORE_RDONLY, st, &err) < 0 ||
	    store_read(*st, txn, &err) < 0) {
		*st = store_close(*st);
		return ctl_status(&err);
	}
	return 0;
}

/* ctl_load_conf - load once; errors name file, line and key */
int
ctl_load_conf(struct ctl *c)
{
	struct pd_err err;

	if (c->conf_loaded)
		return 0;
	err_clear(&err);
	if (conf_load(conf_path(c->config), &c->conf, &err) < 0) {
		conf_free(&c->conf);
		return ctl_status(&err);
	}
	c->conf_loaded = 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctl c;
	size_t k;
	int i, rc;

	priv_init();
	memset(&c, 0, sizeof(c));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0)
			c.verbose++;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			c.config = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return ctl_usage(stdout, 0);
		else if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("postdesk %s\n", PACKAGE_VERSION);
			return 0;
		} else
			return ctl_usage(stderr, EX_USAGE);
	}
	log_init("postdesk", c.verbose, EX_TEMPFAIL);
	if (i >= argc)
		return ctl_usage(stderr, EX_USAGE);
	for (k = 0; k < NCMDS; k++) {
		if (strcmp(argv[i], ctl_cmds[k].name) == 0) {
			rc = ctl_cmds[k].fn(&c, argc - i, argv + i);
			if (c.conf_loaded)
				conf_free(&c.conf);
			return rc;
		}
	}
	fprintf(stderr, "postdesk: unknown command \"%s\"\n", argv[i]);
	return ctl_usage(stderr, EX_USAGE);
}

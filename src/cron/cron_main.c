/*
 * cron_main.c - postdesk-cron: everything time does
 *
 * Usage: postdesk-cron [-v] [-c FILE] [--dry-run]
 * Run every minute from cron(8) or a systemd timer. It reads the store's
 * due-index up to now (POSTDESK_NOW when set) and does each due item in
 * its own short transaction; so far that is the outbox: notifications the
 * filter could not hand to the MTA are retried with backoff and given up
 * after notify_max_age. Running it twice, or two at once, does nothing
 * twice. One log line per change and a summary line. Exit 0, or 75 on a
 * temporary failure (the next run retries), 78 on a configuration error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/priv.h"
#include "store/store.h"
#include "notify/notify.h"

struct cron_stats {
	int	sent;
	int	deferred;
	int	failed;
	int	due;
};

/* cron_report - one log line per outbox entry tried */
static void
cron_report(const struct notify_result *r, void *arg)
{
	struct cron_stats *cs = arg;

	cs->due++;
	if (r->ticket == 0 && r->recipient[0] == '\0') {
		log_info("outbox=%llu %s", (unsigned long long)r->id, r->why);
		return;
	}
	if (r->sent == 1) {
		cs->sent++;
		log_info("ticket=%llu notify=%llu event=%s to=<%s> status=sent",
		    (unsigned long long)r->ticket, (unsigned long long)r->id,
		    r->event, r->recipient);
	} else {
		if (r->sent < 0)
			cs->failed++;
		else
			cs->deferred++;
		log_warn("ticket=%llu notify=%llu event=%s to=<%s> status=%s "
		    "(%s)", (unsigned long long)r->ticket,
		    (unsigned long long)r->id, r->event, r->recipient,
		    r->sent < 0 ? "given up" : "deferred", r->why);
	}
}

/* cron_exit - map an error class to an exit status */
static int
cron_exit(const struct pd_err *err)
{
	log_error("%s", err->text);
	if (!log_verbose())
		fprintf(stderr, "postdesk-cron: %s\n", err->text);
	return err->class == PD_ECONFIG ? EX_CONFIG : EX_TEMPFAIL;
}

int
main(int argc, char **argv)
{
	struct pd_conf conf;
	struct pd_err err;
	struct store *st = NULL;
	struct cron_stats cs;
	const char *config = NULL;
	int verbose = 0, dry = 0, i, rc = 0;
	long uid;
	time_t now;

	priv_init();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose++;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--dry-run") == 0 ||
		    strcmp(argv[i], "-n") == 0)
			dry = 1;
		else if (strcmp(argv[i], "-V") == 0) {
			printf("postdesk-cron %s\n", PACKAGE_VERSION);
			return 0;
		} else {
			fprintf(stderr, "usage: postdesk-cron [-v] [-c FILE] "
			    "[--dry-run]\n");
			return EX_USAGE;
		}
	}
	log_init("postdesk-cron", verbose, EX_TEMPFAIL);
	signal(SIGPIPE, SIG_IGN);
	err_clear(&err);
	if (conf_load(conf_path(config), &conf, &err) < 0)
		return cron_exit(&err);
	if (priv_become_owner(conf.data_directory, &uid, &err) < 0 ||
	    store_open(conf.data_directory, conf.map_size, 0, &st, &err) < 0) {
		rc = cron_exit(&err);
		conf_free(&conf);
		return rc;
	}
	memset(&cs, 0, sizeof(cs));
	now = clock_now();
	if (notify_run_due(st, &conf, now, dry, cron_report, &cs, &err) < 0)
		rc = cron_exit(&err);
	log_info("%sdone: %d due, %d sent, %d deferred, %d given up",
	    dry ? "dry run " : "", cs.due, cs.sent, cs.deferred, cs.failed);
	store_close(st);
	conf_free(&conf);
	return rc;
}

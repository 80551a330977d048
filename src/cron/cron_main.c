/*
 * cron_main.c - postdesk-cron: everything time does
 *
 * Usage: postdesk-cron [-v] [-c FILE] [--dry-run]
 * Run every minute from cron(8) or a systemd timer. It reads the store's
 * due-index up to now (POSTDESK_NOW when set) and does each due item in
 * its own short transaction: locks past lock_timeout are released, and
 * notifications the filter could not hand to the MTA are retried with
 * backoff and given up after notify_max_age. Running it twice, or two at once, does nothing
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
#include "filter/agent.h"

struct unlock_ids {
	uint64_t *v;
	size_t	n;
};

struct unlock_one {
	uint64_t id;
	time_t	now;
	int	done;
};

/* collect_unlock - due-index callback: expired locks */
static int
collect_unlock(time_t when, int kind, uint64_t id, void *arg)
{
	struct unlock_ids *u = arg;

	(void)when;
	if (kind != STORE_DUE_UNLOCK)
		return 0;
	u->v = realloc(u->v, (u->n + 1) * sizeof(*u->v));
	if (u->v == NULL)
		log_fatal("out of memory");
	u->v[u->n++] = id;
	return 0;
}

/* unlock_txn - one expired lock, in its own transaction */
static int
unlock_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct unlock_one *u = arg;
	int rc = agent_unlock_due(txn, u->id, u->now, err);

	u->done = rc == 1;
	return rc < 0 ? -1 : 0;
}

/* cron_unlock - lock expiry (lock_timeout) */
static int
cron_unlock(struct store *st, time_t now, int dry, int *count,
	    struct pd_err *err)
{
	struct unlock_ids u = { NULL, 0 };
	struct store_txn *txn;
	struct unlock_one one;
	size_t i;
	int rc;

	if (store_read(st, &txn, err) < 0)
		return -1;
	rc = store_due_iter(txn, now, collect_unlock, &u, err);
	store_abort(txn);
	for (i = 0; rc == 0 && i < u.n; i++) {
		if (dry) {
			log_info("ticket=%llu lock expired (dry run)",
			    (unsigned long long)u.v[i]);
			continue;
		}
		one.id = u.v[i];
		one.now = now;
		one.done = 0;
		rc = store_write(st, unlock_txn, &one, err);
		if (rc == 0 && one.done) {
			(*count)++;
			log_info("ticket=%llu action=unlock reason=lock_timeout",
			    (unsigned long long)u.v[i]);
		}
	}
	free(u.v);
	return rc;
}

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
	int verbose = 0, dry = 0, i, rc = 0, unlocked = 0;
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
	if (cron_unlock(st, now, dry, &unlocked, &err) < 0 ||
	    notify_run_due(st, &conf, now, dry, cron_report, &cs, &err) < 0)
		rc = cron_exit(&err);
	log_info("%sdone: %d unlocked, %d notifications due, %d sent, "
	    "%d deferred, %d given up", dry ? "dry run " : "", unlocked,
	    cs.due, cs.sent, cs.deferred, cs.failed);
	store_close(st);
	conf_free(&conf);
	return rc;
}

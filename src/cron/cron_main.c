/*
 * cron_main.c - postdesk-cron: everything time does
 *
 * Usage: postdesk-cron [-v] [-c FILE] [--dry-run]
 * Run every minute from cron(8) or a systemd timer. It reads the store's
 * due-index up to now (POSTDESK_NOW when set) and does each due item in
 * its own short transaction: locks past lock_timeout are released;
 * sendbird tickets go idle after idle_after of silence following an
 * agent's message; chatdesk out-of-hours sessions end after
 * session_timeout and closed chatdesk tickets are archived after
 * archive_after; spam and deleted tickets are purged after
 * purge_spam_after / purge_deleted_after; notifications the filter
 * could not hand to the MTA are retried with backoff and given up after
 * notify_max_age; and what "postdesk explain QUEUE-ID" knows is
 * forgotten after explain_keep. Running it twice, or two at once, does
 * nothing twice. One log line per change and a summary line. Exit 0, 75 on a
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
#include "token/token.h"
#include "core/workflow.h"
#include "util/agents.h"
#include "mail/mail_parse.h"
#include "filter/agent.h"
#include "filter/timeouts.h"

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

struct due_item {
	time_t	when;
	int	kind;
	uint64_t id;
};

struct due_list {
	struct due_item *v;
	size_t	n;
};

#define DUE_BATCH	1000	/* due items per write transaction */

struct due_one {
	struct agent_act *act;
	const struct due_item *it;	/* the batch */
	size_t	n;
	const char *what[DUE_BATCH];
	int	done[DUE_BATCH];
};

/* collect_due - every due entry but the outbox (notify_run_due's) */
static int
collect_due(time_t when, int kind, uint64_t id, void *arg)
{
	struct due_list *d = arg;

	if (kind == STORE_DUE_OUTBOX)
		return 0;
	d->v = realloc(d->v, (d->n + 1) * sizeof(*d->v));
	if (d->v == NULL)
		log_fatal("out of memory");
	d->v[d->n].when = when;
	d->v[d->n].kind = kind;
	d->v[d->n++].id = id;
	return 0;
}

/* due_txn - a batch of due entries in one short transaction; each is
 * checked again inside it, so a second run (or a second cron) finds its
 * condition gone and does nothing */
static int
due_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct due_one *o = arg;
	const struct due_item *it;
	size_t i;
	int rc;

	o->act->noutbox = 0;
	for (i = 0; i < o->n; i++) {
		it = &o->it[i];
		o->done[i] = 0;
		o->what[i] = "nothing";
		if (it->kind == STORE_DUE_UNLOCK) {
			rc = agent_unlock_due(txn, it->id, o->act->now, err);
			if (rc == 1)
				o->what[i] = "unlock";
			if (rc >= 0 && store_due_del(txn, it->when, it->kind,
			    it->id, err) < 0)
				return -1;
		} else {
			/* keep the notifications of earlier items */
			size_t keep = o->act->noutbox;
			uint64_t *ids = NULL;

			if (keep > 0) {
				ids = malloc(keep * sizeof(*ids));
				if (ids == NULL)
					log_fatal("out of memory");
				memcpy(ids, o->act->outbox, keep * sizeof(*ids));
			}
			rc = timeouts_apply(txn, o->act, it->kind, it->id,
			    it->when, &o->what[i], err);
			if (keep > 0) {
				size_t n = o->act->noutbox;

				o->act->outbox = realloc(o->act->outbox,
				    (keep + n + 1) * sizeof(*ids));
				if (o->act->outbox == NULL)
					log_fatal("out of memory");
				memmove(o->act->outbox + keep, o->act->outbox,
				    n * sizeof(*ids));
				memcpy(o->act->outbox, ids, keep * sizeof(*ids));
				o->act->noutbox = keep + n;
				free(ids);
			}
		}
		if (rc < 0)
			return -1;
		o->done[i] = rc == 1;
	}
	return 0;
}

/* cron_due - idle, session end, archive, purge, lock expiry */
static int
cron_due(struct store *st, struct agent_act *act, int dry, int *count,
	 struct pd_err *err)
{
	struct due_list d = { NULL, 0 };
	struct store_txn *txn;
	struct due_one one;
	size_t i;
	int rc;

	if (store_read(st, &txn, err) < 0)
		return -1;
	rc = store_due_iter(txn, act->now, collect_due, &d, err);
	store_abort(txn);
	for (i = 0; rc == 0 && i < d.n; i += one.n) {
		size_t k;

		one.act = act;
		one.it = &d.v[i];
		one.n = d.n - i > DUE_BATCH ? DUE_BATCH : d.n - i;
		if (dry) {
			for (k = 0; k < one.n; k++)
				log_info("ticket=%llu due kind=%d (dry run)",
				    (unsigned long long)one.it[k].id,
				    one.it[k].kind);
			continue;
		}
		rc = store_write(st, due_txn, &one, err);
		for (k = 0; rc == 0 && k < one.n; k++)
			if (one.done[k]) {
				(*count)++;
				log_info("ticket=%llu action=%s",
				    (unsigned long long)one.it[k].id,
				    one.what[k]);
			}
		/* the notifications this change queued go out now */
		if (rc == 0 && act->noutbox > 0) {
			struct pd_err serr;

			err_clear(&serr);
			if (notify_send(st, act->nctx->conf, act->outbox,
			    act->noutbox, NULL, NULL, &serr) < 0)
				log_warn("%s", serr.text);
			act->noutbox = 0;
		}
	}
	free(d.v);
	return rc;
}

/* cron_explain - forget what intakes older than explain_keep saw */
static int
cron_explain(struct store *st, long keep, time_t now, int dry,
	     struct pd_err *err)
{
	size_t removed;

	if (keep == 0 || dry)
		return 0;
	if (store_explain_prune(st, now - keep, &removed, err) < 0)
		return -1;
	if (removed > 0)
		log_info("explain: forgot %zu queue ids older than "
		    "explain_keep", removed);
	return 0;
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
	struct pd_agents agents;
	struct pd_keyring *keys = NULL;
	struct notify_ctx nctx;
	struct agent_act act;
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
	memset(&agents, 0, sizeof(agents));
	memset(&nctx, 0, sizeof(nctx));
	memset(&act, 0, sizeof(act));
	if ((nctx.wf = workflow_conf(&conf, &err)) == NULL) {
		rc = cron_exit(&err);
		conf_free(&conf);
		return rc;
	}
	if (agents_load(conf.agents_file, &agents, &err) < 0 ||
	    priv_become_owner(conf.data_directory, &uid, &err) < 0 ||
	    token_init() < 0 ||
	    (keys = keyfile_load(conf.key_file, &err)) == NULL ||
	    store_open(conf.data_directory, conf.map_size, 0, &st, &err) < 0) {
		rc = cron_exit(&err);
		token_keyring_free(keys);
		agents_free(&agents);
		conf_free(&conf);
		return rc;
	}
	mail_init();
	nctx.conf = &conf;
	nctx.keys = keys;
	nctx.agents = &agents;
	act.nctx = &nctx;
	memset(&cs, 0, sizeof(cs));
	now = clock_now();
	act.now = now;
	if (cron_due(st, &act, dry, &unlocked, &err) < 0 ||
	    notify_run_due(st, &conf, now, dry, cron_report, &cs, &err) < 0 ||
	    cron_explain(st, conf.explain_keep, now, dry, &err) < 0)
		rc = cron_exit(&err);
	log_info("%sdone: %d tickets changed, %d notifications due, %d sent, "
	    "%d deferred, %d given up", dry ? "dry run " : "", unlocked,
	    cs.due, cs.sent, cs.deferred, cs.failed);
	agent_act_free(&act);
	store_close(st);
	token_keyring_free(keys);
	agents_free(&agents);
	conf_free(&conf);
	return rc;
}

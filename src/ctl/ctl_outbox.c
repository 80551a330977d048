/*
 * ctl_outbox.c - postdesk outbox: the notifications waiting for the MTA,
 * and the operator's second chance for them
 *
 * outbox [--json] lists every entry with its state (queued, deferred,
 * given up), attempts and last error. outbox --retry ID|all hands the
 * entry (or every entry) to the MTA now, once, as postdesk-cron would,
 * given-up ones included: a delivered one leaves the outbox, one refused
 * again is deferred, or given up again when it is older than
 * notify_max_age; one line per entry, exit 1 when any was not taken.
 * outbox --drop ID|given-up removes one entry, or every given-up one,
 * without sending it.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/priv.h"
#include "util/xalloc.h"
#include "notify/notify.h"
#include "store/store.h"
#include "ctl/ctl.h"

struct outbox_list {
	json_t	*a;
	int	json;
	int	n;
};

/* outbox_row - one entry */
static int
outbox_row(const struct pd_outbox *o, void *arg)
{
	struct outbox_list *ol = arg;
	char created[32], next[32];
	const char *state = o->next_try == 0 ? "given up" :
	    o->attempts > 0 ? "deferred" : "queued";

	clock_format_iso(o->created, created, sizeof(created));
	clock_format_iso(o->next_try, next, sizeof(next));
	ol->n++;
	if (ol->json) {
		json_t *j = json_object();

		json_object_set_new(j, "id", json_integer((json_int_t)o->id));
		json_object_set_new(j, "ticket",
		    json_integer((json_int_t)o->ticket));
		json_object_set_new(j, "event", json_string(o->event));
		json_object_set_new(j, "recipient", json_string(o->recipient));
		json_object_set_new(j, "state", json_string(state));
		json_object_set_new(j, "created", json_string(created));
		json_object_set_new(j, "next_try", o->next_try ?
		    json_string(next) : json_null());
		json_object_set_new(j, "attempts", json_integer(o->attempts));
		json_object_set_new(j, "last_error", json_string(
		    o->last_error));
		json_array_append_new(ol->a, j);
	} else {
		printf("%-6" PRIu64 " %-6" PRIu64 " %-15s %-9s %-3u %-28.28s %s\n",
		    o->id, o->ticket, o->event, state, o->attempts,
		    o->recipient, o->last_error);
	}
	return 0;
}

/* The entries an action takes: by id, or all (retry) or all given up
 * (drop), and what the write transaction did with them. */
struct outbox_pick {
	uint64_t id;		/* 0: every entry the action takes */
	int	drop;		/* --drop (else --retry) */
	time_t	now;
	uint64_t *ids;		/* retry: the entries to hand over */
	size_t	n;
	int	found;		/* the id named exists */
};

/* pick_one - collect one entry for the action; a given-up one to retry
 * goes back into the due-index, due now */
static int
pick_one(struct store_txn *t, struct pd_outbox *o, struct outbox_pick *p,
	 struct pd_err *err)
{
	p->found = 1;
	if (p->drop) {
		if (p->id == 0 && o->next_try != 0)
			return 0;	/* drop given-up: not given up */
		p->n++;
		return store_outbox_done(t, o, err);
	}
	p->ids = xrealloc(p->ids, (p->n + 1) * sizeof(*p->ids));
	p->ids[p->n++] = o->id;
	if (o->next_try != 0)
		return 0;
	o->next_try = p->now;
	return store_outbox_retry(t, o, 0, err);
}

/* collect - the ids of every entry (store_outbox_iter lends each) */
struct id_list {
	uint64_t *v;
	size_t	n;
};

static int
collect(const struct pd_outbox *o, void *arg)
{
	struct id_list *l = arg;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = o->id;
	return 0;
}

/* pick_txn - the action's write transaction */
static int
pick_txn(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct outbox_pick *p = arg;
	struct id_list all = { NULL, 0 };
	struct pd_outbox *o;
	size_t i;
	int rc = 0;

	free(p->ids);
	p->ids = NULL;
	p->n = 0;
	p->found = 0;
	if (p->id != 0) {
		all.v = xmalloc(sizeof(*all.v));
		all.v[all.n++] = p->id;
	} else if (store_outbox_iter(t, collect, &all, err) < 0)
		return -1;
	for (i = 0; rc == 0 && i < all.n; i++) {
		if ((rc = store_outbox_get(t, all.v[i], &o, err)) <= 0)
			continue;
		rc = pick_one(t, o, p, err);
		store_outbox_free(o);
	}
	free(all.v);
	return rc < 0 ? -1 : 0;
}

/* retry_report - one line per entry handed over, as postdesk-cron logs */
static void
retry_report(const struct notify_result *r, void *arg)
{
	int *notsent = arg;
	const char *status = r->sent == 1 ? "sent" : r->sent < 0 ?
	    "given up" : "deferred";

	if (r->sent != 1)
		(*notsent)++;
	printf("outbox=%" PRIu64 " ticket=%" PRIu64 " event=%s to=<%s> "
	    "status=%s%s%s%s\n", r->id, r->ticket, r->event, r->recipient,
	    status, r->sent == 1 ? "" : " (", r->sent == 1 ? "" : r->why,
	    r->sent == 1 ? "" : ")");
	if (r->sent == 1)
		log_info("ticket=%" PRIu64 " notify=%" PRIu64 " event=%s "
		    "to=<%s> status=sent (postdesk outbox --retry)",
		    r->ticket, r->id, r->event, r->recipient);
	else
		log_warn("ticket=%" PRIu64 " notify=%" PRIu64 " event=%s "
		    "to=<%s> status=%s (%s) (postdesk outbox --retry)",
		    r->ticket, r->id, r->event, r->recipient, status, r->why);
}

/* outbox_act - --retry or --drop of ID, all or given-up */
static int
outbox_act(struct ctl *c, int drop, const char *what)
{
	struct outbox_pick p;
	struct store *st = NULL;
	struct pd_err err;
	char *end;
	int rc, notsent = 0;

	memset(&p, 0, sizeof(p));
	p.drop = drop;
	if (strcmp(what, drop ? "given-up" : "all") != 0) {
		p.id = strtoull(what, &end, 10);
		if (what[0] < '1' || what[0] > '9' || *end != '\0') {
			fprintf(stderr, "usage: postdesk outbox --retry ID|all "
			    "| --drop ID|given-up\n");
			return EX_USAGE;
		}
	}
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	p.now = clock_now();
	if (ctl_store(c, 0, &st, &err) < 0 ||
	    store_write(st, pick_txn, &p, &err) < 0) {
		store_close(st);
		free(p.ids);
		return ctl_status(&err);
	}
	rc = 0;
	if (p.id != 0 && !p.found) {
		fprintf(stderr, "postdesk: no outbox entry %" PRIu64 "\n",
		    p.id);
		rc = 1;
	} else if (drop) {
		printf("postdesk: dropped %zu outbox entr%s\n", p.n,
		    p.n == 1 ? "y" : "ies");
		if (p.n > 0)
			log_info("dropped %zu outbox entr%s (postdesk outbox "
			    "--drop %s)", p.n, p.n == 1 ? "y" : "ies", what);
	} else if (p.n == 0)
		printf("(the outbox is empty)\n");
	else if (notify_send(st, &c->conf, p.ids, p.n, retry_report,
	    &notsent, &err) < 0)
		rc = ctl_status(&err);
	else
		rc = notsent > 0 ? 1 : 0;
	store_close(st);
	free(p.ids);
	return rc;
}

/* ctl_outbox - postdesk outbox [--json] | --retry ID|all |
 * --drop ID|given-up */
int
ctl_outbox(struct ctl *c, int argc, char **argv)
{
	struct outbox_list ol;
	struct store *st = NULL;
	struct store_txn *txn;
	struct pd_err err;
	int rc;

	memset(&ol, 0, sizeof(ol));
	if (argc == 3 && strcmp(argv[1], "--retry") == 0)
		return outbox_act(c, 0, argv[2]);
	if (argc == 3 && strcmp(argv[1], "--drop") == 0)
		return outbox_act(c, 1, argv[2]);
	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		ol.json = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: postdesk outbox [--json] | --retry "
		    "ID|all | --drop ID|given-up\n");
		return EX_USAGE;
	}
	if ((rc = ctl_read(c, &st, &txn)) != 0)
		return rc;
	err_clear(&err);
	ol.a = json_array();
	if (!ol.json)
		printf("%-6s %-6s %-15s %-9s %-3s %-28s %s\n", "ID", "TICKET",
		    "EVENT", "STATE", "TRY", "RECIPIENT", "LAST ERROR");
	rc = store_outbox_iter(txn, outbox_row, &ol, &err) < 0 ?
	    ctl_status(&err) : 0;
	store_abort(txn);
	store_close(st);
	if (rc == 0 && ol.json) {
		json_dumpf(ol.a, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (rc == 0 && ol.n == 0)
		printf("(the outbox is empty)\n");
	json_decref(ol.a);
	return rc;
}

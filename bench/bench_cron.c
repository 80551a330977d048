/*
 * bench_cron.c - a bulk loader for the postdesk-cron benchmark
 *
 * Usage: bench_cron load DIR N NOW     N tickets into the store in DIR
 *        bench_cron due DIR D NOW      make D of them due to go idle
 *        bench_cron count DIR STATUS   how many tickets are in STATUS
 *
 * NOW is a time_t (seconds); postdesk-cron is then run with POSTDESK_NOW
 * set to the same moment. DIR is a data directory made by "postdesk init"
 * (its store exists; the key next to it is postdesk-cron's). The loader
 * links the store library directly (store.h) and writes the records
 * itself, not through the filter: one write transaction per 100,000
 * tickets, ids ascending, so LMDB only ever appends.
 *
 * "load": ticket i (1..N) has one small customer message (its raw bytes,
 * the message record, the Message-ID index), one "created" event and a
 * sendbird status that depends on i % 10:
 *   0     active, assigned, the agent spoke last 10 minutes before NOW:
 *         an idle due-index entry at NOW + 50 minutes, not yet due (this
 *         is what ticket_save() would have scheduled);
 *   1-3   pending;  4-5 in_progress;  6-8 closed;  9 idle.
 * So N / 10 tickets are candidates and the due-index holds N / 10 entries,
 * none of them due at NOW.
 * "due": the first D candidates (ids 10, 20, ...) get last_agent two hours
 * before NOW and a STORE_DUE_IDLE entry at NOW - 1 hour, as if the agent
 * had answered then and the customer had been silent since; with the
 * default idle_after (1h) each of them really goes idle. D must not
 * exceed N / 10. One transaction for all D.
 * "count": prints the number of tickets in a status (the status index).
 *
 * Exit status: 0 done; 64 usage; 75 a store error (one line on stderr).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "util/err.h"
#include "util/pd_types.h"
#include "store/store.h"

#define MAP_SIZE	(8ULL * 1024 * 1024 * 1024)
#define PER_TXN		100000
#define IDLE_AFTER	3600

struct load {
	uint64_t first;		/* the first index of this transaction */
	uint64_t n;		/* how many in this transaction */
	time_t	now;
};

struct due {
	uint64_t d;
	time_t	now;
};

static const char *status_of(uint64_t);
static int put_one(struct store_txn *, uint64_t, time_t, struct pd_err *);
static int load_txn(struct store_txn *, void *, struct pd_err *);
static int due_txn(struct store_txn *, void *, struct pd_err *);
static int count_one(const struct pd_ticket *, void *);
static int usage(void);

/* usage - the synopsis; EX_USAGE */
static int
usage(void)
{
	fprintf(stderr, "usage: bench_cron load DIR N NOW\n"
	    "       bench_cron due DIR D NOW\n"
	    "       bench_cron count DIR STATUS\n");
	return EX_USAGE;
}

/* status_of - the status of ticket i (see the header) */
static const char *
status_of(uint64_t i)
{
	switch (i % 10) {
	case 0:
		return "active";
	case 1: case 2: case 3:
		return "pending";
	case 4: case 5:
		return "in_progress";
	case 9:
		return "idle";
	default:
		return "closed";
	}
}

/* put_one - ticket i with its message, raw bytes, event and due entry */
static int
put_one(struct store_txn *txn, uint64_t i, time_t now, struct pd_err *err)
{
	struct pd_ticket t;
	struct pd_stored_msg m;
	struct pd_event e;
	char addr[64], subject[64], msgid[80], text[160], raw[512];
	char *parts[1];
	uint64_t id;
	int n;

	if (store_ticket_new_id(txn, &id, err) < 0)
		return -1;
	snprintf(addr, sizeof(addr), "customer%" PRIu64 "@example.net", i);
	snprintf(subject, sizeof(subject), "Question number %" PRIu64, i);
	snprintf(msgid, sizeof(msgid), "bench.%" PRIu64
	    "@mail.example.net", i);
	snprintf(text, sizeof(text), "Hello, this is question %" PRIu64
	    " about my order. Could you please have a look? Thanks.", i);
	n = snprintf(raw, sizeof(raw), "From: <%s>\nTo: support@example.com\n"
	    "Subject: %s\nMessage-ID: <%s>\n\n%s\n", addr, subject, msgid,
	    text);

	memset(&m, 0, sizeof(m));
	if (store_raw_put_ticket(txn, id, raw, (size_t)n, m.raw_hash,
	    err) < 0)
		return -1;
	m.ticket = id;
	m.seq = 1;
	m.received = now - 3 * 3600;
	m.author = PD_AUTHOR_CUSTOMER;
	m.from_addr = addr;
	m.from_name = "";
	m.subject = subject;
	m.message_id = msgid;
	m.queue_id = "";
	m.recipient = "support@example.com";
	m.text = text;
	m.raw_size = (uint64_t)n;
	m.visibility = PD_VIS_PUBLIC;
	if (store_msg_put(txn, &m, err) < 0)
		return -1;

	memset(&e, 0, sizeof(e));
	e.ticket = id;
	e.seq = 1;
	e.time = m.received;
	e.actor = addr;
	e.kind = "created";
	e.detail = "status pending";
	if (store_event_put(txn, &e, err) < 0)
		return -1;

	memset(&t, 0, sizeof(t));
	parts[0] = addr;
	t.id = id;
	t.status = (char *)status_of(i);
	t.subject = subject;
	t.requester = addr;
	t.requester_name = "";
	t.queue = "";
	t.created = t.updated = m.received;
	t.nmsgs = 1;
	t.nevents = 1;
	t.participants = parts;
	t.nparticipants = 1;
	t.assignee = i % 10 == 0 ? "ann@agents.example" : "";
	t.priority = "normal";
	t.lock_holder = "";
	t.last_public_agent = "";
	t.last_assignee = "";
	t.last_customer = m.received;
	t.status_at = m.received;
	if (i % 10 == 0) {
		/* the agent answered 10 minutes ago: idle in 50 minutes */
		t.last_agent = now - 600;
		t.last_public_agent = "ann@agents.example";
		if (store_due_put(txn, t.last_agent + IDLE_AFTER,
		    STORE_DUE_IDLE, id, err) < 0)
			return -1;
	}
	return store_ticket_put(txn, &t, err);
}

/* load_txn - one transaction's worth of tickets */
static int
load_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct load *l = arg;
	uint64_t i;

	for (i = l->first; i < l->first + l->n; i++)
		if (put_one(txn, i, l->now, err) < 0)
			return -1;
	return 0;
}

/* due_txn - the first D candidates become due */
static int
due_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct due *d = arg;
	struct pd_ticket *t = NULL;
	uint64_t k;
	int rc;

	for (k = 1; k <= d->d; k++) {
		if ((rc = store_ticket_get(txn, k * 10, &t, err)) < 0)
			return -1;
		if (rc == 0 || strcmp(t->status, "active") != 0) {
			store_ticket_free(t);
			return err_set(err, PD_EDATA, "ticket %" PRIu64 " is "
			    "not an active candidate", k * 10);
		}
		t->last_agent = d->now - 2 * 3600;
		if (store_due_put(txn, t->last_agent + IDLE_AFTER,
		    STORE_DUE_IDLE, t->id, err) < 0 ||
		    store_ticket_put(txn, t, err) < 0) {
			store_ticket_free(t);
			return -1;
		}
		store_ticket_free(t);
		t = NULL;
	}
	return 0;
}

/* count_one - iterator: count */
static int
count_one(const struct pd_ticket *t, void *arg)
{
	(void)t;
	(*(uint64_t *)arg)++;
	return 0;
}

int
main(int argc, char **argv)
{
	struct store *st = NULL;
	struct store_txn *txn = NULL;
	struct pd_err err;
	struct load l;
	struct due d;
	uint64_t n = 0, i;
	char *end;
	int rc = 0;

	if (argc != 5 && !(argc == 4 && strcmp(argv[1], "count") == 0))
		return usage();
	if (argc == 5) {
		n = strtoull(argv[3], &end, 10);
		if (*end != '\0' || n == 0)
			return usage();
		l.now = d.now = (time_t)strtoll(argv[4], &end, 10);
		if (*end != '\0' || l.now <= 0)
			return usage();
	}
	err_clear(&err);
	if (store_open(argv[2], MAP_SIZE, 0, &st, &err) < 0) {
		fprintf(stderr, "bench_cron: %s\n", err.text);
		return EX_TEMPFAIL;
	}
	if (strcmp(argv[1], "load") == 0) {
		for (i = 1; rc == 0 && i <= n; i += PER_TXN) {
			l.first = i;
			l.n = n - i + 1 < PER_TXN ? n - i + 1 : PER_TXN;
			rc = store_write(st, load_txn, &l, &err);
		}
	} else if (strcmp(argv[1], "due") == 0) {
		d.d = n;
		rc = store_write(st, due_txn, &d, &err);
	} else if (strcmp(argv[1], "count") == 0) {
		if ((rc = store_read(st, &txn, &err)) == 0) {
			rc = store_ticket_iter(txn, argv[3], count_one, &n,
			    &err);
			store_abort(txn);
		}
		if (rc == 0)
			printf("%" PRIu64 "\n", n);
	} else {
		store_close(st);
		return usage();
	}
	if (rc < 0)
		fprintf(stderr, "bench_cron: %s\n", err.text);
	store_close(st);
	return rc < 0 ? EX_TEMPFAIL : 0;
}

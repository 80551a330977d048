/*
 * notify_send.c - hand outbox entries to sendmail(1); retries and backoff
 *
 * Each delivery: read the entry (a read transaction), run sendmail with no
 * transaction open, then one short write transaction records the outcome:
 * taken → the entry is removed; refused → attempts+1, next try after a
 * backoff (1, 2, 4 ... minutes, at most an hour); older than
 * notify_max_age → given up: it leaves the due-index but stays in the
 * outbox with its last error, for "postdesk outbox". Two processes that
 * deliver the same entry at once are possible (the filter right after its
 * commit, and cron); both see it queued and both may send it, which mail
 * systems tolerate (same Message-ID). cron only looks at entries due,
 * and a new entry is due one sendmail_timeout after its creation, so the
 * filter's own attempt normally comes first.
 */
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/xalloc.h"
#include "store/store.h"
#include "notify/notify.h"

extern char **environ;

struct send_outcome {
	uint64_t id;
	int	ok;		/* sendmail took it */
	const char *why;
	time_t	now;
	long	max_age;
	struct notify_result *res;
};

struct due_ids {
	uint64_t *v;
	size_t	n;
	size_t	cap;
};

static int outcome_txn(struct store_txn *, void *, struct pd_err *);
static long elapsed_ms(const struct timespec *);

/* elapsed_ms - milliseconds since start */
static long
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* notify_sendmail - run sendmail -i -f SENDER -- RCPT, bounded in time.
 * The message is written to an anonymous file before the fork, so a
 * sendmail whose parent dies still reads the whole message, never half. */
int
notify_sendmail(const struct pd_conf *conf, const char *sender,
		const char *rcpt, const char *msg, size_t len, char *why,
		size_t whylen)
{
	int in, out[2], status, rc = -1;
	char output[512];
	size_t sent = 0, got = 0;
	struct timespec start;
	long limit = conf->sendmail_timeout * 1000L;
	pid_t pid;

	why[0] = '\0';
	if ((in = memfd_create("postdesk-notification", MFD_CLOEXEC)) < 0) {
		snprintf(why, whylen, "memfd_create: %s", strerror(errno));
		return -1;
	}
	while (sent < len) {
		ssize_t n = write(in, msg + sent, len - sent);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "writing the message: %s",
			    strerror(errno));
			close(in);
			return -1;
		}
		sent += (size_t)n;
	}
	if (lseek(in, 0, SEEK_SET) != 0 || pipe2(out, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		close(in);
		return -1;
	}
	/* posix_spawn (vfork and exec): no copy of the process's page tables,
	 * which a fork of a process with the store mapped would make */
	{
		posix_spawn_file_actions_t fa;
		char *argv[] = { "sendmail", "-i", "-f", (char *)sender, "--",
		    (char *)rcpt, NULL };
		int e;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, in, 0);
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
		posix_spawn_file_actions_adddup2(&fa, out[1], 2);
		e = posix_spawn(&pid, conf->sendmail_path, &fa, NULL, argv,
		    environ);
		posix_spawn_file_actions_destroy(&fa);
		if (e != 0) {
			snprintf(why, whylen, "cannot run %s: %s",
			    conf->sendmail_path, strerror(e));
			close(in), close(out[0]), close(out[1]);
			return -1;
		}
	}
	close(in);
	close(out[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* collect what it says, never waiting forever */
	while (out[0] >= 0) {
		struct pollfd p;
		long left = limit - elapsed_ms(&start);
		ssize_t n;

		if (left <= 0)
			break;
		p.fd = out[0];
		p.events = POLLIN;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (p.revents) {
			n = read(out[0], got < sizeof(output) - 1 ?
			    output + got : output, got < sizeof(output) - 1 ?
			    sizeof(output) - 1 - got : sizeof(output) - 1);
			if (n > 0 && got < sizeof(output) - 1)
				got += (size_t)n;
			else if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(out[0]);
				out[0] = -1;
			}
		}
	}
	output[got] = '\0';
	if (out[0] >= 0) {
		close(out[0]);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(why, whylen, "%s timed out after %lds",
		    conf->sendmail_path, conf->sendmail_timeout);
		return -1;
	}
	/* output closed: the child is exiting; bound the wait all the same */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (elapsed_ms(&start) > limit) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whylen, "%s timed out after %lds",
			    conf->sendmail_path, conf->sendmail_timeout);
			return -1;
		}
		usleep(100);
	}
	while (got > 0 && (output[got - 1] == '\n' || output[got - 1] == ' ' ||
	    output[got - 1] == '\r'))
		output[--got] = '\0';
	for (char *p = output; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status))
		snprintf(why, whylen, "%s exited %d%s%s", conf->sendmail_path,
		    WEXITSTATUS(status), got ? ": " : "", output);
	else
		snprintf(why, whylen, "%s killed by signal %d",
		    conf->sendmail_path, WTERMSIG(status));
	return rc;
}

/* outcome_txn - record what happened to one entry */
static int
outcome_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct send_outcome *so = arg;
	struct pd_outbox *o;
	time_t old;
	long backoff;
	int rc;

	if ((rc = store_outbox_get(txn, so->id, &o, err)) <= 0)
		return rc;	/* someone else delivered it meanwhile */
	so->res->ticket = o->ticket;
	snprintf(so->res->recipient, sizeof(so->res->recipient), "%s",
	    o->recipient);
	snprintf(so->res->event, sizeof(so->res->event), "%s", o->event);
	if (so->ok) {
		rc = store_outbox_done(txn, o, err);
		so->res->sent = 1;
	} else {
		old = o->next_try;
		o->attempts++;
		free(o->last_error);
		if (so->now - o->created >= so->max_age) {
			o->last_error = xasprintf("gave up after %u attempts: "
			    "%s", o->attempts, so->why);
			o->next_try = 0;
			/* keep it, out of the due-index, for display */
			rc = store_due_del(txn, old, STORE_DUE_OUTBOX, o->id,
			    err);
			if (rc == 0)
				rc = store_outbox_update(txn, o, err);
			so->res->sent = -1;
		} else {
			o->last_error = xstrdup(so->why);
			backoff = 60L << (o->attempts > 6 ? 6 : o->attempts - 1);
			if (backoff > 3600)
				backoff = 3600;
			o->next_try = so->now + backoff;
			rc = store_outbox_retry(txn, o, old, err);
			so->res->sent = 0;
		}
	}
	store_outbox_free(o);
	return rc;
}

/* send_try - hand one entry to sendmail (no transaction open while it
 * runs); 1 tried (so filled), 0 nothing to do, -1 error */
static int
send_try(struct store *st, const struct pd_conf *conf, uint64_t id,
	 time_t now, struct notify_result *res, struct send_outcome *so,
	 struct pd_err *err)
{
	struct store_txn *txn;
	struct pd_outbox *o = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	res->id = id;
	if (store_read(st, &txn, err) < 0)
		return -1;
	rc = store_outbox_get(txn, id, &o, err);
	store_abort(txn);
	if (rc <= 0)
		return rc;	/* gone: delivered by another process */
	if (o->next_try == 0) {
		store_outbox_free(o);
		return 0;	/* given up earlier */
	}
	memset(so, 0, sizeof(*so));
	so->id = id;
	so->now = now;
	so->max_age = conf->notify_max_age;
	so->res = res;
	so->ok = notify_sendmail(conf, o->sender, o->recipient, o->message,
	    strlen(o->message), res->why, sizeof(res->why)) == 0;
	so->why = res->why;
	store_outbox_free(o);
	return 1;
}

struct outcomes {
	struct send_outcome *v;
	size_t	n;
};

/* outcomes_txn - record a batch of outcomes in one transaction */
static int
outcomes_txn(struct store_txn *txn, void *arg, struct pd_err *err)
{
	struct outcomes *oc = arg;
	size_t i;

	for (i = 0; i < oc->n; i++)
		if (outcome_txn(txn, &oc->v[i], err) < 0)
			return -1;
	return 0;
}

/* send_batch - hand ids to sendmail, then record every outcome in one
 * durable transaction (one fsync for the batch, not one per mail) */
static int
send_batch(struct store *st, const struct pd_conf *conf, const uint64_t *ids,
	   size_t n, time_t now, int bounded,
	   void (*report)(const struct notify_result *, void *), void *arg,
	   struct pd_err *err)
{
	struct notify_result *res = xcalloc(n + 1, sizeof(*res));
	struct outcomes oc;
	struct timespec start;
	size_t i, left = 0;
	int rc = 0;

	oc.v = xcalloc(n + 1, sizeof(*oc.v));
	oc.n = 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < n; i++) {
		/* at most about twice sendmail_timeout; cron does the rest */
		if (bounded && elapsed_ms(&start) > conf->sendmail_timeout *
		    1000L) {
			left = n - i;
			break;
		}
		if ((rc = send_try(st, conf, ids[i], now, &res[oc.n],
		    &oc.v[oc.n], err)) < 0)
			break;
		if (rc == 1) {
			oc.v[oc.n].res = &res[oc.n];
			oc.v[oc.n].why = res[oc.n].why;
			oc.n++;
		}
		rc = 0;
	}
	/* lazy: a crash that undoes it only sends these again, with the
	 * same Message-IDs */
	if (oc.n > 0 && store_write_lazy(st, outcomes_txn, &oc, err) < 0)
		rc = -1;
	for (i = 0; rc == 0 && i < oc.n; i++)
		if (report != NULL)
			report(&res[i], arg);
	free(oc.v);
	free(res);
	if (rc == 0 && left > 0)
		return err_set(err, PD_ETEMP, "%zu of %zu notifications left "
		    "for postdesk-cron (slow sendmail)", left, n);
	return rc;
}

/* notify_send - deliver a list of entries now */
int
notify_send(struct store *st, const struct pd_conf *conf,
	    const uint64_t *ids, size_t n,
	    void (*report)(const struct notify_result *, void *), void *arg,
	    struct pd_err *err)
{
	return send_batch(st, conf, ids, n, clock_now(), 1, report, arg, err);
}

/* collect_due - due-index callback: outbox ids only */
static int
collect_due(time_t when, int kind, uint64_t id, void *arg)
{
	struct due_ids *d = arg;

	(void)when;
	if (kind != STORE_DUE_OUTBOX)
		return 0;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n++] = id;
	return 0;
}

/* notify_run_due - everything due now (cron) */
int
notify_run_due(struct store *st, const struct pd_conf *conf, time_t now,
	       int dry_run, void (*report)(const struct notify_result *,
	       void *), void *arg, struct pd_err *err)
{
	struct store_txn *txn;
	struct due_ids d;
	struct notify_result res;
	size_t i;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	if (store_read(st, &txn, err) < 0)
		return -1;
	rc = store_due_iter(txn, now, collect_due, &d, err);
	store_abort(txn);
	if (dry_run) {
		for (i = 0; i < d.n; i++) {
			memset(&res, 0, sizeof(res));
			res.id = d.v[i];
			snprintf(res.why, sizeof(res.why), "due (dry run)");
			if (report != NULL)
				report(&res, arg);
		}
	} else
		for (i = 0; rc == 0 && i < d.n; i += 100)
			rc = send_batch(st, conf, d.v + i, d.n - i > 100 ? 100 :
			    d.n - i, now, 0, report, arg, err);
	free(d.v);
	return rc;
}

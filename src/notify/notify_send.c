/*
 * notify_send.c - hand outbox entries to sendmail(1) or an SMTP server;
 *                 retries and backoff
 *
 * A batch of deliveries: read the entries (one read transaction), run
 * sendmail for each with no transaction open, up to NOTIFY_PARALLEL at
 * once (or, with notify_smtp set, hand them all over one SMTP session:
 * notify_smtp.c, a module loaded on first use), then one short write
 * transaction (store_write_lazy) records every outcome:
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

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
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

/* at most this many sendmails run at once (a message's notifications are
 * handed over side by side, not one after another) */
#define NOTIFY_PARALLEL	4

/* one running sendmail */
struct sm_run {
	pid_t	pid;
	int	out;		/* its stdout and stderr; -1 once closed */
	struct timespec start;
	char	output[512];	/* the first 511 bytes it wrote */
	size_t	got;
};

/* the SMTP module (notify_smtp.c), loaded once, when first needed */
#define SMTP_MODULE	"postdesk_smtp.so"

static pthread_once_t smtp_once = PTHREAD_ONCE_INIT;
static size_t (*smtp_send)(const struct pd_conf *, struct notify_handover *,
			   size_t, long);
static int (*smtp_probe)(const struct pd_conf *, char *, size_t);
static char smtp_error[2 * PATH_MAX + 256];

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

/* sm_start - start sendmail -i -f SENDER -- RCPT with the message on its
 * standard input; 0 running (r filled), -1 with why. The message is
 * written to an anonymous file before the spawn, so a sendmail whose
 * parent dies still reads the whole message, never half. */
static int
sm_start(const struct pd_conf *conf, const char *sender, const char *rcpt,
	 const char *msg, size_t len, struct sm_run *r, char *why,
	 size_t whylen)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "sendmail", "-i", "-f", (char *)sender, "--",
	    (char *)rcpt, NULL };
	int in, out[2], e;
	size_t sent = 0;

	memset(r, 0, sizeof(*r));
	r->out = -1;
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
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	e = posix_spawn(&r->pid, conf->sendmail_path, &fa, NULL, argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in);
	close(out[1]);
	if (e != 0) {
		snprintf(why, whylen, "cannot run %s: %s",
		    conf->sendmail_path, strerror(e));
		close(out[0]);
		return -1;
	}
	r->out = out[0];
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	return 0;
}

/* sm_read - take what a sendmail wrote (its first 511 bytes are kept);
 * close its output at the end */
static void
sm_read(struct sm_run *r)
{
	char scratch[512];
	ssize_t n;

	for (;;) {
		if (r->got < sizeof(r->output) - 1)
			n = read(r->out, r->output + r->got,
			    sizeof(r->output) - 1 - r->got);
		else
			n = read(r->out, scratch, sizeof(scratch));
		if (n > 0) {
			if (r->got < sizeof(r->output) - 1)
				r->got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close(r->out);	/* the end, or an error */
		r->out = -1;
		return;
	}
}

/* sm_wait - wait until some running sendmail wrote, ended or ran out of
 * time (at most sendmail_timeout) */
static void
sm_wait(const struct pd_conf *conf, struct sm_run *runs, size_t n)
{
	struct pollfd p[NOTIFY_PARALLEL];
	size_t map[NOTIFY_PARALLEL];
	long limit = conf->sendmail_timeout * 1000L, wait = limit, left;
	size_t i, np = 0;

	for (i = 0; i < n && np < NOTIFY_PARALLEL; i++) {
		if (runs[i].out < 0)
			continue;
		left = limit - elapsed_ms(&runs[i].start);
		if (left < wait)
			wait = left;
		p[np].fd = runs[i].out;
		p[np].events = POLLIN;
		p[np].revents = 0;
		map[np++] = i;
	}
	if (np == 0)
		return;
	if (wait < 0)
		wait = 0;
	if (poll(p, np, (int)wait) <= 0)
		return;
	for (i = 0; i < np; i++)
		if (p[i].revents != 0)
			sm_read(&runs[map[i]]);
}

/* sm_done - the sendmail's output is closed, or its time is up */
static int
sm_done(const struct pd_conf *conf, const struct sm_run *r)
{
	return r->out < 0 ||
	    elapsed_ms(&r->start) >= conf->sendmail_timeout * 1000L;
}

/* sm_finish - reap a sendmail that is done (sm_done); 0 it took the
 * message, -1 with why. Still running after its time: killed. */
static int
sm_finish(const struct pd_conf *conf, struct sm_run *r, char *why,
	  size_t whylen)
{
	long limit = conf->sendmail_timeout * 1000L;
	int status;
	size_t got = r->got;
	char *output = r->output;

	why[0] = '\0';
	if (r->out >= 0) {
		close(r->out);
		r->out = -1;
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &status, 0);
		snprintf(why, whylen, "%s timed out after %lds",
		    conf->sendmail_path, conf->sendmail_timeout);
		return -1;
	}
	/* output closed: the child is exiting; bound the wait all the same */
	while (waitpid(r->pid, &status, WNOHANG) == 0) {
		if (elapsed_ms(&r->start) > limit) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &status, 0);
			snprintf(why, whylen, "%s timed out after %lds",
			    conf->sendmail_path, conf->sendmail_timeout);
			return -1;
		}
		usleep(100);
	}
	output[got] = '\0';
	while (got > 0 && (output[got - 1] == '\n' || output[got - 1] == ' ' ||
	    output[got - 1] == '\r'))
		output[--got] = '\0';
	for (char *p = output; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, whylen, "%s exited %d%s%s", conf->sendmail_path,
		    WEXITSTATUS(status), got ? ": " : "", output);
	else
		snprintf(why, whylen, "%s killed by signal %d",
		    conf->sendmail_path, WTERMSIG(status));
	return -1;
}

/* smtp_load - dlopen the SMTP module: beside the program first (a build
 * tree), then in PKGLIBEXECDIR */
static void
smtp_load(void)
{
	char self[PATH_MAX], path[PATH_MAX + sizeof(SMTP_MODULE) + 1];
	const char *dir[2] = { NULL, PKGLIBEXECDIR };
	ssize_t n;
	void *h = NULL;
	int i;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if (strrchr(self, '/') != NULL) {
			*strrchr(self, '/') = '\0';
			dir[0] = self;
		}
	}
	snprintf(smtp_error, sizeof(smtp_error), "the module %s is not "
	    "installed in %s", SMTP_MODULE, PKGLIBEXECDIR);
	for (i = 0; i < 2 && h == NULL; i++) {
		if (dir[i] == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir[i], SMTP_MODULE);
		if (access(path, R_OK) != 0)
			continue;
		if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL)
			snprintf(smtp_error, sizeof(smtp_error), "cannot "
			    "load %s: %s", path, dlerror());
	}
	if (h == NULL)
		return;
	*(void **)&smtp_probe = dlsym(h, "notify_smtp_probe");
	*(void **)&smtp_send = dlsym(h, "notify_smtp_send");
	if (smtp_send == NULL || smtp_probe == NULL)
		snprintf(smtp_error, sizeof(smtp_error), "%s has no "
		    "notify_smtp_send or notify_smtp_probe", path);
}

/* notify_smtp_ready - load the SMTP module if need be; 0 ready, -1 why */
int
notify_smtp_ready(char *why, size_t whylen)
{
	size_t n;

	pthread_once(&smtp_once, smtp_load);
	if (smtp_send != NULL && smtp_probe != NULL)
		return 0;
	n = strlen(smtp_error);
	if (n >= whylen)
		n = whylen - 1;	/* a long path: the start says enough */
	memcpy(why, smtp_error, n);
	why[n] = '\0';
	return -1;
}

/* notify_smtp_check - does notify_smtp answer? 0 with its greeting in
 * why, -1 with why not (the module missing, no connection, no EHLO) */
int
notify_smtp_check(const struct pd_conf *conf, char *why, size_t whylen)
{
	if (notify_smtp_ready(why, whylen) < 0)
		return -1;
	return smtp_probe(conf, why, whylen);
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

/* send_read - the entries of ids still to be sent, in one read
 * transaction; *np of them (the others were delivered by another
 * process, or given up earlier). -1 error. */
static int
send_read(struct store *st, const uint64_t *ids, size_t n,
	  struct pd_outbox **v, size_t *np, struct pd_err *err)
{
	struct store_txn *txn;
	struct pd_outbox *o;
	size_t i;
	int rc = 0;

	*np = 0;
	if (store_read(st, &txn, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((rc = store_outbox_get(txn, ids[i], &o, err)) < 0)
			break;
		rc = 0;
		if (o == NULL)
			continue;
		if (o->next_try == 0) {
			store_outbox_free(o);
			continue;
		}
		v[(*np)++] = o;
	}
	store_abort(txn);
	return rc;
}

/* hand_smtp - hand o[0..k) over SMTP (the module); fills oc and res;
 * returns how many were tried (the rest stay queued as they are) */
static size_t
hand_smtp(const struct pd_conf *conf, struct pd_outbox **o, size_t k,
	  int bounded, struct outcomes *oc, struct notify_result *res)
{
	struct notify_handover *h = xcalloc(k, sizeof(*h));
	char why[200];	/* room for the prefix in h[].why */
	size_t i, tried = k;

	for (i = 0; i < k; i++)
		h[i].o = o[i];
	if (notify_smtp_ready(why, sizeof(why)) < 0)
		for (i = 0; i < k; i++)
			snprintf(h[i].why, sizeof(h[i].why), "notify_smtp: %s",
			    why);
	else
		tried = smtp_send(conf, h, k, bounded ?
		    conf->sendmail_timeout * 1000L : 0);
	for (i = 0; i < tried; i++) {
		oc->v[i].ok = h[i].ok;
		snprintf(res[i].why, sizeof(res[i].why), "%s", h[i].why);
	}
	free(h);
	return tried;
}

/* hand_sendmail - run sendmail for o[0..k), up to NOTIFY_PARALLEL at once;
 * bounded: none started after sendmail_timeout. Fills oc and res; returns
 * how many were started (the rest stay queued as they are). */
static size_t
hand_sendmail(const struct pd_conf *conf, struct pd_outbox **o, size_t k,
	      int bounded, struct outcomes *oc, struct notify_result *res)
{
	struct sm_run runs[NOTIFY_PARALLEL];
	size_t slot[NOTIFY_PARALLEL];
	struct timespec start;
	size_t i, next = 0, nrun = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (next < k || nrun > 0) {
		/* start as many as the window allows */
		while (next < k && nrun < NOTIFY_PARALLEL) {
			if (bounded && elapsed_ms(&start) >
			    conf->sendmail_timeout * 1000L) {
				k = next;	/* the rest stay queued */
				break;
			}
			if (sm_start(conf, o[next]->sender, o[next]->recipient,
			    o[next]->message, strlen(o[next]->message),
			    &runs[nrun], res[next].why,
			    sizeof(res[next].why)) == 0)
				slot[nrun++] = next;
			else
				oc->v[next].ok = 0;
			next++;
		}
		if (nrun == 0)
			break;
		sm_wait(conf, runs, nrun);
		/* reap those done; keep the others in the window */
		for (i = 0; i < nrun;) {
			if (!sm_done(conf, &runs[i])) {
				i++;
				continue;
			}
			oc->v[slot[i]].ok = sm_finish(conf, &runs[i],
			    res[slot[i]].why, sizeof(res[slot[i]].why)) == 0;
			runs[i] = runs[nrun - 1];
			slot[i] = slot[nrun - 1];
			nrun--;
		}
	}
	return next;
}

/*
 * send_batch - hand entries over (hand_smtp or hand_sendmail) with no
 * transaction open, then record every outcome in one transaction.
 * Bounded (the filter, right after its commit): no new hand-over after
 * sendmail_timeout, so it takes at most about twice that; cron does the
 * rest.
 */
static int
send_batch(struct store *st, const struct pd_conf *conf, const uint64_t *ids,
	   size_t n, time_t now, int bounded,
	   void (*report)(const struct notify_result *, void *), void *arg,
	   struct pd_err *err)
{
	struct pd_outbox **o = xcalloc(n + 1, sizeof(*o));
	struct notify_result *res = xcalloc(n + 1, sizeof(*res));
	struct outcomes oc;
	size_t i, k = 0, left = 0;
	int rc;

	oc.v = xcalloc(n + 1, sizeof(*oc.v));
	oc.n = 0;
	rc = send_read(st, ids, n, o, &k, err);
	for (i = 0; i < k; i++) {
		res[i].id = o[i]->id;
		oc.v[i].id = o[i]->id;
		oc.v[i].now = now;
		oc.v[i].max_age = conf->notify_max_age;
		oc.v[i].res = &res[i];
		oc.v[i].why = res[i].why;
	}
	if (rc == 0 && k > 0) {
		oc.n = conf->notify_smtp[0] != '\0' ?
		    hand_smtp(conf, o, k, bounded, &oc, res) :
		    hand_sendmail(conf, o, k, bounded, &oc, res);
		left = k - oc.n;
	}
	/* lazy: a crash that undoes it only sends these again, with the
	 * same Message-IDs */
	if (rc == 0 && oc.n > 0 && store_write_lazy(st, outcomes_txn, &oc,
	    err) < 0)
		rc = -1;
	for (i = 0; rc == 0 && i < oc.n; i++)
		if (report != NULL)
			report(&res[i], arg);
	for (i = 0; o[i] != NULL; i++)
		store_outbox_free(o[i]);
	free(o);
	free(oc.v);
	free(res);
	if (rc == 0 && left > 0)
		return err_set(err, PD_ETEMP, "%zu of %zu notifications left "
		    "for postdesk-cron (slow sendmail or SMTP server)", left,
		    n);
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

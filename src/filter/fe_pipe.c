/*
 * fe_pipe.c - postdesk-filter pipe: one message on stdin; see fe_pipe.h
 *
 * The steps are those of Postfix's pipe(8) delivery agent seen from the
 * other side: read the command line, the configuration and the message,
 * hand every recipient to intake_message(), log one line per recipient,
 * and map the outcome to an exit status once, in pipe_exit().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/priv.h"
#include "util/xalloc.h"
#include "mail/mail_parse.h"
#include "core/classify.h"
#include "filter/fe_pipe.h"
#include "filter/intake.h"

struct pipe_args {
	const char *queue_id;
	const char *sender;
	const char *sasl_user;
	char	**rcpt;
	int	nrcpt;
};

static void pipe_exit(const struct pd_err *) __attribute__((noreturn));
static void pipe_parse_args(int, char **, struct pipe_args *);
static int pipe_read(size_t, struct buf **, struct pd_err *);
static void pipe_timeout(int);

/* pipe_exit - map an error class to a sysexits(3) status for pipe(8) */
static void
pipe_exit(const struct pd_err *err)
{
	switch (err->class) {
	case PD_OK:
		exit(EX_OK);
	case PD_EDATA:
		printf("5.3.4 %s\n", err->text);
		exit(EX_DATAERR);
	case PD_ECONFIG:
		printf("4.3.5 %s\n", err->text);
		exit(EX_TEMPFAIL);
	default:
		printf("4.3.0 %s\n", err->text);
		exit(EX_TEMPFAIL);
	}
}

/* pipe_timeout - the store stayed locked too long: defer, do not bounce */
static void
pipe_timeout(int sig)
{
	static const char msg[] =
	    "4.3.0 timed out waiting for the ticket store (lock_wait_limit)\n";

	(void)sig;
	(void)write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(EX_TEMPFAIL);
}

/* pipe_sent - log what became of each notification after the commit */
static void
pipe_sent(const struct notify_result *r, void *arg)
{
	const char *qid = arg;

	if (r->id == 0)
		log_warn("%s: notifications left for postdesk-cron: %s", qid,
		    r->why);
	else if (r->sent == 1)
		log_info("%s: ticket=%llu notify=%llu event=%s to=<%s> "
		    "status=sent", qid, (unsigned long long)r->ticket,
		    (unsigned long long)r->id, r->event, r->recipient);
	else
		log_warn("%s: ticket=%llu notify=%llu event=%s to=<%s> "
		    "status=%s (%s)", qid, (unsigned long long)r->ticket,
		    (unsigned long long)r->id, r->event, r->recipient,
		    r->sent < 0 ? "bounced" : "deferred", r->why);
}

/* pipe_committed - stored: stop the lock timer, log the line */
static void
pipe_committed(const struct intake_req *req, const struct intake_result *res,
	       void *arg)
{
	const char *qid = arg;

	alarm(0);
	if (res->dropped)
		log_info("%s: action=dropped class=%s from=<%s> to=<%s> "
		    "size=%zu reason=\"%s\"", qid, core_class_name(res->class),
		    res->from, req->recipient, req->len, res->reason);
	else
		log_info("%s: ticket=%llu action=%s step=%c class=%s "
		    "from=<%s> to=<%s> size=%zu status=%s notify=%d%s%s%s%s%s",
		    qid, (unsigned long long)res->ticket, intake_action(res),
		    res->step ? res->step : '-', core_class_name(res->class),
		    res->from, req->recipient, req->len, res->status,
		    res->queued, res->suppressed ? " suppressed=\"" : "",
		    res->suppressed ? res->suppressed_why : "",
		    res->suppressed ? "\"" : "",
		    res->defects ? " defects=yes" : "",
		    res->agent_unauth ? " agent=unauthenticated" : "");
}

/* pipe_parse_args - [-q QID] [-f SENDER] [--sasl-user=U] -- RCPT... */
static void
pipe_parse_args(int argc, char **argv, struct pipe_args *a)
{
	struct pd_err err;
	int i;

	memset(a, 0, sizeof(*a));
	a->queue_id = a->sender = a->sasl_user = "";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "-q") == 0 && i + 1 < argc) {
			a->queue_id = argv[++i];
		} else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			a->sender = argv[++i];
		} else if (strncmp(argv[i], "--sasl-user=", 12) == 0) {
			a->sasl_user = argv[i] + 12;
		} else if (argv[i][0] == '-') {
			err_set(&err, PD_ECONFIG, "pipe: unknown option \"%s\" "
			    "(check the postdesk entry in master.cf)", argv[i]);
			log_error("%s", err.text);
			pipe_exit(&err);
		} else {
			break;
		}
	}
	a->rcpt = argv + i;
	a->nrcpt = argc - i;
	if (a->nrcpt == 0) {
		err_set(&err, PD_ECONFIG, "pipe: no recipient given (check "
		    "the postdesk entry in master.cf: -- ${recipient})");
		log_error("%s", err.text);
		pipe_exit(&err);
	}
}

/* pipe_read - the message on stdin, at most limit bytes */
static int
pipe_read(size_t limit, struct buf **out, struct pd_err *err)
{
	struct buf *b = buf_new(64 * 1024);
	ssize_t n;

	for (;;) {
		size_t room = 64 * 1024;

		n = read(STDIN_FILENO, buf_reserve(b, room), room);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf_free(b);
			return err_set(err, PD_ETEMP, "reading the message: %s",
			    strerror(errno));
		}
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > limit) {
			buf_free(b);
			return err_set(err, PD_EDATA, "message too large for "
			    "the helpdesk (message_size_limit is %zu bytes)",
			    limit);
		}
	}
	*out = b;
	return 0;
}

/* fe_pipe - deliver stdin to every recipient */
void
fe_pipe(const char *config, int argc, char **argv)
{
	struct pipe_args a;
	struct pd_conf conf;
	struct pd_err err;
	struct intake_ctx ctx;
	struct intake_result res;
	struct intake_req req;
	struct buf *msg = NULL;
	const char *qid;
	long uid;
	int i;

	err_clear(&err);
	pipe_parse_args(argc, argv, &a);
	qid = a.queue_id[0] ? a.queue_id : "NOQUEUE";
	if (conf_load(conf_path(config), &conf, &err) < 0) {
		log_error("%s: %s", qid, err.text);
		pipe_exit(&err);
	}
	if (pipe_read(conf.message_size_limit, &msg, &err) < 0) {
		log_warn("%s: from=<%s>: %s", qid, a.sender, err.text);
		pipe_exit(&err);
	}
	if (priv_become_owner(conf.data_directory, &uid, &err) < 0) {
		log_error("%s: %s", qid, err.text);
		pipe_exit(&err);
	}
	if (uid >= 0)
		log_info("running as uid %ld, the owner of %s", uid,
		    conf.data_directory);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, pipe_timeout);
	alarm((unsigned)conf.lock_wait_limit);
	mail_init();
	if (intake_open(&ctx, &conf, &err) < 0) {
		log_error("%s: %s", qid, err.text);
		pipe_exit(&err);
	}
	ctx.sent = pipe_sent;
	ctx.committed = pipe_committed;
	ctx.sent_arg = (void *)qid;
	req.raw = msg->data;
	req.len = msg->len;
	req.sender = a.sender;
	req.queue_id = a.queue_id;
	req.sasl_user = a.sasl_user;
	for (i = 0; i < a.nrcpt; i++) {
		req.recipient = a.rcpt[i];
		alarm((unsigned)conf.lock_wait_limit);
		if (intake_message(&ctx, &req, &res, &err) < 0) {
			log_error("%s: to=<%s>: %s (deferred)", qid,
			    req.recipient, err.text);
			pipe_exit(&err);
		}
	}
	alarm(0);
	intake_close(&ctx);
	mail_shutdown();
	buf_free(msg);
	conf_free(&conf);
	pipe_exit(&err);
}

/*
 * fe_milter.c - postdesk-filter milter: tickets at SMTP time; see fe_milter.h
 *
 * The callbacks only collect: a per-connection struct milter_conn (from
 * smfi_setpriv(), freed last, in mlfi_close) holds the message being
 * received, and mlfi_eom() hands it to intake_message(), which decides and
 * stores exactly as in pipe mode. The raw message is rebuilt the way
 * Postfix's pipe(8) with flags=R would hand it over: "Return-Path: <s>",
 * then each header as "Name: value" (with SMFIP_HDR_LEADSPC the value's own
 * leading white space is kept instead of the one space), folded lines
 * joined with LF, an empty line, and the body with CRLF made LF. So the
 * duplicate key and the parse are those of pipe mode for the same message.
 *
 * Memory is bounded by message_size_limit: a declared SIZE= over it is
 * refused at RCPT (for our recipients only), and the buffer is dropped and
 * the message refused with 552 5.3.4 as soon as the bytes received pass it.
 *
 * Threads: libmilter runs each SMTP connection's callbacks in one thread
 * at a time, several connections at once. The intake context and the
 * configuration are written before smfi_main() and only read afterwards.
 * The only shared mutable state, struct milter_global's counters and
 * flags, is guarded by its mutex. The store and the configuration are
 * used only at end of message, between milter_enter() and milter_leave(),
 * so they are closed only when no such callback is running; the other
 * callbacks use copies (mg.domain, mg.limit) that live to the end.
 *
 * Shutdown: SIGTERM (or SIGHUP) is caught by libmilter's signal thread,
 * which stops the listener within about 5 seconds; smfi_main() returns.
 * Debian's libmilter (worker pool) then serves no further commands on open
 * connections, but a callback already running finishes: a message whose
 * end was received is stored and answered. milter_drain() waits for those
 * (MILTER_DRAIN_LIMIT), then the store is closed and the process exits 0.
 * A message still being received gets no answer; the MTA sees the
 * connection close and applies milter_default_action (tempfail: the
 * client retries). New messages on connections still served (other
 * libmilter builds) are refused with 451 4.3.2.
 *
 * Waiting for the LMDB write lock is not bounded here as it is in pipe
 * mode (alarm): a thread cannot be timed out alone. XXX Postfix's
 * milter_content_timeout bounds it from the MTA's side, which then applies
 * milter_default_action (tempfail).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "util/buf.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/priv.h"
#include "util/xalloc.h"
#include "mail/mail_parse.h"
#include "core/classify.h"
#include "filter/fe_milter.h"
#include "filter/intake.h"
#include "store/store.h"

#define MILTER_DRAIN_LIMIT	60	/* seconds to finish begun messages */
#define MILTER_TEXT_MAX		240	/* SMTP reply text we send */
#define MILTER_BACKLOG		128

enum milter_action {
	MA_ACCEPT,		/* stored: let the MTA deliver it as usual */
	MA_DISCARD,		/* stored: the MTA delivers it to nobody else */
	MA_TAG,			/* stored: add X-Postdesk-Ticket, deliver */
};

struct milter_rcpt {
	char	*orig;		/* as the MTA gave it (for smfi_delrcpt) */
	char	*addr;		/* without <> */
};

/* One message, from MAIL FROM to its end. */
struct milter_msg {
	int	active;		/* counted in milter_global.inflight */
	char	*sender;	/* without <>; "MAILER-DAEMON" for <> */
	char	*rpath;		/* for Return-Path: without <>, "" for <> */
	unsigned long long declared;	/* ESMTP SIZE=, 0 when none */
	struct milter_rcpt *rcpt;	/* our recipients */
	size_t	nrcpt;
	size_t	nother;		/* recipients that are not ours */
	struct buf *raw;	/* the message as pipe mode reads it */
	int	cr;		/* the last chunk ended in a CR */
	int	too_big;	/* over message_size_limit: nothing kept */
};

/* One delivery: the request, and what the log line adds to it. */
struct milter_req {
	struct intake_req req;	/* first: milter_committed() casts back */
	const char *client;
};

/* One SMTP connection (smfi_setpriv). */
struct milter_conn {
	char	*client_addr;
	int	leadspc;	/* values keep their own leading space */
	unsigned long nr;	/* SMFIP_NR_*: events the MTA expects no
				 * reply to */
	struct milter_msg m;
};

static struct milter_global {
	struct pd_conf conf;		/* read-only once serving */
	struct intake_ctx ictx;		/* read-only once serving */
	enum milter_action action;
	char	*socket;
	char	*domain;		/* support_domain; kept to the end */
	size_t	limit;			/* message_size_limit */
	pthread_mutex_t mu;		/* guards what follows */
	pthread_cond_t cv;		/* busy fell to 0 while stopping */
	int	stopping;		/* smfi_main() has returned */
	int	closed;			/* the store is closed */
	unsigned busy;			/* end-of-message callbacks running */
	unsigned inflight;		/* messages begun and not ended */
} mg = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

static sfsistat mlfi_negotiate(SMFICTX *, unsigned long, unsigned long,
			       unsigned long, unsigned long, unsigned long *,
			       unsigned long *, unsigned long *,
			       unsigned long *);
static sfsistat mlfi_connect(SMFICTX *, char *, struct sockaddr *);
static sfsistat mlfi_envfrom(SMFICTX *, char **);
static sfsistat mlfi_envrcpt(SMFICTX *, char **);
static sfsistat mlfi_data(SMFICTX *);
static sfsistat mlfi_header(SMFICTX *, char *, char *);
static sfsistat mlfi_eoh(SMFICTX *);
static sfsistat mlfi_body(SMFICTX *, unsigned char *, size_t);
static sfsistat mlfi_eom(SMFICTX *);
static sfsistat mlfi_abort(SMFICTX *);
static sfsistat mlfi_close(SMFICTX *);
static struct milter_conn *conn_get(SMFICTX *);
static char *addr_strip(const char *);
static int addr_is_ours(const char *);
static const char *macro(SMFICTX *, const char *, const char *);
static const char *qid(SMFICTX *);
static void msg_end(struct milter_msg *);
static void msg_text(struct milter_msg *, const char *, size_t);
static int msg_room(struct milter_msg *);
static void msg_start_raw(struct milter_msg *);
static sfsistat msg_too_big(SMFICTX *, struct milter_msg *);
static sfsistat milter_reply(SMFICTX *, const struct pd_err *);
static void milter_text(const char *, char *, size_t);
static int milter_store(SMFICTX *, struct milter_conn *, uint64_t *,
			struct pd_err *);
static void milter_committed(const struct intake_req *,
			     const struct intake_result *, void *);
static void milter_sent(const struct notify_result *, void *);
static sfsistat milter_act(SMFICTX *, struct milter_conn *, const uint64_t *);
static void milter_too_big(struct pd_err *);
static void milter_peer(struct milter_conn *, const char *,
			const struct sockaddr *);
static void milter_args(int, char **);
static void milter_setup(const char *);
static int milter_enter(void);
static void milter_leave(void);
static int milter_drain(unsigned *);
static void milter_unlink_socket(void);

/* milter_text - err text as an SMTP reply text: one line, '%' doubled */
static void
milter_text(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0' && n + 3 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '%')
			out[n++] = '%';
		out[n++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	out[n] = '\0';
}

/* milter_reply - map an error class to the SMTP answer, once */
static sfsistat
milter_reply(SMFICTX *ctx, const struct pd_err *err)
{
	char text[MILTER_TEXT_MAX];

	milter_text(err->text, text, sizeof(text));
	switch (err->class) {
	case PD_EDATA:
		(void)smfi_setreply(ctx, "552", "5.3.4", text);
		return SMFIS_REJECT;
	case PD_ECONFIG:
		(void)smfi_setreply(ctx, "451", "4.3.5", text);
		return SMFIS_TEMPFAIL;
	default:
		(void)smfi_setreply(ctx, "451", "4.3.0", text);
		return SMFIS_TEMPFAIL;
	}
}

/* milter_too_big - the over-size error, worded as in pipe mode */
static void
milter_too_big(struct pd_err *err)
{
	err_set(err, PD_EDATA, "message too large for the helpdesk "
	    "(message_size_limit is %zu bytes)", mg.limit);
}

/* conn_get - the connection's context, made on first use */
static struct milter_conn *
conn_get(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		(void)smfi_setpriv(ctx, c);
	}
	return c;
}

/* macro - a macro's value, trying NAME then ALT; "" when neither is set */
static const char *
macro(SMFICTX *ctx, const char *name, const char *alt)
{
	char sym[64];
	const char *v;

	snprintf(sym, sizeof(sym), "%s", name);
	if ((v = smfi_getsymval(ctx, sym)) == NULL && alt != NULL) {
		snprintf(sym, sizeof(sym), "%s", alt);
		v = smfi_getsymval(ctx, sym);
	}
	return v != NULL ? v : "";
}

/* qid - the queue id ({i}) for the log, "NOQUEUE" before there is one */
static const char *
qid(SMFICTX *ctx)
{
	const char *v = macro(ctx, "i", "{i}");

	return *v != '\0' ? v : "NOQUEUE";
}

/* addr_strip - an envelope address without white space and <> */
static char *
addr_strip(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	return xstrndup(s, n);
}

/* addr_is_ours - the address is in the domain of support_address */
static int
addr_is_ours(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL && strcasecmp(at + 1, mg.domain) == 0;
}

/* msg_end - forget the message; uncount it if it was counted */
static void
msg_end(struct milter_msg *m)
{
	size_t i;

	if (m->active) {
		pthread_mutex_lock(&mg.mu);
		mg.inflight--;
		pthread_mutex_unlock(&mg.mu);
	}
	for (i = 0; i < m->nrcpt; i++) {
		free(m->rcpt[i].orig);
		free(m->rcpt[i].addr);
	}
	free(m->rcpt);
	free(m->sender);
	free(m->rpath);
	buf_free(m->raw);
	memset(m, 0, sizeof(*m));
}

/* go_on - the answer "continue" to an event: no answer at all when the MTA
 * agreed to expect none (flag: its SMFIP_NR_*) */
static sfsistat
go_on(const struct milter_conn *c, unsigned long flag)
{
	return (c->nr & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* msg_too_big - refuse the message with 552 5.3.4, and end it */
static sfsistat
msg_too_big(SMFICTX *ctx, struct milter_msg *m)
{
	struct pd_err err;
	sfsistat st;

	milter_too_big(&err);
	log_warn("%s: from=<%s>: %s (552 5.3.4)", qid(ctx), m->sender,
	    err.text);
	st = milter_reply(ctx, &err);
	msg_end(m);
	return st;
}

/* msg_start_raw - begin the buffer with what pipe(8) flags=R prepends */
static void
msg_start_raw(struct milter_msg *m)
{
	if (m->raw != NULL || m->too_big)
		return;
	m->raw = buf_new(8192);
	buf_printf(m->raw, "Return-Path: <%s>\n", m->rpath);
}

/* msg_text - append bytes with CRLF made LF; a trailing CR waits (m->cr) */
static void
msg_text(struct milter_msg *m, const char *p, size_t n)
{
	const char *end = p + n, *cr;

	if (m->raw == NULL || n == 0)
		return;
	if (m->cr) {
		m->cr = 0;
		if (*p != '\n')
			buf_addc(m->raw, '\r');
	}
	while (p < end) {
		if ((cr = memchr(p, '\r', (size_t)(end - p))) == NULL) {
			buf_add(m->raw, p, (size_t)(end - p));
			break;
		}
		buf_add(m->raw, p, (size_t)(cr - p));
		if (cr + 1 == end) {
			m->cr = 1;
			break;
		}
		if (cr[1] != '\n')
			buf_addc(m->raw, '\r');
		p = cr + 1;
	}
}

/* msg_room - still within message_size_limit? If not, drop the buffer */
static int
msg_room(struct milter_msg *m)
{
	if (m->too_big)
		return 0;
	if (m->raw != NULL && m->raw->len > mg.limit) {
		m->raw = buf_free(m->raw);
		m->too_big = 1;
		return 0;
	}
	return 1;
}

/* mlfi_negotiate - ask for header values as sent, fewer round trips */
static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
	       unsigned long f2, unsigned long f3, unsigned long *pf0,
	       unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct milter_conn *c = conn_get(ctx);
	/* no reply to connect and headers: fewer round trips. The end of
	 * headers and body chunks keep their reply, so that a message over
	 * the size limit is refused as soon as it passes it. */
	unsigned long want = SMFIP_HDR_LEADSPC | SMFIP_NR_HDR |
	    SMFIP_NR_CONN | SMFIP_NOHELO | SMFIP_NOUNKNOWN;

	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_DELRCPT);
	*pf1 = f1 & want;
	*pf2 = *pf3 = 0;
	c->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
	c->nr = *pf1 & (SMFIP_NR_HDR | SMFIP_NR_CONN);
	if (mg.action == MA_TAG && (*pf0 & SMFIF_ADDHDRS) == 0)
		log_warn("the MTA does not let milters add headers: "
		    "milter_action = tag adds no X-Postdesk-Ticket");
	return SMFIS_CONTINUE;
}

/* milter_peer - the client's address from the connected socket */
static void
milter_peer(struct milter_conn *c, const char *host, const struct sockaddr *sa)
{
	char addr[NI_MAXHOST];
	socklen_t len = 0;

	if (sa != NULL && sa->sa_family == AF_INET)
		len = sizeof(struct sockaddr_in);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		len = sizeof(struct sockaddr_in6);
	free(c->client_addr);
	if (len > 0 && getnameinfo(sa, len, addr, sizeof(addr), NULL, 0,
	    NI_NUMERICHOST) == 0)
		c->client_addr = xstrdup(addr);
	else
		c->client_addr = xstrdup(host != NULL ? host : "unknown");
}

/* mlfi_connect - note the client's address for the log */
static sfsistat
mlfi_connect(SMFICTX *ctx, char *host, struct sockaddr *sa)
{
	struct milter_conn *c = conn_get(ctx);
	const char *addr = macro(ctx, "{client_addr}", NULL);

	if (*addr != '\0') {
		free(c->client_addr);
		c->client_addr = xstrdup(addr);
	} else {
		milter_peer(c, host, sa);
	}
	return go_on(c, SMFIP_NR_CONN);
}

/* mlfi_envfrom - a new message: sender and declared size */
static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = conn_get(ctx);
	struct milter_msg *m = &c->m;
	int i, refused;

	msg_end(m);
	pthread_mutex_lock(&mg.mu);
	refused = mg.stopping;
	if (!refused)
		mg.inflight++;
	pthread_mutex_unlock(&mg.mu);
	if (refused) {
		(void)smfi_setreply(ctx, "451", "4.3.2",
		    "postdesk-filter is shutting down, try again later");
		return SMFIS_TEMPFAIL;
	}
	m->active = 1;
	m->rpath = addr_strip(argv[0] != NULL ? argv[0] : "");
	m->sender = xstrdup(m->rpath[0] != '\0' ? m->rpath : "MAILER-DAEMON");
	for (i = 1; argv[0] != NULL && argv[i] != NULL; i++)
		if (strncasecmp(argv[i], "SIZE=", 5) == 0)
			m->declared = strtoull(argv[i] + 5, NULL, 10);
	return SMFIS_CONTINUE;
}

/* mlfi_envrcpt - keep our recipients; refuse them if SIZE= is too big */
static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_msg *m = &conn_get(ctx)->m;
	struct pd_err err;
	char *addr;

	if (!m->active || argv[0] == NULL)
		return SMFIS_CONTINUE;
	addr = addr_strip(argv[0]);
	if (!addr_is_ours(addr)) {
		m->nother++;
		free(addr);
		return SMFIS_CONTINUE;
	}
	if (m->declared > mg.limit) {
		milter_too_big(&err);
		log_warn("%s: from=<%s> to=<%s>: SIZE=%llu: %s (552 5.3.4)",
		    qid(ctx), m->sender, addr, m->declared, err.text);
		free(addr);
		return milter_reply(ctx, &err);	/* this recipient only */
	}
	m->rcpt = xrealloc(m->rcpt, (m->nrcpt + 1) * sizeof(*m->rcpt));
	m->rcpt[m->nrcpt].orig = xstrdup(argv[0]);
	m->rcpt[m->nrcpt].addr = addr;
	m->nrcpt++;
	return SMFIS_CONTINUE;
}

/* mlfi_data - all recipients known: not for the helpdesk, let it go */
static sfsistat
mlfi_data(SMFICTX *ctx)
{
	struct milter_msg *m = &conn_get(ctx)->m;

	if (m->nrcpt == 0) {
		msg_end(m);
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

/* mlfi_header - append "Name: value" */
static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = conn_get(ctx);
	struct milter_msg *m = &c->m;

	if (m->active && m->nrcpt > 0 && msg_room(m)) {
		msg_start_raw(m);
		buf_adds(m->raw, name);
		buf_adds(m->raw, c->leadspc ? ":" : ": ");
		msg_text(m, value, strlen(value));
		if (m->cr)
			buf_addc(m->raw, '\r');
		m->cr = 0;
		buf_addc(m->raw, '\n');
		(void)msg_room(m);
	}
	return go_on(c, SMFIP_NR_HDR);
}

/* mlfi_eoh - decide what the headers allow; then the empty line */
static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	struct milter_msg *m = &conn_get(ctx)->m;

	if (!m->active)
		return SMFIS_CONTINUE;
	if (m->nrcpt == 0) {
		msg_end(m);
		return SMFIS_ACCEPT;
	}
	if (!msg_room(m))
		return msg_too_big(ctx, m);
	msg_start_raw(m);
	buf_addc(m->raw, '\n');
	return SMFIS_CONTINUE;
}

/* mlfi_body - append a chunk; refuse as soon as the limit is passed */
static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct milter_msg *m = &conn_get(ctx)->m;

	if (!m->active)
		return SMFIS_CONTINUE;
	if (m->nrcpt == 0) {
		msg_end(m);
		return SMFIS_ACCEPT;
	}
	msg_start_raw(m);
	if (msg_room(m))
		msg_text(m, (const char *)chunk, len);
	if (!msg_room(m))
		return msg_too_big(ctx, m);
	return SMFIS_CONTINUE;
}

/* milter_committed - stored (or dropped): one log line, as in pipe mode */
static void
milter_committed(const struct intake_req *req, const struct intake_result *res,
		 void *arg)
{
	/* req is the first member of a struct milter_req (milter_store) */
	const struct milter_req *mr = (const struct milter_req *)req;
	const char *id = *req->queue_id != '\0' ? req->queue_id : "NOQUEUE";

	(void)arg;
	if (res->dropped)
		log_info("%s: action=dropped class=%s from=<%s> to=<%s> "
		    "size=%zu reason=\"%s\" client=%s", id,
		    core_class_name(res->class), res->from, req->recipient,
		    req->len, res->reason, mr->client);
	else
		log_info("%s: ticket=%llu action=%s step=%c class=%s "
		    "from=<%s> to=<%s> size=%zu status=%s notify=%d%s%s%s%s "
		    "client=%s%s%s", id, (unsigned long long)res->ticket,
		    intake_action(res), res->step ? res->step : '-',
		    core_class_name(res->class), res->from, req->recipient,
		    req->len, res->status, res->queued,
		    res->suppressed ? " suppressed=\"" : "",
		    res->suppressed ? res->suppressed_why : "",
		    res->suppressed ? "\"" : "",
		    res->defects ? " defects=yes" : "", mr->client,
		    *req->sasl_user != '\0' ? " sasl_username=" : "",
		    req->sasl_user);
}

/* milter_sent - what became of a notification handed to sendmail */
static void
milter_sent(const struct notify_result *r, void *arg)
{
	(void)arg;
	if (r->id == 0)
		log_warn("notifications left for postdesk-cron: %s", r->why);
	else if (r->sent == 1)
		log_info("ticket=%llu notify=%llu event=%s to=<%s> status=sent",
		    (unsigned long long)r->ticket, (unsigned long long)r->id,
		    r->event, r->recipient);
	else
		log_warn("ticket=%llu notify=%llu event=%s to=<%s> status=%s "
		    "(%s)", (unsigned long long)r->ticket,
		    (unsigned long long)r->id, r->event, r->recipient,
		    r->sent < 0 ? "bounced" : "deferred", r->why);
}

/* milter_store - intake_message() for each of our recipients */
static int
milter_store(SMFICTX *ctx, struct milter_conn *c, uint64_t *tickets,
	     struct pd_err *err)
{
	struct milter_msg *m = &c->m;
	struct milter_req mr;
	struct intake_result res;
	size_t i;

	memset(&mr, 0, sizeof(mr));
	mr.req.raw = m->raw->data;
	mr.req.len = m->raw->len;
	mr.req.sender = m->sender;
	mr.req.queue_id = macro(ctx, "i", "{i}");
	mr.req.sasl_user = macro(ctx, "{auth_authen}", NULL);
	mr.client = c->client_addr != NULL ? c->client_addr : "unknown";
	for (i = 0; i < m->nrcpt; i++) {
		mr.req.recipient = m->rcpt[i].addr;
		if (intake_message(&mg.ictx, &mr.req, &res, err) < 0) {
			log_error("%s: to=<%s>: %s (deferred, the client "
			    "retries)", qid(ctx), mr.req.recipient, err->text);
			return -1;
		}
		tickets[i] = res.dropped ? 0 : res.ticket;
	}
	return 0;
}

/* milter_act - after storing: accept, discard or tag, per milter_action */
static sfsistat
milter_act(SMFICTX *ctx, struct milter_conn *c, const uint64_t *tickets)
{
	struct milter_msg *m = &c->m;
	char value[32];
	size_t i, j;

	switch (mg.action) {
	case MA_DISCARD:
		if (m->nother == 0)
			return SMFIS_DISCARD;
		/* others get it as usual; only ours are taken off */
		for (i = 0; i < m->nrcpt; i++)
			if (smfi_delrcpt(ctx, m->rcpt[i].orig) != MI_SUCCESS)
				log_warn("cannot remove recipient <%s> (the "
				    "MTA may not allow it)", m->rcpt[i].addr);
		return SMFIS_CONTINUE;
	case MA_TAG:
		for (i = 0; i < m->nrcpt; i++) {
			for (j = 0; j < i && tickets[j] != tickets[i]; j++)
				;
			if (j < i || tickets[i] == 0)
				continue;	/* tagged already, or dropped */
			snprintf(value, sizeof(value), "%s%llu",
			    c->leadspc ? " " : "",
			    (unsigned long long)tickets[i]);
			if (smfi_addheader(ctx, "X-Postdesk-Ticket", value) !=
			    MI_SUCCESS)
				log_warn("cannot add X-Postdesk-Ticket (the "
				    "MTA may not allow it)");
		}
		return SMFIS_CONTINUE;
	default:
		return SMFIS_CONTINUE;
	}
}

/* mlfi_eom - store for every recipient of ours, then answer once */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct milter_conn *c = conn_get(ctx);
	struct milter_msg *m = &c->m;
	struct pd_err err;
	uint64_t *tickets;
	sfsistat st;

	if (!m->active)
		return SMFIS_CONTINUE;
	if (m->nrcpt == 0) {
		msg_end(m);
		return SMFIS_ACCEPT;
	}
	msg_start_raw(m);
	if (m->cr && m->raw != NULL)
		buf_addc(m->raw, '\r');
	m->cr = 0;
	if (!msg_room(m))
		return msg_too_big(ctx, m);
	if (!milter_enter()) {
		(void)smfi_setreply(ctx, "451", "4.3.2",
		    "postdesk-filter is shutting down, try again later");
		msg_end(m);
		return SMFIS_TEMPFAIL;
	}
	err_clear(&err);
	tickets = xcalloc(m->nrcpt, sizeof(*tickets));
	if (milter_store(ctx, c, tickets, &err) < 0)
		st = milter_reply(ctx, &err);
	else
		st = milter_act(ctx, c, tickets);
	milter_leave();
	free(tickets);
	msg_end(m);
	return st;
}

/* mlfi_abort - the MTA gave up on the message */
static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		msg_end(&c->m);
	return SMFIS_CONTINUE;
}

/* mlfi_close - the connection is gone: free its context, last */
static sfsistat
mlfi_close(SMFICTX *ctx)
{
	struct milter_conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		msg_end(&c->m);
		(void)smfi_setpriv(ctx, NULL);
		free(c->client_addr);
		free(c);
	}
	return SMFIS_CONTINUE;
}

/* milter_args - "milter -p SOCKET"; a mistake is a config error (75) */
static void
milter_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			mg.socket = argv[++i];
		else
			log_fatal("milter: unexpected argument \"%s\" (usage: "
			    "postdesk-filter [-v] [-c FILE] milter -p SOCKET)",
			    argv[i]);
	}
	if (mg.socket == NULL || *mg.socket == '\0')
		log_fatal("milter: no socket given (usage: postdesk-filter "
		    "[-v] [-c FILE] milter -p SOCKET, e.g. "
		    "inet:10027@127.0.0.1 or unix:/run/postdesk/milter)");
}

/* milter_setup - configuration, privileges, store, socket: or exit 75 */
static void
milter_setup(const char *config)
{
	static struct smfiDesc desc = {
		.xxfi_name = "postdesk-filter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = SMFIF_ADDHDRS | SMFIF_DELRCPT,
		.xxfi_connect = mlfi_connect,
		.xxfi_envfrom = mlfi_envfrom,
		.xxfi_envrcpt = mlfi_envrcpt,
		.xxfi_header = mlfi_header,
		.xxfi_eoh = mlfi_eoh,
		.xxfi_body = mlfi_body,
		.xxfi_eom = mlfi_eom,
		.xxfi_abort = mlfi_abort,
		.xxfi_close = mlfi_close,
		.xxfi_data = mlfi_data,
		.xxfi_negotiate = mlfi_negotiate,
	};
	struct pd_err err;
	long uid;
	mode_t old;
	int rc;

	err_clear(&err);
	if (conf_load(conf_path(config), &mg.conf, &err) < 0)
		log_fatal("%s", err.text);
	mg.domain = xstrdup(mg.conf.support_domain);
	mg.limit = mg.conf.message_size_limit;
	mg.action = strcmp(mg.conf.milter_action, "discard") == 0 ?
	    MA_DISCARD : strcmp(mg.conf.milter_action, "tag") == 0 ?
	    MA_TAG : MA_ACCEPT;
	if (priv_become_owner(mg.conf.data_directory, &uid, &err) < 0)
		log_fatal("%s", err.text);
	if (uid >= 0)
		log_info("running as uid %ld, the owner of %s", uid,
		    mg.conf.data_directory);
	mail_init();
	if (intake_open(&mg.ictx, &mg.conf, &err) < 0)
		log_fatal("%s", err.text);
	mg.ictx.committed = milter_committed;
	mg.ictx.sent = milter_sent;
	/* the ends of message of concurrent sessions share commits */
	store_group(mg.ictx.store, 1);
	if (smfi_setconn(mg.socket) != MI_SUCCESS)
		log_fatal("milter: bad socket \"%s\" (want inet:PORT@HOST or "
		    "unix:/path)", mg.socket);
	if (smfi_register(desc) != MI_SUCCESS)
		log_fatal("milter: libmilter refused to register the filter");
	(void)smfi_setbacklog(MILTER_BACKLOG);
	/* a unix socket: owner and group may connect (add postfix to it) */
	old = umask(007);
	rc = smfi_opensocket(true);
	umask(old);
	if (rc != MI_SUCCESS)
		log_fatal("milter: cannot listen on %s (in use, or no "
		    "permission as uid %ld?)", mg.socket, (long)getuid());
}

/* milter_enter - an end of message may use the store (0: it is closed) */
static int
milter_enter(void)
{
	int open;

	pthread_mutex_lock(&mg.mu);
	if ((open = !mg.closed))
		mg.busy++;
	pthread_mutex_unlock(&mg.mu);
	return open;
}

/* milter_leave - the end of message is done with the store */
static void
milter_leave(void)
{
	pthread_mutex_lock(&mg.mu);
	if (--mg.busy == 0 && mg.stopping)
		pthread_cond_broadcast(&mg.cv);
	pthread_mutex_unlock(&mg.mu);
}

/* milter_drain - after smfi_main(): let running ends of message finish;
 * returns how many are still running, *partial the messages unfinished */
static int
milter_drain(unsigned *partial)
{
	struct timespec until;
	unsigned left;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += MILTER_DRAIN_LIMIT;
	pthread_mutex_lock(&mg.mu);
	mg.stopping = 1;
	if (mg.busy > 0)
		log_info("stopping: finishing %u message(s)", mg.busy);
	while (mg.busy > 0)
		if (pthread_cond_timedwait(&mg.cv, &mg.mu, &until) == ETIMEDOUT)
			break;
	if ((left = mg.busy) == 0)
		mg.closed = 1;
	*partial = mg.inflight - mg.busy;
	pthread_mutex_unlock(&mg.mu);
	return (int)left;
}

/* milter_unlink_socket - remove our unix socket if libmilter left it */
static void
milter_unlink_socket(void)
{
	const char *path = NULL;
	struct stat st;

	if (strncmp(mg.socket, "unix:", 5) == 0)
		path = mg.socket + 5;
	else if (strncmp(mg.socket, "local:", 6) == 0)
		path = mg.socket + 6;
	else if (mg.socket[0] == '/')
		path = mg.socket;
	if (path != NULL && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(path);
}

/* fe_milter - serve until SIGTERM, then finish what was begun and exit */
void
fe_milter(const char *config, int argc, char **argv)
{
	unsigned partial;
	int rc, left;

	milter_args(argc, argv);
	milter_setup(config);
	log_info("listening on %s (milter_action = %s)", mg.socket,
	    mg.conf.milter_action);
	rc = smfi_main();
	left = milter_drain(&partial);
	milter_unlink_socket();
	if (partial > 0)
		log_info("stopping: %u message(s) still being received are "
		    "left to the MTA, which retries them", partial);
	if (left > 0) {
		/* they may still use the store: do not close it */
		log_warn("stopped with %d message(s) still being stored after "
		    "%d seconds", left, MILTER_DRAIN_LIMIT);
		_exit(EX_TEMPFAIL);
	}
	{
		unsigned long commits, jobs;

		store_group_stats(mg.ictx.store, &commits, &jobs);
		if (commits > 0)
			log_info("group commit: %lu transactions held %lu "
			    "writes of concurrent sessions", commits, jobs);
	}
	intake_close(&mg.ictx);
	mail_shutdown();
	log_info("stopped%s", rc == MI_SUCCESS ? "" : " after a libmilter "
	    "error");
	conf_free(&mg.conf);
	exit(rc == MI_SUCCESS ? EX_OK : EX_TEMPFAIL);
}

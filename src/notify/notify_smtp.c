/*
 * notify_smtp.c - hand notifications to an SMTP server (notify_smtp)
 *
 * The alternative to one sendmail(1) run per notification: one SMTP
 * session (libetpan) carries a whole batch, MAIL, RCPT, DATA for each
 * entry, so handing a notification over costs a few round trips instead
 * of starting processes. Meant for the local MTA's own listener (Postfix:
 * a plain smtpd on 127.0.0.1, as in postdesk-filter(8)).
 *
 * Each command may take sendmail_timeout. What the server refuses (any
 * reply other than 2xx/3xx where one is due) leaves that entry queued
 * with the server's words, and the session goes on after RSET; a lost
 * connection, or none at all, leaves this and every later entry queued.
 * As with sendmail, every failure is a deferral: postdesk-cron retries
 * until notify_max_age.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "util/conf.h"
#include "notify/notify.h"

static void smtp_why(mailsmtp *, const struct pd_conf *, const char *, int,
		     char *, size_t);

/* smtp_why - "smtp HOST:PORT: STEP: what the server said" */
static void
smtp_why(mailsmtp *s, const struct pd_conf *conf, const char *step, int r,
	 char *why, size_t whylen)
{
	const char *said = s != NULL && s->response != NULL &&
	    s->response[0] != '\0' ? s->response : NULL;
	char *p;

	if (said != NULL && r != MAILSMTP_ERROR_STREAM)
		snprintf(why, whylen, "smtp %s: %s: %d %s", conf->notify_smtp,
		    step, s->response_code, said);
	else
		snprintf(why, whylen, "smtp %s: %s: %s", conf->notify_smtp,
		    step, r == MAILSMTP_ERROR_STREAM ? "connection lost or "
		    "timed out" : mailsmtp_strerror(r));
	for (p = why; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
}

/* smtp_open - connect to notify_smtp and say EHLO; the session, or NULL
 * with why */
static mailsmtp *
smtp_open(const struct pd_conf *conf, char *why, size_t whylen)
{
	char host[256];
	const char *colon;
	mailsmtp *s;
	size_t len;
	int r, port;

	colon = strrchr(conf->notify_smtp, ':');
	len = colon != NULL ? (size_t)(colon - conf->notify_smtp) : 0;
	if (len > 1 && conf->notify_smtp[0] == '[' && colon[-1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)len - 2,
		    conf->notify_smtp + 1);
	else
		snprintf(host, sizeof(host), "%.*s", (int)len,
		    conf->notify_smtp);
	port = colon != NULL ? atoi(colon + 1) : 25;
	if ((s = mailsmtp_new(0, NULL)) == NULL) {
		snprintf(why, whylen, "smtp %s: out of memory",
		    conf->notify_smtp);
		return NULL;
	}
	mailsmtp_set_timeout(s, (time_t)conf->sendmail_timeout);
	if ((r = mailsmtp_socket_connect(s, host, (uint16_t)port)) !=
	    MAILSMTP_NO_ERROR) {
		smtp_why(s, conf, "connect", r, why, whylen);
		mailsmtp_free(s);
		return NULL;
	}
	/* the greeting, for notify_smtp_probe */
	snprintf(why, whylen, "%d %s", s->response_code,
	    s->response != NULL ? s->response : "");
	if ((r = mailsmtp_init(s)) != MAILSMTP_NO_ERROR) {
		smtp_why(s, conf, "EHLO", r, why, whylen);
		mailsmtp_free(s);
		return NULL;
	}
	return s;
}

/* notify_smtp_probe - connect, EHLO, QUIT: 0 with the server's greeting
 * in why, or -1 with what went wrong */
int
notify_smtp_probe(const struct pd_conf *conf, char *why, size_t whylen)
{
	mailsmtp *s;
	char *p;

	if ((s = smtp_open(conf, why, whylen)) == NULL)
		return -1;
	(void)mailsmtp_quit(s);
	mailsmtp_free(s);
	for (p = why; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return 0;
}

/* notify_smtp_send - hand over entries 0..n-1 in one SMTP session; with
 * budget_ms > 0 no entry is begun after that many milliseconds. Fills
 * h[i].ok and h[i].why; returns how many entries were tried (the rest
 * stay queued as they are). */
size_t
notify_smtp_send(const struct pd_conf *conf, struct notify_handover *h,
		 size_t n, long budget_ms)
{
	struct timespec start, now;
	char why[256];
	mailsmtp *s;
	size_t i, len;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	why[0] = '\0';
	if ((s = smtp_open(conf, why, sizeof(why))) == NULL)
		goto all;
	for (i = 0; i < n; i++) {
		const char *msg = h[i].o->message, *step;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (budget_ms > 0 && (now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 > budget_ms)
			break;
		/* the server's "\r\n.\r\n" ends the last line */
		len = strlen(msg);
		if (len > 0 && msg[len - 1] == '\n')
			len--;
		if (len > 0 && msg[len - 1] == '\r')
			len--;
		h[i].ok = 0;
		if ((r = mailsmtp_mail(s, h[i].o->sender)) != MAILSMTP_NO_ERROR)
			step = "MAIL FROM";
		else if ((r = mailsmtp_rcpt(s, h[i].o->recipient)) !=
		    MAILSMTP_NO_ERROR)
			step = "RCPT TO";
		else if ((r = mailsmtp_data(s)) != MAILSMTP_NO_ERROR)
			step = "DATA";
		else if ((r = mailsmtp_data_message(s, msg, len)) !=
		    MAILSMTP_NO_ERROR)
			step = "end of data";
		else {
			h[i].ok = 1;
			continue;
		}
		smtp_why(s, conf, step, r, h[i].why, sizeof(h[i].why));
		if (r == MAILSMTP_ERROR_STREAM ||
		    mailsmtp_reset(s) != MAILSMTP_NO_ERROR) {
			/* the session is gone: the rest wait for cron */
			snprintf(why, sizeof(why), "%s", h[i].why);
			i++;
			goto rest;
		}
	}
	(void)mailsmtp_quit(s);
	mailsmtp_free(s);
	return i;

all:
	i = 0;
rest:
	for (; i < n; i++) {
		h[i].ok = 0;
		snprintf(h[i].why, sizeof(h[i].why), "%s", why);
	}
	if (s != NULL)
		mailsmtp_free(s);
	return n;
}

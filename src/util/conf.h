/*
 * conf.h - the configuration file (key = value, # comments, like main.cf)
 *
 * One table (conf.c) lists every parameter with its type, default and
 * bounds. conf_load() reads a file into a struct pd_conf that is read-only
 * afterwards; an error names "FILE:LINE: KEY: reason" in err->text with
 * class PD_ECONFIG. Lines may be continued by starting the next line with
 * white space, as in main.cf. Values of type size accept k, m, g suffixes;
 * durations accept s, m, h, d, w suffixes (default seconds).
 *
 * conf_path() chooses the file: the -c argument, else $POSTDESK_CONFIG,
 * else SYSCONFDIR/postdesk/postdesk.conf.
 */
#ifndef PD_CONF_H
#define PD_CONF_H

#include <stddef.h>
#include <time.h>

struct pd_err;

/* business hours per weekday (0 = Sunday), minutes after midnight */
struct pd_hours {
	int	set;		/* 0: always open */
	int	open[7];
	int	close[7];	/* open == close: closed that day */
};

#define CONF_MAX_PARAMS	64	/* room in pd_conf.line */

struct pd_conf {
	char	*path;			/* the file read */
	char	*data_directory;
	char	*key_file;		/* default: data_directory/postdesk.key */
	char	*support_address;	/* support@example.com */
	char	*support_local;		/* "support" (derived) */
	char	*support_domain;	/* "example.com" (derived) */
	char	*recipient_delimiter;	/* "+" */
	char	*hostname;		/* for Message-IDs; default: support_domain */
	char	*base_url;		/* https://help.example.com (no trailing /) */
	char	*site_name;
	char	*workflow;		/* deskpro */
	size_t	message_size_limit;	/* bytes */
	long	lock_wait_limit;	/* seconds the filter may wait for the store */
	size_t	map_size;		/* initial LMDB map size, bytes */
	char	*sendmail_path;
	char	*notify_smtp;		/* HOST:PORT: SMTP instead of sendmail */
	char	*template_directory;	/* the operator's templates, "" none */
	char	*shipped_templates;	/* PKGDATADIR/templates (derived) */
	char	*language;
	char	*agents_file;		/* "" = no agents */
	char	*rules_directory;	/* the operator's *.rules, "" none */
	char	*shipped_filters;	/* PKGDATADIR/filters (derived) */
	char	*bounce_address;	/* envelope sender of notifications */
	size_t	autoreply_limit;	/* automatic mails per address and hour */
	long	notify_max_age;		/* give up delivering after this */
	long	sendmail_timeout;	/* one sendmail run may take this long */
	char	*reply_marker;		/* the reply-above-this-line line */
	char	*trusted_authserv_id;	/* whose Authentication-Results count */
	char	*unknown_sender_policy;	/* accept, moderate, new_ticket */
	char	*customer_can_reopen_s;
	int	customer_can_reopen;	/* deskpro: a reply reopens resolved */
	long	idle_after;		/* sendbird: active -> idle */
	long	idle_close_after;	/* sendbird: idle -> closed, 0 never */
	long	session_timeout;	/* chatdesk: out-of-hours session */
	long	archive_after;		/* chatdesk: closed -> archived */
	long	purge_spam_after;
	long	purge_deleted_after;
	char	*business_hours;	/* "mon-fri 09:00-17:00" */
	struct pd_hours hours;
	char	*timezone;		/* IANA name, e.g. Europe/Berlin */
	long	lock_timeout;		/* #lock lasts this long */
	long	explain_keep;		/* explain by queue id: 0 forever */
	char	*milter_action;		/* accept | discard | tag (milter mode) */
	int	line[CONF_MAX_PARAMS];	/* where each parameter was set, 0
					 * for its default (conf.c's order) */
};

/* conf_path - which file to read: the argument, $POSTDESK_CONFIG, or the default */
const char *conf_path(const char *arg);
/* conf_load - read and check FILE; 0 ok, -1 with err (PD_ECONFIG or PD_ETEMP) */
int	conf_load(const char *file, struct pd_conf *, struct pd_err *);
/* conf_defaults - fill a struct with the defaults (no file) */
void	conf_defaults(struct pd_conf *);
/* hours_parse - business_hours into h; -1 when malformed */
int	hours_parse(const char *, struct pd_hours *);
/* conf_open_at - 1 when t is within business hours (in conf->timezone) */
int	conf_open_at(const struct pd_conf *, time_t);
/* conf_free - release the strings of a loaded configuration */
void	conf_free(struct pd_conf *);
/* conf_dump - print "key = value" for every parameter to stdout */
void	conf_dump(const struct pd_conf *);

/* conf_where - "FILE:LINE: KEY" where KEY was set ("FILE: KEY" when it
 * was not), into buf: the start of an error about KEY's value */
const char *conf_where(const struct pd_conf *, const char *key, char *buf,
		       size_t len);

#endif

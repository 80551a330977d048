/*
 * conf.c - configuration file loader; see conf.h
 *
 * The parameter table below is the only list of parameters: name, type,
 * default, bounds and where the value lands in struct pd_conf.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef SENDMAIL
#define SENDMAIL "/usr/sbin/sendmail"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/postdesk"
#endif

enum conf_type { CT_STR, CT_SIZE, CT_TIME };

struct conf_param {
	const char *name;
	enum conf_type type;
	const char *def;
	long long min;
	long long max;
	size_t off;
};

#define OFF(m) offsetof(struct pd_conf, m)

static int conf_hostport(const char *);
static int conf_milter_action(const char *);
static int conf_sender_policy(const char *);
static int conf_yesno(const char *);

static const struct conf_param conf_table[] = {
	{"data_directory", CT_STR, "/var/lib/postdesk", 0, 0, OFF(data_directory)},
	{"key_file", CT_STR, "", 0, 0, OFF(key_file)},
	{"support_address", CT_STR, "", 0, 0, OFF(support_address)},
	{"recipient_delimiter", CT_STR, "+", 0, 0, OFF(recipient_delimiter)},
	{"hostname", CT_STR, "", 0, 0, OFF(hostname)},
	{"base_url", CT_STR, "", 0, 0, OFF(base_url)},
	{"site_name", CT_STR, "Support", 0, 0, OFF(site_name)},
	{"workflow", CT_STR, "deskpro", 0, 0, OFF(workflow)},
	{"message_size_limit", CT_SIZE, "52428800", 1024, 1LL << 32, OFF(message_size_limit)},
	{"lock_wait_limit", CT_TIME, "60", 1, 900, OFF(lock_wait_limit)},
	{"map_size", CT_SIZE, "67108864", 1 << 20, 1LL << 40, OFF(map_size)},
	{"sendmail_path", CT_STR, SENDMAIL, 0, 0, OFF(sendmail_path)},
	{"notify_smtp", CT_STR, "", 0, 0, OFF(notify_smtp)},
	{"template_directory", CT_STR, "", 0, 0, OFF(template_directory)},
	{"language", CT_STR, "en", 0, 0, OFF(language)},
	{"milter_action", CT_STR, "accept", 0, 0, OFF(milter_action)},
	{"agents_file", CT_STR, "", 0, 0, OFF(agents_file)},
	{"rules_directory", CT_STR, "", 0, 0, OFF(rules_directory)},
	{"bounce_address", CT_STR, "", 0, 0, OFF(bounce_address)},
	{"autoreply_limit", CT_SIZE, "5", 0, 1000000, OFF(autoreply_limit)},
	{"notify_max_age", CT_TIME, "5d", 60, 365 * 86400LL, OFF(notify_max_age)},
	{"unknown_sender_policy", CT_STR, "moderate", 0, 0,
	    OFF(unknown_sender_policy)},
	{"customer_can_reopen", CT_STR, "yes", 0, 0, OFF(customer_can_reopen_s)},
	{"idle_after", CT_TIME, "1h", 60, 365 * 86400LL, OFF(idle_after)},
	{"idle_close_after", CT_TIME, "0", 0, 365 * 86400LL,
	    OFF(idle_close_after)},
	{"session_timeout", CT_TIME, "10m", 60, 86400, OFF(session_timeout)},
	{"archive_after", CT_TIME, "90d", 3600, 3650 * 86400LL, OFF(archive_after)},
	{"purge_spam_after", CT_TIME, "30d", 60, 3650 * 86400LL, OFF(purge_spam_after)},
	{"purge_deleted_after", CT_TIME, "30d", 60, 3650 * 86400LL,
	    OFF(purge_deleted_after)},
	{"business_hours", CT_STR, "", 0, 0, OFF(business_hours)},
	{"timezone", CT_STR, "UTC", 0, 0, OFF(timezone)},
	{"trusted_authserv_id", CT_STR, "", 0, 0, OFF(trusted_authserv_id)},
	{"lock_timeout", CT_TIME, "30m", 60, 7 * 86400LL, OFF(lock_timeout)},
	{"explain_keep", CT_TIME, "30d", 0, 3650 * 86400LL, OFF(explain_keep)},
	{"sendmail_timeout", CT_TIME, "30s", 1, 600, OFF(sendmail_timeout)},
	{"reply_marker", CT_STR, "##- Please type your reply above this line -##",
	    0, 0, OFF(reply_marker)},
};

#define CONF_NPARAM (sizeof(conf_table) / sizeof(conf_table[0]))

/* string parameters with a form of their own (an address, a word of a
 * list): checked as they are read, so that an error names the line */
static const struct conf_form {
	const char *name;
	int	(*valid)(const char *);
	const char *want;	/* the form, for the error */
} conf_forms[] = {
	{"notify_smtp", conf_hostport, "HOST:PORT (127.0.0.1:25, [::1]:25)"},
	{"milter_action", conf_milter_action, "one of accept, discard, tag"},
	{"unknown_sender_policy", conf_sender_policy,
	    "accept, moderate or new_ticket"},
	{"customer_can_reopen", conf_yesno, "yes or no"},
};
_Static_assert(CONF_NPARAM <= CONF_MAX_PARAMS, "pd_conf.line is too small");

static int conf_set(struct pd_conf *, const struct conf_param *, const char *,
		    const char *, int, struct pd_err *);
static int conf_number(const char *, enum conf_type, long long *);
static int conf_derive(struct pd_conf *, struct pd_err *);
static char *conf_trim(char *);

/* conf_path - choose the configuration file */
const char *
conf_path(const char *arg)
{
	const char *env;

	if (arg != NULL && *arg != '\0')
		return arg;
	env = getenv("POSTDESK_CONFIG");
	if (env != NULL && *env != '\0')
		return env;
	return SYSCONFDIR "/postdesk/postdesk.conf";
}

/* conf_number - parse a size (k/m/g) or a duration (s/m/h/d/w) */
static int
conf_number(const char *s, enum conf_type type, long long *out)
{
	char *end;
	long long v, mul = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v < 0)
		return -1;
	if (*end != '\0') {
		int c = tolower((unsigned char)*end);

		if (end[1] != '\0')
			return -1;
		if (type == CT_SIZE)
			mul = c == 'k' ? 1024LL : c == 'm' ? 1LL << 20 :
			    c == 'g' ? 1LL << 30 : 0;
		else
			mul = c == 's' ? 1 : c == 'm' ? 60 : c == 'h' ? 3600 :
			    c == 'd' ? 86400 : c == 'w' ? 604800 : 0;
		if (mul == 0)
			return -1;
	}
	if (v > LLONG_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* conf_hostport - "" or HOST:PORT, [IPV6]:PORT with a port 1..65535 */
static int
conf_hostport(const char *v)
{
	const char *colon = strrchr(v, ':'), *p;
	char *end;
	long port;

	if (*v == '\0')
		return 1;
	if (colon == NULL || colon == v || strpbrk(v, " \t,;/") != NULL)
		return 0;
	if (*v == '[' && (colon[-1] != ']' || colon - v < 3))
		return 0;
	if (*v != '[')
		for (p = v; p < colon; p++)
			if (*p == ':' || *p == '[' || *p == ']')
				return 0;
	port = strtol(colon + 1, &end, 10);
	return colon[1] >= '0' && colon[1] <= '9' && *end == '\0' &&
	    port >= 1 && port <= 65535;
}

/* conf_word - v is one of words (NULL-terminated); icase: in any case */
static int
conf_word(const char *v, const char *const *words, int icase)
{
	for (; *words != NULL; words++)
		if ((icase ? strcasecmp(v, *words) : strcmp(v, *words)) == 0)
			return 1;
	return 0;
}

static int
conf_milter_action(const char *v)
{
	static const char *const w[] = { "accept", "discard", "tag", NULL };

	return conf_word(v, w, 0);
}

static int
conf_sender_policy(const char *v)
{
	static const char *const w[] = { "accept", "moderate", "new_ticket",
	    NULL };

	return conf_word(v, w, 0);
}

static int
conf_yesno(const char *v)
{
	static const char *const w[] = { "yes", "no", NULL };

	return conf_word(v, w, 1);
}

/* conf_set - store one value, checking type and bounds */
static int
conf_set(struct pd_conf *c, const struct conf_param *p, const char *val,
	 const char *file, int line, struct pd_err *err)
{
	char *base = (char *)c;
	long long v;
	size_t i;

	if (p->type == CT_STR) {
		char **slot = (char **)(base + p->off);

		for (i = 0; i < sizeof(conf_forms) / sizeof(conf_forms[0]); i++)
			if (strcmp(conf_forms[i].name, p->name) == 0 &&
			    !conf_forms[i].valid(val))
				return err_set(err, PD_ECONFIG, "%s:%d: %s: "
				    "\"%s\" is not %s", file, line, p->name,
				    val, conf_forms[i].want);
		free(*slot);
		*slot = xstrdup(val);
		return 0;
	}
	if (conf_number(val, p->type, &v) < 0)
		return err_set(err, PD_ECONFIG, "%s:%d: %s: bad %s \"%s\"",
		    file, line, p->name,
		    p->type == CT_SIZE ? "size" : "duration", val);
	if (v < p->min || v > p->max)
		return err_set(err, PD_ECONFIG,
		    "%s:%d: %s: %lld is out of range %lld..%lld", file, line,
		    p->name, v, p->min, p->max);
	if (p->type == CT_SIZE)
		*(size_t *)(base + p->off) = (size_t)v;
	else
		*(long *)(base + p->off) = (long)v;
	return 0;
}

/* conf_defaults - the built-in values */
void
conf_defaults(struct pd_conf *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CONF_NPARAM; i++)
		(void)conf_set(c, &conf_table[i], conf_table[i].def, "default",
		    0, NULL);
}

/* conf_trim - strip leading and trailing white space in place */
static char *
conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* conf_apply - handle one logical "key = value" line */
static int
conf_apply(struct pd_conf *c, char *text, const char *file, int line,
	   struct pd_err *err)
{
	char *eq, *key, *val;
	size_t i;

	if ((eq = strchr(text, '=')) == NULL)
		return err_set(err, PD_ECONFIG,
		    "%s:%d: missing '=' in \"%.60s\"", file, line,
		    conf_trim(text));
	*eq = '\0';
	key = conf_trim(text);
	val = conf_trim(eq + 1);
	for (i = 0; i < CONF_NPARAM; i++)
		if (strcmp(conf_table[i].name, key) == 0) {
			c->line[i] = line;
			return conf_set(c, &conf_table[i], val, file, line, err);
		}
	return err_set(err, PD_ECONFIG, "%s:%d: %s: unknown parameter",
	    file, line, key);
}

/* hours_parse - "mon-fri 09:00-17:00[, sat 10:00-12:00]"; "" = always open */
int
hours_parse(const char *s, struct pd_hours *h)
{
	static const char *days[] = { "sun", "mon", "tue", "wed", "thu",
	    "fri", "sat" };
	const char *p = s;
	int i;

	memset(h, 0, sizeof(*h));
	if (*s == '\0')
		return 0;
	h->set = 1;
	while (*p != '\0') {
		int d1 = -1, d2 = -1, h1, m1, h2, m2, n;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (i = 0; i < 7; i++)
			if (strncasecmp(p, days[i], 3) == 0)
				d1 = i;
		if (d1 < 0)
			return -1;
		p += 3;
		d2 = d1;
		if (*p == '-') {
			for (i = 0, d2 = -1; i < 7; i++)
				if (strncasecmp(p + 1, days[i], 3) == 0)
					d2 = i;
			if (d2 < 0)
				return -1;
			p += 4;
		}
		if (sscanf(p, " %2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n)
		    != 4 || h1 > 24 || h2 > 24 || m1 > 59 || m2 > 59 ||
		    h1 * 60 + m1 >= h2 * 60 + m2)
			return -1;
		p += n;
		for (i = d1;; i = (i + 1) % 7) {
			h->open[i] = h1 * 60 + m1;
			h->close[i] = h2 * 60 + m2;
			if (i == d2)
				break;
		}
	}
	return 0;
}

/* conf_where - "FILE:LINE: KEY" of a parameter set in the file, "FILE: KEY"
 * of one left at its default, in buf */
const char *
conf_where(const struct pd_conf *c, const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < CONF_NPARAM; i++)
		if (strcmp(conf_table[i].name, key) == 0 && c->line[i] > 0) {
			snprintf(buf, len, "%s:%d: %s", c->path, c->line[i],
			    key);
			return buf;
		}
	snprintf(buf, len, "%s: %s", c->path, key);
	return buf;
}

/* conf_derive - check required values and fill derived ones */
static int
conf_derive(struct pd_conf *c, struct pd_err *err)
{
	char tzpath[300], w[PATH_MAX + 64];
	const char *at;
	size_t n;

	if (c->support_address[0] == '\0')
		return err_set(err, PD_ECONFIG,
		    "%s: required parameter is not set",
		    conf_where(c, "support_address", w, sizeof(w)));
	at = strrchr(c->support_address, '@');
	if (at == NULL || at == c->support_address || at[1] == '\0' ||
	    strpbrk(c->support_address, " \t<>\"") != NULL)
		return err_set(err, PD_ECONFIG,
		    "%s: \"%s\" is not an address like "
		    "support@example.com", conf_where(c, "support_address", w,
		    sizeof(w)), c->support_address);
	if (strlen(c->recipient_delimiter) != 1)
		return err_set(err, PD_ECONFIG,
		    "%s: must be one character", conf_where(c,
		    "recipient_delimiter", w, sizeof(w)));
	if (c->data_directory[0] != '/')
		return err_set(err, PD_ECONFIG,
		    "%s: must be an absolute path", conf_where(c,
		    "data_directory", w, sizeof(w)));
	c->support_local = xstrndup(c->support_address,
	    (size_t)(at - c->support_address));
	c->support_domain = xstrdup(at + 1);
	for (char *p = c->support_domain; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (c->hostname[0] == '\0') {
		free(c->hostname);
		c->hostname = xstrdup(c->support_domain);
	}
	if (c->key_file[0] == '\0') {
		free(c->key_file);
		c->key_file = xasprintf("%s/postdesk.key", c->data_directory);
	}
	if (c->base_url[0] == '\0') {
		free(c->base_url);
		c->base_url = xasprintf("https://%s", c->hostname);
	}
	n = strlen(c->base_url);
	while (n > 0 && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	if (c->bounce_address[0] == '\0') {
		free(c->bounce_address);
		c->bounce_address = xstrdup(c->support_address);
	}
	/* the shipped rules, when installed; POSTDESK_FILTERS for a build tree */
	c->shipped_filters = xstrdup(getenv("POSTDESK_FILTERS") != NULL ?
	    getenv("POSTDESK_FILTERS") : access(PKGDATADIR "/filters", F_OK) ==
	    0 ? PKGDATADIR "/filters" : "");
	/* the shipped templates, when installed (a build tree has none) */
	c->shipped_templates = xstrdup(access(PKGDATADIR "/templates", F_OK)
	    == 0 ? PKGDATADIR "/templates" : "");
	/* milter_action, unknown_sender_policy and customer_can_reopen were
	 * checked as they were read (conf_forms) */
	c->customer_can_reopen = strcasecmp(c->customer_can_reopen_s, "yes")
	    == 0;
	if (strcmp(c->timezone, "UTC") != 0 && (strstr(c->timezone, "..") ||
	    c->timezone[0] == '/' || access(((void)snprintf(tzpath,
	    sizeof(tzpath), "/usr/share/zoneinfo/%s", c->timezone), tzpath),
	    R_OK) != 0))
		return err_set(err, PD_ECONFIG, "%s: \"%s\" is not "
		    "an IANA time zone name (like Europe/Berlin)",
		    conf_where(c, "timezone", w, sizeof(w)),
		    c->timezone);
	if (hours_parse(c->business_hours, &c->hours) < 0)
		return err_set(err, PD_ECONFIG, "%s: \"%s\" "
		    "is not like \"mon-fri 09:00-17:00\"", conf_where(c,
		    "business_hours", w, sizeof(w)),
		    c->business_hours);
	if (strlen(c->reply_marker) < 8 || strchr(c->reply_marker, '<'))
		return err_set(err, PD_ECONFIG, "%s: must be at "
		    "least 8 characters and contain no '<'", conf_where(c,
		    "reply_marker", w, sizeof(w)));
	return 0;
}

/* conf_load - read FILE into c */
int
conf_load(const char *file, struct pd_conf *c, struct pd_err *err)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct buf *logical;
	int lineno = 0, start = 0, rc = 0;

	conf_defaults(c);
	c->path = xstrdup(file);
	if ((fp = fopen(file, "r")) == NULL)
		return err_set(err, PD_ECONFIG, "%s: cannot open: %s", file,
		    strerror(errno));
	logical = buf_new(256);
	while (rc == 0 && (n = getline(&line, &cap, fp)) >= 0) {
		char *s = line;

		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			rc = err_set(err, PD_ECONFIG, "%s:%d: NUL byte in line",
			    file, lineno);
			break;
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0')
			continue;
		if (s != line && logical->len > 0) {
			buf_addc(logical, ' ');	/* continuation */
			buf_adds(logical, s);
			continue;
		}
		if (s != line)
			rc = err_set(err, PD_ECONFIG, "%s:%d: continuation "
			    "line without a parameter before it", file, lineno);
		else if (logical->len > 0)
			rc = conf_apply(c, logical->data, file, start, err);
		buf_reset(logical);
		buf_adds(logical, s);
		start = lineno;
	}
	if (rc == 0 && ferror(fp))
		rc = err_set(err, PD_ECONFIG, "%s: read error", file);
	if (rc == 0 && logical->len > 0)
		rc = conf_apply(c, logical->data, file, start, err);
	free(line);
	buf_free(logical);
	fclose(fp);
	if (rc == 0)
		rc = conf_derive(c, err);
	return rc;
}

/* conf_free - release the strings */
void
conf_free(struct pd_conf *c)
{
	size_t i;

	for (i = 0; i < CONF_NPARAM; i++)
		if (conf_table[i].type == CT_STR)
			free(*(char **)((char *)c + conf_table[i].off));
	free(c->path);
	free(c->support_local);
	free(c->support_domain);
	free(c->shipped_templates);
	free(c->shipped_filters);
	memset(c, 0, sizeof(*c));
}

/* conf_dump - print the effective configuration */
void
conf_dump(const struct pd_conf *c)
{
	const char *base = (const char *)c;
	size_t i;

	for (i = 0; i < CONF_NPARAM; i++) {
		const struct conf_param *p = &conf_table[i];

		if (p->type == CT_STR)
			printf("%s = %s\n", p->name,
			    *(char *const *)(base + p->off));
		else if (p->type == CT_SIZE)
			printf("%s = %zu\n", p->name,
			    *(const size_t *)(base + p->off));
		else
			printf("%s = %ld\n", p->name,
			    *(const long *)(base + p->off));
	}
}

/* conf_open_at - within business hours? (the timezone's local time) */
int
conf_open_at(const struct pd_conf *c, time_t t)
{
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;
	struct tm tm;
	int min;

	if (!c->hours.set)
		return 1;
	/* XXX TZ is process-wide: fine for the pipe filter and cron */
	setenv("TZ", c->timezone, 1);
	tzset();
	localtime_r(&t, &tm);
	if (saved != NULL) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
	min = tm.tm_hour * 60 + tm.tm_min;
	return min >= c->hours.open[tm.tm_wday] &&
	    min < c->hours.close[tm.tm_wday];
}

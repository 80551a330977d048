/*
 * ctl_init.c - postdesk init and postdesk check
 *
 * init creates the data directory (0700), the LMDB store and the signing
 * key (0600); it never overwrites an existing key. Run as root, it first
 * switches to the owner of the data directory (created for --owner USER
 * when it does not exist), so every file belongs to the account the filter
 * runs as. check loads everything a delivery would and says what is wrong;
 * check --data also walks the store and checks that its indexes and
 * records agree (store_verify()), exiting 1 with one line per problem.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/agents.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/priv.h"
#include "token/token.h"
#include "notify/notify.h"
#include "notify/tpl.h"
#include "rules/rules.h"
#include "store/store.h"
#include "core/workflow.h"
#include "ctl/ctl.h"

static void rules_report(const char *, void *);

/* rules_report - one rules problem (already FILE:LINE: reason) */
static void
rules_report(const char *problem, void *arg)
{
	(void)arg;
	fprintf(stderr, "%s\n", problem);
}

/* ctl_make_datadir - mkdir 0700, chown to owner when given (as root) */
static int
ctl_make_datadir(const char *dir, const char *owner, struct pd_err *err)
{
	struct passwd *pw = NULL;

	if (owner != NULL && (pw = getpwnam(owner)) == NULL)
		return err_set(err, PD_ECONFIG, "--owner: no such user: %s",
		    owner);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(err, PD_ETEMP, "cannot create %s: %s", dir,
		    strerror(errno));
	if (pw != NULL && geteuid() == 0 &&
	    chown(dir, pw->pw_uid, pw->pw_gid) != 0)
		return err_set(err, PD_ETEMP, "cannot chown %s to %s: %s", dir,
		    owner, strerror(errno));
	return 0;
}

/* ctl_init - postdesk init [--owner USER] */
int
ctl_init(struct ctl *c, int argc, char **argv)
{
	struct pd_err err;
	struct store *st = NULL;
	const char *owner = NULL;
	struct stat sb;
	long uid;
	int rc, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--owner") == 0 && i + 1 < argc)
			owner = argv[++i];
		else {
			fprintf(stderr, "usage: postdesk init [--owner USER]\n");
			return EX_USAGE;
		}
	}
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	if (workflow_conf(&c->conf, &err) == NULL) {
		return ctl_status(&err);
	}
	if (ctl_make_datadir(c->conf.data_directory, owner, &err) < 0 ||
	    priv_become_owner(c->conf.data_directory, &uid, &err) < 0)
		return ctl_status(&err);
	if (uid >= 0)
		log_info("running as uid %ld, the owner of %s", uid,
		    c->conf.data_directory);
	if (lstat(c->conf.key_file, &sb) == 0) {
		err_set(&err, PD_ECONFIG, "key file %s exists: refusing to "
		    "overwrite it (tokens signed with it would stop working)",
		    c->conf.key_file);
		return ctl_status(&err);
	}
	if (token_init() < 0) {
		err_set(&err, PD_ETEMP, "libsodium failed to start");
		return ctl_status(&err);
	}
	if (store_open(c->conf.data_directory, c->conf.map_size,
	    STORE_CREATE, &st, &err) < 0)
		return ctl_status(&err);
	store_close(st);
	if (keyfile_create(c->conf.key_file, &err) < 0)
		return ctl_status(&err);
	printf("postdesk: created the store in %s and the key %s\n",
	    c->conf.data_directory, c->conf.key_file);
	log_info("initialised store %s and key %s", c->conf.data_directory,
	    c->conf.key_file);
	return 0;
}

/* check_report - one template problem, FILE:LINE: reason */
static void
check_report(const char *file, int line, const char *reason, void *arg)
{
	(void)arg;
	if (line > 0)
		fprintf(stderr, "%s:%d: %s\n", file, line, reason);
	else
		fprintf(stderr, "%s: %s\n", file, reason);
}

/* check_data_report - one problem of the store's data */
static void
check_data_report(const char *problem, void *arg)
{
	(void)arg;
	fprintf(stderr, "postdesk: store data: %s\n", problem);
}

/* check_delivery - can notifications be handed over? sendmail_path must
 * be a program the filter's account can run; notify_smtp must answer. A
 * warning only: the outbox keeps what cannot go yet, and an MTA that is
 * down now may be up in a minute. */
static void
check_delivery(struct ctl *c)
{
	char why[512], w[PATH_MAX + 64];

	fflush(stdout);		/* the warnings after the lines before */
	if (c->conf.notify_smtp[0] != '\0') {
		if (notify_smtp_check(&c->conf, why, sizeof(why)) == 0)
			printf("notify_smtp %s answers: %s\n",
			    c->conf.notify_smtp, why);
		else
			fprintf(stderr, "postdesk: warning: %s: %s; "
			    "notifications wait in the outbox until it "
			    "answers\n", conf_where(&c->conf, "notify_smtp", w,
			    sizeof(w)), why);
	} else if (access(c->conf.sendmail_path, X_OK) == 0)
		printf("sendmail_path %s OK\n", c->conf.sendmail_path);
	else
		fprintf(stderr, "postdesk: warning: %s: cannot run %s: %s; "
		    "notifications wait in the outbox until it can\n",
		    conf_where(&c->conf, "sendmail_path", w, sizeof(w)),
		    c->conf.sendmail_path, strerror(errno));
}

/* ctl_check_data - check --data: indexes and records agree */
static int
ctl_check_data(struct ctl *c, struct store *st, const struct store_stat *ss)
{
	struct pd_err err;
	int problems;

	err_clear(&err);
	if ((problems = store_verify(st, check_data_report, NULL, &err)) < 0)
		return ctl_status(&err);
	if (problems > 0) {
		fprintf(stderr, "postdesk: %d problem%s in the store data of "
		    "%s\n", problems, problems == 1 ? "" : "s",
		    c->conf.data_directory);
		return 1;
	}
	printf("store data OK: %llu tickets, %llu messages, %llu raw "
	    "messages, %llu outbox entries and their indexes checked\n",
	    (unsigned long long)ss->tickets, (unsigned long long)ss->messages,
	    (unsigned long long)ss->raw, (unsigned long long)ss->outbox);
	return 0;
}

/* ctl_check - postdesk check [--data]: configuration, agents, templates,
 * key, store (and with --data the store's records and indexes) */
int
ctl_check(struct ctl *c, int argc, char **argv)
{
	struct pd_err err;
	struct pd_keyring *keys;
	struct store *st = NULL;
	struct store_stat ss;
	struct pd_agents agents;
	long uid;
	int rc, problems, data = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0)
			data = 1;
		else {
			fprintf(stderr, "usage: postdesk check [--data]\n");
			return EX_USAGE;
		}
	}
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	if (workflow_conf(&c->conf, &err) == NULL) {
		return ctl_status(&err);
	}
	if (c->conf.notify_smtp[0] != '\0') {
		char why[256], w[PATH_MAX + 64];

		if (notify_smtp_ready(why, sizeof(why)) < 0) {
			err_set(&err, PD_ECONFIG, "%s: %s", conf_where(&c->conf,
			    "notify_smtp", w, sizeof(w)), why);
			return ctl_status(&err);
		}
	}
	printf("%s: configuration OK\n", c->conf.path);
	/* read everything as the account the filter runs as would */
	if (priv_become_owner(c->conf.data_directory, &uid, &err) < 0)
		return ctl_status(&err);
	if (agents_load(c->conf.agents_file, &agents, &err) < 0)
		return ctl_status(&err);
	if (c->conf.agents_file[0] != '\0')
		printf("%s: %zu agents OK\n", c->conf.agents_file, agents.n);
	agents_free(&agents);
	if ((problems = tpl_check(c->conf.template_directory,
	    c->conf.shipped_templates, c->conf.language, check_report,
	    NULL)) > 0) {
		fprintf(stderr, "postdesk: %d problem%s with the templates\n",
		    problems, problems == 1 ? "" : "s");
		return EX_CONFIG;
	}
	printf("templates (%s) OK\n", c->conf.language);
	{
		const char *dirs[2] = { c->conf.shipped_filters,
		    c->conf.rules_directory };

		if ((problems = rules_check(dirs, 2, rules_report, NULL)) > 0) {
			fprintf(stderr, "postdesk: %d problem%s with the intake "
			    "rules\n", problems, problems == 1 ? "" : "s");
			return EX_CONFIG;
		}
	}
	printf("intake rules OK\n");
	if (token_init() < 0 ||
	    (keys = keyfile_load(c->conf.key_file, &err)) == NULL)
		return ctl_status(&err);
	token_keyring_free(keys);
	printf("%s: key OK\n", c->conf.key_file);
	if (store_open(c->conf.data_directory, c->conf.map_size,
	    STORE_RDONLY, &st, &err) < 0)
		return ctl_status(&err);
	if (store_stat(st, &ss, &err) < 0) {
		store_close(st);
		return ctl_status(&err);
	}
	printf("%s: store OK, schema %d, %llu tickets, %llu messages, "
	    "%llu in the outbox, %llu of %llu bytes used\n",
	    c->conf.data_directory, STORE_SCHEMA_VERSION,
	    (unsigned long long)ss.tickets, (unsigned long long)ss.messages,
	    (unsigned long long)ss.outbox, (unsigned long long)ss.used_bytes,
	    (unsigned long long)ss.map_size);
	check_delivery(c);
	rc = data ? ctl_check_data(c, st, &ss) : 0;
	store_close(st);
	return rc;
}

/*
 * ctl.h - postdesk, the operator's and agent's command line
 *
 * ctl_main.c parses the global options and dispatches to one function per
 * command; each returns a sysexits(3) status: 0 ok, 1 not found (show),
 * 64 usage, 75 temporary failure, 78 configuration error.
 */
#ifndef PD_CTL_H
#define PD_CTL_H

#include "util/conf.h"

struct pd_err;

struct ctl {
	const char *config;	/* -c FILE or NULL */
	struct pd_conf conf;	/* loaded by ctl_load_conf() */
	int	conf_loaded;
	int	verbose;
};

/* ctl_load_conf - load the configuration; 0 or a sysexits status */
int	ctl_load_conf(struct ctl *);
/* ctl_store - as the owner of data_directory (the configuration loaded),
 * open the store with flags (0 or STORE_RDONLY); 0, or -1 with err */
struct store;
int	ctl_store(struct ctl *, int flags, struct store **, struct pd_err *);
/* ctl_read - ctl_load_conf, ctl_store read-only and store_read: 0, or the
 * exit status with the reason printed (nothing left open) */
struct store_txn;
int	ctl_read(struct ctl *, struct store **, struct store_txn **);
/* ctl_status - print err to stderr, return the status for its class */
int	ctl_status(const struct pd_err *);

int	ctl_init(struct ctl *, int, char **);
int	ctl_list(struct ctl *, int, char **);
int	ctl_show(struct ctl *, int, char **);
int	ctl_check(struct ctl *, int, char **);
int	ctl_url(struct ctl *, int, char **);
int	ctl_outbox(struct ctl *, int, char **);
int	ctl_agent(struct ctl *, int, char **);
int	ctl_agents(struct ctl *, int, char **);
int	ctl_workflow(struct ctl *, int, char **);
int	ctl_explain(struct ctl *, int, char **);
int	ctl_suppressed(struct ctl *, int, char **);
int	ctl_customer(struct ctl *, int, char **);
int	ctl_backup(struct ctl *, int, char **);

#endif

/*
 * priv.h - least privilege (STYLE.md section 7)
 *
 * priv_init() makes sure file descriptors 0-2 are open (on /dev/null) and
 * sets umask 077, before anything else is opened. priv_become_owner() is
 * called before the store or the key is opened: when the process runs as
 * root it switches (groups, gid, uid) to the owner of the data directory,
 * so that a root-run command never leaves files the unprivileged filter
 * cannot write. A directory owned by root is refused (PD_ECONFIG): postdesk
 * never runs as root. Not running as root, it does nothing. *switched is
 * set to the uid switched to, or -1.
 */
#ifndef PD_PRIV_H
#define PD_PRIV_H

#include <sys/types.h>

struct pd_err;

void	priv_init(void);
int	priv_become_owner(const char *dir, long *switched, struct pd_err *);
/* priv_become_user - as root, switch to a named account (postdesk init --owner) */
int	priv_become_user(const char *user, struct pd_err *);

#endif

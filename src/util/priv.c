/*
 * priv.c - see priv.h
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "priv.h"

static int priv_switch(uid_t, gid_t, const char *, struct pd_err *);

/* priv_init - standard descriptors open, private umask */
void
priv_init(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	umask(077);
}

/* priv_switch - drop supplementary groups, then gid, then uid */
static int
priv_switch(uid_t uid, gid_t gid, const char *why, struct pd_err *err)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL ? initgroups(pw->pw_name, gid) != 0 :
	    setgroups(1, &gid) != 0)
		return err_set(err, PD_ETEMP, "cannot set groups for %s: %s",
		    why, strerror(errno));
	if (setgid(gid) != 0 || setuid(uid) != 0)
		return err_set(err, PD_ETEMP, "cannot switch to uid %ld for "
		    "%s: %s", (long)uid, why, strerror(errno));
	if (setuid(0) == 0)
		return err_set(err, PD_EBUG, "could regain root after "
		    "switching to uid %ld", (long)uid);
	return 0;
}

/* priv_become_owner - as root, become the owner of dir */
int
priv_become_owner(const char *dir, long *switched, struct pd_err *err)
{
	struct stat st;

	*switched = -1;
	if (geteuid() != 0)
		return 0;
	if (stat(dir, &st) != 0)
		return err_set(err, PD_ETEMP, "data_directory %s: %s", dir,
		    strerror(errno));
	if (st.st_uid == 0)
		return err_set(err, PD_ECONFIG, "data_directory %s is owned "
		    "by root; chown it to the account the filter runs as "
		    "(for example: chown -R postdesk: %s)", dir, dir);
	if (priv_switch(st.st_uid, st.st_gid, dir, err) < 0)
		return -1;
	*switched = (long)st.st_uid;
	return 0;
}

/* priv_become_user - as root, become a named account */
int
priv_become_user(const char *user, struct pd_err *err)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL)
		return err_set(err, PD_ECONFIG, "no such user: %s", user);
	if (pw->pw_uid == 0)
		return err_set(err, PD_ECONFIG, "refusing to run as root (%s)",
		    user);
	if (geteuid() != 0)
		return getuid() == pw->pw_uid ? 0 : err_set(err, PD_ECONFIG,
		    "only root can switch to user %s", user);
	return priv_switch(pw->pw_uid, pw->pw_gid, user, err);
}

/*
 * ctl_backup.c - postdesk backup DIR
 *
 * One command for a complete backup: DIR (created 0700, or an empty
 * directory) gets data.mdb, a compacted copy of one consistent snapshot
 * of the store (mail may be delivered meanwhile), and postdesk.key, the
 * signing key without which no reply address, Message-ID or ticket URL of
 * the copy would verify. Both are flushed to disk. The copy is then opened
 * and checked as "postdesk check --data" checks a store; only a copy that
 * checks clean is reported as a backup. Run as root, DIR is given to the
 * owner of data_directory and the work is done as that account, like
 * every other command. On any failure the files this run created are
 * removed again, and DIR too when this run made it.
 *
 * Exit 0 done; 73 (EX_CANTCREAT) DIR is not empty, or the owner cannot
 * reach it; 75 a temporary failure; 78 a configuration error; 65 the copy
 * does not check.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/priv.h"
#include "store/store.h"
#include "ctl/ctl.h"

/* dir_empty - 1 when dir holds no entry but . and .., 0 when it does */
static int
dir_empty(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int empty = 1;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (empty && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* owner_reaches - can the owner of data write into dir? Asked by a child
 * that becomes the owner, so that root keeps the right to undo */
static int
owner_reaches(const char *dir, const char *data)
{
	struct pd_err err;
	pid_t pid;
	long uid;
	int status;

	if ((pid = fork()) < 0)
		return 1;	/* the copy itself will say what is wrong */
	if (pid == 0)
		_exit(priv_become_owner(data, &uid, &err) == 0 &&
		    access(dir, W_OK | X_OK) == 0 ? 0 : 1);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* backup_dir - make dir (or take an empty one) for the owner of data;
 * *made says whether this run created it */
static int
backup_dir(const char *dir, const char *data, int *made, struct pd_err *err)
{
	struct stat sb;

	*made = 0;
	if (mkdir(dir, 0700) == 0)
		*made = 1;
	else if (errno != EEXIST)
		return err_set(err, PD_ETEMP, "cannot create %s: %s", dir,
		    strerror(errno));
	else if (!dir_empty(dir))
		return err_set(err, PD_EDATA, "%s exists and is not an empty "
		    "directory: refusing to write a backup into it", dir);
	if (geteuid() == 0 && stat(data, &sb) == 0 &&
	    chown(dir, sb.st_uid, sb.st_gid) != 0)
		return err_set(err, PD_ETEMP, "cannot give %s to the owner of "
		    "%s: %s", dir, data, strerror(errno));
	if (geteuid() == 0 && !owner_reaches(dir, data))
		return err_set(err, PD_EDATA, "the owner of %s cannot write "
		    "into %s: a directory above it is closed to that account; "
		    "choose a place it can reach", data, dir);
	return 0;
}

/* copy_key - the key file, byte for byte, as dir/postdesk.key (0600) */
static int
copy_key(const char *from, const char *to, struct pd_err *err)
{
	char buf[4096];
	ssize_t n;
	int in, out = -1, rc = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(err, PD_ETEMP, "cannot read the key %s: %s", from,
		    strerror(errno));
		return -1;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0) {
		err_set(err, PD_ETEMP, "cannot create %s: %s", to,
		    strerror(errno));
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			err_set(err, PD_ETEMP, "cannot copy %s to %s: %s",
			    from, to, strerror(errno));
			goto out;
		}
	}
	if (fsync(out) < 0) {
		err_set(err, PD_ETEMP, "cannot flush %s: %s", to,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* verify_report - one problem of the copy */
static void
verify_report(const char *problem, void *arg)
{
	(void)arg;
	fprintf(stderr, "postdesk: backup copy: %s\n", problem);
}

/* verify_copy - open the copy and check it as check --data does; its
 * counts into ss; the lock file the check made is removed */
static int
verify_copy(const char *dir, struct store_stat *ss, struct pd_err *err)
{
	struct store *st = NULL;
	char lock[PATH_MAX];
	int problems;

	if (store_open(dir, 0, STORE_RDONLY, &st, err) < 0)
		return -1;
	problems = store_verify(st, verify_report, NULL, err);
	if (problems == 0 && store_stat(st, ss, err) < 0)
		problems = -1;
	store_close(st);
	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	(void)unlink(lock);
	if (problems > 0)
		return err_set(err, PD_EDATA, "the copy in %s has %d "
		    "problem%s: it is not a backup", dir, problems,
		    problems == 1 ? "" : "s");
	return problems;
}

/* undo - remove what this run put into dir, and dir when it made it */
static void
undo(const char *dir, int made)
{
	static const char *const files[] = { "data.mdb", "lock.mdb",
	    "postdesk.key" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	if (made)
		(void)rmdir(dir);
}

/* ctl_backup - postdesk backup DIR */
int
ctl_backup(struct ctl *c, int argc, char **argv)
{
	struct store_stat ss;
	struct store *st = NULL;
	struct pd_err err;
	char key[PATH_MAX], data[PATH_MAX];
	const char *dir;
	struct stat sb;
	int rc, made = 0;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: postdesk backup DIR\n");
		return EX_USAGE;
	}
	dir = argv[1];
	if ((rc = ctl_load_conf(c)) != 0)
		return rc;
	err_clear(&err);
	if (backup_dir(dir, c->conf.data_directory, &made, &err) < 0) {
		if (made)
			(void)rmdir(dir);
		rc = ctl_status(&err);
		return err.class == PD_EDATA ? EX_CANTCREAT : rc;
	}
	snprintf(key, sizeof(key), "%s/postdesk.key", dir);
	snprintf(data, sizeof(data), "%s/data.mdb", dir);
	if (ctl_store(c, STORE_RDONLY, &st, &err) < 0 ||
	    store_copy(st, dir, &err) < 0 ||
	    copy_key(c->conf.key_file, key, &err) < 0 ||
	    verify_copy(dir, &ss, &err) < 0) {
		store_close(st);
		undo(dir, made);
		return ctl_status(&err);
	}
	store_close(st);
	if (stat(data, &sb) < 0)
		sb.st_size = 0;
	printf("postdesk: backup of %" PRIu64 " tickets and %" PRIu64
	    " messages in %s: data.mdb (%lld KB) and postdesk.key; the copy "
	    "checks clean\n", ss.tickets, ss.messages, dir,
	    (long long)(sb.st_size + 1023) / 1024);
	log_info("backup to %s: %" PRIu64 " tickets, %" PRIu64 " messages, "
	    "%lld bytes", dir, ss.tickets, ss.messages,
	    (long long)sb.st_size);
	return 0;
}

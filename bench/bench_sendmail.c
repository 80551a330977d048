/*
 * bench_sendmail.c - the least a sendmail(1) can do, as the bench's MTA
 *
 * Usage (as postdesk-filter runs sendmail_path):
 *	sendmail -i -f SENDER -- RECIPIENT < MESSAGE
 *
 * It reads the whole message from stdin and appends one line, the
 * recipient, to the file "sent.count" in the directory its executable is
 * in (bench.sh copies it there as the home's "sendmail"), with one
 * write(2) on an O_APPEND descriptor, so runs side by side never mix
 * their lines. Nothing else: no queue file, no fsync, no shell. What the
 * bench then measures of a notification is postdesk's part of it plus
 * one exec of a small program; a real MTA's own work is on top (bench.sh
 * also prints what the shell-script stand-in and Postfix's sendmail cost
 * here).
 *
 * Exit status: 0 taken; 64 arguments not of that form; 75 any failure,
 * one line on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char buf[65536], path[PATH_MAX], line[1024];
	ssize_t n, len;
	char *slash;
	int fd;

	if (argc != 6 || strcmp(argv[1], "-i") != 0 ||
	    strcmp(argv[2], "-f") != 0 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr, "usage: sendmail -i -f SENDER -- RECIPIENT\n");
		return EX_USAGE;
	}
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "sendmail: read: %s\n",
			    strerror(errno));
			return EX_TEMPFAIL;
		}
	}
	len = readlink("/proc/self/exe", path, sizeof(path) - 16);
	if (len >= 0)
		path[len] = '\0';
	if (len < 0 || (slash = strrchr(path, '/')) == NULL) {
		fprintf(stderr, "sendmail: cannot find my directory\n");
		return EX_TEMPFAIL;
	}
	strcpy(slash + 1, "sent.count");
	n = snprintf(line, sizeof(line), "%s\n", argv[5]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return EX_USAGE;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0666)) < 0 ||
	    write(fd, line, n) != n || close(fd) < 0) {
		fprintf(stderr, "sendmail: %s: %s\n", path, strerror(errno));
		return EX_TEMPFAIL;
	}
	return 0;
}

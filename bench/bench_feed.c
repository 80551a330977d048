/*
 * bench_feed.c - run one program per message and measure each run
 *
 * Usage: bench_feed [-j JOBS] [-o TIMES_FILE] -- PROGRAM ARGS... < LISTFILE
 *
 * LISTFILE has one line per message: "MESSAGE_FILE RECIPIENT [SENDER]",
 * fields separated by blanks. For each line bench_feed forks, opens
 * MESSAGE_FILE as the child's standard input and execs PROGRAM with ARGS,
 * in which "%r" is replaced by RECIPIENT, "%s" by SENDER (the empty
 * string when the line has none) and "%n" by the line number, so a
 * program can be called the way Postfix's pipe(8) calls it. At most JOBS
 * children (default 1) run at once, like as many concurrent deliveries.
 *
 * For each child it measures the wall time from just before fork() to the
 * return of wait4() (CLOCK_MONOTONIC) and the peak resident set size
 * (ru_maxrss of the child, in kilobytes: resident pages of shared
 * libraries count too). Linux keeps in ru_maxrss the larger of the
 * child's peak before exec (a copy of this small program, about 1.2 MB)
 * and the peak of the program it runs, so only figures under that are
 * the driver's own.
 *
 * Output on stdout, one "key value" pair per line, for scripts:
 *	count, wall_s, msg_per_s, median_ms, p90_ms, max_rss_kb, failures
 * (p90 is the nearest-rank 90th percentile). A child that exits non-zero
 * or is killed is a failure. With -o, TIMES_FILE gets one line per
 * message: "LINE WALL_MS RSS_KB STATUS", STATUS being the exit code or
 * "sig" and the signal number.
 *
 * Exit status: 0 when every child exited 0, 1 when some failed, 2 for a
 * usage, list or system error (then nothing is printed on stdout).
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct job {
	char	*file;		/* message file */
	char	**argv;		/* PROGRAM ARGS with %r, %s, %n replaced */
	size_t	 lineno;	/* in the list */
	double	 ms;		/* wall time, milliseconds */
	long	 rss_kb;	/* peak resident set size */
	int	 status;	/* from wait4() */
};

struct slot {
	pid_t	 pid;		/* 0 when free */
	size_t	 job;		/* index in the job table */
	struct timespec start;
};

static void usage(void) __attribute__((noreturn));
static void die(const char *) __attribute__((noreturn));
static void *xmalloc(size_t);
static char *subst(const char *, const char *, const char *, size_t);
static size_t read_list(FILE *, char **, int, struct job **);
static pid_t spawn(const struct job *);
static double elapsed_ms(const struct timespec *, const struct timespec *);
static void run(struct job *, size_t, int, double *);
static int cmp_double(const void *, const void *);
static size_t report(const struct job *, size_t, double);
static int write_times(const char *, const struct job *, size_t);

/* usage - explain the command line and exit 2 */
static void
usage(void)
{
	fprintf(stderr, "usage: bench_feed [-j JOBS] [-o TIMES_FILE] -- "
	    "PROGRAM ARGS... < LISTFILE\n");
	exit(2);
}

/* die - report a failed system call and exit 2 */
static void
die(const char *what)
{
	fprintf(stderr, "bench_feed: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* xmalloc - malloc or exit */
static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n != 0 ? n : 1)) == NULL)
		die("malloc");
	return p;
}

/* subst - a copy of arg with %r, %s and %n replaced */
static char *
subst(const char *arg, const char *rcpt, const char *sender, size_t lineno)
{
	char num[32], *out, *o;
	const char *p, *rep;
	size_t len, longest;

	snprintf(num, sizeof(num), "%zu", lineno);
	longest = strlen(rcpt);
	if (strlen(sender) > longest)
		longest = strlen(sender);
	if (strlen(num) > longest)
		longest = strlen(num);
	/* Each two-character pattern grows by at most longest - 2 bytes. */
	len = strlen(arg);
	o = out = xmalloc(len + (len / 2 + 1) * longest + 1);
	for (p = arg; *p != '\0'; p++) {
		rep = NULL;
		if (p[0] == '%' && p[1] == 'r')
			rep = rcpt;
		else if (p[0] == '%' && p[1] == 's')
			rep = sender;
		else if (p[0] == '%' && p[1] == 'n')
			rep = num;
		if (rep == NULL) {
			*o++ = *p;
			continue;
		}
		len = strlen(rep);
		memcpy(o, rep, len);
		o += len;
		p++;
	}
	*o = '\0';
	return out;
}

/* read_list - read every line of the list into a job table */
static size_t
read_list(FILE *fp, char **cmd, int ncmd, struct job **jobsp)
{
	struct job *jobs = NULL;
	char *line = NULL, *file, *rcpt, *sender, *extra;
	size_t cap = 0, n = 0, lineno = 0, linecap = 0;
	const char *sep = " \t\r\n";
	int i;

	while (getline(&line, &linecap, fp) != -1) {
		lineno++;
		if ((file = strtok(line, sep)) == NULL)
			continue;	/* a blank line */
		rcpt = strtok(NULL, sep);
		sender = strtok(NULL, sep);
		extra = strtok(NULL, sep);
		if (rcpt == NULL || extra != NULL) {
			fprintf(stderr, "bench_feed: list line %zu: want "
			    "\"MESSAGE_FILE RECIPIENT [SENDER]\"\n", lineno);
			exit(2);
		}
		if (sender == NULL)
			sender = "";
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 256;
			if ((jobs = realloc(jobs, cap * sizeof(*jobs))) == NULL)
				die("realloc");
		}
		memset(&jobs[n], 0, sizeof(jobs[n]));
		jobs[n].lineno = lineno;
		jobs[n].file = strdup(file);
		if (jobs[n].file == NULL)
			die("strdup");
		jobs[n].argv = xmalloc((ncmd + 1) * sizeof(char *));
		for (i = 0; i < ncmd; i++)
			jobs[n].argv[i] = subst(cmd[i], rcpt, sender, lineno);
		jobs[n].argv[ncmd] = NULL;
		n++;
	}
	if (ferror(fp))
		die("reading the list");
	free(line);
	*jobsp = jobs;
	return n;
}

/* spawn - fork a child reading the message file on stdin and exec it */
static pid_t
spawn(const struct job *j)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		die("fork");
	if (pid != 0)
		return pid;
	if ((fd = open(j->file, O_RDONLY)) == -1) {
		fprintf(stderr, "bench_feed: %s: %s\n", j->file,
		    strerror(errno));
		_exit(126);
	}
	if (fd != STDIN_FILENO) {
		if (dup2(fd, STDIN_FILENO) == -1)
			_exit(126);
		close(fd);
	}
	execvp(j->argv[0], j->argv);
	fprintf(stderr, "bench_feed: exec %s: %s\n", j->argv[0],
	    strerror(errno));
	_exit(127);
}

/* elapsed_ms - b - a in milliseconds */
static double
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 +
	    (b->tv_nsec - a->tv_nsec) / 1e6;
}

/* run - keep up to njobs children running until every job is done */
static void
run(struct job *jobs, size_t n, int njobs, double *wall_ms)
{
	struct slot *slots;
	struct timespec t0, now;
	struct rusage ru;
	size_t next = 0, done = 0;
	pid_t pid;
	int i, status;

	slots = xmalloc(njobs * sizeof(*slots));
	memset(slots, 0, njobs * sizeof(*slots));
	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		die("clock_gettime");
	while (done < n) {
		/* Fill every free slot first, then wait for one child. */
		for (i = 0; i < njobs && next < n; i++) {
			if (slots[i].pid != 0)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &slots[i].start);
			slots[i].job = next;
			slots[i].pid = spawn(&jobs[next++]);
		}
		pid = wait4(-1, &status, 0, &ru);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			die("wait4");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (i = 0; i < njobs; i++)
			if (slots[i].pid == pid)
				break;
		if (i == njobs)
			continue;	/* not one of ours */
		jobs[slots[i].job].ms = elapsed_ms(&slots[i].start, &now);
		jobs[slots[i].job].rss_kb = ru.ru_maxrss;
		jobs[slots[i].job].status = status;
		slots[i].pid = 0;
		done++;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	*wall_ms = elapsed_ms(&t0, &now);
	free(slots);
}

/* cmp_double - qsort order for doubles, ascending */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* report - the figures on stdout; returns the number of failures */
static size_t
report(const struct job *jobs, size_t n, double wall_ms)
{
	double *ms, median = 0, p90 = 0;
	long max_rss = 0;
	size_t i, failures = 0, rank;

	ms = xmalloc(n * sizeof(*ms));
	for (i = 0; i < n; i++) {
		ms[i] = jobs[i].ms;
		if (jobs[i].rss_kb > max_rss)
			max_rss = jobs[i].rss_kb;
		if (!WIFEXITED(jobs[i].status) ||
		    WEXITSTATUS(jobs[i].status) != 0)
			failures++;
	}
	qsort(ms, n, sizeof(*ms), cmp_double);
	if (n > 0) {
		median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
		rank = (n * 9 + 9) / 10;	/* ceil(0.9 n), 1-based */
		p90 = ms[rank - 1];
	}
	printf("count %zu\n", n);
	printf("wall_s %.3f\n", wall_ms / 1e3);
	printf("msg_per_s %.1f\n", wall_ms > 0 ? n / (wall_ms / 1e3) : 0.0);
	printf("median_ms %.3f\n", median);
	printf("p90_ms %.3f\n", p90);
	printf("max_rss_kb %ld\n", max_rss);
	printf("failures %zu\n", failures);
	free(ms);
	return failures;
}

/* write_times - one line per message into path */
static int
write_times(const char *path, const struct job *jobs, size_t n)
{
	FILE *fp;
	size_t i;
	int st;

	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		st = jobs[i].status;
		fprintf(fp, "%zu %.3f %ld ", jobs[i].lineno, jobs[i].ms,
		    jobs[i].rss_kb);
		if (WIFEXITED(st))
			fprintf(fp, "%d\n", WEXITSTATUS(st));
		else
			fprintf(fp, "sig%d\n", WTERMSIG(st));
	}
	if (ferror(fp)) {
		fclose(fp);
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct job *jobs;
	const char *times_file = NULL;
	char *end;
	double wall_ms;
	size_t n, i, failures;
	long v;
	int ch, k, njobs = 1;

	while ((ch = getopt(argc, argv, "j:o:")) != -1) {
		switch (ch) {
		case 'j':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 1024)
				usage();
			njobs = (int)v;
			break;
		case 'o':
			times_file = optarg;
			break;
		default:
			usage();
		}
	}
	/* getopt() consumed the "--"; a program must follow. */
	if (optind >= argc || strcmp(argv[optind - 1], "--") != 0)
		usage();
	n = read_list(stdin, argv + optind, argc - optind, &jobs);
	run(jobs, n, njobs, &wall_ms);
	failures = report(jobs, n, wall_ms);
	if (fflush(stdout) != 0)
		die("stdout");
	if (times_file != NULL && write_times(times_file, jobs, n) < 0)
		die(times_file);
	for (i = 0; i < n; i++) {
		free(jobs[i].file);
		for (k = 0; jobs[i].argv[k] != NULL; k++)
			free(jobs[i].argv[k]);
		free(jobs[i].argv);
	}
	free(jobs);
	return failures != 0 ? 1 : 0;
}

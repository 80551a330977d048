/*
 * filter_main.c - postdesk-filter: mail in, tickets out
 *
 * Usage: postdesk-filter [-v] [-c FILE] pipe [-q QUEUE_ID] [-f SENDER]
 *            [--sasl-user=USER] -- RECIPIENT...
 *        postdesk-filter [-v] [-c FILE] milter -p SOCKET
 * The mode word selects the front-end. Every failure before a message is
 * stored exits 75 (EX_TEMPFAIL), so the MTA keeps the mail and retries; a
 * bad command line in master.cf is a configuration error and must defer,
 * not bounce (STYLE.md section 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "util/log.h"
#include "util/priv.h"
#include "filter/fe_milter.h"
#include "filter/fe_pipe.h"

static void usage(const char *) __attribute__((noreturn));

/* usage - a master.cf mistake: defer with 4.3.5 */
static void
usage(const char *why)
{
	printf("4.3.5 postdesk-filter: %s (usage: postdesk-filter [-v] "
	    "[-c FILE] pipe [-q QUEUE_ID] [-f SENDER] [--sasl-user=USER] "
	    "-- RECIPIENT... | postdesk-filter [-v] [-c FILE] milter "
	    "-p SOCKET)\n", why);
	log_error("%s", why);
	exit(EX_TEMPFAIL);
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	int verbose = 0, i;

	priv_init();
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "-vv") == 0)
			verbose += (int)strlen(argv[i]) - 1;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("postdesk-filter %s\n", PACKAGE_VERSION);
			return 0;
		} else {
			log_init("postdesk-filter", 1, EX_TEMPFAIL);
			usage("bad option");
		}
	}
	log_init("postdesk-filter", verbose, EX_TEMPFAIL);
	if (i >= argc)
		usage("no mode given");
	if (strcmp(argv[i], "pipe") == 0)
		fe_pipe(config, argc - i, argv + i);
	if (strcmp(argv[i], "milter") == 0)
		fe_milter(config, argc - i, argv + i);
	usage("unknown mode");
}

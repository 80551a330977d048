/*
 * t_util.c - util/: configuration errors name file, line and key; buffers;
 * POSTDESK_NOW
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/conf.h"
#include "util/err.h"
#include "tap.h"

static char dir[] = "/tmp/t_util.XXXXXX";

/* write_conf - a configuration file with the given text */
static const char *
write_conf(const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/postdesk.conf", dir);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

struct conf_case {
	const char *label;
	const char *text;
	int	ok;
	const char *want;	/* substring of err.text (after the dir) */
};

static const struct conf_case conf_cases[] = {
	{"minimal file", "support_address = help@example.com\n", 1, NULL},
	{"comments, blank lines, continuation",
	    "# a comment\n\nsupport_address =\n  help@example.com\n"
	    "message_size_limit = 10m\n", 1, NULL},
	{"unknown key names line and key",
	    "support_address = a@b.c\n# x\nsupport_adress = x\n", 0,
	    "postdesk.conf:3: support_adress: unknown parameter"},
	{"missing = names the line", "support_address a@b.c\n", 0,
	    "postdesk.conf:1: missing '='"},
	{"bad size names line and key",
	    "support_address = a@b.c\nmessage_size_limit = lots\n", 0,
	    "postdesk.conf:2: message_size_limit: bad size \"lots\""},
	{"size out of range",
	    "support_address = a@b.c\nmessage_size_limit = 10\n", 0,
	    "postdesk.conf:2: message_size_limit: 10 is out of range"},
	{"bad duration",
	    "support_address = a@b.c\nlock_wait_limit = 5x\n", 0,
	    "postdesk.conf:2: lock_wait_limit: bad duration"},
	{"support_address required", "hostname = x\n", 0,
	    "support_address: required parameter is not set"},
	{"support_address must be an address (line and key)",
	    "support_address = support\n", 0,
	    "postdesk.conf:1: support_address: \"support\" is not an address"},
	{"relative data_directory names line and key",
	    "support_address = a@b.c\ndata_directory = var/pd\n", 0,
	    "postdesk.conf:2: data_directory: must be an absolute path"},
	{"bad milter_action names line and key",
	    "support_address = a@b.c\n\nmilter_action = reject\n", 0,
	    "postdesk.conf:3: milter_action: \"reject\" is not one of"},
	{"bad timezone names line and key",
	    "support_address = a@b.c\ntimezone = Mars/Olympus\n", 0,
	    "postdesk.conf:2: timezone: \"Mars/Olympus\" is not an IANA"},
	{"bad business_hours names the first line of a continued value",
	    "support_address = a@b.c\nbusiness_hours = mon-fri\n  25:00-26:00\n",
	    0, "postdesk.conf:2: business_hours: "},
	{"bad customer_can_reopen names line and key",
	    "support_address = a@b.c\ncustomer_can_reopen = maybe\n", 0,
	    "postdesk.conf:2: customer_can_reopen: \"maybe\" is not yes or no"},
	{"bad unknown_sender_policy names line and key",
	    "support_address = a@b.c\nunknown_sender_policy = drop\n", 0,
	    "postdesk.conf:2: unknown_sender_policy: \"drop\" is not accept, "
	    "moderate or new_ticket"},
	{"continuation without a parameter", "  x = y\n", 0,
	    "postdesk.conf:1: continuation line"},
};

int
main(void)
{
	struct pd_conf c;
	struct pd_err err;
	struct buf *b;
	time_t t;
	char iso[32];
	size_t i;

	if (mkdtemp(dir) == NULL)
		return 99;
	for (i = 0; i < sizeof(conf_cases) / sizeof(conf_cases[0]); i++) {
		const struct conf_case *cc = &conf_cases[i];
		int rc;

		err_clear(&err);
		rc = conf_load(write_conf(cc->text), &c, &err);
		if (cc->ok)
			OK(rc == 0, "conf: %s (%s)", cc->label, err.text);
		else {
			OK(rc < 0 && err.class == PD_ECONFIG &&
			    strstr(err.text, cc->want) != NULL,
			    "conf: %s", cc->label);
			if (rc == 0 || strstr(err.text, cc->want) == NULL)
				printf("#   got: %s\n", err.text);
		}
		conf_free(&c);
	}
	err_clear(&err);
	OK(conf_load(write_conf("support_address = Help@Example.COM\n"
	    "message_size_limit = 2k\nlock_wait_limit = 2m\n"), &c, &err) == 0,
	    "conf: derived values load");
	IS_STR(c.support_local, "Help", "conf: local part kept");
	IS_STR(c.support_domain, "example.com", "conf: domain lower-cased");
	IS_STR(c.hostname, "example.com", "conf: hostname defaults to domain");
	IS_INT(c.message_size_limit, 2048, "conf: 2k is 2048 bytes");
	IS_INT(c.lock_wait_limit, 120, "conf: 2m is 120 seconds");
	OK(strstr(c.key_file, "/postdesk.key") != NULL, "conf: key_file default");
	conf_free(&c);
	OK(conf_load("/nonexistent/postdesk.conf", &c, &err) < 0 &&
	    strstr(err.text, "/nonexistent/postdesk.conf: cannot open") != NULL,
	    "conf: a missing file is named");
	conf_free(&c);
	setenv("POSTDESK_CONFIG", "/x/y.conf", 1);
	IS_STR(conf_path(NULL), "/x/y.conf", "conf: POSTDESK_CONFIG used");
	IS_STR(conf_path("/a.conf"), "/a.conf", "conf: -c wins");

	b = buf_new(1);
	for (i = 0; i < 10000; i++)
		buf_addc(b, 'a' + (int)(i % 26));
	buf_printf(b, "%d-%s", 42, "x");
	OK(b->len == 10004 && strcmp(b->data + 10000, "42-x") == 0,
	    "buf: grows and formats");
	buf_free(b);

	OK(clock_parse_iso("2026-11-22T10:00:00Z", &t) == 0 &&
	    t == 1795341600, "clock: ISO 8601 UTC");
	OK(clock_parse_iso("2026-11-22T11:00:00+01:00", &t) == 0 &&
	    t == 1795341600, "clock: offset");
	OK(clock_parse_iso("2026-13-01", &t) < 0, "clock: bad month refused");
	OK(clock_parse_iso("yesterday", &t) < 0, "clock: words refused");
	setenv("POSTDESK_NOW", "2030-01-02T03:04:05Z", 1);
	IS_STR(clock_format_iso(clock_now(), iso, sizeof(iso)),
	    "2030-01-02T03:04:05Z", "clock: POSTDESK_NOW moves time");
	unsetenv("POSTDESK_NOW");
	OK(clock_now() > 1700000000, "clock: real time without it");

	unlink(write_conf(""));
	rmdir(dir);
	return tap_done();
}

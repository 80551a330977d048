/*
 * fuzz_conf.c - libFuzzer target: conf_load() on a file holding the input
 *
 * The bytes are written to one temporary file (made once, rewritten for
 * each input) and read with conf_load(), as every program does at start.
 * Any input must give 0, or -1 with a configuration error that says where
 * (class PD_ECONFIG, a text naming the file); after a success the derived
 * values are there (support_local, support_domain, key_file, hostname,
 * recipient_delimiter non-NULL) and limits hold (lock_wait_limit 1..900).
 * conf_free() releases either result. Built and run by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/conf.h"
#include "util/err.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char path[4096];
static int fd = -1;

/* LLVMFuzzerTestOneInput - write, load, check, free */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_conf c;
	struct pd_err err;
	int rc;

	if (fd < 0) {
		fd = fuzz_mkstemp(path, sizeof(path), "fuzz_conf");
		/* one file per process, gone when the process is */
		unlink(path);
		snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		fuzz_fail("cannot write the input to the temporary file");
	memset(&c, 0, sizeof(c));
	err_clear(&err);
	rc = conf_load(path, &c, &err);
	if (rc == 0) {
		if (c.support_local == NULL || c.support_domain == NULL ||
		    c.key_file == NULL || c.hostname == NULL ||
		    c.recipient_delimiter == NULL || c.data_directory == NULL)
			fuzz_fail("conf_load succeeded with a NULL value");
		if (c.lock_wait_limit < 1 || c.lock_wait_limit > 900)
			fuzz_fail("lock_wait_limit %ld out of bounds",
			    c.lock_wait_limit);
	} else if (rc != -1 || err.class != PD_ECONFIG ||
	    strstr(err.text, path) == NULL)
		fuzz_fail("conf_load returned %d, class %d: \"%s\"", rc,
		    err.class, err.text);
	conf_free(&c);
	return 0;
}

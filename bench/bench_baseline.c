/*
 * bench_baseline.c - the floor the filter's pipe intake is measured against
 *
 * Usage: bench_baseline DIR < MESSAGE
 *
 * It does what any pipe intake must do at the least, and nothing else: a
 * process linked against the same libraries as postdesk-filter starts,
 * reads the whole message on stdin and commits one durable 4 KB put to
 * LMDB. No parsing, no threading, no index, no token.
 *
 * DIR is an LMDB environment directory, created (0700) when missing. The
 * environment is opened with default flags, so mdb_txn_commit() syncs the
 * data to disk before it returns, as the filter's commit does. The record
 * goes into the main database: the key is 16 random bytes (libsodium),
 * the value the first 4096 bytes of stdin, padded with zero bytes. Many
 * copies may run at once on one DIR; LMDB's writer lock orders them.
 *
 * The libraries: Debian links with --as-needed, which drops a library none
 * of whose symbols is used; the baseline would then skip the dynamic
 * loading, relocation and start-up work the filter pays for. So main()
 * first calls one cheap entry point of each library the filter links:
 * g_mime_init() (GMime, with GLib and GObject behind it), xmlCheckVersion()
 * (libxml2), sodium_init() (libsodium, also used for the key), json_object()
 * and json_decref() (jansson), and the mdb_* calls (LMDB).
 *
 * Exit status: 0 committed; 64 usage; 75 any failure, one line on stderr.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <jansson.h>
#include <libxml/xmlversion.h>
#include <lmdb.h>
#include <sodium.h>

#define VALUE_SIZE	4096
#define KEY_SIZE	16
#define MAP_SIZE	(1024UL * 1024 * 1024)	/* as map_size = 1g */

static int libs_init(void);
static int read_value(unsigned char *, size_t);
static int put_once(const char *, unsigned char *, size_t);
static int fail(const char *, const char *);

/* fail - one line on stderr; returns -1 */
static int
fail(const char *what, const char *why)
{
	fprintf(stderr, "bench_baseline: %s: %s\n", what, why);
	return -1;
}

/* libs_init - touch every library the filter links (see the header) */
static int
libs_init(void)
{
	json_t *j;

	g_mime_init();
	xmlCheckVersion(LIBXML_VERSION);
	if (sodium_init() < 0)
		return fail("sodium_init", "libsodium cannot start");
	if ((j = json_object()) == NULL)
		return fail("json_object", "out of memory");
	json_decref(j);
	return 0;
}

/* read_value - all of stdin; the first len bytes into buf, zero padded */
static int
read_value(unsigned char *buf, size_t len)
{
	unsigned char sink[VALUE_SIZE];
	size_t have = 0;
	ssize_t n;

	memset(buf, 0, len);
	for (;;) {
		if (have < len)
			n = read(STDIN_FILENO, buf + have, len - have);
		else
			n = read(STDIN_FILENO, sink, sizeof(sink));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail("stdin", strerror(errno));
		}
		if (have < len)
			have += (size_t)n;
	}
}

/* put_once - open dir and commit one put of value under a random key */
static int
put_once(const char *dir, unsigned char *value, size_t len)
{
	unsigned char key[KEY_SIZE];
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val k, v;
	int rc;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fail(dir, strerror(errno));
	randombytes_buf(key, sizeof(key));
	k.mv_data = key;
	k.mv_size = sizeof(key);
	v.mv_data = value;
	v.mv_size = len;
	if ((rc = mdb_env_create(&env)) != 0)
		return fail("mdb_env_create", mdb_strerror(rc));
	if ((rc = mdb_env_set_mapsize(env, MAP_SIZE)) != 0 ||
	    (rc = mdb_env_open(env, dir, 0, 0600)) != 0) {
		fail(dir, mdb_strerror(rc));
		goto env_close;
	}
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0) {
		fail("mdb_txn_begin", mdb_strerror(rc));
		goto env_close;
	}
	if ((rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 ||
	    (rc = mdb_put(txn, dbi, &k, &v, 0)) != 0) {
		fail("mdb_put", mdb_strerror(rc));
		goto txn_abort;
	}
	/* The commit is the durable part: LMDB syncs before it returns. */
	if ((rc = mdb_txn_commit(txn)) != 0)
		fail("mdb_txn_commit", mdb_strerror(rc));
	goto env_close;
txn_abort:
	mdb_txn_abort(txn);
env_close:
	mdb_env_close(env);
	return rc == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static unsigned char value[VALUE_SIZE];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_baseline DIR < MESSAGE\n");
		return EX_USAGE;
	}
	if (libs_init() < 0 || read_value(value, sizeof(value)) < 0)
		return EX_TEMPFAIL;
	rc = put_once(argv[1], value, sizeof(value));
	g_mime_shutdown();
	return rc == 0 ? 0 : EX_TEMPFAIL;
}

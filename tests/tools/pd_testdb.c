/*
 * pd_testdb.c - fault injection for the shell tests (not installed)
 *
 *   pd_testdb DIR hold SECONDS   take the store's write lock, print
 *                                "locked", hold it, then abort the txn
 *   pd_testdb DIR schema N       set the store's schema version to N
 *
 * It opens the LMDB environment directly, as an outside process would:
 * postdesk's own code touches LMDB only in src/store/.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "pd_testdb: %s: %s\n", what, mdb_strerror(rc));
	return 1;
}

int
main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	unsigned char be[4];
	unsigned long n;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: pd_testdb DIR hold SECONDS | "
		    "DIR schema N\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, 32)) != 0 ||
	    (rc = mdb_env_open(env, argv[1], MDB_NOTLS, 0600)) != 0)
		return fail("open", rc);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		return fail("begin", rc);
	if (strcmp(argv[2], "hold") == 0) {
		printf("locked\n");
		fflush(stdout);
		sleep((unsigned)n);
		mdb_txn_abort(txn);
	} else if (strcmp(argv[2], "schema") == 0) {
		if ((rc = mdb_dbi_open(txn, "meta", 0, &dbi)) != 0)
			return fail("meta", rc);
		be[0] = (unsigned char)(n >> 24);
		be[1] = (unsigned char)(n >> 16);
		be[2] = (unsigned char)(n >> 8);
		be[3] = (unsigned char)n;
		k.mv_data = "schema";
		k.mv_size = 6;
		v.mv_data = be;
		v.mv_size = 4;
		if ((rc = mdb_put(txn, dbi, &k, &v, 0)) != 0 ||
		    (rc = mdb_txn_commit(txn)) != 0)
			return fail("put", rc);
	} else
		return 2;
	mdb_env_close(env);
	return 0;
}

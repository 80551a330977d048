/*
 * store.c - the LMDB environment, transactions, map growth and every
 *           database of store.h
 *
 * Environment: store_open() opens DIR with MDB_NOTLS, maxdbs for the named
 * databases and 126 reader slots; files are created 0600 and, with
 * STORE_CREATE, the directory 0700 (both chmod'ed after creation, so the
 * umask cannot change them). The map is never smaller than the map size
 * recorded in the data file by any process nor than the file itself.
 * STORE_RDONLY opens MDB_RDONLY: readers still need write access to
 * lock.mdb, which is LMDB's rule, not ours. After the open, stale reader
 * slots of dead processes are cleared with mdb_reader_check().
 *
 * Databases added after schema 1 shipped (DB_FIRST_LATE on) may be missing
 * in an older store: the first read-write open creates them (dbs_late) and
 * fills the customer_tickets index; a read-only open says what to do.
 *
 * Meta values: "schema" is a u32, "next_ticket" a u64, both big endian.
 * STORE_CREATE writes them unless present (init twice keeps the counter).
 * A missing schema means "run postdesk init"; a newer one is refused.
 *
 * store_write(): begin, fn, commit. Every LMDB failure inside fn is noted
 * in the store_txn; on MDB_MAP_FULL (from fn's calls or the commit) the
 * transaction is aborted, the map doubled and fn run again from the start,
 * up to STORE_RETRIES times. MDB_MAP_RESIZED (another process grew the map)
 * adopts the new size; MDB_READERS_FULL clears stale slots and retries.
 * LMDB allows a resize only while the process has no transaction open:
 * transactions are counted under s_mu; a resizing thread stops new ones
 * (except in threads that already hold one) and waits for the count to
 * reach 0. A thread that itself holds a transaction (a store_read around
 * a store_write) cannot wait for that, and gets the error instead.
 * The wait for LMDB's writer lock itself is not bounded here.
 *
 * Group commit (store_group, the milter's many threads): concurrent
 * store_write calls queue up; one thread at a time leads, running every
 * job queued so far in one transaction, each job in a nested transaction
 * of its own, and commits once. Jobs that arrive while it commits form
 * the next group. See write_group.
 *
 * Iterators decode each record before calling back. In a write
 * transaction they find their place again by key after every callback, so
 * a callback may change the database it is walking (e.g. move tickets out
 * of the status being listed). A callback's -1 is returned as is, with err
 * untouched: the callback reports through its own argument.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#include "record.h"
#include "store.h"

#define STORE_MAXREADERS	126
#define STORE_RETRIES		10	/* map growths per store_write */
#define STORE_KEY_MAX		511	/* LMDB's default key limit */


#define META_SCHEMA	"schema"
#define META_NEXT	"next_ticket"

#define TICKET_KEYLEN	8		/* u64 id */
#define SEQ_KEYLEN	12		/* u64 ticket, u32 seq */

#include "store_int.h"

const char *const db_names[DB_COUNT] = {
	"meta", "tickets", "status", "messages", "raw", "msgid", "dedup",
	"events", "outbox", "due", "kv", "customers", "customer_ext",
	"customer_tickets",
};

/* Transactions open in this thread: it may not wait for a resize. */
static _Thread_local int txn_here;

static int lmdb_err(struct store *, int, const char *, struct pd_err *);
static int dir_prepare(const char *, int, struct pd_err *);
static int env_open(struct store *, size_t, struct pd_err *);
static int env_mapsize(struct store *, size_t, struct pd_err *);
static int env_modes(struct store *, struct pd_err *);
static int dbs_open(struct store *, struct pd_err *);
static int dbs_late(struct store *, struct pd_err *);
static int visit_late(struct store_txn *, const MDB_val *, const MDB_val *,
		      struct walk_ctx *, struct pd_err *);
static int meta_init(struct store *, MDB_txn *, struct pd_err *);
static int schema_check(struct store *, MDB_txn *, struct pd_err *);
static size_t page_round(struct store *, size_t);
static int map_resize(struct store *, size_t, int, struct pd_err *);
static void txn_enter(struct store *, size_t *);
static void txn_leave(struct store *);
static int txn_begin(struct store *, unsigned int, MDB_txn **, size_t *,
		     struct pd_err *);
static void txn_end(struct store *, MDB_txn *);
static void key_seq(unsigned char[SEQ_KEYLEN], uint64_t, uint32_t);
static size_t status_key(unsigned char *, const char *, uint64_t);
static size_t msgid_key(struct store *, const char *, unsigned char *);
static int visit_ticket(struct store_txn *, const MDB_val *, const MDB_val *,
			struct walk_ctx *, struct pd_err *);
static int visit_status(struct store_txn *, const MDB_val *, const MDB_val *,
			struct walk_ctx *, struct pd_err *);
static int visit_msg(struct store_txn *, const MDB_val *, const MDB_val *,
		     struct walk_ctx *, struct pd_err *);
static int visit_event(struct store_txn *, const MDB_val *, const MDB_val *,
		       struct walk_ctx *, struct pd_err *);
static int ascii_casecmp(const char *, const char *);
static int custtk_move(struct store_txn *, const struct pd_ticket *,
		       const struct pd_ticket *, struct pd_err *);

/* lmdb_err - fill err for an LMDB failure: "DIR: what: text" */
static int
lmdb_err(struct store *st, int rc, const char *what, struct pd_err *err)
{
	return err_set(err, PD_ETEMP, "%s: %s: %s", st->s_dir, what,
	    mdb_strerror(rc));
}

/* txn_err - as lmdb_err, and note a full map for store_write */
int
si_txn_err(struct store_txn *t, int rc, const char *what, struct pd_err *err)
{
	if (rc == MDB_MAP_FULL)
		t->t_mapfull = 1;
	return lmdb_err(t->t_st, rc, what, err);
}

/* store_open - open (or create) the environment in dir */
int
store_open(const char *dir, size_t mapsize, int flags, struct store **stp,
	   struct pd_err *err)
{
	struct store *st;
	int dead;
	int rc;

	*stp = NULL;
	if ((flags & STORE_RDONLY) && (flags & STORE_CREATE))
		return err_set(err, PD_EBUG, "%s: cannot create read-only",
		    dir);
	if (sodium_init() < 0)
		return err_set(err, PD_ETEMP, "libsodium failed to initialise");
	if (dir_prepare(dir, flags, err) < 0)
		return -1;
	st = xcalloc(1, sizeof(*st));
	st->s_dir = xstrdup(dir);
	st->s_flags = flags;
	pthread_mutex_init(&st->s_mu, NULL);
	pthread_cond_init(&st->s_cv, NULL);
	if (env_open(st, mapsize, err) < 0)
		goto fail;
	if ((flags & STORE_CREATE) && env_modes(st, err) < 0)
		goto fail;
	if ((rc = mdb_reader_check(st->s_env, &dead)) != 0) {
		lmdb_err(st, rc, "mdb_reader_check", err);
		goto fail;
	}
	if (dbs_open(st, err) < 0)
		goto fail;
	*stp = st;
	return 0;

fail:
	store_close(st);
	return -1;
}

/* dir_prepare - create the directory, or check an existing store is there */
static int
dir_prepare(const char *dir, int flags, struct pd_err *err)
{
	struct stat sb;
	char *path;
	int rc;

	if (flags & STORE_CREATE) {
		if (mkdir(dir, 0700) == 0) {
			if (chmod(dir, 0700) < 0)
				return err_set(err, PD_ETEMP, "%s: chmod: %s",
				    dir, strerror(errno));
		} else if (errno != EEXIST)
			return err_set(err, PD_ETEMP, "%s: mkdir: %s", dir,
			    strerror(errno));
		if (stat(dir, &sb) < 0)
			return err_set(err, PD_ETEMP, "%s: %s", dir,
			    strerror(errno));
		if (!S_ISDIR(sb.st_mode))
			return err_set(err, PD_ETEMP, "%s: not a directory",
			    dir);
		return 0;
	}
	/* Without STORE_CREATE LMDB would make an empty data.mdb here. */
	path = xasprintf("%s/data.mdb", dir);
	rc = stat(path, &sb);
	free(path);
	if (rc < 0 && (errno == ENOENT || errno == ENOTDIR))
		return err_set(err, PD_ETEMP,
		    "store at %s is not initialised (run postdesk init)", dir);
	if (rc < 0)
		return err_set(err, PD_ETEMP, "%s/data.mdb: %s", dir,
		    strerror(errno));
	return 0;
}

/* env_open - create, configure and open the environment */
static int
env_open(struct store *st, size_t mapsize, struct pd_err *err)
{
	unsigned int flags = MDB_NOTLS;
	int rc;

	if (st->s_flags & STORE_RDONLY)
		flags |= MDB_RDONLY;
	if ((rc = mdb_env_create(&st->s_env)) != 0) {
		st->s_env = NULL;
		return lmdb_err(st, rc, "mdb_env_create", err);
	}
	if ((rc = mdb_env_set_maxdbs(st->s_env, DB_COUNT)) != 0)
		return lmdb_err(st, rc, "mdb_env_set_maxdbs", err);
	if ((rc = mdb_env_set_maxreaders(st->s_env, STORE_MAXREADERS)) != 0)
		return lmdb_err(st, rc, "mdb_env_set_maxreaders", err);
	if (mapsize > 0 &&
	    (rc = mdb_env_set_mapsize(st->s_env, mapsize)) != 0)
		return lmdb_err(st, rc, "mdb_env_set_mapsize", err);
	if ((rc = mdb_env_open(st->s_env, st->s_dir, flags, 0600)) != 0)
		return lmdb_err(st, rc, "mdb_env_open", err);
	st->s_maxkey = (size_t)mdb_env_get_maxkeysize(st->s_env);
	if (st->s_maxkey > STORE_KEY_MAX)
		st->s_maxkey = STORE_KEY_MAX;
	return env_mapsize(st, mapsize, err);
}

/* env_mapsize - never map less than the data file or its recorded size */
static int
env_mapsize(struct store *st, size_t want, struct pd_err *err)
{
	MDB_envinfo info;
	mdb_filehandle_t fd;
	struct stat sb;
	int rc;

	/* 0 adopts the size recorded in the file: the largest any used */
	if ((rc = mdb_env_set_mapsize(st->s_env, 0)) != 0)
		return lmdb_err(st, rc, "mdb_env_set_mapsize", err);
	if ((rc = mdb_env_info(st->s_env, &info)) != 0)
		return lmdb_err(st, rc, "mdb_env_info", err);
	if (mdb_env_get_fd(st->s_env, &fd) == 0 && fstat(fd, &sb) == 0 &&
	    (uint64_t)sb.st_size > want)
		want = (size_t)sb.st_size;
	want = page_round(st, want);
	if (want > info.me_mapsize) {
		if ((rc = mdb_env_set_mapsize(st->s_env, want)) != 0)
			return lmdb_err(st, rc, "mdb_env_set_mapsize", err);
		if ((rc = mdb_env_info(st->s_env, &info)) != 0)
			return lmdb_err(st, rc, "mdb_env_info", err);
	}
	st->s_mapsize = info.me_mapsize;
	return 0;
}

/* env_modes - data.mdb and lock.mdb are 0600 whatever the umask was */
static int
env_modes(struct store *st, struct pd_err *err)
{
	mdb_filehandle_t fd;
	char *path;
	int rc;

	if (mdb_env_get_fd(st->s_env, &fd) == 0 && fchmod(fd, 0600) < 0)
		return err_set(err, PD_ETEMP, "%s/data.mdb: chmod: %s",
		    st->s_dir, strerror(errno));
	path = xasprintf("%s/lock.mdb", st->s_dir);
	rc = chmod(path, 0600);
	free(path);
	if (rc < 0)
		return err_set(err, PD_ETEMP, "%s/lock.mdb: chmod: %s",
		    st->s_dir, strerror(errno));
	return 0;
}

/* dbs_open - open the named databases; initialise or check the schema */
static int
dbs_open(struct store *st, struct pd_err *err)
{
	MDB_txn *txn;
	unsigned int dbflags = 0, txnflags = MDB_RDONLY;
	size_t seen;
	int i, rc, late = 0;

	if (st->s_flags & STORE_CREATE) {
		dbflags = MDB_CREATE;
		txnflags = 0;
	}
	if (txn_begin(st, txnflags, &txn, &seen, err) < 0)
		return -1;
	for (i = 0; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], dbflags, &st->s_dbi[i]);
		if (rc == MDB_NOTFOUND && i == DB_META) {
			err_set(err, PD_ETEMP, "store at %s is not "
			    "initialised (run postdesk init)", st->s_dir);
			goto abort;
		}
		/* added after schema 1 shipped: created by dbs_late */
		if (rc == MDB_NOTFOUND && i >= DB_FIRST_LATE &&
		    !(st->s_flags & STORE_RDONLY)) {
			late = 1;
			continue;
		}
		if (rc == MDB_NOTFOUND && i >= DB_FIRST_LATE) {
			err_set(err, PD_ETEMP, "store at %s predates its %s "
			    "database, which the next program that writes "
			    "(postdesk-filter, postdesk-cron) adds", st->s_dir,
			    db_names[i]);
			goto abort;
		}
		if (rc != 0) {
			lmdb_err(st, rc, db_names[i], err);
			goto abort;
		}
		/* the schema decides whether the other databases fit */
		if (i == DB_META && (st->s_flags & STORE_CREATE) &&
		    meta_init(st, txn, err) < 0)
			goto abort;
		if (i == DB_META && schema_check(st, txn, err) < 0)
			goto abort;
	}
	rc = mdb_txn_commit(txn);
	txn_leave(st);
	if (rc != 0)
		return lmdb_err(st, rc, "mdb_txn_commit", err);
	return late ? dbs_late(st, err) : 0;

abort:
	txn_end(st, txn);
	return -1;
}

/*
 * dbs_late - the databases added after schema 1 shipped (DB_FIRST_LATE
 * on), in a store made before them: create them in one write transaction
 * and fill customer_tickets from the tickets already stored. Runs once,
 * in the first program that opens the store read-write.
 */
static int
dbs_late(struct store *st, struct pd_err *err)
{
	struct store_txn t;
	struct walk_ctx ctx;
	MDB_dbi dbi;
	size_t seen;
	int i, rc, fill = 0;

	memset(&t, 0, sizeof(t));
	t.t_st = st;
	t.t_write = 1;
	if (txn_begin(st, 0, &t.t_txn, &seen, err) < 0)
		return -1;
	for (i = DB_FIRST_LATE; i < DB_COUNT; i++) {
		rc = mdb_dbi_open(t.t_txn, db_names[i], 0, &dbi);
		if (rc == MDB_NOTFOUND) {
			fill |= i == DB_CUSTOMER_TICKETS;
			rc = mdb_dbi_open(t.t_txn, db_names[i], MDB_CREATE,
			    &dbi);
		}
		if (rc != 0) {
			lmdb_err(st, rc, db_names[i], err);
			goto abort;
		}
		st->s_dbi[i] = dbi;
	}
	memset(&ctx, 0, sizeof(ctx));
	if (fill && si_walk(&t, DB_TICKETS, NULL, 0, visit_late, &ctx,
	    err) < 0)
		goto abort;
	rc = mdb_txn_commit(t.t_txn);
	txn_leave(st);
	if (rc != 0)
		return lmdb_err(st, rc, "mdb_txn_commit", err);
	return 0;

abort:
	txn_end(st, t.t_txn);
	return -1;
}

/* visit_late - index one stored ticket under its requester */
static int
visit_late(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	   struct walk_ctx *ctx, struct pd_err *err)
{
	struct pd_ticket *tk;
	int r;

	(void)ctx;
	if (k->mv_size != TICKET_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: tickets key of "
		    "%zu bytes in %s", k->mv_size, t->t_st->s_dir);
	if (record_ticket_decode(v->mv_data, v->mv_size, "ticket", &tk,
	    err) < 0)
		return -1;
	tk->id = record_get_be64(k->mv_data);
	r = custtk_move(t, NULL, tk, err);
	store_ticket_free(tk);
	return r;
}

/* meta_init - write schema and ticket counter unless already there */
static int
meta_init(struct store *st, MDB_txn *txn, struct pd_err *err)
{
	unsigned char schema[4], next[8];
	MDB_val k, v;
	int rc;

	record_put_be32(schema, STORE_SCHEMA_VERSION);
	record_put_be64(next, 1);
	k.mv_data = META_SCHEMA;
	k.mv_size = strlen(META_SCHEMA);
	v.mv_data = schema;
	v.mv_size = sizeof(schema);
	rc = mdb_put(txn, st->s_dbi[DB_META], &k, &v, MDB_NOOVERWRITE);
	if (rc != 0 && rc != MDB_KEYEXIST)
		return lmdb_err(st, rc, "meta schema", err);
	k.mv_data = META_NEXT;
	k.mv_size = strlen(META_NEXT);
	v.mv_data = next;
	v.mv_size = sizeof(next);
	rc = mdb_put(txn, st->s_dbi[DB_META], &k, &v, MDB_NOOVERWRITE);
	if (rc != 0 && rc != MDB_KEYEXIST)
		return lmdb_err(st, rc, "meta next_ticket", err);
	return 0;
}

/* schema_check - refuse a store that is not initialised or is newer */
static int
schema_check(struct store *st, MDB_txn *txn, struct pd_err *err)
{
	MDB_val k, v;
	uint32_t version;
	int rc;

	k.mv_data = META_SCHEMA;
	k.mv_size = strlen(META_SCHEMA);
	rc = mdb_get(txn, st->s_dbi[DB_META], &k, &v);
	if (rc == MDB_NOTFOUND)
		return err_set(err, PD_ETEMP, "store at %s is not initialised "
		    "(run postdesk init)", st->s_dir);
	if (rc != 0)
		return lmdb_err(st, rc, "meta schema", err);
	if (v.mv_size != 4)
		return err_set(err, PD_ETEMP, "corrupt record: meta schema in "
		    "%s: %zu bytes", st->s_dir, v.mv_size);
	version = record_get_be32(v.mv_data);
	if (version > STORE_SCHEMA_VERSION)
		return err_set(err, PD_ETEMP, "store at %s has schema %" PRIu32
		    ", newer than this postdesk (%d)", st->s_dir, version,
		    STORE_SCHEMA_VERSION);
	if (version < STORE_SCHEMA_VERSION)
		return err_set(err, PD_ETEMP, "store at %s has schema %" PRIu32
		    ", and no migration to %d exists", st->s_dir, version,
		    STORE_SCHEMA_VERSION);
	return 0;
}

/* store_close - close the environment; accepts NULL, returns NULL */
struct store *
store_close(struct store *st)
{
	if (st == NULL)
		return NULL;
	if (st->s_env != NULL)
		mdb_env_close(st->s_env);
	pthread_cond_destroy(&st->s_cv);
	pthread_mutex_destroy(&st->s_mu);
	if (st->s_group) {
		pthread_cond_destroy(&st->s_gcv);
		pthread_mutex_destroy(&st->s_gmu);
	}
	free(st->s_dir);
	free(st);
	return NULL;
}

/* page_round - round a map size up to a whole number of pages */
static size_t
page_round(struct store *st, size_t size)
{
	MDB_stat ms;
	size_t psize = 4096;

	if (mdb_env_stat(st->s_env, &ms) == 0 && ms.ms_psize > 0)
		psize = ms.ms_psize;
	if (size % psize != 0 && size < SIZE_MAX - psize)
		size += psize - size % psize;
	return size;
}

/*
 * map_resize - double the map (grow) or adopt the size another process
 * set (!grow), once no transaction is open in this process. seen is the
 * size the failed transaction ran with: if another thread has resized
 * since, there is nothing to do but retry.
 */
static int
map_resize(struct store *st, size_t seen, int grow, struct pd_err *err)
{
	MDB_envinfo info;
	size_t size = 0;
	int rc = 0;

	if (txn_here > 0)
		return err_set(err, PD_ETEMP, "%s: the map must be resized, "
		    "but this thread has a transaction open", st->s_dir);
	if (grow && seen > SIZE_MAX / 2)
		return err_set(err, PD_ETEMP, "%s: map size %zu cannot grow",
		    st->s_dir, seen);
	pthread_mutex_lock(&st->s_mu);
	while (st->s_remap)
		pthread_cond_wait(&st->s_cv, &st->s_mu);
	if (st->s_mapsize == seen) {
		st->s_remap = 1;
		while (st->s_ntxn > 0)
			pthread_cond_wait(&st->s_cv, &st->s_mu);
		if (grow)
			size = page_round(st, seen * 2);
		rc = mdb_env_set_mapsize(st->s_env, size);
		if (rc == 0)
			rc = mdb_env_info(st->s_env, &info);
		if (rc == 0)
			st->s_mapsize = info.me_mapsize;
		st->s_remap = 0;
		pthread_cond_broadcast(&st->s_cv);
	}
	pthread_mutex_unlock(&st->s_mu);
	if (rc != 0)
		return lmdb_err(st, rc, "mdb_env_set_mapsize", err);
	return 0;
}

/* txn_enter - count a transaction in; waits while the map is resized */
static void
txn_enter(struct store *st, size_t *seen)
{
	pthread_mutex_lock(&st->s_mu);
	/* a thread with a transaction open must not wait: the resize waits
	 * for it */
	if (txn_here == 0)
		while (st->s_remap)
			pthread_cond_wait(&st->s_cv, &st->s_mu);
	st->s_ntxn++;
	txn_here++;
	*seen = st->s_mapsize;
	pthread_mutex_unlock(&st->s_mu);
}

/* txn_leave - count a transaction out */
static void
txn_leave(struct store *st)
{
	pthread_mutex_lock(&st->s_mu);
	st->s_ntxn--;
	txn_here--;
	if (st->s_ntxn == 0)
		pthread_cond_broadcast(&st->s_cv);
	pthread_mutex_unlock(&st->s_mu);
}

/* txn_begin - begin a transaction, riding out a resized map or full slots */
static int
txn_begin(struct store *st, unsigned int flags, MDB_txn **txnp,
	  size_t *seen, struct pd_err *err)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int tries, rc, dead;

	for (tries = 0;; tries++) {
		txn_enter(st, seen);
		rc = mdb_txn_begin(st->s_env, NULL, flags, txnp);
		if (rc == 0)
			return 0;
		txn_leave(st);
		if (tries >= STORE_RETRIES)
			break;
		if (rc == MDB_MAP_RESIZED) {
			/* another process grew the map: adopt its size */
			if (map_resize(st, *seen, 0, err) < 0)
				return -1;
			continue;
		}
		if (rc == MDB_READERS_FULL) {
			if (mdb_reader_check(st->s_env, &dead) != 0 ||
			    dead == 0)
				nanosleep(&pause, NULL);
			continue;
		}
		break;
	}
	return lmdb_err(st, rc, "mdb_txn_begin", err);
}

/* txn_end - abort a transaction and count it out */
static void
txn_end(struct store *st, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	txn_leave(st);
}

/* store_read - begin a read-only transaction */
int
store_read(struct store *st, struct store_txn **tp, struct pd_err *err)
{
	struct store_txn *t;
	size_t seen;

	*tp = NULL;
	t = xcalloc(1, sizeof(*t));
	t->t_st = st;
	if (txn_begin(st, MDB_RDONLY, &t->t_txn, &seen, err) < 0) {
		free(t);
		return -1;
	}
	*tp = t;
	return 0;
}

/* store_abort - end a store_read transaction; accepts NULL */
void
store_abort(struct store_txn *t)
{
	/* a store_write transaction is ended by store_write itself */
	if (t == NULL || t->t_write)
		return;
	txn_end(t->t_st, t->t_txn);
	free(t);
}

/* One unit of work of store_write: in group mode it waits in the queue
 * until a leader thread has run it. */
struct store_job {
	int	(*fn)(struct store_txn *, void *, struct pd_err *);
	void	*arg;
	struct pd_err *err;
	int	lazy;		/* commit without syncing the meta page */
	int	rc;		/* what store_write returns */
	int	done;
	struct store_job *next;
};

/* write_one - begin, fn, commit; grow the map and run fn again on
 * MDB_MAP_FULL */
static int
write_one(struct store *st, struct store_job *j)
{
	struct store_txn t;
	size_t seen;
	int attempt, r, rc, lazy;

	/*
	 * LMDB 0.9 ignores MDB_NOMETASYNC as a flag of mdb_txn_begin; only
	 * the environment's flag counts. It is set while this transaction
	 * holds the writer lock and cleared before the lock is given up.
	 * Only where no other thread shares the environment: the threads of
	 * a group read its flags, and a group's commits are shared anyway.
	 */
	lazy = j->lazy && !st->s_group;
	for (attempt = 0; attempt < STORE_RETRIES; attempt++) {
		memset(&t, 0, sizeof(t));
		t.t_st = st;
		t.t_write = 1;
		if (txn_begin(st, 0, &t.t_txn, &seen, j->err) < 0)
			return -1;
		if (lazy)
			mdb_env_set_flags(st->s_env, MDB_NOMETASYNC, 1);
		r = j->fn(&t, j->arg, j->err);
		if (lazy && (t.t_mapfull || r < 0))
			mdb_env_set_flags(st->s_env, MDB_NOMETASYNC, 0);
		if (t.t_mapfull) {
			txn_end(st, t.t_txn);
			if (map_resize(st, seen, 1, j->err) < 0)
				return -1;
			if (j->err != NULL)
				err_clear(j->err);
			continue;
		}
		if (r < 0) {
			txn_end(st, t.t_txn);
			return r;
		}
		rc = mdb_txn_commit(t.t_txn);
		if (lazy)
			mdb_env_set_flags(st->s_env, MDB_NOMETASYNC, 0);
		txn_leave(st);
		if (rc == MDB_MAP_FULL) {
			if (map_resize(st, seen, 1, j->err) < 0)
				return -1;
			continue;
		}
		if (rc != 0)
			return lmdb_err(st, rc, "mdb_txn_commit", j->err);
		return r;
	}
	return err_set(j->err, PD_ETEMP, "%s: map still full after %d "
	    "attempts", st->s_dir, STORE_RETRIES);
}

/*
 * write_group - run several jobs in one transaction, each in a nested
 * transaction of its own, and commit once: one fsync for all of them. A
 * job whose fn fails is aborted alone (its nested transaction), as it
 * would have been by itself; the others see the store as if the jobs had
 * run one after the other in queue order. Anything else going wrong (a
 * full map, a failed begin or commit) aborts the whole group and runs
 * every job again by itself, so what each caller gets is what write_one
 * would have given it.
 */
static void
write_group(struct store *st, struct store_job *jobs)
{
	struct store_job *j;
	struct store_txn t;
	MDB_txn *parent;
	size_t seen;
	int r, rc, whole = 1;

	if (txn_begin(st, 0, &parent, &seen, NULL) < 0)
		goto alone;
	for (j = jobs; j != NULL; j = j->next) {
		if (j->err != NULL)
			err_clear(j->err);
		memset(&t, 0, sizeof(t));
		t.t_st = st;
		t.t_write = 1;
		if (mdb_txn_begin(st->s_env, parent, 0, &t.t_txn) != 0) {
			whole = 0;
			break;
		}
		r = j->fn(&t, j->arg, j->err);
		if (t.t_mapfull) {
			mdb_txn_abort(t.t_txn);
			whole = 0;
			break;
		}
		if (r < 0) {
			mdb_txn_abort(t.t_txn);
			j->rc = r;
			continue;
		}
		if (mdb_txn_commit(t.t_txn) != 0) {
			whole = 0;
			break;
		}
		j->rc = r;
	}
	if (!whole) {
		txn_end(st, parent);
		goto alone;
	}
	rc = mdb_txn_commit(parent);
	txn_leave(st);
	if (rc == 0) {
		pthread_mutex_lock(&st->s_gmu);
		st->s_gcommits++;
		for (j = jobs; j != NULL; j = j->next)
			st->s_gjobs++;
		pthread_mutex_unlock(&st->s_gmu);
		return;
	}

alone:
	for (j = jobs; j != NULL; j = j->next) {
		if (j->err != NULL)
			err_clear(j->err);
		j->rc = write_one(st, j);
	}
}

/* store_group - from now on, let store_write calls of several threads
 * share transactions (the milter); call before the threads start */
void
store_group(struct store *st, int on)
{
	if (on && !st->s_group) {
		pthread_mutex_init(&st->s_gmu, NULL);
		pthread_cond_init(&st->s_gcv, NULL);
		st->s_ghead = NULL;
		st->s_gtail = &st->s_ghead;
		st->s_group = 1;
	}
}

/* store_group_stats - group transactions committed so far, and the
 * store_writes they held (a write that ran alone is in neither) */
void
store_group_stats(struct store *st, unsigned long *commits,
		  unsigned long *jobs)
{
	*commits = *jobs = 0;
	if (!st->s_group)
		return;
	pthread_mutex_lock(&st->s_gmu);
	*commits = st->s_gcommits;
	*jobs = st->s_gjobs;
	pthread_mutex_unlock(&st->s_gmu);
}

/* store_job_run - run a job now, or queue it for the group's leader; the
 * first waiting thread that finds no leader becomes the leader, takes
 * every job queued so far and runs them as one group */
static int
store_job_run(struct store *st, struct store_job *job)
{
	struct store_job *batch;

	if (st->s_flags & STORE_RDONLY)
		return err_set(job->err, PD_ETEMP, "%s: the store is open "
		    "read-only", st->s_dir);
	/* a thread with a read transaction open must not wait for a leader
	 * that may wait for it to resize the map; LMDB's writer lock
	 * orders it with the groups */
	if (!st->s_group || txn_here > 0)
		return write_one(st, job);
	pthread_mutex_lock(&st->s_gmu);
	*st->s_gtail = job;
	st->s_gtail = &job->next;
	while (!job->done) {
		if (st->s_glead) {
			pthread_cond_wait(&st->s_gcv, &st->s_gmu);
			continue;
		}
		st->s_glead = 1;
		batch = st->s_ghead;
		st->s_ghead = NULL;
		st->s_gtail = &st->s_ghead;
		pthread_mutex_unlock(&st->s_gmu);
		if (batch->next == NULL)
			batch->rc = write_one(st, batch);
		else
			write_group(st, batch);
		pthread_mutex_lock(&st->s_gmu);
		for (; batch != NULL; batch = batch->next)
			batch->done = 1;
		st->s_glead = 0;
		pthread_cond_broadcast(&st->s_gcv);
	}
	pthread_mutex_unlock(&st->s_gmu);
	return job->rc;
}

/* store_write - run fn in a durable write transaction, growing the map */
int
store_write(struct store *st,
	    int (*fn)(struct store_txn *, void *, struct pd_err *),
	    void *arg, struct pd_err *err)
{
	struct store_job job = { fn, arg, err, 0, 0, 0, NULL };

	return store_job_run(st, &job);
}

/* store_write_lazy - as store_write, but the commit does not wait for the
 * meta page to reach the disk (MDB_NOMETASYNC): a crash of the system
 * may undo this transaction (never half of it), until the next durable
 * commit. For records whose loss only repeats work. In group mode (the
 * milter) it is an ordinary write: the group shares its commit. */
int
store_write_lazy(struct store *st,
		 int (*fn)(struct store_txn *, void *, struct pd_err *),
		 void *arg, struct pd_err *err)
{
	struct store_job job = { fn, arg, err, 1, 0, 0, NULL };

	return store_job_run(st, &job);
}

/* store_copy - a compacted, consistent copy of the store as dir/data.mdb
 * (dir exists and holds no data.mdb), flushed to disk. It reads one
 * snapshot, so mail may be delivered meanwhile. A store LMDB cannot
 * compact is copied whole. */
int
store_copy(struct store *st, const char *dir, struct pd_err *err)
{
	char path[PATH_MAX];
	unsigned int how = MDB_CP_COMPACT;
	size_t seen;
	int attempt, rc = 0, fd;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	for (attempt = 0; attempt < STORE_RETRIES; attempt++) {
		txn_enter(st, &seen);
		rc = mdb_env_copy2(st->s_env, dir, how);
		txn_leave(st);
		if (rc == MDB_MAP_RESIZED) {
			/* another process grew the map: adopt its size */
			(void)unlink(path);
			if (map_resize(st, seen, 0, err) < 0)
				return -1;
			continue;
		}
		if (rc == 0 || how == 0)
			break;
		/* LMDB cannot compact a store that has leaked pages: copy
		 * it page for page instead */
		(void)unlink(path);
		how = 0;
	}
	if (rc != 0)
		return lmdb_err(st, rc, "mdb_env_copy2", err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) < 0) {
		err_set(err, PD_ETEMP, "cannot flush %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return 0;
}

/* store_meta_sync - does the environment sync the meta page on commit? */
int
store_meta_sync(struct store *st)
{
	unsigned int flags = 0;

	mdb_env_get_flags(st->s_env, &flags);
	return !(flags & MDB_NOMETASYNC);
}

/* store_hash - BLAKE2b-256 */
void
store_hash(const void *data, size_t len, unsigned char out[STORE_HASH_BYTES])
{
	crypto_generichash(out, STORE_HASH_BYTES, data, len, NULL, 0);
}

/* get - mdb_get by key into v; 1 found, 0 not found, -1 error */
int
si_get(struct store_txn *t, int db, const void *key, size_t klen, MDB_val *v,
    struct pd_err *err)
{
	MDB_val k;
	int rc;

	k.mv_data = (void *)key;
	k.mv_size = klen;
	rc = mdb_get(t->t_txn, t->t_st->s_dbi[db], &k, v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return si_txn_err(t, rc, db_names[db], err);
	return 1;
}

/* put - mdb_put; with MDB_NOOVERWRITE an existing key is not an error */
int
si_put(struct store_txn *t, int db, const void *key, size_t klen,
    const void *data, size_t dlen, unsigned int flags, struct pd_err *err)
{
	MDB_val k, v;
	int rc;

	k.mv_data = (void *)key;
	k.mv_size = klen;
	v.mv_data = (void *)data;
	v.mv_size = dlen;
	rc = mdb_put(t->t_txn, t->t_st->s_dbi[db], &k, &v, flags);
	if (rc == MDB_KEYEXIST && (flags & MDB_NOOVERWRITE))
		return 0;
	if (rc != 0)
		return si_txn_err(t, rc, db_names[db], err);
	return 0;
}

/* si_del - mdb_del of a key; a missing key is not an error */
int
si_del(struct store_txn *t, int db, const void *key, size_t klen,
       struct pd_err *err)
{
	MDB_val k;
	int rc;

	k.mv_data = (void *)key;
	k.mv_size = klen;
	rc = mdb_del(t->t_txn, t->t_st->s_dbi[db], &k, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return si_txn_err(t, rc, db_names[db], err);
	return 0;
}

/* key_seq - the (ticket, seq) key of messages and events */
static void
key_seq(unsigned char k[SEQ_KEYLEN], uint64_t ticket, uint32_t seq)
{
	record_put_be64(k, ticket);
	record_put_be32(k + 8, seq);
}

/* status_key - "status NUL id" into k (room for STORE_KEY_MAX); length */
static size_t
status_key(unsigned char *k, const char *status, uint64_t id)
{
	size_t len = strlen(status);

	memcpy(k, status, len + 1);
	record_put_be64(k + len + 1, id);
	return len + 1 + TICKET_KEYLEN;
}

/* msgid_key - the msgid key: the id, or "h:" + hex hash when too long */
static size_t
msgid_key(struct store *st, const char *msgid, unsigned char *k)
{
	unsigned char hash[STORE_HASH_BYTES];
	size_t len = strlen(msgid);

	if (len <= st->s_maxkey) {
		memcpy(k, msgid, len);
		return len;
	}
	store_hash(msgid, len, hash);
	memcpy(k, "h:", 2);
	sodium_bin2hex((char *)k + 2, STORE_HASH_BYTES * 2 + 1, hash,
	    sizeof(hash));
	return 2 + STORE_HASH_BYTES * 2;
}

/* store_ticket_new_id - take the next ticket id from the counter */
int
store_ticket_new_id(struct store_txn *t, uint64_t *idp,
		    struct pd_err *err)
{
	unsigned char next[8];
	MDB_val v;
	uint64_t id;
	int r;

	r = si_get(t, DB_META, META_NEXT, strlen(META_NEXT), &v, err);
	if (r < 0)
		return -1;
	if (r == 0 || v.mv_size != sizeof(next))
		return err_set(err, PD_ETEMP, "corrupt record: meta "
		    "next_ticket in %s", t->t_st->s_dir);
	id = record_get_be64(v.mv_data);
	if (id == 0 || id == UINT64_MAX)
		return err_set(err, PD_ETEMP, "corrupt record: meta "
		    "next_ticket in %s is %" PRIu64, t->t_st->s_dir, id);
	record_put_be64(next, id + 1);
	if (si_put(t, DB_META, META_NEXT, strlen(META_NEXT), next, sizeof(next),
	    0, err) < 0)
		return -1;
	*idp = id;
	return 0;
}

/* store_ticket_get - copy of ticket id; 1 found, 0 not found, -1 error */
int
store_ticket_get(struct store_txn *t, uint64_t id, struct pd_ticket **tp,
		 struct pd_err *err)
{
	unsigned char key[TICKET_KEYLEN];
	char what[STORE_WHAT];
	MDB_val v;
	int r;

	*tp = NULL;
	record_put_be64(key, id);
	if ((r = si_get(t, DB_TICKETS, key, sizeof(key), &v, err)) <= 0)
		return r;
	snprintf(what, sizeof(what), "ticket %" PRIu64 " in %s", id,
	    t->t_st->s_dir);
	if (record_ticket_decode(v.mv_data, v.mv_size, what, tp, err) < 0)
		return -1;
	(*tp)->id = id;
	return 1;
}

/* store_ticket_put - write a ticket and move it in the status index */
int
store_ticket_put(struct store_txn *t, const struct pd_ticket *tk,
		 struct pd_err *err)
{
	unsigned char key[TICKET_KEYLEN], skey[STORE_KEY_MAX + 1];
	struct pd_ticket *old;
	struct buf *b;
	size_t klen;
	int r;

	if (tk->id == 0 || tk->status == NULL)
		return err_set(err, PD_EBUG, "ticket without id or status");
	if (strlen(tk->status) + 1 + TICKET_KEYLEN > t->t_st->s_maxkey)
		return err_set(err, PD_EBUG, "ticket %" PRIu64 ": status name "
		    "too long", tk->id);
	if (store_ticket_get(t, tk->id, &old, err) < 0)
		return -1;
	b = buf_new(256);
	if (record_ticket_encode(b, tk, err) < 0)
		goto fail;
	record_put_be64(key, tk->id);
	if (si_put(t, DB_TICKETS, key, sizeof(key), b->data, b->len, 0, err) < 0)
		goto fail;
	/* an old status too long for a key was never indexed */
	if (old != NULL && strcmp(old->status, tk->status) != 0 &&
	    strlen(old->status) + 1 + TICKET_KEYLEN <= t->t_st->s_maxkey) {
		MDB_val k;
		int rc;

		k.mv_size = status_key(skey, old->status, tk->id);
		k.mv_data = skey;
		rc = mdb_del(t->t_txn, t->t_st->s_dbi[DB_STATUS], &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND) {
			si_txn_err(t, rc, "status", err);
			goto fail;
		}
	}
	/* put even when unchanged: repairs an index entry gone missing */
	klen = status_key(skey, tk->status, tk->id);
	r = si_put(t, DB_STATUS, skey, klen, "", 0, 0, err);
	if (r == 0)
		r = custtk_move(t, old, tk, err);
	buf_free(b);
	store_ticket_free(old);
	return r;

fail:
	buf_free(b);
	store_ticket_free(old);
	return -1;
}

/* si_custtk_key - a customer_tickets key: lower-cased address NUL id */
size_t
si_custtk_key(struct store *st, unsigned char *k, const char *addr,
	      uint64_t id, int id_too)
{
	size_t len, i;

	if (addr == NULL || (len = strlen(addr)) == 0 ||
	    len + 1 + TICKET_KEYLEN > st->s_maxkey)
		return 0;
	for (i = 0; i < len; i++)
		k[i] = (unsigned char)(addr[i] >= 'A' && addr[i] <= 'Z' ?
		    addr[i] + ('a' - 'A') : addr[i]);
	k[len] = '\0';
	if (!id_too)
		return len + 1;
	record_put_be64(k + len + 1, id);
	return len + 1 + TICKET_KEYLEN;
}

/* custtk_move - keep customer_tickets in step: a new ticket, or one whose
 * requester changed, is indexed under the new address (and leaves the old
 * one); tk NULL: old is being deleted */
static int
custtk_move(struct store_txn *t, const struct pd_ticket *old,
	    const struct pd_ticket *tk, struct pd_err *err)
{
	unsigned char ok[STORE_KEY_MAX + 1], nk[STORE_KEY_MAX + 1];
	size_t olen = 0, nlen = 0;

	if (old != NULL)
		olen = si_custtk_key(t->t_st, ok, old->requester, old->id, 1);
	if (tk != NULL)
		nlen = si_custtk_key(t->t_st, nk, tk->requester, tk->id, 1);
	if (old != NULL && tk != NULL && olen == nlen &&
	    memcmp(ok, nk, olen) == 0)
		return 0;	/* unchanged */
	if (olen > 0 && si_del(t, DB_CUSTOMER_TICKETS, ok, olen, err) < 0)
		return -1;
	if (nlen > 0)
		return si_put(t, DB_CUSTOMER_TICKETS, nk, nlen, "", 0, 0, err);
	return 0;
}

/* walk - call visit for each key starting with prefix, in key order */
int
si_walk(struct store_txn *t, int db, const void *prefix, size_t plen,
     int (*visit)(struct store_txn *, const MDB_val *, const MDB_val *,
		  struct walk_ctx *, struct pd_err *),
     struct walk_ctx *ctx, struct pd_err *err)
{
	unsigned char last[STORE_KEY_MAX];
	MDB_cursor *c;
	MDB_val k, v;
	size_t lastlen;
	int r = 0, rc;

	if ((rc = mdb_cursor_open(t->t_txn, t->t_st->s_dbi[db], &c)) != 0)
		return si_txn_err(t, rc, db_names[db], err);
	k.mv_data = (void *)prefix;
	k.mv_size = plen;
	rc = mdb_cursor_get(c, &k, &v, plen > 0 ? MDB_SET_RANGE : MDB_FIRST);
	for (;;) {
		if (rc == MDB_NOTFOUND)
			break;
		if (rc != 0) {
			r = si_txn_err(t, rc, db_names[db], err);
			break;
		}
		if (plen > 0 && (k.mv_size < plen ||
		    memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if (k.mv_size > sizeof(last)) {
			r = err_set(err, PD_ETEMP, "corrupt record: %s key of "
			    "%zu bytes in %s", db_names[db], k.mv_size,
			    t->t_st->s_dir);
			break;
		}
		memcpy(last, k.mv_data, k.mv_size);
		lastlen = k.mv_size;
		if ((r = visit(t, &k, &v, ctx, err)) != 0)
			break;
		if (!t->t_write) {
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		/* the callback may have written: find our place by key */
		k.mv_data = last;
		k.mv_size = lastlen;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && k.mv_size == lastlen &&
		    memcmp(k.mv_data, last, lastlen) == 0)
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return r > 0 ? 0 : r;
}

/* visit_ticket - decode one ticket of the tickets database, call back */
static int
visit_ticket(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	     struct walk_ctx *ctx, struct pd_err *err)
{
	struct pd_ticket *tk;
	char what[STORE_WHAT];
	uint64_t id;
	int r;

	if (k->mv_size != TICKET_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: tickets key of "
		    "%zu bytes in %s", k->mv_size, t->t_st->s_dir);
	id = record_get_be64(k->mv_data);
	snprintf(what, sizeof(what), "ticket %" PRIu64 " in %s", id,
	    t->t_st->s_dir);
	if (record_ticket_decode(v->mv_data, v->mv_size, what, &tk, err) < 0)
		return -1;
	tk->id = id;
	r = ctx->fn.ticket(tk, ctx->arg);
	store_ticket_free(tk);
	return r;
}

/* visit_status - fetch the ticket a status index entry names, call back */
static int
visit_status(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	     struct walk_ctx *ctx, struct pd_err *err)
{
	struct pd_ticket *tk;
	uint64_t id;
	int r;

	if (k->mv_size != ctx->prefix + TICKET_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: status key of "
		    "%zu bytes in %s", k->mv_size, t->t_st->s_dir);
	id = record_get_be64((const unsigned char *)k->mv_data + ctx->prefix);
	if ((r = store_ticket_get(t, id, &tk, err)) < 0)
		return -1;
	if (r == 0)
		return err_set(err, PD_ETEMP, "corrupt record: status index "
		    "names ticket %" PRIu64 ", which is missing in %s", id,
		    t->t_st->s_dir);
	r = ctx->fn.ticket(tk, ctx->arg);
	store_ticket_free(tk);
	return r;
}

/* store_ticket_iter - every ticket, or those of one status, in id order */
int
store_ticket_iter(struct store_txn *t, const char *status,
		  int (*fn)(const struct pd_ticket *, void *), void *arg,
		  struct pd_err *err)
{
	unsigned char prefix[STORE_KEY_MAX + 1];
	struct walk_ctx ctx;

	ctx.fn.ticket = fn;
	ctx.arg = arg;
	if (status == NULL) {
		ctx.prefix = 0;
		return si_walk(t, DB_TICKETS, NULL, 0, visit_ticket, &ctx, err);
	}
	ctx.prefix = strlen(status) + 1;
	if (ctx.prefix + TICKET_KEYLEN > t->t_st->s_maxkey)
		return 0;	/* no such status can have been stored */
	memcpy(prefix, status, ctx.prefix);
	return si_walk(t, DB_STATUS, prefix, ctx.prefix, visit_status, &ctx,
	    err);
}

/* store_ticket_free - free a ticket; accepts NULL */
void
store_ticket_free(struct pd_ticket *tk)
{
	record_ticket_free(tk);
}

/* store_ticket_dup - deep copy of a ticket */
struct pd_ticket *
store_ticket_dup(const struct pd_ticket *tk)
{
	struct pd_ticket *d;
	size_t i;

	d = xcalloc(1, sizeof(*d));
	*d = *tk;
	d->status = tk->status ? xstrdup(tk->status) : NULL;
	d->subject = tk->subject ? xstrdup(tk->subject) : NULL;
	d->requester = tk->requester ? xstrdup(tk->requester) : NULL;
	d->requester_name = tk->requester_name ?
	    xstrdup(tk->requester_name) : NULL;
	d->queue = tk->queue ? xstrdup(tk->queue) : NULL;
	d->participants = xcalloc(tk->nparticipants + 1, sizeof(char *));
	for (i = 0; i < tk->nparticipants; i++)
		d->participants[i] = xstrdup(tk->participants[i]);
	d->assignee = xstrdup(tk->assignee ? tk->assignee : "");
	d->priority = xstrdup(tk->priority ? tk->priority : "");
	d->lock_holder = xstrdup(tk->lock_holder ? tk->lock_holder : "");
	d->last_public_agent = xstrdup(tk->last_public_agent ?
	    tk->last_public_agent : "");
	d->last_assignee = xstrdup(tk->last_assignee ? tk->last_assignee : "");
	d->cc = xcalloc(tk->ncc + 1, sizeof(char *));
	for (i = 0; i < tk->ncc; i++)
		d->cc[i] = xstrdup(tk->cc[i]);
	return d;
}

/* ascii_casecmp - strcasecmp on ASCII letters only, whatever the locale */
static int
ascii_casecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	do {
		ca = (unsigned char)*a++;
		cb = (unsigned char)*b++;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
	} while (ca == cb && ca != '\0');
	return ca - cb;
}

/* store_ticket_add_participant - add addr, lower case; 1 added, 0 present */
int
store_ticket_add_participant(struct pd_ticket *tk, const char *addr)
{
	char *copy, *p;

	if (addr == NULL || *addr == '\0' ||
	    store_ticket_is_participant(tk, addr))
		return 0;
	copy = xstrdup(addr);
	for (p = copy; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	tk->participants = xrealloc(tk->participants,
	    (tk->nparticipants + 2) * sizeof(char *));
	tk->participants[tk->nparticipants++] = copy;
	tk->participants[tk->nparticipants] = NULL;
	return 1;
}

/* store_ticket_is_participant - 1 when addr (any case) takes part */
int
store_ticket_is_participant(const struct pd_ticket *tk, const char *addr)
{
	size_t i;

	if (addr == NULL)
		return 0;
	for (i = 0; i < tk->nparticipants; i++)
		if (tk->participants[i] != NULL &&
		    ascii_casecmp(tk->participants[i], addr) == 0)
			return 1;
	return 0;
}

/* store_msg_put - write a message and index its Message-ID */
int
store_msg_put(struct store_txn *t, const struct pd_stored_msg *m,
	      struct pd_err *err)
{
	unsigned char key[SEQ_KEYLEN], idkey[STORE_KEY_MAX + 1];
	struct buf *b;
	size_t klen;
	int r;

	if (m->ticket == 0)
		return err_set(err, PD_EBUG, "message without a ticket");
	b = buf_new(1024);
	if (record_msg_encode(b, m, err) < 0) {
		buf_free(b);
		return -1;
	}
	key_seq(key, m->ticket, m->seq);
	r = si_put(t, DB_MESSAGES, key, sizeof(key), b->data, b->len, 0, err);
	buf_free(b);
	if (r < 0)
		return -1;
	if (m->message_id == NULL || *m->message_id == '\0')
		return 0;
	/* the first message with an id keeps it */
	klen = msgid_key(t->t_st, m->message_id, idkey);
	return si_put(t, DB_MSGID, idkey, klen, key, sizeof(key),
	    MDB_NOOVERWRITE, err);
}

/* store_msg_get - copy of one message; 1 found, 0 not found, -1 error */
int
store_msg_get(struct store_txn *t, uint64_t ticket, uint32_t seq,
	      struct pd_stored_msg **mp, struct pd_err *err)
{
	unsigned char key[SEQ_KEYLEN];
	char what[STORE_WHAT];
	MDB_val v;
	int r;

	*mp = NULL;
	key_seq(key, ticket, seq);
	if ((r = si_get(t, DB_MESSAGES, key, sizeof(key), &v, err)) <= 0)
		return r;
	snprintf(what, sizeof(what), "message %" PRIu64 "/%" PRIu32 " in %s",
	    ticket, seq, t->t_st->s_dir);
	if (record_msg_decode(v.mv_data, v.mv_size, what, mp, err) < 0)
		return -1;
	(*mp)->ticket = ticket;
	(*mp)->seq = seq;
	return 1;
}

/* visit_msg - decode one message, call back */
static int
visit_msg(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	  struct walk_ctx *ctx, struct pd_err *err)
{
	struct pd_stored_msg *m;
	char what[STORE_WHAT];
	int r;

	if (k->mv_size != SEQ_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: messages key "
		    "of %zu bytes in %s", k->mv_size, t->t_st->s_dir);
	snprintf(what, sizeof(what), "message %" PRIu64 "/%" PRIu32 " in %s",
	    record_get_be64(k->mv_data),
	    record_get_be32((const unsigned char *)k->mv_data + 8),
	    t->t_st->s_dir);
	if (record_msg_decode(v->mv_data, v->mv_size, what, &m, err) < 0)
		return -1;
	m->ticket = record_get_be64(k->mv_data);
	m->seq = record_get_be32((const unsigned char *)k->mv_data + 8);
	r = ctx->fn.msg(m, ctx->arg);
	store_msg_free(m);
	return r;
}

/* store_msg_iter - the messages of one ticket in seq order */
int
store_msg_iter(struct store_txn *t, uint64_t ticket,
	       int (*fn)(const struct pd_stored_msg *, void *), void *arg,
	       struct pd_err *err)
{
	unsigned char prefix[TICKET_KEYLEN];
	struct walk_ctx ctx;

	ctx.fn.msg = fn;
	ctx.arg = arg;
	ctx.prefix = sizeof(prefix);
	record_put_be64(prefix, ticket);
	return si_walk(t, DB_MESSAGES, prefix, sizeof(prefix), visit_msg, &ctx,
	    err);
}

/* store_msg_free - free a message; accepts NULL */
void
store_msg_free(struct pd_stored_msg *m)
{
	record_msg_free(m);
}

/* store_msgid_lookup - where a Message-ID was stored first */
int
store_msgid_lookup(struct store_txn *t, const char *msgid,
		   uint64_t *ticket, uint32_t *seq, struct pd_err *err)
{
	unsigned char idkey[STORE_KEY_MAX + 1];
	MDB_val v;
	size_t klen;
	int r;

	if (msgid == NULL || *msgid == '\0')
		return 0;
	klen = msgid_key(t->t_st, msgid, idkey);
	if ((r = si_get(t, DB_MSGID, idkey, klen, &v, err)) <= 0)
		return r;
	if (v.mv_size != SEQ_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: msgid value of "
		    "%zu bytes in %s", v.mv_size, t->t_st->s_dir);
	*ticket = record_get_be64(v.mv_data);
	*seq = record_get_be32((const unsigned char *)v.mv_data + 8);
	return 1;
}

/* store_raw_put - store bytes under their hash (once) */
int
store_raw_put(struct store_txn *t, const void *data, size_t len,
	      unsigned char out[STORE_HASH_BYTES], struct pd_err *err)
{
	store_hash(data, len, out);
	return si_put(t, DB_RAW, out, STORE_HASH_BYTES, data, len,
	    MDB_NOOVERWRITE, err);
}

/* store_raw_put_ticket - bytes of one ticket's message under
 * BLAKE2b(ticket, bytes): purging a ticket never touches another's */
int
store_raw_put_ticket(struct store_txn *t, uint64_t ticket, const void *data,
		     size_t len, unsigned char out[STORE_HASH_BYTES],
		     struct pd_err *err)
{
	crypto_generichash_state st;
	unsigned char tk[8];

	record_put_be64(tk, ticket);
	crypto_generichash_init(&st, NULL, 0, STORE_HASH_BYTES);
	crypto_generichash_update(&st, tk, sizeof(tk));
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, out, STORE_HASH_BYTES);
	return si_put(t, DB_RAW, out, STORE_HASH_BYTES, data, len,
	    MDB_NOOVERWRITE, err);
}

/* store_raw_del - drop raw bytes */
int
store_raw_del(struct store_txn *t, const unsigned char hash[STORE_HASH_BYTES],
	      struct pd_err *err)
{
	return si_del(t, DB_RAW, hash, STORE_HASH_BYTES, err);
}

/* store_msg_del - drop one message record */
int
store_msg_del(struct store_txn *t, uint64_t ticket, uint32_t seq,
	      struct pd_err *err)
{
	unsigned char k[SEQ_KEYLEN];

	key_seq(k, ticket, seq);
	return si_del(t, DB_MESSAGES, k, sizeof(k), err);
}

/* store_msgid_del - drop a Message-ID index entry that points into ticket */
int
store_msgid_del(struct store_txn *t, const char *msgid, uint64_t ticket,
		struct pd_err *err)
{
	unsigned char idkey[STORE_KEY_MAX + 1];
	uint64_t tk;
	uint32_t seq;
	size_t klen;
	int r;

	if (msgid == NULL || *msgid == '\0')
		return 0;
	if ((r = store_msgid_lookup(t, msgid, &tk, &seq, err)) <= 0)
		return r;
	if (tk != ticket)
		return 0;
	klen = msgid_key(t->t_st, msgid, idkey);
	return si_del(t, DB_MSGID, idkey, klen, err);
}

/* store_dedup_del - drop a duplicate-check entry */
int
store_dedup_del(struct store_txn *t, const unsigned char key[STORE_HASH_BYTES],
		struct pd_err *err)
{
	return si_del(t, DB_DEDUP, key, STORE_HASH_BYTES, err);
}

/* store_events_del - drop every event of a ticket */
int
store_events_del(struct store_txn *t, uint64_t ticket, uint32_t nevents,
		 struct pd_err *err)
{
	unsigned char k[SEQ_KEYLEN];
	uint32_t seq;

	for (seq = 1; seq <= nevents; seq++) {
		key_seq(k, ticket, seq);
		if (si_del(t, DB_EVENTS, k, sizeof(k), err) < 0)
			return -1;
	}
	return 0;
}

/* store_ticket_del - drop a ticket record and its status and customer
 * index entries */
int
store_ticket_del(struct store_txn *t, const struct pd_ticket *tk,
		 struct pd_err *err)
{
	unsigned char key[TICKET_KEYLEN], skey[STORE_KEY_MAX + 1];
	size_t klen;

	record_put_be64(key, tk->id);
	if (strlen(tk->status) + 1 + TICKET_KEYLEN <= t->t_st->s_maxkey) {
		klen = status_key(skey, tk->status, tk->id);
		if (si_del(t, DB_STATUS, skey, klen, err) < 0)
			return -1;
	}
	if (custtk_move(t, tk, NULL, err) < 0)
		return -1;
	return si_del(t, DB_TICKETS, key, sizeof(key), err);
}

/* store_raw_get - copy of the bytes (NUL-terminated); 1 found, 0 not */
int
store_raw_get(struct store_txn *t, const unsigned char hash[STORE_HASH_BYTES],
	      char **datap, size_t *lenp, struct pd_err *err)
{
	MDB_val v;
	int r;

	*datap = NULL;
	*lenp = 0;
	if ((r = si_get(t, DB_RAW, hash, STORE_HASH_BYTES, &v, err)) <= 0)
		return r;
	*datap = xmalloc(v.mv_size + 1);
	memcpy(*datap, v.mv_data, v.mv_size);
	(*datap)[v.mv_size] = '\0';
	*lenp = v.mv_size;
	return 1;
}

/* store_dedup_lookup - the message a dedup key was recorded for */
int
store_dedup_lookup(struct store_txn *t,
		   const unsigned char key[STORE_HASH_BYTES],
		   uint64_t *ticket, uint32_t *seq, struct pd_err *err)
{
	MDB_val v;
	int r;

	if ((r = si_get(t, DB_DEDUP, key, STORE_HASH_BYTES, &v, err)) <= 0)
		return r;
	if (v.mv_size != SEQ_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: dedup value of "
		    "%zu bytes in %s", v.mv_size, t->t_st->s_dir);
	*ticket = record_get_be64(v.mv_data);
	*seq = record_get_be32((const unsigned char *)v.mv_data + 8);
	return 1;
}

/* store_dedup_put - record key -> (ticket, seq) */
int
store_dedup_put(struct store_txn *t,
		const unsigned char key[STORE_HASH_BYTES],
		uint64_t ticket, uint32_t seq, struct pd_err *err)
{
	unsigned char v[SEQ_KEYLEN];

	key_seq(v, ticket, seq);
	return si_put(t, DB_DEDUP, key, STORE_HASH_BYTES, v, sizeof(v), 0, err);
}

/* store_event_put - write one event of the audit trail */
int
store_event_put(struct store_txn *t, const struct pd_event *e,
		struct pd_err *err)
{
	unsigned char key[SEQ_KEYLEN];
	struct buf *b;
	int r;

	if (e->ticket == 0)
		return err_set(err, PD_EBUG, "event without a ticket");
	b = buf_new(256);
	if (record_event_encode(b, e, err) < 0) {
		buf_free(b);
		return -1;
	}
	key_seq(key, e->ticket, e->seq);
	r = si_put(t, DB_EVENTS, key, sizeof(key), b->data, b->len, 0, err);
	buf_free(b);
	return r;
}

/* visit_event - decode one event, call back */
static int
visit_event(struct store_txn *t, const MDB_val *k, const MDB_val *v,
	    struct walk_ctx *ctx, struct pd_err *err)
{
	struct pd_event *e;
	char what[STORE_WHAT];
	int r;

	if (k->mv_size != SEQ_KEYLEN)
		return err_set(err, PD_ETEMP, "corrupt record: events key of "
		    "%zu bytes in %s", k->mv_size, t->t_st->s_dir);
	snprintf(what, sizeof(what), "event %" PRIu64 "/%" PRIu32 " in %s",
	    record_get_be64(k->mv_data),
	    record_get_be32((const unsigned char *)k->mv_data + 8),
	    t->t_st->s_dir);
	if (record_event_decode(v->mv_data, v->mv_size, what, &e, err) < 0)
		return -1;
	e->ticket = record_get_be64(k->mv_data);
	e->seq = record_get_be32((const unsigned char *)k->mv_data + 8);
	r = ctx->fn.event(e, ctx->arg);
	record_event_free(e);
	return r;
}

/* store_event_iter - the events of one ticket in seq order */
int
store_event_iter(struct store_txn *t, uint64_t ticket,
		 int (*fn)(const struct pd_event *, void *), void *arg,
		 struct pd_err *err)
{
	unsigned char prefix[TICKET_KEYLEN];
	struct walk_ctx ctx;

	ctx.fn.event = fn;
	ctx.arg = arg;
	ctx.prefix = sizeof(prefix);
	record_put_be64(prefix, ticket);
	return si_walk(t, DB_EVENTS, prefix, sizeof(prefix), visit_event, &ctx,
	    err);
}

/* store_stat - entry counts and map usage */
int
store_stat(struct store *st, struct store_stat *ss, struct pd_err *err)
{
	static const int dbs[4] = { DB_TICKETS, DB_MESSAGES, DB_RAW,
	    DB_OUTBOX };
	uint64_t *counts[4];
	struct store_txn *t;
	MDB_envinfo info;
	MDB_stat ms;
	int i, rc;

	memset(ss, 0, sizeof(*ss));
	counts[0] = &ss->tickets;
	counts[1] = &ss->messages;
	counts[2] = &ss->raw;
	counts[3] = &ss->outbox;
	/* inside a transaction, so that no thread resizes the map */
	if (store_read(st, &t, err) < 0)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((rc = mdb_stat(t->t_txn, st->s_dbi[dbs[i]], &ms)) != 0) {
			store_abort(t);
			return lmdb_err(st, rc, db_names[dbs[i]], err);
		}
		*counts[i] = ms.ms_entries;
	}
	if ((rc = mdb_env_info(st->s_env, &info)) == 0)
		rc = mdb_env_stat(st->s_env, &ms);
	store_abort(t);
	if (rc != 0)
		return lmdb_err(st, rc, "mdb_env_info", err);
	ss->map_size = info.me_mapsize;
	ss->used_bytes = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	return 0;
}

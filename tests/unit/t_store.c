/*
 * t_store.c - store/: a real LMDB environment in a temporary directory
 *
 * Covers: create/open/reopen and file modes under a hostile umask; the
 * "not initialised" and "newer schema" refusals; ticket ids, every ticket
 * field, the status index (and changing statuses while walking it); the
 * message, Message-ID, raw, dedup and event databases; map growth from a
 * 1 MB map; a write callback that fails leaves nothing; corrupt records
 * are errors, not crashes; read-only opens; two processes writing at once;
 * store_verify() on a clean store and on each kind of damaged index;
 * customers: by address (any case) and external id, the id index following
 * a customer's changes, a taken id refused without a trace, the tickets of
 * a requester following store_ticket_put and store_ticket_del.
 * Some checks write to the files with plain LMDB calls, as an operator's
 * tool or a disk fault would, while no store is open on them.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "store/store.h"
#include "util/err.h"
#include "util/xalloc.h"
#include "tap.h"

#define MB	(1024 * 1024)

static char base[] = "/tmp/t_store.XXXXXX";

struct ticket_list {
	int	n;
	int	stop_after;	/* return 1 after this many, 0 never */
	char	text[4096];		/* "1,2,3" */
};

struct msg_list {
	int	n;
	char	text[1024];		/* "1/1,1/2" */
};

struct raw_write {
	const char *data;
	size_t	len;
	unsigned char hash[STORE_HASH_BYTES];
};

struct child_write {
	int	who;
	int	i;
};

struct close_all {
	struct store_txn *t;
	struct pd_err *err;
	int	n;
};

/* diag_err - show an unexpected error as a TAP comment */
static void
diag_err(const struct pd_err *err)
{
	printf("# %s: %s\n", err_class_name(err->class), err->text);
}

/* path - DIR/name into buf */
static const char *
path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", base, name);
	return buf;
}

/* file_mode - permission bits of a file, -1 when missing */
static int
file_mode(const char *dir, const char *name)
{
	char p[512];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s%s", dir, *name ? "/" : "", name);
	if (stat(p, &sb) < 0)
		return -1;
	return (int)(sb.st_mode & 07777);
}

/* rm_store - remove a store directory made by these tests */
static void
rm_store(const char *dir)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/lock.mdb", dir);
	unlink(p);
	rmdir(dir);
}

/* raw_env - open a plain LMDB environment on dir */
static MDB_env *
raw_env(const char *dir)
{
	MDB_env *env;

	if (mdb_env_create(&env) != 0)
		return NULL;
	mdb_env_set_maxdbs(env, 16);
	if (mdb_env_open(env, dir, 0, 0600) != 0) {
		mdb_env_close(env);
		return NULL;
	}
	return env;
}

/* raw_put - put one value with plain LMDB calls; LMDB's return code */
static int
raw_put(const char *dir, const char *db, const void *k, size_t klen,
	const void *v, size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, val;
	int rc;

	if ((env = raw_env(dir)) == NULL)
		return -1;
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
		key.mv_data = (void *)k;
		key.mv_size = klen;
		val.mv_data = (void *)v;
		val.mv_size = vlen;
		if ((rc = mdb_dbi_open(txn, db, MDB_CREATE, &dbi)) == 0 &&
		    (rc = mdb_put(txn, dbi, &key, &val, 0)) == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return rc;
}

/* raw_get - a copy of one value read with plain LMDB calls, or NULL */
static char *
raw_get(const char *dir, const char *db, const void *k, size_t klen,
	size_t *lenp)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, val;
	char *copy = NULL;

	if ((env = raw_env(dir)) == NULL)
		return NULL;
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
		key.mv_data = (void *)k;
		key.mv_size = klen;
		if (mdb_dbi_open(txn, db, 0, &dbi) == 0 &&
		    mdb_get(txn, dbi, &key, &val) == 0) {
			copy = xmalloc(val.mv_size);
			memcpy(copy, val.mv_data, val.mv_size);
			*lenp = val.mv_size;
		}
		mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return copy;
}

/* be64 - a ticket key as the store writes it */
static void
be64(unsigned char k[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		k[i] = (unsigned char)v;
}

/* fill - pseudo-random bytes from a seed (xorshift) */
static void
fill(char *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (char)(x >> 24);
	}
}

/* mk_ticket - a ticket with every field set */
static struct pd_ticket *
mk_ticket(uint64_t id, const char *status)
{
	struct pd_ticket *tk = xcalloc(1, sizeof(*tk));

	tk->id = id;
	tk->status = xstrdup(status);
	tk->subject = xstrdup("Übergröße – 日本語 ✓ [#1]");
	tk->requester = xstrdup("anna@example.org");
	tk->requester_name = xstrdup("");
	tk->queue = xstrdup("");
	tk->created = 1700000000;
	tk->updated = (time_t)4102444800LL;	/* 2100: past 2^32 */
	tk->nmsgs = 3;
	tk->nevents = 70000;
	return tk;
}

/* mk_msg - a message with every field set */
static struct pd_stored_msg *
mk_msg(uint64_t ticket, uint32_t seq, const char *msgid)
{
	struct pd_stored_msg *m = xcalloc(1, sizeof(*m));
	int i;

	m->ticket = ticket;
	m->seq = seq;
	m->received = 1700000000 + seq;
	m->author = seq % 2 ? PD_AUTHOR_CUSTOMER : PD_AUTHOR_AGENT;
	m->from_addr = xasprintf("from%" PRIu32 "@example.org", seq);
	m->from_name = xstrdup("Jörg Ünal");
	m->subject = xasprintf("ticket %" PRIu64 " message %" PRIu32, ticket,
	    seq);
	m->message_id = xstrdup(msgid);
	m->queue_id = xstrdup("");
	m->recipient = xstrdup("support@example.com");
	m->text = xstrdup("Hallo,\n\nes geht nicht.\n-- \nJörg\n");
	for (i = 0; i < 32; i++)
		m->raw_hash[i] = (unsigned char)(i * 7 + seq);
	m->raw_size = 5000000000ULL;
	m->nattach = 2;
	m->attach = xcalloc(2, sizeof(*m->attach));
	m->attach[0].name = xstrdup("Rechnung März.pdf");
	m->attach[0].type = xstrdup("application/pdf");
	m->attach[0].size = 123456;
	m->attach[1].name = xstrdup("");
	m->attach[1].type = xstrdup("image/png");
	m->attach[1].size = 0;
	return m;
}

/* w_ticket - store_write callback: put the ticket in arg */
static int
w_ticket(struct store_txn *t, void *arg, struct pd_err *err)
{
	return store_ticket_put(t, arg, err);
}

/* w_msg - store_write callback: put the message in arg */
static int
w_msg(struct store_txn *t, void *arg, struct pd_err *err)
{
	return store_msg_put(t, arg, err);
}

/* w_event - store_write callback: put the event in arg */
static int
w_event(struct store_txn *t, void *arg, struct pd_err *err)
{
	return store_event_put(t, arg, err);
}

/* w_dedup - store_write callback: dedup key arg -> (5, 7) */
static int
w_dedup(struct store_txn *t, void *arg, struct pd_err *err)
{
	return store_dedup_put(t, arg, 5, 7, err);
}

/* w_raw - store_write callback: put raw bytes, keep the hash */
static int
w_raw(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct raw_write *rw = arg;

	return store_raw_put(t, rw->data, rw->len, rw->hash, err);
}

/* w_new - store_write callback: a new ticket in status arg; id in err */
static int
w_new(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct pd_ticket *tk;
	uint64_t id;
	int r;

	if (store_ticket_new_id(t, &id, err) < 0)
		return -1;
	tk = mk_ticket(id, arg);
	r = store_ticket_put(t, tk, err);
	store_ticket_free(tk);
	if (r == 0)
		snprintf(err->text, sizeof(err->text), "%" PRIu64, id);
	return r;
}

/* w_refuse - store_write callback: writes, then fails for its own reason */
static int
w_refuse(struct store_txn *t, void *arg, struct pd_err *err)
{
	uint64_t *idp = arg;
	struct pd_ticket *tk;

	if (store_ticket_new_id(t, idp, err) < 0)
		return -1;
	tk = mk_ticket(*idp, "new");
	if (store_ticket_put(t, tk, err) < 0) {
		store_ticket_free(tk);
		return -1;
	}
	store_ticket_free(tk);
	return err_set(err, PD_EDATA, "refused by the test");
}

/* new_ticket - create one ticket in its own transaction; its id or 0 */
static uint64_t
new_ticket(struct store *st, const char *status)
{
	struct pd_err err;

	if (store_write(st, w_new, (void *)status, &err) != 0)
		return 0;
	return strtoull(err.text, NULL, 10);
}

/* cb_tickets - collect ticket ids */
static int
cb_tickets(const struct pd_ticket *tk, void *arg)
{
	struct ticket_list *l = arg;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len, "%s%" PRIu64,
	    l->n ? "," : "", tk->id);
	l->n++;
	return l->stop_after && l->n >= l->stop_after ? 1 : 0;
}

/* cb_fail - an iterator callback that fails */
static int
cb_fail(const struct pd_ticket *tk, void *arg)
{
	return -1;
}

/* list - the ids a ticket iteration yields, "1,2", or "error: ..." */
static const char *
list(struct store *st, const char *status, int stop_after)
{
	static struct ticket_list l;
	struct store_txn *t;
	struct pd_err err;
	int r;

	memset(&l, 0, sizeof(l));
	l.stop_after = stop_after;
	if (store_read(st, &t, &err) < 0)
		return "error: store_read";
	r = store_ticket_iter(t, status, cb_tickets, &l, &err);
	store_abort(t);
	if (r < 0)
		snprintf(l.text, sizeof(l.text), "error: %s", err.text);
	return l.text;
}

/* cb_msgs - collect "ticket/seq" of messages */
static int
cb_msgs(const struct pd_stored_msg *m, void *arg)
{
	struct msg_list *l = arg;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len, "%s%" PRIu64 "/%"
	    PRIu32 ":%s", l->n ? "," : "", m->ticket, m->seq, m->subject);
	l->n++;
	return 0;
}

/* cb_events - collect "ticket/seq kind" of events */
static int
cb_events(const struct pd_event *e, void *arg)
{
	struct msg_list *l = arg;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len, "%s%" PRIu64 "/%"
	    PRIu32 " %lld %s %s %s", l->n ? "," : "", e->ticket, e->seq,
	    (long long)e->time, e->actor, e->kind, e->detail);
	l->n++;
	return 0;
}

/* cb_close - move each listed ticket to "closed" while walking */
static int
cb_close(const struct pd_ticket *tk, void *arg)
{
	struct close_all *ca = arg;
	struct pd_ticket *d;
	int r;

	d = store_ticket_dup(tk);
	free(d->status);
	d->status = xstrdup("closed");
	r = store_ticket_put(ca->t, d, ca->err);
	store_ticket_free(d);
	ca->n++;
	return r;
}

/* w_close_open - close every "open" ticket from inside the iteration */
static int
w_close_open(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct close_all *ca = arg;

	ca->t = t;
	ca->err = err;
	ca->n = 0;
	return store_ticket_iter(t, "open", cb_close, ca, err);
}

/* test_open - create, modes, reopen, and the two refusals */
static void
test_open(void)
{
	char dir[256], p[256];
	struct store *st;
	struct pd_err err;
	unsigned char v[4];
	mode_t old;
	int r;

	path(dir, sizeof(dir), "main");
	old = umask(0277);	/* would leave 0500 and 0400 */
	r = store_open(dir, MB, STORE_CREATE, &st, &err);
	umask(old);
	OK(r == 0, "create a new store: %s", r == 0 ? "ok" : err.text);
	IS_INT(file_mode(dir, ""), 0700, "directory is 0700 despite umask");
	IS_INT(file_mode(dir, "data.mdb"), 0600, "data.mdb is 0600");
	IS_INT(file_mode(dir, "lock.mdb"), 0600, "lock.mdb is 0600");
	OK(new_ticket(st, "new") == 1, "first ticket id is 1");
	st = store_close(st);
	OK(st == NULL, "store_close returns NULL");
	OK(store_close(NULL) == NULL, "store_close(NULL)");

	r = store_open(dir, MB, 0, &st, &err);
	OK(r == 0, "reopen: %s", r == 0 ? "ok" : err.text);
	store_close(st);
	r = store_open(dir, MB, STORE_CREATE, &st, &err);
	OK(r == 0, "create again over an existing store");
	IS_INT(new_ticket(st, "new"), 2, "create again keeps the id counter");
	store_close(st);

	path(p, sizeof(p), "empty");
	mkdir(p, 0700);
	r = store_open(p, MB, 0, &st, &err);
	OK(r < 0 && err.class == PD_ETEMP && st == NULL,
	    "an empty directory is refused");
	OK(strstr(err.text, "is not initialised (run postdesk init)") != NULL,
	    "... saying: %s", err.text);
	IS_INT(file_mode(p, "data.mdb"), -1, "... and nothing is created");
	r = store_open(p, MB, STORE_RDONLY, &st, &err);
	OK(r < 0 && strstr(err.text, "not initialised") != NULL,
	    "read-only open of an empty directory: %s", err.text);
	path(p, sizeof(p), "missing");
	r = store_open(p, MB, 0, &st, &err);
	OK(r < 0 && strstr(err.text, "not initialised") != NULL,
	    "a missing directory is refused: %s", err.text);
	path(p, sizeof(p), "missing/sub");
	r = store_open(p, MB, STORE_CREATE, &st, &err);
	OK(r < 0 && err.class == PD_ETEMP,
	    "create needs the parent directory: %s", err.text);

	/* an LMDB environment that postdesk never initialised */
	path(p, sizeof(p), "foreign");
	mkdir(p, 0700);
	IS_INT(raw_put(p, "other", "k", 1, "v", 1), 0, "foreign env made");
	r = store_open(p, MB, 0, &st, &err);
	OK(r < 0 && strstr(err.text, "store at ") != NULL &&
	    strstr(err.text, "is not initialised (run postdesk init)") != NULL,
	    "an env without meta is refused: %s", err.text);
	rm_store(p);

	path(p, sizeof(p), "newer");
	r = store_open(p, MB, STORE_CREATE, &st, &err);
	OK(r == 0, "create a store to make newer");
	store_close(st);
	v[0] = v[1] = v[2] = 0;
	v[3] = STORE_SCHEMA_VERSION + 1;
	IS_INT(raw_put(p, "meta", "schema", 6, v, 4), 0,
	    "schema set to one more with plain LMDB");
	r = store_open(p, MB, 0, &st, &err);
	OK(r < 0 && err.class == PD_ETEMP && st == NULL,
	    "a newer schema is refused");
	{
		char want[512];

		snprintf(want, sizeof(want), "store at %s has schema %d, "
		    "newer than this postdesk (%d)", p,
		    STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
		IS_STR(err.text, want, "... with the schema message");
	}
	r = store_open(p, MB, STORE_CREATE, &st, &err);
	OK(r < 0 && strstr(err.text, "newer than") != NULL,
	    "create over a newer store is refused too");
	rm_store(p);
	path(p, sizeof(p), "empty");
	rmdir(p);
}

/* test_tickets - ids, field round trip, participants, status index */
static void
test_tickets(struct store *st)
{
	struct pd_ticket *tk, *got, *d;
	struct store_txn *t;
	struct close_all ca;
	struct pd_err err;
	uint64_t id;
	int r;

	/* test_open made tickets 1 and 2 */
	id = new_ticket(st, "open");
	IS_INT(id, 3, "third ticket id is 3");
	IS_INT(new_ticket(st, "open"), 4, "then 4");
	IS_INT(new_ticket(st, "open_late"), 5, "then 5");

	tk = mk_ticket(3, "open");
	free(tk->requester_name);
	tk->requester_name = xstrdup("Zoë O'Brien \"ZO\"");
	free(tk->queue);
	tk->queue = xstrdup("billing");
	IS_INT(store_ticket_add_participant(tk, "Anna@Example.ORG"), 1,
	    "add a participant");
	IS_INT(store_ticket_add_participant(tk, "anna@example.org"), 0,
	    "the same address in other case is present");
	IS_INT(store_ticket_add_participant(tk, "bob@example.net"), 1,
	    "add a second participant");
	IS_INT(store_ticket_add_participant(tk, ""), 0,
	    "empty address not added");
	IS_STR(tk->participants[0], "anna@example.org",
	    "participants are stored lower case");
	OK(store_ticket_is_participant(tk, "BOB@example.net"),
	    "is_participant ignores case");
	OK(!store_ticket_is_participant(tk, "carol@example.net"),
	    "a stranger is no participant");
	r = store_write(st, w_ticket, tk, &err);
	OK(r == 0, "put ticket 3: %s", r == 0 ? "ok" : err.text);

	store_read(st, &t, &err);
	r = store_ticket_get(t, 3, &got, &err);
	IS_INT(r, 1, "get ticket 3");
	if (r == 1) {
		IS_INT(got->id, 3, "id");
		IS_STR(got->status, "open", "status");
		IS_STR(got->subject, tk->subject, "UTF-8 subject");
		IS_STR(got->requester, "anna@example.org", "requester");
		IS_STR(got->requester_name, tk->requester_name,
		    "requester_name");
		IS_STR(got->queue, "billing", "queue");
		IS_INT(got->created, 1700000000, "created");
		IS_INT(got->updated, 4102444800LL, "updated past 2^32");
		IS_INT(got->nmsgs, 3, "nmsgs");
		IS_INT(got->nevents, 70000, "nevents");
		IS_INT(got->nparticipants, 2, "two participants");
		if (got->nparticipants == 2) {
			IS_STR(got->participants[0], "anna@example.org",
			    "participant 1");
			IS_STR(got->participants[1], "bob@example.net",
			    "participant 2");
		}
		d = store_ticket_dup(got);
		OK(d != got && d->subject != got->subject &&
		    strcmp(d->subject, got->subject) == 0 &&
		    d->nparticipants == 2 && d->participants[1] !=
		    got->participants[1] &&
		    strcmp(d->participants[1], "bob@example.net") == 0,
		    "dup is a deep copy");
		store_ticket_free(d);
	}
	store_ticket_free(got);
	r = store_ticket_get(t, 1, &got, &err);
	OK(r == 1 && strcmp(got->requester_name, "") == 0 &&
	    strcmp(got->queue, "") == 0 && got->nparticipants == 0,
	    "empty strings and no participants round trip");
	store_ticket_free(got);
	r = store_ticket_get(t, 999, &got, &err);
	OK(r == 0 && got == NULL, "an unknown ticket is not found");
	store_abort(t);
	store_ticket_free(NULL);
	store_abort(NULL);

	IS_STR(list(st, NULL, 0), "1,2,3,4,5", "all tickets in id order");
	IS_STR(list(st, "new", 0), "1,2", "status new");
	IS_STR(list(st, "open", 0), "3,4", "status open (not open_late)");
	IS_STR(list(st, "open_late", 0), "5", "status open_late");
	IS_STR(list(st, "nosuch", 0), "", "an unused status lists nothing");

	free(tk->status);
	tk->status = xstrdup("awaiting_user");
	r = store_write(st, w_ticket, tk, &err);
	OK(r == 0, "change ticket 3's status");
	IS_STR(list(st, "open", 0), "4", "old status no longer lists it");
	IS_STR(list(st, "awaiting_user", 0), "3", "new status lists it");
	r = store_write(st, w_ticket, tk, &err);
	IS_STR(list(st, "awaiting_user", 0), "3",
	    "putting again lists it once");
	store_ticket_free(tk);

	IS_STR(list(st, NULL, 2), "1,2", "callback 1 stops iteration early");
	IS_STR(list(st, "new", 1), "1", "... also on a status");
	store_read(st, &t, &err);
	r = store_ticket_iter(t, NULL, cb_fail, NULL, &err);
	IS_INT(r, -1, "a callback's -1 is returned");
	store_abort(t);

	new_ticket(st, "open");		/* 6 */
	r = store_write(st, w_close_open, &ca, &err);
	OK(r == 0, "close tickets while walking their status: %s",
	    r == 0 ? "ok" : err.text);
	IS_INT(ca.n, 2, "... each visited once");
	IS_STR(list(st, "open", 0), "", "no open ticket left");
	IS_STR(list(st, "closed", 0), "4,6", "both closed");
}

/* test_messages - messages, Message-ID index */
static void
test_messages(struct store *st)
{
	static const struct {
		uint64_t ticket;
		uint32_t seq;
		const char *msgid;
	} puts[] = {
		{ 1, 3, "three@example.org" },
		{ 2, 1, "b1@example.org" },
		{ 1, 1, "first@example.org" },
		{ 1, 2, "first@example.org" },	/* the same id again */
		{ 2, 2, "" },
		{ 4, 1, NULL },			/* the long id */
	};
	char longid[601], otherid[601];
	struct pd_stored_msg *m, *got;
	struct msg_list l;
	struct store_txn *t;
	struct pd_err err;
	uint64_t ticket;
	uint32_t seq;
	size_t i;
	int r, ok = 1;

	memset(longid, 'x', 600);
	memcpy(longid + 590, "@host.test", 10);
	longid[600] = '\0';
	memcpy(otherid, longid, sizeof(otherid));
	otherid[0] = 'y';
	for (i = 0; i < sizeof(puts) / sizeof(puts[0]); i++) {
		m = mk_msg(puts[i].ticket, puts[i].seq,
		    puts[i].msgid ? puts[i].msgid : longid);
		if (store_write(st, w_msg, m, &err) != 0)
			ok = 0;
		store_msg_free(m);
	}
	OK(ok, "put six messages");

	store_read(st, &t, &err);
	m = mk_msg(1, 2, "first@example.org");
	r = store_msg_get(t, 1, 2, &got, &err);
	IS_INT(r, 1, "get message 1/2");
	if (r == 1) {
		IS_INT(got->ticket, 1, "ticket");
		IS_INT(got->seq, 2, "seq");
		IS_INT(got->received, m->received, "received");
		IS_INT(got->author, PD_AUTHOR_AGENT, "author");
		IS_STR(got->from_addr, "from2@example.org", "from_addr");
		IS_STR(got->from_name, "Jörg Ünal", "from_name");
		IS_STR(got->subject, "ticket 1 message 2", "subject");
		IS_STR(got->message_id, "first@example.org", "message_id");
		IS_STR(got->queue_id, "", "empty queue_id");
		IS_STR(got->recipient, "support@example.com", "recipient");
		IS_STR(got->text, m->text, "text");
		OK(memcmp(got->raw_hash, m->raw_hash, 32) == 0, "raw_hash");
		IS_INT(got->raw_size, 5000000000ULL, "raw_size over 2^32");
		IS_INT(got->nattach, 2, "two attachments");
		if (got->nattach == 2) {
			IS_STR(got->attach[0].name, "Rechnung März.pdf",
			    "attachment name");
			IS_STR(got->attach[0].type, "application/pdf",
			    "attachment type");
			IS_INT(got->attach[0].size, 123456, "attachment size");
			IS_STR(got->attach[1].name, "", "unnamed attachment");
			IS_INT(got->attach[1].size, 0, "empty attachment");
		}
	}
	store_msg_free(got);
	store_msg_free(m);
	r = store_msg_get(t, 2, 3, &got, &err);
	OK(r == 0 && got == NULL, "an unknown message is not found");

	memset(&l, 0, sizeof(l));
	r = store_msg_iter(t, 1, cb_msgs, &l, &err);
	IS_STR(l.text, "1/1:ticket 1 message 1,1/2:ticket 1 message 2,"
	    "1/3:ticket 1 message 3", "ticket 1's messages in seq order");
	memset(&l, 0, sizeof(l));
	r = store_msg_iter(t, 2, cb_msgs, &l, &err);
	IS_STR(l.text, "2/1:ticket 2 message 1,2/2:ticket 2 message 2",
	    "ticket 2's messages, none of ticket 1's");
	memset(&l, 0, sizeof(l));
	r = store_msg_iter(t, 3, cb_msgs, &l, &err);
	OK(r == 0 && l.n == 0, "a ticket without messages");

	r = store_msgid_lookup(t, "first@example.org", &ticket, &seq, &err);
	OK(r == 1 && ticket == 1 && seq == 1,
	    "Message-ID found; the first message keeps it (1/%" PRIu32 ")",
	    seq);
	r = store_msgid_lookup(t, "b1@example.org", &ticket, &seq, &err);
	OK(r == 1 && ticket == 2 && seq == 1, "another Message-ID found");
	r = store_msgid_lookup(t, "nobody@example.org", &ticket, &seq, &err);
	IS_INT(r, 0, "unknown Message-ID not found");
	r = store_msgid_lookup(t, "", &ticket, &seq, &err);
	IS_INT(r, 0, "empty Message-ID not found");
	r = store_msgid_lookup(t, longid, &ticket, &seq, &err);
	OK(r == 1 && ticket == 4 && seq == 1, "a 600-byte Message-ID works");
	r = store_msgid_lookup(t, otherid, &ticket, &seq, &err);
	IS_INT(r, 0, "another 600-byte Message-ID is not found");
	store_abort(t);
}

/* test_raw_dedup_events - raw bytes, dedup index, events */
static void
test_raw_dedup_events(struct store *st)
{
	static const struct pd_event evs[] = {
		{ 1, 2, 1700000002, "agent@example.com", "status",
		    "new -> open" },
		{ 2, 1, 1700000005, "system", "created", "" },
		{ 1, 1, 1700000001, "anna@example.org", "created", "" },
		{ 1, 3, 1700000003, "postdesk", "message", "ÄÖÜ" },
	};
	struct store_stat ss0, ss;
	unsigned char key[STORE_HASH_BYTES], other[STORE_HASH_BYTES];
	unsigned char h[STORE_HASH_BYTES];
	struct raw_write rw;
	struct msg_list l;
	struct store_txn *t;
	struct pd_err err;
	uint64_t ticket;
	uint32_t seq;
	size_t len, i;
	char *big, *got;
	int r;

	store_stat(st, &ss0, &err);
	big = xmalloc(5 * MB);
	fill(big, 5 * MB, 42);
	rw.data = big;
	rw.len = 5 * MB;
	r = store_write(st, w_raw, &rw, &err);
	OK(r == 0, "put 5 MB raw: %s", r == 0 ? "ok" : err.text);
	store_hash(big, 5 * MB, h);
	OK(memcmp(h, rw.hash, sizeof(h)) == 0, "raw key is store_hash");
	memset(rw.hash, 0, sizeof(rw.hash));
	r = store_write(st, w_raw, &rw, &err);
	OK(r == 0 && memcmp(h, rw.hash, sizeof(h)) == 0,
	    "the same bytes again: same hash, no error");
	store_stat(st, &ss, &err);
	IS_INT(ss.raw, ss0.raw + 1, "one raw entry");
	store_read(st, &t, &err);
	r = store_raw_get(t, h, &got, &len, &err);
	OK(r == 1 && len == 5 * MB && memcmp(got, big, len) == 0,
	    "5 MB round trip");
	free(got);
	h[0] ^= 1;
	r = store_raw_get(t, h, &got, &len, &err);
	OK(r == 0 && got == NULL, "unknown raw hash not found");
	store_abort(t);
	free(big);

	store_hash("dedup", 5, key);
	store_hash("other", 5, other);
	store_read(st, &t, &err);
	r = store_dedup_lookup(t, key, &ticket, &seq, &err);
	IS_INT(r, 0, "dedup key not there yet");
	store_abort(t);
	r = store_write(st, w_dedup, key, &err);
	OK(r == 0, "put a dedup key");
	store_read(st, &t, &err);
	r = store_dedup_lookup(t, key, &ticket, &seq, &err);
	OK(r == 1 && ticket == 5 && seq == 7, "dedup key found: 5/7");
	r = store_dedup_lookup(t, other, &ticket, &seq, &err);
	IS_INT(r, 0, "another dedup key not found");
	store_abort(t);

	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		r = store_write(st, w_event, (void *)&evs[i], &err);
		OK(r == 0, "put event %" PRIu64 "/%" PRIu32, evs[i].ticket,
		    evs[i].seq);
	}
	store_read(st, &t, &err);
	memset(&l, 0, sizeof(l));
	r = store_event_iter(t, 1, cb_events, &l, &err);
	IS_STR(l.text, "1/1 1700000001 anna@example.org created ,"
	    "1/2 1700000002 agent@example.com status new -> open,"
	    "1/3 1700000003 postdesk message ÄÖÜ",
	    "ticket 1's events in seq order, every field");
	memset(&l, 0, sizeof(l));
	r = store_event_iter(t, 2, cb_events, &l, &err);
	IS_STR(l.text, "2/1 1700000005 system created ",
	    "ticket 2's events only");
	store_abort(t);
}

/* test_growth - a 1 MB map takes 20 MB, and keeps it after reopening */
static void
test_growth(void)
{
	struct store_stat ss;
	struct raw_write rw[10];
	struct store_txn *t;
	struct store *st;
	struct pd_err err;
	char dir[256], *data, *got;
	size_t len;
	int i, r, ok;

	path(dir, sizeof(dir), "growth");
	r = store_open(dir, MB, STORE_CREATE, &st, &err);
	OK(r == 0, "create with a 1 MB map");
	store_stat(st, &ss, &err);
	OK(ss.map_size <= MB, "map starts at %" PRIu64, ss.map_size);
	data = xmalloc(2 * MB);
	for (ok = 1, i = 0; i < 10; i++) {
		fill(data, 2 * MB, 100 + i);
		rw[i].data = data;
		rw[i].len = 2 * MB;
		if ((r = store_write(st, w_raw, &rw[i], &err)) != 0) {
			ok = 0;
			diag_err(&err);
		}
	}
	OK(ok, "ten 2 MB raw messages in ten transactions");
	r = store_stat(st, &ss, &err);
	OK(r == 0 && ss.raw == 10, "ten raw entries");
	OK(ss.map_size >= 20 * MB && ss.used_bytes >= 20 * MB &&
	    ss.used_bytes <= ss.map_size, "map grew to %" PRIu64 " (used %"
	    PRIu64 ")", ss.map_size, ss.used_bytes);
	store_close(st);

	r = store_open(dir, MB, 0, &st, &err);
	OK(r == 0, "reopen with a 1 MB map argument");
	store_stat(st, &ss, &err);
	OK(ss.map_size >= ss.used_bytes && ss.map_size >= 20 * MB,
	    "reopened map is not smaller than the data (%" PRIu64 ")",
	    ss.map_size);
	store_read(st, &t, &err);
	for (ok = 1, i = 0; i < 10; i++) {
		fill(data, 2 * MB, 100 + i);
		r = store_raw_get(t, rw[i].hash, &got, &len, &err);
		if (r != 1 || len != 2 * MB || memcmp(got, data, len) != 0)
			ok = 0;
		free(got);
	}
	store_abort(t);
	OK(ok, "all 20 MB readable after reopening");
	free(data);
	store_close(st);
	rm_store(dir);
}

/* test_refuse - a callback's own failure leaves nothing behind */
static void
test_refuse(struct store *st)
{
	struct pd_ticket *tk;
	struct store_txn *t;
	struct pd_err err;
	uint64_t id = 0, next;
	int r;

	r = store_write(st, w_refuse, &id, &err);
	IS_INT(r, -1, "store_write returns the callback's -1");
	IS_INT(err.class, PD_EDATA, "... with its error class");
	IS_STR(err.text, "refused by the test", "... and its text");
	OK(id != 0, "the refused transaction took id %" PRIu64, id);
	store_read(st, &t, &err);
	r = store_ticket_get(t, id, &tk, &err);
	store_abort(t);
	OK(r == 0 && tk == NULL, "its ticket is not there");
	IS_STR(list(st, "new", 0), "1,2", "nor in the status index");
	next = new_ticket(st, "new");
	IS_INT(next, id, "the next ticket takes the same id");
}

/* test_corrupt - damaged values are errors, never crashes */
static void
test_corrupt(void)
{
	static const struct {
		uint64_t id;
		const char *data;
		size_t len;
		const char *want;
	} cases[] = {
		{ 101, "\x01\x00\x00\x10\x00open", 9, "status truncated" },
		{ 102, "\x09garbage", 8, "record version 9 unknown" },
		{ 103, "", 0, "empty" },
		{ 104, "\x01\x00\x00\x00\x02o\x00", 7,
		    "status contains a NUL" },
		{ 105, "\x01\xff\xff\xff\xff", 5, "status truncated" },
		{ 107, "\x01" "\0\0\0\0" "\0\0\0\0" "\0\0\0\0" "\0\0\0\0"
		    "\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0"
		    "\0\0\0\0" "\0\0\0\0" "\xff\xff\xff\xff", 49,
		    "participants count larger than the record" },
	};
	unsigned char key[8];
	struct pd_ticket *tk;
	struct store_txn *t;
	struct store *st;
	struct pd_err err;
	char dir[256], want[512], *rec, *longer;
	size_t i, len = 0;
	int r;

	path(dir, sizeof(dir), "corrupt");
	r = store_open(dir, MB, STORE_CREATE, &st, &err);
	new_ticket(st, "new");
	store_close(st);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		be64(key, cases[i].id);
		raw_put(dir, "tickets", key, 8, cases[i].data, cases[i].len);
	}
	/* a good record with one byte too many */
	be64(key, 1);
	rec = raw_get(dir, "tickets", key, 8, &len);
	OK(rec != NULL && len > 0 && rec[0] == 1,
	    "ticket 1's record starts with version 1");
	longer = xmalloc(len + 1);
	memcpy(longer, rec, len);
	longer[len] = 'x';
	be64(key, 106);
	raw_put(dir, "tickets", key, 8, longer, len + 1);
	free(rec);
	free(longer);

	r = store_open(dir, MB, 0, &st, &err);
	OK(r == 0, "open the damaged store");
	store_read(st, &t, &err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.class = PD_OK;
		r = store_ticket_get(t, cases[i].id, &tk, &err);
		if (strncmp(cases[i].want, "record version", 14) == 0)
			snprintf(want, sizeof(want), "%s (ticket %" PRIu64
			    " in %s)", cases[i].want, cases[i].id, dir);
		else
			snprintf(want, sizeof(want), "corrupt record: ticket %"
			    PRIu64 " in %s: %s", cases[i].id, dir,
			    cases[i].want);
		OK(r == -1 && tk == NULL && err.class == PD_ETEMP &&
		    strncmp(err.text, want, strlen(want)) == 0,
		    "ticket %" PRIu64 ": %s", cases[i].id, err.text);
	}
	r = store_ticket_get(t, 106, &tk, &err);
	OK(r == -1 && strstr(err.text, "1 trailing bytes") != NULL,
	    "trailing bytes: %s", err.text);
	r = store_ticket_get(t, 1, &tk, &err);
	OK(r == 1, "the good ticket still reads");
	store_ticket_free(tk);
	store_abort(t);
	OK(strncmp(list(st, NULL, 0), "error: corrupt record", 21) == 0,
	    "iterating hits the corrupt record: %s", list(st, NULL, 0));
	store_close(st);
	rm_store(dir);
}

/* test_rdonly - a read-only open reads and refuses writes */
static void
test_rdonly(const char *dir)
{
	struct store_stat ss;
	struct pd_ticket *tk;
	struct store_txn *t;
	struct store *st;
	struct pd_err err;
	int r;

	r = store_open(dir, MB, STORE_RDONLY, &st, &err);
	OK(r == 0, "open read-only: %s", r == 0 ? "ok" : err.text);
	if (r != 0)
		return;
	store_read(st, &t, &err);
	r = store_ticket_get(t, 3, &tk, &err);
	OK(r == 1 && strcmp(tk->status, "awaiting_user") == 0,
	    "read-only store reads ticket 3");
	store_ticket_free(tk);
	store_abort(t);
	IS_STR(list(st, "closed", 0), "4,6", "and lists a status");
	OK(store_stat(st, &ss, &err) == 0 && ss.tickets >= 6,
	    "store_stat on read-only: %" PRIu64 " tickets", ss.tickets);
	err.class = PD_OK;
	r = store_write(st, w_new, "new", &err);
	OK(r == -1 && err.class == PD_ETEMP,
	    "a write on a read-only store fails: %s", err.text);
	store_close(st);
}

/* w_child - one ticket and a 4 KB raw message of a writer process */
static int
w_child(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct child_write *cw = arg;
	unsigned char h[STORE_HASH_BYTES];
	struct pd_ticket *tk;
	char raw[4096];
	uint64_t id;
	int r;

	if (store_ticket_new_id(t, &id, err) < 0)
		return -1;
	tk = mk_ticket(id, "new");
	free(tk->requester);
	tk->requester = xasprintf("child%d@example.org", cw->who);
	fill(raw, sizeof(raw), (uint64_t)cw->who << 32 | (uint64_t)cw->i);
	r = store_ticket_put(t, tk, err);
	store_ticket_free(tk);
	if (r == 0)
		r = store_raw_put(t, raw, sizeof(raw), h, err);
	return r;
}

/* child - a writer process: its own environment, 200 transactions */
static int
child(const char *dir, int who)
{
	struct child_write cw;
	struct store *st;
	struct pd_err err;

	if (store_open(dir, MB, 0, &st, &err) < 0)
		return 1;
	cw.who = who;
	for (cw.i = 0; cw.i < 200; cw.i++)
		if (store_write(st, w_child, &cw, &err) != 0) {
			fprintf(stderr, "child %d: %s\n", who, err.text);
			store_close(st);
			return 1;
		}
	store_close(st);
	return 0;
}

/* cb_count - check ascending ids, count each child's tickets */
static int
cb_count(const struct pd_ticket *tk, void *arg)
{
	uint64_t *c = arg;	/* n, last id, ascending, child0, child1 */

	if (tk->id <= c[1])
		c[2] = 0;
	c[1] = tk->id;
	c[0]++;
	if (strcmp(tk->requester, "child0@example.org") == 0)
		c[3]++;
	else if (strcmp(tk->requester, "child1@example.org") == 0)
		c[4]++;
	return 0;
}

struct thread_work {
	struct store *st;
	int	who;
	int	failed;
	unsigned char hash[16][STORE_HASH_BYTES];
};

/* thread_main - 16 writes of 128 KB, each read back in its own txn */
static void *
thread_main(void *arg)
{
	struct thread_work *tw = arg;
	struct raw_write rw;
	struct store_txn *t;
	struct pd_err err;
	char *data, *got;
	size_t len;
	int i;

	data = xmalloc(128 * 1024);
	for (i = 0; i < 16; i++) {
		fill(data, 128 * 1024, (uint64_t)tw->who * 1000 + (uint64_t)i);
		rw.data = data;
		rw.len = 128 * 1024;
		if (store_write(tw->st, w_raw, &rw, &err) != 0) {
			tw->failed++;
			continue;
		}
		memcpy(tw->hash[i], rw.hash, STORE_HASH_BYTES);
		if (store_read(tw->st, &t, &err) < 0) {
			tw->failed++;
			continue;
		}
		if (store_raw_get(t, rw.hash, &got, &len, &err) != 1 ||
		    len != rw.len || memcmp(got, data, len) != 0)
			tw->failed++;
		free(got);
		store_abort(t);
	}
	free(data);
	return NULL;
}

/* test_threads - threads of one process share a store while it grows */
static void
test_threads(void)
{
	struct thread_work tw[4];
	struct store_stat ss;
	struct raw_write rw;
	struct store_txn *t;
	struct store *st;
	struct pd_err err;
	pthread_t tid[4];
	char dir[256];
	int i, r, failed = 0;

	path(dir, sizeof(dir), "threads");
	if (store_open(dir, MB, STORE_CREATE, &st, &err) < 0) {
		OK(0, "create: %s", err.text);
		return;
	}
	/* a thread holding a read transaction cannot wait for a resize */
	rw.len = 2 * MB;
	rw.data = xcalloc(1, rw.len);
	store_read(st, &t, &err);
	r = store_write(st, w_raw, &rw, &err);
	OK(r == -1 && err.class == PD_ETEMP &&
	    strstr(err.text, "transaction open") != NULL,
	    "no map growth under the writer's own read txn: %s", err.text);
	store_abort(t);
	r = store_write(st, w_raw, &rw, &err);
	OK(r == 0, "after ending it the map grows: %s", r == 0 ? "ok" :
	    err.text);
	free((void *)rw.data);

	for (i = 0; i < 4; i++) {
		memset(&tw[i], 0, sizeof(tw[i]));
		tw[i].st = st;
		tw[i].who = i;
		pthread_create(&tid[i], NULL, thread_main, &tw[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		failed += tw[i].failed;
	}
	IS_INT(failed, 0, "4 threads x 16 writes of 128 KB, each read back");
	store_stat(st, &ss, &err);
	IS_INT(ss.raw, 65, "65 raw entries");
	OK(ss.map_size >= 10 * MB, "map grew to %" PRIu64, ss.map_size);
	store_close(st);
	rm_store(dir);
}

struct group_work {
	struct store *st;
	int	who;
	int	wrong;		/* results not as they should be */
};

struct group_job {
	int	who, i;
};

static int group_ready;	/* threads 1-3 about to write */
static int group_held;	/* thread 0 held its first write once */

/* w_group - a ticket and 64 KB of raw bytes; every fifth job writes them
 * and then refuses, so its writes must vanish and nobody else's */
static int
w_group(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct group_job *gj = arg;
	unsigned char h[STORE_HASH_BYTES];
	struct pd_ticket *tk;
	char *raw;
	uint64_t id;
	int r;

	/* the first write of thread 0 waits until the others are on their
	 * way into store_write, so that they queue behind it */
	if (gj->who == 0 && gj->i == 0 && !group_held) {
		struct timespec pause = { 0, 300 * 1000 * 1000 };

		group_held = 1;
		while (__atomic_load_n(&group_ready, __ATOMIC_SEQ_CST) < 3)
			sched_yield();
		nanosleep(&pause, NULL);
	}
	if (store_ticket_new_id(t, &id, err) < 0)
		return -1;
	tk = mk_ticket(id, "new");
	free(tk->requester);
	tk->requester = xasprintf("g%d-%d@example.org", gj->who, gj->i);
	r = store_ticket_put(t, tk, err);
	store_ticket_free(tk);
	raw = xmalloc(64 * 1024);
	fill(raw, 64 * 1024, (uint64_t)gj->who << 32 | (uint64_t)gj->i);
	if (r == 0)
		r = store_raw_put(t, raw, 64 * 1024, h, err);
	free(raw);
	if (r == 0 && gj->i % 5 == 4)
		return err_set(err, PD_EDATA, "job %d-%d refused", gj->who,
		    gj->i);
	return r;
}

/* group_main - 50 store_writes; check each one's own result */
static void *
group_main(void *arg)
{
	struct group_work *gw = arg;
	struct group_job gj;
	struct pd_err err;
	char want[64];
	int r;

	gj.who = gw->who;
	for (gj.i = 0; gj.i < 50; gj.i++) {
		if (gj.i == 0 && gj.who != 0)
			__atomic_add_fetch(&group_ready, 1, __ATOMIC_SEQ_CST);
		err_clear(&err);
		r = store_write(gw->st, w_group, &gj, &err);
		snprintf(want, sizeof(want), "job %d-%d refused", gj.who,
		    gj.i);
		if (gj.i % 5 == 4 ? r != -1 || err.class != PD_EDATA ||
		    strcmp(err.text, want) != 0 : r != 0) {
			fprintf(stderr, "group job %d-%d: %d %s\n", gj.who,
			    gj.i, r, err.text);
			gw->wrong++;
		}
	}
	return NULL;
}

/* cb_group - count tickets, and those of refused jobs (which must not be) */
static int
cb_group(const struct pd_ticket *tk, void *arg)
{
	int *c = arg;	/* tickets, of refused jobs */
	const char *dash = strchr(tk->requester, '-');

	c[0]++;
	if (dash != NULL && atoi(dash + 1) % 5 == 4)
		c[1]++;
	return 0;
}

/* test_group - group commit: 4 threads' writes share transactions while
 * the map grows; a refused job is undone alone */
static void
test_group(void)
{
	struct group_work gw[4];
	struct store_stat ss;
	struct store_txn *t;
	struct store *st;
	struct pd_err err;
	pthread_t tid[4];
	char dir[256];
	unsigned long commits, jobs;
	int i, wrong = 0, c[2] = { 0, 0 };

	path(dir, sizeof(dir), "group");
	if (store_open(dir, MB, STORE_CREATE, &st, &err) < 0) {
		OK(0, "create: %s", err.text);
		return;
	}
	store_group(st, 1);
	for (i = 0; i < 4; i++) {
		memset(&gw[i], 0, sizeof(gw[i]));
		gw[i].st = st;
		gw[i].who = i;
		pthread_create(&tid[i], NULL, group_main, &gw[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		wrong += gw[i].wrong;
	}
	IS_INT(wrong, 0, "group commit: each of 200 writes got its own "
	    "result (40 refused with their own error)");
	store_read(st, &t, &err);
	store_ticket_iter(t, NULL, cb_group, c, &err);
	store_abort(t);
	IS_INT(c[0], 160, "160 tickets stored");
	IS_INT(c[1], 0, "none of a refused write");
	store_stat(st, &ss, &err);
	IS_INT(ss.raw, 160, "160 raw entries");
	OK(ss.map_size > MB, "the map grew during group commits (%" PRIu64
	    ")", ss.map_size);
	store_group_stats(st, &commits, &jobs);
	OK(commits > 0 && jobs > commits, "writes shared commits: %lu "
	    "group transactions held %lu writes", commits, jobs);
	IS_INT(new_ticket(st, "new"), 161, "a refused write's id is taken "
	    "by the next: the next id is 161");
	store_close(st);
	rm_store(dir);
}

/* A lazy write's fn notes whether the commit about to be made syncs the
 * meta page (lazy_seen), and fails when lazy_fail is set. */
static struct store *lazy_st;
static int lazy_seen, lazy_fail;

static int
w_lazy(struct store_txn *t, void *arg, struct pd_err *err)
{
	(void)arg;
	lazy_seen = store_meta_sync(lazy_st);
	if (lazy_fail)
		return err_set(err, PD_EDATA, "refused");
	return store_kv_put(t, "lazy", "1", 1, err);
}

/* test_lazy - store_write_lazy commits without the meta sync, and every
 * other commit keeps it: after a lazy write (done or refused), in a plain
 * write, and in group mode, where the threads share the environment */
static void
test_lazy(void)
{
	struct pd_err err;
	char dir[256];

	path(dir, sizeof(dir), "lazy");
	if (store_open(dir, MB, STORE_CREATE, &lazy_st, &err) < 0) {
		OK(0, "create: %s", err.text);
		return;
	}
	OK(store_meta_sync(lazy_st), "a new store syncs the meta page");
	lazy_seen = -1;
	IS_INT(store_write_lazy(lazy_st, w_lazy, NULL, &err), 0,
	    "a lazy write commits");
	IS_INT(lazy_seen, 0, "inside it, the meta page is not synced");
	OK(store_meta_sync(lazy_st), "after it, commits sync again");
	lazy_fail = 1;
	IS_INT(store_write_lazy(lazy_st, w_lazy, NULL, &err), -1,
	    "a refused lazy write returns -1");
	OK(store_meta_sync(lazy_st), "after a refused one, commits sync "
	    "again");
	lazy_fail = 0;
	store_write(lazy_st, w_lazy, NULL, &err);
	IS_INT(lazy_seen, 1, "a plain write syncs the meta page");
	store_group(lazy_st, 1);
	store_write_lazy(lazy_st, w_lazy, NULL, &err);
	IS_INT(lazy_seen, 1, "in group mode a lazy write is a plain one");
	store_close(lazy_st);
	rm_store(dir);
}

/* An explain write: a queue id and its text at a time. */
struct ex_put {
	const char *qid;
	time_t	when;
	const char *text;
};

static int
w_explain(struct store_txn *t, void *arg, struct pd_err *err)
{
	const struct ex_put *e = arg;

	if (e->when == 0)	/* a value written before the time index */
		return store_kv_put(t, e->qid, e->text, strlen(e->text), err);
	return store_explain_put(t, e->qid, e->when, e->text, err);
}

/* ex_get - the text of a queue id, or "-" when unknown */
static const char *
ex_get(struct store *st, const char *qid)
{
	static char buf[64];
	struct store_txn *t;
	struct pd_err err;
	int rc;

	store_read(st, &t, &err);
	rc = store_explain_get(t, qid, buf, sizeof(buf), &err);
	store_abort(t);
	return rc == 1 ? buf : rc == 0 ? "-" : "error";
}

/* test_explain - the queue-id index of explain, and its pruning: oldest
 * first, a reused queue id keeps its newest text, a value from before the
 * index is read and kept */
static void
test_explain(void)
{
	static const struct ex_put puts[] = {
		{ "Q1", 1000, "ticket 1 message 1" },
		{ "Q2", 2000, "result: not stored (loop)" },
		{ "Q1", 3000, "ticket 7 message 2" },
		{ "Q3", 4000, "a story longer than the reader's buffer of 64 "
		    "bytes, which is cut" },
		{ "explain:q:OLD", 0, "ticket 9 message 1" },
	};
	struct pd_err err;
	char dir[256];
	size_t i, removed = 99;
	struct store *st;

	path(dir, sizeof(dir), "explain");
	if (store_open(dir, MB, STORE_CREATE, &st, &err) < 0) {
		OK(0, "create: %s", err.text);
		return;
	}
	for (i = 0; i < sizeof(puts) / sizeof(puts[0]); i++)
		store_write(st, w_explain, (void *)&puts[i], &err);
	IS_STR(ex_get(st, "Q1"), "ticket 7 message 2", "a reused queue id: "
	    "the newest intake, without its time");
	IS_STR(ex_get(st, "Q2"), "result: not stored (loop)", "a dropped "
	    "mail's story");
	IS_INT((int)strlen(ex_get(st, "Q3")), 63, "a long one is cut to the "
	    "buffer");
	IS_STR(ex_get(st, "OLD"), "ticket 9 message 1", "a value from before "
	    "the time index is read as it is");
	IS_STR(ex_get(st, "Q9"), "-", "an unknown queue id: not found");
	IS_INT(store_explain_prune(st, 2500, &removed, &err), 0,
	    "prune before 2500");
	IS_INT((int)removed, 1, "one queue id forgotten");
	IS_STR(ex_get(st, "Q2"), "-", "Q2 (2000) is forgotten");
	IS_STR(ex_get(st, "Q1"), "ticket 7 message 2", "Q1's older intake "
	    "(1000) does not take its newer one (3000) with it");
	store_explain_prune(st, 2500, &removed, &err);
	IS_INT((int)removed, 0, "pruning again forgets nothing");
	store_explain_prune(st, 5000, &removed, &err);
	IS_INT((int)removed, 2, "prune before 5000: Q1 and Q3");
	IS_STR(ex_get(st, "Q1"), "-", "Q1 is forgotten");
	IS_STR(ex_get(st, "OLD"), "ticket 9 message 1", "the value from "
	    "before the index is kept");
	store_close(st);
	rm_store(dir);
}

/* test_processes - two processes write 200 tickets each at once */
static void
test_processes(void)
{
	uint64_t c[5] = { 0, 0, 1, 0, 0 };
	struct store_stat ss;
	struct store_txn *t;
	struct store *st;
	struct pd_err err;
	char dir[256];
	pid_t pid[2];
	int i, status, ok = 1;

	path(dir, sizeof(dir), "procs");
	if (store_open(dir, MB, STORE_CREATE, &st, &err) < 0) {
		OK(0, "create: %s", err.text);
		return;
	}
	store_close(st);
	fflush(stdout);
	for (i = 0; i < 2; i++)
		if ((pid[i] = fork()) == 0)
			_exit(child(dir, i));
	for (i = 0; i < 2; i++)
		if (pid[i] < 0 || waitpid(pid[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			ok = 0;
	OK(ok, "two writer processes finished without error");

	OK(store_open(dir, MB, 0, &st, &err) == 0, "open after the writers");
	store_read(st, &t, &err);
	store_ticket_iter(t, NULL, cb_count, c, &err);
	store_abort(t);
	IS_INT(c[0], 400, "400 tickets");
	OK(c[2] == 1 && c[1] == 400, "ids 1..400, ascending, distinct");
	OK(c[3] == 200 && c[4] == 200, "200 from each process (%" PRIu64
	    ", %" PRIu64 ")", c[3], c[4]);
	store_stat(st, &ss, &err);
	IS_INT(ss.raw, 400, "400 raw messages");
	OK(ss.map_size > MB, "the map grew under two writers (%" PRIu64 ")",
	    ss.map_size);
	IS_INT(new_ticket(st, "new"), 401, "the next id is 401");
	store_close(st);
	rm_store(dir);
}

/*
 * store_verify: a clean store has no problem; each kind of damage, made
 * with plain LMDB calls as a disk fault or a buggy tool would, is reported.
 */

#define V_WHEN	1700000000	/* the outbox entry's next_try */

struct v_report {
	int	n;
	char	text[8192];
};

/* raw_del - delete one key with plain LMDB calls; LMDB's return code */
static int
raw_del(const char *dir, const char *db, const void *k, size_t klen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key;
	int rc;

	if ((env = raw_env(dir)) == NULL)
		return -1;
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
		key.mv_data = (void *)k;
		key.mv_size = klen;
		if ((rc = mdb_dbi_open(txn, db, 0, &dbi)) == 0 &&
		    (rc = mdb_del(txn, dbi, &key, NULL)) == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return rc;
}

/* v_seq - a (ticket, seq) key */
static void
v_seq(unsigned char k[12], uint64_t ticket, uint32_t seq)
{
	be64(k, ticket);
	k[8] = (unsigned char)(seq >> 24);
	k[9] = (unsigned char)(seq >> 16);
	k[10] = (unsigned char)(seq >> 8);
	k[11] = (unsigned char)seq;
}

/* v_due - a due-index key */
static void
v_due(unsigned char k[17], int64_t when, int kind, uint64_t id)
{
	be64(k, (uint64_t)when ^ (1ULL << 63));
	k[8] = (unsigned char)kind;
	be64(k + 9, id);
}

/* v_collect - store_verify report callback */
static void
v_collect(const char *problem, void *arg)
{
	struct v_report *r = arg;
	size_t len = strlen(r->text);

	r->n++;
	snprintf(r->text + len, sizeof(r->text) - len, "%s\n", problem);
}

/*
 * w_verify_fill - two tickets as intake leaves them: ticket 1 "open" with
 * two messages (raw by content, Message-ID, dedup) and two events, ticket
 * 2 "closed" with one message (raw by ticket and content), and one outbox
 * entry for ticket 1 due at V_WHEN
 */
static int
w_verify_fill(struct store_txn *t, void *arg, struct pd_err *err)
{
	static const char *ids[] = { "v1@example.org", "v2@example.org",
	    "v3@example.org" };
	unsigned char dk[STORE_HASH_BYTES];
	struct pd_stored_msg *m;
	struct pd_ticket *tk;
	struct pd_outbox o;
	struct pd_event e;
	char raw[64];
	uint64_t id;
	uint32_t seq, n;
	int i = 0, r = 0;

	(void)arg;
	for (n = 2; n >= 1 && r == 0; n--) {
		if (store_ticket_new_id(t, &id, err) < 0)
			return -1;
		tk = mk_ticket(id, n == 2 ? "open" : "closed");
		tk->nmsgs = n;
		tk->nevents = n;
		for (seq = 1; seq <= n && r == 0; seq++, i++) {
			m = mk_msg(id, seq, ids[i]);
			snprintf(raw, sizeof(raw), "Message-ID: <%s>\n\nx\n",
			    ids[i]);
			m->raw_size = strlen(raw);
			memset(&e, 0, sizeof(e));
			e.ticket = id;
			e.seq = seq;
			e.actor = e.kind = e.detail = "test";
			store_hash(ids[i], strlen(ids[i]), dk);
			/* both raw key schemes: by bytes, by ticket and bytes */
			if (id == 1)
				r = store_raw_put(t, raw, strlen(raw),
				    m->raw_hash, err);
			else
				r = store_raw_put_ticket(t, id, raw,
				    strlen(raw), m->raw_hash, err);
			if (r == 0 && (r = store_msg_put(t, m, err)) == 0 &&
			    (r = store_dedup_put(t, dk, id, seq, err)) == 0)
				r = store_event_put(t, &e, err);
			store_msg_free(m);
		}
		if (r == 0)
			r = store_ticket_put(t, tk, err);
		store_ticket_free(tk);
	}
	if (r < 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.ticket = 1;
	o.event = "customer_new";
	o.recipient = "anna@example.org";
	o.sender = "bounces@example.com";
	o.created = V_WHEN;
	o.next_try = V_WHEN;
	o.last_error = "";
	o.message = "Subject: x\n\nx\n";
	return store_outbox_add(t, &o, err);
}

/* v_run - store_verify on dir: the problem count; reports into rep */
static int
v_run(const char *dir, struct v_report *rep)
{
	struct store *st;
	struct pd_err err;
	int n;

	memset(rep, 0, sizeof(*rep));
	if (store_open(dir, MB, 0, &st, &err) < 0) {
		diag_err(&err);
		return -1;
	}
	if ((n = store_verify(st, v_collect, rep, &err)) < 0)
		diag_err(&err);
	store_close(st);
	return n;
}

/* test_verify - a clean store, then each kind of damage */
static void
test_verify(void)
{
	static const struct {
		const char *label;
		const char *db;
		int	del;		/* delete the key instead of putting */
		int	key;		/* which key: see the switch below */
		const char *val;
		size_t	vlen;
		const char *want;
	} cases[] = {
		{ "a ticket's status key deleted", "status", 1, 0, NULL, 0,
		    "ticket 1: status \"open\" is not in the status index" },
		{ "a second status key for a ticket", "status", 0, 1, "", 0,
		    "ticket 1 is under \"closed\" but its status is \"open\"" },
		{ "a status key for a missing ticket", "status", 0, 2, "", 0,
		    "\"open\" names ticket 9, which does not exist" },
		{ "a ticket record destroyed", "tickets", 0, 3, "\x01zz", 3,
		    "ticket 2: unreadable record" },
		{ "a ticket's message deleted", "messages", 1, 4, NULL, 0,
		    "ticket 1: 1 of its 2 messages missing (the first: 2)" },
		{ "a message beyond the ticket's count", "messages", 0, 5,
		    NULL, 0, "message 1/3: beyond the ticket's 2 messages" },
		{ "a message of a missing ticket", "messages", 0, 6, NULL, 0,
		    "message 7/1: its ticket does not exist" },
		{ "a msgid entry naming a missing message", "msgid", 0, 7,
		    "\0\0\0\0\0\0\0\x01\0\0\0\x09", 12,
		    "<ghost@example.org> names message 1/9, which does not "
		    "exist" },
		{ "a msgid entry naming another message", "msgid", 0, 7,
		    "\0\0\0\0\0\0\0\x01\0\0\0\x01", 12,
		    "<ghost@example.org> names message 1/1, whose Message-ID "
		    "differs" },
		{ "a Message-ID's index entry deleted", "msgid", 1, 8, NULL, 0,
		    "message 1/2: Message-ID <v2@example.org> is not indexed" },
		{ "raw bytes deleted", "raw", 1, 9, NULL, 0,
		    "message 1/1: its raw bytes are missing" },
		{ "raw bytes changed", "raw", 0, 9, "Message-ID: <v1@example.org>"
		    "\n\ny\n", 32, "message 1/1: its raw bytes do not match their "
		    "hash" },
		{ "raw bytes no message refers to", "raw", 0, 18, "orphan", 6,
		    "(6 bytes) belongs to no message" },
		{ "raw bytes of another length", "raw", 0, 9, "short", 5,
		    "message 1/1: 32 raw bytes recorded, 5 stored" },
		{ "a dedup entry naming a missing message", "dedup", 0, 10,
		    "\0\0\0\0\0\0\0\x05\0\0\0\x01", 12,
		    "names message 5/1, which does not exist" },
		{ "an event of a missing ticket", "events", 0, 11, NULL, 0,
		    "event 42/1: its ticket does not exist" },
		{ "an event beyond the ticket's count", "events", 0, 12, NULL,
		    0, "event 2/2: beyond the ticket's 1 events" },
		{ "an outbox entry's due key deleted", "due", 1, 13, NULL, 0,
		    "outbox 1: due at 1700000000 but not in the due-index" },
		{ "an outbox entry of a missing ticket", "outbox", 0, 19,
		    NULL, 0, "outbox 1: its ticket 42 does not exist" },
		{ "a due key for a missing outbox entry", "due", 0, 14, "", 0,
		    "due-index: outbox 77 due at 1700000000 does not exist" },
		{ "a due key at another time", "due", 0, 15, "", 0,
		    "outbox 1 is indexed at 1700000060 but due at 1700000000" },
		{ "next_ticket behind the tickets", "meta", 0, 16,
		    "\0\0\0\0\0\0\0\x02", 8,
		    "meta: next_ticket is 2, but ticket 2 exists" },
		{ "next_outbox behind the outbox", "kv", 0, 17,
		    "\0\0\0\0\0\0\0\x01", 8,
		    "kv: next_outbox is not beyond it, but outbox 1 exists" },
	};
	unsigned char k[64], h[STORE_HASH_BYTES];
	struct v_report rep;
	struct store *st;
	struct pd_err err;
	char dir[256], *val;
	size_t i, klen, vlen;
	int n;

	path(dir, sizeof(dir), "verify");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (store_open(dir, MB, STORE_CREATE, &st, &err) < 0 ||
		    store_write(st, w_verify_fill, NULL, &err) < 0) {
			diag_err(&err);
			OK(0, "verify: build the store");
			store_close(st);
			return;
		}
		store_close(st);
		if (i == 0) {
			n = v_run(dir, &rep);
			IS_INT(n, 0, "verify: a clean store has no problem");
			IS_INT(rep.n, 0, "verify: ... and reports none");
			if (rep.n > 0)
				printf("# %s", rep.text);
		}
		val = (char *)cases[i].val;
		vlen = cases[i].vlen;
		klen = 12;
		switch (cases[i].key) {
		case 0:		/* "open" NUL 1 */
		case 2:		/* "open" NUL 9 */
			memcpy(k, "open", 5);
			be64(k + 5, cases[i].key == 0 ? 1 : 9);
			klen = 13;
			break;
		case 1:		/* "closed" NUL 1 */
			memcpy(k, "closed", 7);
			be64(k + 7, 1);
			klen = 15;
			break;
		case 3:
			be64(k, 2);
			klen = 8;
			break;
		case 4:
			v_seq(k, 1, 2);
			break;
		case 5:		/* a copy of message 1/1 as 1/3 and 7/1 */
		case 6:
		case 11:	/* a copy of event 1/1 as 42/1 and 2/2 */
		case 12:
			v_seq(k, 1, 1);
			val = raw_get(dir, cases[i].key < 11 ? "messages" :
			    "events", k, 12, &vlen);
			if (cases[i].key == 5)
				v_seq(k, 1, 3);
			else if (cases[i].key == 6)
				v_seq(k, 7, 1);
			else if (cases[i].key == 11)
				v_seq(k, 42, 1);
			else
				v_seq(k, 2, 2);
			break;
		case 7:
			memcpy(k, "ghost@example.org", 17);
			klen = 17;
			break;
		case 8:
			memcpy(k, "v2@example.org", 14);
			klen = 14;
			break;
		case 9:
			store_hash("Message-ID: <v1@example.org>\n\nx\n", 32,
			    k);
			klen = STORE_HASH_BYTES;
			break;
		case 10:
			store_hash("dedup", 5, h);
			memcpy(k, h, sizeof(h));
			klen = STORE_HASH_BYTES;
			break;
		case 13:
			v_due(k, V_WHEN, STORE_DUE_OUTBOX, 1);
			klen = 17;
			break;
		case 14:
			v_due(k, V_WHEN, STORE_DUE_OUTBOX, 77);
			klen = 17;
			break;
		case 15:
			v_due(k, V_WHEN + 60, STORE_DUE_OUTBOX, 1);
			klen = 17;
			break;
		case 16:
			memcpy(k, "next_ticket", 11);
			klen = 11;
			break;
		case 17:
			memcpy(k, "next_outbox", 11);
			klen = 11;
			break;
		case 18:
			store_hash("orphan", 6, k);
			klen = STORE_HASH_BYTES;
			break;
		case 19:	/* the record says ticket 42 (its first field) */
			be64(k, 1);
			klen = 8;
			val = raw_get(dir, "outbox", k, 8, &vlen);
			if (val != NULL && vlen > 9)
				be64((unsigned char *)val + 1, 42);
			break;
		}
		if (cases[i].del)
			n = raw_del(dir, cases[i].db, k, klen);
		else
			n = raw_put(dir, cases[i].db, k, klen, val, vlen);
		if (val != cases[i].val)
			free(val);
		if (n != 0) {
			OK(0, "verify: %s: LMDB refused the damage (%s)",
			    cases[i].label, mdb_strerror(n));
			rm_store(dir);
			continue;
		}
		n = v_run(dir, &rep);
		OK(n > 0 && n == rep.n && strstr(rep.text, cases[i].want) !=
		    NULL, "verify: %s: reported", cases[i].label);
		if (n <= 0 || strstr(rep.text, cases[i].want) == NULL)
			printf("#   want: %s\n#   got %d: %s", cases[i].want, n,
			    rep.text);
		rm_store(dir);
	}
}

/*
 * Customers: records by lower-cased email, the external-id index, and the
 * index of a requester's tickets kept by store_ticket_put/_del.
 */

struct c_list {
	int	n;
	int	stop_after;
	char	text[1024];		/* "a@x,b@x" */
};

/* mk_customer - a customer with every field set (caller frees) */
static struct pd_customer *
mk_customer(const char *email, const char *ext, const char *name)
{
	struct pd_customer *c = xcalloc(1, sizeof(*c));

	c->email = xstrdup(email);
	c->name = xstrdup(name);
	c->external_id = xstrdup(ext);
	c->organisation = xstrdup("Müller & Söhne, \"GmbH\"");
	c->phone = xstrdup("+49 30 1234567");
	c->created = 1700000000;
	c->updated = (time_t)4102444800LL;
	c->notes = xstrdup("line one\nline two, with a comma");
	return c;
}

/* w_customer - store_write callback: put the customer in arg */
static int
w_customer(struct store_txn *t, void *arg, struct pd_err *err)
{
	return store_customer_put(t, arg, err);
}

/* What w_customers does in one transaction: put each; remember results. */
struct c_batch {
	struct pd_customer **c;
	int	n;
	int	rc[8];
	int	cls[8];
};

/* w_customers - put several customers; a refusal does not end the batch */
static int
w_customers(struct store_txn *t, void *arg, struct pd_err *err)
{
	struct c_batch *b = arg;
	struct pd_err e;
	int i;

	(void)err;
	for (i = 0; i < b->n; i++) {
		err_clear(&e);
		b->rc[i] = store_customer_put(t, b->c[i], &e);
		b->cls[i] = e.class;
		if (b->rc[i] < 0 && e.class != PD_EDATA) {
			*err = e;
			return -1;
		}
	}
	return 0;
}

/* cb_customers - iterator callback: list the emails */
static int
cb_customers(const struct pd_customer *c, void *arg)
{
	struct c_list *l = arg;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len, "%s%s",
	    l->n ? "," : "", c->email);
	l->n++;
	return l->stop_after && l->n >= l->stop_after ? 1 : 0;
}

/* c_get - a lookup in its own read transaction: by email or external id */
static int
c_get(struct store *st, const char *key, int external,
      struct pd_customer **cp, struct pd_err *err)
{
	struct store_txn *t;
	int r;

	*cp = NULL;
	if (store_read(st, &t, err) < 0)
		return -1;
	r = external ? store_customer_get_by_external(t, key, cp, err) :
	    store_customer_get_by_email(t, key, cp, err);
	store_abort(t);
	return r;
}

/* c_tickets - a requester's ticket ids as "1,2,3" into buf */
static int
c_tickets(struct store *st, const char *email, char *buf, size_t size)
{
	struct store_txn *t;
	struct pd_err err;
	uint64_t *ids;
	size_t n, i, len = 0;
	int r;

	buf[0] = '\0';
	if (store_read(st, &t, &err) < 0)
		return -1;
	r = store_customer_tickets(t, email, &ids, &n, &err);
	store_abort(t);
	if (r < 0) {
		diag_err(&err);
		return -1;
	}
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%" PRIu64,
		    i ? "," : "", ids[i]);
	free(ids);
	return (int)n;
}

/* w_ticket_del - store_write callback: delete the ticket in arg */
static int
w_ticket_del(struct store_txn *t, void *arg, struct pd_err *err)
{
	return store_ticket_del(t, arg, err);
}

/* c_put_ticket - write a ticket with a requester */
static void
c_put_ticket(struct store *st, uint64_t id, const char *requester)
{
	struct pd_ticket *tk = mk_ticket(id, "open");
	struct pd_err err;

	free(tk->requester);
	tk->requester = xstrdup(requester);
	if (store_write(st, w_ticket, tk, &err) < 0)
		diag_err(&err);
	store_ticket_free(tk);
}

static void test_customers_late(void);

/* test_customers - the customer databases */
static void
test_customers(void)
{
	struct pd_customer *c, *alice, *bob, *carol, *batch[3];
	struct c_batch cb;
	struct c_list l;
	struct store *st;
	struct store_txn *cb_t;
	struct pd_err err;
	char dir[256], buf[256], *longaddr;
	int r;

	path(dir, sizeof(dir), "customers");
	if (store_open(dir, MB, STORE_CREATE, &st, &err) < 0) {
		OK(0, "customers: open a store");
		diag_err(&err);
		return;
	}

	alice = mk_customer("Alice@Example.COM", "CRM-1", "Alice Ärger");
	OK(store_write(st, w_customer, alice, &err) == 0,
	    "customer put (mixed-case email, external id)");
	r = c_get(st, "alice@example.com", 0, &c, &err);
	IS_INT(r, 1, "get by the lower-cased email");
	if (r == 1) {
		IS_STR(c->email, "alice@example.com", "... email lower-cased");
		IS_STR(c->name, "Alice Ärger", "... name (UTF-8)");
		IS_STR(c->external_id, "CRM-1", "... external id");
		IS_STR(c->organisation, "Müller & Söhne, \"GmbH\"",
		    "... organisation");
		IS_STR(c->phone, "+49 30 1234567", "... phone");
		IS_STR(c->notes, "line one\nline two, with a comma",
		    "... notes with a newline");
		IS_INT(c->created, 1700000000, "... created");
		IS_INT(c->updated, 4102444800LL, "... updated (past 2^32)");
	}
	store_customer_free(c);
	IS_INT(c_get(st, "ALICE@example.Com", 0, &c, &err), 1,
	    "get by email in another case");
	store_customer_free(c);
	r = c_get(st, "CRM-1", 1, &c, &err);
	IS_INT(r, 1, "get by external id");
	IS_STR(r == 1 ? c->email : NULL, "alice@example.com", "... alice");
	store_customer_free(c);
	IS_INT(c_get(st, "crm-1", 1, &c, &err), 0, "external ids match "
	    "exactly (crm-1 is another id)");
	IS_INT(c_get(st, "nobody@example.com", 0, &c, &err), 0,
	    "unknown email: not found");
	IS_INT(c_get(st, "", 0, &c, &err), 0, "empty email: not found");

	/* a new external id replaces the old one in the index */
	free(alice->external_id);
	alice->external_id = xstrdup("CRM-9");
	OK(store_write(st, w_customer, alice, &err) == 0, "alice's external "
	    "id changes to CRM-9");
	IS_INT(c_get(st, "CRM-1", 1, &c, &err), 0, "... CRM-1 leads nowhere");
	IS_INT(c_get(st, "CRM-9", 1, &c, &err), 1, "... CRM-9 leads to her");
	store_customer_free(c);

	/* a taken id is refused, nothing of that customer is written, and
	 * the rest of the transaction goes on */
	bob = mk_customer("bob@example.com", "CRM-9", "Bob");
	carol = mk_customer("carol@example.com", "CRM-3", "Carol");
	batch[0] = bob;
	batch[1] = carol;
	memset(&cb, 0, sizeof(cb));
	cb.c = batch;
	cb.n = 2;
	OK(store_write(st, w_customers, &cb, &err) == 0, "one transaction "
	    "with a refused customer commits");
	IS_INT(cb.rc[0], -1, "bob with alice's external id: refused");
	IS_INT(cb.cls[0], PD_EDATA, "... as a data error");
	IS_INT(cb.rc[1], 0, "carol in the same transaction: stored");
	IS_INT(c_get(st, "bob@example.com", 0, &c, &err), 0, "... bob was "
	    "not written");
	r = c_get(st, "CRM-9", 1, &c, &err);
	IS_STR(r == 1 ? c->email : NULL, "alice@example.com", "... CRM-9 "
	    "still alice's");
	store_customer_free(c);
	IS_INT(c_get(st, "CRM-3", 1, &c, &err), 1, "... CRM-3 is carol's");
	store_customer_free(c);

	/* no external id any more: the index entry goes */
	free(carol->external_id);
	carol->external_id = xstrdup("");
	OK(store_write(st, w_customer, carol, &err) == 0, "carol without an "
	    "external id");
	IS_INT(c_get(st, "CRM-3", 1, &c, &err), 0, "... CRM-3 leads nowhere");
	/* now bob may take CRM-3 */
	free(bob->external_id);
	bob->external_id = xstrdup("CRM-3");
	OK(store_write(st, w_customer, bob, &err) == 0, "bob takes the freed "
	    "CRM-3");

	free(bob->email);
	bob->email = xstrdup("");
	err_clear(&err);
	OK(store_write(st, w_customer, bob, &err) < 0 &&
	    err.class == PD_EDATA, "a customer without email: refused "
	    "(PD_EDATA)");

	memset(&l, 0, sizeof(l));
	OK(store_read(st, &cb_t, &err) == 0, "read transaction");
	OK(store_customer_iter(cb_t, cb_customers, &l, &err) == 0,
	    "iterate customers");
	IS_STR(l.text, "alice@example.com,bob@example.com,carol@example.com",
	    "... in email order, each once");
	memset(&l, 0, sizeof(l));
	l.stop_after = 1;
	OK(store_customer_iter(cb_t, cb_customers, &l, &err) == 0 &&
	    l.n == 1, "... a callback's 1 stops the walk");
	store_abort(cb_t);

	/* the tickets of a requester */
	c_put_ticket(st, 1, "Dora@Example.org");
	c_put_ticket(st, 2, "dora@example.org");
	c_put_ticket(st, 3, "erik@example.org");
	IS_INT(c_tickets(st, "DORA@example.org", buf, sizeof(buf)), 2,
	    "a requester's tickets, any case");
	IS_STR(buf, "1,2", "... ids ascending");
	c_put_ticket(st, 2, "erik@example.org");
	c_tickets(st, "dora@example.org", buf, sizeof(buf));
	IS_STR(buf, "1", "requester of ticket 2 changes: dora keeps 1");
	c_tickets(st, "erik@example.org", buf, sizeof(buf));
	IS_STR(buf, "2,3", "... erik has 2 and 3");
	c_put_ticket(st, 3, "erik@example.org");
	IS_INT(c_tickets(st, "erik@example.org", buf, sizeof(buf)), 2,
	    "rewriting a ticket adds no entry");
	{
		struct pd_ticket *tk = mk_ticket(3, "open");

		free(tk->requester);
		tk->requester = xstrdup("erik@example.org");
		OK(store_write(st, w_ticket_del, tk, &err) == 0,
		    "delete ticket 3");
		store_ticket_free(tk);
	}
	c_tickets(st, "erik@example.org", buf, sizeof(buf));
	IS_STR(buf, "2", "... gone from its requester's tickets");
	IS_INT(c_tickets(st, "nobody@example.org", buf, sizeof(buf)), 0,
	    "a stranger has no tickets");

	/* an address too long for a key: found by reading every ticket */
	longaddr = xmalloc(600);
	memset(longaddr, 'x', 580);
	memcpy(longaddr + 580, "@example.org", 13);
	c_put_ticket(st, 7, longaddr);
	IS_INT(c_tickets(st, longaddr, buf, sizeof(buf)), 1, "a 592-byte "
	    "requester (not indexed) still has its ticket");
	IS_STR(buf, "7", "... ticket 7");
	free(bob->email);
	bob->email = longaddr;
	err_clear(&err);
	OK(store_write(st, w_customer, bob, &err) < 0 &&
	    err.class == PD_EDATA, "a 592-byte email as a customer key: "
	    "refused");
	store_close(st);

	/* the index naming a missing customer is a corrupt store */
	OK(raw_put(dir, "customer_ext", "GHOST", 5, "ghost@example.com",
	    17) == 0, "write an external id naming no customer (plain LMDB)");
	if (store_open(dir, MB, STORE_RDONLY, &st, &err) == 0) {
		err_clear(&err);
		IS_INT(c_get(st, "GHOST", 1, &c, &err), -1,
		    "... lookup: error");
		IS_INT(err.class, PD_ETEMP, "... temporary (corrupt record)");
		OK(strstr(err.text, "corrupt") != NULL, "... says corrupt: %s",
		    err.text);
		r = c_get(st, "CRM-9", 1, &c, &err);
		IS_STR(r == 1 ? c->name : NULL, "Alice Ärger", "read-only "
		    "reopen: alice is there");
		store_customer_free(c);
		store_close(st);
	} else
		OK(0, "reopen read-only");
	store_customer_free(alice);
	store_customer_free(bob);
	store_customer_free(carol);
	rm_store(dir);
	test_customers_late();
}

/* raw_drop - delete named databases with plain LMDB calls */
static int
raw_drop(const char *dir, const char *const *dbs)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	if ((env = raw_env(dir)) == NULL)
		return -1;
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
		for (; *dbs != NULL && rc == 0; dbs++)
			if ((rc = mdb_dbi_open(txn, *dbs, 0, &dbi)) == 0)
				rc = mdb_drop(txn, dbi, 1);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return rc;
}

/* test_customers_late - a store made before the customer databases */
static void
test_customers_late(void)
{
	static const char *const late[] = { "customers", "customer_ext",
	    "customer_tickets", NULL };
	struct store *st;
	struct pd_err err;
	char dir[256], buf[64];

	path(dir, sizeof(dir), "late");
	if (store_open(dir, MB, STORE_CREATE, &st, &err) < 0) {
		OK(0, "late: create");
		return;
	}
	c_put_ticket(st, 4, "Old@Example.org");
	c_put_ticket(st, 5, "old@example.org");
	c_put_ticket(st, 6, "other@example.org");
	store_close(st);
	OK(raw_drop(dir, late) == 0, "a store without the customer databases "
	    "(dropped with plain LMDB)");
	err_clear(&err);
	OK(store_open(dir, MB, STORE_RDONLY, &st, &err) < 0 &&
	    strstr(err.text, "predates") != NULL, "read-only open: refused, "
	    "saying what adds them: %s", err.text);
	if (store_open(dir, MB, 0, &st, &err) < 0) {
		OK(0, "read-write open adds them");
		diag_err(&err);
		return;
	}
	OK(1, "read-write open adds them");
	IS_INT(c_tickets(st, "old@example.org", buf, sizeof(buf)), 2,
	    "... and indexes the tickets already stored");
	IS_STR(buf, "4,5", "... 4 and 5");
	store_close(st);
	OK(store_open(dir, MB, STORE_RDONLY, &st, &err) == 0,
	    "read-only open works afterwards");
	store_close(st);
	rm_store(dir);
}

int
main(void)
{
	char dir[256];
	struct store *st;
	struct pd_err err;

	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_open();
	path(dir, sizeof(dir), "main");
	if (store_open(dir, MB, 0, &st, &err) < 0) {
		printf("Bail out! %s\n", err.text);
		return 99;
	}
	test_tickets(st);
	test_messages(st);
	test_raw_dedup_events(st);
	test_refuse(st);
	store_close(st);
	test_rdonly(dir);
	test_growth();
	test_corrupt();
	test_threads();
	test_group();
	test_lazy();
	test_explain();
	test_processes();
	test_verify();
	test_customers();
	rm_store(dir);
	rmdir(base);
	return tap_done();
}
